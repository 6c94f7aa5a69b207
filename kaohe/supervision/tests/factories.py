"""Plain helpers for supervision tests, with the seed's third-quarter round as the defaults.

The seed (§一): notice on 28 September, the period 1 July – 30 September 2021, on site 5–14 October.
"""

from __future__ import annotations

from datetime import date

from kaohe.supervision import services
from kaohe.supervision.models import SupervisionRound

SEED_DATES = {
    "period_start": date(2021, 7, 1),
    "period_end": date(2021, 9, 30),
    "notice_date": date(2021, 9, 28),
    "selfcheck_deadline": date(2021, 10, 4),
    "onsite_start": date(2021, 10, 5),
    "onsite_end": date(2021, 10, 14),
}


def make_round(year, by, **kwargs) -> SupervisionRound:
    """A draft round through the service; any date or the name may be given."""
    fields = {"name": "2021年第三季度督查", **SEED_DATES, **kwargs}
    return services.create_round(year=year, by=by, **fields)


def announce(round_: SupervisionRound, by) -> SupervisionRound:
    """Draft → announced: the due and carried-over items are listed and self-checks opened."""
    return services.advance_round(round_=round_, by=by)


def advance_to(round_: SupervisionRound, state: str, by) -> SupervisionRound:
    """Step the round forward until it reaches ``state`` (closing needs every due item verified)."""
    order = list(SupervisionRound.State.values)
    while order.index(round_.state) < order.index(state):
        round_ = services.advance_round(round_=round_, by=by)
    return round_


def assign(round_: SupervisionRound, department, *inspectors) -> None:
    services.assign_inspectors(round_=round_, department=department, inspectors=list(inspectors))
