"""People and roles: creation, 三员分立 (T-ROLE-1), deactivation ending sessions."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Membership, User
from kaohe.test import PASSWORD, BaseTestCase


class PersonTests(BaseTestCase):
    def test_the_office_adds_a_liaison(self):
        self.login(self.office)
        response = self.client.post(
            reverse("org:person-create"),
            {
                "username": "new.liaison",
                "name": "新联络员",
                "email": "",
                "phone": "",
                "role": "liaison",
                "department": self.dept_b.pk,
                "password": "",
            },
        )
        person = User.objects.get(username="new.liaison")
        self.assertRedirects(response, reverse("org:person-detail", args=[person.pk]))
        self.assertFalse(person.has_usable_password())
        self.assertEqual(person.memberships.get().department, self.dept_b)
        self.assertTrue(AuditEvent.objects.filter(kind="create", object_type="org.Membership").exists())

    def test_a_liaison_needs_a_department(self):
        self.login(self.office)
        before = business_checksum()
        response = self.client.post(
            reverse("org:person-create"),
            {"username": "x1", "name": "某人", "role": "liaison", "department": ""},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username="x1").exists())
        self.assertEqual(business_checksum(), before)

    def test_the_office_cannot_grant_administrative_roles(self):
        self.login(self.office)
        response = self.client.post(
            reverse("org:person-create"),
            {"username": "x2", "name": "某人", "role": "auditor", "department": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username="x2").exists())
        response = self.client.post(reverse("org:membership-add", args=[self.liaison.pk]), {"role": "sysadmin"})
        self.assertFalse(self.liaison.memberships.filter(role="sysadmin").exists())

    def test_an_administrative_role_stands_alone(self):
        self.login(self.sysadmin)
        self.client.post(reverse("org:membership-add", args=[self.liaison.pk]), {"role": "auditor"})
        self.assertFalse(self.liaison.memberships.filter(role="auditor").exists())
        self.client.post(
            reverse("org:membership-add", args=[self.auditor.pk]),
            {"role": "office", "department": self.office_dept.pk},
        )
        self.assertEqual(list(self.auditor.memberships.values_list("role", flat=True)), ["auditor"])

    def test_nobody_changes_their_own_roles(self):
        self.login(self.sysadmin)
        own = self.sysadmin.memberships.get()
        self.client.post(reverse("org:membership-end", args=[self.sysadmin.pk, own.pk]))
        own.refresh_from_db()
        self.assertTrue(own.active)

    def test_a_role_is_ended_not_deleted(self):
        self.login(self.office)
        membership = self.liaison.memberships.get()
        self.client.post(reverse("org:membership-end", args=[self.liaison.pk, membership.pk]))
        membership.refresh_from_db()
        self.assertFalse(membership.active)
        self.assertTrue(Membership.objects.filter(pk=membership.pk).exists())

    def test_deactivating_a_person_ends_their_sessions(self):
        browser = Client()
        browser.post(reverse("login"), {"username": "liaison", "password": PASSWORD})
        self.assertEqual(browser.get("/").status_code, 200)
        self.login(self.office)
        self.client.post(reverse("org:person-deactivate", args=[self.liaison.pk]))
        self.assertEqual(browser.get("/").status_code, 302)

    def test_there_is_no_superuser_and_no_admin_account(self):
        from kaohe.demo.management.commands.load_demo import load

        load()
        self.assertFalse(User.objects.filter(is_superuser=True).exists())
        self.assertFalse(User.objects.filter(username__iexact="admin").exists())
        self.assertFalse(User.objects.filter(is_staff=True).exists())


class RoleSeparationTests(BaseTestCase):
    def test_the_auditor_changes_nothing(self):
        from kaohe.org.access import POLICY

        auditor_urls = [name for name, rule in POLICY.items() if rule != "public" and "auditor" in rule]
        self.assertEqual(
            sorted(auditor_urls),
            [
                "audit:event-detail",
                "audit:event-export",
                "audit:event-list",
                "home",
                "logout",
                "password-change",
            ],
        )

    def test_the_administrator_does_not_see_assessment_data_or_the_audit_log(self):
        self.login(self.sysadmin)
        self.assertEqual(self.client.get(reverse("audit:event-list")).status_code, 403)
        self.assertEqual(self.client.get(reverse("org:year-list")).status_code, 403)
