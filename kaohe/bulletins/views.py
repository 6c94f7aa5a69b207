"""The bulletin's pages: the list, drafting from a round, editing section by section (htmx, with a
plain-form fallback), the preview, issuing with its progress, and the files.

Who: the office drafts, edits, sends for sign-off and issues; leaders read drafts and sign them off
(签发); every other reader of the assessment (heads, liaisons, inspectors) reads issued bulletins
only, which are the school's published documents. Anything else answers 404, as for a bulletin that does not exist.
An issued bulletin answers 409 to every change.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kaohe.audit.log import Kind, record
from kaohe.bulletins import compose, services
from kaohe.bulletins.document import blocks
from kaohe.bulletins.models import SOURCES, Bulletin, Section, SectionKey, in_order
from kaohe.lib.inputs import FlexibleDateField, add_errors
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Role
from kaohe.progress import files
from kaohe.progress.errors import Conflict, Locked
from kaohe.supervision.models import SupervisionRound

State = Bulletin.State
log = logging.getLogger(__name__)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DETAIL = "bulletins/detail.html"


# Who sees what ----------------------------------------------------------------------------------


def reads_drafts(user) -> bool:
    return access.has_role(user, {Role.OFFICE, Role.LEADER})


def visible_bulletins(user):
    found = Bulletin.objects.select_related("year", "round")
    return found if reads_drafts(user) else found.filter(state=State.ISSUED)


def _bulletin_for(request: HttpRequest, pk: int) -> Bulletin:
    bulletin = visible_bulletins(request.user).filter(pk=pk).first()
    if bulletin is None:
        access.record_not_found(request, "bulletins.Bulletin", pk)
        raise Http404
    return bulletin


def _section_for(request: HttpRequest, pk: int) -> Section:
    section = Section.objects.select_related("bulletin__year", "bulletin__round").filter(pk=pk).first()
    if section is None or not visible_bulletins(request.user).filter(pk=section.bulletin_id).exists():
        access.record_not_found(request, "bulletins.Section", pk)
        raise Http404
    return section


# Forms ------------------------------------------------------------------------------------------


def number_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Number in the year"),
        min_value=1,
        max_value=services.MAX_NUMBER,
        error_messages={"required": gettext_lazy("Give the bulletin's number in the year.")},
    )


def date_field() -> FlexibleDateField:
    return FlexibleDateField(
        label=gettext_lazy("Date of the bulletin"),
        error_messages={"required": gettext_lazy("Give the bulletin's date.")},
    )


class CreateForm(forms.Form):
    round = forms.ModelChoiceField(
        label=gettext_lazy("Supervision round"),
        queryset=SupervisionRound.objects.none(),
        error_messages={
            "required": gettext_lazy("Choose the round the bulletin reports on."),
            "invalid_choice": gettext_lazy("That round cannot be reported on; choose one from the list."),
        },
    )
    number = number_field()
    issue_date = date_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rounds = SupervisionRound.objects.filter(state__in=services.DRAFTABLE_ROUNDS).exclude(
            year__state__in=AssessmentYear.READ_ONLY_STATES
        )
        self.fields["round"].queryset = rounds.select_related("year").order_by("-period_start")


class BulletinForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    number = number_field()
    issue_date = date_field()

    class Meta:
        model = Bulletin
        fields = ["number", "header_org", "title", "subtitle", "signature", "issue_date"]
        error_messages = {
            "title": {"required": gettext_lazy("The bulletin needs a title.")},
            "header_org": {"required": gettext_lazy("The red header needs the issuing body.")},
            "signature": {"required": gettext_lazy("The bulletin needs a signature.")},
        }


class SectionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    heading = forms.CharField(label=gettext_lazy("Heading"), max_length=100, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=False,
        help_text=gettext_lazy(
            "One paragraph per line. A line starting with （一） is a second-level heading; a short line "
            "starting with 1. and without a full stop is a third-level heading."
        ),
    )

    @classmethod
    def for_section(cls, section: Section) -> SectionForm:
        return cls(initial={"version": section.version, "heading": section.heading, "text": section.text})


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


# The list and drafting ---------------------------------------------------------------------------


@require_safe
def bulletin_list(request: HttpRequest) -> HttpResponse:
    bulletins = visible_bulletins(request.user).select_related("corrects__year")
    is_office = access.has_role(request.user, {Role.OFFICE})
    form = None
    if is_office:
        form = CreateForm(initial={"issue_date": None})
        latest = form.fields["round"].queryset.first()
        if latest is not None:
            form.initial.update(round=latest.pk, number=services.next_number(latest.year))
    return render(request, "bulletins/list.html", {"bulletins": bulletins, "form": form, "is_office": is_office})


@require_POST
def bulletin_create(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.create_bulletin(
                round_=data["round"], by=request.user, number=data["number"], issue_date=data["issue_date"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("The draft has been generated from the round's data; edit it section by section.")
            )
            return redirect("bulletins:detail", bulletin.pk)
    bulletins = visible_bulletins(request.user).select_related("corrects__year")
    context = {"bulletins": bulletins, "form": form, "is_office": True}
    return render(request, "bulletins/list.html", context, status=400)


@require_POST
def bulletin_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction: a new draft with the issued bulletin's text, numbered next in its year."""
    original = _bulletin_for(request, pk)
    try:
        bulletin = services.create_bulletin(round_=original.round, by=request.user, corrects=original)
    except (ValidationError, Locked) as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bulletins:detail", original.pk)
    messages.success(request, _("A correction has been drafted with the issued text; edit it and issue it."))
    return redirect("bulletins:detail", bulletin.pk)


