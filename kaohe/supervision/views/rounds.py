"""The rounds: list, create, the notice, the steps of the round, and who inspects which department."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaohe.org import access
from kaohe.org.models import Department, Role, User
from kaohe.plans.selectors import current_year
from kaohe.supervision import selectors, services
from kaohe.supervision.forms import InspectorsForm, NoticeForm, RoundForm
from kaohe.supervision.models import Assignment, SelfCheck, SupervisionRound


def get_round_for(request: HttpRequest, pk: int) -> SupervisionRound:
    round_ = selectors.visible_rounds(request.user).filter(pk=pk).first()
    if round_ is None:
        access.record_not_found(request, "supervision.SupervisionRound", pk)
        raise Http404
    return round_


@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = selectors.visible_rounds(request.user).annotate(
        due=Count("items", filter=Q(items__carried_over=False)),
        verified=Count("items", filter=Q(items__carried_over=False, items__verified_at__isnull=False)),
    )
    can_create = access.has_role(request.user, {Role.OFFICE})
    return render(request, "supervision/round_list.html", {"rounds": rounds, "can_create": can_create})


def round_create(request: HttpRequest) -> HttpResponse:
    year = current_year()
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and year is not None:
        try:
            round_ = services.create_round(year=year, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The round has been created with a drafted notice; check it before announcing.")
            )
            return redirect("supervision:round-detail", round_.pk)
    status = 400 if form.errors else 200
    return render(request, "supervision/round_form.html", {"form": form, "year": year}, status=status)


def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    dates = RoundForm(request.POST if "name" in request.POST else None) if request.method == "POST" else None
    notice = NoticeForm(request.POST if "notice_text" in request.POST else None) if request.method == "POST" else None
    form = dates if dates is not None and dates.is_bound else notice
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.update_round(round_=round_, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The round has been saved."))
            return redirect("supervision:round-detail", round_.pk)
    context = {
        "round": round_,
        "form": dates if dates is not None and dates.is_bound else RoundForm.for_round(round_),
        "notice_form": notice
        if notice is not None and notice.is_bound
        else NoticeForm(initial={"notice_title": round_.notice_title, "notice_text": round_.notice_text}),
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "supervision/round_edit.html", context, status=status)


@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    user = request.user
    rows = _department_rows(round_)
    own = access.own_department_ids(user)
    if not access.reads_all_assessment(user):
        # selectors.reads_verification for every row, with the inspector's departments read once.
        inspected = selectors.inspected_department_ids(user, round_)
        published = round_.state == SupervisionRound.State.PUBLISHED
        rows = [r for r in rows if r["id"] in inspected or (published and r["id"] in own)]
    context = {
        "round": round_,
        "rows": rows,
        "own_selfchecks": SelfCheck.objects.filter(round=round_, department__in=own).select_related("department"),
        "is_office": access.has_role(user, {Role.OFFICE}),
        "can_see_stats": access.allowed(user, "supervision:round-stats"),
        "next_state": round_.next_state,
        "next_label": SupervisionRound.State(round_.next_state).label if round_.next_state else "",
    }
    return render(request, "supervision/round_detail.html", context)


def _department_rows(round_: SupervisionRound) -> list[dict]:
    """Per department of the round: items due, verified, carried over, its self-check and inspectors."""
    counts = (
        round_.items.values("department_id", "department__name", "department__order")
        .annotate(
            due=Count("id", filter=Q(carried_over=False)),
            verified=Count("id", filter=Q(carried_over=False, verified_at__isnull=False)),
            carried=Count("id", filter=Q(carried_over=True)),
        )
        .order_by("department__order", "department_id")
    )
    checks = {c.department_id: c for c in SelfCheck.objects.filter(round=round_)}
    inspectors: dict[int, list[str]] = {}
    for a in Assignment.objects.filter(round=round_).select_related("inspector"):
        inspectors.setdefault(a.department_id, []).append(str(a.inspector))
    return [
        {
            "id": row["department_id"],
            "name": row["department__name"],
            "due": row["due"],
            "verified": row["verified"],
            "carried": row["carried"],
            "selfcheck": checks.get(row["department_id"]),
            "inspectors": inspectors.get(row["department_id"], []),
        }
        for row in counts
    ]


@require_POST
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    expected = request.POST.get("state", "")
    if expected != round_.state:
        messages.error(request, _("The round has moved on since this page was opened; nothing was changed."))
        return redirect("supervision:round-detail", round_.pk)
    try:
        round_ = services.advance_round(round_=round_, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is now: %(state)s.") % {"state": round_.get_state_display()})
    return redirect("supervision:round-detail", round_.pk)


def round_inspectors(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_round_for(request, pk)
    departments = Department.objects.filter(pk__in=round_.items.values("department_id")).order_by("order", "id")
    inspectors = User.objects.filter(
        is_active=True, memberships__role=Role.INSPECTOR, memberships__active=True
    ).distinct()
    current: dict[int, list[int]] = {}
    for a in Assignment.objects.filter(round=round_):
        current.setdefault(a.department_id, []).append(a.inspector_id)
    form = InspectorsForm(request.POST or None, departments=departments, inspectors=inspectors, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            for department, people in form.assignments():
                services.assign_inspectors(round_=round_, department=department, inspectors=people)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The inspectors have been assigned."))
            return redirect("supervision:round-detail", round_.pk)
    return render(request, "supervision/round_inspectors.html", {"round": round_, "form": form})


urlpatterns = [
    path("", round_list, name="round-list"),
    path("new/", round_create, name="round-create"),
    path("<int:pk>/", round_detail, name="round-detail"),
    path("<int:pk>/edit/", round_edit, name="round-edit"),
    path("<int:pk>/advance/", round_advance, name="round-advance"),
    path("<int:pk>/inspectors/", round_inspectors, name="round-inspectors"),
]
