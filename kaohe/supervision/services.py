"""The round's workflow: draft → announced (self-check) → on-site → closed → published."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.org.models import AssessmentYear, Department, Role, User
from kaohe.plans.models import Node, TargetPlan
from kaohe.progress import files as evidence_files
from kaohe.progress import services as progress_services
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.models import ProgressReport, Status
from kaohe.supervision import stats
from kaohe.supervision.models import (
    Assignment,
    Checkpoint,
    Point,
    Rectification,
    RectificationFile,
    Result,
    SelfCheck,
    SelfCheckItem,
    SupervisionRound,
    Verification,
)

State = SupervisionRound.State


def chinese_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


def period_words(start: date, end: date) -> str:
    quarters = {(1, 3): "第一季度", (4, 6): "第二季度", (7, 9): "第三季度", (10, 12): "第四季度"}
    return quarters.get((start.month, end.month), f"{chinese_date(start)}至{chinese_date(end)}")


def draft_notice(
    *,
    period_start: date,
    period_end: date,
    selfcheck_deadline: date,
    onsite_start: date,
    onsite_end: date,
    department_count: int,
) -> tuple[str, str]:
    """The notice's title and text, drafted from the round's dates and scope (the office edits it).

    Official-document wording, kept in Chinese whatever the page's language (like the bulletin).
    """
    words = period_words(period_start, period_end)
    title = f"关于对各部门重点工作目标完成情况进行（{words}）督查的通知"
    text = (
        "各部门：\n"
        f"为确保学校{period_start.year}年度重点工作目标任务按时按进度完成，经研究，"
        f"定于{chinese_date(onsite_start)}—{chinese_date(onsite_end)}对全校{department_count}个部门"
        f"{words}重点工作目标完成情况及全年工作目标推进情况进行现场督查。现将有关事项通知如下：\n"
        f"一、督查范围：截至{period_end.year}年{chinese_date(period_end)}各部门应完成的重点工作项目"
        f"（{period_start:%Y-%m-%d}至{period_end:%Y-%m-%d}到期的工作节点），以及此前到期尚未完成的项目。\n"
        "二、督查内容：一是核实应完成的重点工作项目，已完成项目数、未完成项目数、已完成项目建档情况；"
        "二是了解“五个品牌”、学校重大项目的建设和推进情况以及各部门取得的成绩和工作亮点；"
        "三是督导职能部门通报制度的执行情况；四是核查各部门全年重点工作目标进展情况和存在问题；"
        "五是征集对考核工作的意见和建议。\n"
        f"三、工作要求：各部门对照任务书进行自查，于{chinese_date(selfcheck_deadline)}前在系统中提交自查报告，"
        "并按“一事一档”要求整理佐证材料。\n"
        "特此通知。"
    )
    return title, text


@transaction.atomic
def create_round(
    *,
    year: AssessmentYear,
    by: User,
    name: str,
    period_start: date,
    period_end: date,
    notice_date: date,
    selfcheck_deadline: date,
    onsite_start: date,
    onsite_end: date,
) -> SupervisionRound:
    if year.is_read_only:
        raise ValidationError(_("This assessment year is closed; its records can no longer change."))
    count = Department.objects.filter(active=True).count()
    title, text = draft_notice(
        period_start=period_start,
        period_end=period_end,
        selfcheck_deadline=selfcheck_deadline,
        onsite_start=onsite_start,
        onsite_end=onsite_end,
        department_count=count,
    )
    round_ = SupervisionRound(
        year=year,
        name=name,
        period_start=period_start,
        period_end=period_end,
        notice_date=notice_date,
        selfcheck_deadline=selfcheck_deadline,
        onsite_start=onsite_start,
        onsite_end=onsite_end,
        notice_title=title,
        notice_text=text,
        created_by=by,
    )
    round_.full_clean()
    round_.save()
    return round_


def _check_dates(round_: SupervisionRound) -> None:
    errors = {}
    if round_.period_start > round_.period_end:
        errors["period_end"] = _("The covered period ends before it starts.")
    if round_.onsite_start > round_.onsite_end:
        errors["onsite_end"] = _("The on-site window ends before it starts.")
    if round_.period_start.year != round_.year.year:
        errors["period_start"] = _("The covered period must lie in the round's assessment year.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_round(*, round_: SupervisionRound, **fields) -> SupervisionRound:
    """Dates change while the round is a draft; the notice text until the round is closed."""
    round_ = SupervisionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.is_frozen:
        raise Locked(_("This round is closed; nothing in it can change."))
    dates = {k for k in fields if k not in ("notice_title", "notice_text", "name")}
    if dates and round_.state != State.DRAFT:
        raise ValidationError(_("The dates of an announced round can no longer change."))
    for key, value in fields.items():
        setattr(round_, key, value)
    _check_dates(round_)
    round_.full_clean()
    round_.save()
    return round_


# Due items ------------------------------------------------------------------------------------


def in_force(year: AssessmentYear) -> QuerySet[Node]:
    return Node.objects.filter(target__year=year, target__plan__state=TargetPlan.State.APPROVED)


def due_nodes(round_: SupervisionRound) -> QuerySet[Node]:
    """The round's due items: nodes due in its period, of targets in force (domain.md §3)."""
    return in_force(round_.year).due_between(round_.period_start, round_.period_end)


