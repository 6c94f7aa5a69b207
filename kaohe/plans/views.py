from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaohe.audit.log import Kind, record
from kaohe.lib.spreadsheets import read_sheet_upload
from kaohe.org import access
from kaohe.org.forms import ImportUploadForm
from kaohe.org.models import AssessmentYear, Department
from kaohe.plans import exports, selectors, services, tasks
from kaohe.plans.forms import (
    AdjustmentDecisionForm,
    AdjustmentForm,
    DecideForm,
    NodeFormSet,
    ShareFormSet,
    SubmitForm,
    TargetFilterForm,
    TargetForm,
    node_initial,
)
from kaohe.plans.models import Adjustment, ImportJob, Target, TargetPlan

PAGE_SIZE = 50


def _year(request: HttpRequest) -> AssessmentYear:
    value = request.GET.get("year", "")
    year = AssessmentYear.objects.filter(year=value).first() if value.isdigit() else selectors.current_year()
    if year is None:
        raise Http404
    return year


def get_plan_for(request: HttpRequest, pk: int) -> TargetPlan:
    plan = (
        TargetPlan.objects.filter(pk=pk, department__in=access.assessment_departments(request.user))
        .select_related("department", "year", "submitted_by", "decided_by")
        .first()
    )
    if plan is None:
        access.record_not_found(request, "plans.TargetPlan", pk)
        raise Http404
    return plan


def get_target_for(request: HttpRequest, pk: int) -> Target:
    target = (
        selectors.visible_targets(request.user)
        .filter(pk=pk)
        .select_related("plan__department", "plan__year", "lead_department", "parent__plan__department")
        .first()
    )
    if target is None:
        access.record_not_found(request, "plans.Target", pk)
        raise Http404
    return target


# Plans ----------------------------------------------------------------------------------------


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    departments = list(selectors.plan_overview(request.user, year))
    rows = [(d, d.year_plans[0] if d.year_plans else None) for d in departments]
    return render(request, "plans/plan_list.html", {"year": year, "rows": rows, "years": AssessmentYear.objects.all()})


@require_safe
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request, pk)
    targets = selectors.plan_targets(plan)
    check = selectors.plan_check(plan, targets)
    user = request.user
    context = {
        "plan": plan,
        "targets": targets,
        "check": check,
        "can_edit": plan.is_editable and access.writes_for(user, plan.department),
        "can_submit": plan.is_editable and access.submits_for(user, plan.department),
        "can_decide": plan.state == TargetPlan.State.SUBMITTED and access.has_role(user, access.DECIDERS),
        "submit_form": SubmitForm(),
        "decide_form": DecideForm(),
    }
    template = "plans/plan_detail.html" + ("#plan-check" if request.htmx else "")
    return render(request, template, context)


@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request, pk)
    if not access.submits_for(request.user, plan.department):
        access.deny_write(request, plan)
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        services.submit_plan(plan=plan, by=request.user, warnings_note=form.cleaned_data.get("warnings_note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan has been submitted to the assessment office."))
    return redirect("plans:plan-detail", plan.pk)


