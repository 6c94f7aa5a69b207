"""Evidence files in and out, for every kind of row that keeps one: report evidence, closing
evidence of a rectification, an achievement's proof, a notice's document.

One check before anything is written, one way to store (random name, original name as data,
SHA-256), one way to remove what a failed write left behind, one way to serve.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from kaohe.audit.log import Kind, record
from kaohe.lib.uploads import FileType, check_evidence_file, safe_name
from kaohe.progress.models import evidence_storage


def checked(uploads: Iterable[UploadedFile], *, field: str | None = None) -> list[tuple[UploadedFile, FileType]]:
    """Every upload checked (size, then content against the allowlist) before any is written.

    With ``field``, a refusal is that form field's error.
    """
    try:
        return [(upload, _check(upload)) for upload in uploads]
    except ValidationError as exc:
        if field:
            raise ValidationError({field: exc.messages}) from exc
        raise


def _check(upload: UploadedFile) -> FileType:
    if upload.size > settings.EVIDENCE_MAX_FILE_BYTES:
        size = settings.EVIDENCE_MAX_FILE_BYTES // (1024 * 1024)
        raise ValidationError(_("Each file may be at most %(size)d MB.") % {"size": size})
    return check_evidence_file(upload.name, upload)


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store(row, upload: UploadedFile, file_type: FileType, written: list[str]) -> None:
    """Write ``upload`` under the row's random name and fill its metadata (not saving the row).

    The row has ``file``, ``original_name``, ``content_type`` and ``sha256``; ``size`` where it has one.
    """
    name = safe_name(upload.name)
    row.original_name, row.content_type, row.sha256 = name, file_type.content_type, sha256_of(upload)
    if hasattr(row, "size"):
        row.size = upload.size
    row.file.save(name, upload, save=False)
    written.append(row.file.name)


@contextmanager
def removed_on_failure() -> Iterator[list[str]]:
    """The names of files written inside the block; if the block fails, they are deleted again."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = evidence_storage()
        for name in written:
            storage.delete(name)
        raise


def protect(response: HttpResponse) -> HttpResponse:
    """Headers that keep a downloaded file inert even if a browser were to render it."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def download(request: HttpRequest, row) -> HttpResponse:
    """The row's file as an attachment, recorded; behind nginx handed over with X-Accel-Redirect.

    The caller has checked that the person may read the row.
    """
    record(Kind.DOWNLOAD, actor=request.user, obj=row)
    if settings.EVIDENCE_ACCEL_REDIRECT:
        response = HttpResponse(content_type=row.content_type)
        response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_REDIRECT.rstrip("/") + "/" + row.file.name
        response["Content-Disposition"] = content_disposition_header(True, row.original_name)
    else:
        response = FileResponse(
            row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
        )
    return protect(response)
