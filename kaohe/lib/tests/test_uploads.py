"""Uploaded evidence files: names, types judged from content, zip bombs, XML (reliability.md T-UP-2 … T-UP-6)."""

from __future__ import annotations

import io
import os
import stat
import struct
import time
import warnings
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kaohe.lib.spreadsheets import ZIP_MAX_ENTRIES, ZIP_MAX_INFLATED, ZIP_MAX_RATIO, write_xlsx
from kaohe.lib.uploads import (
    ALLOWED_DESCRIPTION,
    ALLOWED_TYPES,
    XML_SCAN_CHUNK,
    check_evidence_file,
    safe_name,
)

MISMATCH = "The file's content does not match its extension."
NOT_ACCEPTED = f"Files of this type are not accepted. Allowed: {ALLOWED_DESCRIPTION}."
DAMAGED = "The file is damaged or is not the format its name says."
TOO_MANY = "The file has too many parts to be a normal office document."
EXPANDS = "The file expands to far more data than a normal office document."
NESTED = "The file contains links or nested archives, which are not allowed."
XML_DECLARATIONS = "The file contains XML declarations that are not allowed."
MB = 1024 * 1024

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32) + b"\xff\xd9"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PARTS = {
    "docx": {
        "word/document.xml": XML_HEAD
        + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + b"<w:body><w:p><w:r><w:t>2021\xe5\xb9\xb4\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x80\xbb\xe7\xbb\x93</w:t></w:r></w:p>"
        + b"</w:body></w:document>",
    },
    "xlsx": {
        "xl/workbook.xml": XML_HEAD
        + b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
        + b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": XML_HEAD
        + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": XML_HEAD
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>',
    },
    "pptx": {
        "ppt/presentation.xml": XML_HEAD
        + b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    },
}


def ooxml(kind: str, extra: dict[str, bytes] | None = None, stored: frozenset[str] = frozenset()) -> bytes:
    """A minimal .docx/.xlsx/.pptx, with ``extra`` entries; names in ``stored`` are not compressed."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # duplicate names, on purpose in one test
        archive.writestr("[Content_Types].xml", XML_HEAD + b"<Types/>")
        archive.writestr("_rels/.rels", XML_HEAD + b"<Relationships/>")
        for name, data in {**PARTS[kind], **(extra or {})}.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ole2(size: int = 1536) -> bytes:
    """The fixed header of a version-3 compound file (MS-CFB 2.2), padded with empty sectors."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    return (header + bytes(6) + b"\xff" * (512 - len(header) - 6)).ljust(size, b"\x00")


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        check_evidence_file(name, io.BytesIO(data))
    return info.value.messages[0]


def timed_refusal(name: str, data: bytes) -> tuple[str, float]:
    start = time.perf_counter()
    message = refusal(name, data)
    return message, time.perf_counter() - start


