"""The notification duty (通报制度): duties per functional department, their notices, and compliance.

The office sets the duties and checks the notices; a department's head and liaisons record theirs;
leaders read everything. Another department's duty or notice answers 404, like a missing one.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST, require_safe

from kaohe.initiatives import duties as service
from kaohe.initiatives.forms_duties import CheckForm, ComplianceForm, DutyForm, EditRecordForm, NewRecordForm
from kaohe.initiatives.models import NotificationDuty, NotificationRecord
from kaohe.lib.inputs import add_errors
from kaohe.lib.uploads import ALLOWED_TYPES
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Role
from kaohe.plans.selectors import current_year
from kaohe.progress import files
from kaohe.progress.errors import Conflict
from kaohe.progress.views import refused

CONFLICT = gettext_noop(
    "This notice has been changed by someone else since you opened it. "
    "Below are the current values; make your change again."
)


def _closed_year() -> str:
    return _("This assessment year is closed; its records can no longer change.")


# Scoping ----------------------------------------------------------------------------------------


def visible_duties(user) -> QuerySet[NotificationDuty]:
    duties = NotificationDuty.objects.all()
    if access.reads_all_assessment(user):
        return duties
    return duties.filter(department_id__in=access.own_department_ids(user))


def get_duty_for(request: HttpRequest, pk: int) -> NotificationDuty:
    duty = visible_duties(request.user).filter(pk=pk).select_related("department", "year").first()
    if duty is None:
        access.record_not_found(request, "initiatives.NotificationDuty", pk)
        raise Http404
    return duty


def get_record_for(request: HttpRequest, pk: int) -> NotificationRecord:
    row = (
        NotificationRecord.objects.filter(duty__in=visible_duties(request.user), pk=pk)
        .select_related("duty__department", "duty__year", "recorded_by")
        .first()
    )
    if row is None:
        access.record_not_found(request, "initiatives.NotificationRecord", pk)
        raise Http404
    return row


def _year(request: HttpRequest) -> AssessmentYear:
    value = request.GET.get("year", "")
    year = AssessmentYear.objects.filter(year=value).first() if value.isdigit() else current_year()
    if year is None:
        raise Http404
    return year


def _duty_url(duty: NotificationDuty) -> str:
    return reverse("initiatives:duty-detail", args=[duty.pk])


def _is_office(user) -> bool:
    return access.has_role(user, {Role.OFFICE})


# Duties -----------------------------------------------------------------------------------------


@require_safe
def duty_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    duties = visible_duties(request.user).filter(year=year).select_related("department")
    groups: dict[int, dict] = {}
    for duty in duties:
        group = groups.setdefault(duty.department_id, {"department": duty.department, "duties": []})
        group["duties"].append(duty)
    context = {
        "year": year,
        "years": AssessmentYear.objects.order_by("-year"),
        "groups": list(groups.values()),
        "can_manage": _is_office(request.user) and not year.is_read_only,
    }
    return render(request, "initiatives/duty_list.html", context)


@require_safe
def duty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_duty_for(request, pk)
    user, day = request.user, service.today()
    records = list(duty.records.select_related("recorded_by"))
    rows = service.duty_rows([duty], records, duty.year.year, day)
    open_year = not duty.year.is_read_only
    context = {
        "duty": duty,
        "today": day,
        "rows": rows,
        "rate": service.compliance(rows).school,
        "can_record": open_year and duty.active and access.writes_for(user, duty.department),
        "can_edit": open_year and access.writes_for(user, duty.department),
        "can_check": open_year and _is_office(user),
        "can_manage": open_year and _is_office(user),
        "check_form": CheckForm(),
    }
    return render(request, "initiatives/duty_detail.html", context)


def _duty_form(request: HttpRequest, duty: NotificationDuty | None) -> HttpResponse:
    if duty is not None and duty.year.is_read_only:
        return refused(request, ValidationError(_closed_year()), back=_duty_url(duty))
    if request.method != "POST":
        if duty is not None:
            form = DutyForm.for_duty(duty)
        else:
            year = current_year()
            form = DutyForm(initial={"year": year.pk if year else None})
        return render(request, "initiatives/duty_form.html", {"form": form, "duty": duty})
    form = DutyForm(request.POST)
    if form.is_valid():
        try:
            saved = service.save_duty(duty=duty, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The notification duty has been saved."))
            return redirect(_duty_url(saved))
    return render(request, "initiatives/duty_form.html", {"form": form, "duty": duty}, status=400)


def duty_create(request: HttpRequest) -> HttpResponse:
    return _duty_form(request, None)


def duty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _duty_form(request, get_duty_for(request, pk))


# Notices ----------------------------------------------------------------------------------------


def _limits() -> dict:
    return {"max_file_mb": settings.EVIDENCE_MAX_FILE_BYTES // (1024 * 1024), "accept": ",".join(ALLOWED_TYPES)}


def record_create(request: HttpRequest, duty_pk: int) -> HttpResponse:
    duty = get_duty_for(request, duty_pk)
    if not access.writes_for(request.user, duty.department):
        access.deny_write(request, duty)
    try:
        service.check_recordable(duty)
    except ValidationError as exc:
        return refused(request, exc, back=_duty_url(duty))
    if request.method != "POST":
        form = NewRecordForm(duty=duty, initial={"period": request.GET.get("period", "")})
        return render(request, "initiatives/record_form.html", {"duty": duty, "form": form, **_limits()})
    form = NewRecordForm(request.POST, request.FILES, duty=duty)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.record_notice(
                duty=duty,
                by=request.user,
                period_start=data["period"].start,
                title=data["title"],
                issued_date=data["issued_date"],
                filed_date=data.get("filed_date"),
                note=data["note"],
                upload=data.get("file"),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The notice has been recorded."))
            return redirect(_duty_url(duty))
    return render(request, "initiatives/record_form.html", {"duty": duty, "form": form, **_limits()}, status=400)


def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_record_for(request, pk)
    duty = row.duty
    if not access.writes_for(request.user, duty.department):
        access.deny_write(request, row)
    if duty.year.is_read_only:
        return refused(
            request,
            ValidationError(_closed_year()),
            back=_duty_url(duty),
        )
    context = {"duty": duty, "record": row, **_limits()}
    if request.method != "POST":
        return render(request, "initiatives/record_form.html", {**context, "form": EditRecordForm.for_record(row)})
    form = EditRecordForm(request.POST, request.FILES, duty=duty)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.update_notice(
                record=row,
                by=request.user,
                version=data["version"],
                title=data["title"],
                issued_date=data["issued_date"],
                filed_date=data.get("filed_date"),
                note=data["note"],
                upload=data.get("file"),
            )
        except Conflict as exc:
            # The current values replace the form's, so nothing the other person saved is overwritten.
            form = EditRecordForm.with_current_values(exc.current)
            form.add_error(None, _(CONFLICT))
            context["record"] = exc.current
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The notice has been saved; the office will check it again."))
            return redirect(_duty_url(duty))
    return render(request, "initiatives/record_form.html", {**context, "form": form}, status=status)


@require_POST
def record_check(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_record_for(request, pk)
    if not _is_office(request.user):
        access.deny_write(request, row)
    back = _duty_url(row.duty)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the notice is standard."))
        return redirect(back)
    try:
        service.check_notice(
            record=row, by=request.user, standardised=form.cleaned_data["standardised"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        if row.duty.year.is_read_only:
            return refused(request, exc, back=back)
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check has been recorded."))
    return redirect(back)


@require_safe
def record_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice's document leaves only through here: access checked, always as an attachment."""
    row = get_record_for(request, pk)
    if not row.file:
        access.record_not_found(request, "initiatives.NotificationRecord", pk)
        raise Http404
    return files.download(request, row)


