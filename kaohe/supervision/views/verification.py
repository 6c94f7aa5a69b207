"""On-site verification (现场核查): one department's items in a round, item by item, and the five
inspection points.

Who: the office and leaders read every department; the inspectors assigned to the department in
the round read and verify it; the department's own people read their results once the round is
published. Anyone else gets 404, exactly as for a missing round or department. Verification is
recorded while the round is on site; closed and published rounds answer 409 to every change.
Each page keeps a fixed number of queries whatever the number of items, reports and files.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from kaohe.lib.inputs import NormalisedDecimalField, add_errors
from kaohe.org import access
from kaohe.org.models import Department
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.models import Evidence, ProgressReport, Status
from kaohe.supervision import selectors, services, stats
from kaohe.supervision.models import (
    ArchiveRating,
    Checkpoint,
    Point,
    Rectification,
    Result,
    SelfCheck,
    SelfCheckItem,
    SupervisionRound,
    Verification,
)
from kaohe.supervision.views.rounds import get_round_for

TEMPLATE = "supervision/department.html"
State = SupervisionRound.State


# Forms ------------------------------------------------------------------------------------------


class VerifyForm(forms.Form):
    """One item's verification. ``credit`` is prefilled with the rule's credit: left as shown, the
    rule applies to what was found; changed, it is an override and needs a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=[("", "—"), *Result.choices])
    actual_value = NormalisedDecimalField(
        label=gettext_lazy("Value verified"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    credit = NormalisedDecimalField(
        label=gettext_lazy("Credit"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        help_text=gettext_lazy("0 to 1. Change it only to override the rule, and say why."),
    )
    credit_shown = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=5, decimal_places=4)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for the credit"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason not completed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    current_stage = forms.CharField(
        label=gettext_lazy("Current stage and remedy"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    archive_rating = forms.ChoiceField(
        label=gettext_lazy("Archive rating"), required=False, choices=[("", "—"), *ArchiveRating.choices]
    )
    remarks = forms.CharField(
        label=gettext_lazy("Remarks"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item: Verification, **kwargs):
        kwargs.setdefault("auto_id", f"id_v{item.pk}_%s")
        super().__init__(*args, **kwargs)
        self.item = item
        if not item.node.target.is_quantified:
            del self.fields["actual_value"]
        else:
            self.fields["actual_value"].required = True

    @classmethod
    def for_item(cls, item: Verification, latest: ProgressReport | None) -> VerifyForm:
        """The form as the item stands: its record once verified, else prefilled from the latest approved report."""
        if item.is_verified:
            initial = {
                name: getattr(item, name)
                for name in (
                    "result",
                    "actual_value",
                    "credit",
                    "override_reason",
                    "reason",
                    "current_stage",
                    "archive_rating",
                    "remarks",
                )
            }
            initial["credit_shown"] = item.credit
        else:
            actual = latest.actual_value if latest is not None else None
            done = latest is not None and latest.status == Status.DONE
            rule = services.computed_credit(item, result=Result.DONE if done else "", actual_value=actual)
            initial = {"actual_value": actual, "credit": rule, "credit_shown": rule}
        initial["version"] = item.version
        return cls(initial=initial, item=item)

    def override(self) -> Decimal | None:
        """The credit to pass on: None (the rule) when it is still the one shown and no reason is given."""
        data = self.cleaned_data
        credit = data.get("credit")
        if credit is None:
            return None
        if credit == data.get("credit_shown") and not data.get("override_reason", "").strip():
            return None
        return credit


# Rows -------------------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: Verification
    line: SelfCheckItem | None
    reports: list[ProgressReport]
    latest: ProgressReport | None
    can_verify: bool
    form: VerifyForm | None = None
    message: str = ""
    tone: str = "warning"


def _items(round_: SupervisionRound, department_id: int):
    return Verification.objects.filter(round=round_, department_id=department_id).select_related(
        "node__target", "inspector"
    )


def _rows(items: list[Verification], can_verify: bool) -> list[ItemRow]:
    """Each item with the department's self-assessment and the approved reports on its node (3 queries)."""
    if not items:
        return []
    lines = {
        line.verification_id: line
        for line in SelfCheckItem.objects.filter(
            verification__in=[i.pk for i in items],
            selfcheck__state__in=[SelfCheck.State.SUBMITTED, SelfCheck.State.APPROVED],
        )
    }
    files = Evidence.objects.present().order_by("uploaded_at", "id")
    reports: dict[int, list[ProgressReport]] = {}
    for report in (
        ProgressReport.objects.approved()
        .filter(node__in=[i.node_id for i in items])
        .select_related("author")
        .prefetch_related(Prefetch("evidence", queryset=files, to_attr="files"))
        .order_by("-decided_at", "-id")
    ):
        reports.setdefault(report.node_id, []).append(report)
    rows = []
    for item in items:
        node_reports = reports.get(item.node_id, [])
        latest = node_reports[0] if node_reports else None
        row = ItemRow(item, lines.get(item.pk), node_reports, latest, can_verify)
        if can_verify:
            row.form = VerifyForm.for_item(item, latest)
        rows.append(row)
    return rows


def _figures(items: list[Verification]) -> dict:
    """The department's completion of its due items (carried-over items are not counted)."""
    due = [i for i in items if not i.carried_over]
    c = stats.completion(i.credit if i.credit is not None else Decimal(0) for i in due)
    return {
        "due": c.due,
        "completed": stats.format_count(c.completed),
        "not_completed": stats.format_count(c.not_completed),
        "percent": stats.format_percent(c),
        "verified": sum(1 for i in due if i.is_verified),
        "carried": len(items) - len(due),
    }


def _editable(round_: SupervisionRound) -> bool:
    return round_.state == State.ONSITE and not round_.is_frozen


def _department_for(request: HttpRequest, round_: SupervisionRound, pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None or not selectors.reads_verification(request.user, round_, department.pk):
        access.record_not_found(request, "org.Department", pk)
        raise Http404
    return department


def _checkpoints(round_: SupervisionRound, department: Department) -> list[dict]:
    saved = {c.point: c for c in Checkpoint.objects.filter(round=round_, department=department)}
    return [
        {
            "point": p.value,
            "label": p.label,
            "checked": saved[p.value].checked if p.value in saved else False,
            "note": saved[p.value].note if p.value in saved else "",
        }
        for p in Point
    ]


# Views ------------------------------------------------------------------------------------------


@require_safe
def department(request: HttpRequest, round_pk: int, department_pk: int) -> HttpResponse:
    round_ = get_round_for(request, round_pk)
    dept = _department_for(request, round_, department_pk)
    can_verify = _editable(round_) and selectors.verifies(request.user, round_, dept.pk)
    items = list(_items(round_, dept.pk))
    rows = _rows(items, can_verify)
    context = {
        "round": round_,
        "department": dept,
        "due_rows": [r for r in rows if not r.item.carried_over],
        "carried_rows": [r for r in rows if r.item.carried_over],
        "figures": _figures(items),
        "checkpoints": _checkpoints(round_, dept),
        "rectifications": _rectifications(round_, dept),
        "alongside": selectors.alongside(round_, dept.pk),
        "can_verify": can_verify,
        "can_find": not round_.year.is_read_only and selectors.verifies(request.user, round_, dept.pk),
        "editable": _editable(round_),
    }
    return render(request, TEMPLATE, context)


def _rectifications(round_: SupervisionRound, dept: Department) -> list[Rectification]:
    """The department's findings of this round, and those of earlier rounds still not closed."""
    found_here = Q(round=round_)
    still_open = Q(round__period_start__lt=round_.period_start) & ~Q(state=Rectification.State.CLOSED)
    return list(
        Rectification.objects.filter(found_here | still_open, department=dept)
        .select_related("round")
        .order_by("deadline", "id")
    )


def _item_for(request: HttpRequest, pk: int) -> Verification:
    item = Verification.objects.filter(pk=pk).select_related("round__year", "node__target", "inspector").first()
    if item is None or not selectors.reads_verification(request.user, item.round, item.department_id):
        access.record_not_found(request, "supervision.Verification", pk)
        raise Http404
    if not selectors.verifies(request.user, item.round, item.department_id):
        access.deny_write(request, item)
    return item


def _fragment(request: HttpRequest, row: ItemRow, *, status: int = 200, figures: dict | None = None) -> HttpResponse:
    context = {"row": row, "round": row.item.round, "can_verify": row.can_verify}
    html = render_to_string(f"{TEMPLATE}#item", context, request=request)
    if figures is not None:
        html += render_to_string(f"{TEMPLATE}#figures", {"figures": figures, "oob": True}, request=request)
    return HttpResponse(html, status=status)


def _one_row(
    item: Verification, *, form: VerifyForm | None = None, message: str = "", tone: str = "warning", can_verify=True
) -> ItemRow:
    row = _rows([item], can_verify)[0]
    if form is not None:
        row.form = form
    row.message, row.tone = message, tone
    return row


def _refused(request: HttpRequest, item: Verification, message: str) -> HttpResponse:
    """409: the round is not on site (or closed); the item is shown as it is, without a form."""
    if request.htmx:
        return _fragment(request, _one_row(item, message=message, can_verify=False), status=409)
    return render(request, "progress/refused.html", {"refusals": [message], "back": _department_url(item)}, status=409)


def _department_url(item: Verification) -> str:
    return reverse("supervision:department", args=[item.round_id, item.department_id])


@require_POST
def item_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk)
    if not _editable(item.round):
        return _refused(request, item, _("Items are verified while the round is on site; this round is not."))
    form = VerifyForm(request.POST, item=item)
    if not form.is_valid():
        return _invalid(request, item, form)
    data = form.cleaned_data
    try:
        saved = services.verify_item(
            item=item,
            by=request.user,
            version=data["version"],
            result=data["result"],
            actual_value=data.get("actual_value"),
            credit=form.override(),
            override_reason=data["override_reason"],
            reason=data["reason"],
            current_stage=data["current_stage"],
            archive_rating=data["archive_rating"],
            remarks=data["remarks"],
        )
    except Conflict as exc:
        # What the other inspector recorded replaces the form's values: nothing of theirs is overwritten.
        current = _items(item.round, item.department_id).get(pk=exc.current.pk)
        message = _("Another inspector has verified this item since you opened it; below is what they recorded.")
        if request.htmx:
            return _fragment(request, _one_row(current, message=message), status=409)
        return _page(request, current, message=message, status=409)
    except Locked as exc:
        return _refused(request, item, " ".join(exc.messages))
    except ValidationError as exc:
        add_errors(form, exc)
        return _invalid(request, item, form)
    if request.htmx:
        saved = _items(item.round, item.department_id).get(pk=saved.pk)
        figures = _figures(list(_items(item.round, item.department_id)))
        row = _one_row(saved, message=_("The verification has been saved."), tone="success")
        return _fragment(request, row, figures=figures)
    messages.success(request, _("The verification has been saved."))
    return redirect(f"{_department_url(item)}#item-{item.pk}")


def _invalid(request: HttpRequest, item: Verification, form: VerifyForm) -> HttpResponse:
    if request.htmx:
        return _fragment(request, _one_row(item, form=form), status=400)
    return _page(request, item, form=form, status=400)


def _page(request: HttpRequest, item: Verification, *, form=None, message: str = "", status: int) -> HttpResponse:
    """The department page again (without JavaScript), with one item's form as it was sent or as it now is."""
    round_ = item.round
    dept = Department.objects.get(pk=item.department_id)
    items = list(_items(round_, dept.pk))
    rows = _rows(items, True)
    for row in rows:
        if row.item.pk == item.pk:
            if form is not None:
                row.form = form
            row.message = message
    context = {
        "round": round_,
        "department": dept,
        "due_rows": [r for r in rows if not r.item.carried_over],
        "carried_rows": [r for r in rows if r.item.carried_over],
        "figures": _figures(items),
        "checkpoints": _checkpoints(round_, dept),
        "can_verify": True,
        "editable": True,
    }
    return render(request, TEMPLATE, context, status=status)


@require_POST
def checkpoints(request: HttpRequest, round_pk: int, department_pk: int) -> HttpResponse:
    round_ = get_round_for(request, round_pk)
    dept = _department_for(request, round_, department_pk)
    if not selectors.verifies(request.user, round_, dept.pk):
        access.deny_write(request, dept)
    back = reverse("supervision:department", args=[round_.pk, dept.pk])
    points = {
        p.value: (request.POST.get(f"checked_{p.value}") == "on", request.POST.get(f"note_{p.value}", "")[:4000])
        for p in Point
    }
    try:
        services.save_checkpoints(round_=round_, department=dept, by=request.user, points=points)
    except Locked as exc:
        return render(request, "progress/refused.html", {"refusals": exc.messages, "back": back}, status=409)
    if request.htmx:
        context = {
            "round": round_,
            "department": dept,
            "checkpoints": _checkpoints(round_, dept),
            "can_verify": True,
            "saved": True,
        }
        return render(request, f"{TEMPLATE}#checkpoints", context)
    messages.success(request, _("The inspection points have been saved."))
    return redirect(f"{back}#checkpoints")


urlpatterns = [
    path("<int:round_pk>/departments/<int:department_pk>/", department, name="department"),
    path("<int:round_pk>/departments/<int:department_pk>/checkpoints/", checkpoints, name="checkpoints"),
    path("items/<int:pk>/verify/", item_verify, name="item-verify"),
]
