"""Major projects: the list by owner department, a project with its stages and Gantt chart, the
chart's data for refreshing, and the project and stage forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kaohe.initiatives import projects as svc
from kaohe.initiatives.forms_projects import NewStageForm, ProjectForm, StageForm, StageProgressForm
from kaohe.initiatives.models import MajorProject, ProjectStage
from kaohe.lib.inputs import add_errors
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department
from kaohe.plans.selectors import current_year, visible_targets
from kaohe.progress.errors import Conflict


def _not_found(request: HttpRequest, object_type: str, pk) -> Http404:
    access.record_not_found(request, object_type, pk)
    return Http404()


def get_project_for(request: HttpRequest, pk: int, *, stages: bool = False) -> MajorProject:
    projects = svc.visible_projects(request.user).filter(pk=pk)
    projects = svc.with_stages(projects, request.user) if stages else projects.select_related("owner", "year", "parent")
    project = projects.first()
    if project is None:
        raise _not_found(request, "initiatives.MajorProject", pk)
    return project


def get_stage_for(request: HttpRequest, pk: int) -> ProjectStage:
    stage = (
        ProjectStage.objects.filter(pk=pk, project__in=svc.visible_projects(request.user))
        .select_related("project__owner", "project__year", "responsible")
        .first()
    )
    if stage is None:
        raise _not_found(request, "initiatives.ProjectStage", pk)
    return stage


def refused(request: HttpRequest, exc: ValidationError, *, back: str) -> HttpResponse:
    """409: refused because of the project's state (a closed year), not because of the person."""
    return render(request, "progress/refused.html", {"refusals": exc.messages, "back": back}, status=409)


def _year(request: HttpRequest) -> AssessmentYear | None:
    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        year = AssessmentYear.objects.filter(year=int(wanted)).first()
        if year is not None:
            return year
    return current_year()


# The list -------------------------------------------------------------------------------------


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    """Projects by owner department, sub-projects under their project; five queries however many."""
    user, day = request.user, svc.today()
    year = _year(request)
    projects = list(svc.with_stages(svc.visible_projects(user).filter(year=year), user)) if year else []
    shown = {p.pk for p in projects}
    groups: list[dict] = []
    by_owner: dict[int, dict] = {}
    for project in projects:
        if project.parent_id in shown:
            continue  # listed under its parent
        group = by_owner.get(project.owner_id)
        if group is None:
            group = by_owner[project.owner_id] = {"owner": project.owner, "rows": []}
            groups.append(group)
        subs = [_row(sub, day, year) for sub in project.sub_list]
        group["rows"].append({**_row(project, day, year), "subs": subs})
    groups.sort(key=lambda g: (g["owner"].order, g["owner"].pk))
    context = {
        "year": year,
        "groups": groups,
        "years": AssessmentYear.objects.order_by("-year"),
        "can_create": year is not None
        and not year.is_read_only
        and access.allowed(user, "initiatives:project-create")
        and svc.writable_departments(user).exists(),
    }
    return render(request, "initiatives/project_list.html", context)


def _row(project: MajorProject, day, year) -> dict:
    return {
        "project": project,
        "rollup": svc.rollup(project, day),
        "sentence": svc.status_sentence(project, year.year if year else None),
    }


# One project ----------------------------------------------------------------------------------


@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request, pk, stages=True)
    user, day = request.user, svc.today()
    can_edit = svc.edits_project(user, project) and not project.year.is_read_only
    own = access.own_department_ids(user)
    stages = [
        {
            "stage": s,
            "delay": svc.is_delayed(s, day),
            "can_edit": not project.year.is_read_only and (can_edit or s.responsible_id in own),
        }
        for s in svc.stages_of(project)
    ]
    subs = [
        {"project": sub, "rollup": svc.rollup(sub, day), "sentence": svc.status_sentence(sub, project.year.year)}
        for sub in project.sub_list
    ]
    context = {
        "project": project,
        "stages": stages,
        "subs": subs,
        "rollup": svc.rollup(project, day),
        "sentence": svc.status_sentence(project, project.year.year),
        "related": list(project.related_departments.all()),
        "gantt": svc.gantt_rows(project, day),
        "can_edit": can_edit,
        "stage_form": NewStageForm(departments=Department.objects.active(), initial={"responsible": project.owner_id})
        if can_edit
        else None,
    }
    return render(request, "initiatives/project_detail.html", context)


@require_safe
def project_gantt(request: HttpRequest, pk: int) -> JsonResponse:
    project = get_project_for(request, pk, stages=True)
    return JsonResponse(svc.gantt_rows(project, svc.today()))


# Project forms --------------------------------------------------------------------------------