# Compliance -------------------------------------------------------------------------------------


@require_safe
def compliance(request: HttpRequest) -> HttpResponse:
    form = ComplianceForm(request.GET or None)
    year, day = None, None
    if form.is_valid():
        year, day = form.cleaned_data["year"], form.cleaned_data["date"]
    year = year or current_year()
    if year is None:
        raise Http404
    day = day or service.today()
    duties = list(visible_duties(request.user).filter(year=year, active=True).select_related("department"))
    records = NotificationRecord.objects.filter(duty__in=[d.pk for d in duties]).only(
        "pk", "duty_id", "period_start", "issued_date", "filed_date", "standardised", "title", "file"
    )
    rows = service.duty_rows(duties, records, year.year, day)
    result = service.compliance(rows)
    by_duty: dict[int, list] = defaultdict(list)
    for row in rows:
        by_duty[row.duty].append(row)
    departments: dict[int, dict] = {}
    for duty in duties:
        entry = departments.setdefault(
            duty.department_id,
            {"department": duty.department, "rate": result.departments[duty.department_id], "duties": []},
        )
        entry["duties"].append({"duty": duty, "rate": result.duties[duty.pk], "rows": by_duty[duty.pk]})
    context = {
        "form": form,
        "year": year,
        "day": day,
        "departments": list(departments.values()),
        "school": result.school,
    }
    return render(request, "initiatives/compliance.html", context)


urlpatterns = [
    path("duties/", duty_list, name="duty-list"),
    # A duty's own page: the same name with the duty's id (POLICY classifies the name once).
    path("duties/<int:pk>/", duty_detail, name="duty-detail"),
    path("duties/new/", duty_create, name="duty-create"),
    path("duties/<int:pk>/edit/", duty_edit, name="duty-edit"),
    path("duties/<int:duty_pk>/notices/new/", record_create, name="record-create"),
    path("notices/<int:pk>/edit/", record_edit, name="record-edit"),
    path("notices/<int:pk>/check/", record_check, name="record-check"),
    path("notices/<int:pk>/file/", record_file, name="record-file"),
    path("duties/compliance/", compliance, name="compliance"),
]
