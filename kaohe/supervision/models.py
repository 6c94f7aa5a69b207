"""Supervision rounds (督查): the notice, self-check reports, on-site verification with partial
credit, the inspection checklist and rectification (domain.md §1.3–1.5, the seed's §一 and §二)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kaohe.org.models import AssessmentYear, Department
from kaohe.plans.models import Node
from kaohe.progress.models import Status, StoredFile, evidence_storage


class SupervisionRound(models.Model):
    """One round of supervision over a covered period, usually a quarter."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Announced: the notice is out and departments check themselves (自查).
        ANNOUNCED = "announced", _("Self-check")
        ONSITE = "onsite", _("On-site verification")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    NEXT_STATE = {
        State.DRAFT: State.ANNOUNCED,
        State.ANNOUNCED: State.ONSITE,
        State.ONSITE: State.CLOSED,
        State.CLOSED: State.PUBLISHED,
    }

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="rounds", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("covered from"))
    period_end = models.DateField(_("covered until"))
    notice_date = models.DateField(_("notice date"))
    # The last day for self-check reports: a report is late from 00:00 the next day (Asia/Shanghai).
    selfcheck_deadline = models.DateField(_("self-check deadline"))
    onsite_start = models.DateField(_("on-site from"))
    onsite_end = models.DateField(_("on-site until"))
    notice_title = models.CharField(_("notice title"), max_length=200)
    notice_text = models.TextField(_("notice text"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("supervision round")
        verbose_name_plural = _("supervision rounds")
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="round_name_unique_in_year"),
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="round_period_ordered"),
            models.CheckConstraint(condition=Q(onsite_start__lte=F("onsite_end")), name="round_onsite_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def next_state(self) -> str | None:
        return self.NEXT_STATE.get(self.state)

    @property
    def is_frozen(self) -> bool:
        """Closed and published rounds keep their verification as it was."""
        return self.state in (self.State.CLOSED, self.State.PUBLISHED) or self.year.is_read_only

    def deadline_passed(self, moment: datetime) -> bool:
        """Whether ``moment`` is after the self-check deadline's last second, in the school's time zone."""
        end = datetime.combine(self.selfcheck_deadline, time.max, tzinfo=timezone.get_current_timezone())
        return moment > end


class Assignment(models.Model):
    """An inspector sent to a department in a round: they read it and verify its items."""

    round = models.ForeignKey(SupervisionRound, models.CASCADE, related_name="assignments", verbose_name=_("round"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspector assignment")
        verbose_name_plural = _("inspector assignments")
        constraints = [models.UniqueConstraint(fields=["round", "department", "inspector"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.department} · {self.inspector}"


class Result(models.TextChoices):
    DONE = "done", _("Completed")
    PARTIAL = "partial", _("Partly completed")
    NOT_DONE = "not_done", _("Not completed")


class ArchiveRating(models.TextChoices):
    GOOD = "good", _("Standard")  # 规范
    FAIR = "fair", _("Fairly standard")  # 较规范
    POOR = "poor", _("Not standard")  # 不规范
    MISSING = "missing", _("Missing")  # 缺失


class Verification(models.Model):
    """One node in a round (核查结果): due in its period, or carried over from an earlier one.

    Carried-over nodes are listed, not counted again (domain.md §3). The credit is 0 to 1, stored
    to four places; ``computed_credit`` is what the rule gave, so an override shows as a difference
    with its reason.
    """

    round = models.ForeignKey(SupervisionRound, models.PROTECT, related_name="items", verbose_name=_("round"))
    node = models.ForeignKey(Node, models.PROTECT, related_name="verifications", verbose_name=_("node"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    carried_over = models.BooleanField(_("carried over"), default=False)
    result = models.CharField(_("result"), max_length=10, choices=Result, blank=True)
    actual_value = models.DecimalField(
        _("value verified"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    credit = models.DecimalField(
        _("credit"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    computed_credit = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    override_reason = models.TextField(_("reason for the credit"), blank=True)
    reason = models.TextField(_("reason not completed"), blank=True)
    current_stage = models.TextField(_("current stage and remedy"), blank=True)
    archive_rating = models.CharField(_("archive"), max_length=10, choices=ArchiveRating, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("inspector")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Optimistic lock: two inspectors on one node, one wins and the other is told (T-CONC-2).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__order", "department_id", "node__target__order", "node__target__code", "node__due_date"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(fields=["round", "node"], name="verification_one_per_node"),
            models.CheckConstraint(
                condition=Q(credit__isnull=True) | Q(credit__gte=0, credit__lte=1), name="verification_credit_0_1"
            ),
        ]
        indexes = [models.Index(fields=["round", "department"], name="verification_round_department")]

    def __str__(self) -> str:
        return f"{self.round} · {self.node}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class SelfCheck(models.Model):
    """A department's self-check report (自查报告) for a round."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    round = models.ForeignKey(SupervisionRound, models.PROTECT, related_name="selfchecks", verbose_name=_("round"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    summary = models.TextField(_("summary"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    # The seed's fifth inspection point: opinions on the assessment scheme itself.
    suggestions = models.TextField(_("suggestions on the assessment"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Whether the first submission came after the deadline (kept, even if it is returned and resent).
    late = models.BooleanField(_("late"), default=False)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__order", "department_id"]
        verbose_name = _("self-check report")
        verbose_name_plural = _("self-check reports")
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="selfcheck_one_per_department")]

    def __str__(self) -> str:
        return f"{self.round} · {self.department}"

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class SelfCheckItem(models.Model):
    """What the department says of one of its items in the round."""

    selfcheck = models.ForeignKey(SelfCheck, models.CASCADE, related_name="lines", verbose_name=_("self-check report"))
    verification = models.ForeignKey(Verification, models.CASCADE, related_name="+", verbose_name=_("item"))
    status = models.CharField(_("status"), max_length=12, choices=Status)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("self-assessed item")
        verbose_name_plural = _("self-assessed items")
        constraints = [models.UniqueConstraint(fields=["selfcheck", "verification"], name="selfcheck_item_unique")]

    def __str__(self) -> str:
        return f"{self.selfcheck} · {self.verification.node}"


class Point(models.IntegerChoices):
    """The seed's five inspection points (§一)."""

    ITEMS = 1, _("Due items, completed and not, and their archives")
    BRANDS = 2, _("The five brands, major projects, results and highlights")
    NOTIFICATIONS = 3, _("The functional departments' notification duty")
    YEAR = 4, _("Progress of the whole year's targets and problems")
    OPINIONS = 5, _("Opinions and suggestions on the assessment")


class Checkpoint(models.Model):
    """One of the five inspection points, checked for one department in a round."""

    round = models.ForeignKey(SupervisionRound, models.PROTECT, related_name="checkpoints", verbose_name=_("round"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    point = models.PositiveSmallIntegerField(_("inspection point"), choices=Point)
    checked = models.BooleanField(_("checked"), default=False)
    note = models.TextField(_("findings"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("checked by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["point"]
        verbose_name = _("inspection point")
        verbose_name_plural = _("inspection points")
        constraints = [models.UniqueConstraint(fields=["round", "department", "point"], name="checkpoint_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.department} · {self.point}"


class Rectification(models.Model):
    """A finding to be put right (整改): an owner department, a deadline, a state, closing evidence."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Awaiting check")
        CLOSED = "closed", _("Closed")

    round = models.ForeignKey(SupervisionRound, models.PROTECT, related_name="rectifications", verbose_name=_("round"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))
    verification = models.ForeignKey(
        Verification, models.PROTECT, null=True, blank=True, related_name="rectifications", verbose_name=_("item")
    )
    finding = models.TextField(_("finding"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OPEN)
    response = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("found by")
    )
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [models.Index(fields=["department", "state"], name="rectification_department_state")]

    def __str__(self) -> str:
        return self.finding[:50]


def rectification_path(instance: RectificationFile, filename: str) -> str:
    """A random name, like every evidence file's; the original name is data."""
    return f"rectification/{uuid.uuid4().hex}"


class RectificationFile(StoredFile):
    """Closing evidence of a rectification, checked and stored like every evidence file."""

    rectification = models.ForeignKey(
        Rectification, models.PROTECT, related_name="files", verbose_name=_("rectification")
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=rectification_path, max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("closing evidence")
        verbose_name_plural = _("closing evidence")
