"""Forms of the self-check report (自查报告) and of rectification (整改)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kaohe.lib.inputs import FlexibleDateField
from kaohe.progress.forms import MultipleFileField
from kaohe.progress.models import Status
from kaohe.supervision.models import Rectification, SelfCheck, SelfCheckItem, Verification

TEXT_MAX = 10000


class SelfCheckForm(forms.Form):
    """The report's texts, and per line the self-assessed status and a note (``status_<item id>``)."""

    summary = forms.CharField(
        label=_("Summary of the self-check"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    problems = forms.CharField(
        label=_("Problems found"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    suggestions = forms.CharField(
        label=_("Opinions and suggestions on the assessment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the office should improve in the assessment scheme and its work."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, lines: list[SelfCheckItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"status_{line.verification_id}"] = forms.ChoiceField(
                label=_("Status"), choices=Status.choices, initial=line.status
            )
            self.fields[f"note_{line.verification_id}"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000, initial=line.note
            )

    @classmethod
    def for_selfcheck(cls, selfcheck: SelfCheck, lines: list[SelfCheckItem]) -> SelfCheckForm:
        initial = {
            "summary": selfcheck.summary,
            "problems": selfcheck.problems,
            "suggestions": selfcheck.suggestions,
            "version": selfcheck.version,
        }
        return cls(initial=initial, lines=lines)

    @classmethod
    def with_current_values(cls, selfcheck: SelfCheck, lines: list[SelfCheckItem]) -> SelfCheckForm:
        """A bound form holding what is saved now (after a conflict), ready to take an error."""
        data = {
            "summary": selfcheck.summary,
            "problems": selfcheck.problems,
            "suggestions": selfcheck.suggestions,
            "version": selfcheck.version,
        }
        for line in lines:
            data[f"status_{line.verification_id}"] = line.status
            data[f"note_{line.verification_id}"] = line.note
        form = cls(data, lines=lines)
        form.is_valid()
        return form

    def clean(self):
        data = super().clean()
        for name in ("summary", "problems", "suggestions"):
            if name in data:
                data[name] = data[name].strip()
        return data

    def line_values(self) -> dict[int, tuple[str, str]]:
        return {
            line.verification_id: (
                self.cleaned_data[f"status_{line.verification_id}"],
                self.cleaned_data[f"note_{line.verification_id}"].strip(),
            )
            for line in self.lines
        }

    def rows(self):
        """(line, status field, note field) for the table."""
        return [
            (line, self[f"status_{line.verification_id}"], self[f"note_{line.verification_id}"]) for line in self.lines
        ]


class SelfCheckDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    reason = forms.CharField(label=_("Reason for returning"), required=False, max_length=2000)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Verification) -> str:
        target = obj.node.target
        return f"{target.code} {target.title} · {obj.node.due_date:%Y-%m-%d}"


class RectificationForm(forms.Form):
    finding = forms.CharField(
        label=_("Finding"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was found and what must be put right."),
    )
    deadline = FlexibleDateField(label=_("Deadline for rectification"))
    verification = ItemChoiceField(
        label=_("Item concerned"), queryset=Verification.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verification"].queryset = items

    def clean_finding(self) -> str:
        text = self.cleaned_data["finding"].strip()
        if not text:
            raise forms.ValidationError(_("Describe the finding."))
        return text


class RectificationAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("What was done to put it right"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label=_("Closing evidence"), required=False)

    def clean_response(self) -> str:
        text = self.cleaned_data["response"].strip()
        if not text:
            raise forms.ValidationError(_("Say what was done to put it right."))
        return text

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        limit = settings.EVIDENCE_MAX_FILES_PER_REPORT
        if len(files) > limit:
            raise forms.ValidationError(_("At most %(count)d files can be sent at once.") % {"count": limit})
        size = settings.EVIDENCE_MAX_FILE_BYTES
        if any(f.size > size for f in files):
            # The progress app's message, so that it reads the same everywhere.
            raise forms.ValidationError(
                _("Each file may be at most %(size)d MB. Nothing has been saved.") % {"size": size // (1024 * 1024)}
            )
        return files


class RectificationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("close", _("Close the rectification")), ("return", _("Send back to the department"))]
    )
    note = forms.CharField(label=_("What is still missing"), required=False, max_length=2000)


class RectificationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *Rectification.State.choices], required=False)
    round = forms.ModelChoiceField(label=_("Round"), queryset=None, required=False, empty_label=_("All rounds"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, rounds, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["department"].queryset = departments