@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to return the plan."))
        return redirect("plans:plan-detail", plan.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_plan(plan=plan, by=request.user, approve=approve, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan has been approved.") if approve else _("The plan has been returned."))
    return redirect("plans:plan-detail", plan.pk)


# Targets --------------------------------------------------------------------------------------


def _filtered_targets(request: HttpRequest, year: AssessmentYear):
    departments = access.assessment_departments(request.user).filter(active=True)
    form = TargetFilterForm(request.GET or None, departments=departments)
    targets = selectors.target_list(request.user, year)
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["department"]:
            targets = targets.filter(plan__department=data["department"])
        if data["category"]:
            targets = targets.filter(category=data["category"])
        if data["core"]:
            targets = targets.filter(core=data["core"] == "1")
        if data["due"]:
            targets = targets.filter(_due_filter(data["due"], year.year)).distinct()
        if data["q"].strip():
            q = data["q"].strip()
            targets = targets.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(responsible__icontains=q))
        state = data["state"]
    if state == "":
        targets = targets.filter(withdrawn=False)
    elif state == "withdrawn":
        targets = targets.filter(withdrawn=True)
    return form, targets


def _due_filter(due: str, year: int) -> Q:
    """Targets with a node due in the quarter ("q3") or month ("m9") of the year."""
    number = int(due[1:])
    months = range(3 * number - 2, 3 * number + 1) if due.startswith("q") else [number]
    return Q(nodes__due_date__year=year, nodes__due_date__month__in=list(months))


@require_safe
def target_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form, targets = _filtered_targets(request, year)
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "plans/target_list.html" + ("#target-rows" if request.htmx else "")
    return render(request, template, {"year": year, "form": form, "page": page})


@require_safe
def target_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    _form, targets = _filtered_targets(request, year)
    data = exports.targets_workbook(targets)
    record(
        Kind.EXPORT,
        actor=request.user,
        object_type="plans.Target",
        changes={"year": year.year, "filter": request.GET.urlencode()},
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="targets-{year.year}.xlsx"'
    return response


@require_safe
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target_for(request, pk)
    shares = target.shares.select_related("plan__department").prefetch_related("nodes")
    versions = target.history.select_related("history_user").order_by("-history_date", "-history_id")[:30]
    user = request.user
    return render(
        request,
        "plans/target_detail.html",
        {
            "target": target,
            "nodes": target.nodes.all(),
            "shares": shares,
            "share_total": sum((s.target_value or 0) for s in shares if not s.withdrawn),
            "versions": versions,
            "adjustments": target.adjustments.select_related("requested_by", "decided_by"),
            "can_edit": target.plan.is_editable
            and not target.parent_id
            and access.writes_for(user, target.plan.department),
            "can_split": target.is_split and access.submits_for(user, target.plan.department),
            "can_adjust": target.plan.state == TargetPlan.State.APPROVED
            and not target.withdrawn
            and access.writes_for(user, target.plan.department),
        },
    )


def _target_form(request: HttpRequest, plan: TargetPlan, target: Target | None) -> HttpResponse:
    if not plan.is_editable or not access.writes_for(request.user, plan.department) or (target and target.parent_id):
        access.deny_write(request, target or plan)
    form = TargetForm(request.POST or None, instance=target, plan=plan)
    nodes = NodeFormSet(request.POST or None, initial=node_initial(target), prefix="nodes")
    if request.method == "POST" and form.is_valid() and nodes.is_valid():
        try:
            saved = services.save_target(
                plan=plan,
                target=target,
                data=form.target_data(),
                co_departments=form.cleaned_data["co_departments"],
                nodes=nodes.nodes(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Target %(code)s saved.") % {"code": saved.code})
            return redirect("plans:plan-detail", plan.pk)
    return render(request, "plans/target_form.html", {"form": form, "nodes": nodes, "plan": plan, "target": target})


def target_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    return _target_form(request, get_plan_for(request, plan_pk), None)


def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_target_for(request, pk)
    return _target_form(request, target.plan, target)


def target_split(request: HttpRequest, pk: int) -> HttpResponse:
    parent = get_target_for(request, pk)
    if not parent.is_split or not access.submits_for(request.user, parent.plan.department):
        access.deny_write(request, parent)
    colleges = Department.objects.active().filter(kind=Department.Kind.TEACHING)
    existing = {s.plan.department_id: s for s in parent.shares.filter(withdrawn=False).prefetch_related("nodes")}
    initial = []
    for college in colleges:
        share = existing.get(college.pk)
        last = share.nodes.all()[len(share.nodes.all()) - 1] if share and share.nodes.all() else None
        initial.append(
            {
                "department": college.pk,
                "target_value": share.target_value if share else None,
                "due_date": last.due_date if last else None,
            }
        )
    formset = ShareFormSet(request.POST or None, initial=initial, prefix="shares", form_kwargs={"colleges": colleges})
    if request.method == "POST" and formset.is_valid():
        shares = [
            services.ShareData(
                f.cleaned_data["department"],
                f.cleaned_data["target_value"],
                [services.NodeData(f.cleaned_data["due_date"], "", f.cleaned_data["target_value"])],
            )
            for f in formset.forms
            if f.cleaned_data.get("department") and f.cleaned_data.get("target_value") not in (None, 0)
        ]
        try:
            services.split_target(parent=parent, shares=shares)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The target has been split to %(count)d colleges.") % {"count": len(shares)})
            return redirect("plans:target-detail", parent.pk)
    return render(request, "plans/target_split.html", {"target": parent, "formset": formset})


# Adjustments ----------------------------------------------------------------------------------


def adjustment_create(request: HttpRequest, target_pk: int) -> HttpResponse:
    target = get_target_for(request, target_pk)
    if not access.writes_for(request.user, target.plan.department) or target.parent_id:
        access.deny_write(request, target)
    form = AdjustmentForm(
        request.POST or None,
        initial={
            "title": target.title,
            "target_value": target.target_value,
            "weight": target.weight,
            "responsible": target.responsible,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: (str(v) if v is not None else None) for k, v in data.items() if k not in ("kind", "reason")}
        try:
            services.request_adjustment(
                target=target,
                kind=data["kind"],
                reason=data["reason"],
                proposal={"fields": fields},
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The adjustment request has been sent to the assessment office."))
            return redirect("plans:target-detail", target.pk)
    return render(request, "plans/adjustment_form.html", {"form": form, "target": target})


@require_safe
def adjustment_list(request: HttpRequest) -> HttpResponse:
    adjustments = Adjustment.objects.filter(
        target__plan__department__in=access.assessment_departments(request.user)
    ).select_related("target__plan__department", "requested_by", "decided_by")
    state = request.GET.get("state", "pending")
    if state in Adjustment.State.values:
        adjustments = adjustments.filter(state=state)
    page = Paginator(adjustments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/adjustment_list.html",
        {
            "page": page,
            "state": state,
            "can_decide": access.has_role(request.user, access.DECIDERS),
            "states": Adjustment.State.choices,
        },
    )


@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = Adjustment.objects.filter(pk=pk).select_related("target").first()
    if adjustment is None:
        raise Http404
    form = AdjustmentDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_adjustment(
                adjustment=adjustment,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The adjustment has been decided."))
    return redirect("plans:adjustment-list")


# Excel import: upload → background check with progress → preview → confirm → background write -----


def import_upload(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_sheet_upload(upload)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            token = secrets.token_hex(16)
            path = tasks.upload_path(token)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            job = ImportJob.objects.create(year=year, user=request.user, filename=upload.name[:255], token=token)
            tasks.check_import.enqueue(job.pk)
            return redirect("plans:import-job", job.pk)
    jobs = ImportJob.objects.filter(user=request.user).select_related("year")[:10]
    return render(request, "plans/import.html", {"form": form, "year": year, "jobs": jobs})


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, user=request.user).select_related("year").first()
    if job is None:
        access.record_not_found(request, "plans.ImportJob", pk)
        raise Http404
    return job


@require_safe
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    progress = tasks.import_progress(job.pk)
    context = {
        "job": job,
        "progress": progress,
        "percent": int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0,
        "running": job.state in (ImportJob.State.CHECKING, ImportJob.State.APPLYING),
    }
    template = "plans/import_job.html" + ("#job-status" if request.htmx else "")
    return render(request, template, context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(state=ImportJob.State.APPLYING)
    if updated and not job.result.get("error_count"):
        tasks.apply_import.enqueue(job.pk)
    elif updated:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED)
        messages.error(request, _("The import has errors; nothing was written."))
    return redirect("plans:import-job", job.pk)


@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    names = list(access.assessment_departments(request.user).filter(active=True).values_list("name", flat=True))
    response = HttpResponse(
        exports.template_workbook(names),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="targets-template.xlsx"'
    return response
