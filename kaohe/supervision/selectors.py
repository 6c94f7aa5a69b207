"""Reads for the round pages, and the round's statistics: one query for the items, then pure stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.org import access
from kaohe.org.models import Role
from kaohe.plans.models import Category
from kaohe.progress.todo import Row, Section
from kaohe.supervision import stats
from kaohe.supervision.models import Assignment, Rectification, SelfCheck, SupervisionRound, Verification

State = SupervisionRound.State


def visible_rounds(user) -> QuerySet[SupervisionRound]:
    """The office and leaders see every round; inspectors the rounds they are sent to; departments
    every round once it is announced (its notice concerns them)."""
    rounds = SupervisionRound.objects.select_related("year")
    if access.reads_all_assessment(user):
        return rounds
    q = Q(pk__in=Assignment.objects.filter(inspector=user).values("round_id"))
    if access.own_department_ids(user):
        q |= ~Q(state=State.DRAFT)
    return rounds.filter(q)


def inspecting_department_ids(user) -> set[int]:
    """The departments a person inspects in rounds under way (announced to closed, not yet published)."""
    under_way = (State.ANNOUNCED, State.ONSITE, State.CLOSED)
    assignments = Assignment.objects.filter(inspector=user, round__state__in=under_way)
    return set(assignments.values_list("department_id", flat=True))


def inspected_department_ids(user, round_: SupervisionRound) -> set[int]:
    return set(Assignment.objects.filter(round=round_, inspector=user).values_list("department_id", flat=True))


def verifies(user, round_: SupervisionRound, department_id: int) -> bool:
    """The office verifies every department; an inspector those assigned to them in this round."""
    if access.has_role(user, {Role.OFFICE}):
        return True
    return access.has_role(user, {Role.INSPECTOR}) and department_id in inspected_department_ids(user, round_)


def reads_verification(user, round_: SupervisionRound, department_id: int) -> bool:
    """Office and leaders always; inspectors of the department; the department once published."""
    if access.reads_all_assessment(user) or verifies(user, round_, department_id):
        return True
    return round_.state == State.PUBLISHED and department_id in access.own_department_ids(user)


# Statistics ---------------------------------------------------------------------------------------


@dataclass
class IncompleteItem:
    department: str
    code: str
    title: str
    due_date: object
    credit: Decimal
    reason: str
    current_stage: str


@dataclass
class RoundStats:
    school: stats.Completion
    departments: list[tuple[str, stats.Completion]]
    categories: list[tuple[str, stats.Completion]]
    groups: list[tuple[str, stats.Completion]]
    incomplete: list[IncompleteItem]
    unverified: int
    carried_over: int
    archive: dict[str, int]  # rating label → completed items so rated
    splits: list[tuple[str, stats.SplitSummary]] = field(default_factory=list)


def stat_rows(round_: SupervisionRound):
    """Everything the statistics need, in three queries whose size does not grow with the items:

    - ``groups``: one row per department and category, with the due count, the exact sum of the
      credits in ten-thousandths (an integer: SQLite keeps decimals as floating point, so summing
      them there would not be exact), the carried-over and unverified counts, and per archive rating
      the fully completed items (``archive_<rating>``, ``archive_`` for not rated);
    - ``incomplete``: the verified due items with less than full credit, with reasons and stage;
    - ``shares``: the due shares of split indicators, with expected and verified values.
    """
    from django.db.models import F, IntegerField, Sum
    from django.db.models.functions import Cast, Round

    items = Verification.objects.filter(round=round_)
    due, order = Q(carried_over=False), ("department__order", "department_id")
    done = due & Q(credit=1)
    ratings = [code for code, _label in Verification._meta.get_field("archive_rating").choices] + [""]
    groups = (
        items.values(
            "department_id", "department__name", "department__group", "department__order", "node__target__category"
        )
        .annotate(
            due=Count("id", filter=due),
            units=Sum(Cast(Round(F("credit") * 10000), IntegerField()), filter=due),
            carried=Count("id", filter=~due),
            unverified=Count("id", filter=due & Q(verified_at__isnull=True)),
            **{f"archive_{code}": Count("id", filter=done & Q(archive_rating=code)) for code in ratings},
        )
        .order_by(*order, "node__target__category")
    )
    incomplete = (
        items.filter(due, verified_at__isnull=False, credit__lt=1)
        .order_by(*order, "node__target__order", "node__target__code", "node__due_date")
        .values_list(
            "department__name",
            "node__target__code",
            "node__target__title",
            "node__due_date",
            "credit",
            "reason",
            "current_stage",
        )
    )
    shares = (
        items.filter(due, node__target__parent__isnull=False, node__expected_value__isnull=False)
        .order_by(*order, "node__target__order", "node__target__code", "node__due_date")
        .values_list(
            "node__target__parent__code",
            "node__target__parent__title",
            "department__name",
            "node__expected_value",
            "actual_value",
        )
    )
    return {"groups": groups, "incomplete": incomplete, "shares": shares}


def round_stats(round_: SupervisionRound, threshold: Decimal = Decimal("0.5")) -> RoundStats:
    """domain.md §3: due, completed (Σ credit), not completed and ratio, per department, category,
    assessment group and school; incomplete items with reasons; split indicators across colleges.

    Unverified items count as due with no credit until an inspector records them. Every department,
    category and group with an item in the round has a row, so one whose items are all carried over
    shows nothing due ("—"); categories come in their fixed order, departments in theirs. Credits are
    summed exactly as integers of ten-thousandths (the stored four places).
    """
    queries = stat_rows(round_)
    rows = list(queries["groups"])
    category_labels = dict(Category.choices)
    archive_labels = dict(Verification._meta.get_field("archive_rating").choices)
    not_rated, no_group = str(_("Not rated")), str(_("No group"))

    def tally(key) -> list[tuple[str, stats.Completion]]:
        due: dict[str, int] = {}
        units: dict[str, int] = {}
        for r in rows:
            k = key(r)
            due[k] = due.get(k, 0) + r["due"]
            units[k] = units.get(k, 0) + (r["units"] or 0)
        return [(k, stats.Completion(due=n, completed=Decimal(units[k]).scaleb(-4))) for k, n in due.items()]

    order = {code: i for i, code in enumerate(category_labels)}
    categories = sorted(tally(lambda r: r["node__target__category"]), key=lambda kc: order.get(kc[0], len(order)))
    archive = {str(label): sum(r[f"archive_{code}"] for r in rows) for code, label in archive_labels.items()}
    archive[not_rated] = sum(r["archive_"] for r in rows)
    return RoundStats(
        school=stats.Completion(
            due=sum(r["due"] for r in rows), completed=Decimal(sum(r["units"] or 0 for r in rows)).scaleb(-4)
        ),
        departments=tally(lambda r: r["department__name"]),
        categories=[(str(category_labels.get(k, k)), c) for k, c in categories],
        groups=tally(lambda r: r["department__group"] or no_group),
        incomplete=[IncompleteItem(*r) for r in queries["incomplete"]],
        unverified=sum(r["unverified"] for r in rows),
        carried_over=sum(r["carried"] for r in rows),
        archive=archive,
        splits=_splits(queries["shares"], threshold),
    )


def _splits(shares, threshold: Decimal) -> list[tuple[str, stats.SplitSummary]]:
    """Each split indicator of the round: its colleges' shares, completion and those under the threshold."""
    by_parent: dict[str, list[stats.ShareResult]] = {}
    for code, title, department, expected, actual in shares:
        actual = actual if actual is not None else Decimal(0)
        by_parent.setdefault(f"{code} {title}", []).append(stats.ShareResult(department, expected, actual))
    return [(name, stats.split_indicator(found, threshold)) for name, found in by_parent.items()]


