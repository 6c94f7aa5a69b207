"""Plan workflows: each one transaction, each refusing with the sentence the person will read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.org.models import AssessmentYear, Department
from kaohe.plans.models import Adjustment, IndicatorKind, Node, Target, TargetPlan
from kaohe.plans.selectors import plan_check


@dataclass(frozen=True)
class NodeData:
    due_date: date
    deliverable: str = ""
    expected_value: Decimal | None = None


TARGET_FIELDS = (
    "code",
    "title",
    "description",
    "category",
    "core",
    "kind",
    "target_value",
    "unit",
    "weight",
    "responsible",
    "lead_department",
    "is_split",
)


def plan_for(year: AssessmentYear, department: Department) -> TargetPlan:
    plan, _created = TargetPlan.objects.get_or_create(year=year, department=department)
    return plan


def _require_editable(plan: TargetPlan) -> None:
    if plan.year.is_read_only:
        raise ValidationError(_("The year %(year)s is closed: its plans are read-only.") % {"year": plan.year})
    if not plan.is_editable:
        raise ValidationError(
            _("This plan is %(state)s and cannot be edited; an approved target changes through an adjustment request.")
            % {"state": plan.get_state_display()}
        )


def _set_nodes(target: Target, nodes: Sequence[NodeData]) -> None:
    """Make the target's nodes these: nodes keep their identity by position, and only the ones that
    differ are saved (later progress reports hang on nodes)."""
    existing = list(target.nodes.order_by("due_date", "order", "id"))
    for order, wanted in enumerate(nodes):
        node = existing[order] if order < len(existing) else Node(target=target)
        values = {
            "due_date": wanted.due_date,
            "deliverable": wanted.deliverable,
            "expected_value": wanted.expected_value,
            "order": order,
        }
        if node.pk is None or any(getattr(node, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(node, name, value)
            node.full_clean(exclude=["target"])
            node.save()
    for node in existing[len(nodes) :]:
        node.delete()


def _save_if_changed(obj) -> bool:
    """Save only when the object differs from its stored row: a save that changes nothing would
    write an empty version into its history. Compared with the database, not with the object as
    it came in (a ModelForm has already written its data into its instance)."""
    if obj.pk is not None:
        stored = type(obj).objects.filter(pk=obj.pk).values().first()
        if stored and all(stored[f.attname] == getattr(obj, f.attname) for f in obj._meta.concrete_fields):
            return False
    obj.full_clean()
    obj.save()
    return True


@transaction.atomic
def save_target(
    *,
    plan: TargetPlan,
    target: Target | None,
    data: dict,
    co_departments: Sequence[Department] = (),
    nodes: Sequence[NodeData],
) -> Target:
    """Create or change a target of an editable plan, with its nodes."""
    _require_editable(plan)
    target = target or Target(plan=plan, year=plan.year)
    if target.parent_id:
        raise ValidationError(_("This is a share of a split target: its lead department changes it."))
    for name in TARGET_FIELDS:
        if name in data:
            setattr(target, name, data[name])
    if target.kind != IndicatorKind.QUANTIFIED:
        target.is_split = False
    if target.order == 0:
        target.order = (plan.targets.count() + 1) * 10
    _save_if_changed(target)
    target.co_departments.set(co_departments)
    _set_nodes(target, nodes)
    return target


# The workflow: draft → submitted → returned / approved ---------------------------------------


@transaction.atomic
def submit_plan(*, plan: TargetPlan, by, warnings_note: str = "") -> TargetPlan:
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    _require_editable(plan)
    result = plan_check(plan)
    if not plan.targets.filter(withdrawn=False).exists():
        raise ValidationError(_("The plan has no target yet."))
    if result.errors:
        raise ValidationError(
            _("The plan check found %(count)d error(s); correct them before submitting.")
            % {"count": len(result.errors)}
        )
    if result.warnings and not warnings_note.strip():
        raise ValidationError(_("The plan check has warnings: say why the plan is right as it is."))
    plan.state = TargetPlan.State.SUBMITTED
    plan.warnings_note = warnings_note.strip() if result.warnings else ""
    plan.submitted_at = timezone.now()
    plan.submitted_by = by
    plan.return_reason = ""
    plan.save()
    return plan


@transaction.atomic
def decide_plan(*, plan: TargetPlan, by, approve: bool, reason: str = "") -> TargetPlan:
    plan = TargetPlan.objects.select_for_update().select_related("year").get(pk=plan.pk)
    if plan.year.is_read_only:
        raise ValidationError(_("The year %(year)s is closed: its plans are read-only.") % {"year": plan.year})
    if plan.state != TargetPlan.State.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be approved or returned."))
    if not approve and not reason.strip():
        raise ValidationError(_("Say why the plan is returned."))
    plan.state = TargetPlan.State.APPROVED if approve else TargetPlan.State.RETURNED
    plan.return_reason = "" if approve else reason.strip()
    plan.decided_at = timezone.now()
    plan.decided_by = by
    plan.save()
    return plan


# Lead-department splits (目标下分) -----------------------------------------------------------


@dataclass(frozen=True)
class ShareData:
    department: Department
    target_value: Decimal | None
    nodes: Sequence[NodeData]


# What a share takes from its parent. The weight too: the college's plan weighs its share as the
# lead department weighs the whole (docs/decisions.md 12).
SHARED_FIELDS = ("title", "description", "category", "core", "kind", "unit", "weight", "responsible")


def share_code(parent: Target, department: Department) -> str:
    """The parent's code and the college's short name: the same in every installation."""
    code = f"{parent.code}-{department.short_name or department.name}"
    if len(code) > Target._meta.get_field("code").max_length:
        raise ValidationError(
            _("The code %(code)s is too long to name the shares; shorten the target's code.") % {"code": parent.code}
        )
    return code


@transaction.atomic
def split_target(*, parent: Target, shares: Sequence[ShareData]) -> list[Target]:
    """Divide a school-wide quantified target into the colleges' shares.

    Each share is a target in its college's plan, with its own value and nodes; the lead
    department owns it. Shares no longer listed are withdrawn, never deleted.
    """
    _require_editable(parent.plan)
    if not parent.is_split or not parent.is_quantified or parent.target_value is None:
        raise ValidationError(_("Only a quantified target marked for splitting, with a value, can be split."))
    existing = {s.plan.department_id: s for s in parent.shares.select_related("plan__department")}
    kept = []
    for index, share in enumerate(shares, start=1):
        if share.department.pk == parent.plan.department_id:
            raise ValidationError(_("A lead department does not give a share to itself."))
        target = existing.pop(share.department.pk, None)
        if target is None:
            plan = plan_for(parent.plan.year, share.department)
            target = Target(plan=plan, year=parent.year, parent=parent, code=f"{parent.code}-{share.department.pk}")
        for name in ("title", "description", "category", "core", "kind", "unit", "weight", "responsible"):
            setattr(target, name, getattr(parent, name))
        target.lead_department = parent.plan.department
        target.target_value = share.target_value
        target.withdrawn = False
        target.order = parent.order * 100 + index
        target.full_clean()
        target.save()
        _set_nodes(target, share.nodes)
        kept.append(target)
    for target in existing.values():
        if not target.withdrawn:
            target.withdrawn = True
            target.save(update_fields=["withdrawn"])
    return kept


# Adjustments (目标调整申请) to approved targets ------------------------------------------------


@transaction.atomic
def request_adjustment(*, target: Target, kind: str, reason: str, proposal: dict, by) -> Adjustment:
    if target.plan.state != TargetPlan.State.APPROVED:
        raise ValidationError(_("Targets of a plan that is not approved are edited directly."))
    if target.withdrawn:
        raise ValidationError(_("This target has been withdrawn."))
    if target.adjustments.filter(state=Adjustment.State.PENDING).exists():
        raise ValidationError(_("An adjustment of this target is already waiting for a decision."))
    adjustment = Adjustment(target=target, kind=kind, reason=reason.strip(), proposal=proposal, requested_by=by)
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def decide_adjustment(*, adjustment: Adjustment, approve: bool, note: str, by) -> Adjustment:
    adjustment = Adjustment.objects.select_for_update().select_related("target__plan__year").get(pk=adjustment.pk)
    if adjustment.state != Adjustment.State.PENDING:
        raise ValidationError(_("This adjustment has already been decided."))
    if not approve and not note.strip():
        raise ValidationError(_("Say why the adjustment is rejected."))
    if adjustment.target.plan.year.is_read_only:
        raise ValidationError(
            _("The year %(year)s is closed: its plans are read-only.") % {"year": adjustment.target.plan.year}
        )
    adjustment.state = Adjustment.State.APPROVED if approve else Adjustment.State.REJECTED
    adjustment.decision_note = note.strip()
    adjustment.decided_by = by
    adjustment.decided_at = timezone.now()
    adjustment.save()
    if approve:
        apply_adjustment(adjustment)
    return adjustment


def apply_adjustment(adjustment: Adjustment) -> None:
    """Write an approved adjustment into its target: a new version in the target's history."""
    target = adjustment.target
    if adjustment.kind == Adjustment.Kind.WITHDRAW:
        target.withdrawn = True
        target.save(update_fields=["withdrawn"])
        for share in target.shares.filter(withdrawn=False):
            share.withdrawn = True
            share.save(update_fields=["withdrawn"])
        return
    fields = adjustment.proposal.get("fields", {})
    for name in ("title", "description", "target_value", "unit", "weight", "responsible"):
        if name in fields:
            value = fields[name]
            if name in ("target_value", "weight") and value not in (None, ""):
                value = Decimal(str(value))
            setattr(target, name, value if value != "" or name not in ("target_value", "weight") else None)
    target.full_clean()
    target.save()
    if "nodes" in adjustment.proposal:
        _set_nodes(
            target,
            [
                NodeData(
                    date.fromisoformat(n["due_date"]),
                    n.get("deliverable", ""),
                    Decimal(n["expected_value"]) if n.get("expected_value") not in (None, "") else None,
                )
                for n in adjustment.proposal["nodes"]
            ],
        )