def ratio(data: bytes) -> float:
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return sum(e.file_size for e in entries) / sum(e.compress_size for e in entries)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Good files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("2021年第三季度总结.pdf", PDF, "application/pdf"),
        ("扫描件.PDF", b"\r\n" + PDF, "application/pdf"),
        ("照片.png", PNG, "image/png"),
        ("照片.jpg", JPEG, "image/jpeg"),
        ("照片.JPEG", JPEG, "image/jpeg"),
        ("总结.docx", ooxml("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("统计.xlsx", ooxml("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("汇报.pptx", ooxml("pptx"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("总结.doc", ole2(), "application/msword"),
        ("统计.xls", ole2(), "application/vnd.ms-excel"),
        ("汇报.ppt", ole2(), "application/vnd.ms-powerpoint"),
    ],
)
def test_good_files_pass_with_the_type_from_our_map(name, data, content_type):
    file_type = check_evidence_file(name, io.BytesIO(data))
    assert file_type.content_type == content_type
    assert file_type is ALLOWED_TYPES[file_type.extension]
    assert file_type.is_image == content_type.startswith("image/")


def test_a_real_xlsx_from_openpyxl_passes():
    data = write_xlsx("考核", ["部门", "得分"], [["教务处", 95.5], ["科研处", 88]])
    assert check_evidence_file("导出.xlsx", io.BytesIO(data)).extension == ".xlsx"


def test_a_real_xls_from_xlwt_passes():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    book.add_sheet("考核").write(0, 0, "教务处")
    buffer = io.BytesIO()
    book.save(buffer)
    assert check_evidence_file("旧表.xls", io.BytesIO(buffer.getvalue())).content_type == "application/vnd.ms-excel"


def test_an_uploaded_file_is_left_at_position_zero_whether_accepted_or_refused():
    upload = SimpleUploadedFile("总结.docx", ooxml("docx"), content_type="text/html")
    upload.read(10)
    file_type = check_evidence_file(upload.name, upload)
    assert upload.tell() == 0
    assert file_type.content_type != "text/html"  # the client's Content-Type is never used
    refused = io.BytesIO(EXECUTABLE)
    with pytest.raises(ValidationError):
        check_evidence_file("总结.pdf", refused)
    assert refused.tell() == 0


def test_allowed_types_are_exactly_the_office_pdf_and_image_formats():
    assert set(ALLOWED_TYPES) == {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png"}
    assert all(ext == t.extension and t.label for ext, t in ALLOWED_TYPES.items())
    assert ALLOWED_DESCRIPTION.startswith(".pdf, .doc")


# T-UP-2 disguised types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("总结.pdf", EXECUTABLE, MISMATCH),
        ("总结.docx", PDF, MISMATCH),
        ("照片.png", HTML, MISMATCH),
        ("总结.docx", ooxml("xlsx"), MISMATCH),
        ("统计.xlsx", ooxml("pptx"), MISMATCH),
        ("照片.jpg", PNG, MISMATCH),
        ("照片.png", JPEG, MISMATCH),
        ("总结.doc", ooxml("docx"), MISMATCH),
        ("总结.docx", b"PK\x03\x04" + bytes(100), DAMAGED),
        ("总结.pdf", b" " * 1024 + PDF, MISMATCH),  # %PDF- must start within the first 1024 bytes
        ("总结.doc", ole2()[:300], DAMAGED),
        ("总结.doc", ole2().replace(b"\xfe\xff", b"\xff\xfe", 1), DAMAGED),  # wrong byte order mark
        ("总结.pdf", b"", "The file is empty."),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, data, message):
    assert refusal(name, data) == message


def test_a_password_protected_office_file_is_refused_with_its_own_message():
    assert "password" in refusal("总结.docx", ole2())


def test_a_png_html_polyglot_is_accepted_only_as_image_png():
    file_type = check_evidence_file("照片.png", io.BytesIO(PNG + HTML))
    assert (file_type.content_type, file_type.is_image) == ("image/png", True)


# T-UP-3 zip bombs --------------------------------------------------------------------------------


def test_a_zip_that_inflates_past_the_limit_is_refused_quickly():
    zeros = bytes(ZIP_MAX_INFLATED)
    noise = os.urandom(MB // 2)  # keeps the overall ratio under the limit, so the size is what refuses it
    data = ooxml("docx", {"word/media/a.bin": zeros, "word/media/b.bin": noise}, stored=frozenset(["word/media/b.bin"]))
    assert ratio(data) < ZIP_MAX_RATIO
    message, seconds = timed_refusal("总结.docx", data)
    assert message == EXPANDS and seconds < 1


def test_a_zip_with_a_ratio_past_the_limit_is_refused_quickly():
    data = ooxml("xlsx", {"xl/media/a.bin": bytes(2 * MB)})
    assert ratio(data) > ZIP_MAX_RATIO
    message, seconds = timed_refusal("统计.xlsx", data)
    assert message == EXPANDS and seconds < 1


def test_a_zip_with_too_many_entries_is_refused_quickly():
    data = ooxml("docx", {f"word/media/{i}.bin": b"x" for i in range(ZIP_MAX_ENTRIES)})
    message, seconds = timed_refusal("总结.docx", data)
    assert message == TOO_MANY and seconds < 1


def test_a_central_directory_too_big_for_the_entry_limit_is_refused_before_it_is_parsed():
    data = ooxml("docx", {f"word/{'长' * 700}{i}.bin": b"" for i in range(600)})
    message, seconds = timed_refusal("总结.docx", data)
    assert message == TOO_MANY and seconds < 1


def test_a_nested_zip_is_refused_quickly():
    message, seconds = timed_refusal("总结.docx", ooxml("docx", {"word/embeddings/inner.zip": ooxml("docx")}))
    assert message == NESTED and seconds < 1


def test_an_entry_with_the_symlink_bit_is_refused_quickly():
    data = io.BytesIO(ooxml("docx"))
    with zipfile.ZipFile(data, "a") as archive:
        link = zipfile.ZipInfo("word/media/link.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    message, seconds = timed_refusal("总结.docx", data.getvalue())
    assert message == NESTED and seconds < 1


def test_duplicate_entry_names_are_refused():
    assert refusal("总结.docx", ooxml("docx", {"[Content_Types].xml": b"<Types/>"})) == DAMAGED


def test_a_normal_office_file_with_an_embedded_workbook_passes():
    paragraphs = b"".join(
        b"<w:p><w:r><w:t>%d. \xe6\x95\x99\xe5\xad\xa6\xe5\xb7\xa5\xe4\xbd\x9c %s</w:t></w:r></w:p>"
        % (i, os.urandom(8).hex().encode())
        for i in range(2000)
    )
    document = XML_HEAD + b"<w:document><w:body>" + paragraphs + b"</w:body></w:document>"
    data = ooxml(
        "docx",
        {"word/document.xml": document, "word/embeddings/Microsoft_Excel_Worksheet.xlsx": ooxml("xlsx")},
    )
    assert 1 < ratio(data) < ZIP_MAX_RATIO
    assert check_evidence_file("总结.docx", io.BytesIO(data)).extension == ".docx"


# T-UP-4 XML attacks inside OOXML ------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(b'<!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)).replace(
        b"&lol0;", b"&lol;"
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>'
)


@pytest.mark.parametrize(
    "part, content",
    [
        ("xl/sharedStrings.xml", BILLION_LAUGHS),
        ("xl/sharedStrings.xml", EXTERNAL_ENTITY),
        ("xl/sharedStrings.xml", EXTERNAL_ENTITY.lower()),
        ("xl/_rels/workbook.xml.rels", EXTERNAL_ENTITY),
        ("xl/sharedStrings.xml", EXTERNAL_ENTITY.decode().encode("utf-16")),  # with a BOM
        ("xl/sharedStrings.xml", EXTERNAL_ENTITY.decode().encode("utf-16-be")),  # without one
        ("xl/sharedStrings.xml", XML_HEAD + b" " * (XML_SCAN_CHUNK - len(XML_HEAD) - 4) + EXTERNAL_ENTITY[21:]),
    ],
)
def test_xml_declarations_are_refused_in_bounded_time(part, content):
    data = ooxml("xlsx", {part: content}, stored=frozenset([part]))
    message, seconds = timed_refusal("统计.xlsx", data)
    assert message == XML_DECLARATIONS and seconds < 2


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<sst/>',
        EXTERNAL_ENTITY.decode().encode("utf-32"),
        b"\x4c\x6f\xa7\x94",  # "<?xm" in EBCDIC
    ],
)
def test_xml_parts_in_encodings_the_scan_cannot_read_are_refused(content):
    assert refusal("统计.xlsx", ooxml("xlsx", {"xl/sharedStrings.xml": content})) == DAMAGED


def test_a_large_legitimate_xml_part_is_scanned_in_bounded_time():
    rows = os.urandom(4 * MB).hex().encode()
    data = ooxml("xlsx", {"xl/sharedStrings.xml": XML_HEAD + b"<sst><si><t>" + rows + b"</t></si></sst>"})
    start = time.perf_counter()
    check_evidence_file("统计.xlsx", io.BytesIO(data))
    assert time.perf_counter() - start < 2


# T-UP-5 names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("2021年第三季度总结.pdf", "2021年第三季度总结.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("/abs/x.pdf", "x.pdf"),
        ("C:\\Users\\张三\\桌面\\总结.docx", "总结.docx"),
        ("．．／x.pdf", "x.pdf"),
        ("．．＼x.pdf", "x.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("con.tar.gz", "_con.tar.gz"),
        ("LPT9", "_LPT9"),
        ("COM¹.pdf", "_COM1.pdf"),
        ("CONSOLE.pdf", "CONSOLE.pdf"),
        ("\u202efdp.exe", "fdp.exe"),
        ("总结\u202excod.exe", "总结xcod.exe"),
        ("a\u200bb\u2066c\u200fd\ufeff.pdf", "abcd.pdf"),
        ("report\r\n.pdf", "report.pdf"),
        ("a\x85b\x7fc\x1b.pdf", "abc.pdf"),
        ("line\u2028break.pdf", "linebreak.pdf"),
        (" .hidden. .pdf. . ", "hidden.pdf"),
        ("总结 .pdf", "总结.pdf"),
        ("ｒｅｐｏｒｔ．ＰＤＦ", "report.PDF"),
    ],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_header_breaking_characters_are_removed():
    name = safe_name('"; filename="x.html\r\nContent-Type: text/html')
    assert not set(name) & {'"', "\r", "\n"}
    assert refusal('"; filename="x.html', PDF) == NOT_ACCEPTED


def test_a_long_chinese_name_is_cut_to_100_characters_keeping_the_extension():
    name = safe_name("总" * 300 + ".pdf")
    assert len(name) == 100 and name == "总" * 96 + ".pdf"
    assert len(safe_name("x" * 300, max_length=50)) == 50
    assert safe_name("a" * 10 + "." + "b" * 40, max_length=20) == "a" * 10 + "." + "b" * 9


def test_a_cut_name_does_not_end_in_a_dot_or_space():
    assert safe_name("ab. .c" + "d" * 5 + ".pdf", max_length=7) == "ab.pdf"


@pytest.mark.parametrize("name", ["..", "", "   ", "/", "../", "\u202e", '"""'])
def test_a_name_with_nothing_usable_is_refused(name):
    with pytest.raises(ValidationError) as info:
        safe_name(name)
    assert info.value.messages == ["The file has no usable name."]


@pytest.mark.parametrize("name", ["a.pdf\x00.exe", "\x00", "dir\x00/x.pdf"])
def test_a_nul_anywhere_is_refused(name):
    with pytest.raises(ValidationError) as info:
        safe_name(name)
    assert info.value.messages == ["The file name contains characters that are not allowed."]


@pytest.mark.parametrize("name", ["../../etc/passwd", "总结\u202efdp.exe", "a.pdf\u200b.exe", "总结.pdf.exe"])
def test_names_whose_real_extension_is_not_allowed_are_refused(name):
    assert refusal(name, PDF) == NOT_ACCEPTED


def test_a_trailing_dot_is_dropped_as_windows_does():
    assert check_evidence_file("a.pdf. ", io.BytesIO(PDF)).extension == ".pdf"


# T-UP-6 active content ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("logo.svg", SVG),
        ("page.html", HTML),
        ("page.htm", HTML),
        ("page.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
        ("setup.exe", EXECUTABLE),
        ("archive.zip", ooxml("docx")),
        ("no-extension", PDF),
    ],
)
def test_active_and_other_content_is_refused_by_the_allowlist(name, data):
    assert refusal(name, data) == NOT_ACCEPTED
