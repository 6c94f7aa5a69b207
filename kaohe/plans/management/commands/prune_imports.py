"""Deletes the uploaded files of old imports; the ImportJob rows (who, when, what) stay.

Run it daily from cron or a systemd timer: `manage.py prune_imports --days 7`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from kaohe.plans.models import ImportJob
from kaohe.plans.tasks import upload_path


class Command(BaseCommand):
    help = "Delete the uploaded files of imports older than --days (default 7)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options) -> None:
        cutoff = timezone.now() - timedelta(days=days)
        removed = 0
        for token in (
            ImportJob.objects.filter(updated_at__lt=cutoff)
            .exclude(state__in=[ImportJob.State.CHECKING, ImportJob.State.APPLYING])
            .values_list("token", flat=True)
        ):
            path = upload_path(token)
            if path.exists():
                path.unlink()
                removed += 1
        self.stdout.write(f"{removed} uploaded file(s) removed.")