def carried_nodes(round_: SupervisionRound) -> QuerySet[Node]:
    """Nodes due before the period and still not complete: listed in the round, not counted again."""
    earlier = in_force(round_.year).filter(
        due_date__lt=round_.period_start, target__withdrawn=False, target__is_split=False
    )
    done_reports = ProgressReport.objects.approved().filter(status=Status.DONE)
    verified_done = Verification.objects.filter(credit=1, round__period_end__lt=round_.period_start)
    return earlier.exclude(pk__in=done_reports.values("node_id")).exclude(pk__in=verified_done.values("node_id"))


@transaction.atomic
def announce_round(*, round_: SupervisionRound, by: User) -> SupervisionRound:
    """Publish the notice: list the due and carried-over items, open every department's self-check."""
    round_ = SupervisionRound.objects.select_for_update().select_related("year").get(pk=round_.pk)
    if round_.state != State.DRAFT:
        raise Locked(_("This round has already been announced."))
    items = [
        Verification(round=round_, node=n, department_id=n.target.plan.department_id)
        for n in due_nodes(round_).select_related("target__plan")
    ]
    items += [
        Verification(round=round_, node=n, department_id=n.target.plan.department_id, carried_over=True)
        for n in carried_nodes(round_).select_related("target__plan")
    ]
    Verification.objects.bulk_create(items, batch_size=1000)
    _open_selfchecks(round_)
    round_.state, round_.announced_at = State.ANNOUNCED, timezone.now()
    round_.save()
    return round_


def _open_selfchecks(round_: SupervisionRound) -> None:
    """A self-check report per department with items, pre-filled from the latest approved progress."""
    items = list(Verification.objects.filter(round=round_).select_related("node").order_by("department_id", "id"))
    latest = _latest_statuses([i.node_id for i in items])
    by_department: dict[int, list[Verification]] = {}
    for item in items:
        by_department.setdefault(item.department_id, []).append(item)
    checks = SelfCheck.objects.bulk_create(
        [SelfCheck(round=round_, department_id=d) for d in by_department], batch_size=500
    )
    lines = [
        SelfCheckItem(selfcheck=check, verification=item, status=latest.get(item.node_id, Status.NOT_STARTED))
        for check in checks
        for item in by_department[check.department_id]
    ]
    SelfCheckItem.objects.bulk_create(lines, batch_size=1000)


def _latest_statuses(node_ids: Iterable[int]) -> dict[int, str]:
    reports = (
        ProgressReport.objects.approved()
        .filter(node_id__in=list(node_ids))
        .order_by("node_id", "-decided_at", "-id")
        .values_list("node_id", "status")
    )
    latest: dict[int, str] = {}
    for node_id, status in reports:
        latest.setdefault(node_id, status)
    return latest


@transaction.atomic
def advance_round(*, round_: SupervisionRound, by: User) -> SupervisionRound:
    """Self-check → on-site → closed (verification frozen) → published (departments see results)."""
    round_ = SupervisionRound.objects.select_for_update().select_related("year").get(pk=round_.pk)
    if round_.state == State.DRAFT:
        return announce_round(round_=round_, by=by)
    target = round_.next_state
    if target is None:
        raise Locked(_("This round has been published; there is no further step."))
    if target == State.CLOSED:
        open_items = Verification.objects.filter(round=round_, carried_over=False, verified_at__isnull=True).count()
        if open_items:
            raise ValidationError(
                _("%(count)d due items are not verified yet; verify them before closing the round.")
                % {"count": open_items}
            )
        round_.closed_at = timezone.now()
    if target == State.PUBLISHED:
        round_.published_at = timezone.now()
    round_.state = target
    round_.save()
    return round_


# Inspectors -----------------------------------------------------------------------------------


