"""Forms of the notification duty: duties (office), notices (departments), the office's check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.initiatives.duties import Period, periods
from kaohe.initiatives.models import Frequency, NotificationDuty, NotificationRecord
from kaohe.lib.inputs import FlexibleDateField
from kaohe.org.models import AssessmentYear, Department


class DutyForm(forms.Form):
    # Fields are named: nothing else a POST carries is read.
    year = forms.ModelChoiceField(label=_("Year"), queryset=AssessmentYear.objects.none())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    due_days = forms.IntegerField(
        label=_("Days allowed after the period"),
        min_value=0,
        max_value=366,
        initial=10,
        help_text=_("The notice of a period is due this many days after the period ends (0: on its last day)."),
    )
    filing_required = forms.BooleanField(label=_("Filing with the office required"), required=False, initial=True)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AssessmentYear.objects.order_by("-year")
        # Every active department is offered; the service says why a non-functional one is refused.
        self.fields["department"].queryset = Department.objects.active().order_by("order", "id")

    def clean_topic(self) -> str:
        text = self.cleaned_data["topic"].strip()
        if not text:
            raise forms.ValidationError(_("Name the topic of the notices."))
        return text

    @classmethod
    def for_duty(cls, duty: NotificationDuty) -> DutyForm:
        fields = ("year", "department", "topic", "frequency", "due_days", "filing_required", "active")
        initial = {name: getattr(duty, name) for name in fields}
        initial["year"], initial["department"] = duty.year_id, duty.department_id
        return cls(initial=initial)


class RecordForm(forms.Form):
    title = forms.CharField(label=_("Title of the notice"), max_length=300)
    issued_date = FlexibleDateField(label=_("Issued on"))
    filed_date = FlexibleDateField(label=_("Filed with the office on"), required=False)
    file = forms.FileField(label=_("Document"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_title(self) -> str:
        text = self.cleaned_data["title"].strip()
        if not text:
            raise forms.ValidationError(_("Enter the notice's title."))
        return text


class NewRecordForm(RecordForm):
    period = forms.ChoiceField(label=_("Period"))
    field_order = ["period", "title", "issued_date", "filed_date", "file", "note"]

    def __init__(self, *args, duty: NotificationDuty, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p.start.isoformat(): p for p in periods(duty.frequency, duty.year.year)}
        self.fields["period"].choices = [
            (key, f"{p.label}（{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d}）") for key, p in self.periods.items()
        ]
        if not duty.filing_required:
            del self.fields["filed_date"]

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]


class EditRecordForm(RecordForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, duty: NotificationDuty, **kwargs):
        super().__init__(*args, **kwargs)
        if not duty.filing_required:
            del self.fields["filed_date"]

    @staticmethod
    def values_of(record: NotificationRecord) -> dict:
        return {
            "title": record.title,
            "issued_date": record.issued_date,
            "filed_date": record.filed_date,
            "note": record.note,
            "version": record.version,
        }

    @classmethod
    def for_record(cls, record: NotificationRecord) -> EditRecordForm:
        return cls(initial=cls.values_of(record), duty=record.duty)

    @classmethod
    def with_current_values(cls, record: NotificationRecord) -> EditRecordForm:
        """A bound form holding what is saved now (after a conflict), ready to take an error."""
        data = {k: ("" if v is None else str(v)) for k, v in cls.values_of(record).items()}
        form = cls(data, duty=record.duty)
        form.is_valid()
        return form


class CheckForm(forms.Form):
    standardised = forms.TypedChoiceField(
        label=_("Judgement"),
        choices=[("yes", _("Standard")), ("no", _("Not standard"))],
        coerce=lambda value: value == "yes",
    )
    note = forms.CharField(label=_("Remark"), required=False, max_length=2000)


class ComplianceForm(forms.Form):
    year = forms.ModelChoiceField(label=_("Year"), queryset=AssessmentYear.objects.none(), required=False)
    date = FlexibleDateField(label=_("As of"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AssessmentYear.objects.order_by("-year")
        self.fields["year"].to_field_name = "year"
