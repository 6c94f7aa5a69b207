"""Who may see and do what: the one place that decides it.

Two layers, both here:

* ``POLICY`` classifies every URL name: public, or the roles that may use it at all. The
  ``AccessPolicyMiddleware`` enforces it before any view runs (403 for a role that may not use
  the function), and a test fails for any URL the table does not classify.
* Object access: ``visible_departments(user)`` and the ``get_*_for`` helpers narrow every
  page, list, export and download to the departments a person may see; anything else answers
  404, exactly as a missing object does, so existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kaohe.audit.log import Kind, record
from kaohe.org.models import ADMIN_ROLES, Department, Membership, Role, User

PUBLIC = "public"  # no login needed
ANY_ROLE = frozenset(Role)  # any person holding at least one active role

# Who sees which department's data (domain.md §5).
SEE_ALL_DEPARTMENTS = frozenset({Role.OFFICE, Role.LEADER, Role.SYSADMIN})
MANAGE_ORGANISATION = frozenset({Role.OFFICE, Role.SYSADMIN})
READ_ORGANISATION = frozenset({Role.OFFICE, Role.LEADER, Role.SYSADMIN, Role.HEAD, Role.LIAISON, Role.INSPECTOR})

# Who works with assessment data (plans, progress …): not the administrator, not the auditor.
ASSESSMENT_READERS = frozenset({Role.OFFICE, Role.LEADER, Role.HEAD, Role.LIAISON, Role.INSPECTOR})
DEPARTMENT_WRITERS = frozenset({Role.OFFICE, Role.HEAD, Role.LIAISON})
DECIDERS = frozenset({Role.OFFICE, Role.LEADER})

POLICY: dict[str, frozenset[str] | str] = {
    # public
    "login": PUBLIC,
    "healthz": PUBLIC,
    "set_language": PUBLIC,
    "cas_ng_login": PUBLIC,
    "cas_ng_logout": PUBLIC,
    # every person with a role
    "home": ANY_ROLE,
    "logout": ANY_ROLE,
    "password-change": ANY_ROLE,
    # the organisation
    "org:department-list": READ_ORGANISATION,
    "org:department-detail": READ_ORGANISATION,
    "org:department-create": MANAGE_ORGANISATION,
    "org:department-edit": MANAGE_ORGANISATION,
    "org:department-deactivate": MANAGE_ORGANISATION,
    "org:department-activate": MANAGE_ORGANISATION,
    "org:department-import": MANAGE_ORGANISATION,
    "org:department-import-template": MANAGE_ORGANISATION,
    "org:department-export": MANAGE_ORGANISATION | {Role.LEADER},
    "org:person-list": MANAGE_ORGANISATION,
    "org:person-detail": MANAGE_ORGANISATION,
    "org:person-create": MANAGE_ORGANISATION,
    "org:person-edit": MANAGE_ORGANISATION,
    "org:person-deactivate": MANAGE_ORGANISATION,
    "org:person-activate": MANAGE_ORGANISATION,
    "org:person-unlock": MANAGE_ORGANISATION,
    "org:person-password": MANAGE_ORGANISATION,
    "org:membership-add": MANAGE_ORGANISATION,
    "org:membership-end": MANAGE_ORGANISATION,
    "org:person-import": MANAGE_ORGANISATION,
    "org:person-import-template": MANAGE_ORGANISATION,
    "org:person-export": MANAGE_ORGANISATION,
    "org:year-list": frozenset({Role.OFFICE, Role.LEADER}),
    "org:year-create": frozenset({Role.OFFICE}),
    "org:year-edit": frozenset({Role.OFFICE}),
    "org:year-advance": frozenset({Role.OFFICE}),
    # annual target plans
    "plans:plan-list": ASSESSMENT_READERS,
    "plans:plan-detail": ASSESSMENT_READERS,
    "plans:plan-submit": frozenset({Role.OFFICE, Role.HEAD}),
    "plans:plan-decide": DECIDERS,
    "plans:target-list": ASSESSMENT_READERS,
    "plans:target-export": ASSESSMENT_READERS,
    "plans:target-detail": ASSESSMENT_READERS,
    "plans:target-create": DEPARTMENT_WRITERS,
    "plans:target-edit": DEPARTMENT_WRITERS,
    "plans:target-split": frozenset({Role.OFFICE, Role.HEAD}),
    "plans:adjustment-create": DEPARTMENT_WRITERS,
    "plans:adjustment-list": ASSESSMENT_READERS,
    "plans:adjustment-decide": DECIDERS,
    "plans:import": DEPARTMENT_WRITERS,
    "plans:import-template": DEPARTMENT_WRITERS,
    "plans:import-job": DEPARTMENT_WRITERS,
    "plans:import-confirm": DEPARTMENT_WRITERS,
    # progress reports and the evidence archive (objects scoped by kaohe.progress.selectors)
    "progress:node-list": ASSESSMENT_READERS,
    "progress:todo": ASSESSMENT_READERS,
    "progress:node-detail": ASSESSMENT_READERS,
    "progress:report-create": DEPARTMENT_WRITERS,
    "progress:node-seal": frozenset({Role.OFFICE}),
    "progress:node-reopen": frozenset({Role.OFFICE}),
    "progress:report-detail": ASSESSMENT_READERS,
    "progress:report-edit": DEPARTMENT_WRITERS,
    "progress:report-decide": frozenset({Role.HEAD}),
    "progress:evidence-download": ASSESSMENT_READERS,
    "progress:evidence-remove": DEPARTMENT_WRITERS,
    "progress:target-archive": ASSESSMENT_READERS,
    "progress:archive-export": ASSESSMENT_READERS,
    "progress:export-detail": ASSESSMENT_READERS,
    "progress:export-download": ASSESSMENT_READERS,
    # supervision rounds (objects scoped by kaohe.supervision.selectors: inspectors see the
    # departments assigned to them, departments their own results once published)
    "supervision:round-list": ASSESSMENT_READERS,
    "supervision:round-create": frozenset({Role.OFFICE}),
    "supervision:round-detail": ASSESSMENT_READERS,
    "supervision:round-edit": frozenset({Role.OFFICE}),
    "supervision:round-advance": frozenset({Role.OFFICE}),
    "supervision:round-inspectors": frozenset({Role.OFFICE}),
    "supervision:department": ASSESSMENT_READERS,
    "supervision:item-verify": frozenset({Role.OFFICE, Role.INSPECTOR}),
    "supervision:checkpoints": frozenset({Role.OFFICE, Role.INSPECTOR}),
    "supervision:selfcheck": ASSESSMENT_READERS,
    "supervision:selfcheck-submit": DEPARTMENT_WRITERS,
    "supervision:selfcheck-decide": frozenset({Role.HEAD}),
    "supervision:rectification-list": ASSESSMENT_READERS,
    "supervision:rectification-create": frozenset({Role.OFFICE, Role.INSPECTOR}),
    "supervision:rectification-detail": ASSESSMENT_READERS,
    "supervision:rectification-submit": DEPARTMENT_WRITERS,
    "supervision:rectification-decide": frozenset({Role.OFFICE}),
    "supervision:rectification-file": ASSESSMENT_READERS,
    "supervision:round-stats": DECIDERS,
    "supervision:stats-export": DECIDERS,
    # Drafts: the office writes, a leader signs off (签发), the office issues; issued bulletins: every reader.
    "bulletins:list": ASSESSMENT_READERS,
    "bulletins:create": frozenset({Role.OFFICE}),
    "bulletins:detail": ASSESSMENT_READERS,
    "bulletins:edit": frozenset({Role.OFFICE}),
    "bulletins:preview": ASSESSMENT_READERS,
    "bulletins:submit": frozenset({Role.OFFICE}),
    "bulletins:sign": frozenset({Role.LEADER}),
    "bulletins:issue": frozenset({Role.OFFICE}),
    "bulletins:issue-cancel": frozenset({Role.OFFICE}),
    "bulletins:correct": frozenset({Role.OFFICE}),
    "bulletins:download": ASSESSMENT_READERS,
    "bulletins:section-edit": frozenset({Role.OFFICE}),
    "bulletins:section-regenerate": frozenset({Role.OFFICE}),
    "bulletins:section-suggest": frozenset({Role.OFFICE}),
    "bulletins:section-changes": frozenset({Role.OFFICE, Role.LEADER}),
    # major projects, brands, highlights and awards, notification duty (objects scoped in
    # kaohe.initiatives: departments see and edit their own, the office verifies)
    "initiatives:project-list": ASSESSMENT_READERS,
    "initiatives:project-create": DEPARTMENT_WRITERS,
    "initiatives:project-detail": ASSESSMENT_READERS,
    "initiatives:project-edit": DEPARTMENT_WRITERS,
    "initiatives:project-gantt": ASSESSMENT_READERS,
    "initiatives:stage-create": DEPARTMENT_WRITERS,
    "initiatives:stage-edit": DEPARTMENT_WRITERS,
    "initiatives:brand-list": ASSESSMENT_READERS,
    "initiatives:brand-create": frozenset({Role.OFFICE}),
    "initiatives:brand-detail": ASSESSMENT_READERS,
    "initiatives:brand-edit": DEPARTMENT_WRITERS,
    "initiatives:brand-note": DEPARTMENT_WRITERS,
    "initiatives:achievement-list": ASSESSMENT_READERS,
    "initiatives:achievement-create": DEPARTMENT_WRITERS,
    "initiatives:achievement-detail": ASSESSMENT_READERS,
    "initiatives:achievement-edit": DEPARTMENT_WRITERS,
    "initiatives:achievement-verify": frozenset({Role.OFFICE}),
    "initiatives:achievement-file": ASSESSMENT_READERS,
    "initiatives:achievement-export": ASSESSMENT_READERS,
    "initiatives:duty-list": ASSESSMENT_READERS,
    "initiatives:duty-detail": ASSESSMENT_READERS,
    "initiatives:duty-create": frozenset({Role.OFFICE}),
    "initiatives:duty-edit": frozenset({Role.OFFICE}),
    "initiatives:record-create": DEPARTMENT_WRITERS,
    "initiatives:record-edit": DEPARTMENT_WRITERS,
    "initiatives:record-check": frozenset({Role.OFFICE}),
    "initiatives:record-file": ASSESSMENT_READERS,
    "initiatives:compliance": ASSESSMENT_READERS,
    # the audit log: the auditor only, and read-only
    "audit:event-list": frozenset({Role.AUDITOR}),
    "audit:event-detail": frozenset({Role.AUDITOR}),
    "audit:event-export": frozenset({Role.AUDITOR}),
}


def roles_of(user: Any) -> list[Membership]:
    """The person's active memberships, read once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_kaohe_memberships", None)
    if cached is None:
        cached = list(Membership.objects.active().filter(user=user).select_related("department"))
        user._kaohe_memberships = cached
    return cached


