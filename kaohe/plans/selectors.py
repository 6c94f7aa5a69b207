"""Reads for the plan pages: each one a fixed number of queries, whatever the data size."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from kaohe.org import access
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.checks import CheckResult, NodeFacts, TargetFacts, check_plan
from kaohe.plans.models import Node, Target, TargetPlan


def current_year() -> AssessmentYear | None:
    """The running year, else the newest one."""
    return (
        AssessmentYear.objects.filter(state=AssessmentYear.State.RUNNING).first()
        or AssessmentYear.objects.order_by("-year").first()
    )


def visible_targets(user) -> QuerySet[Target]:
    """Targets a person may read: their departments' own, plus, for a lead department, its shares."""
    targets = Target.objects.all()
    if access.has_role(user, access.SEE_ALL_DEPARTMENTS - {Role.SYSADMIN}):
        return targets
    own = access.own_department_ids(user)
    return targets.filter(Q(plan__department__in=own) | Q(parent__plan__department__in=own))


def target_list(user, year: AssessmentYear) -> QuerySet[Target]:
    return (
        visible_targets(user)
        .filter(year=year)
        .select_related("plan__department", "lead_department", "parent")
        .prefetch_related(
            Prefetch("nodes", queryset=Node.objects.order_by("due_date", "order", "id")), "co_departments"
        )
    )


def plan_overview(user, year: AssessmentYear) -> QuerySet[Department]:
    """Every visible department with its plan's state and target count for the year."""
    plans = TargetPlan.objects.filter(year=year).annotate(
        target_count=Count("targets", filter=Q(targets__withdrawn=False))
    )
    return (
        access.visible_departments(user)
        .filter(active=True)
        .prefetch_related(Prefetch("plans", queryset=plans, to_attr="year_plans"))
    )


def plan_targets(plan: TargetPlan) -> list[Target]:
    """A plan's targets with nodes, lead departments and split shares (with their nodes)."""
    share_qs = Target.objects.select_related("plan__department").prefetch_related("nodes")
    return list(
        plan.targets.select_related("lead_department", "parent__plan__department").prefetch_related(
            "nodes", "co_departments", Prefetch("shares", queryset=share_qs)
        )
    )


def facts(target: Target) -> TargetFacts:
    """Plain values for the plan check, from prefetched relations."""
    return TargetFacts(
        pk=target.pk,
        code=target.code,
        title=target.title,
        quantified=target.is_quantified,
        target_value=target.target_value,
        unit=target.unit,
        weight=target.weight,
        responsible=target.responsible,
        core=target.core,
        is_split=target.is_split,
        nodes=tuple(NodeFacts(n.due_date, n.deliverable, n.expected_value) for n in target.nodes.all()),
        shares=tuple(facts(s) for s in target.shares.all()) if target.is_split else (),
        withdrawn=target.withdrawn,
    )


def plan_check(plan: TargetPlan, targets: list[Target] | None = None) -> CheckResult:
    targets = plan_targets(plan) if targets is None else targets
    return check_plan([facts(t) for t in targets], limit=plan.year.plan_target_limit)
