"""Progress reports on work nodes (进展填报) and the evidence archive of each target (一事一档)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kaohe.org.models import AssessmentYear, Department
from kaohe.plans.models import Node, Target


class Status(models.TextChoices):
    """What the department says of a node."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Completed")


class ReportQuerySet(models.QuerySet):
    def approved(self) -> ReportQuerySet:
        return self.filter(state=ProgressReport.State.APPROVED)


class ProgressReport(models.Model):
    """One report on one node. Every report is kept; the latest approved one is the node's standing."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    node = models.ForeignKey(Node, models.PROTECT, related_name="reports", verbose_name=_("node"))
    # The target's department, kept on the row: every list and quota is scoped by it.
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=12, choices=Status)
    actual_value = models.DecimalField(
        _("actual value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    narrative = models.TextField(_("what was done"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SUBMITTED)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Optimistic lock: a save names the version it was read at (T-CONC-1).
    version = models.PositiveIntegerField(default=1)
    # Rendered into the form; a second POST of the same form finds the first report (T-IDEM-1).
    key = models.UUIDField(unique=True)
    history = HistoricalRecords(excluded_fields=["key"])

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [
            models.Index(fields=["node", "state"], name="report_node_state"),
            models.Index(fields=["department", "state"], name="report_department_state"),
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.get_status_display()}"

    @property
    def is_on_time(self) -> bool:
        """Sent by the end of the node's due day, by the school's calendar (Asia/Shanghai)."""
        return timezone.localdate(self.submitted_at) <= self.node.due_date

    @property
    def is_editable(self) -> bool:
        """Reports are changed while they wait for the head or after being returned, never once approved."""
        return self.state in (self.State.SUBMITTED, self.State.RETURNED)


def latest_approved(field: str) -> Subquery:
    """A node's latest approved report's ``field``, for annotating node querysets."""
    reports = ProgressReport.objects.approved().filter(node=OuterRef("pk")).order_by("-decided_at", "-id")
    return Subquery(reports.values(field)[:1])


def evidence_storage():
    return storages["evidence"]


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name: the original one is data (``original_name``), never a path."""
    return f"evidence/{uuid.uuid4().hex}"


class StoredFile(models.Model):
    """What every uploaded file records beside the file itself (evidence, achievement evidence,
    closing evidence of a rectification): ``progress.files`` checks, stores and serves them alike.
    Each concrete model adds ``file`` with its own folder of random names."""

    original_name = models.CharField(_("original file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class EvidenceQuerySet(models.QuerySet):
    def present(self) -> EvidenceQuerySet:
        return self.filter(removed_at__isnull=True)


class Evidence(StoredFile):
    """A file in a target's archive (档案材料), attached to one report on one of its nodes."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        MINUTES = "minutes", _("Meeting minutes")
        SUMMARY = "summary", _("Summary report")
        DATA = "data", _("Data sheet")
        PHOTO = "photo", _("Photo")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    report = models.ForeignKey(ProgressReport, models.PROTECT, related_name="evidence", verbose_name=_("report"))
    node = models.ForeignKey(Node, models.PROTECT, related_name="evidence", verbose_name=_("node"))
    target = models.ForeignKey(Target, models.PROTECT, related_name="evidence", verbose_name=_("target"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.DOCUMENT)
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=evidence_path, max_length=100)
    # Removal hides a file from the archive; the file and the row stay (nothing is hard-deleted).
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["node__due_date", "node_id", "uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["department", "year"], name="evidence_department_year")]

    def __str__(self) -> str:
        return self.title or self.original_name


class Seal(models.Model):
    """A node whose evidence is frozen because the office verified it; only the office reopens it."""

    node = models.OneToOneField(Node, models.PROTECT, related_name="seal", verbose_name=_("node"))
    sealed = models.BooleanField(_("sealed"), default=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("verified by")
    )
    sealed_at = models.DateTimeField(_("verified at"))
    note = models.TextField(_("note"), blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification seal")
        verbose_name_plural = _("verification seals")
        constraints = [
            models.CheckConstraint(condition=Q(sealed=True) | ~Q(reopen_reason=""), name="seal_reopened_with_reason")
        ]

    def __str__(self) -> str:
        return str(self.node)


class ArchiveExport(models.Model):
    """A department's archive as a zip (one folder per target, a summary sheet), made in the background."""

    class State(models.TextChoices):
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RUNNING)
    # The zip's random name under MEDIA_ROOT/exports/.
    token = models.CharField(max_length=64, unique=True)
    file_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("archive export")
        verbose_name_plural = _("archive exports")

    def __str__(self) -> str:
        return f"{self.department} · {self.year}"
