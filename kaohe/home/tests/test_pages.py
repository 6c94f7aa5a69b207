"""Home pages per role, the health endpoint, security headers, CAS and the demo school."""

from __future__ import annotations

from unittest import mock

from django.test import override_settings
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.demo import school
from kaohe.demo.management.commands.load_demo import load
from kaohe.org.models import AssessmentYear, Department, User
from kaohe.test import BaseTestCase


class HomeTests(BaseTestCase):
    def test_each_role_gets_its_home(self):
        expectations = {
            "office": "全校概况",
            "leader": "全校概况",
            "liaison": "教务处",
            "inspector": "督查",
            "auditor": "审计日志",
            "sysadmin": "人员",
        }
        for name, text in expectations.items():
            self.login(self.cast[name])
            response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertContains(response, text, msg_prefix=name)

    def test_the_home_page_says_plainly_what_is_not_built_yet(self):
        self.login(self.liaison)
        self.assertContains(self.client.get("/", HTTP_ACCEPT_LANGUAGE="en"), "is not built yet")

    def test_pages_carry_the_security_headers(self):
        self.login(self.office)
        response = self.client.get("/")
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_the_login_page_is_chinese_by_default_and_english_on_request(self):
        self.assertContains(self.client.get(reverse("login")), '<html lang="zh-CN">')
        self.assertContains(self.client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"), "Log in")
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(reverse("login")), '<html lang="en">')


class HealthTests(BaseTestCase):
    def test_it_answers_without_login(self):
        response = self.client.get(reverse("healthz"))
        self.assertEqual(response.json(), {"status": "ok"})


@override_settings(CAS_SERVER_URL="https://cas.example.edu.cn/cas/")
class CasTests(BaseTestCase):
    def test_it_sends_people_to_the_cas_server(self):
        response = self.client.get(reverse("cas_ng_login"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("https://cas.example.edu.cn/cas/login?service="))

    def test_a_known_person_logs_in_with_a_ticket(self):
        attributes = {"cn": "王联络", "is_superuser": "True", "name": "改名"}
        with mock.patch("cas.CASClientV3.verify_ticket", return_value=("liaison", attributes, None)):
            response = self.client.get(reverse("cas_ng_login"), {"ticket": "ST-1-abc"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.liaison.pk))
        self.liaison.refresh_from_db()
        self.assertEqual(self.liaison.name, "liaison")  # CAS attributes never overwrite people
        self.assertFalse(self.liaison.is_superuser)
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(kind="login", actor=self.liaison).exists())

    def test_an_unknown_person_is_not_created(self):
        with mock.patch("cas.CASClientV3.verify_ticket", return_value=("stranger", {}, None)):
            self.client.get(reverse("cas_ng_login"), {"ticket": "ST-2-abc"})
        self.assertFalse(User.objects.filter(username="stranger").exists())
        self.assertNotIn("_auth_user_id", self.client.session)


class CasOffTests(BaseTestCase):
    def test_cas_urls_do_not_exist_without_a_server(self):
        self.assertEqual(self.client.get(reverse("cas_ng_login")).status_code, 404)


class DemoSchoolTests(BaseTestCase):
    def test_it_builds_the_seed_school_and_a_second_run_changes_nothing(self):
        load()
        self.assertEqual(Department.objects.filter(name__in=[d[0] for d in school.DEPARTMENTS]).count(), 35)
        self.assertTrue(Department.objects.filter(name="马克思主义学院", kind="teaching").exists())
        self.assertEqual(AssessmentYear.objects.get(year=2021).state, "running")
        for username, *_ in school.PEOPLE:
            self.assertTrue(User.objects.get(username=username).check_password(school.DEMO_PASSWORD))
        self.assertEqual(load(), 0)

    def test_every_role_has_a_demo_login(self):
        from kaohe.org.models import Role

        self.assertEqual({p[2] for p in school.PEOPLE}, set(Role.values))
