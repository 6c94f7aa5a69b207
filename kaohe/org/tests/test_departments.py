"""Department pages: visibility, management, deactivation, export, constant query counts."""

from __future__ import annotations

import io

import openpyxl
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Department
from kaohe.test import BaseTestCase, comparable_page


class DepartmentVisibilityTests(BaseTestCase):
    def test_a_liaison_sees_only_their_department(self):
        self.login(self.liaison)
        response = self.client.get(reverse("org:department-list"))
        self.assertEqual([d.pk for d in response.context["page"]], [self.dept_a.pk])

    def test_the_office_and_leaders_see_all(self):
        for person in (self.office, self.leader):
            self.login(person)
            response = self.client.get(reverse("org:department-list"))
            self.assertEqual(response.context["page"].paginator.count, 4)

    def test_another_departments_page_is_not_found_and_looks_like_a_missing_one(self):
        self.login(self.outsider)
        before = business_checksum()
        other = self.client.get(reverse("org:department-detail", args=[self.dept_a.pk]))
        missing = self.client.get(reverse("org:department-detail", args=[999999]))
        self.assertEqual(other.status_code, 404)
        self.assertEqual(missing.status_code, 404)
        # Identical but for the address typed, which the page repeats in its language switch.
        self.assertEqual(comparable_page(other, f"/{self.dept_a.pk}/"), comparable_page(missing, "/999999/"))
        self.assertEqual(business_checksum(), before)
        self.assertEqual(AuditEvent.objects.filter(kind="denied", object_type="org.Department").count(), 2)

    def test_own_department_is_shown(self):
        self.login(self.head)
        response = self.client.get(reverse("org:department-detail", args=[self.dept_a.pk]))
        self.assertContains(response, "教务处")
        self.assertContains(response, "liaison")

    def test_a_liaison_cannot_change_a_department(self):
        self.login(self.liaison)
        before = business_checksum()
        for name in ("org:department-deactivate", "org:department-edit"):
            response = self.client.post(reverse(name, args=[self.dept_a.pk]), {"name": "改名", "kind": "other"})
            self.assertEqual(response.status_code, 403)
        self.assertEqual(business_checksum(), before)


class DepartmentManagementTests(BaseTestCase):
    def test_it_creates_and_records_the_change(self):
        self.login(self.office)
        response = self.client.post(
            reverse("org:department-create"),
            {"name": "外国语学院", "short_name": "外语", "kind": "teaching", "group": "教学院部", "order": 5},
        )
        department = Department.objects.get(name="外国语学院")
        self.assertRedirects(response, reverse("org:department-detail", args=[department.pk]))
        event = AuditEvent.objects.get(kind="create", object_type="org.Department", object_id=str(department.pk))
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.changes["name"], [None, "外国语学院"])

    def test_an_edit_records_before_and_after(self):
        self.login(self.sysadmin)
        self.client.post(
            reverse("org:department-edit", args=[self.dept_b.pk]),
            {"name": "马克思主义学院", "short_name": "马院", "kind": "teaching", "group": "思政", "order": 3},
        )
        event = AuditEvent.objects.get(kind="update", object_id=str(self.dept_b.pk))
        self.assertEqual(event.changes, {"group": ["", "思政"]})
        self.assertEqual(self.dept_b.history.count(), 2)

    def test_bad_input_gets_a_chinese_message_and_changes_nothing(self):
        self.login(self.office)
        before = business_checksum()
        response = self.client.post(
            reverse("org:department-create"),
            {"name": "教务处", "kind": "nonsense"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "已存在")
        self.assertContains(response, "选择一个有效的选项")
        self.assertEqual(business_checksum(), before)

    def test_deactivation_hides_and_keeps(self):
        self.login(self.office)
        self.client.post(reverse("org:department-deactivate", args=[self.dept_empty.pk]))
        self.dept_empty.refresh_from_db()
        self.assertFalse(self.dept_empty.active)
        listed = self.client.get(reverse("org:department-list")).context["page"]
        self.assertNotIn(self.dept_empty, list(listed))
        inactive = self.client.get(reverse("org:department-list"), {"state": "inactive"}).context["page"]
        self.assertEqual(list(inactive), [self.dept_empty])
        self.client.post(reverse("org:department-activate", args=[self.dept_empty.pk]))
        self.dept_empty.refresh_from_db()
        self.assertTrue(self.dept_empty.active)

    def test_search_and_htmx_rows(self):
        self.login(self.office)
        response = self.client.get(reverse("org:department-list"), {"q": "马院"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "马克思主义学院")
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "教务处")

    def test_export_is_audited_and_safe_for_excel(self):
        Department.objects.create(name="=cmd|' /C calc'!A0", kind="other")
        self.login(self.office)
        response = self.client.get(reverse("org:department-export"))
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="departments.xlsx"')
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertIn("'=cmd|' /C calc'!A0", names)
        self.assertEqual(AuditEvent.objects.filter(kind="export").count(), 1)

    def test_a_liaisons_export_is_refused(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("org:department-export")).status_code, 403)


class QueryCountTests(BaseTestCase):
    def count_queries(self, client: Client, url: str) -> int:
        client.get(url)  # the first request of a session also writes the session
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_lists_keep_their_query_count_as_data_grows(self):
        client = Client()
        client.force_login(self.office)
        urls = [
            reverse("org:department-list"),
            reverse("org:person-list"),
            reverse("home"),
            reverse("org:department-detail", args=[self.dept_a.pk]),
        ]
        small = [self.count_queries(client, u) for u in urls]
        from kaohe.test import make_person

        for i in range(60):
            department = Department.objects.create(name=f"部门{i}", kind="teaching", order=10 + i)
            make_person(f"p{i}", "liaison", department)
            make_person(f"h{i}", "head", self.dept_a)
        large = [self.count_queries(client, u) for u in urls]
        self.assertEqual(small, large)
