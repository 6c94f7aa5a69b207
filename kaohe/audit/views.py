from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kaohe.audit.log import Kind, record
from kaohe.audit.models import AuditEvent
from kaohe.lib.spreadsheets import write_xlsx


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *AuditEvent.Kind.choices],
    )
    q = forms.CharField(label=gettext_lazy("Person, object or address"), required=False, max_length=100)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def _filtered(request: HttpRequest) -> tuple[EventFilterForm, QuerySet[AuditEvent]]:
    form = EventFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["q"]:
            q = data["q"].strip()
            events = events.filter(
                Q(username__icontains=q)
                | Q(object_repr__icontains=q)
                | Q(object_type__icontains=q)
                | Q(ip__startswith=q)
                | Q(path__icontains=q)
            )
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tz))
        if data["until"]:
            events = events.filter(at__lte=datetime.combine(data["until"], time.max, tz))
    return form, events


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "audit/event_list.html" + ("#event-rows" if request.htmx else "")
    return render(request, template, {"form": form, "page": page})


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.select_related("actor"), pk=pk)
    return render(request, "audit/event_detail.html", {"event": event})


@require_safe
def event_export(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    events = events[:100_000]
    tz = timezone.get_current_timezone()
    rows = (
        (
            e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S%z"),
            e.get_kind_display(),
            e.username,
            e.roles,
            e.ip or "",
            e.object_type,
            e.object_id,
            e.object_repr,
            str(e.changes),
            _("Yes") if e.success else _("No"),
        )
        for e in events
    )
    headers = [
        _("Time"),
        _("Kind"),
        _("Username"),
        _("Roles"),
        _("IP address"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("Success"),
    ]
    data = write_xlsx(_("Audit log"), headers, rows)
    record(
        Kind.EXPORT,
        actor=request.user,
        object_type="audit.AuditEvent",
        changes={"filter": request.GET.urlencode()},
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="audit-log.xlsx"'
    return response
