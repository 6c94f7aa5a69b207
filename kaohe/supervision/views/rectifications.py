"""Rectification (整改): a finding gets an owner department, a deadline and a closing record.

Who reads one: the office and the leaders, all; the department, its own; an inspector, those of a
department assigned to them in the round the finding was made in, and, while still open, those of a
department assigned to them in a later round (an open finding follows the department into the next
round). The same rule guards the closing evidence files. The office or the department's inspector
records a finding; the department answers with what it did and its evidence; the office closes it
or sends it back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kaohe.lib.uploads import ALLOWED_TYPES
from kaohe.org import access
from kaohe.org.models import Department, Role
from kaohe.progress import files
from kaohe.progress.errors import Locked
from kaohe.progress.views import refused
from kaohe.supervision import selectors, services
from kaohe.supervision.forms_selfcheck import (
    RectificationAnswerForm,
    RectificationDecideForm,
    RectificationFilterForm,
    RectificationForm,
)
from kaohe.supervision.models import Assignment, Rectification, RectificationFile, Verification
from kaohe.supervision.views.rounds import get_round_for

PAGE_SIZE = 50


def visible_rectifications(user) -> QuerySet[Rectification]:
    rectifications = Rectification.objects.all()
    if access.reads_all_assessment(user):
        return rectifications
    q = Q(department__in=access.own_department_ids(user))
    if access.has_role(user, {Role.INSPECTOR}):
        mine = Assignment.objects.filter(inspector=user, department=OuterRef("department"))
        q |= Q(Exists(mine.filter(round=OuterRef("round"))))
        q |= ~Q(state=Rectification.State.CLOSED) & Q(
            Exists(mine.filter(round__period_start__gte=OuterRef("round__period_start")))
        )
    return rectifications.filter(q)


def get_rectification_for(request: HttpRequest, pk: int) -> Rectification:
    item = (
        visible_rectifications(request.user)
        .filter(pk=pk)
        .select_related("round__year", "department", "verification__node__target", "created_by", "closed_by")
        .first()
    )
    if item is None:
        access.record_not_found(request, "supervision.Rectification", pk)
        raise Http404
    return item


def answers_for(user, item: Rectification) -> bool:
    """The department's own head and liaisons answer its rectification."""
    return item.department_id in access.own_department_ids(user)


# The list -------------------------------------------------------------------------------------


@require_safe
def rectification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rounds = selectors.visible_rounds(user)
    departments = access.assessment_departments(user).filter(active=True).order_by("order", "id")
    form = RectificationFilterForm(request.GET or None, rounds=rounds, departments=departments)
    items = visible_rectifications(user).select_related("round", "department", "verification__node__target")
    items = items.annotate(file_count=Count("files")).order_by("deadline", "id")
    chosen_round = None
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            items = items.filter(state=data["state"])
        if data["department"]:
            items = items.filter(department=data["department"])
        chosen_round = data["round"]
        if chosen_round:
            # Found in this round, or found earlier and still open: they are this round's business too.
            earlier_open = Q(round__period_start__lt=chosen_round.period_start) & ~Q(state=Rectification.State.CLOSED)
            items = items.filter(Q(round=chosen_round) | earlier_open)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "chosen_round": chosen_round,
        "today": timezone.localdate(),
    }
    return render(request, "supervision/rectification_list.html", context)


# Recording a finding --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def rectification_create(request: HttpRequest, round_pk: int, department_pk: int) -> HttpResponse:
    round_ = get_round_for(request, round_pk)
    department = Department.objects.filter(pk=department_pk).first()
    if department is None or not selectors.verifies(request.user, round_, department.pk):
        access.record_not_found(request, "org.Department", department_pk)
        raise Http404
    items = (
        Verification.objects.filter(round=round_, department=department)
        .select_related("node__target")
        .order_by("node__target__order", "node__target__code", "node__due_date", "id")
    )
    form = RectificationForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if data["deadline"] < timezone.localdate():
                form.add_error("deadline", _("The deadline lies in the past."))
        if form.is_valid():
            try:
                item = services.create_rectification(
                    round_=round_,
                    department=department,
                    by=request.user,
                    finding=data["finding"],
                    deadline=data["deadline"],
                    verification=data["verification"],
                )
            except Locked as exc:
                form.add_error(None, exc)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request, _("The rectification has been recorded; the department sees it in its to-do list.")
                )
                return redirect("supervision:rectification-detail", item.pk)
    context = {"round": round_, "department": department, "form": form}
    return render(request, "supervision/rectification_form.html", context, status=status)