@transaction.atomic
def assign_inspectors(*, round_: SupervisionRound, department: Department, inspectors: Sequence[User]) -> None:
    """The department's inspectors in this round become exactly ``inspectors``."""
    round_ = SupervisionRound.objects.select_for_update().select_related("year").get(pk=round_.pk)
    if round_.is_frozen:
        raise Locked(_("This round is closed; nothing in it can change."))
    for person in inspectors:
        if not person.memberships.active().filter(role=Role.INSPECTOR).exists():
            raise ValidationError(_("%(name)s is not an inspector.") % {"name": person})
    current = Assignment.objects.filter(round=round_, department=department)
    current.exclude(inspector__in=inspectors).delete()  # assignments are bookkeeping, kept in history
    existing = set(current.values_list("inspector_id", flat=True))
    for person in inspectors:
        if person.pk not in existing:
            Assignment.objects.create(round=round_, department=department, inspector=person)


# Self-check reports -----------------------------------------------------------------------------


@transaction.atomic
def save_selfcheck(
    *,
    selfcheck: SelfCheck,
    by: User,
    version: int,
    summary: str,
    problems: str,
    suggestions: str,
    lines: dict[int, tuple[str, str]],
) -> SelfCheck:
    """Save the draft; ``lines`` maps an item's id to (self-assessed status, note)."""
    selfcheck = SelfCheck.objects.select_for_update().select_related("round__year").get(pk=selfcheck.pk)
    if selfcheck.version != version:
        raise Conflict(selfcheck)
    if not selfcheck.is_editable or selfcheck.round.state != State.ANNOUNCED:
        raise Locked(_("This self-check report can no longer change."))
    selfcheck.summary, selfcheck.problems, selfcheck.suggestions = summary, problems, suggestions
    selfcheck.version += 1
    selfcheck.save()
    for line in selfcheck.lines.select_for_update():
        if line.verification_id in lines:
            status, note = lines[line.verification_id]
            if (line.status, line.note) != (status, note):
                line.status, line.note = status, note
                line.save()
    return selfcheck


@transaction.atomic
def submit_selfcheck(*, selfcheck: SelfCheck, by: User) -> SelfCheck:
    """Send to the head; late if after the deadline's last second (Asia/Shanghai)."""
    selfcheck = SelfCheck.objects.select_for_update().select_related("round").get(pk=selfcheck.pk)
    if not selfcheck.is_editable or selfcheck.round.state != State.ANNOUNCED:
        raise Locked(_("This self-check report can no longer change."))
    if not selfcheck.summary.strip():
        raise ValidationError({"summary": _("Write the summary of the self-check before submitting it.")})
    now = timezone.now()
    if selfcheck.submitted_at is None:
        selfcheck.late = selfcheck.round.deadline_passed(now)
    selfcheck.state, selfcheck.submitted_at, selfcheck.submitted_by = SelfCheck.State.SUBMITTED, now, by
    selfcheck.version += 1
    selfcheck.save()
    return selfcheck


@transaction.atomic
def decide_selfcheck(*, selfcheck: SelfCheck, by: User, approve: bool, reason: str = "") -> SelfCheck:
    selfcheck = SelfCheck.objects.select_for_update().get(pk=selfcheck.pk)
    if selfcheck.state != SelfCheck.State.SUBMITTED:
        raise Locked(_("This self-check report has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    selfcheck.state = SelfCheck.State.APPROVED if approve else SelfCheck.State.RETURNED
    selfcheck.return_reason = "" if approve else reason.strip()
    selfcheck.decided_by, selfcheck.decided_at = by, timezone.now()
    selfcheck.version += 1
    selfcheck.save()
    return selfcheck


# On-site verification -------------------------------------------------------------------------


def computed_credit(item: Verification, *, result: str, actual_value: Decimal | None) -> Decimal:
    """The rule's credit (domain.md §3): milestone 1 or 0; quantified actual ÷ expected, capped at 1."""
    target = item.node.target
    if target.is_quantified:
        return stats.node_credit(quantified=True, actual=actual_value, expected=item.node.expected_value)
    return stats.node_credit(quantified=False, done=result == Result.DONE)


@transaction.atomic
def verify_item(
    *,
    item: Verification,
    by: User,
    version: int,
    result: str,
    actual_value: Decimal | None = None,
    credit: Decimal | None = None,
    override_reason: str = "",
    reason: str = "",
    current_stage: str = "",
    archive_rating: str = "",
    remarks: str = "",
) -> Verification:
    """Record the on-site verification of one item; the node's evidence is frozen from now on.

    ``version`` is the one the inspector's form was opened at: a second inspector saving the same
    item from an older form gets ``Conflict`` with what the first one recorded.
    """
    item = Verification.objects.select_for_update().select_related("round__year", "node__target").get(pk=item.pk)
    if item.version != version:
        raise Conflict(item)
    if item.round.state != State.ONSITE or item.round.is_frozen:
        raise Locked(_("Items are verified while the round is on site; this round is not."))
    if item.node.target.is_quantified and actual_value is None:
        raise ValidationError({"actual_value": _("Enter the value found on site for this quantified target.")})
    rule = computed_credit(item, result=result, actual_value=actual_value)
    final = rule if credit is None else stats.round_half_up(credit, stats.CREDIT_PLACES)
    if final != rule and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": _("Say why the credit differs from the rule's %(credit)s.")
                % {"credit": stats.format_count(rule)}
            }
        )
    if final < 1 and not reason.strip():
        raise ValidationError({"reason": _("Say why the item is not completed.")})
    item.result, item.actual_value, item.credit, item.computed_credit = result, actual_value, final, rule
    item.override_reason = override_reason.strip() if final != rule else ""
    item.reason, item.current_stage = reason.strip(), current_stage.strip()
    item.archive_rating, item.remarks = archive_rating, remarks.strip()
    item.inspector, item.verified_at = by, timezone.now()
    item.version += 1
    item.full_clean()
    item.save()
    if not progress_services.is_sealed(item.node):
        progress_services.seal_node(node=item.node, by=by, note=_("Verified in %(round)s.") % {"round": item.round})
    return item


