"""Login, lockout, sessions and passwords (reliability.md T-AUTH-1..4, T-SESS-1..2)."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.org import login
from kaohe.test import PASSWORD, BaseTestCase, comparable_page

LOCK_TEXT = "Too many failed logins"


@override_settings(LANGUAGE_CODE="en")
class LoginTests(BaseTestCase):
    def attempt(self, username: str, password: str, client: Client | None = None, ip: str = "10.0.0.1"):
        client = client or self.client
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR=ip,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    def test_it_logs_in_and_records_it(self):
        response = self.attempt("liaison", PASSWORD)
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        event = AuditEvent.objects.get(kind="login")
        self.assertEqual(event.actor, self.liaison)
        self.assertEqual(event.roles, "liaison")
        self.assertEqual(event.ip, "10.0.0.1")

    def test_unknown_user_and_wrong_password_get_the_same_answer(self):
        unknown = self.attempt("nobody", "whatever-it-is")
        wrong = self.attempt("liaison", "whatever-it-is")
        self.assertEqual(unknown.status_code, wrong.status_code)
        self.assertEqual(comparable_page(unknown, 'value="nobody"'), comparable_page(wrong, 'value="liaison"'))
        self.assertContains(wrong, "The username or password is not correct.")
        self.assertEqual(AuditEvent.objects.filter(kind="login_failed").count(), 2)

    def test_five_failures_lock_the_account(self):
        for i in range(5):
            self.attempt("liaison", "wrong-password", ip=f"10.0.0.{i}")
        self.assertEqual(AuditEvent.objects.filter(kind="lockout", username="liaison").count(), 1)
        response = self.attempt("liaison", PASSWORD, ip="10.9.9.9")
        self.assertContains(response, LOCK_TEXT)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertTrue(AuditEvent.objects.filter(kind="denied", username="liaison").exists())

    def test_unknown_names_lock_the_same_way(self):
        for _ in range(5):
            self.attempt("ghost", "wrong-password")
        self.assertContains(self.attempt("ghost", "wrong-password"), LOCK_TEXT)

    def test_the_lock_ends_after_the_window(self):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            for _ in range(5):
                self.attempt("liaison", "wrong-password")
            traveller.shift(timedelta(minutes=29))
            self.assertContains(self.attempt("liaison", PASSWORD), LOCK_TEXT)
            traveller.shift(timedelta(minutes=2))
            self.assertEqual(self.attempt("liaison", PASSWORD).status_code, 302)

    def test_an_administrator_unlocks(self):
        for _ in range(5):
            self.attempt("liaison", "wrong-password")
        admin = Client()
        admin.force_login(self.sysadmin)
        response = admin.post(reverse("org:person-unlock", args=[self.liaison.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(AuditEvent.objects.filter(kind="unlock", username="liaison").count(), 1)
        self.assertFalse(login.is_locked("liaison"))
        self.assertEqual(self.attempt("liaison", PASSWORD).status_code, 302)

    def test_one_address_trying_many_names_is_stopped(self):
        for i in range(20):
            self.attempt(f"user{i}", "wrong-password", ip="10.1.1.1")
        self.assertContains(self.attempt("liaison", PASSWORD, ip="10.1.1.1"), "from your network address")
        self.assertEqual(self.attempt("liaison", PASSWORD, ip="10.1.1.2").status_code, 302)

    @override_settings(KAOHE_TRUST_X_FORWARDED_FOR=True)
    def test_behind_a_proxy_the_forwarded_address_counts(self):
        self.client.post(
            reverse("login"),
            {"username": "x", "password": "y"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.7",
        )
        self.assertEqual(AuditEvent.objects.get(kind="login_failed").ip, "10.0.0.7")

    def test_inactive_people_cannot_log_in(self):
        self.liaison.is_active = False
        self.liaison.save()
        self.assertContains(self.attempt("liaison", PASSWORD), "The username or password is not correct.")

    def test_the_session_id_changes_at_login_and_dies_at_logout(self):
        self.client.get(reverse("login"))
        self.attempt("liaison", PASSWORD)
        first = self.client.session.session_key
        self.assertIsNotNone(first)
        self.client.post(reverse("logout"))
        self.assertEqual(AuditEvent.objects.filter(kind="logout").count(), 1)
        replay = Client()
        replay.cookies["sessionid"] = first
        self.assertEqual(replay.get("/").status_code, 302)

    def test_an_open_redirect_is_refused(self):
        response = self.client.post(
            reverse("login") + "?next=https://evil.example/", {"username": "liaison", "password": PASSWORD}
        )
        self.assertEqual(response["Location"], "/")

    def test_logout_needs_post(self):
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)


@override_settings(LANGUAGE_CODE="en")
class SessionTimeoutTests(BaseTestCase):
    def test_idle_sessions_end(self):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            self.client.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
            self.assertEqual(self.client.get("/").status_code, 200)
            traveller.shift(timedelta(minutes=29))
            self.assertEqual(self.client.get("/").status_code, 200)
            traveller.shift(timedelta(minutes=31))
            response = self.client.get("/org/departments/")
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("login"), response["Location"])
            follow = self.client.get(response["Location"])
            self.assertContains(follow, "session expired")

    def test_an_expired_session_on_a_form_post_shows_a_message_not_an_error(self):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            self.client.force_login(self.office)
            self.client.get("/")
            traveller.shift(timedelta(minutes=45))
            response = self.client.post(reverse("org:department-create"), {"name": "新部门", "kind": "other"})
            self.assertEqual(response.status_code, 302)
            self.assertFalse(type(self.dept_a).objects.filter(name="新部门").exists())
