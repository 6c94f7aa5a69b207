"""Forms of major projects and their stages; every field is named, nothing else a POST carries is read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.initiatives.models import MajorProject, ProjectStage, StageKind, StageState
from kaohe.lib.inputs import FlexibleDateField, NormalisedDecimalField
from kaohe.org.models import Department
from kaohe.plans.models import Target


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner department"), queryset=Department.objects.none())
    related_departments = forms.ModelMultipleChoiceField(
        label=_("Related departments"), queryset=Department.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("Sub-project of"),
        queryset=MajorProject.objects.none(),
        required=False,
        help_text=_("Leave empty for a project of its own."),
    )
    budget = NormalisedDecimalField(
        label=_("Budget (10,000 yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    target = forms.ModelChoiceField(label=_("Linked target"), queryset=Target.objects.none(), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args, owners, departments, parents, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["related_departments"].queryset = departments
        self.fields["parent"].queryset = parents
        self.fields["target"].queryset = targets

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the project a name."))
        return name

    def clean_order(self) -> int:
        return self.cleaned_data.get("order") or 0

    @staticmethod
    def initial_for(project: MajorProject) -> dict:
        return {
            "name": project.name,
            "owner": project.owner_id,
            "related_departments": [d.pk for d in project.related_departments.all()],
            "parent": project.parent_id,
            "budget": project.budget,
            "target": project.target_id,
            "description": project.description,
            "order": project.order,
        }


class StageProgressForm(forms.Form):
    """What the department responsible for a stage reports: when it actually ran, and how far it is."""

    actual_start = FlexibleDateField(label=_("Actual start"), required=False)
    actual_end = FlexibleDateField(label=_("Actual end"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=StageState.choices, initial=StageState.PLANNED)
    note = forms.CharField(
        label=_("Progress note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    FIELDS = ("actual_start", "actual_end", "state", "note")

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)

    @classmethod
    def for_stage(cls, stage: ProjectStage, **kwargs):
        initial = {name: getattr(stage, name) for name in cls.FIELDS}
        for name in ("responsible", "kind", "title", "planned_start", "planned_end", "payment_percent", "order"):
            initial[name] = getattr(stage, f"{name}_id" if name == "responsible" else name)
        initial["version"] = stage.version
        return cls(initial=initial, **kwargs)

    @classmethod
    def with_current_values(cls, stage: ProjectStage, **kwargs):
        """A bound form holding what is saved now (after a conflict), ready to take an error."""
        data = {}
        for name, field in cls.base_fields.items():
            if name == "version":
                data[name] = stage.version
                continue
            value = getattr(stage, f"{name}_id" if name == "responsible" else name)
            if value is None:
                data[name] = ""
            elif isinstance(field, forms.DateField):
                data[name] = value.isoformat()
            else:
                data[name] = str(value)
        form = cls(data, **kwargs)
        form.is_valid()
        return form


class StageForm(StageProgressForm):
    """All of a stage, for the project's own department and the office."""

    kind = forms.ChoiceField(label=_("Stage"), choices=StageKind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Optional; the bulletin uses it instead of the stage's name, e.g. 建设."),
    )
    planned_start = FlexibleDateField(label=_("Planned start"))
    planned_end = FlexibleDateField(label=_("Planned end"))
    responsible = forms.ModelChoiceField(label=_("Department responsible"), queryset=Department.objects.none())
    payment_percent = NormalisedDecimalField(
        label=_("Paid so far (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("The share of the contract paid once this stage is done, e.g. 90."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)

    FIELDS = (
        "kind",
        "title",
        "planned_start",
        "planned_end",
        "responsible",
        "actual_start",
        "actual_end",
        "state",
        "payment_percent",
        "note",
        "order",
    )
    field_order = FIELDS

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = departments if departments is not None else Department.objects.active()

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot be before the planned start."))
        return data


class NewStageForm(StageForm):
    """A new stage has no version yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]