def role_names(user: Any) -> set[str]:
    return {m.role for m in roles_of(user)}


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(role_names(user) & set(roles))


def own_department_ids(user: Any, roles: Iterable[str] = (Role.HEAD, Role.LIAISON)) -> set[int]:
    wanted = set(roles)
    return {m.department_id for m in roles_of(user) if m.role in wanted and m.department_id}


def allowed(user: Any, url_name: str) -> bool:
    """Whether the policy lets this person use the function behind ``url_name``."""
    rule = POLICY.get(url_name)
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    return has_role(user, rule)


# Apps that send inspectors somewhere (supervision rounds) say where: ``provider(user)`` returns the
# ids of the departments the person inspects now. org cannot import those apps, so they register.
_INSPECTION_PROVIDERS: list = []


def register_inspection_provider(provider) -> None:
    if provider not in _INSPECTION_PROVIDERS:
        _INSPECTION_PROVIDERS.append(provider)


def inspected_department_ids(user: Any) -> set[int]:
    """Departments this inspector is assigned to in a round under way, read once per request object."""
    if not has_role(user, {Role.INSPECTOR}):
        return set()
    cached = getattr(user, "_kaohe_inspected", None)
    if cached is None:
        cached = (
            set().union(*(provider(user) for provider in _INSPECTION_PROVIDERS)) if _INSPECTION_PROVIDERS else set()
        )
        user._kaohe_inspected = cached
    return cached


