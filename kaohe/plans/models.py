"""Annual target plans (年度目标任务书): targets with dated nodes and weights, and their splits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kaohe.org.models import AssessmentYear, Department


class TargetPlan(models.Model):
    """One department's targets for one year, and where that list stands in its approval."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="plans", verbose_name=_("year"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="plans", verbose_name=_("department"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Why the plan was submitted although the plan check had warnings.
    warnings_note = models.TextField(_("explanation of the warnings"), blank=True)
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
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "department__order", "department_id"]
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        constraints = [models.UniqueConstraint(fields=["year", "department"], name="plan_one_per_department")]

    def __str__(self) -> str:
        return f"{self.department} · {self.year}"

    @property
    def is_editable(self) -> bool:
        """Departments edit their targets while the plan is a draft or has been returned."""
        return self.state in (self.State.DRAFT, self.State.RETURNED) and not self.year.is_read_only


class Category(models.TextChoices):
    KEY = "key", _("Key work")
    MAJOR = "major", _("Major project")
    BRAND = "brand", _("Brand building")
    ROUTINE = "routine", _("Routine work")
    BONUS = "bonus", _("Bonus item")


class IndicatorKind(models.TextChoices):
    QUANTIFIED = "quantified", _("Quantified")
    MILESTONE = "milestone", _("Milestone")


class TargetQuerySet(models.QuerySet):
    def current(self) -> TargetQuerySet:
        """Targets still in force: not withdrawn by an approved adjustment."""
        return self.filter(withdrawn=False)

    def for_year(self, year: AssessmentYear) -> TargetQuerySet:
        return self.filter(plan__year=year)


class Target(models.Model):
    """A key work target (重点工作目标) of one department for one year."""

    plan = models.ForeignKey(TargetPlan, models.PROTECT, related_name="targets", verbose_name=_("plan"))
    # The year repeats the plan's so that "year + code" can be the natural key (Excel re-import).
    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category, default=Category.KEY)
    core = models.BooleanField(_("core indicator"), default=False)
    kind = models.CharField(_("indicator kind"), max_length=10, choices=IndicatorKind, default=IndicatorKind.MILESTONE)
    target_value = models.DecimalField(
        _("target value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    responsible = models.CharField(_("person responsible"), max_length=50, blank=True)
    lead_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="led_targets",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_targets", verbose_name=_("co-departments")
    )
    # A school-wide quantified target that its lead department splits down to the colleges.
    is_split = models.BooleanField(_("split to the colleges"), default=False)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("split from"),
    )
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan__department__order", "plan__department_id", "order", "code"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="target_code_unique_in_year"),
            models.CheckConstraint(condition=Q(weight__gte=0) | Q(weight__isnull=True), name="target_weight_positive"),
        ]
        indexes = [models.Index(fields=["year", "category"], name="target_year_category")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def department(self) -> Department:
        return self.plan.department

    @property
    def is_quantified(self) -> bool:
        return self.kind == IndicatorKind.QUANTIFIED


class NodeQuerySet(models.QuerySet):
    def due_between(self, start: date, end: date) -> NodeQuerySet:
        """The due items of [start, end]: nodes of targets in force, split parents left out.

        A school-wide target split to the colleges is reported as the sum of its shares and is not
        itself a due item (domain.md §3); its shares are.
        """
        return self.filter(due_date__gte=start, due_date__lte=end, target__withdrawn=False, target__is_split=False)


class Node(models.Model):
    """A dated work node (工作节点) of a target: what must be done, or reached, by when."""

    target = models.ForeignKey(Target, models.CASCADE, related_name="nodes", verbose_name=_("target"))
    due_date = models.DateField(_("due date"))
    deliverable = models.CharField(_("expected deliverable"), max_length=300, blank=True)
    # For quantified targets: the cumulative value expected by the due date.
    expected_value = models.DecimalField(
        _("expected value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["target_id", "due_date", "order", "id"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        indexes = [models.Index(fields=["due_date"], name="node_due_date")]

    def __str__(self) -> str:
        return f"{self.target.code} · {self.due_date:%Y-%m-%d}"


class Adjustment(models.Model):
    """A request to change an approved target (目标调整申请), decided by the office or a leader."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        WITHDRAW = "withdraw", _("Withdraw")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    target = models.ForeignKey(Target, models.PROTECT, related_name="adjustments", verbose_name=_("target"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    reason = models.TextField(_("reason"))
    # The proposed target fields and nodes, as the adjustment form cleaned them.
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("adjustment request")
        verbose_name_plural = _("adjustment requests")
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=Q(state="pending"), name="adjustment_one_pending_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"


class ImportJob(models.Model):
    """One upload of the targets workbook: checked in the background, then applied on confirmation."""

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("person"))
    filename = models.CharField(_("file name"), max_length=255)
    # The uploaded file's random name under MEDIA_ROOT/imports/.
    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.CHECKING)
    # {"errors": [[sheet, row, message], …], "create": n, "update": n, "unchanged": n}
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename
