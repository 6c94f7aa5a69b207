"""Reads for the progress pages: who may see which report and file, and each page's data in a fixed
number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, TruncDate
from django.utils import timezone

from kaohe.org import access
from kaohe.org.models import AssessmentYear, Role
from kaohe.plans.models import Node, Target, TargetPlan
from kaohe.plans.selectors import visible_targets
from kaohe.progress.lights import Light, light
from kaohe.progress.models import Evidence, ProgressReport, Seal, Status, latest_approved


def visible_reports(user) -> QuerySet[ProgressReport]:
    """Reports a person may read: their own departments' in every state; others' once approved.

    The office and leaders read approved reports of every department (only approved reports reach
    the office); a lead department reads the approved reports on its shares; an inspector those of
    the departments assigned to them in a round under way.
    """
    own = access.own_department_ids(user)
    mine = Q(department__in=own)
    if access.reads_all_assessment(user):
        return ProgressReport.objects.filter(mine | Q(state=ProgressReport.State.APPROVED))
    shares = Q(state=ProgressReport.State.APPROVED, node__target__parent__plan__department__in=own)
    inspected = Q(state=ProgressReport.State.APPROVED, department__in=access.inspected_department_ids(user))
    return ProgressReport.objects.filter(mine | shares | inspected)


def visible_evidence(user) -> QuerySet[Evidence]:
    """Files follow their report: whoever reads the report reads its files."""
    return Evidence.objects.present().filter(report__in=visible_reports(user))


def visible_nodes(user) -> QuerySet[Node]:
    return Node.objects.filter(target__in=visible_targets(user))


def today() -> date:
    """The school's calendar day (Asia/Shanghai), which decides what is due and what is late."""
    return timezone.localdate()


def with_standing(nodes: QuerySet[Node]) -> QuerySet[Node]:
    """Nodes with their latest approved status and value, and whether their evidence is sealed."""
    return nodes.annotate(
        latest_status=latest_approved("status"),
        latest_value=latest_approved("actual_value"),
        sealed=Exists(Seal.objects.filter(node=OuterRef("pk"), sealed=True)),
    )


# SQL's NOT on a NULL subquery is NULL, so "not done" must name the nodes never reported on.
NOT_DONE = Q(latest_status__isnull=True) | ~Q(latest_status=Status.DONE)


def open_nodes(nodes: QuerySet[Node]) -> QuerySet[Node]:
    """Nodes still to be done: in force, of approved plans, not split parents, not completed."""
    return with_standing(
        nodes.filter(target__withdrawn=False, target__is_split=False, target__plan__state=TargetPlan.State.APPROVED)
    ).filter(NOT_DONE)


def light_filter(value: str, day: date) -> Q:
    """The SQL form of ``lights.light`` for one colour (on annotated open nodes)."""
    warn = day + timedelta(days=settings.TRAFFIC_LIGHT_WARN_DAYS)
    return {
        Light.RED: Q(due_date__lt=day),
        Light.YELLOW: Q(due_date__gte=day, due_date__lte=warn),
        Light.GREEN: Q(due_date__gt=warn),
    }[value]


def node_light(node: Node, day: date) -> Light:
    return light(
        due=node.due_date,
        complete=getattr(node, "latest_status", None) == Status.DONE,
        today=day,
        warn_days=settings.TRAFFIC_LIGHT_WARN_DAYS,
    )


def node_rows(nodes: QuerySet[Node]) -> QuerySet[Node]:
    return (
        with_standing(nodes)
        .select_related("target__plan__department")
        .annotate(pending=Count("reports", filter=Q(reports__state=ProgressReport.State.SUBMITTED)))
    )


def node_list(user, year: AssessmentYear) -> QuerySet[Node]:
    """Every visible node of the year's approved plans, with its standing (for the progress list)."""
    nodes = visible_nodes(user).filter(
        target__year=year,
        target__withdrawn=False,
        target__is_split=False,
        target__plan__state=TargetPlan.State.APPROVED,
    )
    return node_rows(nodes).order_by("due_date", "target__plan__department__order", "target__code", "id")


# The to-do list -------------------------------------------------------------------------------

