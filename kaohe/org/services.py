"""Workflows over the organisation: each one transaction, each validated before it writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.lib.spreadsheets import SheetRow
from kaohe.org.forms import DepartmentRowForm, PersonRowForm
from kaohe.org.models import AssessmentYear, Department, Membership, User


@transaction.atomic
def add_membership(*, person: User, role: str, department: Department | None) -> Membership:
    """Give a role, or re-activate the same one if it was ended before."""
    membership = Membership.objects.filter(user=person, role=role, department=department).first()
    if membership is None:
        membership = Membership(user=person, role=role, department=department)
    membership.active = True
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def create_person(
    *,
    username: str,
    name: str,
    email: str,
    phone: str,
    role: str,
    department: Department | None,
    password: str = "",
) -> User:
    person = User(username=username, name=name, email=email, phone=phone)
    if password:
        person.set_password(password)
        person.must_change_password = True
    else:
        person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    add_membership(person=person, role=role, department=department)
    return person


def set_active(obj: User | Department, active: bool) -> None:
    """Deactivate or reactivate: nothing in the organisation is ever hard-deleted."""
    if isinstance(obj, User):
        obj.is_active = active
        obj.save(update_fields=["is_active"])
        if not active:
            _end_sessions(obj)
    else:
        obj.active = active
        obj.save(update_fields=["active"])


def _end_sessions(user: User) -> None:
    """A deactivated person is logged out everywhere at once."""
    from django.contrib.sessions.models import Session

    for session in Session.objects.iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


def set_password(*, person: User, password: str, must_change: bool) -> None:
    person.set_password(password)
    person.must_change_password = must_change
    person.save(update_fields=["password", "password_changed_at", "must_change_password"])


def advance_year(year: AssessmentYear) -> AssessmentYear:
    """Move a year to its next state; only one year may be running at a time."""
    next_state = year.next_state
    if next_state is None:
        raise ValidationError(_("An archived year cannot change state."))
    if (
        next_state == AssessmentYear.State.RUNNING
        and AssessmentYear.objects.filter(state=AssessmentYear.State.RUNNING).exclude(pk=year.pk).exists()
    ):
        raise ValidationError(_("Another year is running. Close it before starting this one."))
    year.state = next_state
    year.save(update_fields=["state"])
    return year


# Imports ---------------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create", "update" or "" (no change)


@dataclass
class ImportCheck:
    rows: list[RowResult]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _form_errors(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.append(f"{label}：{error}" if label else str(error))
    return messages


DEPARTMENT_COLUMNS = {
    "部门名称": "name",
    "name": "name",
    "简称": "short_name",
    "short name": "short_name",
    "类型": "kind",
    "kind": "kind",
    "考核组": "group",
    "assessment group": "group",
    "排序": "order",
    "order": "order",
}
DEPARTMENT_REQUIRED = {"name", "kind"}


def check_department_rows(rows: Sequence[SheetRow]) -> tuple[ImportCheck, list]:
    existing = {d.name: d for d in Department.objects.all()}
    results, forms_ok, seen = [], [], {}
    for row in rows:
        result = RowResult(row.number, row.values)
        instance = existing.get(str(row.values.get("name", "")).strip())
        form = DepartmentRowForm(row.values, instance=instance)
        if form.is_valid():
            name = form.cleaned_data["name"]
            if name in seen:
                result.errors.append(_("The same department is also in row %(row)d.") % {"row": seen[name]})
            seen[name] = row.number
            if instance is None:
                result.action = "create"
            elif form.has_changed():
                result.action = "update"
            if result.action:
                forms_ok.append(form)
        else:
            result.errors = _form_errors(form)
        results.append(result)
    return ImportCheck(results), forms_ok


@transaction.atomic
def import_departments(rows: Sequence[SheetRow]) -> ImportCheck:
    """All rows or none: any error leaves every department as it was."""
    check, forms_ok = check_department_rows(rows)
    if check.ok:
        for form in forms_ok:
            form.save()
    return check


PERSON_COLUMNS = {
    "用户名": "username",
    "username": "username",
    "姓名": "name",
    "full name": "name",
    "邮箱": "email",
    "email": "email",
    "手机": "phone",
    "phone": "phone",
    "角色": "role",
    "role": "role",
    "部门": "department",
    "department": "department",
}
PERSON_REQUIRED = {"username", "name", "role"}


def _person_changes(person: User, data: dict) -> bool:
    """Whether a row would change this person: their details, or a role they do not hold."""
    if person.name != data["name"] or (data["email"] and person.email != data["email"]):
        return True
    if data["phone"] and person.phone != data["phone"]:
        return True
    return not Membership.objects.filter(
        user=person, role=data["role"], department=data["department"], active=True
    ).exists()


def check_person_rows(rows: Sequence[SheetRow], *, grantable: set[str]) -> tuple[ImportCheck, list]:
    departments = {}
    for d in Department.objects.active():
        departments[d.name] = d
        if d.short_name:
            departments.setdefault(d.short_name, d)
    existing = {
        u.username: u
        for u in User.objects.filter(username__in=[str(r.values.get("username", "")).strip() for r in rows])
    }
    results, valid, roles_by_user = [], [], {}
    for row in rows:
        result = RowResult(row.number, row.values)
        form = PersonRowForm(row.values, departments=departments, grantable=grantable)
        if not form.is_valid():
            result.errors = _form_errors(form)
            results.append(result)
            continue
        data = form.cleaned_data
        membership = Membership(role=data["role"], department=data["department"])
        try:
            membership.clean_fields(exclude=["user"])
            if membership.role in {"head", "liaison"} and membership.department is None:
                raise ValidationError(_("This role needs a department."))
        except ValidationError as exc:
            result.errors.extend(exc.messages)
        roles_by_user.setdefault(data["username"], set()).add(data["role"])
        person = existing.get(data["username"])
        if person is None:
            result.action = "create"
        elif _person_changes(person, data):
            result.action = "update"
        results.append(result)
        valid.append(data)
    for result in results:
        roles = roles_by_user.get(str(result.values.get("username", "")).strip(), set())
        if len(roles) > 1 and roles & {"sysadmin", "auditor"}:
            result.errors.append(_("An administrator or auditor role cannot be combined with any other role."))
    return ImportCheck(results), valid


@transaction.atomic
def import_people(rows: Sequence[SheetRow], *, grantable: set[str]) -> ImportCheck:
    """All rows or none. New people get no password: they log in by CAS or get one set."""
    check, valid = check_person_rows(rows, grantable=grantable)
    if not check.ok:
        return check
    for data in valid:
        person = User.objects.filter(username=data["username"]).first()
        if person is not None and not _person_changes(person, data):
            continue
        if person is None:
            person = User(username=data["username"])
            person.set_unusable_password()
        person.name = data["name"]
        person.email = data["email"] or person.email
        person.phone = data["phone"] or person.phone
        person.save()
        add_membership(person=person, role=data["role"], department=data["department"])
    return check
