"""Major projects (重大项目) stage by stage: the seed's §四 and its problem 4 of §七 ("重大项目建设缺乏过程监督").

Two halves:

* Pure functions, no ORM: whether a stage is late (``is_delayed``), how much has been paid
  (``paid_percent``), a parent's roll-up over its sub-projects (``rollup``), the bulletin's
  sentence (``status_sentence``) and the Gantt chart's data (``gantt_rows``). They read a
  project's stages from ``project.stage_list`` and its sub-projects from ``project.sub_list``
  when the views prefetched them (fixed query counts), from the ORM otherwise.
* Services: who reads and writes which project and stage, create and edit with the year's
  lock and the stage's version check, and the to-do section of delayed stages.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaohe.initiatives.models import MajorProject, ProjectStage, StageKind, StageState
from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role, User
from kaohe.progress.errors import Conflict
from kaohe.progress.todo import Row, Section

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# The words the bulletin uses for each kind of stage ("已完成开发、部署、培训"), official-document
# Chinese whatever the page's language, like kaohe.supervision.services.draft_notice. A stage's
# own title, when it has one, is used instead ("建设", "可研报告的编制和论证").
KIND_WORDS = {
    StageKind.FEASIBILITY: "可研立项",
    StageKind.TENDER_NOTICE: "招标意向公示",
    StageKind.TENDER: "招标",
    StageKind.CONTRACT: "合同签订",
    StageKind.BUILD: "开发",
    StageKind.DEPLOY: "部署",
    StageKind.TRAINING: "培训",
    StageKind.TRIAL: "试运行",
    StageKind.ACCEPTANCE: "项目验收",
    StageKind.PAYMENT: "付款",
}
CHINESE_NUMBERS = "零一二三四五六七八九十"


class Delay(enum.StrEnum):
    """Why a stage counts as delayed; ``is_delayed`` answers None when it does not."""

    OVERDUE = "overdue"  # not done, and its planned end has passed
    FINISHED_LATE = "finished_late"  # done, but after its planned end


def today() -> date:
    """The school's calendar day (Asia/Shanghai): a stage planned to end on the 30th is late on the 1st."""
    return timezone.localdate()


# Pure functions --------------------------------------------------------------------------------


def is_delayed(stage: Any, day: date) -> Delay | None:
    """``OVERDUE`` when not done and ``planned_end < day``; ``FINISHED_LATE`` when done after ``planned_end``.

    A stage due today is not late yet; a done stage without its actual end date is not judged.
    """
    if stage.state == StageState.DONE:
        if stage.actual_end is not None and stage.actual_end > stage.planned_end:
            return Delay.FINISHED_LATE
        return None
    if stage.planned_end < day:
        return Delay.OVERDUE
    return None


def stages_of(project: Any) -> list:
    """The project's stages in their order (prefetched as ``stage_list`` by the views)."""
    stages = getattr(project, "stage_list", None)
    if stages is None:
        stages = list(project.stages.all())
    return sorted(stages, key=lambda s: (s.order, s.planned_start, s.pk or 0))


def subprojects_of(project: Any) -> list:
    subs = getattr(project, "sub_list", None)
    if subs is None and getattr(project, "parent_id", None) is not None:
        return []  # a sub-project has no sub-projects of its own (see _check_project)
    if subs is None:
        subs = list(project.subprojects.all()) if getattr(project, "pk", None) else []
    return subs


