"""Rectification (整改): recording a finding, the department's answer with closing evidence, the
office's check, the files' downloads, the list across rounds, and refusals that change nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Role
from kaohe.progress.tests.factories import PDF, make_node, pdf
from kaohe.supervision import services
from kaohe.supervision.models import Rectification, RectificationFile, Verification
from kaohe.supervision.tests.factories import announce, assign, make_round
from kaohe.test import BaseTestCase, make_person

NOW = "2021-10-08 10:00 +08:00"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode."
MISMATCH = "The file's content does not match its extension."
BAD_DATE = "Enter a date as year-month-day, e.g. 2021-09-30."
PAST = "The deadline lies in the past."
NOTE_MISSING = "Say what is still missing."


def zh(msgid: str, **params) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return escape(text % params if params else text)


class RectificationCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.node_a = make_node(cls.year, cls.dept_a, due_date=date(2021, 9, 30), code="A-1", title="完成教学检查")
        cls.node_b = make_node(cls.year, cls.dept_b, due_date=date(2021, 9, 15), code="B-1", title="理论宣讲")
        cls.round = make_round(cls.year, cls.office, selfcheck_deadline=date(2021, 9, 30))
        announce(cls.round, cls.office)
        cls.item_a = Verification.objects.get(round=cls.round, node=cls.node_a)
        cls.item_b = Verification.objects.get(round=cls.round, node=cls.node_b)
        cls.inspector_b = make_person("inspector_b", Role.INSPECTOR)
        assign(cls.round, cls.dept_a, cls.inspector)
        assign(cls.round, cls.dept_b, cls.inspector_b)

    def setUp(self):
        self.travel = time_machine.travel(NOW, tick=False)
        self.travel.start()
        self.addCleanup(self.travel.stop)

    def make(self, department=None, round_=None, **kwargs) -> Rectification:
        kwargs.setdefault("finding", "部分已完成项目未按要求建档")
        kwargs.setdefault("deadline", date(2021, 10, 31))
        return services.create_rectification(
            round_=round_ or self.round, department=department or self.dept_a, by=self.office, **kwargs
        )

    def create_url(self, department=None) -> str:
        return reverse("supervision:rectification-create", args=[self.round.pk, (department or self.dept_a).pk])

    def url(self, item: Rectification, name: str = "detail") -> str:
        return reverse(f"supervision:rectification-{name}", args=[item.pk])

    def stored_files(self) -> list[str]:
        folder = Path(settings.MEDIA_ROOT) / "rectification"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []

    def answer(self, item, files=(), user=None, response="已补齐全部建档材料"):
        self.login(user or self.liaison)
        data = {"response": response}
        if files:
            data["files"] = list(files)
        return self.client.post(self.url(item, "submit"), data)


class CreateTests(RectificationCase):
    def test_the_office_records_a_finding_on_an_item(self):
        self.login(self.office)
        self.assertEqual(self.client.get(self.create_url()).status_code, 200)
        data = {"finding": " 建档不规范 ", "deadline": "2021年10月20日", "verification": self.item_a.pk}
        response = self.client.post(self.create_url(), data)
        item = Rectification.objects.get()
        self.assertRedirects(response, self.url(item))
        self.assertEqual(
            (item.finding, item.deadline, item.verification, item.department, item.state, item.created_by),
            ("建档不规范", date(2021, 10, 20), self.item_a, self.dept_a, Rectification.State.OPEN, self.office),
        )

    def test_the_assigned_inspector_records_one_without_an_item(self):
        self.login(self.inspector)
        response = self.client.post(self.create_url(), {"finding": "通报制度执行不到位", "deadline": "2021-11-15"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Rectification.objects.get().verification, None)

    def test_others_are_refused_and_nothing_changes(self):
        before = business_checksum()
        data = {"finding": "x", "deadline": "2021-11-15"}
        self.login(self.inspector_b)  # assigned to another department
        self.assertEqual(self.client.post(self.create_url(), data).status_code, 404)
        self.assertEqual(self.client.get(self.create_url()).status_code, 404)
        for person in (self.leader, self.liaison, self.head, self.outsider):
            self.login(person)
            self.assertEqual(self.client.post(self.create_url(), data).status_code, 403, person)
        self.assertEqual(business_checksum(), before)

    def test_bad_input_is_refused_with_a_message(self):
        self.login(self.office)
        before = business_checksum()
        cases = [
            ({"finding": "x", "deadline": "30/09/2021"}, zh(BAD_DATE)),
            ({"finding": "x", "deadline": "2021-10-01"}, zh(PAST)),
            ({"finding": "   ", "deadline": "2021-11-15"}, "invalid-feedback"),
            ({"finding": "x", "deadline": "2021-11-15", "verification": self.item_b.pk}, "invalid-feedback"),
        ]
        for data, message in cases:
            response = self.client.post(self.create_url(), data)
            self.assertContains(response, message, status_code=400)
        self.assertEqual(business_checksum(), before)


class WorkflowTests(RectificationCase):
    def test_open_submitted_sent_back_submitted_closed(self):
        item = self.make()
        todo = reverse("progress:todo")
        self.login(self.liaison)
        page = self.client.get(todo)
        self.assertContains(page, 'data-testid="todo-rectifications"')
        self.assertContains(page, self.url(item))
        detail = self.client.get(self.url(item))
        self.assertContains(detail, 'data-testid="rectification-answer-form"')
        self.assertContains(detail, self.round.name)

        self.assertRedirects(self.answer(item, [pdf("建档清单.pdf")]), self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.response), (Rectification.State.SUBMITTED, "已补齐全部建档材料"))
        self.assertEqual(item.files.get().original_name, "建档清单.pdf")
        self.assertNotContains(self.client.get(todo), self.url(item))
        self.login(self.office)
        self.assertContains(self.client.get(todo), self.url(item))
        self.assertContains(self.client.get(self.url(item)), 'data-testid="rectification-decide-form"')

        response = self.client.post(self.url(item, "decide"), {"decision": "return", "note": "缺少归档照片"})
        self.assertRedirects(response, self.url(item))
        item.refresh_from_db()
        self.assertEqual((item.state, item.closing_note), (Rectification.State.OPEN, "缺少归档照片"))
        self.login(self.liaison)
        self.assertContains(self.client.get(todo), self.url(item))
        self.assertContains(self.client.get(self.url(item)), "缺少归档照片")

        self.assertEqual(self.answer(item, [pdf("照片.pdf")], user=self.head).status_code, 302)
        self.login(self.office)
        self.client.post(self.url(item, "decide"), {"decision": "close", "note": "整改到位"})
        item.refresh_from_db()
        self.assertEqual((item.state, item.closed_by, item.files.count()), (Rectification.State.CLOSED, self.office, 2))
        self.login(self.liaison)
        self.assertNotContains(self.client.get(todo), self.url(item))
        self.assertNotContains(self.client.get(self.url(item)), 'data-testid="rectification-answer-form"')

    def test_the_file_downloads_for_those_who_read_it_only(self):
        item = self.make()
        self.answer(item, [pdf("建档清单.pdf")])
        row = RectificationFile.objects.get()
        url = reverse("supervision:rectification-file", args=[row.pk])
        for person in (self.liaison, self.head, self.office):
            self.login(person)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, person)
            self.assertEqual(b"".join(response.streaming_content), PDF)
            self.assertIn("attachment", response["Content-Disposition"])
            self.assertEqual(response["Content-Type"], "application/pdf")
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            self.assertIn("sandbox", response["Content-Security-Policy"])
        for person in (self.outsider, self.inspector_b):
            self.login(person)
            self.assertEqual(self.client.get(url).status_code, 404, person)
        self.login(self.auditor)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_an_executable_named_pdf_is_refused_and_nothing_is_stored(self):
        item = self.make()
        before = business_checksum()
        fake = SimpleUploadedFile("总结.pdf", EXECUTABLE, content_type="application/pdf")
        response = self.answer(item, [fake])
        self.assertContains(response, zh(MISMATCH), status_code=400)
        self.assertEqual(RectificationFile.objects.count(), 0)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(business_checksum(), before)
        item.refresh_from_db()
        self.assertEqual(item.state, Rectification.State.OPEN)

    def test_sending_back_needs_a_note(self):
        item = self.make()
        self.answer(item)
        before = business_checksum()
        self.login(self.office)
        response = self.client.post(self.url(item, "decide"), {"decision": "return", "note": ""}, follow=True)
        self.assertContains(response, zh(NOTE_MISSING))
        self.assertEqual(business_checksum(), before)


class LadderTests(RectificationCase):
    def test_readers_of_the_detail(self):
        item = self.make()
        for person in (self.liaison, self.head, self.office, self.leader, self.inspector):
            self.login(person)
            self.assertEqual(self.client.get(self.url(item)).status_code, 200, person)
        for person in (self.outsider, self.inspector_b):
            self.login(person)
            self.assertEqual(self.client.get(self.url(item)).status_code, 404, person)

    def test_other_departments_get_404_and_nothing_changes(self):
        item = self.make()
        before = business_checksum()
        self.login(self.outsider)
        self.assertEqual(self.answer(item, [pdf()], user=self.outsider).status_code, 404)
        self.assertEqual(self.stored_files(), [])
        self.assertEqual(business_checksum(), before)

    def test_leaders_and_the_office_do_not_answer(self):
        item = self.make()
        before = business_checksum()
        self.assertEqual(self.answer(item, user=self.leader).status_code, 403)
        self.assertEqual(self.answer(item, user=self.office).status_code, 403)
        self.assertEqual(self.answer(item, user=self.inspector).status_code, 403)
        self.login(self.leader)
        self.assertEqual(self.client.post(self.url(item, "decide"), {"decision": "close"}).status_code, 403)
        self.login(self.liaison)
        self.assertEqual(self.client.post(self.url(item, "decide"), {"decision": "close"}).status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_post_only_urls_answer_405_to_get(self):
        item = self.make()
        self.login(self.liaison)
        self.assertEqual(self.client.get(self.url(item, "submit")).status_code, 405)
        self.login(self.office)
        self.assertEqual(self.client.get(self.url(item, "decide")).status_code, 405)

    def test_a_state_refusal_is_409(self):
        item = self.make()
        before = business_checksum()
        self.login(self.office)
        self.assertEqual(self.client.post(self.url(item, "decide"), {"decision": "close"}).status_code, 409)
        self.answer(item)
        after_answer = business_checksum()
        self.assertNotEqual(after_answer, before)
        self.assertEqual(self.answer(item, response="再答一次").status_code, 409)
        self.assertEqual(business_checksum(), after_answer)


class ListTests(RectificationCase):
    def rows(self, user, query: str = "") -> list[int]:
        self.login(user)
        response = self.client.get(reverse("supervision:rectification-list") + query)
        self.assertEqual(response.status_code, 200)
        return [r.pk for r in response.context["page"]]

    def test_each_reads_their_own(self):
        a, b = self.make(), self.make(department=self.dept_b)
        self.assertEqual(sorted(self.rows(self.office)), [a.pk, b.pk])
        self.assertEqual(sorted(self.rows(self.leader)), [a.pk, b.pk])
        self.assertEqual(self.rows(self.liaison), [a.pk])
        self.assertEqual(self.rows(self.outsider), [b.pk])
        self.assertEqual(self.rows(self.inspector), [a.pk])
        self.assertEqual(self.rows(self.inspector_b), [b.pk])

    def test_filter_by_state(self):
        a, b = self.make(), self.make(department=self.dept_b)
        self.answer(a)
        self.assertEqual(self.rows(self.office, "?state=submitted"), [a.pk])
        self.assertEqual(self.rows(self.office, "?state=open"), [b.pk])

    def test_open_findings_of_an_earlier_round_follow_into_the_next(self):
        done = self.make(finding="已整改完毕")
        self.answer(done)
        services.decide_rectification(rectification=done, by=self.office, close=True)
        still_open = self.make(finding="仍未整改")
        later = make_round(
            self.year,
            self.office,
            name="2021年第四季度督查",
            period_start=date(2021, 10, 1),
            period_end=date(2021, 12, 31),
            notice_date=date(2021, 12, 20),
            selfcheck_deadline=date(2021, 12, 25),
            onsite_start=date(2022, 1, 5),
            onsite_end=date(2022, 1, 10),
        )
        new = self.make(round_=later, finding="第四季度发现")
        self.assertEqual(sorted(self.rows(self.office, f"?round={later.pk}")), [still_open.pk, new.pk])
        self.assertEqual(sorted(self.rows(self.office, f"?round={self.round.pk}")), [done.pk, still_open.pk])
        # The next round's inspector of the department sees what is still open, not what was closed.
        assign(later, self.dept_a, self.inspector_b)
        self.assertEqual(sorted(self.rows(self.inspector_b)), [still_open.pk, new.pk])
        self.login(self.office)
        page = self.client.get(reverse("supervision:rectification-list") + f"?round={later.pk}")
        self.assertContains(page, 'data-testid="from-earlier-round"', count=1)
        detail = self.client.get(self.url(still_open))
        round_url = reverse("supervision:round-detail", args=[self.round.pk])
        self.assertContains(
            detail,
            f'data-testid="rectification-round"><a href="{round_url}">{self.round.name}',
        )

    def test_a_bad_filter_shows_everything_with_the_field_marked(self):
        self.make()
        self.login(self.office)
        response = self.client.get(reverse("supervision:rectification-list") + "?state=lost&round=abc")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is-invalid")
        self.assertEqual(len(response.context["page"].object_list), 1)


class QueryCountTests(RectificationCase):
    def setUp(self):
        super().setUp()
        self.item = self.make(verification=self.item_a)

    def grow(self, n: int) -> None:
        """More findings in both departments, and one more answer with a file on ``self.item`` each time."""
        for i in range(n):
            for department in (self.dept_a, self.dept_b):
                other = self.make(department=department, finding=f"问题{n}-{i}")
                services.submit_rectification(rectification=other, by=self.office, response="已整改", files=[pdf()])
            services.submit_rectification(rectification=self.item, by=self.liaison, response="已整改", files=[pdf()])
            services.decide_rectification(rectification=self.item, by=self.office, close=False, note="再补")

    def count(self, user, url: str) -> int:
        self.login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_the_list_and_the_detail_do_not_grow_with_the_data(self):
        pages = [
            (self.office, reverse("supervision:rectification-list")),
            (self.office, reverse("supervision:rectification-list") + f"?state=open&round={self.round.pk}"),
            (self.liaison, reverse("supervision:rectification-list")),
            (self.inspector, reverse("supervision:rectification-list")),
            (self.office, self.url(self.item)),
            (self.liaison, self.url(self.item)),
        ]
        self.grow(2)
        small = [self.count(user, url) for user, url in pages]
        self.grow(6)
        large = [self.count(user, url) for user, url in pages]
        self.assertEqual(small, large)
        self.assertEqual(self.item.files.count(), 8)


class MatrixTests(RectificationCase):
    """Every role GETs every self-check and rectification URL: the policy's refusals, and never a 500."""

    def test_every_role_on_every_url(self):
        from kaohe.org import access
        from kaohe.supervision.models import SelfCheck

        item = self.make()
        self.answer(item, [pdf()])
        check = SelfCheck.objects.get(round=self.round, department=self.dept_a)
        urls = {
            "supervision:selfcheck": [check.pk],
            "supervision:selfcheck-submit": [check.pk],
            "supervision:selfcheck-decide": [check.pk],
            "supervision:rectification-list": [],
            "supervision:rectification-create": [self.round.pk, self.dept_a.pk],
            "supervision:rectification-detail": [item.pk],
            "supervision:rectification-submit": [item.pk],
            "supervision:rectification-decide": [item.pk],
            "supervision:rectification-file": [item.files.get().pk],
        }
        before = business_checksum()
        for name, args in urls.items():
            for role, person in self.cast.items():
                self.login(person)
                status = self.client.get(reverse(name, args=args)).status_code
                if access.allowed(person, name):
                    self.assertLess(status, 500, f"{role} {name}")
                    self.assertNotEqual(status, 403, f"{role} {name}")
                else:
                    self.assertEqual(status, 403, f"{role} {name}")
        self.assertEqual(business_checksum(), before)