# The editor -------------------------------------------------------------------------------------

STALE = gettext_lazy("This page is out of date; reload it and try again.")


def _sections(bulletin: Bulletin) -> list[Section]:
    return in_order(bulletin.sections.all())


def _card(
    section: Section,
    *,
    editable: bool,
    form=None,
    message: str = "",
    tone: str = "info",
    suggestions=(),
    numeral: str | None = None,
):
    if numeral is None:
        numeral = services.numerals(list(Section.objects.filter(bulletin_id=section.bulletin_id))).get(section.key, "")
    return {
        "section": section,
        "numeral": numeral,
        "source": SOURCES[SectionKey(section.key)],
        "blocks": blocks(section.text),
        "editable": editable,
        "form": form,
        "message": message,
        "tone": tone,
        # Suggestions already in the text are not offered again.
        "suggestions": [s for s in suggestions if s not in section.text],
    }


def _suggestions_by_key(bulletin: Bulletin, editable: bool) -> dict[str, list]:
    if not editable:
        return {}
    found: dict[str, list] = {}
    for s in compose.suggestions(bulletin.round):
        found.setdefault(str(s.key), []).append(s.text)
    return found


def _editor_context(request: HttpRequest, bulletin: Bulletin, *, form=None, sign_form=None) -> dict:
    is_office = access.has_role(request.user, {Role.OFFICE})
    editable = is_office and bulletin.is_editable
    sections = _sections(bulletin)
    suggested = _suggestions_by_key(bulletin, editable)
    numbered = services.numerals(sections)
    if editable and form is None:
        form = BulletinForm(instance=bulletin, initial={"version": bulletin.version})
    can_sign = access.has_role(request.user, {Role.LEADER}) and bulletin.state == State.SUBMITTED
    return {
        "bulletin": bulletin,
        "cards": [
            _card(s, editable=editable, suggestions=suggested.get(s.key, ()), numeral=numbered.get(s.key, ""))
            for s in sections
        ],
        "is_office": is_office,
        "editable": editable,
        "form": form if editable else None,
        "revision": services.revision(bulletin, sections),
        "can_sign": can_sign and not bulletin.year.is_read_only,
        "sign_form": sign_form or SignForm(initial={"version": bulletin.version}),
        "stale": bulletin.state == State.ISSUING and services.issue_is_stale(bulletin),
        "unverified": _unverified(bulletin) if editable else 0,
        "changed": sum(1 for s in sections if s.changed_since_generated),
    }


@require_safe
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin_for(request, pk)
    if request.htmx and request.GET.get("part") == "status":
        if bulletin.state != State.ISSUING:
            # Issued (or back after a failure): the whole page changes, so reload it.
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        context = {"bulletin": bulletin, "is_office": access.has_role(request.user, {Role.OFFICE})}
        context["stale"] = services.issue_is_stale(bulletin)
        return render(request, f"{DETAIL}#issue-status", context)
    return render(request, DETAIL, _editor_context(request, bulletin))


def _unverified(bulletin: Bulletin) -> int:
    return bulletin.round.items.filter(carried_over=False, verified_at__isnull=True).count()


def _stale_form(form: forms.Form) -> None:
    """A form whose hidden version is missing or altered: say so, instead of an error nobody sees."""
    if "version" in form.errors:
        form.add_error(None, STALE)


