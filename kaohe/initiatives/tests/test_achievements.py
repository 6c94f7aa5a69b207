"""Highlights and awards (亮点工作/成绩): registering with evidence, the office's verification, who
sees which (pages, files, export), the list's order and filters, and refusals that change nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.initiatives import achievements as service
from kaohe.initiatives.models import Achievement, AchievementFile, Brand
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.progress.tests.factories import PDF, pdf
from kaohe.test import BaseTestCase, make_person

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode."
MISMATCH = "The file's content does not match its extension."
SUBMITTED, VERIFIED, RETURNED = Achievement.State.SUBMITTED, Achievement.State.VERIFIED, Achievement.State.RETURNED


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return escape(translation.gettext(msgid))


def form_data(**overrides) -> dict:
    data = {
        "title": "2021年河南省教师教学能力大赛二等奖",
        "date": "2021-09-15",
        "kind": "competition",
        "level": "provincial",
        "grade": "second",
        "people": "6个参赛团队",
        "description": "二等奖3项，三等奖3项",
    }
    return data | overrides


class AchievementCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.brand = Brand.objects.create(year=cls.year, name="教学工作品牌", slogan="五改")
        cls.brand.owners.set([cls.dept_a])

    def make(self, department=None, by=None, state=SUBMITTED, files=(), **fields) -> Achievement:
        fields = {
            "title": "第十届全国大学生金相技能大赛三等奖",
            "date": date(2021, 10, 14),
            "kind": "competition",
            "level": "national",
            "grade": "third",
            **fields,
        }
        item = service.submit_achievement(
            department=department or self.dept_a, by=by or self.liaison, files=files, **fields
        )
        if state != SUBMITTED:
            item = service.decide_achievement(
                achievement=item, by=self.office, version=item.version, verify=state == VERIFIED, reason="材料不全"
            )
        return item

    def url(self, item: Achievement, name: str = "detail") -> str:
        return reverse(f"initiatives:achievement-{name}", args=[item.pk])

    def stored_files(self) -> list[str]:
        folder = Path(settings.MEDIA_ROOT) / "achievements"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []

    def verify(self, item, decision="verify", reason="", version=None, user=None):
        self.login(user or self.office)
        data = {"decision": decision, "reason": reason, "version": version or item.version}
        return self.client.post(self.url(item, "verify"), data)


class RegisterTests(AchievementCase):
    def test_a_liaison_registers_an_award_with_evidence(self):
        self.login(self.liaison)
        create = reverse("initiatives:achievement-create")
        self.assertEqual(self.client.get(create).status_code, 200)
        data = form_data(department=self.dept_a.pk, brand=self.brand.pk, files=[pdf("获奖证书.pdf")])
        data["state"] = "verified"  # not read
        response = self.client.post(create, data)
        item = Achievement.objects.get()
        self.assertRedirects(response, self.url(item))
        self.assertEqual(
            (item.department, item.year, item.state, item.submitted_by, item.grade, item.brand),
            (self.dept_a, self.year, SUBMITTED, self.liaison, "second", self.brand),
        )
        row = item.files.get()
        self.assertEqual((row.original_name, row.content_type, row.size), ("获奖证书.pdf", "application/pdf", len(PDF)))
        self.assertEqual(len(row.sha256), 64)
        self.assertContains(self.client.get(self.url(item)), "获奖证书.pdf")

    def test_a_department_registers_for_itself_only(self):
        before = business_checksum()
        self.login(self.outsider)
        response = self.client.post(reverse("initiatives:achievement-create"), form_data(department=self.dept_a.pk))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(business_checksum(), before)

    def test_leaders_inspectors_and_admins_cannot_register(self):
        before = business_checksum()
        for person in (self.leader, self.inspector, self.auditor, self.sysadmin):
            self.login(person)
            url = reverse("initiatives:achievement-create")
            self.assertEqual(self.client.post(url, form_data(department=self.dept_a.pk)).status_code, 403, person)
        self.assertEqual(business_checksum(), before)

    def test_an_executable_named_pdf_is_refused_with_the_chinese_message_and_nothing_is_stored(self):
        self.login(self.liaison)
        before = business_checksum()
        fake = SimpleUploadedFile("证书.pdf", EXECUTABLE, content_type="application/pdf")
        data = form_data(department=self.dept_a.pk, files=[pdf("好的.pdf"), fake])
        response = self.client.post(reverse("initiatives:achievement-create"), data)
        self.assertContains(response, zh(MISMATCH), status_code=400)
        self.assertEqual((Achievement.objects.count(), AchievementFile.objects.count()), (0, 0))
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(business_checksum(), before)

    def test_a_date_without_an_assessment_year_is_refused(self):
        self.login(self.liaison)
        response = self.client.post(
            reverse("initiatives:achievement-create"), form_data(department=self.dept_a.pk, date="2019-05-01")
        )
        self.assertContains(response, "invalid-feedback", status_code=400)
        self.assertFalse(Achievement.objects.exists())


class VisibilityTests(AchievementCase):
    def test_the_ladder_for_a_submitted_achievement(self):
        item = self.make(files=[pdf("证书.pdf")])
        row = item.files.get()
        file_url = reverse("initiatives:achievement-file", args=[row.pk])
        for person in (self.liaison, self.head, self.office, self.leader):
            self.login(person)
            self.assertEqual(self.client.get(self.url(item)).status_code, 200, person)
            response = self.client.get(file_url)
            self.assertEqual(response.status_code, 200, person)
            self.assertEqual(b"".join(response.streaming_content), PDF)
            self.assertIn("attachment", response["Content-Disposition"])
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            self.assertIn("sandbox", response["Content-Security-Policy"])
        before = business_checksum()
        for person in (self.outsider, self.inspector):
            self.login(person)
            for url in (self.url(item), file_url):
                self.assertEqual(self.client.get(url).status_code, 404, (person, url))
        self.login(self.outsider)  # may write for a department, just not this one
        self.assertEqual(self.client.get(self.url(item, "edit")).status_code, 404)
        self.assertEqual(self.client.post(self.url(item, "edit"), form_data(version=1)).status_code, 404)
        self.assertNotContains(self.client.get(reverse("initiatives:achievement-list")), item.title)
        self.assertEqual(business_checksum(), before)
        self.assertTrue(AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, object_id=str(item.pk)).exists())
        self.login(self.auditor)
        self.assertEqual(self.client.get(self.url(item)).status_code, 403)

    def test_everyone_reads_verified_ones_but_only_their_department_changes_them(self):
        item = self.make(state=VERIFIED, files=[pdf()])
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url(item)).status_code, 200)
        self.assertEqual(
            self.client.get(reverse("initiatives:achievement-file", args=[item.files.get().pk])).status_code, 200
        )
        self.assertContains(self.client.get(reverse("initiatives:achievement-list")), item.title)
        before = business_checksum()
        self.assertEqual(self.client.post(self.url(item, "edit"), form_data(version=item.version)).status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_leaders_cannot_write_and_get_on_post_only_urls_is_405(self):
        item = self.make()
        before = business_checksum()
        self.login(self.leader)
        self.assertEqual(self.client.post(self.url(item, "edit"), form_data(version=1)).status_code, 403)
        self.assertEqual(self.verify(item, user=self.leader).status_code, 403)
        self.login(self.office)
        self.assertEqual(self.client.get(self.url(item, "verify")).status_code, 405)
        self.assertEqual(business_checksum(), before)


class VerificationTests(AchievementCase):
    def test_only_the_office_verifies(self):
        item = self.make()
        before = business_checksum()
        for person in (self.liaison, self.head, self.leader, self.inspector):
            self.assertEqual(self.verify(item, user=person).status_code, 403, person)
        self.assertEqual(self.verify(item, user=self.outsider).status_code, 403)
        self.assertEqual(business_checksum(), before)
        self.login(self.office)
        self.assertContains(self.client.get(self.url(item)), 'data-testid="achievement-verify-form"')
        self.assertRedirects(self.verify(item), self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.verified_by, item.version), (VERIFIED, self.office, 2))
        self.assertIsNotNone(item.verified_at)

    def test_a_stale_decision_is_409_and_changes_nothing(self):
        item = self.make()
        self.login(self.liaison)
        self.client.post(self.url(item, "edit"), form_data(version=1))  # now at version 2
        before = business_checksum()
        response = self.verify(item, version=1)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(business_checksum(), before)
        item.refresh_from_db()
        self.assertEqual(item.state, SUBMITTED)

    def test_returned_edited_resubmitted_verified_then_frozen(self):
        item = self.make()
        self.assertEqual(self.verify(item, "return", reason="  ").status_code, 400)
        self.assertRedirects(self.verify(item, "return", reason="缺少获奖证书"), self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.return_reason), (RETURNED, "缺少获奖证书"))

        self.login(self.liaison)
        page = self.client.get(self.url(item))
        self.assertContains(page, "缺少获奖证书")
        self.assertContains(page, 'data-testid="achievement-edit"')
        self.assertEqual(self.client.get(self.url(item, "edit")).status_code, 200)
        data = form_data(version=item.version, title="金相技能大赛三等奖（补证书）", files=[pdf("证书.pdf")])
        self.assertRedirects(self.client.post(self.url(item, "edit"), data), self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.title, item.files.count()), (SUBMITTED, "金相技能大赛三等奖（补证书）", 1))
        self.assertEqual(item.department, self.dept_a)

        self.assertRedirects(self.verify(item), self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.return_reason), (VERIFIED, ""))

        self.login(self.liaison)
        self.assertNotContains(self.client.get(self.url(item)), 'data-testid="achievement-edit"')
        before = business_checksum()
        self.assertEqual(self.client.post(self.url(item, "edit"), form_data(version=item.version)).status_code, 409)
        self.assertEqual(self.verify(item).status_code, 409)
        self.assertEqual(business_checksum(), before)

    def test_a_stale_edit_shows_the_current_values_with_409(self):
        item = self.make()
        self.login(self.head)
        self.client.post(self.url(item, "edit"), form_data(version=1, title="负责人改过的名称"))
        before = business_checksum()
        self.login(self.liaison)
        response = self.client.post(self.url(item, "edit"), form_data(version=1, title="联络员的名称"))
        self.assertContains(response, "负责人改过的名称", status_code=409)
        self.assertEqual(business_checksum(), before)


class ListAndExportTests(AchievementCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.dept_c = Department.objects.create(name="机电工程学院", kind="teaching", order=5)
        cls.c_liaison = make_person("c_liaison", Role.LIAISON, cls.dept_c)

    def test_teaching_departments_come_first_then_functional_and_filters_apply(self):
        a = self.make(title="教务处能力大赛", state=VERIFIED)
        b = self.make(self.dept_c, self.c_liaison, title="金相技能大赛", state=VERIFIED, kind="competition")
        c = self.make(
            self.dept_b, self.outsider, title="马院课题立项", kind="project", level="school", grade="approved"
        )
        self.login(self.office)
        text = self.client.get(reverse("initiatives:achievement-list")).content.decode()
        self.assertLess(text.index(c.title), text.index(b.title))  # 马院 (order 3) before 机电 (order 5)
        self.assertLess(text.index(b.title), text.index(a.title))  # teaching before functional
        self.assertLess(text.index("马院课题立项"), text.index(a.title))
        response = self.client.get(reverse("initiatives:achievement-list"), {"kind": "project"})
        self.assertContains(response, c.title)
        self.assertNotContains(response, a.title)
        response = self.client.get(reverse("initiatives:achievement-list"), {"state": "verified", "level": "national"})
        self.assertContains(response, a.title)
        self.assertContains(response, b.title)
        self.assertNotContains(response, c.title)
        response = self.client.get(reverse("initiatives:achievement-list"), {"department": self.dept_c.pk})
        self.assertEqual([r for r in (a, b, c) if r.title in response.content.decode()], [b])

    def rows_of(self, response) -> list[list]:
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]

    def test_the_export_holds_only_what_the_person_may_see_and_is_audited(self):
        self.make(title="教务处已核实", state=VERIFIED)
        self.make(title="教务处待核实")
        self.make(self.dept_b, self.outsider, title="马院待核实")
        self.make(self.dept_c, self.c_liaison, title="机电已退回", state=RETURNED)
        url = reverse("initiatives:achievement-export")
        self.login(self.outsider)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        rows = self.rows_of(response)
        self.assertEqual(rows[0][:3], ["部门", "部门类别", "名称"])
        self.assertEqual(sorted(r[2] for r in rows[1:]), ["教务处已核实", "马院待核实"])
        event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).get()
        self.assertEqual((event.actor, event.changes["rows"]), (self.outsider, 2))
        self.login(self.office)
        self.assertEqual(len(self.rows_of(self.client.get(url))) - 1, 4)
        self.assertEqual(len(self.rows_of(self.client.get(url, {"state": "verified"}))) - 1, 1)
        self.login(self.auditor)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_the_list_and_export_take_the_same_queries_for_more_rows(self):
        def count(url):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(queries)

        self.make(files=[pdf()])
        self.make(self.dept_b, self.outsider, state=VERIFIED)
        urls = (reverse("initiatives:achievement-list"), reverse("initiatives:achievement-export"))
        for person in (self.office, self.liaison):
            self.login(person)
            self.client.get(urls[0])
            small = [count(url) for url in urls]
            for n in range(6):
                self.make(title=f"成果{n}", files=[pdf()], brand=self.brand)
                self.make(self.dept_c, self.c_liaison, title=f"机电{n}", state=VERIFIED)
            self.assertEqual([count(url) for url in urls], small, person)


class ClosedYearTests(AchievementCase):
    def test_nothing_changes_in_a_closed_year(self):
        item = self.make()
        AssessmentYear.objects.filter(pk=self.year.pk).update(state=AssessmentYear.State.CLOSED)
        before = business_checksum()
        self.login(self.liaison)
        self.assertEqual(self.client.post(self.url(item, "edit"), form_data(version=1)).status_code, 409)
        response = self.client.post(reverse("initiatives:achievement-create"), form_data(department=self.dept_a.pk))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.verify(item).status_code, 409)
        self.assertEqual(business_checksum(), before)
