"""Highlights and awards (亮点工作/成绩): the register, one achievement, its files, and the export.

Who sees what is decided in kaohe.initiatives.achievements.visible_achievements: the office and the
leaders all; a department its own in every state; everyone the verified ones. Anything else
answers 404, for pages, files and the export alike.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaohe.audit.log import Kind, record
from kaohe.initiatives import achievements as service
from kaohe.initiatives.forms_brands import AchievementFilterForm, AchievementForm, EditAchievementForm, VerifyForm
from kaohe.initiatives.models import Achievement, AchievementFile, Brand
from kaohe.lib.inputs import add_errors
from kaohe.lib.spreadsheets import write_xlsx
from kaohe.lib.uploads import ALLOWED_TYPES
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.selectors import current_year
from kaohe.progress import files
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.views import refused

PAGE_SIZE = 50
EXPORT_COLUMNS = [
    "部门",
    "部门类别",
    "名称",
    "日期",
    "类别",
    "级别",
    "等次",
    "人员",
    "说明",
    "品牌",
    "状态",
    "证明材料数",
]


def get_achievement_for(request: HttpRequest, pk: int) -> Achievement:
    item = (
        service.visible_achievements(request.user)
        .filter(pk=pk)
        .select_related("year", "department", "brand", "submitted_by", "verified_by")
        .first()
    )
    if item is None:
        access.record_not_found(request, "initiatives.Achievement", pk)
        raise Http404
    return item


def _year(request: HttpRequest) -> AssessmentYear:
    value = request.GET.get("year", "")
    year = AssessmentYear.objects.filter(year=value).first() if value.isdigit() else current_year()
    if year is None:
        raise Http404
    return year


def _brands():
    return Brand.objects.filter(year__state__in=[AssessmentYear.State.PLANNING, AssessmentYear.State.RUNNING]).order_by(
        "year__year", "parent_id", "order", "id"
    )


def _limits() -> dict:
    mb = 1024 * 1024
    return {
        "max_file_mb": settings.EVIDENCE_MAX_FILE_BYTES // mb,
        "max_files": settings.EVIDENCE_MAX_FILES_PER_REPORT,
        "accept": ",".join(ALLOWED_TYPES),
    }


# The register ---------------------------------------------------------------------------------


def _listed(request: HttpRequest, year: AssessmentYear) -> tuple[AchievementFilterForm, object]:
    departments = Department.objects.filter(active=True).order_by("order", "id")
    form = AchievementFilterForm(request.GET or None, departments=departments)
    items = service.visible_achievements(request.user).filter(year=year)
    items = form.apply(items).select_related("department", "brand").annotate(file_count=Count("files"))
    return form, service.in_list_order(items)


@require_safe
def achievement_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form, items = _listed(request, year)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows, current = [], None
    for item in page:
        # A heading row per department kind, as the seed's §五 groups them.
        if item.department.kind != current:
            current = item.department.kind
            rows.append({"heading": item.department.get_kind_display()})
        rows.append({"item": item})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "year": year,
        "years": AssessmentYear.objects.order_by("-year"),
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_create": service.writable_departments(request.user).exists() and not year.is_read_only,
    }
    return render(request, "initiatives/achievement_list.html", context)


@require_safe
def achievement_export(request: HttpRequest) -> HttpResponse:
    """The list as Excel, with the same filters and only what the person may see; recorded in the audit log."""
    year = _year(request)
    form, items = _listed(request, year)
    rows = [
        [
            a.department.name,
            a.department.get_kind_display(),
            a.title,
            a.date,
            a.get_kind_display(),
            a.get_level_display(),
            a.get_grade_display() if a.grade else "",
            a.people,
            a.description,
            a.brand.name if a.brand else "",
            a.get_state_display(),
            a.file_count,
        ]
        for a in items
    ]
    filters = {k: v for k, v in (form.cleaned_data.items() if form.is_bound and form.is_valid() else []) if v}
    record(
        Kind.EXPORT,
        actor=request.user,
        object_type="initiatives.Achievement",
        changes={"year": year.year, "rows": len(rows), "filters": {k: str(v) for k, v in filters.items()}},
    )
    data = write_xlsx("亮点工作", EXPORT_COLUMNS, rows)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"亮点工作-{year.year}.xlsx")
    return files.protect(response)


# Registering and editing ----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def achievement_create(request: HttpRequest) -> HttpResponse:
    departments = service.writable_departments(request.user).order_by("order", "id")
    if not departments.exists():
        access.deny_write(request, None)
    form = AchievementForm(request.POST or None, request.FILES or None, departments=departments, brands=_brands())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = service.submit_achievement(
                    department=form.cleaned_data["department"],
                    by=request.user,
                    files=form.cleaned_data["files"],
                    **form.values(),
                )
            except Locked as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The achievement has been sent to the office for verification."))
                return redirect("initiatives:achievement-detail", item.pk)
    return render(request, "initiatives/achievement_form.html", {"form": form, **_limits()}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def achievement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_achievement_for(request, pk)
    if not service.writes_achievement(request.user, item):
        access.deny_write(request, item)
    back = reverse("initiatives:achievement-detail", args=[item.pk])
    if not service.is_editable(item):
        return refused(request, ValidationError(_("This achievement can no longer be changed.")), back=back)
    if request.method != "POST":
        form = EditAchievementForm(initial=EditAchievementForm.data_of(item), departments=None, brands=_brands())
        return render(request, "initiatives/achievement_form.html", {"form": form, "item": item, **_limits()})
    form = EditAchievementForm(request.POST, request.FILES, departments=None, brands=_brands())
    status = 400
    if form.is_valid():
        try:
            service.update_achievement(
                achievement=item,
                by=request.user,
                version=form.cleaned_data["version"],
                files=form.cleaned_data["files"],
                **form.values(),
            )
        except Conflict as exc:
            # What is saved now replaces the form's values, so nothing the other person saved is lost.
            form = EditAchievementForm(EditAchievementForm.data_of(exc.current), departments=None, brands=_brands())
            form.is_valid()
            form.add_error(
                None,
                _(
                    "This achievement has been changed by someone else since you opened it. "
                    "Below are the current values; make your change again."
                ),
            )
            status = 409
        except Locked as exc:
            return refused(request, exc, back=back)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The achievement has been saved and sent to the office again."))
            return redirect(back)
    return render(
        request, "initiatives/achievement_form.html", {"form": form, "item": item, **_limits()}, status=status
    )


# One achievement and the office's check -------------------------------------------------------


def _detail_context(request: HttpRequest, item: Achievement, *, verify_form=None) -> dict:
    user = request.user
    return {
        "a": item,
        "files": list(item.files.select_related("uploaded_by")),
        "can_edit": service.is_editable(item) and service.writes_achievement(user, item),
        "can_verify": item.state == Achievement.State.SUBMITTED
        and access.has_role(user, {Role.OFFICE})
        and not item.year.is_read_only,
        "verify_form": verify_form or VerifyForm(initial={"version": item.version}),
    }


@require_safe
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_achievement_for(request, pk)
    return render(request, "initiatives/achievement_detail.html", _detail_context(request, item))


@require_POST
def achievement_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_achievement_for(request, pk)
    back = reverse("initiatives:achievement-detail", args=[item.pk])
    form = VerifyForm(request.POST)
    if not form.is_valid():
        form.add_error(None, _("Choose to verify or to return the achievement."))
        return render(
            request, "initiatives/achievement_detail.html", _detail_context(request, item, verify_form=form), status=400
        )
    verify = form.cleaned_data["decision"] == "verify"
    try:
        service.decide_achievement(
            achievement=item,
            by=request.user,
            version=form.cleaned_data["version"],
            verify=verify,
            reason=form.cleaned_data["reason"],
        )
    except Conflict:
        message = _("This achievement has been changed since you opened it; look at it again before deciding.")
        return refused(request, ValidationError(message), back=back)
    except Locked as exc:
        return refused(request, exc, back=back)
    except ValidationError as exc:
        add_errors(form, exc)
        return render(
            request, "initiatives/achievement_detail.html", _detail_context(request, item, verify_form=form), status=400
        )
    messages.success(
        request, _("The achievement has been verified.") if verify else _("The achievement has been returned.")
    )
    return redirect(back)


@require_safe
def achievement_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence leaves only through here, for those who read the achievement, always as an attachment."""
    row = (
        AchievementFile.objects.filter(pk=pk, achievement__in=service.visible_achievements(request.user))
        .select_related("achievement")
        .first()
    )
    if row is None:
        access.record_not_found(request, "initiatives.AchievementFile", pk)
        raise Http404
    return files.download(request, row)


urlpatterns = [
    path("achievements/", achievement_list, name="achievement-list"),
    path("achievements/export/", achievement_export, name="achievement-export"),
    path("achievements/new/", achievement_create, name="achievement-create"),
    path("achievements/<int:pk>/", achievement_detail, name="achievement-detail"),
    path("achievements/<int:pk>/edit/", achievement_edit, name="achievement-edit"),
    path("achievements/<int:pk>/verify/", achievement_verify, name="achievement-verify"),
    path("achievements/files/<int:pk>/", achievement_file, name="achievement-file"),
]
