"""The department's self-check report (自查报告) for a round: write, submit, approve or return.

Who reads a report: its own department's head and liaisons (always, drafts included); the office
and the leaders once it has been submitted; the inspectors assigned to the department in the round,
also once submitted. Everyone else gets 404, exactly as for a report that does not exist. Only the
department's head and liaisons change and submit it, and only its head approves or returns it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kaohe.org import access
from kaohe.org.models import Role
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.views import refused
from kaohe.supervision import services
from kaohe.supervision.forms_selfcheck import SelfCheckDecideForm, SelfCheckForm
from kaohe.supervision.models import Assignment, SelfCheck, SelfCheckItem, SupervisionRound


def visible_selfchecks(user) -> QuerySet[SelfCheck]:
    own = access.own_department_ids(user)
    q = Q(department__in=own)
    sent = Q(submitted_at__isnull=False)
    if access.reads_all_assessment(user):
        q |= sent
    elif access.has_role(user, {Role.INSPECTOR}):
        assigned = Assignment.objects.filter(round=OuterRef("round"), department=OuterRef("department"), inspector=user)
        q |= sent & Q(Exists(assigned))
    return SelfCheck.objects.filter(q)


def get_selfcheck_for(request: HttpRequest, pk: int) -> SelfCheck:
    selfcheck = (
        visible_selfchecks(request.user)
        .filter(pk=pk)
        .select_related("round__year", "department", "submitted_by", "decided_by")
        .first()
    )
    if selfcheck is None:
        access.record_not_found(request, "supervision.SelfCheck", pk)
        raise Http404
    return selfcheck


def lines_of(selfcheck: SelfCheck) -> list[SelfCheckItem]:
    return list(
        selfcheck.lines.select_related("verification__node__target").order_by(
            "verification__carried_over",
            "verification__node__target__order",
            "verification__node__target__code",
            "verification__node__due_date",
            "id",
        )
    )


def writes_selfcheck(user, selfcheck: SelfCheck) -> bool:
    """The department's own head and liaisons write its report (the office reads, it does not write)."""
    return selfcheck.department_id in access.own_department_ids(user)


def approves_selfcheck(user, selfcheck: SelfCheck) -> bool:
    return selfcheck.department_id in access.own_department_ids(user, {Role.HEAD})


def editable(selfcheck: SelfCheck) -> bool:
    round_ = selfcheck.round
    return selfcheck.is_editable and round_.state == SupervisionRound.State.ANNOUNCED and not round_.year.is_read_only


def conflict_message() -> str:
    return _(
        "This self-check report has been changed by someone else since you opened it. "
        "Below are the current values; make your change again."
    )


def _context(request: HttpRequest, selfcheck: SelfCheck, form: SelfCheckForm) -> dict:
    user = request.user
    can_edit = editable(selfcheck) and writes_selfcheck(user, selfcheck)
    return {
        "selfcheck": selfcheck,
        "round": selfcheck.round,
        "form": form,
        "can_edit": can_edit,
        "can_decide": selfcheck.state == SelfCheck.State.SUBMITTED and approves_selfcheck(user, selfcheck),
        "deadline_passed": selfcheck.round.deadline_passed(timezone.now()),
        "decide_form": SelfCheckDecideForm(),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def selfcheck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the report (a form for its department while it is open); POST: save the draft."""
    selfcheck = get_selfcheck_for(request, pk)
    if request.method == "POST":
        return _save(request, selfcheck, submit=False)
    form = SelfCheckForm.for_selfcheck(selfcheck, lines_of(selfcheck))
    return render(request, "supervision/selfcheck.html", _context(request, selfcheck, form))


@require_POST
def selfcheck_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the form holds, then send it to the head (late after the deadline's last second)."""
    selfcheck = get_selfcheck_for(request, pk)
    return _save(request, selfcheck, submit=True)


def _save(request: HttpRequest, selfcheck: SelfCheck, *, submit: bool) -> HttpResponse:
    if not writes_selfcheck(request.user, selfcheck):
        access.deny_write(request, selfcheck)
    back = reverse("supervision:selfcheck", args=[selfcheck.pk])
    if not editable(selfcheck):
        return refused(request, ValidationError(_("This self-check report can no longer change.")), back=back)
    lines = lines_of(selfcheck)
    form = SelfCheckForm(request.POST, lines=lines)
    status = 400
    if form.is_valid() and submit and not form.cleaned_data["summary"]:
        form.add_error("summary", _("Write the summary of the self-check before submitting it."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # saved and submitted together, or neither
                saved = services.save_selfcheck(
                    selfcheck=selfcheck,
                    by=request.user,
                    version=data["version"],
                    summary=data["summary"],
                    problems=data["problems"],
                    suggestions=data["suggestions"],
                    lines=form.line_values(),
                )
                if submit:
                    saved = services.submit_selfcheck(selfcheck=saved, by=request.user)
        except Conflict as exc:
            # What is saved now replaces what was typed, so nothing the other person saved is lost.
            form = SelfCheckForm.with_current_values(exc.current, lines_of(exc.current))
            form.add_error(None, conflict_message())
            status = 409
        except Locked as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            if not submit:
                messages.success(request, _("The self-check report has been saved."))
            elif saved.late:
                messages.warning(
                    request, _("The self-check report has been sent to the head; it is marked as submitted late.")
                )
            else:
                messages.success(request, _("The self-check report has been sent to the head for approval."))
            return redirect(back)
    selfcheck.refresh_from_db()
    return render(request, "supervision/selfcheck.html", _context(request, selfcheck, form), status=status)


@require_POST
def selfcheck_decide(request: HttpRequest, pk: int) -> HttpResponse:
    selfcheck = get_selfcheck_for(request, pk)
    if not approves_selfcheck(request.user, selfcheck):
        access.deny_write(request, selfcheck)
    back = reverse("supervision:selfcheck", args=[selfcheck.pk])
    form = SelfCheckDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to return the report."))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_selfcheck(
            selfcheck=selfcheck, by=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except Locked as exc:
        return refused(request, exc, back=back)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The self-check report has been approved.") if approve else _("The self-check report has been returned."),
        )
    return redirect(back)


urlpatterns = [
    path("selfchecks/<int:pk>/", selfcheck_detail, name="selfcheck"),
    path("selfchecks/<int:pk>/submit/", selfcheck_submit, name="selfcheck-submit"),
    path("selfchecks/<int:pk>/decide/", selfcheck_decide, name="selfcheck-decide"),
]
