"""Completion figures against the seed bulletin (§二) and domain.md §3; no database."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.supervision.stats import (
    CREDIT_PLACES,
    Completion,
    ShareResult,
    completion,
    format_count,
    format_percent,
    group_completion,
    node_credit,
    round_half_up,
    sentence,
    split_indicator,
)

D = Decimal
SEED_SENTENCE = "应完成96项，已完成94.5项，未完成1.5项，完成比例98.4%"


def seed_credits() -> list[Decimal]:
    """96 due items: 94 complete, 教研室优秀数 (1 of 2) and the unfinished classroom project."""
    full = [node_credit(quantified=False, done=True) for _ in range(94)]
    excellent = node_credit(quantified=True, actual=D(1), expected=D(2))
    classroom = node_credit(quantified=False, done=False)
    return [*full, excellent, classroom]


def test_seed_golden_figures():
    c = completion(seed_credits())
    assert c.due == 96
    assert c.completed == D("94.5")
    assert c.not_completed == D("1.5")
    assert c.percent == D("98.4")
    assert format_percent(c) == "98.4%"
    assert sentence(c) == SEED_SENTENCE


def test_seed_excellent_groups_credit_half():
    assert node_credit(quantified=True, actual=D(1), expected=D(2)) == D("0.5")


@pytest.mark.parametrize(("actual", "expected", "credit"), [(1, 3, "0.3333"), (2, 3, "0.6667"), (1, 8, "0.1250")])
def test_credit_four_places_half_up(actual, expected, credit):
    result = node_credit(quantified=True, actual=D(actual), expected=D(expected))
    assert str(result) == credit


def test_credit_capped_at_one_and_floored_at_zero():
    assert node_credit(quantified=True, actual=D(5), expected=D(2)) == 1
    assert node_credit(quantified=True, actual=D(-1), expected=D(2)) == 0
    assert node_credit(quantified=True, actual=None, expected=D(2)) == 0


def test_milestone_done_or_not():
    assert node_credit(quantified=False, done=True) == 1
    assert node_credit(quantified=False, done=False) == 0
    assert node_credit(quantified=False) == 0


@pytest.mark.parametrize(
    ("actual", "done", "credit"),
    [(D(3), None, 1), (D(0), None, 0), (None, None, 0), (None, True, 1), (D(0), False, 0)],
)
@pytest.mark.parametrize("expected", [None, D(0)])
def test_credit_when_nothing_expected(expected, actual, done, credit):
    assert node_credit(quantified=True, done=done, actual=actual, expected=expected) == credit


def test_credit_stored_to_four_places():
    assert node_credit(quantified=False, done=True).as_tuple().exponent == -4
    assert node_credit(quantified=True, actual=D(1), expected=D(2)).as_tuple().exponent == -4


def test_percent_half_up_not_bankers():
    c = completion([D(1)] * 65 + [D(0)] * 15)
    assert c.ratio == D("0.8125")
    assert c.percent == D("81.3")
    assert format_percent(c) == "81.3%"


def test_round_half_up():
    assert round_half_up(D("81.25"), D("0.1")) == D("81.3")
    assert round_half_up(D("0.33335"), CREDIT_PLACES) == D("0.3334")


def test_empty_set_has_no_ratio():
    c = completion([])
    assert c == Completion(due=0, completed=D(0))
    assert c.ratio is None
    assert c.percent is None
    assert format_percent(c) == "—"
    assert sentence(c) == "本期无应完成项"


def test_complete_set_shows_one_decimal():
    assert format_percent(completion([D(1)] * 3)) == "100.0%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (96, "96"),
        (D("94.5"), "94.5"),
        (D("94.8333"), "94.83"),
        (D("1.50"), "1.5"),
        (D("0.005"), "0.01"),
        (D("2.0000"), "2"),
        (D("100"), "100"),
        (D("0.0000"), "0"),
        (0, "0"),
    ],
)
def test_format_count(value, text):
    assert format_count(value) == text


def test_group_completion_per_department_keeps_order():
    items = [
        ("马克思主义学院", D("1")),
        ("教务处", D("1")),
        ("马克思主义学院", D("0.5")),
        ("学生处", D("1")),
        ("马克思主义学院", D("0")),
        ("教务处", D("1")),
    ]
    groups = group_completion(items)
    assert list(groups) == ["马克思主义学院", "教务处", "学生处"]
    marx = groups["马克思主义学院"]
    assert (marx.due, marx.completed, marx.not_completed) == (3, D("1.5"), D("1.5"))
    assert format_percent(marx) == "50.0%"
    assert groups["教务处"] == Completion(due=2, completed=D(2))


def test_group_completion_other_keys():
    groups = group_completion([(("教学", 1), D(1)), (("党建", 2), D("0.25"))])
    assert list(groups) == [("教学", 1), ("党建", 2)]
    assert groups[("党建", 2)].percent == D("25.0")
    assert group_completion([]) == {}


def test_split_indicator_most_colleges_under_half():
    """社会培训指标: the seed's "大部分院部完成率低于50%"."""
    shares = [
        ShareResult("经济管理学院", D(400), D(120)),
        ShareResult("信息工程学院", D(300), D(90)),
        ShareResult("人文学院", D(200), D(60)),
        ShareResult("马克思主义学院", D(100), D(50)),
        ShareResult("机电工程学院", D(300), D(450)),
    ]
    summary = split_indicator(shares)
    assert list(summary.ratios) == ["经济管理学院", "信息工程学院", "人文学院", "马克思主义学院", "机电工程学院"]
    assert summary.ratios["经济管理学院"] == D("0.3")
    assert summary.ratios["马克思主义学院"] == D("0.5")
    assert summary.ratios["机电工程学院"] == 1
    assert summary.under == ("经济管理学院", "信息工程学院", "人文学院")
    assert summary.under_count == 3
    assert summary.share == D("0.6")
    assert summary.share_percent == D("60.0")
    assert summary.most is True


