"""Background work: making an issued bulletin's .docx and PDF (LibreOffice takes a few seconds)."""

from __future__ import annotations

import logging

from django.tasks import task

from kaohe.bulletins import services

log = logging.getLogger(__name__)


@task()
def issue_bulletin(bulletin_id: int) -> None:
    try:
        services.finish_issue(bulletin_id)
    except Exception:
        # finish_issue has put the draft back with the reason; the log keeps the traceback.
        log.exception("issuing bulletin %s failed", bulletin_id)
