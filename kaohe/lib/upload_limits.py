"""Upload limits enforced while the body arrives, not after (reliability.md T-UP-1).

* ``UploadLimitMiddleware`` refuses a request whose declared length passes
  ``UPLOAD_MAX_REQUEST_BYTES`` before anything reads its body (413).
* ``LimitedUploadHandler`` stops the multipart parser as soon as one file passes
  ``EVIDENCE_MAX_FILE_BYTES``: the rest of the body is never read, the partial temporary file
  is closed (and so deleted), and the middleware answers 413 before any view can act on the
  half-parsed form.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render
from django.utils.translation import gettext as _


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_FILE_BYTES:
            self.request.upload_refused = "file"
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def too_large(request, reason: str):
    mb = 1024 * 1024
    if reason == "file":
        message = _("Each file may be at most %(size)d MB. Nothing has been saved.") % {
            "size": settings.EVIDENCE_MAX_FILE_BYTES // mb
        }
    else:
        message = _(
            "One upload may be at most %(size)d MB in all. Nothing has been saved; send fewer files at once."
        ) % {"size": settings.UPLOAD_MAX_REQUEST_BYTES // mb}
    return render(request, "413.html", {"message": message}, status=413)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_REQUEST_BYTES:
            return too_large(request, "request")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            request.FILES  # noqa: B018 - parse now, so a stopped upload is known before the view runs
            if getattr(request, "upload_refused", None):
                return too_large(request, request.upload_refused)
        return None