@require_POST
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin_for(request, pk)
    if not bulletin.is_editable:
        return _refused(request, bulletin, services.locked_message(bulletin))
    form = BulletinForm(request.POST, instance=Bulletin.objects.get(pk=bulletin.pk))
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_bulletin(bulletin=bulletin, by=request.user, version=form.cleaned_data["version"], **data)
        except Conflict:
            messages.error(
                request, _("Someone else has changed the bulletin since you opened it; here it is as it is now.")
            )
            return redirect("bulletins:detail", bulletin.pk)
        except Locked as exc:
            return _refused(request, bulletin, " ".join(exc.messages))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The bulletin's header has been saved."))
            return redirect("bulletins:detail", bulletin.pk)
    _stale_form(form)
    bulletin.refresh_from_db()
    return render(request, DETAIL, _editor_context(request, bulletin, form=form), status=400)


def _refused(request: HttpRequest, bulletin: Bulletin, message: str, section: Section | None = None) -> HttpResponse:
    """409: the bulletin cannot change now. An htmx request on a section gets the section's card back,
    read-only, with the reason; any other request goes back to the page with the reason."""
    if request.htmx and section is not None:
        card = _card(_fresh(section), editable=False, message=message, tone="danger")
        return render(request, f"{DETAIL}#section-card", {"card": card, "bulletin": bulletin}, status=409)
    if request.htmx:
        response = HttpResponse(status=409)
        messages.error(request, message)
        response["HX-Refresh"] = "true"
        return response
    messages.error(request, message)
    response = redirect("bulletins:detail", bulletin.pk)
    response.status_code = 303
    return response


def _section_response(request: HttpRequest, section: Section, card: dict, *, status: int = 200) -> HttpResponse:
    context = {"card": card, "bulletin": section.bulletin}
    if request.htmx:
        # The page's "send for sign-off" form learns the new revision (out of band).
        context["oob_revision"] = services.revision(Bulletin.objects.get(pk=section.bulletin_id))
        return render(request, f"{DETAIL}#section-card", context, status=status)
    if status >= 400:
        # Without JavaScript: the section's own page, with the form as sent or the text as it now is.
        return render(request, "bulletins/section.html", context, status=status)
    if card.get("message"):
        messages.success(request, card["message"])
    return redirect(f"{reverse('bulletins:detail', args=[section.bulletin_id])}#section-{section.key}")


def _fresh(section: Section) -> Section:
    return Section.objects.select_related("bulletin__year", "bulletin__round").get(pk=section.pk)


def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_for(request, pk)
    bulletin = section.bulletin
    if request.method == "GET":
        editable = bulletin.is_editable
        form = SectionForm.for_section(section) if editable and not request.GET.get("cancel") else None
        card = _card(section, editable=editable, form=form, suggestions=_suggestions_for(section, editable))
        if request.htmx:
            return render(request, f"{DETAIL}#section-card", {"card": card, "bulletin": bulletin})
        return render(request, "bulletins/section.html", {"card": card, "bulletin": bulletin})
    if request.method != "POST":
        return HttpResponse(status=405)
    if not bulletin.is_editable:
        return _refused(request, bulletin, services.locked_message(bulletin), section)
    form = SectionForm(request.POST)
    if not form.is_valid():
        _stale_form(form)
        return _section_response(request, section, _card(section, editable=True, form=form), status=400)
    data = form.cleaned_data
    try:
        saved = services.save_section(
            section=section, by=request.user, version=data["version"], heading=data["heading"], text=data["text"]
        )
    except Conflict as exc:
        current = _fresh(exc.current)
        message = _("Someone else has saved this section since you opened it; your text is kept in the form below.")
        form = SectionForm(initial={"version": current.version, "heading": data["heading"], "text": data["text"]})
        card = _card(current, editable=True, form=form, message=message, tone="warning")
        return _section_response(request, current, card, status=409)
    except Locked as exc:
        return _refused(request, bulletin, " ".join(exc.messages), section)
    except ValidationError as exc:
        add_errors(form, exc)
        return _section_response(request, section, _card(section, editable=True, form=form), status=400)
    saved = _fresh(saved)
    card = _card(
        saved,
        editable=True,
        message=_("The section has been saved."),
        tone="success",
        suggestions=_suggestions_for(saved, True),
    )
    return _section_response(request, saved, card)