@transaction.atomic
def save_checkpoints(
    *, round_: SupervisionRound, department: Department, by: User, points: dict[int, tuple[bool, str]]
) -> list[Checkpoint]:
    """The five inspection points for one department: checked or not, and what was found."""
    round_ = SupervisionRound.objects.select_related("year").get(pk=round_.pk)
    if round_.state != State.ONSITE or round_.is_frozen:
        raise Locked(_("Items are verified while the round is on site; this round is not."))
    saved = []
    for point in Point:
        checked, note = points.get(point.value, (False, ""))
        row, created = Checkpoint.objects.select_for_update().get_or_create(
            round=round_,
            department=department,
            point=point.value,
            defaults={"checked": checked, "note": note.strip(), "checked_by": by},
        )
        if not created and (row.checked, row.note) != (checked, note.strip()):
            row.checked, row.note, row.checked_by = checked, note.strip(), by
            row.save()
        saved.append(row)
    return saved


# Rectification --------------------------------------------------------------------------------


@transaction.atomic
def create_rectification(
    *,
    round_: SupervisionRound,
    department: Department,
    by: User,
    finding: str,
    deadline: date,
    verification: Verification | None = None,
) -> Rectification:
    if round_.year.is_read_only:
        raise Locked(_("This assessment year is closed; its records can no longer change."))
    if verification is not None and verification.department_id != department.pk:
        raise ValidationError(_("The item belongs to another department."))
    item = Rectification(
        round=round_,
        department=department,
        finding=finding.strip(),
        deadline=deadline,
        verification=verification,
        created_by=by,
    )
    item.full_clean()
    item.save()
    return item


def submit_rectification(
    *, rectification: Rectification, by: User, response: str, files: Sequence[UploadedFile] = ()
) -> Rectification:
    """The department says what it did and files the closing evidence; the office then checks it."""
    with evidence_files.removed_on_failure() as written:
        return _submit_rectification(rectification.pk, by, response, files, written)


@transaction.atomic
def _submit_rectification(pk, by, response, files, written) -> Rectification:
    item = Rectification.objects.select_for_update().select_related("round__year").get(pk=pk)
    if item.state == Rectification.State.CLOSED:
        raise Locked(_("This rectification is closed."))
    if not response.strip():
        raise ValidationError({"response": _("Say what was done to put it right.")})
    for upload, file_type in evidence_files.checked(files, field="files"):
        row = RectificationFile(rectification=item, uploaded_by=by)
        evidence_files.store(row, upload, file_type, written)
        row.save()
    item.response, item.state, item.submitted_at = response.strip(), Rectification.State.SUBMITTED, timezone.now()
    item.version += 1
    item.save()
    return item


@transaction.atomic
def decide_rectification(*, rectification: Rectification, by: User, close: bool, note: str = "") -> Rectification:
    """The office closes a rectification, or sends it back to the department with a note."""
    item = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if item.state != Rectification.State.SUBMITTED:
        raise Locked(_("Only a rectification the department has answered can be closed or sent back."))
    if not close and not note.strip():
        raise ValidationError({"note": _("Say what is still missing.")})
    item.closing_note = note.strip()
    if close:
        item.state, item.closed_by, item.closed_at = Rectification.State.CLOSED, by, timezone.now()
    else:
        item.state = Rectification.State.OPEN
    item.version += 1
    item.save()
    return item