def test_split_indicator_half_is_not_most():
    shares = [
        ShareResult("甲", D(3), D(1)),
        ShareResult("乙", D(3), D(1)),
        ShareResult("丙", D(3), D(3)),
        ShareResult("丁", D(3), D(2)),
    ]
    summary = split_indicator(shares)
    assert summary.under_count == 2
    assert summary.most is False
    assert summary.share_percent == D("50.0")
    assert split_indicator(shares, threshold=D("0.7")).share_percent == D("75.0")


def test_split_indicator_one_of_three_percent_and_sums_repeats():
    shares = [ShareResult("甲", D(2), D(0)), ShareResult("乙", D(2), D(2)), ShareResult("丙", D(1), D(1))]
    shares.append(ShareResult("甲", D(2), D(4)))
    summary = split_indicator(shares)
    assert summary.ratios["甲"] == 1
    assert split_indicator(shares[:3]).share_percent == D("33.3")


def test_split_indicator_empty_and_nothing_expected():
    empty = split_indicator([])
    assert (empty.share, empty.share_percent, empty.most) == (None, None, False)
    summary = split_indicator([ShareResult("甲", D(0), D(0)), ShareResult("乙", D(0), D(5))])
    assert summary.ratios == {"甲": D(0), "乙": D(1)}


credit_values = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
credit_lists = st.lists(credit_values, max_size=300)
any_decimal = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False)


@given(credit_lists)
def test_ratio_within_zero_and_one(credits):
    c = completion(credits)
    assert c.due == len(credits)
    assert c.ratio is None if not credits else 0 <= c.ratio <= 1


@given(credit_lists)
def test_completed_plus_not_completed_is_due_exactly(credits):
    c = completion(credits)
    assert c.completed + c.not_completed == c.due


@given(credit_lists.filter(bool))
def test_percent_is_half_up_of_exact_ratio(credits):
    with localcontext() as ctx:
        ctx.prec = 60
        exact = sum(credits, Decimal(0)) * 100 / len(credits)
        expected = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    c = completion(credits)
    assert c.percent == expected
    assert format_percent(c) == f"{expected}%"


@given(
    quantified=st.booleans(),
    done=st.none() | st.booleans(),
    actual=st.none() | any_decimal,
    expected=st.none() | any_decimal,
)
def test_node_credit_within_range_and_four_places(quantified, done, actual, expected):
    credit = node_credit(quantified=quantified, done=done, actual=actual, expected=expected)
    assert 0 <= credit <= 1
    assert credit.as_tuple().exponent >= -4
    assert credit == credit.quantize(CREDIT_PLACES)


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.decimals(min_value="0.01", max_value=10**6, places=2))
def test_node_credit_is_half_up_of_exact_quotient(actual, expected):
    with localcontext() as ctx:
        ctx.prec = 60
        exact = min(Decimal(1), actual / expected).quantize(CREDIT_PLACES, rounding=ROUND_HALF_UP)
    assert node_credit(quantified=True, actual=actual, expected=expected) == exact
