"""Alongside the targets, all year (domain.md §1, the seed's §三–§六): major projects stage by
stage, brands and their sub-items, highlights and awards, and the functional departments'
notification duty (通报制度)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kaohe.org.models import AssessmentYear, Department
from kaohe.plans.models import Target
from kaohe.progress.models import StoredFile, evidence_storage


class MajorProject(models.Model):
    """A major project (重大项目) of an owner department; sub-projects have their own stages."""

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(Department, models.PROTECT, related_name="projects", verbose_name=_("owner department"))
    related_departments = models.ManyToManyField(
        Department, blank=True, related_name="related_projects", verbose_name=_("related departments")
    )
    # 万元, as budgets are written in Chinese universities.
    budget = models.DecimalField(
        _("budget (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target = models.ForeignKey(
        Target, models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("linked target")
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="subprojects", verbose_name=_("part of")
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["owner__order", "owner_id", "order", "id"]
        verbose_name = _("major project")
        verbose_name_plural = _("major projects")

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    FEASIBILITY = "feasibility", _("Feasibility study and approval")  # 可研/立项
    TENDER_NOTICE = "tender_notice", _("Tender intention notice")  # 招标意向公示
    TENDER = "tender", _("Tender")  # 招标
    CONTRACT = "contract", _("Contract")  # 合同
    BUILD = "build", _("Development or construction")  # 开发/建设
    DEPLOY = "deploy", _("Deployment")  # 部署
    TRAINING = "training", _("Training")  # 培训
    TRIAL = "trial", _("Trial operation")  # 试运行
    ACCEPTANCE = "acceptance", _("Acceptance")  # 验收
    PAYMENT = "payment", _("Payment")  # 付款


class StageState(models.TextChoices):
    PLANNED = "planned", _("Not started")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")


class ProjectStage(models.Model):
    """One stage of a project (项目节点), planned against actual, with the department responsible."""

    project = models.ForeignKey(MajorProject, models.CASCADE, related_name="stages", verbose_name=_("project"))
    kind = models.CharField(_("stage"), max_length=16, choices=StageKind)
    title = models.CharField(_("title"), max_length=200, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    responsible = models.ForeignKey(
        Department, models.PROTECT, related_name="project_stages", verbose_name=_("department responsible")
    )
    # For payment stages: the share of the contract paid so far.
    payment_percent = models.DecimalField(
        _("paid (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    state = models.CharField(_("state"), max_length=10, choices=StageState, default=StageState.PLANNED)
    note = models.TextField(_("note"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project_id", "order", "planned_start", "id"]
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        constraints = [
            models.CheckConstraint(condition=Q(planned_start__lte=F("planned_end")), name="stage_planned_ordered"),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_start__lte=F("actual_end")),
                name="stage_actual_ordered",
            ),
            models.CheckConstraint(
                condition=Q(payment_percent__isnull=True) | Q(payment_percent__gte=0, payment_percent__lte=100),
                name="stage_payment_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


class Brand(models.Model):
    """A brand (品牌) with owner departments; its sub-brands or checklist items are Brands with a parent."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Not started")
        RUNNING = "running", _("Under way")
        DONE = "done", _("Done")

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=200)
    slogan = models.CharField(_("slogan"), max_length=100, blank=True)  # "五改", "十个一"
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    owners = models.ManyToManyField(Department, related_name="brands", verbose_name=_("owner departments"))
    # A checklist brand ("十个一") counts how many of its items are done.
    is_checklist = models.BooleanField(_("counted as a checklist"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RUNNING)
    description = models.TextField(_("description"), blank=True)
    targets = models.ManyToManyField(Target, blank=True, related_name="brands", verbose_name=_("linked targets"))
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class BrandNote(models.Model):
    """A progress note on a brand, dated; each supervision round shows those of its period."""

    brand = models.ForeignKey(Brand, models.CASCADE, related_name="notes", verbose_name=_("brand"))
    # A round reads the notes dated in its covered period (initiatives does not depend on supervision).
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("brand progress note")
        verbose_name_plural = _("brand progress notes")

    def __str__(self) -> str:
        return f"{self.brand} · {self.date}"


class Achievement(models.Model):
    """A highlight or award (亮点工作/成绩), submitted by its department and verified by the office."""

    class Kind(models.TextChoices):
        COMPETITION = "competition", _("Competition award")  # 竞赛获奖
        PROJECT = "project", _("Project approved")  # 项目立项
        PLATFORM = "platform", _("Platform approved")  # 平台获批
        HONOUR = "honour", _("Honorary title")  # 荣誉称号
        TEXTBOOK = "textbook", _("Textbook")  # 教材
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")
        SCHOOL = "school", _("School")

    class Grade(models.TextChoices):
        SPECIAL = "special", _("Special prize")  # 特等
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        EXCELLENT = "excellent", _("Excellent")
        APPROVED = "approved", _("Approved as a project")  # 立项

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned")

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="achievements", verbose_name=_("department")
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    level = models.CharField(_("level"), max_length=12, choices=Level)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade, blank=True)
    people = models.CharField(_("people"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    brand = models.ForeignKey(
        Brand, models.PROTECT, null=True, blank=True, related_name="achievements", verbose_name=_("brand")
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("highlight or award")
        verbose_name_plural = _("highlights and awards")
        indexes = [models.Index(fields=["year", "department"], name="achievement_year_department")]

    def __str__(self) -> str:
        return self.title

    @property
    def verified(self) -> bool:
        return self.state == self.State.VERIFIED


def achievement_path(instance: AchievementFile, filename: str) -> str:
    """A random name, like every evidence file's; the original name is data."""
    return f"achievements/{uuid.uuid4().hex}"


class AchievementFile(StoredFile):
    """Evidence of an achievement (certificate, approval document), checked and stored like all evidence."""

    achievement = models.ForeignKey(Achievement, models.PROTECT, related_name="files", verbose_name=_("achievement"))
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=achievement_path, max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("achievement evidence")
        verbose_name_plural = _("achievement evidence")


def notice_path(instance: NotificationRecord, filename: str) -> str:
    return f"notices/{uuid.uuid4().hex}"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class NotificationDuty(models.Model):
    """A functional department's duty to publish a periodic notice (通报制度), and file it (报备)."""

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="+", verbose_name=_("year"))
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="notification_duties", verbose_name=_("department")
    )
    topic = models.CharField(_("topic"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency)
    # The notice of a period is due this many days after the period ends (0: on its last day).
    due_days = models.PositiveSmallIntegerField(_("days allowed after the period"), default=10)
    filing_required = models.BooleanField(_("filing with the office required"), default=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__order", "department_id", "topic"]
        verbose_name = _("notification duty")
        verbose_name_plural = _("notification duties")

    def __str__(self) -> str:
        return f"{self.department} · {self.topic}"


class NotificationRecord(models.Model):
    """One notice issued under a duty for one period: when, what, filed when, and whether it was standard."""

    duty = models.ForeignKey(NotificationDuty, models.PROTECT, related_name="records", verbose_name=_("duty"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    issued_date = models.DateField(_("issued on"))
    title = models.CharField(_("title"), max_length=300)
    filed_date = models.DateField(_("filed on"), null=True, blank=True)
    # The office's judgement (规范): set when it checks the record.
    standardised = models.BooleanField(_("standard"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    file = models.FileField(_("document"), storage=evidence_storage, upload_to=notice_path, max_length=100, blank=True)
    original_name = models.CharField(_("original file name"), max_length=120, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["duty_id", "period_start", "id"]
        verbose_name = _("notification record")
        verbose_name_plural = _("notification records")
        constraints = [
            models.UniqueConstraint(fields=["duty", "period_start"], name="notification_one_per_period"),
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="notification_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title
