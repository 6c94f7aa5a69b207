"""Brand building (品牌创建): the brands of a year with their items, one brand's page, and its changes.

Everyone in ``access.ASSESSMENT_READERS`` reads every brand (school-wide showcases); writing is for
the office and the owner departments' heads and liaisons, others get 403 (see kaohe.initiatives.brands).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaohe.initiatives import brands as service
from kaohe.initiatives.forms_brands import BrandForm, BrandNoteForm, BrandStateForm
from kaohe.initiatives.models import Achievement, Brand, BrandNote
from kaohe.lib.inputs import add_errors
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import Target
from kaohe.plans.selectors import current_year
from kaohe.progress.errors import Locked
from kaohe.progress.views import refused


def _year(request: HttpRequest) -> AssessmentYear:
    value = request.GET.get("year", "")
    year = AssessmentYear.objects.filter(year=value).first() if value.isdigit() else current_year()
    if year is None:
        raise Http404
    return year


def get_brand_for(request: HttpRequest, pk: int) -> Brand:
    """Any brand, for anyone the policy lets read brands; a missing one is recorded and answers 404."""
    brand = Brand.objects.filter(pk=pk).select_related("year", "parent__parent").first()
    if brand is None:
        access.record_not_found(request, "initiatives.Brand", pk)
        raise Http404
    return brand


def _owners() -> Prefetch:
    return Prefetch("owners", queryset=Department.objects.order_by("order", "id"))


def _children() -> Prefetch:
    return Prefetch("children", queryset=Brand.objects.order_by("order", "id").prefetch_related(_owners()))


def _is_office(user) -> bool:
    return access.has_role(user, {Role.OFFICE})


# The list -------------------------------------------------------------------------------------


@require_safe
def brand_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    top = Brand.objects.filter(year=year, parent=None).prefetch_related(_owners(), _children())
    rows = []
    for brand in top:
        items = list(brand.children.all())
        rows.append({"brand": brand, "items": items, "counts": service.checklist_counts(items)})
    context = {
        "year": year,
        "years": AssessmentYear.objects.order_by("-year"),
        "rows": rows,
        "can_create": _is_office(request.user) and not year.is_read_only,
    }
    return render(request, "initiatives/brand_list.html", context)


# One brand ------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, brand: Brand, *, note_form=None) -> dict:
    user = request.user
    items = list(Brand.objects.filter(parent=brand).order_by("order", "id").prefetch_related(_owners()))
    family = [brand.pk, *(i.pk for i in items)]
    targets = Target.objects.filter(brands__in=family).select_related("plan__department").distinct()
    achievements = (
        Achievement.objects.filter(brand__in=family, state=Achievement.State.VERIFIED)
        .select_related("department")
        .order_by("-date", "-id")
    )
    notes = BrandNote.objects.filter(brand__in=family).select_related("author", "brand").order_by("-date", "-id")
    writes = service.writes_brand(user, brand) and not brand.year.is_read_only
    return {
        "brand": brand,
        "owners": list(brand.owners.order_by("order", "id")),
        "items": items,
        "counts": service.checklist_counts(items),
        "targets": targets.order_by("code", "id"),
        "achievements": achievements,
        "notes": notes,
        "can_write": writes,
        "can_add_item": _is_office(user) and not brand.year.is_read_only,
        "note_form": note_form or BrandNoteForm(initial={"date": timezone.localdate().isoformat()}),
    }


@require_safe
def brand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_brand_for(request, pk)
    return render(request, "initiatives/brand_detail.html", _detail_context(request, brand))


def _office_form(data, *, year: AssessmentYear, brand: Brand | None = None, initial=None) -> BrandForm:
    parents = Brand.objects.filter(year=year).order_by("parent_id", "order", "id")
    if brand is not None:
        parents = parents.exclude(pk=brand.pk)
    return BrandForm(
        data,
        initial=initial,
        parents=parents,
        departments=Department.objects.filter(active=True).order_by("order", "id"),
        targets=Target.objects.filter(year=year).order_by("code", "id"),
    )


def _form_values(form: BrandForm) -> dict:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in ("name", "slogan", "parent", "is_checklist", "state", "description", "order", "owners", "targets")
    }


@require_http_methods(["GET", "HEAD", "POST"])
def brand_create(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if year.is_read_only:
        return refused(
            request,
            ValidationError(_("This assessment year is closed; its records can no longer change.")),
            back=reverse("initiatives:brand-list"),
        )
    wanted = request.GET.get("parent", "")
    parent = Brand.objects.filter(year=year, pk=wanted).first() if wanted.isascii() and wanted.isdigit() else None
    initial = {"parent": parent.pk, "owners": list(parent.owners.all())} if parent else None
    form = _office_form(request.POST or None, year=year, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = _form_values(form)
            try:
                brand = service.create_brand(by=request.user, year=year, **values)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The brand has been created."))
                return redirect("initiatives:brand-detail", brand.pk)
    return render(request, "initiatives/brand_form.html", {"form": form, "year": year}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def brand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_brand_for(request, pk)
    if not service.writes_brand(request.user, brand):
        access.deny_write(request, brand)
    back = reverse("initiatives:brand-detail", args=[brand.pk])
    if brand.year.is_read_only:
        return refused(
            request, ValidationError(_("This assessment year is closed; its records can no longer change.")), back=back
        )
    office = _is_office(request.user)
    data = request.POST if request.method == "POST" else None
    if office:
        form = _office_form(data, year=brand.year, brand=brand, initial=BrandForm.initial_for(brand))
    else:
        form = BrandStateForm(data, initial={"state": brand.state, "description": brand.description})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = _form_values(form) if office else dict(form.cleaned_data)
            try:
                service.update_brand(brand=brand, by=request.user, **values)
            except Locked as exc:
                return refused(request, exc, back=back)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The brand has been saved."))
                return redirect(back)
    return render(
        request, "initiatives/brand_form.html", {"form": form, "brand": brand, "year": brand.year}, status=status
    )


@require_POST
def brand_note(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_brand_for(request, pk)
    if not service.writes_brand(request.user, brand):
        access.deny_write(request, brand)
    back = reverse("initiatives:brand-detail", args=[brand.pk])
    form = BrandNoteForm(request.POST)
    if form.is_valid():
        try:
            service.add_note(
                brand=brand, by=request.user, day=form.cleaned_data["date"], text=form.cleaned_data["text"]
            )
        except Locked as exc:
            return refused(request, exc, back=back)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The progress note has been added."))
            return redirect(back)
    return render(request, "initiatives/brand_detail.html", _detail_context(request, brand, note_form=form), status=400)


urlpatterns = [
    path("brands/", brand_list, name="brand-list"),
    path("brands/new/", brand_create, name="brand-create"),
    path("brands/<int:pk>/", brand_detail, name="brand-detail"),
    path("brands/<int:pk>/edit/", brand_edit, name="brand-edit"),
    path("brands/<int:pk>/notes/", brand_note, name="brand-note"),
]