def paid_percent(project: Any) -> Decimal:
    """The share of the contract paid so far: the highest percent of the project's started stages.

    A payment percent is cumulative ("验收支付90%的款项"), so the latest payment is the maximum. A
    payment stage under way holds what has been paid so far (90 %, the rest kept as 质保金 until the
    stage is done); a stage not started yet carries a plan, not a payment.
    """
    paid = [
        Decimal(s.payment_percent)
        for s in stages_of(project)
        if s.payment_percent is not None and s.state != StageState.PLANNED
    ]
    return max(paid, default=Decimal(0)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Rollup:
    stages: int
    done: int
    delayed: int  # overdue or finished late
    overdue: int
    paid_percent: Decimal

    @property
    def done_percent(self) -> Decimal | None:
        if not self.stages:
            return None
        return (Decimal(self.done) * HUNDRED / Decimal(self.stages)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rollup(project: Any, day: date) -> Rollup:
    """A project's progress; a parent's is its own stages plus all its sub-projects' stages.

    The paid percent of a parent is the mean of its sub-projects' paid percents, weighted by their
    budgets when every sub-project has a budget and they add up to more than zero, else the simple
    mean (a sub-project without a budget would otherwise count for nothing). A parent without
    sub-projects, or one whose sub-projects have no payment at all, reports its own payments.
    """
    subs = subprojects_of(project)
    stages = stages_of(project) + [s for sub in subs for s in stages_of(sub)]
    flags = [is_delayed(s, day) for s in stages]
    paid = paid_percent(project)
    if subs:
        percents = [paid_percent(sub) for sub in subs]
        budgets = [sub.budget for sub in subs]
        if all(b is not None for b in budgets) and sum(budgets) > 0:
            mean = sum(p * b for p, b in zip(percents, budgets, strict=True)) / sum(budgets)
        else:
            mean = sum(percents) / len(percents)
        if mean > 0 or not paid:
            paid = Decimal(mean).quantize(CENT, ROUND_HALF_UP)
    return Rollup(
        stages=len(stages),
        done=sum(1 for s in stages if s.state == StageState.DONE),
        delayed=sum(1 for f in flags if f),
        overdue=sum(1 for f in flags if f == Delay.OVERDUE),
        paid_percent=paid,
    )


def _words(stage: Any) -> str:
    return (stage.title or "").strip() or KIND_WORDS.get(stage.kind, str(stage.kind))


def _count_words(n: int) -> str:
    if n == 2:
        return "两"
    return CHINESE_NUMBERS[n] if 0 <= n <= 10 else str(n)


def _percent_words(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def status_sentence(project: Any, year: int | None = None) -> str:
    """The bulletin's sentence on a project, e.g. "已完成开发、部署、培训，目前正在试运行，计划10月进行项目验收。"

    From the done stages, the running ones and the next planned; payments are added ("已支付90%的款项").
    A parent names its sub-projects and then says each one's sentence (the seed's 学生事务综合管理系统).
    ``year``: the assessment year; a next stage planned in another year names its year.
    """
    subs = subprojects_of(project)
    if subs:
        names = "、".join(sub.name for sub in subs)
        parts = [f"分{names}{_count_words(len(subs))}个子项目。"]
        own = stages_of(project)
        if own:
            parts.append(_stage_sentence(own, paid_percent(project), year))
        parts.extend(f"{sub.name}{_stage_sentence(stages_of(sub), paid_percent(sub), year)}" for sub in subs)
        return "".join(parts)
    return _stage_sentence(stages_of(project), paid_percent(project), year)


def _stage_sentence(stages: Sequence[Any], paid: Decimal, year: int | None) -> str:
    if not stages:
        return "尚未安排项目节点。"
    done = [s for s in stages if s.state == StageState.DONE]
    running = [s for s in stages if s.state == StageState.RUNNING]
    planned = sorted((s for s in stages if s.state == StageState.PLANNED), key=lambda s: (s.planned_start, s.order))
    clauses = []
    if done:
        clauses.append("已完成" + "、".join(_dedupe(_words(s) for s in done)))
    if running:
        clauses.append("目前正在" + "、".join(_dedupe(_words(s) for s in running)))
    if paid >= HUNDRED:
        clauses.append("已全部付款")
    elif paid > 0:
        clauses.append(f"已支付{_percent_words(paid)}%的款项")
    if planned:
        nxt = planned[0]
        when = f"{nxt.planned_start.month}月"
        if year is not None and nxt.planned_start.year != year:
            when = f"{nxt.planned_start.year}年{when}"
        clauses.append(f"计划{when}进行{_words(nxt)}")
    elif not running:
        clauses.append("项目已全部完成")
    return "，".join(clauses) + "。"


def _dedupe(words: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for w in words:
        if w not in seen:
            seen.append(w)
    return seen


def gantt_rows(project: Any, day: date) -> dict:
    """The chart's data: one row per stage (a parent's sub-projects' stages follow its own), each
    with its planned bar and, once started, its actual bar (to ``day`` while it runs)."""
    rows = []
    groups = [(None, project)] + [(sub.name, sub) for sub in subprojects_of(project)]
    stages = [s for _prefix, owner in groups for s in stages_of(owner)]
    # The chart spans the years the plan covers; a stage still running years later is drawn to the
    # end of that span (its tooltip keeps the real dates), so a 2021 plan stays readable in 2026.
    horizon = date(max((s.planned_end.year for s in stages), default=day.year), 12, 31)
    horizon = max([horizon, *(s.actual_end for s in stages if s.actual_end)])
    for prefix, owner in groups:
        for s in stages_of(owner):
            label = s.get_kind_display() if hasattr(s, "get_kind_display") else str(s.kind)
            if s.title:
                label = f"{label}（{s.title}）"
            if prefix:
                label = f"{prefix} · {label}"
            actual = drawn = None
            if s.actual_start is not None:
                end = s.actual_end or (day if s.state != StageState.DONE else s.actual_start)
                end = max(end, s.actual_start)
                actual = [s.actual_start.isoformat(), end.isoformat()]
                drawn = [s.actual_start.isoformat(), max(min(end, horizon), s.actual_start).isoformat()]
            delay = is_delayed(s, day)
            rows.append(
                {
                    "id": s.pk,
                    "name": str(label),
                    "planned": [s.planned_start.isoformat(), s.planned_end.isoformat()],
                    "actual": actual,
                    "drawn": drawn,
                    "state": str(s.state),
                    "delay": str(delay) if delay else "",
                }
            )
    return {
        "today": day.isoformat(),
        "until": horizon.isoformat(),
        "rows": rows,
        "labels": {"planned": _("Planned"), "actual": _("Actual"), "today": _("Today")},
    }


# Access ----------------------------------------------------------------------------------------


def reader_department_ids(user: User) -> set[int]:
    """The departments through which a person reads projects: their own, and those they inspect now."""
    return access.own_department_ids(user) | access.inspected_department_ids(user)


def visible_projects(user: User) -> QuerySet[MajorProject]:
    """The office and leaders read all; a department reads the projects it owns, is related to, or
    is responsible for a stage of. Anything else answers 404."""
    projects = MajorProject.objects.all()
    if access.reads_all_assessment(user):
        return projects
    own = reader_department_ids(user)
    if not own:
        return projects.none()
    related = MajorProject.related_departments.through.objects.filter(department_id__in=own)
    responsible = ProjectStage.objects.filter(responsible_id__in=own)
    return projects.filter(
        Q(owner_id__in=own) | Q(pk__in=related.values("majorproject_id")) | Q(pk__in=responsible.values("project_id"))
    )


def edits_project(user: User, project: MajorProject) -> bool:
    """The office, or the owner department's head and liaisons, change a project and all its stages."""
    return access.writes_for(user, project.owner)


def edits_stage(user: User, stage: ProjectStage) -> str:
    """``"all"`` for the project's editors; ``"progress"`` (actual dates, state, note) for the
    department responsible for the stage; ``""`` for anyone else."""
    if edits_project(user, stage.project):
        return "all"
    if stage.responsible_id in access.own_department_ids(user):
        return "progress"
    return ""


def writable_departments(user: User) -> QuerySet[Department]:
    """The departments a person may make the owner of a project."""
    if access.has_role(user, {Role.OFFICE}):
        return Department.objects.active()
    return Department.objects.active().filter(pk__in=access.own_department_ids(user))


def editable_projects(user: User) -> QuerySet[MajorProject]:
    if access.has_role(user, {Role.OFFICE}):
        return MajorProject.objects.all()
    return MajorProject.objects.filter(owner_id__in=access.own_department_ids(user))


def with_stages(projects: QuerySet[MajorProject], user: User) -> QuerySet[MajorProject]:
    """Projects with their stages and their (visible) sub-projects' stages: four queries however many."""
    stages = ProjectStage.objects.select_related("responsible").order_by("order", "planned_start", "id")
    subs = (
        visible_projects(user)
        .select_related("owner")
        .prefetch_related(Prefetch("stages", queryset=stages, to_attr="stage_list"))
        .order_by("order", "id")
    )
    return projects.select_related("owner", "year", "parent").prefetch_related(
        Prefetch("stages", queryset=stages, to_attr="stage_list"),
        Prefetch("subprojects", queryset=subs, to_attr="sub_list"),
    )


# Services --------------------------------------------------------------------------------------

PROJECT_FIELDS = ("name", "owner", "budget", "target", "parent", "description", "order")
STAGE_FIELDS = (
    "kind",
    "title",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "responsible",
    "payment_percent",
    "state",
    "note",
    "order",
)
PROGRESS_FIELDS = ("actual_start", "actual_end", "state", "note")


def check_open(year: AssessmentYear) -> None:
    if year.is_read_only:
        raise ValidationError(_("This assessment year is closed; its records can no longer change."))


def _check_project(project: MajorProject) -> None:
    parent = project.parent
    if parent is None:
        return
    if parent.pk == project.pk:
        raise ValidationError({"parent": _("A project cannot be a sub-project of itself.")})
    if parent.parent_id is not None:
        raise ValidationError({"parent": _("A sub-project cannot have sub-projects of its own.")})
    if parent.year_id != project.year_id:
        raise ValidationError({"parent": _("A sub-project belongs to the same year as its project.")})
    if project.pk and project.subprojects.exists():
        raise ValidationError({"parent": _("A project with sub-projects cannot itself be a sub-project.")})


@transaction.atomic
def create_project(*, year: AssessmentYear, by: User, related_departments=(), **fields) -> MajorProject:
    check_open(year)
    owner = fields["owner"]
    if not access.writes_for(by, owner):
        raise ValidationError({"owner": _("You can only create projects of your own department.")})
    project = MajorProject(year=year, **{k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    _check_project(project)
    project.full_clean()
    project.save()
    project.related_departments.set(related_departments)
    return project


@transaction.atomic
def update_project(*, project: MajorProject, by: User, related_departments=None, **fields) -> MajorProject:
    project = MajorProject.objects.select_for_update().select_related("year", "owner").get(pk=project.pk)
    check_open(project.year)
    owner = fields.get("owner", project.owner)
    if not (edits_project(by, project) and access.writes_for(by, owner)):
        raise ValidationError({"owner": _("You can only create projects of your own department.")})
    for name in PROJECT_FIELDS:
        if name in fields:
            setattr(project, name, fields[name])
    _check_project(project)
    project.full_clean()
    project.save()
    if related_departments is not None:
        project.related_departments.set(related_departments)
    return project


def check_stage(stage: ProjectStage, day: date) -> None:
    """The rules a stage's dates and state follow, each with a message for its field."""
    errors: dict[str, str] = {}
    if stage.planned_start and stage.planned_end and stage.planned_end < stage.planned_start:
        errors["planned_end"] = _("The planned end cannot be before the planned start.")
    if stage.actual_start and stage.actual_end and stage.actual_end < stage.actual_start:
        errors["actual_end"] = _("The actual end cannot be before the actual start.")
    for name in ("actual_start", "actual_end"):
        value = getattr(stage, name)
        if value is not None and value > day and name not in errors:
            errors[name] = _("An actual date cannot lie in the future.")
    if stage.state == StageState.DONE and stage.actual_end is None:
        errors.setdefault("actual_end", _("A finished stage needs the date it actually ended."))
    if stage.state != StageState.DONE and stage.actual_end is not None:
        errors.setdefault("state", _("A stage with an actual end date is done; set its state to done."))
    if stage.state == StageState.RUNNING and stage.actual_start is None:
        errors.setdefault("actual_start", _("A stage under way needs the date it actually started."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_stage(*, project: MajorProject, by: User, **fields) -> ProjectStage:
    project = MajorProject.objects.select_for_update().select_related("year", "owner").get(pk=project.pk)
    check_open(project.year)
    if not edits_project(by, project):
        raise ValidationError(_("Only the project's own department adds stages to it."))
    stage = ProjectStage(project=project, **{k: v for k, v in fields.items() if k in STAGE_FIELDS})
    if "order" not in fields:
        stage.order = project.stages.count() + 1
    check_stage(stage, today())
    stage.full_clean()
    stage.save()
    return stage


@transaction.atomic
def update_stage(*, stage: ProjectStage, by: User, version: int, **fields) -> ProjectStage:
    """Change a stage opened at ``version``; if someone saved since, ``Conflict`` carries what is there
    now and nothing changes. The department responsible changes only the actual dates, state and note."""
    current = (
        ProjectStage.objects.select_for_update().select_related("project__year", "project__owner").get(pk=stage.pk)
    )
    check_open(current.project.year)
    scope = edits_stage(by, current)
    if not scope:
        raise ValidationError(_("Only the project's department or the stage's department changes this stage."))
    if current.version != version:
        raise Conflict(current)
    allowed = STAGE_FIELDS if scope == "all" else PROGRESS_FIELDS
    for name in allowed:
        if name in fields:
            setattr(current, name, fields[name])
    check_stage(current, today())
    current.full_clean()
    current.version += 1
    current.save()
    return current


# The to-do list --------------------------------------------------------------------------------

TODO_LIMIT = 100


def _late_note(planned_end: date, day: date) -> str:
    late = (day - planned_end).days
    return ngettext("planned end %(day)s, %(late)d day late", "planned end %(day)s, %(late)d days late", late) % {
        "day": f"{planned_end:%Y-%m-%d}",
        "late": late,
    }


def todo_section(user: User) -> list[Section]:
    """Stages overdue for which one of the person's departments is responsible: one query."""
    own = access.own_department_ids(user)
    if not own:
        return []
    day = today()
    stages = (
        ProjectStage.objects.filter(responsible_id__in=own, planned_end__lt=day)
        .exclude(state=StageState.DONE)
        .exclude(project__year__state__in=AssessmentYear.READ_ONLY_STATES)
        .select_related("project", "responsible")
        .order_by("planned_end", "id")[:TODO_LIMIT]
    )
    rows = [
        Row(
            f"{s.project.name} · {s.get_kind_display()}{f'（{s.title}）' if s.title else ''}",
            reverse("initiatives:project-detail", args=[s.project_id]),
            _late_note(s.planned_end, day),
            urgent=True,
        )
        for s in stages
    ]
    return [Section("project-stages", _("Project stages behind schedule"), rows)]
