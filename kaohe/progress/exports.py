"""A department's archive as one zip: a folder per target, files named by node and kind, and a
summary sheet listing every file with its SHA-256. Made by a background task with progress."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from kaohe.lib.spreadsheets import write_xlsx
from kaohe.lib.uploads import safe_name
from kaohe.progress.models import ArchiveExport, Evidence, ProgressReport

logger = logging.getLogger(__name__)

SUMMARY_COLUMNS = [
    "目标编号",
    "目标",
    "节点截止日期",
    "材料标题",
    "类别",
    "原文件名",
    "大小（字节）",
    "SHA-256",
    "上传人",
    "上传时间",
    "包内路径",
]


def export_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"{token}.zip"


def progress_key(job_id: int) -> str:
    return f"progress:export:{job_id}"


def export_progress(job_id: int) -> dict:
    return cache.get(progress_key(job_id)) or {}


def archive_files(department_id: int, year_id: int):
    """The official archive: files of approved reports, as the office sees them."""
    return (
        Evidence.objects.present()
        .filter(department_id=department_id, year_id=year_id, report__state=ProgressReport.State.APPROVED)
        .select_related("target", "node", "uploaded_by")
        .order_by("target__order", "target__code", "node__due_date", "uploaded_at", "id")
    )


def _member_name(evidence: Evidence, used: set[str]) -> str:
    folder = safe_name(f"{evidence.target.code} {evidence.target.title}", max_length=60)
    base = safe_name(f"{evidence.node.due_date:%Y%m%d}_{evidence.get_kind_display()}_{evidence.original_name}")
    name, n = f"{folder}/{base}", 2
    while name in used:
        stem, dot, ext = base.rpartition(".")
        name, n = f"{folder}/{stem or ext}({n}){dot}{ext if stem else ''}", n + 1
    used.add(name)
    return name


def write_archive(files: list[Evidence], out, report=None) -> int:
    """Write the zip to ``out``; returns its number of files. ``report(done, total)`` sees progress."""
    used: set[str] = set()
    rows = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for i, evidence in enumerate(files, 1):
            member = _member_name(evidence, used)
            with evidence.file.open("rb") as source, archive.open(member, "w", force_zip64=True) as target:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    target.write(chunk)
            rows.append(_summary_row(evidence, member))
            if report and (i % 20 == 0 or i == len(files)):
                report(i, len(files))
        archive.writestr("汇总.xlsx", write_xlsx("档案汇总", SUMMARY_COLUMNS, rows))
    return len(files)


def _summary_row(e: Evidence, member: str) -> list:
    uploaded = timezone.localtime(e.uploaded_at).strftime("%Y-%m-%d %H:%M")
    return [
        e.target.code,
        e.target.title,
        e.node.due_date.isoformat(),
        e.title,
        e.get_kind_display(),
        e.original_name,
        e.size,
        e.sha256,
        str(e.uploaded_by),
        uploaded,
        member,
    ]


@task()
def build_archive(job_id: int) -> None:
    job = ArchiveExport.objects.get(pk=job_id)
    path = export_path(job.token)
    path.parent.mkdir(parents=True, exist_ok=True)
    files = list(archive_files(job.department_id, job.year_id))

    def report(done: int, total: int) -> None:
        cache.set(progress_key(job_id), {"done": done, "total": total}, 3600)

    report(0, len(files))
    try:
        with path.open("wb") as out:
            job.file_count = write_archive(files, out, report)
    except Exception:
        logger.exception("archive export %s failed", job_id)
        path.unlink(missing_ok=True)
        job.state = ArchiveExport.State.FAILED
    else:
        job.state, job.size = ArchiveExport.State.DONE, path.stat().st_size
    job.save(update_fields=["state", "file_count", "size", "updated_at"])
