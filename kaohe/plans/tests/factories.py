"""Plain helpers for plan tests, with keyword defaults (after djangoproject's checklists factory)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kaohe.plans.models import Adjustment, Node, Target, TargetPlan


def make_plan(year, department, **kwargs) -> TargetPlan:
    return TargetPlan.objects.create(year=year, department=department, **kwargs)


def make_target(plan: TargetPlan, *, nodes=(date(2021, 9, 30),), **kwargs) -> Target:
    kwargs.setdefault("code", f"{plan.department.pk}-{plan.targets.count() + 1}")
    kwargs.setdefault("title", "完成一项重点工作")
    kwargs.setdefault("weight", Decimal("10"))
    kwargs.setdefault("responsible", "张三")
    target = Target.objects.create(plan=plan, year=plan.year, **kwargs)
    for order, due in enumerate(nodes):
        value = target.target_value if target.kind == "quantified" else None
        Node.objects.create(target=target, due_date=due, deliverable="总结报告", expected_value=value, order=order)
    return target


def make_adjustment(target: Target, *, by, **kwargs) -> Adjustment:
    kwargs.setdefault("kind", Adjustment.Kind.CHANGE)
    kwargs.setdefault("reason", "上级部门调整了安排")
    kwargs.setdefault("proposal", {"fields": {"title": "调整后的目标"}})
    return Adjustment.objects.create(target=target, requested_by=by, **kwargs)
