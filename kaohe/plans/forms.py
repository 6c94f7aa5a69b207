from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kaohe.lib.inputs import FlexibleDateField, NormalisedDecimalField
from kaohe.org.models import Department
from kaohe.plans.models import Adjustment, Category, IndicatorKind, Target
from kaohe.plans.services import TARGET_FIELDS, NodeData


class TargetForm(forms.ModelForm):
    target_value = NormalisedDecimalField(
        label=_("target value"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    weight = NormalisedDecimalField(label=_("weight"), max_digits=5, decimal_places=2, required=False, min_value=0)

    class Meta:
        model = Target
        fields = [*TARGET_FIELDS, "co_departments"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["lead_department"].queryset = Department.objects.active()
        self.fields["co_departments"].queryset = Department.objects.active()
        self.fields["co_departments"].required = False

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        clash = Target.objects.filter(year=self.plan.year, code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another target of this year already has the code %(code)s.") % {"code": code})
        return code

    def clean(self) -> dict:
        data = super().clean()
        if data.get("is_split") and data.get("kind") != IndicatorKind.QUANTIFIED:
            self.add_error("is_split", _("Only a quantified target can be split to the colleges."))
        return data

    def target_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "co_departments"}


class NodeForm(forms.Form):
    due_date = FlexibleDateField(label=_("due date"), widget=forms.DateInput(format="%Y-%m-%d"))
    deliverable = forms.CharField(label=_("expected deliverable"), max_length=300, required=False)
    expected_value = NormalisedDecimalField(
        label=_("expected value"), max_digits=12, decimal_places=2, required=False, min_value=0
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the table's column heads are the visible labels
            field.widget.attrs.setdefault("aria-label", str(field.label))


class BaseNodeFormSet(forms.BaseFormSet):
    def nodes(self) -> list[NodeData]:
        result = []
        for form in self.forms:
            # Blank extra rows have no data; pre-filled rows count whether or not they were touched.
            if not form.cleaned_data or (self.can_delete and self._should_delete_form(form)):
                continue
            data = form.cleaned_data
            result.append(NodeData(data["due_date"], data.get("deliverable", ""), data.get("expected_value")))
        return sorted(result, key=lambda n: n.due_date)


NodeFormSet = forms.formset_factory(
    NodeForm, formset=BaseNodeFormSet, extra=2, can_delete=True, max_num=60, validate_max=True
)


def node_initial(target: Target | None) -> list[dict]:
    if target is None:
        return []
    return [
        {"due_date": n.due_date, "deliverable": n.deliverable, "expected_value": n.expected_value}
        for n in target.nodes.all()
    ]


class SubmitForm(forms.Form):
    warnings_note = forms.CharField(
        label=_("Why the plan is right despite the warnings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    reason = forms.CharField(
        label=_("Reason for returning"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TargetFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    core = forms.ChoiceField(
        label=_("Core indicator"),
        required=False,
        choices=[("", _("Core or not")), ("1", _("Core only")), ("0", _("Not core"))],
    )
    due = forms.ChoiceField(label=_("Due"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("In force")), ("withdrawn", _("Withdrawn")), ("all", _("All"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, departments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        quarters = [(f"q{q}", _("Quarter %(q)d") % {"q": q}) for q in range(1, 5)]
        months = [(f"m{m}", _("Month %(m)d") % {"m": m}) for m in range(1, 13)]
        self.fields["due"].choices = [("", _("Any time")), *quarters, *months]


class ShareForm(forms.Form):
    department = forms.ModelChoiceField(label=_("College"), queryset=Department.objects.none(), required=False)
    target_value = NormalisedDecimalField(
        label=_("Share"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    due_date = FlexibleDateField(label=_("Due date"), required=False)

    def __init__(self, *args, colleges, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = colleges

    def clean(self) -> dict:
        data = super().clean()
        if data.get("department") and data.get("target_value") is None:
            self.add_error("target_value", _("Give this college's share."))
        if data.get("department") and not data.get("due_date"):
            self.add_error("due_date", _("Give the date by which the share is due."))
        return data


ShareFormSet = forms.formset_factory(ShareForm, extra=0, max_num=200)


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to do"), choices=Adjustment.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    target_value = NormalisedDecimalField(
        label=_("target value"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    weight = NormalisedDecimalField(label=_("weight"), max_digits=5, decimal_places=2, required=False, min_value=0)
    responsible = forms.CharField(label=_("person responsible"), max_length=50, required=False)


class AdjustmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
