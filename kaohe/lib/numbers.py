"""Exact decimal rounding, half up, as the assessment office rounds (81.25 % → 81.3 %, never 81.2 %)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(value: Decimal, places: Decimal) -> Decimal:
    """``value`` rounded to the exponent of ``places``, halves away from zero (81.25 → 81.3)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def divide_half_up(numerator: Decimal | int, denominator: Decimal | int, places: Decimal) -> Decimal:
    """``numerator ÷ denominator`` rounded half up to ``places``, computed exactly (no double rounding)."""
    scaled = Fraction(numerator) / Fraction(denominator) / Fraction(places)
    steps = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(steps if scaled >= 0 else -steps) * places