# One rectification ------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, item: Rectification, *, answer_form=None, decide_form=None) -> dict:
    user = request.user
    mb = 1024 * 1024
    return {
        "r": item,
        "files": list(item.files.select_related("uploaded_by")),
        "can_answer": item.state == Rectification.State.OPEN and answers_for(user, item),
        "can_decide": item.state == Rectification.State.SUBMITTED and access.has_role(user, {Role.OFFICE}),
        "answer_form": answer_form or RectificationAnswerForm(initial={"response": item.response}),
        "decide_form": decide_form or RectificationDecideForm(),
        "overdue": item.state != Rectification.State.CLOSED and item.deadline < timezone.localdate(),
        "max_file_mb": settings.EVIDENCE_MAX_FILE_BYTES // mb,
        "max_files": settings.EVIDENCE_MAX_FILES_PER_REPORT,
        "accept": ",".join(ALLOWED_TYPES),
    }


@require_safe
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_rectification_for(request, pk)
    return render(request, "supervision/rectification_detail.html", _detail_context(request, item))


@require_POST
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_rectification_for(request, pk)
    if not answers_for(request.user, item):
        access.deny_write(request, item)
    back = reverse("supervision:rectification-detail", args=[item.pk])
    if item.state != Rectification.State.OPEN:
        return refused(
            request, ValidationError(_("This rectification is not open; it cannot be answered now.")), back=back
        )
    form = RectificationAnswerForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.submit_rectification(
                rectification=item,
                by=request.user,
                response=form.cleaned_data["response"],
                files=form.cleaned_data["files"],
            )
        except Locked as exc:
            return refused(request, exc, back=back)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("files", exc.messages)
        else:
            messages.success(request, _("The answer has been sent to the office for checking."))
            return redirect(back)
    return render(
        request,
        "supervision/rectification_detail.html",
        _detail_context(request, item, answer_form=form),
        status=status,
    )


@require_POST
def rectification_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_rectification_for(request, pk)
    back = reverse("supervision:rectification-detail", args=[item.pk])
    form = RectificationDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to close the rectification or to send it back."))
        return redirect(back)
    close = form.cleaned_data["decision"] == "close"
    try:
        services.decide_rectification(rectification=item, by=request.user, close=close, note=form.cleaned_data["note"])
    except Locked as exc:
        return refused(request, exc, back=back)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The rectification has been closed.")
            if close
            else _("The rectification has been sent back to the department."),
        )
    return redirect(back)


@require_safe
def rectification_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing evidence leaves only through here, for those who read the rectification, as an attachment."""
    row = (
        RectificationFile.objects.filter(pk=pk, rectification__in=visible_rectifications(request.user))
        .select_related("rectification")
        .first()
    )
    if row is None:
        access.record_not_found(request, "supervision.RectificationFile", pk)
        raise Http404
    return files.download(request, row)


urlpatterns = [
    path("rectifications/", rectification_list, name="rectification-list"),
    path(
        "<int:round_pk>/departments/<int:department_pk>/rectifications/new/",
        rectification_create,
        name="rectification-create",
    ),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification-detail"),
    path("rectifications/<int:pk>/submit/", rectification_submit, name="rectification-submit"),
    path("rectifications/<int:pk>/decide/", rectification_decide, name="rectification-decide"),
    path("rectifications/files/<int:pk>/", rectification_file, name="rectification-file"),
]
