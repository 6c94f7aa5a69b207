"""Numbers and dates as typed in Chinese offices (reliability.md T-INPUT-1, T-INPUT-2)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kaohe.lib.inputs import parse_date, parse_decimal

SEPT_30 = datetime.date(2021, 9, 30)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("94.5", Decimal("94.5")),
        ("９８.５", Decimal("98.5")),
        ("１２３", Decimal("123")),
        ("  7 ", Decimal("7")),
        ("1,000", Decimal("1000")),
        ("0", Decimal("0")),
        ("", None),
        ("-0", Decimal("-0")),
    ],
)
def test_numbers_people_type_are_read(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["١٢٣", "〇", "一百", "NaN", "Infinity", "1e5", "1e309", "98.4%", "abc", "1.2.3"])
def test_other_numbers_are_refused_with_a_message(text):
    with pytest.raises(ValidationError):
        parse_decimal(text)


@pytest.mark.parametrize(
    "text",
    [
        "2021-09-30",
        "2021/9/30",
        "2021.9.30",
        "2021年9月30日",
        "２０２１-０９-３０",
        "44469",
        "2021-9-30",
        SEPT_30,
        datetime.datetime(2021, 9, 30, 0, 0),
    ],
)
def test_dates_people_type_are_read(text):
    assert parse_date(text) == SEPT_30


@pytest.mark.parametrize(
    "text", ["2021-٠٩-٣٠", "٤٤٤٦٩", "2021-02-30", "30/09/2021", "09/30/2021", "9月30日", "yesterday", "2021-13-01"]
)
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(ValidationError):
        parse_date(text)


@given(st.text(max_size=20))
def test_no_text_makes_the_parsers_crash(text):
    for parse in (parse_decimal, parse_date):
        try:
            parse(text)
        except ValidationError:
            pass
