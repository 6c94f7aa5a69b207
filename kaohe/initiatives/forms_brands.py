"""Forms of brands (品牌) and of highlights and awards (亮点工作/成绩)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.initiatives.models import Achievement, Brand
from kaohe.lib.inputs import FlexibleDateField
from kaohe.progress.forms import MultipleFileField

TEXT_MAX = 5000


def _strip(value: str) -> str:
    return (value or "").strip()


# Brands ---------------------------------------------------------------------------------------


class BrandStateForm(forms.Form):
    """What an owner department changes: the state and the description."""

    state = forms.ChoiceField(label=_("State"), choices=Brand.State.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_description(self) -> str:
        return _strip(self.cleaned_data["description"])


class BrandForm(BrandStateForm):
    """The office's form: everything about a brand or an item of one."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slogan = forms.CharField(
        label=_("Slogan"),
        max_length=100,
        required=False,
        help_text=_("The short name people use, e.g. 五改 or 十个一."),
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=None, required=False, empty_label=_("(a brand of its own)")
    )
    owners = forms.ModelMultipleChoiceField(label=_("Owner departments"), queryset=None)
    is_checklist = forms.BooleanField(label=_("Counted as a checklist (how many items are done)"), required=False)
    targets = forms.ModelMultipleChoiceField(label=_("Linked targets"), queryset=None, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    field_order = ["name", "slogan", "parent", "owners", "is_checklist", "state", "description", "targets", "order"]

    def __init__(self, *args, parents, departments, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["owners"].queryset = departments
        self.fields["targets"].queryset = targets
        self.fields["targets"].label_from_instance = lambda t: f"{t.code} {t.title}"

    def clean_name(self) -> str:
        name = _strip(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name

    def clean_slogan(self) -> str:
        return _strip(self.cleaned_data["slogan"])

    @classmethod
    def initial_for(cls, brand: Brand) -> dict:
        return {
            "name": brand.name,
            "slogan": brand.slogan,
            "parent": brand.parent_id,
            "owners": list(brand.owners.all()),
            "is_checklist": brand.is_checklist,
            "state": brand.state,
            "description": brand.description,
            "targets": list(brand.targets.all()),
            "order": brand.order,
        }


class BrandNoteForm(forms.Form):
    date = FlexibleDateField(label=_("Date"))
    text = forms.CharField(label=_("Progress"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_text(self) -> str:
        text = _strip(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("Say what progress was made."))
        return text


# Achievements ---------------------------------------------------------------------------------


class AchievementForm(forms.Form):
    # Fields are named: nothing else a POST carries (state, verifier, year …) is read.
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=300)
    date = FlexibleDateField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Achievement.Kind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Achievement.Level.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", "—"), *Achievement.Grade.choices], required=False)
    people = forms.CharField(
        label=_("People"), max_length=300, required=False, help_text=_("Winners, advisers, project leaders.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=None, required=False, empty_label="—")
    files = MultipleFileField(label=_("Evidence files"), required=False)

    def __init__(self, *args, departments, brands, with_department: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_department:
            self.fields["department"].queryset = departments
        else:
            del self.fields["department"]
        self.fields["brand"].queryset = brands

    def clean_title(self) -> str:
        title = _strip(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Enter a title."))
        return title

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name] for name in ("title", "date", "kind", "level", "grade", "people", "description", "brand")
        }


class EditAchievementForm(AchievementForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_department=False, **kwargs)

    @staticmethod
    def data_of(item: Achievement) -> dict:
        return {
            "title": item.title,
            "date": item.date.isoformat(),
            "kind": item.kind,
            "level": item.level,
            "grade": item.grade,
            "people": item.people,
            "description": item.description,
            "brand": item.brand_id or "",
            "version": item.version,
        }


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("return", _("Return"))])
    reason = forms.CharField(label=_("Reason for returning"), required=False, max_length=TEXT_MAX)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AchievementFilterForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False, empty_label=_("All"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Achievement.Kind.choices], required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All")), *Achievement.Level.choices], required=False)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *Achievement.State.choices], required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def apply(self, achievements):
        if not self.is_valid():
            return achievements
        data = self.cleaned_data
        if data["department"]:
            achievements = achievements.filter(department=data["department"])
        for name in ("kind", "level", "state"):
            if data[name]:
                achievements = achievements.filter(**{name: data[name]})
        return achievements
