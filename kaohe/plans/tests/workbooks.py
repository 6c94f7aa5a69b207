"""Workbooks for import tests, in each format the import reads: .xlsx, .xls and .ods."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

from kaohe.plans.exports import NODE_COLUMNS, NODE_SHEET, TARGET_COLUMNS, TARGET_SHEET

TARGET_HEADER = [c[0] for c in TARGET_COLUMNS]
NODE_HEADER = [c[0] for c in NODE_COLUMNS]


def sheets(targets: list[dict], nodes: list[list]) -> dict[str, list[list]]:
    """Two sheets from target rows given as {header: value} and node rows as lists."""
    return {
        TARGET_SHEET: [TARGET_HEADER, *[[row.get(h, "") for h in TARGET_HEADER] for row in targets]],
        NODE_SHEET: [NODE_HEADER, *nodes],
    }


def xlsx(data: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(data: dict[str, list[list]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in data.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(data: dict[str, list[list]]) -> bytes:
    """A minimal OpenDocument spreadsheet, written by hand (text and number cells)."""

    def cell(value) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs = f'office:value-type="float" office:value="{value}"'
            return f"<table:table-cell {attrs}><text:p>{value}</text:p></table:table-cell>"
        text = escape(str(value))
        return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in data.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