def as_json(round_: SupervisionRound, result: RoundStats) -> dict:
    """The figures as ``round_stats --json`` prints them: counts as the bulletin writes them."""

    def figures(c: stats.Completion) -> dict:
        return {
            "due": c.due,
            "completed": stats.format_count(c.completed),
            "not_completed": stats.format_count(c.not_completed),
            "percent": stats.format_percent(c),
        }

    return {
        "round": round_.name,
        "year": round_.year.year,
        "period": [round_.period_start.isoformat(), round_.period_end.isoformat()],
        "school": figures(result.school),
        "sentence": stats.sentence(result.school),
        "departments": {name: figures(c) for name, c in result.departments},
        "categories": {name: figures(c) for name, c in result.categories},
        "groups": {name: figures(c) for name, c in result.groups},
        "incomplete": [
            {
                "department": i.department,
                "code": i.code,
                "title": i.title,
                "due_date": i.due_date.isoformat(),
                "credit": stats.format_count(i.credit),
                "reason": i.reason,
                "current_stage": i.current_stage,
            }
            for i in result.incomplete
        ],
        "unverified": result.unverified,
        "carried_over": result.carried_over,
        "archive": result.archive,
        "splits": {
            name: {
                "ratios": {
                    college: f"{stats.round_half_up(r * 100, stats.PERCENT_PLACES)}%" for college, r in s.ratios.items()
                },
                "under_threshold": list(s.under),
                "share_under": f"{s.share_percent}%" if s.share_percent is not None else stats.NO_RATIO,
                "most_under": s.most,
            }
            for name, s in result.splits
        },
    }


