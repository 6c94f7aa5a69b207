"""Reading uploaded sheets safely, and writing exports Excel will not evaluate.

Uploads are checked before any parser opens them: size, extension, and for the zip-based
formats (.xlsx, .ods) the zip's central directory (entry count, inflated size, ratio, nesting,
links). Then python-calamine reads .xlsx, .xls and .ods alike.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHEET_EXTENSIONS = {".xlsx", ".xls", ".ods"}
ZIP_MAX_ENTRIES = 1000
ZIP_MAX_INFLATED = 50 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Control characters other than tab, newline and carriage return: refused in imported text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Cells starting with these are formulas to Excel, LibreOffice and WPS (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def check_zip(data: bytes) -> None:
    """Refuse zip bombs and odd archives from the central directory alone, without inflating.

    The check is the evidence uploads' (``uploads.check_zip_file``), with this module's limits.
    """
    from kaohe.lib.uploads import check_zip_file  # uploads imports this module's limits

    check_zip_file(io.BytesIO(data))


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check_sheet_upload(name: str, data: bytes, max_bytes: int) -> str:
    """Validate an uploaded sheet before it is parsed; returns its extension."""
    ext = extension_of(name)
    if ext not in SHEET_EXTENSIONS:
        raise ValidationError(_("Please upload an Excel (.xlsx, .xls) or OpenDocument (.ods) file."))
    if len(data) > max_bytes:
        raise ValidationError(_("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)})
    if not data:
        raise ValidationError(_("The file is empty."))
    if ext in (".xlsx", ".ods"):
        if not data.startswith(b"PK\x03\x04"):
            raise ValidationError(_("The file is damaged or is not the format its name says."))
        check_zip(data)
    elif not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ValidationError(_("The file is damaged or is not the format its name says."))
    return ext


def read_sheet_upload(upload) -> bytes:
    """An uploaded sheet's bytes, refused before reading when too large, then checked."""
    from django.conf import settings

    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)})
    data = upload.read()
    check_sheet_upload(upload.name, data, limit)
    return data


@dataclass
class SheetRow:
    number: int  # the row number Excel shows, counting the header row
    values: dict[str, Any]


def read_rows(data: bytes, columns: dict[str, str], required: Iterable[str] = ()) -> list[SheetRow]:
    """Rows of the first sheet as {field: value}, found by their headers.

    ``columns`` maps each accepted header text (Chinese first, then English) to a field name;
    ``required`` names the fields whose column must be there. Blank rows are skipped; the header
    is the first non-blank row.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise ValidationError(_("The file has no sheet."))
        table = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ValidationError:
        raise
    except Exception as exc:  # calamine raises its own errors for every kind of damage
        raise ValidationError(_("The file could not be read. Is it a valid spreadsheet?")) from exc

    return rows_of_table(table, columns, required)


def rows_of_table(
    table: list[list[Any]], columns: dict[str, str], required: Iterable[str] = (), allow_empty: bool = False
) -> list[SheetRow]:
    """Rows of one sheet's cells as {field: value}, by the headers of its first non-blank row."""
    wanted = {header.strip().casefold(): field for header, field in columns.items()}
    header_index = None
    for index, row in enumerate(table):
        if any(_text(cell) for cell in row):
            header_index = index
            break
    if header_index is None:
        if allow_empty:
            return []
        raise ValidationError(_("The sheet is empty."))
    mapping: dict[int, str] = {}
    for position, cell in enumerate(table[header_index]):
        field = wanted.get(_text(cell).casefold())
        if field and field not in mapping.values():
            mapping[position] = field
    missing = set(required) - set(mapping.values())
    first_header: dict[str, str] = {}
    for header, field in columns.items():
        first_header.setdefault(field, header)
    required_missing = [first_header[f] for f in first_header if f in missing]
    if required_missing:
        raise ValidationError(
            _("These columns are missing from the header row: %(columns)s") % {"columns": "、".join(required_missing)}
        )
    rows = []
    for index in range(header_index + 1, len(table)):
        row = table[index]
        values = {field: _cell(row[pos]) if pos < len(row) else "" for pos, field in mapping.items()}
        if any(v not in ("", None) for v in values.values()):
            rows.append(SheetRow(number=index + 1, values=values))
    return rows


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _cell(value: Any) -> Any:
    """Cell values as a form would receive them: text, with whole floats as integers.

    Text that an export protected from Excel ("'=1+1", see ``safe_cell``) comes back as it was.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value).replace("\u3000", " ").strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def safe_cell(value: Any) -> Any:
    """A value for an exported cell: text that Excel would evaluate becomes plain text, and control
    characters, which a worksheet cannot hold, are dropped (the importer refuses them anyway)."""
    if isinstance(value, str):
        value = CONTROL_CHARACTERS.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def write_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(
    title: str, headers: Sequence[str], instructions: Sequence[str], choices: dict[int, Sequence[str]]
) -> bytes:
    """An import template: an instructions sheet, and a data sheet with dropdowns per column."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for column in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 18
    lists = workbook.create_sheet("lists")
    for index, (column, options) in enumerate(choices.items(), start=1):
        letter = get_column_letter(index)
        for row, option in enumerate(options, start=1):
            lists.cell(row=row, column=index, value=option)
        validation = DataValidation(
            type="list", formula1=f"=lists!${letter}$1:${letter}${max(len(options), 1)}", allow_blank=True
        )
        sheet.add_data_validation(validation)
        target = get_column_letter(column + 1)
        validation.add(f"{target}2:{target}5000")
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(_("Instructions")[:31], 0)
    for line in instructions:
        help_sheet.append([str(line)])
    help_sheet.column_dimensions["A"].width = 100
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
