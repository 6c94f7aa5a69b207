"""Highlights and awards (亮点工作/成绩, the seed's §五): who sees which, the list's order, and the workflow.

Visibility: the office and the leaders read every achievement; a department's heads and liaisons
read their own department's in every state; everyone in ``access.ASSESSMENT_READERS`` reads the
verified ones of every department (they are what the bulletin publishes). Anything else answers
404. The same rule guards the evidence files and the Excel export.

Workflow: a department's head or liaison (or the office) registers one → submitted; the office
verifies it or returns it with a reason; a submitted or returned one can be edited (it goes back
to submitted); a verified one is frozen. Every change carries the version the form was opened at;
a stale one is refused with ``Conflict`` (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.initiatives.models import Achievement, AchievementFile, Brand
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role, User
from kaohe.progress import files as evidence_files
from kaohe.progress.errors import Conflict, Locked

# The seed's §五 reads teaching departments first, then functional ones; others come last.
KIND_ORDER = {Department.Kind.TEACHING: 0, Department.Kind.FUNCTIONAL: 1, Department.Kind.OTHER: 2}

EDITABLE = (Achievement.State.SUBMITTED, Achievement.State.RETURNED)


def visible_achievements(user: Any) -> QuerySet[Achievement]:
    achievements = Achievement.objects.all()
    if access.reads_all_assessment(user):
        return achievements
    return achievements.filter(Q(department__in=access.own_department_ids(user)) | Q(state=Achievement.State.VERIFIED))


def in_list_order(achievements: QuerySet[Achievement]) -> QuerySet[Achievement]:
    """Teaching departments, then functional, then the rest; by department order; newest first."""
    kind_rank = Case(
        *(When(department__kind=kind, then=Value(rank)) for kind, rank in KIND_ORDER.items()),
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )
    return achievements.annotate(kind_rank=kind_rank).order_by(
        "kind_rank", "department__order", "department_id", "-date", "-id"
    )


def writable_departments(user: Any) -> QuerySet[Department]:
    """Departments this person registers achievements for: the office any, heads and liaisons their own."""
    if access.has_role(user, {Role.OFFICE}):
        return Department.objects.filter(active=True)
    return Department.objects.filter(active=True, pk__in=access.own_department_ids(user))


def writes_achievement(user: Any, achievement: Achievement) -> bool:
    return access.writes_for(user, achievement.department)


def is_editable(achievement: Achievement) -> bool:
    return achievement.state in EDITABLE and not achievement.year.is_read_only


def year_of(day) -> AssessmentYear:
    year = AssessmentYear.objects.filter(year=day.year).first()
    if year is None:
        raise ValidationError({"date": _("There is no assessment year %(year)d for this date.") % {"year": day.year}})
    return year


def _check_fields(year: AssessmentYear, brand: Brand | None) -> None:
    if year.is_read_only:
        raise Locked(_("This assessment year is closed; its records can no longer change."))
    if brand is not None and brand.year_id != year.pk:
        raise ValidationError({"brand": _("The brand belongs to another assessment year.")})


FIELDS = ("title", "date", "kind", "level", "grade", "people", "description", "brand")


def submit_achievement(
    *, department: Department, by: User, files: Sequence[UploadedFile] = (), **fields
) -> Achievement:
    """Register a highlight or award for a department; it waits for the office to verify it."""
    with evidence_files.removed_on_failure() as written:
        return _submit(department, by, fields, files, written)


@transaction.atomic
def _submit(department, by, fields, files, written) -> Achievement:
    year = year_of(fields["date"])
    _check_fields(year, fields.get("brand"))
    item = Achievement(year=year, department=department, submitted_by=by, **_clean(fields))
    item.full_clean()
    item.save()
    _add_files(item, by, files, written)
    return item


def update_achievement(
    *, achievement: Achievement, by: User, version: int, files: Sequence[UploadedFile] = (), **fields
) -> Achievement:
    """Change a submitted or returned achievement; it goes (back) to the office as submitted."""
    with evidence_files.removed_on_failure() as written:
        return _update(achievement.pk, by, version, fields, files, written)


@transaction.atomic
def _update(pk, by, version, fields, files, written) -> Achievement:
    item = Achievement.objects.select_for_update().select_related("year").get(pk=pk)
    if item.version != version:
        raise Conflict(item)
    if item.state not in EDITABLE:
        raise Locked(_("This achievement has been verified and can no longer be changed."))
    year = year_of(fields["date"])
    _check_fields(item.year, None)
    _check_fields(year, fields.get("brand"))
    for name, value in _clean(fields).items():
        setattr(item, name, value)
    item.year = year
    item.state, item.version = Achievement.State.SUBMITTED, item.version + 1
    item.full_clean()
    item.save()
    _add_files(item, by, files, written)
    return item


@transaction.atomic
def decide_achievement(
    *, achievement: Achievement, by: User, version: int, verify: bool, reason: str = ""
) -> Achievement:
    """The office verifies an achievement (it is frozen from then on) or returns it with a reason."""
    item = Achievement.objects.select_for_update().select_related("year").get(pk=achievement.pk)
    if item.version != version:
        raise Conflict(item)
    if item.state != Achievement.State.SUBMITTED:
        raise Locked(_("Only an achievement awaiting verification can be verified or returned."))
    _check_fields(item.year, None)
    if not verify and not reason.strip():
        raise ValidationError({"reason": _("Say why the achievement is returned.")})
    if verify:
        item.state, item.verified_by, item.verified_at = Achievement.State.VERIFIED, by, timezone.now()
        item.return_reason = ""
    else:
        item.state, item.return_reason = Achievement.State.RETURNED, reason.strip()
    item.version += 1
    item.save()
    return item


def _clean(fields: dict) -> dict:
    data = {name: fields[name] for name in FIELDS if name in fields}
    for name in ("title", "people", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
    return data


def _add_files(item: Achievement, by: User, files: Sequence[UploadedFile], written: list[str]) -> None:
    if not files:
        return
    if item.files.count() + len(files) > settings.EVIDENCE_MAX_FILES_PER_REPORT:
        raise ValidationError(
            {"files": _("At most %(count)d files per achievement.") % {"count": settings.EVIDENCE_MAX_FILES_PER_REPORT}}
        )
    # Every file is checked before any is written.
    for upload, file_type in evidence_files.checked(files, field="files"):
        row = AchievementFile(achievement=item, uploaded_by=by)
        evidence_files.store(row, upload, file_type, written)
        row.save()
