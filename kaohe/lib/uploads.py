"""Checking uploaded evidence files before they are stored (reliability.md T-UP-2 … T-UP-6).

Two promises:

* ``safe_name`` turns a client's file name into display metadata that cannot name a path, break
  a header, hide its extension behind bidi controls or be a Windows device name. It is never used
  to build a storage path (files are stored under a random name).
* ``check_evidence_file`` accepts a file only if its extension is on the allowlist AND its content
  is of that type, judged from the bytes, never from the client's Content-Type. It returns our
  ``FileType``, whose ``content_type`` is what the file must later be served with.

What "is of that type" means:

* PDF: ``%PDF-`` within the first 1024 bytes, as PDF readers require. PNG: the 8-byte signature.
  JPEG: ``FF D8 FF``.
* .docx/.xlsx/.pptx: a zip that passes the zip-bomb check (central directory only, the limits of
  ``spreadsheets.check_zip``) and holds ``[Content_Types].xml`` and the format's main part, so a
  PDF or an .xlsx renamed .docx is refused. Every ``.xml``/``.rels`` entry is then streamed (total
  bounded by ``ZIP_MAX_INFLATED``) and refused if it contains ``<!DOCTYPE`` or ``<!ENTITY``, which
  OOXML never uses: this stops billion-laughs and external-entity payloads in bounded time, without
  parsing XML. Parts must be UTF-8 or UTF-16 (ECMA-376 allows nothing else), so a declaration
  cannot hide in UTF-7 or UTF-32. Entries with other names are not scanned; any code that parses
  these files server-side must still use defusedxml.
* .doc/.xls/.ppt: the OLE2 compound-file signature and a sane fixed header (byte order, version,
  sector size), read from the first 512 bytes. Telling Word from Excel from PowerPoint would need
  the FAT and directory chains of a hostile file parsed by hand (or a new dependency); an .xls
  named .doc is not dangerous (it is served as application/msword and opened by Office, which
  looks inside), so the signature is the simpler and more robust choice. Note that an .msi is
  also an OLE2 file; named .doc it is opened by Word, not installed.

Polyglots (a PNG header followed by HTML, a PDF with junk before ``%PDF-``) pass; they are made
harmless at download time: Content-Type from ``ALLOWED_TYPES``, ``Content-Disposition:
attachment``, ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox``.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaohe.lib.spreadsheets import ZIP_MAX_ENTRIES, ZIP_MAX_INFLATED, ZIP_MAX_RATIO, extension_of


@dataclass(frozen=True)
class FileType:
    extension: str  # ".pdf"
    content_type: str  # from this map, never from the client
    label: str  # short English label for docs and the UI
    is_image: bool


_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

ALLOWED_TYPES: dict[str, FileType] = {
    t.extension: t
    for t in (
        FileType(".pdf", "application/pdf", "PDF", False),
        FileType(".doc", "application/msword", "Word 97-2003", False),
        FileType(".docx", _WORD, "Word", False),
        FileType(".xls", "application/vnd.ms-excel", "Excel 97-2003", False),
        FileType(".xlsx", _EXCEL, "Excel", False),
        FileType(".ppt", "application/vnd.ms-powerpoint", "PowerPoint 97-2003", False),
        FileType(".pptx", _POWERPOINT, "PowerPoint", False),
        FileType(".jpg", "image/jpeg", "JPEG", True),
        FileType(".jpeg", "image/jpeg", "JPEG", True),
        FileType(".png", "image/png", "PNG", True),
    )
}
# For messages: ".pdf, .doc, .docx, …".
ALLOWED_DESCRIPTION = ", ".join(ALLOWED_TYPES)

# Windows device names, refused as file names whatever the extension (COM¹ etc. become COM1 under NFKC).
RESERVED_STEMS = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(10)]
)
# Dropped from names: control (C0, C1, DEL), format (bidi controls, zero-width, BOM, soft hyphen),
# surrogate and line/paragraph-separator characters.
_DROPPED_CATEGORIES = frozenset(["Cc", "Cf", "Cs", "Zl", "Zp"])
_DROPPED_CHARACTERS = frozenset('"')
_MAX_KEPT_EXTENSION = 16  # a longer "extension" is not kept whole when a name is cut

PDF_MAGIC = b"%PDF-"
PDF_SEARCH = 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_MAIN_PARTS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
# A central directory record is 46 bytes plus name, extra field and comment; office files use short names.
ZIP_MAX_CENTRAL_DIRECTORY = ZIP_MAX_ENTRIES * 1024
XML_SCAN_CHUNK = 64 * 1024
_FORBIDDEN_XML = ("<!doctype", "<!entity")
_XML_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def safe_name(name: str, max_length: int = 100) -> str:
    """The last component of a client's file name, safe to display and to put in a header.

    NFKC-normalised; no path separators, control, bidi, zero-width or ``"`` characters; no spaces
    or dots at the ends of the stem; a Windows device stem gets a ``_`` prefix; at most
    ``max_length`` characters, keeping the extension. Raises ValidationError if the name contains
    a NUL or nothing usable is left.
    """
    name = unicodedata.normalize("NFKC", name)
    if "\x00" in name:
        raise ValidationError(_("The file name contains characters that are not allowed."))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES and c not in _DROPPED_CHARACTERS
    )
    name = name.strip(" .")
    dot = name.rfind(".")
    stem, extension = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    stem = stem.strip(" .")
    if not stem:
        raise ValidationError(_("The file has no usable name."))
    if len(stem) + len(extension) > max_length:
        if len(extension) > min(_MAX_KEPT_EXTENSION, max_length - 1):
            stem, extension = (stem + extension)[:max_length], ""
        else:
            stem = stem[: max_length - len(extension)]
        stem = stem.rstrip(" .")
    if stem.split(".")[0].rstrip(" ").upper() in RESERVED_STEMS:
        stem = "_" + stem[: max_length - len(extension) - 1]
    return stem + extension


def check_evidence_file(name: str, file: BinaryIO) -> FileType:
    """The type of an uploaded evidence file, judged from its content, or ValidationError.

    ``file`` is a seekable binary file (a Django UploadedFile or BytesIO); it is read only as far
    as the checks need (never whole into memory) and is left at position 0, refused or not.
    """
    try:
        file_type = ALLOWED_TYPES.get(extension_of(safe_name(name)))
        if file_type is None:
            raise ValidationError(
                _("Files of this type are not accepted. Allowed: %(allowed)s.") % {"allowed": ALLOWED_DESCRIPTION}
            )
        file.seek(0, os.SEEK_END)
        if file.tell() == 0:
            raise ValidationError(_("The file is empty."))
        file.seek(0)
        head = file.read(PDF_SEARCH)
        _CHECKS[file_type.extension](file_type.extension, head, file)
        return file_type
    finally:
        file.seek(0)


def _mismatch() -> ValidationError:
    return ValidationError(_("The file's content does not match its extension."))


def _damaged() -> ValidationError:
    return ValidationError(_("The file is damaged or is not the format its name says."))


def _check_pdf(extension: str, head: bytes, file: BinaryIO) -> None:
    if PDF_MAGIC not in head:
        raise _mismatch()


def _check_png(extension: str, head: bytes, file: BinaryIO) -> None:
    # A PNG header followed by HTML passes: it is only ever served as image/png, as an attachment, with nosniff.
    if not head.startswith(PNG_MAGIC):
        raise _mismatch()


def _check_jpeg(extension: str, head: bytes, file: BinaryIO) -> None:
    if not head.startswith(JPEG_MAGIC):
        raise _mismatch()


def _check_ole2(extension: str, head: bytes, file: BinaryIO) -> None:
    """The compound-file signature and fixed header fields (MS-CFB 2.2); see the module docstring."""
    if not head.startswith(OLE2_MAGIC):
        raise _mismatch()
    if len(head) < 512:
        raise _damaged()
    major_version, byte_order, sector_shift = struct.unpack_from("<HHH", head, 0x1A)
    if byte_order != 0xFFFE or (major_version, sector_shift) not in ((3, 9), (4, 12)):
        raise _damaged()


def _check_ooxml(extension: str, head: bytes, file: BinaryIO) -> None:
    if head.startswith(OLE2_MAGIC):
        # Office wraps password-protected .docx/.xlsx/.pptx in a compound file.
        raise ValidationError(
            _("Password-protected documents are not accepted. Remove the password and upload the file again.")
        )
    if not head.startswith(ZIP_MAGIC):
        raise _mismatch()
    archive = check_zip_file(file)
    names = {info.filename.lower() for info in archive.infolist()}
    if "[content_types].xml" not in names or OOXML_MAIN_PARTS[extension] not in names:
        raise _mismatch()
    check_ooxml_declarations(archive)


_CHECKS: dict[str, Callable[[str, bytes, BinaryIO], None]] = {
    ".pdf": _check_pdf,
    ".png": _check_png,
    ".jpg": _check_jpeg,
    ".jpeg": _check_jpeg,
    ".doc": _check_ole2,
    ".xls": _check_ole2,
    ".ppt": _check_ole2,
    ".docx": _check_ooxml,
    ".xlsx": _check_ooxml,
    ".pptx": _check_ooxml,
}


def check_zip_file(file: BinaryIO) -> zipfile.ZipFile:
    """``spreadsheets.check_zip`` for a seekable file: the same limits, from the central directory alone.

    Also refuses a central directory too large for ``ZIP_MAX_ENTRIES`` records before it is parsed,
    and duplicate entry names. Returns the open archive; nothing has been inflated yet.
    """
    end_record = zipfile._EndRecData(file)  # handles zip64; stable since Python 2
    if end_record is None:
        raise _damaged()
    if end_record[zipfile._ECD_SIZE] > ZIP_MAX_CENTRAL_DIRECTORY:
        raise ValidationError(_("The file has too many parts to be a normal office document."))
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _damaged() from exc
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ValidationError(_("The file has too many parts to be a normal office document."))
    inflated = sum(e.file_size for e in entries)
    compressed = max(sum(e.compress_size for e in entries), 1)
    if inflated > ZIP_MAX_INFLATED or inflated / compressed > ZIP_MAX_RATIO:
        raise ValidationError(_("The file expands to far more data than a normal office document."))
    for entry in entries:
        mode = entry.external_attr >> 16
        if stat.S_ISLNK(mode) or entry.filename.lower().endswith((".zip", ".jar")):
            raise ValidationError(_("The file contains links or nested archives, which are not allowed."))
    if len({e.filename for e in entries}) != len(entries):
        raise _damaged()
    return archive


def check_ooxml_declarations(archive: zipfile.ZipFile) -> None:
    """Refuse ``<!DOCTYPE``/``<!ENTITY`` in any .xml or .rels entry, and parts not in UTF-8 or UTF-16.

    Streams each entry in chunks, reading at most ``ZIP_MAX_INFLATED`` bytes in all; no XML parsing.
    """
    budget = ZIP_MAX_INFLATED
    for entry in archive.infolist():
        if not entry.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(entry) as stream:
                chunk = stream.read(XML_SCAN_CHUNK)
                patterns = _forbidden_patterns(chunk)
                longest = max(len(p) for p in patterns)
                tail = b""
                while chunk:
                    budget -= len(chunk)
                    if budget < 0:
                        raise ValidationError(_("The file expands to far more data than a normal office document."))
                    window = (tail + chunk).lower()
                    if any(p in window for p in patterns):
                        raise ValidationError(_("The file contains XML declarations that are not allowed."))
                    tail = window[-(longest - 1) :]
                    chunk = stream.read(XML_SCAN_CHUNK)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError) as exc:
            # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression method.
            raise _damaged() from exc


def _forbidden_patterns(start: bytes) -> tuple[bytes, ...]:
    """The forbidden declarations, lower-cased, as spelled in the encoding this XML part starts in."""
    if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\x00\x00\x00<", b"<\x00\x00\x00")):
        raise _damaged()  # UTF-32
    if start.startswith((b"\xff\xfe", b"<\x00")):
        encoding, allowed = "utf-16-le", ("utf-16", "utf-16le")
    elif start.startswith((b"\xfe\xff", b"\x00<")):
        encoding, allowed = "utf-16-be", ("utf-16", "utf-16be")
    else:
        encoding, allowed = "utf-8", ("utf-8", "utf8")
    text = start[:512].decode(encoding, errors="ignore").lstrip("\ufeff")
    if text.strip() and not text.lstrip().startswith("<"):
        raise _damaged()  # not XML in UTF-8 or UTF-16 (EBCDIC, say)
    declared = _XML_ENCODING.match(text)
    if declared and declared.group(1).strip().lower() not in allowed:
        raise _damaged()
    return tuple(p.encode(encoding) for p in _FORBIDDEN_XML)
