"""Background work for the targets import: checking and applying run outside the request.

Progress goes to the cache (``import_progress``) so the page can show it while the work runs;
the outcome goes to the ``ImportJob`` row.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.tasks import task

from kaohe.audit.log import Kind, record
from kaohe.plans import importer
from kaohe.plans.models import ImportJob

logger = logging.getLogger(__name__)


def upload_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / token


def progress_key(job_id: int) -> str:
    return f"plans:import:{job_id}"


def import_progress(job_id: int) -> dict:
    return cache.get(progress_key(job_id)) or {}


def _reporter(job_id: int):
    def report(stage: str, done: int, total: int) -> None:
        cache.set(progress_key(job_id), {"stage": stage, "done": done, "total": total}, 3600)

    return report


def _prepare(job: ImportJob) -> importer.Plan:
    data = upload_path(job.token).read_bytes()
    targets, nodes = importer.read_workbook(data)
    return importer.check(
        year=job.year, user=job.user, target_rows=targets, node_rows=nodes, progress=_reporter(job.pk)
    )


@task()
def check_import(job_id: int) -> None:
    job = ImportJob.objects.select_related("year", "user").get(pk=job_id)
    try:
        plan = _prepare(job)
    except ValidationError as exc:
        job.result = {"errors": [["", 0, m] for m in exc.messages], "error_count": len(exc.messages)}
    except Exception:
        logger.exception("checking import %s failed", job_id)
        job.state = ImportJob.State.FAILED
        job.result = {"errors": [["", 0, "internal"]], "error_count": 1}
        job.save(update_fields=["state", "result", "updated_at"])
        return
    else:
        job.result = plan.summary()
    job.state = ImportJob.State.CHECKED
    job.save(update_fields=["state", "result", "updated_at"])


@task()
def apply_import(job_id: int) -> None:
    """Check again (the data may have changed since the preview), then write all or nothing."""
    job = ImportJob.objects.select_related("year", "user").get(pk=job_id)
    try:
        plan = _prepare(job)
        if not plan.ok:
            job.state = ImportJob.State.CHECKED
            job.result = plan.summary()
        else:
            counts = importer.apply(plan, progress=_reporter(job.pk))
            job.state = ImportJob.State.DONE
            job.result = {**plan.summary(), **counts}
            record(
                Kind.IMPORT,
                actor=job.user,
                object_type="plans.Target",
                object_id=str(job.pk),
                changes={"file": job.filename, "year": job.year.year, **counts},
            )
            upload_path(job.token).unlink(missing_ok=True)
    except Exception:
        logger.exception("applying import %s failed", job_id)
        job.state = ImportJob.State.FAILED
        job.result = {**job.result, "failed": True}
    job.save(update_fields=["state", "result", "updated_at"])
