from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaohe.audit.log import Kind, record
from kaohe.lib.inputs import add_errors
from kaohe.lib.uploads import ALLOWED_TYPES
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import Node
from kaohe.plans.selectors import current_year, visible_targets
from kaohe.progress import exports, files, selectors, services
from kaohe.progress.errors import Conflict, Locked
from kaohe.progress.forms import DecideForm, EditReportForm, NewReportForm, NodeFilterForm, ReasonForm
from kaohe.progress.models import ArchiveExport, Evidence, ProgressReport, Status
from kaohe.progress.todo import sections as todo_sections

PAGE_SIZE = 50


def _not_found(request: HttpRequest, object_type: str, pk) -> Http404:
    access.record_not_found(request, object_type, pk)
    return Http404()


def get_node_for(request: HttpRequest, pk: int) -> Node:
    node = (
        selectors.visible_nodes(request.user)
        .filter(pk=pk)
        .select_related("target__plan__department", "target__plan__year", "target__year")
        .first()
    )
    if node is None:
        raise _not_found(request, "plans.Node", pk)
    return node


def get_report_for(request: HttpRequest, pk: int) -> ProgressReport:
    report = (
        selectors.visible_reports(request.user)
        .filter(pk=pk)
        .select_related("node__target__plan__department", "node__target__year", "department", "author", "decided_by")
        .first()
    )
    if report is None:
        raise _not_found(request, "progress.ProgressReport", pk)
    return report


def get_evidence_for(request: HttpRequest, pk: int) -> Evidence:
    evidence = selectors.visible_evidence(request.user).filter(pk=pk).select_related("report", "node").first()
    if evidence is None:
        raise _not_found(request, "progress.Evidence", pk)
    return evidence


def refused(request: HttpRequest, exc: ValidationError, *, back: str) -> HttpResponse:
    """409: the action is refused because of the object's state (approved, verified), not the person."""
    return render(request, "progress/refused.html", {"refusals": exc.messages, "back": back}, status=409)


def _uploads(form) -> list[services.Upload]:
    return [services.Upload(file=f, kind=form.cleaned_data["kind"]) for f in form.cleaned_data.get("files") or []]


# A node and its reports -----------------------------------------------------------------------


@require_safe
def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_node_for(request, pk)
    user, department = request.user, node.target.plan.department
    reports = selectors.node_reports(user, node)
    standing = selectors.with_standing(Node.objects.filter(pk=node.pk)).values("latest_status", "latest_value").get()
    node.latest_status = standing["latest_status"]
    seal = selectors.seal_of(node)
    try:
        services.check_reportable(node)
        reportable = True
    except ValidationError:
        reportable = False
    context = {
        "node": node,
        "target": node.target,
        "reports": reports,
        "standing": standing,
        "latest_status_label": Status(standing["latest_status"]).label if standing["latest_status"] else "",
        "light": selectors.node_light(node, selectors.today()),
        "seal": seal,
        "can_report": reportable and access.writes_for(user, department),
        "can_seal": access.has_role(user, {Role.OFFICE}) and not node.target.year.is_read_only,
        "reason_form": ReasonForm(),
    }
    return render(request, "progress/node_detail.html", context)


def report_create(request: HttpRequest, node_pk: int) -> HttpResponse:
    node = get_node_for(request, node_pk)
    if not access.writes_for(request.user, node.target.plan.department):
        access.deny_write(request, node)
    quantified = node.target.is_quantified
    form = NewReportForm(request.POST or None, request.FILES or None, quantified=quantified)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report, created = services.submit_report(
                node=node,
                by=request.user,
                key=data["key"],
                status=data["status"],
                narrative=data["narrative"],
                actual_value=data.get("actual_value"),
                uploads=_uploads(form),
            )
        except Locked as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if created:
                messages.success(request, _("The report has been sent to the department head for approval."))
            return redirect("progress:report-detail", report.pk)
    if request.method == "POST" and status == 200:
        status = 400 if form.errors else 200
    context = {"node": node, "target": node.target, "form": form, **_limits()}
    return render(request, "progress/report_form.html", context, status=status)