# The to-do list ---------------------------------------------------------------------------------


def todo_section(user) -> list[Section]:
    """Self-checks to write or approve, items to verify, rectifications to answer or check."""
    sections = []
    own = access.own_department_ids(user)
    heads = access.own_department_ids(user, {Role.HEAD})
    if own:
        checks = SelfCheck.objects.filter(department__in=own, round__state=State.ANNOUNCED).select_related(
            "round", "department"
        )
        rows = []
        for c in checks:
            if c.is_editable or (c.state == SelfCheck.State.SUBMITTED and c.department_id in heads):
                note = (
                    _("to approve")
                    if c.state == SelfCheck.State.SUBMITTED
                    else _("due %(day)s") % {"day": f"{c.round.selfcheck_deadline:%Y-%m-%d}"}
                )
                rows.append(Row(f"{c.round} · {c.department}", reverse("supervision:selfcheck", args=[c.pk]), note))
        sections.append(Section("selfchecks", _("Self-check reports"), rows))
        fixes = Rectification.objects.filter(department__in=own, state=Rectification.State.OPEN).select_related(
            "department"
        )[:100]
        sections.append(
            Section(
                "rectifications",
                _("Rectification to do"),
                [
                    Row(
                        f"{r.department} · {r.finding[:40]}",
                        reverse("supervision:rectification-detail", args=[r.pk]),
                        _("by %(day)s") % {"day": f"{r.deadline:%Y-%m-%d}"},
                    )
                    for r in fixes
                ],
            )
        )
    if access.has_role(user, {Role.INSPECTOR}):
        assignments = (
            Assignment.objects.filter(inspector=user, round__state=State.ONSITE)
            .select_related("round", "department")
            .annotate(open=Count("round__items", filter=Q(round__items__verified_at__isnull=True)))
        )
        sections.append(
            Section(
                "inspections",
                _("Departments to verify"),
                [
                    Row(
                        f"{a.round} · {a.department}",
                        reverse("supervision:department", args=[a.round_id, a.department_id]),
                    )
                    for a in assignments
                ],
            )
        )
    if access.has_role(user, {Role.OFFICE}):
        waiting = Rectification.objects.filter(state=Rectification.State.SUBMITTED).select_related("department")[:100]
        sections.append(
            Section(
                "rectification-checks",
                _("Rectifications to check"),
                [
                    Row(f"{r.department} · {r.finding[:40]}", reverse("supervision:rectification-detail", args=[r.pk]))
                    for r in waiting
                ],
            )
        )
    return sections


# What the inspection points 2 and 3 look at (brands, projects, highlights, notification duty) --------


@dataclass
class DepartmentAlongside:
    projects: list  # (project, sentence, rollup)
    brands: list  # (brand, checklist counts or None)
    achievements: list
    compliance: object  # initiatives.duties.Rate, or None without duties


def alongside(round_: SupervisionRound, department_id: int) -> DepartmentAlongside:
    """The department's brands, major projects, verified highlights of the period and notification
    compliance up to the period's end: what the inspectors check under points 2 and 3."""
    from django.db.models import Prefetch

    from kaohe.initiatives import brands, duties, projects
    from kaohe.initiatives.models import Achievement, Brand, MajorProject, NotificationDuty, NotificationRecord

    day = round_.period_end
    year = round_.year
    subs = MajorProject.objects.prefetch_related("stages")
    owned = MajorProject.objects.filter(year=year, owner_id=department_id, parent__isnull=True).prefetch_related(
        "stages", Prefetch("subprojects", queryset=subs)
    )
    project_rows = [(p, projects.status_sentence(p, year.year), projects.rollup(p, day)) for p in owned]
    brand_rows = [
        (b, brands.checklist_counts(b.children.all()) if b.is_checklist else None)
        for b in Brand.objects.filter(year=year, owners=department_id, parent__isnull=True).prefetch_related("children")
    ]
    achievements = list(
        Achievement.objects.filter(
            department_id=department_id,
            state=Achievement.State.VERIFIED,
            date__gte=round_.period_start,
            date__lte=round_.period_end,
        )
    )
    duty_list = list(NotificationDuty.objects.filter(year=year, department_id=department_id, active=True))
    rate = None
    if duty_list:
        records = NotificationRecord.objects.filter(duty__in=duty_list)
        rate = duties.compliance(duties.duty_rows(duty_list, records, year.year, day)).departments.get(department_id)
    return DepartmentAlongside(project_rows, brand_rows, achievements, rate)
