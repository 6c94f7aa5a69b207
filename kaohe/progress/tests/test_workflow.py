"""Reports, approval, the archive, the to-do list and the archive export, page by page."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.plans.models import IndicatorKind, Node, Target, TargetPlan
from kaohe.progress import services
from kaohe.progress.models import Evidence, ProgressReport, Status
from kaohe.test import BaseTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "总结.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class ProgressTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan_a = TargetPlan.objects.create(year=cls.year, department=cls.dept_a, state=TargetPlan.State.APPROVED)
        cls.plan_b = TargetPlan.objects.create(year=cls.year, department=cls.dept_b, state=TargetPlan.State.APPROVED)
        cls.target = cls.make_target(cls.plan_a, "JW-01", "建设VR教室")
        cls.node = Node.objects.create(target=cls.target, due_date=date(2021, 9, 30), deliverable="完成建设")
        cls.count_target = cls.make_target(
            cls.plan_a, "JW-02", "教研室优秀数", kind=IndicatorKind.QUANTIFIED, target_value=2, unit="个"
        )
        cls.count_node = Node.objects.create(target=cls.count_target, due_date=date(2021, 9, 30), expected_value=2)
        cls.target_b = cls.make_target(cls.plan_b, "MY-01", "思政课程建设")
        cls.node_b = Node.objects.create(target=cls.target_b, due_date=date(2021, 9, 30))

    @staticmethod
    def make_target(plan, code, title, **kwargs) -> Target:
        return Target.objects.create(plan=plan, year=plan.year, code=code, title=title, weight=Decimal(5), **kwargs)

    def report(self, node=None, by=None, status=Status.DONE, uploads=(), **kwargs) -> ProgressReport:
        report, _created = services.submit_report(
            node=node or self.node,
            by=by or self.liaison,
            key=uuid.uuid4(),
            status=status,
            narrative=kwargs.pop("narrative", "已完成建设并投入使用"),
            uploads=uploads,
            **kwargs,
        )
        return report

    def approved(self, node=None, **kwargs) -> ProgressReport:
        report = self.report(node, **kwargs)
        return services.decide_report(report=report, by=self.head, approve=True)


class ReportCreateTests(ProgressTestCase):
    def post(self, node, **data):
        payload = {"key": str(uuid.uuid4()), "status": "done", "narrative": "完成", "kind": "summary"}
        return self.client.post(reverse("progress:report-create", args=[node.pk]), {**payload, **data})

    def test_it_records_a_report_with_files(self):
        self.login(self.liaison)
        response = self.post(self.node, files=[pdf(), SimpleUploadedFile("现场.png", PNG)])
        report = ProgressReport.objects.get()
        self.assertRedirects(response, reverse("progress:report-detail", args=[report.pk]))
        self.assertEqual(report.state, ProgressReport.State.SUBMITTED)
        self.assertEqual((report.department, report.author), (self.dept_a, self.liaison))
        files = list(report.evidence.order_by("id"))
        self.assertEqual([f.original_name for f in files], ["总结.pdf", "现场.png"])
        self.assertEqual([f.content_type for f in files], ["application/pdf", "image/png"])
        self.assertEqual(files[0].target, self.target)
        self.assertEqual(len(files[0].sha256), 64)

    def test_quantified_targets_need_their_value(self):
        self.login(self.liaison)
        response = self.post(self.count_node, status="in_progress")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "达到的数值", status_code=400)
        self.assertFalse(ProgressReport.objects.exists())
        response = self.post(self.count_node, status="in_progress", actual_value="１")  # full-width digit
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ProgressReport.objects.get().actual_value, Decimal("1"))

    def test_it_refuses_bad_values_in_chinese(self):
        self.login(self.liaison)
        response = self.post(self.count_node, status="in_progress", actual_value="-1")
        self.assertEqual(response.status_code, 400)
        response = self.post(self.node, narrative="　 ")  # an ideographic space only
        self.assertContains(response, "必填", status_code=400)
        self.assertFalse(ProgressReport.objects.exists())

    def test_plans_not_yet_approved_take_no_reports(self):
        self.plan_a.state = TargetPlan.State.DRAFT
        self.plan_a.save()
        self.login(self.liaison)
        response = self.post(self.node)
        self.assertContains(response, "批准", status_code=400)
        self.assertFalse(ProgressReport.objects.exists())

    def test_leader_cannot_report(self):
        self.login(self.leader)
        self.assertEqual(self.post(self.node).status_code, 403)

    def test_it_hides_other_departments(self):
        self.login(self.outsider)
        self.assertEqual(self.post(self.node).status_code, 404)
        self.assertFalse(ProgressReport.objects.exists())


class DecisionTests(ProgressTestCase):
    def test_head_approves_and_office_then_sees_it(self):
        report = self.report(uploads=[services.Upload(pdf())])
        self.login(self.office)
        self.assertEqual(self.client.get(reverse("progress:report-detail", args=[report.pk])).status_code, 404)
        self.login(self.head)
        url = reverse("progress:report-decide", args=[report.pk])
        self.assertRedirects(
            self.client.post(url, {"decision": "approve"}), reverse("progress:report-detail", args=[report.pk])
        )
        report.refresh_from_db()
        self.assertEqual((report.state, report.decided_by), (ProgressReport.State.APPROVED, self.head))
        self.login(self.office)
        page = self.client.get(reverse("progress:node-detail", args=[self.node.pk]))
        self.assertContains(page, "总结.pdf")
        self.assertContains(self.client.get(reverse("progress:report-detail", args=[report.pk])), "总结.pdf")

    def test_returning_needs_a_reason_and_reaches_the_author(self):
        report = self.report()
        self.login(self.head)
        url = reverse("progress:report-decide", args=[report.pk])
        self.client.post(url, {"decision": "return"})
        report.refresh_from_db()
        self.assertEqual(report.state, ProgressReport.State.SUBMITTED)
        self.client.post(url, {"decision": "return", "reason": "缺少验收报告"})
        report.refresh_from_db()
        self.assertEqual((report.state, report.return_reason), (ProgressReport.State.RETURNED, "缺少验收报告"))
        self.login(self.liaison)
        self.assertContains(self.client.get(reverse("progress:todo")), "缺少验收报告")

    def test_a_second_decision_changes_nothing(self):
        report = self.approved()
        with self.assertRaises(services.Locked):
            services.decide_report(report=report, by=self.head, approve=False, reason="x")

    def test_it_rejects_get(self):
        report = self.report()
        self.login(self.head)
        self.assertEqual(self.client.get(reverse("progress:report-decide", args=[report.pk])).status_code, 405)

    def test_a_returned_report_is_edited_and_goes_back_to_the_head(self):
        report = services.decide_report(report=self.report(), by=self.head, approve=False, reason="补充照片")
        self.login(self.liaison)
        url = reverse("progress:report-edit", args=[report.pk])
        data = {"status": "done", "narrative": "补充了现场照片", "kind": "photo", "version": report.version}
        response = self.client.post(url, {**data, "files": [SimpleUploadedFile("现场.png", PNG)]})
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual((report.state, report.narrative), (ProgressReport.State.SUBMITTED, "补充了现场照片"))
        self.assertEqual(report.evidence.get().kind, Evidence.Kind.PHOTO)

    def test_every_report_is_kept_on_the_node(self):
        first = self.approved(status=Status.IN_PROGRESS, narrative="完成招标")
        second = self.approved(narrative="完成建设")
        self.login(self.office)
        page = self.client.get(reverse("progress:node-detail", args=[self.node.pk])).content.decode()
        self.assertIn("完成招标", page)
        self.assertIn("完成建设", page)
        self.assertLess(page.index("完成建设"), page.index("完成招标"))  # newest first
        self.assertEqual(ProgressReport.objects.filter(pk__in=[first.pk, second.pk]).count(), 2)


class LightTests(ProgressTestCase):
    """T-TZ-1: the day boundary is Asia/Shanghai's, whatever the server's clock says."""

    def light_on_page(self) -> str:
        self.login(self.liaison)
        page = self.client.get(reverse("progress:node-detail", args=[self.node.pk])).content.decode()
        return page.split('data-light="', 1)[1].split('"', 1)[0]

    def test_due_day_is_yellow_until_midnight_in_shanghai(self):
        with time_machine.travel("2021-09-30 23:59:30 +08:00", tick=False):
            self.assertEqual(self.light_on_page(), "yellow")
        with time_machine.travel("2021-10-01 00:00:30 +08:00", tick=False):  # still 30 September in UTC
            self.assertEqual(self.light_on_page(), "red")

    def test_green_until_three_days_before(self):
        with time_machine.travel("2021-09-26 12:00 +08:00", tick=False):
            self.assertEqual(self.light_on_page(), "green")
        with time_machine.travel("2021-09-27 00:00:01 +08:00", tick=False):
            self.assertEqual(self.light_on_page(), "yellow")

    def test_a_completed_node_has_no_colour(self):
        self.approved()
        with time_machine.travel("2021-10-05 09:00 +08:00", tick=False):
            self.assertEqual(self.light_on_page(), "done")

    def test_reports_count_in_the_quarter_of_their_day_in_shanghai(self):
        from kaohe.progress.selectors import reports_by_quarter

        with time_machine.travel("2021-09-30 23:59:30 +08:00", tick=False):
            on_time = self.report()
        with time_machine.travel("2021-10-01 00:00:30 +08:00", tick=False):
            late = self.report()
        self.assertTrue(on_time.is_on_time)
        self.assertFalse(late.is_on_time)
        self.assertEqual(reports_by_quarter(ProgressReport.objects.all()), {1: 0, 2: 0, 3: 1, 4: 1})


class TodoTests(ProgressTestCase):
    def test_liaison_sees_nodes_due_soon_and_overdue(self):
        with time_machine.travel("2021-09-29 10:00 +08:00", tick=False):
            self.login(self.liaison)
            page = self.client.get(reverse("progress:todo")).content.decode()
        self.assertIn("JW-01", page)
        self.assertIn("JW-02", page)
        self.assertNotIn("MY-01", page)  # another department's

    def test_completed_nodes_leave_the_list(self):
        self.approved()
        with time_machine.travel("2021-09-29 10:00 +08:00", tick=False):
            self.login(self.liaison)
            page = self.client.get(reverse("progress:todo")).content.decode()
        self.assertNotIn("JW-01 ", page)
        self.assertIn("JW-02", page)

    def test_head_sees_reports_to_approve_and_escalated_nodes(self):
        self.report(node=self.count_node, actual_value=Decimal(1), status=Status.IN_PROGRESS)
        with time_machine.travel("2021-10-05 10:00 +08:00", tick=False):  # five days late
            self.login(self.head)
            response = self.client.get(reverse("progress:todo"))
        self.assertContains(response, 'data-testid="todo-escalated"')
        approvals = response.content.decode().split('data-testid="todo-approvals"', 1)[1].split("</div>", 1)[0]
        self.assertIn("JW-02", approvals)

    def test_office_sees_what_is_a_week_late_everywhere(self):
        with time_machine.travel("2021-10-05 10:00 +08:00", tick=False):
            self.login(self.office)
            self.assertNotContains(self.client.get(reverse("progress:todo")), 'data-testid="todo-escalated"')
        with time_machine.travel("2021-10-08 10:00 +08:00", tick=False):
            self.login(self.office)
            response = self.client.get(reverse("progress:todo"))
        self.assertContains(response, "MY-01")
        self.assertContains(response, "JW-01")


class ArchiveTests(ProgressTestCase):
    def test_archive_lists_files_by_node_and_kind(self):
        self.approved(uploads=[services.Upload(pdf("验收报告.pdf"), kind=Evidence.Kind.SUMMARY)])
        self.approved(uploads=[services.Upload(SimpleUploadedFile("现场.png", PNG), kind=Evidence.Kind.PHOTO)])
        self.login(self.office)
        response = self.client.get(reverse("progress:target-archive", args=[self.target.pk]))
        self.assertContains(response, "验收报告.pdf")
        self.assertContains(response, "现场.png")
        self.assertContains(response, "总结报告")  # the kind, in Chinese
        self.assertContains(response, "照片")

    def test_pending_files_are_not_in_the_offices_archive(self):
        self.report(uploads=[services.Upload(pdf("草稿.pdf"))])
        self.login(self.office)
        self.assertNotContains(self.client.get(reverse("progress:target-archive", args=[self.target.pk])), "草稿.pdf")
        self.login(self.liaison)
        self.assertContains(self.client.get(reverse("progress:target-archive", args=[self.target.pk])), "草稿.pdf")

    def test_department_archive_export_is_a_zip_with_a_summary(self):
        self.approved(uploads=[services.Upload(pdf("验收报告.pdf"), kind=Evidence.Kind.SUMMARY)])
        self.approved(node=self.count_node, actual_value=Decimal(2), uploads=[services.Upload(pdf("名单.pdf"))])
        self.report(uploads=[services.Upload(pdf("未批准.pdf"))])
        self.login(self.liaison)
        response = self.client.post(reverse("progress:archive-export") + "?year=2021", {"department": self.dept_a.pk})
        detail = self.client.get(response["Location"])
        self.assertContains(detail, 'data-state="done"')
        job_url = response["Location"]
        download = self.client.get(job_url + "download/")
        self.assertEqual(download["Content-Type"], "application/zip")
        archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
        names = archive.namelist()
        self.assertIn("JW-01 建设VR教室/20210930_总结报告_验收报告.pdf", names)
        self.assertIn("JW-02 教研室优秀数/20210930_文件材料_名单.pdf", names)
        self.assertFalse(any("未批准" in n for n in names))
        sheet = load_workbook(io.BytesIO(archive.read("汇总.xlsx"))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[1][7], Evidence.objects.get(original_name="验收报告.pdf").sha256)

    def test_other_departments_cannot_export_or_download(self):
        self.login(self.liaison)
        response = self.client.post(reverse("progress:archive-export") + "?year=2021", {"department": self.dept_b.pk})
        self.assertEqual(response.status_code, 404)
        response = self.client.post(reverse("progress:archive-export") + "?year=2021", {"department": self.dept_a.pk})
        self.login(self.outsider)
        self.assertEqual(self.client.get(response["Location"]).status_code, 404)
        self.assertEqual(self.client.get(response["Location"] + "download/").status_code, 404)


class QueryCountTests(ProgressTestCase):
    """The to-do list, the archive and the progress list read a fixed number of queries."""

    def grow(self, n: int) -> None:
        for i in range(n):
            target = self.make_target(self.plan_a, f"G-{n}-{i}", f"目标{i}")
            node = Node.objects.create(target=target, due_date=date(2021, 9, 29) + timedelta(days=i % 3))
            report = self.approved(node=node, uploads=[services.Upload(pdf(f"材料{i}.pdf"))])
            self.approved(node=self.node, uploads=[services.Upload(pdf(f"节点{i}.pdf"))])
            services.decide_report(report=self.report(node=node), by=self.head, approve=False, reason="补充")
            self.report(node=node, by=self.head)
            assert report.pk

    def count(self, user, url: str) -> int:
        self.login(user)
        with time_machine.travel("2021-09-29 10:00 +08:00", tick=False), CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_counts_do_not_grow_with_the_data(self):
        pages = [
            (self.liaison, reverse("progress:todo")),
            (self.head, reverse("progress:todo")),
            (self.office, reverse("progress:todo")),
            (self.office, reverse("progress:target-archive", args=[self.target.pk])),
            (self.office, reverse("progress:node-list") + f"?department={self.dept_a.pk}"),
            (self.office, reverse("progress:node-detail", args=[self.node.pk])),
        ]
        self.grow(2)
        small = [self.count(user, url) for user, url in pages]
        self.grow(12)
        large = [self.count(user, url) for user, url in pages]
        self.assertEqual(small, large)


class BadInputTests(ProgressTestCase):
    def test_an_export_of_a_department_that_is_not_a_number_is_a_404(self):
        self.login(self.office)
        for value in ("abc", "", "1; DROP", "١"):
            response = self.client.post(reverse("progress:archive-export") + "?year=2021", {"department": value})
            self.assertEqual(response.status_code, 404, value)
