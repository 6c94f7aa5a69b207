"""The plan check's rules, without the database (the seed's §七.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kaohe.plans.checks import NodeFacts, TargetFacts, check_plan, check_target

D = Decimal
NODE = NodeFacts(date(2021, 9, 30), "总结报告", None)


def target(**kw) -> TargetFacts:
    values = dict(
        pk=1,
        code="T1",
        title="t",
        quantified=False,
        target_value=None,
        unit="",
        weight=D(10),
        responsible="张三",
        core=True,
        is_split=False,
        nodes=(NODE,),
    )
    values.update(kw)
    return TargetFacts(**values)


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def test_a_complete_milestone_target_passes():
    assert check_target(target()) == []


def test_a_quantified_target_needs_a_value_and_unit():
    assert "no_value" in rules(check_target(target(quantified=True, target_value=None, unit="个")))
    assert "no_value" in rules(check_target(target(quantified=True, target_value=D(2), unit="")))
    complete = target(quantified=True, target_value=D(2), unit="个", nodes=(NodeFacts(date(2021, 9, 30), "", D(2)),))
    assert check_target(complete) == []


def test_nodes_of_a_quantified_target_need_values():
    t = target(quantified=True, target_value=D(2), unit="个", nodes=(NODE,))
    assert "node_without_value" in rules(check_target(t))


def test_a_target_needs_a_node_a_weight_and_a_person():
    assert "no_node" in rules(check_target(target(nodes=())))
    assert "no_weight" in rules(check_target(target(weight=None)))
    assert "no_weight" in rules(check_target(target(weight=D(0))))
    assert "no_owner" in rules(check_target(target(responsible="  ")))


def test_a_milestone_without_any_deliverable_is_not_quantified():
    t = target(nodes=(NodeFacts(date(2021, 9, 30), " ", None),))
    findings = check_target(t)
    assert rules(findings) == {"not_quantified"}
    assert findings[0].level == "warning"


def share(pk, value, nodes=(NODE,)):
    return target(pk=pk, code=f"S{pk}", quantified=True, target_value=value, unit="人次", nodes=nodes)


SOCIAL_TRAINING = D(3000)


def split_parent(*shares, value=SOCIAL_TRAINING):
    return target(
        quantified=True,
        target_value=value,
        unit="人次",
        is_split=True,
        shares=shares,
        nodes=(NodeFacts(date(2021, 12, 31), "", value),),
    )


def test_shares_must_add_up():
    ok = split_parent(share(2, D(1000)), share(3, D(2000)))
    assert [f for f in check_target(ok) if f.rule == "split"] == []
    short = split_parent(share(2, D(1000)), share(3, D(1500)))
    messages = [f.message for f in check_target(short) if f.rule == "split"]
    assert len(messages) == 1 and "2500" in messages[0] and "3000" in messages[0]


def test_every_share_needs_a_value_and_a_schedule():
    findings = check_target(split_parent(share(2, None), share(3, D(3000), nodes=())))
    assert {f.target_code for f in findings if f.rule == "split"} >= {"S2", "S3"}


def test_a_target_marked_for_splitting_must_be_split():
    assert "split" in rules(check_target(split_parent()))


def test_too_many_targets_and_no_core_indicator_warn():
    many = [target(pk=i, code=f"T{i}", core=False) for i in range(16)]
    result = check_plan(many, limit=15)
    assert {"too_many", "no_core"} <= rules(result.warnings)
    assert result.errors == []
    assert rules(check_plan(many[:15], limit=15).warnings) == {"no_core"}


def test_withdrawn_targets_are_not_checked():
    result = check_plan([target(), target(pk=2, code="T2", nodes=(), withdrawn=True)], limit=15)
    assert result.findings == []