def _suggestions_for(section: Section, editable: bool) -> list[str]:
    if not editable or section.key not in (SectionKey.PROBLEMS, SectionKey.NEXT_STEPS):
        return []
    return [s.text for s in compose.suggestions(section.bulletin.round) if s.key == section.key]


@require_POST
def section_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_for(request, pk)
    if not section.bulletin.is_editable:
        return _refused(request, section.bulletin, services.locked_message(section.bulletin), section)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _section_response(request, section, _card(section, editable=True, message=str(STALE)), status=400)
    try:
        saved = services.regenerate_section(section=section, by=request.user, version=form.cleaned_data["version"])
    except Conflict as exc:
        current = _fresh(exc.current)
        message = _(
            "Someone else has saved this section since you opened it; nothing was regenerated. Here it is as it is now."
        )
        card = _card(current, editable=True, message=message, tone="warning")
        return _section_response(request, current, card, status=409)
    except Locked as exc:
        return _refused(request, section.bulletin, " ".join(exc.messages), section)
    saved = _fresh(saved)
    message = _("The section has been generated again from the data as it is now; the earlier text is in its history.")
    card = _card(saved, editable=True, message=message, tone="success", suggestions=_suggestions_for(saved, True))
    return _section_response(request, saved, card)


@require_POST
def section_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_for(request, pk)
    if not section.bulletin.is_editable:
        return _refused(request, section.bulletin, services.locked_message(section.bulletin), section)
    form = VersionForm(request.POST)
    wanted = request.POST.get("suggestion", "")
    offered = _suggestions_for(section, True)
    if not form.is_valid() or wanted not in offered:
        message = _("That suggestion is no longer offered; the data may have changed. Reload the page.")
        card = _card(section, editable=True, message=message, tone="warning", suggestions=offered)
        return _section_response(request, section, card, status=400)
    try:
        saved = services.add_suggestion(
            section=section, by=request.user, version=form.cleaned_data["version"], text=wanted
        )
    except Conflict as exc:
        current = _fresh(exc.current)
        message = _("Someone else has saved this section since you opened it; here it is as it is now.")
        card = _card(current, editable=True, message=message, tone="warning", suggestions=offered)
        return _section_response(request, current, card, status=409)
    except Locked as exc:
        return _refused(request, section.bulletin, " ".join(exc.messages), section)
    saved = _fresh(saved)
    card = _card(
        saved,
        editable=True,
        message=_("The suggestion has been added to the text."),
        tone="success",
        suggestions=_suggestions_for(saved, True),
    )
    return _section_response(request, saved, card)