def _project_form(request: HttpRequest, year: AssessmentYear, project: MajorProject | None = None, **kwargs):
    user = request.user
    parents = svc.editable_projects(user).filter(year=year, parent__isnull=True).select_related("owner")
    if project is not None:
        parents = parents.exclude(pk=project.pk)
    return ProjectForm(
        request.POST if request.method == "POST" else None,
        owners=svc.writable_departments(user),
        departments=Department.objects.active(),
        parents=parents,
        targets=visible_targets(user).filter(year=year).order_by("code"),
        **kwargs,
    )


def project_create(request: HttpRequest) -> HttpResponse:
    year = current_year()
    if year is None:
        return refused(request, ValidationError(_("There is no assessment year yet; create one first.")), back="/")
    if year.is_read_only:
        return refused(
            request,
            ValidationError(_("This assessment year is closed; its records can no longer change.")),
            back=reverse("initiatives:project-list"),
        )
    form = _project_form(request, year)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        related = data.pop("related_departments")
        try:
            project = svc.create_project(year=year, by=request.user, related_departments=related, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The project has been created; add its stages now."))
            return redirect("initiatives:project-detail", project.pk)
    status = 400 if form.errors else 200
    return render(request, "initiatives/project_form.html", {"form": form, "year": year}, status=status)


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request, pk)
    if not svc.edits_project(request.user, project):
        access.deny_write(request, project)
    back = reverse("initiatives:project-detail", args=[project.pk])
    if project.year.is_read_only:
        return refused(
            request, ValidationError(_("This assessment year is closed; its records can no longer change.")), back=back
        )
    form = _project_form(request, project.year, project, initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        related = data.pop("related_departments")
        try:
            svc.update_project(project=project, by=request.user, related_departments=related, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The project has been saved."))
            return redirect(back)
    status = 400 if form.errors else 200
    context = {"form": form, "year": project.year, "project": project}
    return render(request, "initiatives/project_form.html", context, status=status)


# Stage forms ----------------------------------------------------------------------------------


def _stage_data(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    if data.get("order") is None:
        data.pop("order", None)
    return data


@require_POST
def stage_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Adding a stage is posted from the project's page; a refused one comes back on a page of its own."""
    project = get_project_for(request, pk)
    if not svc.edits_project(request.user, project):
        access.deny_write(request, project)
    back = reverse("initiatives:project-detail", args=[project.pk])
    if project.year.is_read_only:
        return refused(
            request, ValidationError(_("This assessment year is closed; its records can no longer change.")), back=back
        )
    form = NewStageForm(request.POST, departments=Department.objects.active())
    if form.is_valid():
        try:
            svc.add_stage(project=project, by=request.user, **_stage_data(form))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The stage has been added."))
            return redirect(back)
    context = {"form": form, "project": project, "stage": None}
    return render(request, "initiatives/stage_form.html", context, status=400)


def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_stage_for(request, pk)
    project = stage.project
    scope = svc.edits_stage(request.user, stage)
    if not scope:
        access.deny_write(request, stage)
    back = reverse("initiatives:project-detail", args=[project.pk])
    if project.year.is_read_only:
        return refused(
            request, ValidationError(_("This assessment year is closed; its records can no longer change.")), back=back
        )
    form_class = StageForm if scope == "all" else StageProgressForm
    extra = {"departments": Department.objects.active()}
    status = 200
    if request.method != "POST":
        form = form_class.for_stage(stage, **extra)
    else:
        form = form_class(request.POST, **extra)
        status = 400
        if form.is_valid():
            try:
                svc.update_stage(
                    stage=stage, by=request.user, version=form.cleaned_data["version"], **_stage_data(form)
                )
            except Conflict as exc:
                # The current values replace the form's, so nothing the other person saved is overwritten.
                form = form_class.with_current_values(exc.current, **extra)
                form.add_error(
                    None,
                    _(
                        "This stage has been changed by someone else since you opened it. "
                        "Below are the current values; make your change again."
                    ),
                )
                status = 409
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The stage has been saved."))
                return redirect(back)
    context = {"form": form, "project": project, "stage": stage, "scope": scope}
    return render(request, "initiatives/stage_form.html", context, status=status)


urlpatterns = [
    path("projects/", project_list, name="project-list"),
    path("projects/new/", project_create, name="project-create"),
    path("projects/<int:pk>/", project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project-edit"),
    path("projects/<int:pk>/gantt/", project_gantt, name="project-gantt"),
    path("projects/<int:pk>/stages/new/", stage_create, name="stage-create"),
    path("projects/stages/<int:pk>/edit/", stage_edit, name="stage-edit"),
]
