"""The bulletin (工作通报, domain.md §4): a draft drafted from a round's live data, edited section by
section, then issued; an issued bulletin, its number and its files never change."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kaohe.org.models import AssessmentYear
from kaohe.progress.models import evidence_storage
from kaohe.supervision.models import SupervisionRound


class SectionKey(models.TextChoices):
    """The seed's parts, in its order: the opening paragraph, then 一 to 八."""

    OPENING = "opening", _("Opening paragraph")
    CONDUCT = "conduct", _("How the supervision was carried out")  # 一、督查工作开展情况
    COMPLETION = "completion", _("Completion of the key targets")  # 二、重点工作目标完成情况
    BRANDS = "brands", _("The brands")  # 三、品牌创建及推进情况
    PROJECTS = "projects", _("Major projects")  # 四、重大项目建设及推进情况
    HIGHLIGHTS = "highlights", _("Other highlights")  # 五、其他亮点工作
    NOTIFICATION = "notification", _("Notification duty")  # 六、职能部门通报制度执行情况
    PROBLEMS = "problems", _("Main problems")  # 七、存在的主要问题
    NEXT_STEPS = "next_steps", _("Next steps")  # 八、下一步工作要求


SECTION_ORDER = list(SectionKey)
_POSITIONS = {key: i for i, key in enumerate(SECTION_ORDER)}


def in_order(sections) -> list:
    """Sections in the seed's order (the opening, then 一 to 八)."""
    return sorted(sections, key=lambda s: _POSITIONS[s.key])


class Source(models.TextChoices):
    COMPUTED = "computed", _("Computed from the data")
    COMPOSED = "composed", _("Composed from what was recorded")
    WRITTEN = "written", _("Written by the office")


SOURCES = {
    SectionKey.OPENING: Source.COMPUTED,
    SectionKey.CONDUCT: Source.COMPUTED,
    SectionKey.COMPLETION: Source.COMPUTED,
    SectionKey.BRANDS: Source.COMPOSED,
    SectionKey.PROJECTS: Source.COMPUTED,
    SectionKey.HIGHLIGHTS: Source.COMPOSED,
    SectionKey.NOTIFICATION: Source.COMPUTED,
    SectionKey.PROBLEMS: Source.WRITTEN,
    SectionKey.NEXT_STEPS: Source.WRITTEN,
}


class Frozen(Exception):
    """A write to an issued bulletin or its sections: refused below every service, as a last guard."""


def bulletin_path(instance: Bulletin, filename: str) -> str:
    """Issued files under a random name, like the evidence; the download names them."""
    return f"bulletins/{uuid.uuid4().hex}"


class Bulletin(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Sent to a school leader for sign-off (签发): the text is frozen while they read it.
        SUBMITTED = "submitted", _("Awaiting sign-off")
        SIGNED = "signed", _("Signed off")
        # The files are being made; the text is frozen already, the number is taken.
        ISSUING = "issuing", _("Being issued")
        ISSUED = "issued", _("Issued")

    year = models.ForeignKey(AssessmentYear, models.PROTECT, related_name="bulletins", verbose_name=_("year"))
    round = models.ForeignKey(
        SupervisionRound, models.PROTECT, related_name="bulletins", verbose_name=_("supervision round")
    )
    # 〔2021〕第2期: the number within the year, editable until issued.
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    header_org = models.CharField(_("issuing body (red header)"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    signature = models.CharField(_("signature"), max_length=100)
    issue_date = models.DateField(_("date of the bulletin"))
    # A correction is a new bulletin that names the one it corrects.
    corrects = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("corrects")
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    docx = models.FileField(_(".docx"), storage=evidence_storage, upload_to=bulletin_path, max_length=100, blank=True)
    docx_sha256 = models.CharField(_("SHA-256 of the .docx"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), storage=evidence_storage, upload_to=bulletin_path, max_length=100, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pdf_engine = models.CharField(_("PDF made by"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent for sign-off by"),
    )
    submitted_at = models.DateTimeField(_("sent for sign-off at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # When the files began to be made: a bulletin "being issued" for long has lost its worker.
    issuing_since = models.DateTimeField(_("being issued since"), null=True, blank=True)
    # Why the last issuing attempt failed (shown to the office; the bulletin is back to signed off).
    issue_error = models.TextField(_("issuing error"), blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year__year", "-number"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_number_unique_in_year"),
            models.CheckConstraint(
                condition=~Q(state="issued") | (Q(issued_at__isnull=False) & ~Q(docx="") & ~Q(pdf="")),
                name="bulletin_issued_has_files",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number_text} {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Bulletin.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == self.State.ISSUED:
                raise Frozen(f"bulletin {self.pk} is issued")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Frozen("bulletins are never deleted")

    @property
    def number_text(self) -> str:
        return f"〔{self.year.year}〕第{self.number}期"

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT and not self.year.is_read_only


class Section(models.Model):
    """One part of a bulletin: its heading and text (one paragraph per line, see document.blocks)."""

    bulletin = models.ForeignKey(Bulletin, models.CASCADE, related_name="sections", verbose_name=_("bulletin"))
    key = models.CharField(_("section"), max_length=20, choices=SectionKey)
    heading = models.CharField(_("heading"), max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True)
    # What "regenerate from data" gave last, to show what the office changed since.
    generated_text = models.TextField(_("text last generated"), blank=True)
    generated_at = models.DateTimeField(_("last generated at"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("edited by")
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin section")
        verbose_name_plural = _("bulletin sections")
        constraints = [models.UniqueConstraint(fields=["bulletin", "key"], name="bulletin_section_unique")]

    def __str__(self) -> str:
        return f"{self.bulletin} · {self.get_key_display()}"

    def save(self, *args, **kwargs) -> None:
        if Bulletin.objects.filter(pk=self.bulletin_id, state=Bulletin.State.ISSUED).exists():
            raise Frozen(f"bulletin {self.bulletin_id} is issued")
        super().save(*args, **kwargs)

    @property
    def source(self) -> str:
        return SOURCES[SectionKey(self.key)]

    @property
    def changed_since_generated(self) -> bool:
        return self.generated_at is not None and self.text.strip() != self.generated_text.strip()
