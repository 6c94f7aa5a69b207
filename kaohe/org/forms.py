from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kaohe.org.models import AssessmentYear, Department, Role, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]+$")


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, max_length=4096, widget=forms.PasswordInput)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "kind", "group", "order"]


class DepartmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Department.Kind.choices])
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "name", "email", "phone"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not USERNAME_RE.match(username):
            raise ValidationError(_("Use letters, digits and . @ + - _ only."))
        return username


class PersonCreateForm(PersonForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.active(), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty when people log in through the school's single sign-on (CAS)."),
    )

    def __init__(self, *args, grantable: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable

    def clean(self) -> dict:
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = User(username=data.get("username", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class PasswordSetForm(forms.Form):
    password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.person)
        return password


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.active(), required=False)

    def __init__(self, *args, grantable: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All departments"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )


class YearForm(forms.ModelForm):
    class Meta:
        model = AssessmentYear
        fields = ["year", "name", "plan_target_limit"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("Excel (.xlsx, .xls) or OpenDocument (.ods)"))


def _choice_by_label(value: str, choices: list[tuple[str, str]]) -> str:
    """Accept a choice by its code or by its label in either language."""
    value = value.strip()
    for code, label in choices:
        if value in (code, str(label)):
            return code
    return value


# Labels the import accepts for kinds and roles beside the codes, in both languages.
KIND_ALIASES = {"教学院部": "teaching", "职能部门": "functional", "其他": "other", "直属及其他": "other"}
ROLE_ALIASES = {
    "考核办": "office",
    "校领导": "leader",
    "督查员": "inspector",
    "部门负责人": "head",
    "联络员": "liaison",
    "审计员": "auditor",
    "系统管理员": "sysadmin",
}


class DepartmentRowForm(forms.ModelForm):
    """One row of a department import; the name is the natural key."""

    class Meta:
        model = Department
        fields = ["name", "short_name", "kind", "group", "order"]

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None:
            data = dict(data)
            kind = str(data.get("kind", "")).strip()
            data["kind"] = KIND_ALIASES.get(kind, _choice_by_label(kind, Department.Kind.choices))
            if data.get("order") in ("", None):
                data["order"] = 0
        super().__init__(data, *args, **kwargs)

    def validate_unique(self) -> None:
        pass  # an existing name means "update this department", checked by the importer


class PersonRowForm(forms.Form):
    """One row of a people import: a person and one role; the username is the natural key."""

    username = forms.CharField(label=_("Username"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=50)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)

    def __init__(self, data=None, *args, departments: dict[str, Department], grantable: set[str], **kwargs):
        if data is not None:
            data = dict(data)
            role = str(data.get("role", "")).strip()
            data["role"] = ROLE_ALIASES.get(role, _choice_by_label(role, Role.choices))
        super().__init__(data, *args, **kwargs)
        self.departments = departments
        self.grantable = grantable

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not USERNAME_RE.match(username):
            raise ValidationError(_("Use letters, digits and . @ + - _ only."))
        return username

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role not in self.grantable:
            raise ValidationError(_("You may not grant this role."))
        return role

    def clean_department(self) -> Department | None:
        name = self.cleaned_data["department"].strip()
        if not name:
            return None
        department = self.departments.get(name)
        if department is None:
            raise ValidationError(_("No department is called “%(name)s”.") % {"name": name})
        return department