def visible_departments(user: Any) -> QuerySet[Department]:
    """Departments whose data this person may read (inspectors gain theirs per round later)."""
    if has_role(user, SEE_ALL_DEPARTMENTS):
        return Department.objects.all()
    return Department.objects.filter(pk__in=own_department_ids(user))


def reads_all_assessment(user: Any) -> bool:
    """The office and leaders read every department's assessment data."""
    return has_role(user, {Role.OFFICE, Role.LEADER})


def assessment_departments(user: Any) -> QuerySet[Department]:
    """Departments whose assessment data this person may read (the administrator reads none)."""
    if reads_all_assessment(user):
        return Department.objects.all()
    return Department.objects.filter(pk__in=own_department_ids(user))


def writes_for(user: Any, department: Department) -> bool:
    """The office, or the department's own head and liaisons, may change its drafts."""
    return has_role(user, {Role.OFFICE}) or department.pk in own_department_ids(user)


def submits_for(user: Any, department: Department) -> bool:
    """The department's head (or the office) submits its plan and splits its targets."""
    return has_role(user, {Role.OFFICE}) or department.pk in own_department_ids(user, {Role.HEAD})


def deny_write(request: HttpRequest, obj: Any) -> None:
    """Record and refuse: the person may read this object but not change it."""
    record(Kind.DENIED, actor=request.user, obj=obj, success=False)
    raise PermissionDenied


