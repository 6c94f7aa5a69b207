"""The progress workflow: report → head approves or returns → office verifies (seals) or reopens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.org.models import Department, User
from kaohe.plans.models import Node, TargetPlan
from kaohe.progress import files
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.models import Evidence, ProgressReport, Seal


@dataclass
class Upload:
    """One file as the form cleaned it, with the archive kind and title chosen for it."""

    file: UploadedFile
    kind: str = Evidence.Kind.DOCUMENT
    title: str = ""


def is_sealed(node: Node) -> bool:
    return Seal.objects.filter(node=node, sealed=True).exists()


def check_reportable(node: Node) -> None:
    """A node takes reports while its target is in force in an approved plan of an open year, until verified."""
    target = node.target
    if target.plan.state != TargetPlan.State.APPROVED:
        raise ValidationError(_("Progress is reported once the plan has been approved."))
    if target.year.is_read_only:
        raise ValidationError(_("This assessment year is closed; its records can no longer change."))
    if target.withdrawn:
        raise ValidationError(_("This target has been withdrawn; its nodes are no longer due."))
    if target.is_split:
        raise ValidationError(_("A split target is reported by the colleges on their shares."))
    if is_sealed(node):
        raise Locked(_("The office has verified this node; its evidence is frozen until the office reopens it."))


def check_values(node: Node, status: str, actual_value: Decimal | None) -> None:
    if node.target.is_quantified and actual_value is None:
        raise ValidationError({"actual_value": _("Enter the value reached so far for this quantified target.")})
    if not node.target.is_quantified and actual_value is not None:
        raise ValidationError({"actual_value": _("A milestone has no value; leave this field empty.")})


def submit_report(
    *,
    node: Node,
    by: User,
    key: uuid.UUID,
    status: str,
    narrative: str,
    actual_value: Decimal | None = None,
    uploads: Sequence[Upload] = (),
) -> tuple[ProgressReport, bool]:
    """Record a report and file its evidence; returns (report, created).

    The same form sent twice (double click, back and resubmit, 20 parallel POSTs) finds the first
    report by its key and adds nothing. Files written before a failure are removed again.
    """
    with files.removed_on_failure() as written:
        return _submit_report(node, by, key, status, narrative, actual_value, uploads, written)


@transaction.atomic
def _submit_report(node, by, key, status, narrative, actual_value, uploads, written) -> tuple[ProgressReport, bool]:
    existing = ProgressReport.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    check_reportable(node)
    check_values(node, status, actual_value)
    report = ProgressReport(
        node=node,
        department=node.target.plan.department,
        key=key,
        status=status,
        actual_value=actual_value,
        narrative=narrative,
        author=by,
        submitted_at=timezone.now(),
    )
    report.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # A parallel request with the same key committed first: that one is the report.
        return ProgressReport.objects.get(key=key), False
    _add_evidence(report, by, uploads, written)
    return report, True


def update_report(
    *,
    report: ProgressReport,
    by: User,
    version: int,
    status: str,
    narrative: str,
    actual_value: Decimal | None = None,
    uploads: Sequence[Upload] = (),
) -> ProgressReport:
    """Change a report that waits for the head or was returned; it goes back to the head.

    ``version`` is the one the form was opened at: if someone saved since, ``Conflict`` carries
    what is there now and nothing changes.
    """
    with files.removed_on_failure() as written:
        return _update_report(report.pk, by, version, status, narrative, actual_value, uploads, written)


@transaction.atomic
def _update_report(pk, by, version, status, narrative, actual_value, uploads, written) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("node__target__plan__year").get(pk=pk)
    if report.version != version:
        raise Conflict(report)
    if not report.is_editable:
        raise Locked(_("This report has been approved and can no longer be changed; report again on the node."))
    if is_sealed(report.node):
        raise Locked(_("The office has verified this node; its evidence is frozen until the office reopens it."))
    check_values(report.node, status, actual_value)
    report.status, report.narrative, report.actual_value = status, narrative, actual_value
    report.state = ProgressReport.State.SUBMITTED
    report.submitted_at = timezone.now()
    report.version += 1
    report.full_clean(validate_unique=False)
    report.save()
    _add_evidence(report, by, uploads, written)
    return report


@transaction.atomic
def decide_report(*, report: ProgressReport, by: User, approve: bool, reason: str = "") -> ProgressReport:
    """The head approves a report (it then reaches the office) or returns it with a reason."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ProgressReport.State.SUBMITTED:
        raise Locked(_("This report has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    report.state = ProgressReport.State.APPROVED if approve else ProgressReport.State.RETURNED
    report.return_reason = "" if approve else reason.strip()
    report.decided_by, report.decided_at = by, timezone.now()
    report.version += 1
    report.save()
    return report


@transaction.atomic
def remove_evidence(*, evidence: Evidence, by: User) -> Evidence:
    """Take a file out of a report that is still being worked on; the file itself is kept."""
    evidence = Evidence.objects.select_for_update().select_related("report", "node").get(pk=evidence.pk)
    if not evidence.report.is_editable or is_sealed(evidence.node):
        raise Locked(_("This file belongs to an approved or verified report and can no longer be removed."))
    if evidence.removed_at is None:
        evidence.removed_at, evidence.removed_by = timezone.now(), by
        evidence.save(update_fields=["removed_at", "removed_by"])
    return evidence


@transaction.atomic
def seal_node(*, node: Node, by: User, note: str = "") -> Seal:
    """The office verifies a node: its reports and evidence are frozen from now on."""
    seal = Seal.objects.select_for_update().filter(node=node).first() or Seal(node=node)
    if seal.pk and seal.sealed:
        raise Locked(_("This node has already been verified."))
    seal.sealed, seal.sealed_by, seal.sealed_at, seal.note = True, by, timezone.now(), note.strip()
    seal.reopened_by, seal.reopened_at, seal.reopen_reason = None, None, ""
    seal.save()
    return seal


@transaction.atomic
def reopen_node(*, node: Node, by: User, reason: str) -> Seal:
    """Only the office reopens a verified node, and says why (the change is in the audit log)."""
    seal = Seal.objects.select_for_update().filter(node=node, sealed=True).first()
    if seal is None:
        raise Locked(_("This node is not verified, so there is nothing to reopen."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the node is reopened.")})
    seal.sealed, seal.reopened_by, seal.reopened_at, seal.reopen_reason = False, by, timezone.now(), reason.strip()
    seal.save()
    return seal


# Evidence -------------------------------------------------------------------------------------


def _add_evidence(report: ProgressReport, by: User, uploads: Sequence[Upload], written: list[str]) -> None:
    if not uploads:
        return
    target = report.node.target
    # One writer per department at a time, so two uploads cannot both pass the quota.
    Department.objects.select_for_update().filter(pk=report.department_id).first()
    checked = files.checked(upload.file for upload in uploads)
    _check_limits(report, [upload.file.size for upload in uploads], target.year_id)
    for upload, (_file, file_type) in zip(uploads, checked, strict=True):
        evidence = Evidence(
            report=report,
            node=report.node,
            target=target,
            department_id=report.department_id,
            year_id=target.year_id,
            kind=upload.kind,
            uploaded_by=by,
        )
        files.store(evidence, upload.file, file_type, written)
        evidence.title = (upload.title.strip() or evidence.original_name.rsplit(".", 1)[0])[:200]
        evidence.save()


def _check_limits(report: ProgressReport, sizes: list[int], year_id: int) -> None:
    mb = 1024 * 1024
    count = Evidence.objects.present().filter(report=report).count() + len(sizes)
    if count > settings.EVIDENCE_MAX_FILES_PER_REPORT:
        raise ValidationError(
            _("A report may have at most %(count)d files.") % {"count": settings.EVIDENCE_MAX_FILES_PER_REPORT}
        )
    used = department_usage(report.department_id, year_id)
    if used + sum(sizes) > settings.EVIDENCE_DEPARTMENT_YEAR_BYTES:
        raise ValidationError(
            _("The department's evidence for this year would exceed %(size)d MB; %(left)d MB are left.")
            % {
                "size": settings.EVIDENCE_DEPARTMENT_YEAR_BYTES // mb,
                "left": max(settings.EVIDENCE_DEPARTMENT_YEAR_BYTES - used, 0) // mb,
            }
        )


def department_usage(department_id: int, year_id: int) -> int:
    """Bytes of evidence a department holds for a year (removed files count: they are kept)."""
    total = Evidence.objects.filter(department_id=department_id, year_id=year_id).aggregate(total=Sum("size"))
    return total["total"] or 0
