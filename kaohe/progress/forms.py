from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaohe.lib.inputs import NormalisedDecimalField
from kaohe.progress.lights import Light
from kaohe.progress.models import Evidence, ProgressReport, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the evidence rules in the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    # Fields are named: nothing else a POST carries (department, state, approver …) is read.
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    actual_value = NormalisedDecimalField(
        label=_("Value reached so far"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    narrative = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Evidence files"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of the files"), choices=Evidence.Kind.choices, initial=Evidence.Kind.DOCUMENT
    )

    def __init__(self, *args, quantified: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not quantified:
            del self.fields["actual_value"]

    def clean_narrative(self) -> str:
        text = self.cleaned_data["narrative"].strip()
        if not text:
            raise forms.ValidationError(_("Say what was done."))
        return text


class NewReportForm(ReportForm):
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4()


class EditReportForm(ReportForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def for_report(cls, report: ProgressReport, **kwargs) -> EditReportForm:
        initial = {
            "status": report.status,
            "actual_value": report.actual_value,
            "narrative": report.narrative,
            "version": report.version,
        }
        return cls(initial=initial, quantified=report.node.target.is_quantified, **kwargs)

    @classmethod
    def with_current_values(cls, report: ProgressReport) -> EditReportForm:
        """A bound form holding what is saved now (after a conflict), ready to take an error."""
        data = {
            "status": report.status,
            "actual_value": "" if report.actual_value is None else str(report.actual_value),
            "narrative": report.narrative,
            "version": report.version,
            "kind": Evidence.Kind.DOCUMENT,
        }
        form = cls(data, quantified=report.node.target.is_quantified)
        form.is_valid()
        return form


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    reason = forms.CharField(label=_("Reason for returning"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class NodeFilterForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    light = forms.ChoiceField(label=_("Light"), choices=[("", _("All"))] + Light.choices, required=False)
    quarter = forms.ChoiceField(label=_("Quarter"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        quarters = [(str(q), gettext("Quarter %(n)d") % {"n": q}) for q in range(1, 5)]
        self.fields["quarter"].choices = [("", gettext("Whole year")), *quarters]
