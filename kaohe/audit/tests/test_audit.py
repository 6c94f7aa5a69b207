"""The audit log is complete for its kinds and cannot be changed (T-AUDIT-1, T-AUDIT-2)."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from kaohe.audit.log import record
from kaohe.audit.models import AuditEvent
from kaohe.test import BaseTestCase


class AuditEventTests(BaseTestCase):
    def test_events_cannot_be_changed_or_deleted(self):
        event = record("export", actor=self.office)
        event.username = "someone else"
        with self.assertRaises(PermissionError):
            event.save()
        with self.assertRaises(PermissionError):
            event.delete()
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).username, "office")

    def test_a_change_keeps_who_before_and_after_but_never_a_password(self):
        self.login(self.office)
        self.client.post(
            reverse("org:person-edit", args=[self.liaison.pk]),
            {"username": "liaison", "name": "新名字", "email": "a@b.cn", "phone": ""},
        )
        event = AuditEvent.objects.get(kind="update", object_type="org.User")
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.roles, "office")
        self.assertEqual(event.changes["name"], ["liaison", "新名字"])
        self.assertTrue(event.request_id)
        self.client.post(reverse("org:person-password", args=[self.liaison.pk]), {"password": "Another-Secret-42"})
        for e in AuditEvent.objects.all():
            self.assertNotIn("password", e.changes)
            self.assertNotIn("Another-Secret-42", str(e.changes))

    def test_every_kind_is_recorded_in_its_place(self):
        """One event of each kind through the pages that cause it."""
        client = self.client
        client.post(reverse("login"), {"username": "liaison", "password": "wrong-password"})
        client.post(reverse("login"), {"username": "outsider", "password": "Correct-horse-battery-9"})
        client.get(reverse("org:department-detail", args=[self.dept_a.pk]))
        client.post(reverse("logout"))
        self.login(self.office)
        client.get(reverse("org:department-export"))
        client.post(reverse("org:department-deactivate", args=[self.dept_empty.pk]))
        kinds = set(AuditEvent.objects.values_list("kind", flat=True))
        self.assertTrue({"login_failed", "login", "denied", "logout", "export", "update", "create"} <= kinds)


class AuditorPagesTests(BaseTestCase):
    def setUp(self):
        record("login", actor=self.liaison)
        record("export", actor=self.office, object_type="org.Department")
        self.login(self.auditor)

    def test_it_lists_and_filters(self):
        response = self.client.get(reverse("audit:event-list"), {"kind": "export"})
        self.assertEqual([e.kind for e in response.context["page"]], ["export"])
        response = self.client.get(reverse("audit:event-list"), {"q": "liaison", "kind": "login"})
        self.assertEqual([e.username for e in response.context["page"]], ["liaison"])

    def test_a_bad_date_range_is_explained(self):
        response = self.client.get(
            reverse("audit:event-list"),
            {"since": "2021-10-01", "until": "2021-09-01"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertContains(response, "起始日期晚于截止日期")

    def test_the_detail_shows_the_changes(self):
        event = AuditEvent.objects.filter(kind="export").get()
        self.assertContains(self.client.get(reverse("audit:event-detail", args=[event.pk])), "org.Department")

    def test_the_export_is_itself_audited(self):
        response = self.client.get(reverse("audit:event-export"))
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertGreaterEqual(len(rows), 3)
        self.assertTrue(AuditEvent.objects.filter(kind="export", actor=self.auditor).exists())

    def test_there_is_no_way_to_change_an_event(self):
        event = AuditEvent.objects.first()
        for method in ("post", "put", "delete"):
            response = getattr(self.client, method)(reverse("audit:event-detail", args=[event.pk]))
            self.assertIn(response.status_code, (403, 405))
        self.assertTrue(AuditEvent.objects.filter(pk=event.pk).exists())


class DatabaseGuardTests(BaseTestCase):
    def test_the_database_refuses_to_change_an_event_whatever_the_path(self):
        from django.db import DatabaseError, connection, transaction

        event = record("export", actor=self.office)
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(username="someone else")
        if connection.vendor == "postgresql":
            with self.assertRaises(DatabaseError), transaction.atomic():
                AuditEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).username, "office")
