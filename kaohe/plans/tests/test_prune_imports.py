from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from kaohe.plans.models import ImportJob
from kaohe.plans.tasks import upload_path
from kaohe.test import BaseTestCase


class PruneImportsTests(BaseTestCase):
    def make_job(self, token: str, state: str) -> ImportJob:
        path = upload_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK")
        return ImportJob.objects.create(year=self.year, user=self.office, filename="x.xlsx", token=token, state=state)

    def test_old_files_go_and_recent_or_running_ones_stay(self):
        with time_machine.travel(timezone.now() - timedelta(days=10)):
            old = self.make_job("a" * 32, "checked")
            running = self.make_job("b" * 32, "applying")
        recent = self.make_job("c" * 32, "checked")
        call_command("prune_imports", "--days", "7", stdout=open("/dev/null", "w"))
        self.assertFalse(upload_path(old.token).exists())
        self.assertTrue(upload_path(running.token).exists())
        self.assertTrue(upload_path(recent.token).exists())
        self.assertEqual(ImportJob.objects.count(), 3)
