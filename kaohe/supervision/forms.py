from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.lib.inputs import FlexibleDateField
from kaohe.supervision.models import SupervisionRound

DATE_FIELDS = ["period_start", "period_end", "notice_date", "selfcheck_deadline", "onsite_start", "onsite_end"]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: 2021年第三季度督查"))
    period_start = FlexibleDateField(label=_("Covered from"))
    period_end = FlexibleDateField(label=_("Covered until"))
    notice_date = FlexibleDateField(label=_("Notice date"))
    selfcheck_deadline = FlexibleDateField(label=_("Self-check deadline"), help_text=_("The last day, included."))
    onsite_start = FlexibleDateField(label=_("On-site from"))
    onsite_end = FlexibleDateField(label=_("On-site until"))

    def clean(self):
        data = super().clean()
        pairs = [("period_start", "period_end"), ("onsite_start", "onsite_end"), ("period_start", "onsite_start")]
        messages = {
            "period_end": _("The covered period ends before it starts."),
            "onsite_end": _("The on-site window ends before it starts."),
            "onsite_start": _("The on-site window starts before the covered period."),
        }
        for first, second in pairs:
            if data.get(first) and data.get(second) and data[second] < data[first]:
                self.add_error(second, messages[second])
        return data

    @classmethod
    def for_round(cls, round_: SupervisionRound) -> RoundForm:
        return cls(initial={name: getattr(round_, name) for name in ["name", *DATE_FIELDS]})


class NoticeForm(forms.Form):
    notice_title = forms.CharField(label=_("Notice title"), max_length=200)
    notice_text = forms.CharField(label=_("Notice text"), widget=forms.Textarea(attrs={"rows": 14}), max_length=20000)


class InspectorsForm(forms.Form):
    """One multiple choice of inspectors per department of the round."""

    def __init__(self, *args, departments, inspectors, current: dict[int, list[int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = list(departments)
        for d in self.departments:
            self.fields[f"d{d.pk}"] = forms.ModelMultipleChoiceField(
                label=d.name,
                queryset=inspectors,
                required=False,
                initial=current.get(d.pk, []),
                widget=forms.SelectMultiple(attrs={"size": 3}),
            )

    def assignments(self):
        return [(d, list(self.cleaned_data[f"d{d.pk}"])) for d in self.departments]
