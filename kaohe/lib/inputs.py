"""Numbers and dates as people type them in Chinese offices (reliability.md T-INPUT-1, T-INPUT-2).

Full-width digits and punctuation are folded (NFKC) first; then only ASCII digits count, so
Arabic-Indic and other scripts' digits are refused with a message instead of being read as
numbers the way Python's int() would. Dates accept 2021-09-30, 2021/9/30, 2021.9.30,
2021年9月30日 and Excel's serial numbers; day-first forms like 30/09/2021 are refused as ambiguous.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# [0-9], not \d: \d would also take other scripts' digits (٣٠).
DATE_RE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


def plain(value):
    """A Decimal as people write it: 5, 94.5, 94.83 (no trailing zeros); None stays None."""
    if value is None or value == "":
        return value
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def fold(text: str) -> str:
    """Full-width to half-width, ideographic spaces and thousands separators out."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    return text.replace(",", "").replace(" ", "")


def parse_decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."), code="invalid")
    if isinstance(value, int):
        return Decimal(value)
    text = fold(str(value))
    if text == "":
        return None
    if not NUMBER_RE.match(text) or not text.replace(".", "").lstrip("+-").isascii():
        raise ValidationError(_("Enter a number in ordinary digits, e.g. 94.5."), code="invalid")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Enter a number in ordinary digits, e.g. 94.5."), code="invalid") from exc


def parse_date(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return _in_range(value.date())
    if isinstance(value, datetime.date):
        return _in_range(value)
    text = fold(str(value))
    if re.fullmatch(r"[0-9]{5}(\.0+)?", text):  # an Excel serial day number, e.g. 44469
        return _in_range(EXCEL_EPOCH + datetime.timedelta(days=int(float(text))))
    match = DATE_RE.match(text)
    if not match:
        raise ValidationError(_("Enter a date as year-month-day, e.g. 2021-09-30."), code="invalid")
    try:
        parsed = datetime.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValidationError(_("This date does not exist."), code="invalid") from exc
    return _in_range(parsed)


def _in_range(day: datetime.date) -> datetime.date:
    """Assessment dates lie in this century; anything else is a typing mistake."""
    if not (FIRST_DAY <= day <= LAST_DAY):
        raise ValidationError(_("Enter a date between 2000 and 2099."), code="out_of_range")
    return day


class NormalisedDecimalField(forms.DecimalField):
    # A text box, not type=number: browsers would refuse the full-width digits people type.
    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_decimal(value)

    def prepare_value(self, value):
        """A stored value as people write it: 1, 94.5 (not 1.00, 94.50)."""
        return plain(value) if isinstance(value, Decimal) else value


class FlexibleDateField(forms.DateField):
    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": "2021-09-30"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_date(value)


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal shown on the form that sent the values: each field's message beside its
    field, the rest (and messages about fields the form does not have) at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
