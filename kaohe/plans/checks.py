"""The plan check (the seed's §七.2): what is wrong with a plan while it is drafted.

Pure functions over plain values, so they are tested without the database and fed by one query
each (``selectors.plan_check_input``). Errors block submission; warnings need an explanation
when the plan is submitted (docs/decisions.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class NodeFacts:
    due_date: object
    deliverable: str
    expected_value: Decimal | None


@dataclass(frozen=True)
class TargetFacts:
    pk: int
    code: str
    title: str
    quantified: bool
    target_value: Decimal | None
    unit: str
    weight: Decimal | None
    responsible: str
    core: bool
    is_split: bool
    nodes: tuple[NodeFacts, ...] = ()
    shares: tuple[TargetFacts, ...] = ()
    withdrawn: bool = False


@dataclass(frozen=True)
class Finding:
    level: str
    rule: str
    message: str
    target_pk: int | None = None
    target_code: str = ""


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]


def check_target(t: TargetFacts) -> list[Finding]:
    found = []

    def add(level: str, rule: str, message) -> None:
        found.append(Finding(level, rule, str(message), t.pk, t.code))

    if t.quantified and (t.target_value is None or not t.unit):
        add(ERROR, "no_value", _("Quantified, but the target value or its unit is missing."))
    if not t.quantified and t.nodes and not any(n.deliverable.strip() for n in t.nodes):
        add(WARNING, "not_quantified", _("Neither a number nor a deliverable says when this is done."))
    if not t.nodes:
        add(ERROR, "no_node", _("No work node with a due date."))
    if t.quantified and t.nodes and any(n.expected_value is None for n in t.nodes):
        add(ERROR, "node_without_value", _("A node of this quantified target has no expected value."))
    if t.weight is None or t.weight <= 0:
        add(ERROR, "no_weight", _("No weight."))
    if not t.responsible.strip():
        add(WARNING, "no_owner", _("No person responsible."))
    if t.is_split:
        found.extend(check_split(t))
    return found


def check_split(parent: TargetFacts) -> list[Finding]:
    """A lead department's split: every share quantified and dated, and the shares add up."""
    found = []

    def add(message, share: TargetFacts | None = None) -> None:
        who = share or parent
        found.append(Finding(ERROR, "split", str(message), who.pk, who.code))

    if not parent.quantified or parent.target_value is None:
        add(_("A split target needs a target value to divide."))
        return found
    shares = [s for s in parent.shares if not s.withdrawn]
    if not shares:
        add(_("Marked for splitting, but not yet split to any college."))
        return found
    for share in shares:
        if share.target_value is None:
            add(_("This share has no value."), share)
        if not share.nodes:
            add(_("This share has no schedule (no node with a due date)."), share)
    total = sum((s.target_value or Decimal(0) for s in shares), Decimal(0))
    if total != parent.target_value:
        add(
            _("The shares add up to %(total)s, not to the target value %(value)s.")
            % {"total": _plain(total), "value": _plain(parent.target_value)}
        )
    return found


def check_plan(targets: list[TargetFacts], *, limit: int) -> CheckResult:
    current = [t for t in targets if not t.withdrawn]
    result = CheckResult()
    for t in current:
        result.findings.extend(check_target(t))
    if len(current) > limit:
        result.findings.append(
            Finding(
                WARNING,
                "too_many",
                str(
                    _("%(count)d targets: more than the %(limit)d this year's scheme expects; keep the key ones.")
                    % {"count": len(current), "limit": limit}
                ),
            )
        )
    if current and not any(t.core for t in current):
        result.findings.append(Finding(WARNING, "no_core", str(_("No target is marked as a core indicator."))))
    return result


def _plain(value: Decimal) -> str:
    """96, 94.5, 94.83: no trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