def record_not_found(request: HttpRequest, object_type: str, pk: Any) -> None:
    """Record a refusal that answers 404: the same answer for another department's object as for none."""
    record(Kind.DENIED, actor=request.user, object_type=object_type, object_id=str(pk), success=False)


def get_department_for(request: HttpRequest, pk: int) -> Department:
    department = visible_departments(request.user).filter(pk=pk).first()
    if department is None:
        record_not_found(request, "org.Department", pk)
        raise Http404
    return department


def get_person_for(request: HttpRequest, pk: int) -> User:
    # Only the office and the administrator reach people pages (POLICY); they see everyone.
    person = User.objects.filter(pk=pk).first()
    if person is None:
        record_not_found(request, "org.User", pk)
        raise Http404
    return person


def grantable_roles(user: Any) -> list[tuple[str, str]]:
    """The roles this person may give others: 三员分立, only the administrator grants admin roles."""
    if has_role(user, {Role.SYSADMIN}):
        return list(Role.choices)
    if has_role(user, {Role.OFFICE}):
        return [(value, label) for value, label in Role.choices if value not in ADMIN_ROLES]
    return []


# rules predicates: for templates ({% has_perm %}) and object checks in views.
@rules.predicate
def is_organisation_manager(user: Any) -> bool:
    return has_role(user, MANAGE_ORGANISATION)


@rules.predicate
def sees_department(user: Any, department: Department | None) -> bool:
    if department is None:
        return has_role(user, SEE_ALL_DEPARTMENTS)
    return has_role(user, SEE_ALL_DEPARTMENTS) or department.pk in own_department_ids(user)


rules.add_perm("org.view_department", sees_department)
rules.add_perm("org.change_department", is_organisation_manager)
rules.add_perm("org.change_user", is_organisation_manager)