def _limits() -> dict:
    mb = 1024 * 1024
    return {
        "max_file_mb": settings.EVIDENCE_MAX_FILE_BYTES // mb,
        "max_files": settings.EVIDENCE_MAX_FILES_PER_REPORT,
        "max_request_mb": settings.UPLOAD_MAX_REQUEST_BYTES // mb,
        "accept": ",".join(ALLOWED_TYPES),
    }


@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request, pk)
    user, department = request.user, report.department
    files = report.evidence.present().select_related("uploaded_by")
    sealed = services.is_sealed(report.node)
    context = {
        "report": report,
        "node": report.node,
        "target": report.node.target,
        "files": files,
        "sealed": sealed,
        "can_edit": report.is_editable and not sealed and access.writes_for(user, department),
        "can_decide": report.state == ProgressReport.State.SUBMITTED and approves_for(user, department),
        "decide_form": DecideForm(),
        "versions": report.history.select_related("history_user").order_by("-history_date", "-history_id")[:20],
    }
    return render(request, "progress/report_detail.html", context)


def approves_for(user, department: Department) -> bool:
    """Only the department's own head approves its reports (the office sees what was approved)."""
    return department.pk in access.own_department_ids(user, {Role.HEAD})


def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request, pk)
    if not access.writes_for(request.user, report.department):
        access.deny_write(request, report)
    quantified = report.node.target.is_quantified
    if request.method != "POST":
        form = EditReportForm.for_report(report)
        return render(request, "progress/report_form.html", _edit_context(report, form))
    form = EditReportForm(request.POST, request.FILES, quantified=quantified)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_report(
                report=report,
                by=request.user,
                version=data["version"],
                status=data["status"],
                narrative=data["narrative"],
                actual_value=data.get("actual_value"),
                uploads=_uploads(form),
            )
        except Conflict as exc:
            # The current values replace the form's, so nothing the other person saved is overwritten.
            form = EditReportForm.with_current_values(exc.current)
            form.add_error(
                None,
                _(
                    "This report has been changed by someone else since you opened it. "
                    "Below are the current values; make your change again."
                ),
            )
            status = 409
        except Locked as exc:
            form.add_error(None, exc)
            status = 409
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The report has been saved and sent to the department head again."))
            return redirect("progress:report-detail", report.pk)
    return render(request, "progress/report_form.html", _edit_context(report, form), status=status)


def _edit_context(report: ProgressReport, form) -> dict:
    files = report.evidence.present()
    return {
        "report": report,
        "node": report.node,
        "target": report.node.target,
        "form": form,
        "files": files,
        **_limits(),
    }