TODO_LIMIT = 100


@dataclass
class Todo:
    nodes: list[Node]  # due soon or overdue, for the person's departments
    escalated: list[Node]  # overdue long enough to reach the head or the office (催办)
    approvals: list[ProgressReport]  # waiting for this head's decision
    returned: list[ProgressReport]  # this person's reports sent back
    more: dict[str, bool]


def _capped(qs) -> tuple[list, bool]:
    rows = list(qs[: TODO_LIMIT + 1])
    return rows[:TODO_LIMIT], len(rows) > TODO_LIMIT


def todo(user) -> Todo:
    day = today()
    roles = access.role_names(user)
    members = access.own_department_ids(user)
    heads = access.own_department_ids(user, {Role.HEAD})
    warn = day + timedelta(days=settings.TRAFFIC_LIGHT_WARN_DAYS)
    base = node_rows(open_nodes(Node.objects.all())).order_by("due_date", "id")
    mine, more_nodes = _capped(base.filter(target__plan__department__in=members, due_date__lte=warn))
    late = Q(target__plan__department__in=heads, due_date__lt=day - timedelta(days=settings.ESCALATE_HEAD_DAYS))
    if Role.OFFICE in roles:
        late |= Q(due_date__lt=day - timedelta(days=settings.ESCALATE_OFFICE_DAYS))
    escalated, more_late = _capped(base.filter(late)) if heads or Role.OFFICE in roles else ([], False)
    reports = ProgressReport.objects.select_related("node__target", "department", "author").order_by("submitted_at")
    approvals, more_approvals = _capped(reports.filter(department__in=heads, state=ProgressReport.State.SUBMITTED))
    returned, more_returned = _capped(reports.filter(author=user, state=ProgressReport.State.RETURNED))
    more = {"nodes": more_nodes, "escalated": more_late, "approvals": more_approvals, "returned": more_returned}
    return Todo(mine, escalated, approvals, returned, more)


# One node's page and one target's archive -------------------------------------------------------


def node_reports(user, node: Node) -> list[ProgressReport]:
    files = Evidence.objects.present().select_related("uploaded_by").order_by("uploaded_at", "id")
    return list(
        visible_reports(user)
        .filter(node=node)
        .select_related("author", "decided_by", "node")
        .prefetch_related(Prefetch("evidence", queryset=files, to_attr="files"))
        .order_by("-submitted_at", "-id")
    )


def seal_of(node: Node) -> Seal | None:
    return Seal.objects.filter(node=node).select_related("sealed_by", "reopened_by").first()


@dataclass
class ArchiveNode:
    node: Node
    groups: list[tuple[str, list[Evidence]]]  # (kind label, files) in the order of Evidence.Kind
    count: int


def target_archive(user, target: Target) -> list[ArchiveNode]:
    """The target's archive (一事一档): every visible file, by node and kind."""
    nodes = list(with_standing(target.nodes.all()).order_by("due_date", "order", "id"))
    files = list(
        visible_evidence(user)
        .filter(target=target)
        .select_related("uploaded_by", "report")
        .order_by("node_id", "uploaded_at", "id")
    )
    by_node: dict[int, list[Evidence]] = {}
    for f in files:
        by_node.setdefault(f.node_id, []).append(f)
    result = []
    for node in nodes:
        node_files = by_node.get(node.pk, [])
        groups = [(label, [f for f in node_files if f.kind == value]) for value, label in Evidence.Kind.choices]
        result.append(ArchiveNode(node, [g for g in groups if g[1]], len(node_files)))
    return result


def reports_by_quarter(reports: QuerySet[ProgressReport]) -> dict[int, int]:
    """Reports per quarter of their submission, by the school's calendar (Asia/Shanghai).

    The day is truncated in the school's time zone, not the database's or the server's, so a
    report sent at 23:59 on 30 September counts in the third quarter wherever the server runs.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = (
        reports.annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(n=Count("id"))
    )
    quarters = {1: 0, 2: 0, 3: 0, 4: 0}
    for row in rows:
        quarters[(row["month"] - 1) // 3 + 1] += row["n"]
    return quarters