@require_safe
def section_changes(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_for(request, pk)
    editable = section.bulletin.is_editable
    upcoming = services.data_changes(section) if editable else []
    context = {
        "section": section,
        "bulletin": section.bulletin,
        "lines": services.changes(section),
        "upcoming": upcoming,
        "data_moved": any(line.tag != "same" for line in upcoming),
        "editable": editable,
    }
    template = "bulletins/changes.html" + ("#changes" if request.htmx else "")
    return render(request, template, context)


# The preview, sign-off, issuing and the files ---------------------------------------------------


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Sign off for issuing")), ("return", gettext_lazy("Return to the office"))],
        error_messages={
            "required": gettext_lazy("Choose to sign off or to return."),
            "invalid_choice": gettext_lazy("Choose to sign off or to return."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IssueForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    confirm = forms.BooleanField(
        error_messages={"required": gettext_lazy("Tick the box to confirm that the bulletin is to be issued.")}
    )


@require_safe
def bulletin_preview(request: HttpRequest, pk: int) -> HttpResponse:
    from kaohe.bulletins.html import render_html

    bulletin = _bulletin_for(request, pk)
    document = services.document_of(bulletin)
    context = {"bulletin": bulletin, "page": mark_safe(render_html(document))}  # noqa: S308 - our own template
    return render(request, "bulletins/preview.html", context)


@require_POST
def bulletin_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The office sends the draft to the school leaders for sign-off (签发)."""
    bulletin = _bulletin_for(request, pk)
    try:
        services.submit_for_sign_off(bulletin=bulletin, by=request.user, seen=request.POST.get("seen", ""))
    except Conflict:
        messages.error(
            request,
            _("The bulletin has changed since this page was loaded; read it again before sending it for sign-off."),
        )
    except Locked as exc:
        return _refused(request, bulletin, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The bulletin has been sent to the school leaders for sign-off."))
    return redirect("bulletins:detail", bulletin.pk)


@require_POST
def bulletin_sign(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin_for(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_sign_off(
                bulletin=bulletin,
                by=request.user,
                version=data["version"],
                approve=data["decision"] == "approve",
                reason=data["reason"],
            )
        except Conflict:
            messages.error(request, _("The bulletin has changed since this page was loaded; here it is as it is now."))
            return redirect("bulletins:detail", bulletin.pk)
        except Locked as exc:
            return _refused(request, bulletin, " ".join(exc.messages))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if data["decision"] == "approve":
                messages.success(request, _("You have signed the bulletin off; the office may issue it."))
            else:
                messages.success(request, _("The bulletin has gone back to the office with your reason."))
            return redirect("bulletins:detail", bulletin.pk)
    _stale_form(form)
    return render(request, DETAIL, _editor_context(request, bulletin, sign_form=form), status=400)


@require_POST
def bulletin_issue(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin_for(request, pk)
    try:
        services.check_issuable(bulletin)
    except Locked as exc:
        return _refused(request, bulletin, " ".join(exc.messages))
    form = IssueForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for e in form.errors.get("confirm", [])) or str(STALE)
        messages.error(request, message)
        return redirect("bulletins:detail", bulletin.pk)
    try:
        issuing = services.start_issue(bulletin=bulletin, by=request.user, version=form.cleaned_data["version"])
    except Conflict:
        messages.error(
            request, _("Someone else has changed the bulletin since you opened it; check it again before issuing.")
        )
        return redirect("bulletins:detail", bulletin.pk)
    except Locked as exc:
        return _refused(request, bulletin, " ".join(exc.messages))
    services.enqueue_issue(issuing)
    return redirect("bulletins:detail", bulletin.pk)


@require_POST
def bulletin_issue_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The files never came (the worker is down): the office takes the bulletin back to signed off."""
    bulletin = _bulletin_for(request, pk)
    reason = _("Taken back by the office: the files were not made within %(minutes)s minutes.") % {
        "minutes": services.ISSUE_STALE_MINUTES
    }
    try:
        services.cancel_issue(bulletin=bulletin, by=request.user, reason=reason)
    except Locked as exc:
        return _refused(request, bulletin, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("bulletins:detail", bulletin.pk)


@require_safe
def bulletin_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """An issued bulletin's stored file; a draft's .docx made now, for the office and leaders."""
    from django.http import FileResponse

    bulletin = _bulletin_for(request, pk)
    if kind not in CONTENT_TYPES:
        raise Http404
    docx_name, pdf_name = services.file_names(bulletin)
    content_type = CONTENT_TYPES[kind]
    if bulletin.state == State.ISSUED:
        stored = bulletin.docx if kind == "docx" else bulletin.pdf
        name = docx_name if kind == "docx" else pdf_name
        try:
            handle = stored.open("rb")
        except OSError:
            log.error("the issued file %s of bulletin %s is missing", stored.name, bulletin.pk)
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    elif kind == "docx":
        from kaohe.bulletins.docx import build_docx

        data = build_docx(services.document_of(bulletin))
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = _attachment(f"（草稿）{docx_name}")
    else:
        raise Http404
    record(Kind.EXPORT, actor=request.user, obj=bulletin, changes={"file": kind, "state": bulletin.state})
    return files.protect(response)


def _attachment(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=name)


urlpatterns = [
    path("", bulletin_list, name="list"),
    path("new/", bulletin_create, name="create"),
    path("<int:pk>/", bulletin_detail, name="detail"),
    path("<int:pk>/edit/", bulletin_edit, name="edit"),
    path("<int:pk>/preview/", bulletin_preview, name="preview"),
    path("<int:pk>/submit/", bulletin_submit, name="submit"),
    path("<int:pk>/sign/", bulletin_sign, name="sign"),
    path("<int:pk>/issue/", bulletin_issue, name="issue"),
    path("<int:pk>/issue/cancel/", bulletin_issue_cancel, name="issue-cancel"),
    path("<int:pk>/correct/", bulletin_correct, name="correct"),
    path("<int:pk>/file.<str:kind>", bulletin_download, name="download"),
    path("sections/<int:pk>/", section_edit, name="section-edit"),
    path("sections/<int:pk>/regenerate/", section_regenerate, name="section-regenerate"),
    path("sections/<int:pk>/suggest/", section_suggest, name="section-suggest"),
    path("sections/<int:pk>/changes/", section_changes, name="section-changes"),
]