@require_POST
def report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for(request, pk)
    if not approves_for(request.user, report.department):
        access.deny_write(request, report)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to return the report."))
        return redirect("progress:report-detail", report.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_report(report=report, by=request.user, approve=approve, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report has been approved.") if approve else _("The report has been returned."))
    return redirect("progress:report-detail", report.pk)


# Files ----------------------------------------------------------------------------------------


@require_safe
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Files leave only through here: access checked, always as an attachment, never rendered."""
    return files.download(request, get_evidence_for(request, pk))


@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for(request, pk)
    if not access.writes_for(request.user, evidence.department):
        access.deny_write(request, evidence)
    try:
        services.remove_evidence(evidence=evidence, by=request.user)
    except Locked as exc:
        return refused(request, exc, back=reverse("progress:report-detail", args=[evidence.report_id]))
    messages.success(request, _("The file has been removed from the report."))
    return redirect("progress:report-edit", evidence.report_id)


# Verification seal (office) -------------------------------------------------------------------


@require_POST
def node_seal(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_node_for(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.seal_node(node=node, by=request.user, note=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The node is verified; its reports and evidence are frozen."))
    return redirect("progress:node-detail", node.pk)


@require_POST
def node_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_node_for(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.reopen_node(node=node, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The node has been reopened; the department can report on it again."))
    return redirect("progress:node-detail", node.pk)


# Lists ----------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> AssessmentYear:
    value = request.GET.get("year", "")
    year = AssessmentYear.objects.filter(year=value).first() if value.isdigit() else current_year()
    if year is None:
        raise Http404
    return year


@require_safe
def node_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    day = selectors.today()
    departments = access.assessment_departments(request.user).filter(active=True)
    form = NodeFilterForm(request.GET or None, departments=departments)
    nodes = selectors.node_list(request.user, year)
    department = None
    if form.is_valid():
        data = form.cleaned_data
        department = data["department"]
        if department:
            nodes = nodes.filter(target__plan__department=department)
        if data["quarter"]:
            q = int(data["quarter"])
            nodes = nodes.filter(due_date__month__gte=3 * q - 2, due_date__month__lte=3 * q)
        if data["light"] == "done":
            nodes = nodes.filter(latest_status="done")
        elif data["light"]:
            nodes = nodes.filter(selectors.NOT_DONE, selectors.light_filter(data["light"], day))
    page = Paginator(nodes, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, selectors.node_light(n, day)) for n in page]
    quarters = None
    if department is not None:
        reports = selectors.visible_reports(request.user).filter(department=department, node__target__year=year)
        quarters = selectors.reports_by_quarter(reports)
    context = {
        "year": year,
        "form": form,
        "page": page,
        "rows": rows,
        "department": department,
        "quarters": quarters,
        "can_export": department is not None
        and access.has_role(request.user, access.DEPARTMENT_WRITERS | {Role.LEADER}),
    }
    template = "progress/node_list.html" + ("#node-rows" if request.htmx else "")
    return render(request, template, context)


@require_safe
def todo(request: HttpRequest) -> HttpResponse:
    data = selectors.todo(request.user)
    day = selectors.today()
    context = {
        "todo": data,
        "today": day,
        "nodes": [(n, selectors.node_light(n, day), (day - n.due_date).days) for n in data.nodes],
        "escalated": [(n, (day - n.due_date).days) for n in data.escalated],
        "sections": todo_sections(request.user),
    }
    return render(request, "progress/todo.html", context)


@require_safe
def target_archive(request: HttpRequest, pk: int) -> HttpResponse:
    target = visible_targets(request.user).filter(pk=pk).select_related("plan__department", "year").first()
    if target is None:
        raise _not_found(request, "plans.Target", pk)
    archive = selectors.target_archive(request.user, target)
    context = {"target": target, "archive": archive, "total": sum(a.count for a in archive)}
    return render(request, "progress/target_archive.html", context)


# Department archive export (zip, in the background) -------------------------------------------


@require_POST
def archive_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    wanted = request.POST.get("department", "")
    departments = access.assessment_departments(request.user)
    department = departments.filter(pk=wanted).first() if wanted.isascii() and wanted.isdigit() else None
    if department is None:
        raise _not_found(request, "org.Department", wanted[:20])
    job = ArchiveExport.objects.create(department=department, year=year, user=request.user, token=secrets.token_hex(16))
    exports.build_archive.enqueue(job.pk)
    return redirect("progress:export-detail", job.pk)


def _export_for(request: HttpRequest, pk: int) -> ArchiveExport:
    job = ArchiveExport.objects.filter(pk=pk, user=request.user).select_related("department", "year").first()
    if job is None:
        raise _not_found(request, "progress.ArchiveExport", pk)
    return job


@require_safe
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_for(request, pk)
    progress = exports.export_progress(job.pk)
    context = {
        "job": job,
        "progress": progress,
        "percent": int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0,
        "running": job.state == ArchiveExport.State.RUNNING,
    }
    template = "progress/export_detail.html" + ("#export-status" if request.htmx else "")
    return render(request, template, context)


@require_safe
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_for(request, pk)
    path = exports.export_path(job.token)
    if job.state != ArchiveExport.State.DONE or not path.exists():
        raise _not_found(request, "progress.ArchiveExport", pk)
    record(Kind.EXPORT, actor=request.user, obj=job, changes={"files": job.file_count, "bytes": job.size})
    name = f"{job.department.name}-{job.year.year}-档案.zip"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/zip")
    return files.protect(response)
