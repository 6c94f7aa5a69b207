"""Importing the targets workbook: preview by sheet and row, all or nothing, no duplicates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.plans.models import ImportJob, Target, TargetPlan
from kaohe.plans.tests import workbooks
from kaohe.test import BaseTestCase

GOOD = [
    {
        "代码": "JWC-01",
        "标题": "评选校级教学名师",
        "责任部门": "教务处",
        "类别": "重点工作",
        "核心指标": "是",
        "指标类型": "量化",
        "目标值": 5,
        "单位": "人",
        "权重": 20,
        "责任人": "钱处长",
    },
    {
        "代码": "MKS-01",
        "标题": "红色思政智慧教室及VR综合实训室建设项目",
        "责任部门": "马院",
        "类别": "重大项目",
        "核心指标": "否",
        "指标类型": "节点",
        "权重": 30,
        "责任人": "李院长",
        "协同部门": "教务处",
    },
]
GOOD_NODES = [
    ["JWC-01", "2021-06-30", "", 2],
    ["JWC-01", "2021年9月30日", "", 5],
    ["MKS-01", "2021-09-15", "完成招标并开工建设", ""],
]


class TargetImportTests(BaseTestCase):
    def setUp(self):
        self.login(self.office)

    def upload(self, data: bytes, name: str = "targets.xlsx"):
        response = self.client.post(
            reverse("plans:import"), {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        if response.status_code != 302:
            return response, None
        job = ImportJob.objects.latest("pk")
        return self.client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans"), job

    def confirm(self, job):
        self.client.post(reverse("plans:import-confirm", args=[job.pk]))
        job.refresh_from_db()
        return job

    def test_a_clean_file_is_previewed_then_imported(self):
        response, job = self.upload(workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES)))
        self.assertEqual(job.state, "checked")
        self.assertContains(response, "2")  # new targets
        self.assertFalse(Target.objects.exists())
        job = self.confirm(job)
        self.assertEqual(job.state, "done")
        jwc = Target.objects.get(code="JWC-01")
        self.assertEqual((jwc.target_value, jwc.core, jwc.kind), (Decimal(5), True, "quantified"))
        self.assertEqual(
            [(n.due_date, n.expected_value) for n in jwc.nodes.all()], [(date(2021, 6, 30), 2), (date(2021, 9, 30), 5)]
        )
        mks = Target.objects.get(code="MKS-01")
        self.assertEqual(mks.plan.department, self.dept_b)
        self.assertEqual(list(mks.co_departments.all()), [self.dept_a])
        self.assertEqual(TargetPlan.objects.get(department=self.dept_b).state, "draft")
        self.assertEqual(AuditEvent.objects.filter(kind="import").count(), 1)
        self.assertEqual(jwc.history.count(), 1)

    def test_the_same_file_twice_changes_nothing(self):
        data = workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES))
        self.confirm(self.upload(data)[1])
        before = business_checksum()
        response, job = self.upload(data)
        self.assertEqual((job.result["create"], job.result["update"], job.result["unchanged"]), (0, 0, 2))
        self.confirm(job)
        self.assertEqual(business_checksum(), before)
        self.assertEqual(Target.objects.count(), 2)

    def test_a_changed_row_updates_its_target(self):
        self.confirm(self.upload(workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES)))[1])
        changed = [{**GOOD[0], "目标值": 6}, GOOD[1]]
        nodes = [["JWC-01", "2021-09-30", "", 6], GOOD_NODES[2]]
        job = self.confirm(self.upload(workbooks.xlsx(workbooks.sheets(changed, nodes)))[1])
        self.assertEqual((job.result["create"], job.result["update"], job.result["unchanged"]), (0, 1, 1))
        jwc = Target.objects.get(code="JWC-01")
        self.assertEqual(jwc.target_value, 6)
        self.assertEqual(jwc.nodes.count(), 1)
        self.assertEqual(jwc.history.count(), 2)

    def test_every_problem_is_listed_by_sheet_and_row_and_nothing_is_written(self):
        bad = [
            GOOD[0],
            {**GOOD[1], "责任部门": "不存在的学院"},  # row 3
            {"代码": "X-1", "标题": "", "责任部门": "教务处", "类别": "其他", "指标类型": "量化"},  # row 4
            {**GOOD[0], "标题": "重复代码"},  # row 5
            {
                "代码": "X-2",
                "标题": "t",
                "责任部门": "教务处",
                "类别": "重点工作",
                "指标类型": "节点",
                "权重": "١٠",
                "核心指标": "也许",
            },  # row 6
        ]
        nodes = [["JWC-01", "30/09/2021", "", 5], ["NOPE", "2021-09-30", "", ""], ["JWC-01", "2021-02-30", "", 1]]
        before = business_checksum()
        response, job = self.upload(workbooks.xlsx(workbooks.sheets(bad, nodes)))
        errors = {(sheet, row) for sheet, row, _message in job.result["errors"]}
        self.assertEqual(
            errors, {("目标", 3), ("目标", 4), ("目标", 5), ("目标", 6), ("节点", 2), ("节点", 3), ("节点", 4)}
        )
        text = " ".join(m for _s, _r, m in job.result["errors"])
        for expected in ("不存在的学院", "标题", "类别", "JWC-01", "普通数字", "是", "年-月-日", "NOPE", "不存在"):
            self.assertIn(expected, text)
        self.assertContains(response, "第 3 行")
        self.assertNotContains(response, 'data-testid="import-confirm"')
        self.confirm(job)
        self.assertEqual(business_checksum(), before)

    def test_xls_and_ods_are_read_like_xlsx(self):
        data = workbooks.sheets(GOOD, GOOD_NODES)
        for maker, name in ((workbooks.xls, "targets.xls"), (workbooks.ods, "targets.ods")):
            response, job = self.upload(maker(data), name)
            self.assertEqual(job.result.get("error_count", 0), 0, (name, job.result))
            self.assertEqual(job.result["create"], 2, name)

    def test_other_files_are_refused_before_anything_runs(self):
        for name, data in (("t.xlsx", b"MZ\x90\x00"), ("t.pdf", b"%PDF-1.4"), ("t.xls", b"<html></html>")):
            response, job = self.upload(data, name)
            self.assertIsNone(job, name)
            self.assertTrue(response.context["form"].errors, name)

    def test_a_workbook_without_the_two_sheets_is_explained(self):
        response, job = self.upload(workbooks.xlsx({"Sheet1": [["a"]]}))
        self.assertIn("目标", job.result["errors"][0][2])

    def test_rows_of_an_approved_plan_are_refused(self):
        TargetPlan.objects.create(year=self.year, department=self.dept_a, state="approved")
        _response, job = self.upload(workbooks.xlsx(workbooks.sheets(GOOD[:1], GOOD_NODES[:2])))
        self.assertIn("调整申请", job.result["errors"][0][2])

    def test_a_liaison_imports_only_for_their_department(self):
        self.login(self.liaison)
        _response, job = self.upload(workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES)))
        rows = {row for _sheet, row, _m in job.result["errors"]}
        self.assertEqual(rows, {3})
        self.assertIn("马克思主义学院", job.result["errors"][0][2])

    def test_a_job_is_only_its_uploaders(self):
        _response, job = self.upload(workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES)))
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("plans:import-job", args=[job.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("plans:import-confirm", args=[job.pk])).status_code, 404)
        self.assertFalse(Target.objects.exists())

    def test_the_running_page_polls_and_shows_progress(self):
        job = ImportJob.objects.create(
            year=self.year, user=self.office, filename="big.xlsx", token="r" * 32, state="checking"
        )
        from django.core.cache import cache

        from kaohe.plans.tasks import progress_key

        cache.set(progress_key(job.pk), {"stage": "check", "done": 3000, "total": 10000})
        response = self.client.get(reverse("plans:import-job", args=[job.pk]), HTTP_HX_REQUEST="true")
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, "3000 / 10000")
        self.assertContains(response, 'aria-valuenow="30"')

    def test_the_template_has_both_sheets_and_dropdowns(self):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(self.client.get(reverse("plans:import-template")).content))
        self.assertEqual(book.sheetnames[1:3], ["目标", "节点"])
        self.assertGreaterEqual(len(book["目标"].data_validations.dataValidation), 4)


class LockedPlanImportTests(BaseTestCase):
    def test_an_export_of_approved_plans_imports_again_as_unchanged(self):
        self.login(self.office)
        data = workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES))
        self.client.post(reverse("plans:import"), {"file": SimpleUploadedFile("t.xlsx", data)})
        self.client.post(reverse("plans:import-confirm", args=[ImportJob.objects.latest("pk").pk]))
        TargetPlan.objects.update(state="approved")
        exported = self.client.get(reverse("plans:target-export")).content
        before = business_checksum()
        self.client.post(reverse("plans:import"), {"file": SimpleUploadedFile("again.xlsx", exported)})
        job = ImportJob.objects.latest("pk")
        self.assertEqual((job.result["error_count"], job.result["unchanged"]), (0, 2))
        self.client.post(reverse("plans:import-confirm", args=[job.pk]))
        self.assertEqual(business_checksum(), before)


class ImportDisclosureTests(BaseTestCase):
    def test_a_liaison_is_not_told_which_department_holds_a_code(self):
        from kaohe.plans.tests.factories import make_plan, make_target

        make_target(make_plan(self.year, self.dept_b), code="MKS-SECRET")
        self.login(self.liaison)
        row = {**GOOD[0], "代码": "MKS-SECRET"}
        data = workbooks.xlsx(workbooks.sheets([row], [["MKS-SECRET", "2021-09-30", "", 5]]))
        self.client.post(
            reverse("plans:import"), {"file": SimpleUploadedFile("t.xlsx", data)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        messages = " ".join(m for _s, _r, m in ImportJob.objects.latest("pk").result["errors"])
        self.assertIn("MKS-SECRET", messages)
        self.assertNotIn("马克思主义学院", messages)
