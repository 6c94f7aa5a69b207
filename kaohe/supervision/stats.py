"""Completion figures for supervision rounds (domain.md §3, the seed's §二).

Pure functions over plain values: no ORM, no database, ``Decimal`` throughout (never float).
A node's credit is stored to four places; completion sums those stored credits exactly and only
rounds for display (percent to one decimal, counts to at most two), always half up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from kaohe.lib.numbers import divide_half_up, round_half_up

CREDIT_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.1")
COUNT_PLACES = Decimal("0.01")
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
NO_RATIO = "—"


def _clamp(value: Decimal) -> Decimal:
    """``value`` limited to the range 0 to 1."""
    return min(ONE, max(ZERO, value))


def _nothing_expected(expected: Decimal | None) -> bool:
    """True when no positive expected value exists to divide by (None, 0 or a nonsensical negative)."""
    return expected is None or expected <= 0


def node_credit(
    *,
    quantified: bool,
    done: bool | None = None,
    actual: Decimal | None = None,
    expected: Decimal | None = None,
) -> Decimal:
    """The credit of one node, from 0 to 1, to four places (``CREDIT_PLACES``), rounded half up.

    A milestone counts 1 when done, else 0. A quantified node counts ``actual ÷ expected``, capped
    at 1 and floored at 0 (1 of 3 → 0.3333, 2 of 3 → 0.6667); no actual counts 0. When nothing is
    expected (None or 0) there is nothing to divide by: the node counts 1 once something positive
    was achieved or it was marked done, else 0 — so an unfilled node is never complete by accident.
    """
    if not quantified:
        return round_half_up(ONE if done else ZERO, CREDIT_PLACES)
    if _nothing_expected(expected):
        achieved = done or (actual is not None and actual > 0)
        return round_half_up(ONE if achieved else ZERO, CREDIT_PLACES)
    if actual is None or actual <= 0:
        return round_half_up(ZERO, CREDIT_PLACES)
    if actual >= expected:
        return round_half_up(ONE, CREDIT_PLACES)
    return divide_half_up(actual, expected, CREDIT_PLACES)


@dataclass(frozen=True)
class Completion:
    """A set of due items: how many were due and the exact sum of their stored credits."""

    due: int
    completed: Decimal

    @property
    def not_completed(self) -> Decimal:
        """Due minus completed, exact."""
        return Decimal(self.due) - self.completed

    @property
    def ratio(self) -> Decimal | None:
        """Completed ÷ due (Decimal at context precision); None when nothing was due."""
        return self.completed / Decimal(self.due) if self.due else None

    @property
    def percent(self) -> Decimal | None:
        """The ratio as a percent to one decimal, rounded half up from the exact quotient; None if nothing due."""
        return divide_half_up(self.completed * HUNDRED, self.due, PERCENT_PLACES) if self.due else None


def completion(credits: Iterable[Decimal]) -> Completion:
    """The completion of the items whose stored credits are given, one credit per due item."""
    credits = list(credits)
    return Completion(due=len(credits), completed=sum(credits, ZERO))


def group_completion[K: Hashable](items: Iterable[tuple[K, Decimal]]) -> dict[K, Completion]:
    """Completion per key (department, category, assessment group), keys in first-seen order."""
    groups: dict[K, list[Decimal]] = {}
    for key, credit in items:
        groups.setdefault(key, []).append(credit)
    return {key: completion(credits) for key, credits in groups.items()}


def format_count(value: Decimal | int) -> str:
    """A count of items with at most two decimals, rounded half up, no trailing zeros (96, 94.5, 94.83)."""
    rounded = round_half_up(Decimal(value), COUNT_PLACES)
    return "0" if rounded == 0 else f"{rounded.normalize():f}"


def format_percent(c: Completion) -> str:
    """The completion ratio as "98.4%"; "—" when nothing was due."""
    return NO_RATIO if c.percent is None else f"{c.percent}%"


def sentence(c: Completion) -> str:
    """The bulletin's sentence (official wording, kept in Chinese): "应完成96项，已完成94.5项，…完成比例98.4%"."""
    if not c.due:
        return "本期无应完成项"
    done, missing = format_count(c.completed), format_count(c.not_completed)
    return f"应完成{c.due}项，已完成{done}项，未完成{missing}项，完成比例{format_percent(c)}"


@dataclass(frozen=True)
class ShareResult:
    """One college's share of a quantified school-wide indicator (e.g. 社会培训指标)."""

    department: str
    expected: Decimal
    actual: Decimal


@dataclass(frozen=True)
class SplitSummary:
    """Each college's completion ratio and the colleges below the threshold."""

    ratios: dict[str, Decimal]
    threshold: Decimal

    @property
    def under(self) -> tuple[str, ...]:
        """The colleges whose ratio is strictly below the threshold ("低于"), in input order."""
        return tuple(name for name, ratio in self.ratios.items() if ratio < self.threshold)

    @property
    def under_count(self) -> int:
        return len(self.under)

    @property
    def share(self) -> Decimal | None:
        """The fraction of colleges under the threshold; None when there are no colleges."""
        return Decimal(self.under_count) / len(self.ratios) if self.ratios else None

    @property
    def share_percent(self) -> Decimal | None:
        """That fraction as a percent to one decimal, rounded half up; None when there are no colleges."""
        return (
            divide_half_up(Decimal(self.under_count) * HUNDRED, len(self.ratios), PERCENT_PLACES)
            if self.ratios
            else None
        )

    @property
    def most(self) -> bool:
        """True when more than half the colleges are under the threshold ("大部分院部")."""
        return self.under_count * 2 > len(self.ratios)


def share_ratio(expected: Decimal, actual: Decimal) -> Decimal:
    """A college's ratio ``actual ÷ expected`` capped at 1, floored at 0; as ``node_credit`` when nothing expected."""
    if _nothing_expected(expected):
        return ONE if actual > 0 else ZERO
    return _clamp(actual / expected)


def split_indicator(shares: Iterable[ShareResult], threshold: Decimal = Decimal("0.5")) -> SplitSummary:
    """Completion per college of a split indicator; a college listed twice has its shares added up."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for s in shares:
        expected, actual = totals.get(s.department, (ZERO, ZERO))
        totals[s.department] = (expected + s.expected, actual + s.actual)
    ratios = {name: share_ratio(expected, actual) for name, (expected, actual) in totals.items()}
    return SplitSummary(ratios=ratios, threshold=threshold)
