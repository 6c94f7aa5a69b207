"""Plan pages: who sees what, constant query counts, the school-wide list's filters and export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.org.models import Department
from kaohe.plans.models import TargetPlan
from kaohe.plans.tests.factories import make_plan, make_target
from kaohe.test import BaseTestCase


class VisibilityTests(BaseTestCase):
    def setUp(self):
        self.plan_a = make_plan(self.year, self.dept_a)
        self.target_a = make_target(self.plan_a, code="A-1", title="教务处的目标")
        self.plan_b = make_plan(self.year, self.dept_b)
        self.target_b = make_target(self.plan_b, code="B-1", title="马院的目标")

    def test_a_liaison_sees_only_their_departments_plan_and_targets(self):
        self.login(self.liaison)
        listed = self.client.get(reverse("plans:target-list")).context["page"].object_list
        self.assertEqual({t.code for t in listed}, {"A-1"})
        rows = self.client.get(reverse("plans:plan-list")).context["rows"]
        self.assertEqual([d.name for d, _plan in rows], ["教务处"])
        for url in (
            reverse("plans:plan-detail", args=[self.plan_b.pk]),
            reverse("plans:target-detail", args=[self.target_b.pk]),
            reverse("plans:target-edit", args=[self.target_b.pk]),
            reverse("plans:target-create", args=[self.plan_b.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_the_export_holds_only_what_the_person_may_see(self):
        self.login(self.liaison)
        response = self.client.get(reverse("plans:target-export"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["目标"]
        codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(codes, {"A-1"})

    def test_the_office_and_leaders_see_every_department(self):
        for person in (self.office, self.leader):
            self.login(person)
            listed = self.client.get(reverse("plans:target-list")).context["page"].object_list
            self.assertEqual({t.code for t in listed}, {"A-1", "B-1"})

    def test_the_administrator_and_the_auditor_see_no_assessment_data(self):
        for person in (self.sysadmin, self.auditor):
            self.login(person)
            self.assertEqual(self.client.get(reverse("plans:target-list")).status_code, 403)

    def test_a_liaison_edits_the_draft_and_nothing_after_approval(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("plans:target-edit", args=[self.target_a.pk])).status_code, 200)
        TargetPlan.objects.filter(pk=self.plan_a.pk).update(state="approved")
        self.assertEqual(self.client.get(reverse("plans:target-edit", args=[self.target_a.pk])).status_code, 403)

    def test_leaders_read_but_do_not_edit(self):
        self.login(self.leader)
        self.assertEqual(self.client.get(reverse("plans:target-detail", args=[self.target_a.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("plans:target-edit", args=[self.target_a.pk])).status_code, 403)


class FilterAndExportTests(BaseTestCase):
    def setUp(self):
        plan = make_plan(self.year, self.dept_a)
        make_target(plan, code="Q3", category="key", core=True, nodes=(date(2021, 9, 30),))
        make_target(plan, code="Q1", category="routine", nodes=(date(2021, 3, 31),))
        make_target(plan, code="F", title="=cmd|' /C calc'!A0", category="bonus", nodes=(date(2021, 12, 1),))
        self.login(self.office)

    def codes(self, **params) -> set[str]:
        page = self.client.get(reverse("plans:target-list"), params).context["page"]
        return {t.code for t in page.object_list}

    def test_filters(self):
        self.assertEqual(self.codes(due="q3"), {"Q3"})
        self.assertEqual(self.codes(due="m3"), {"Q1"})
        self.assertEqual(self.codes(category="routine"), {"Q1"})
        self.assertEqual(self.codes(core="1"), {"Q3"})
        self.assertEqual(self.codes(department=self.dept_b.pk), set())
        self.assertEqual(self.codes(q="calc"), {"F"})

    def test_htmx_gets_only_the_rows(self):
        response = self.client.get(reverse("plans:target-list"), {"due": "q3"}, HTTP_HX_REQUEST="true")
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="target-rows"')

    def test_the_export_follows_the_filter_and_writes_formulas_as_text(self):
        response = self.client.get(reverse("plans:target-export"), {"category": "bonus"})
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = list(book["目标"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][1], "'=cmd|' /C calc'!A0")
        self.assertTrue(all(c.data_type != "f" for row in book["目标"].iter_rows() for c in row))


class QueryCountTests(BaseTestCase):
    def queries(self, url: str) -> int:
        self.client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def grow(self, departments: int, targets: int) -> None:
        for i in range(departments):
            department = Department.objects.create(name=f"学院{i}", kind="teaching", order=100 + i)
            plan = make_plan(self.year, department)
            for j in range(targets):
                make_target(
                    plan,
                    code=f"G{i}-{j}",
                    kind="quantified",
                    target_value=Decimal(4),
                    unit="个",
                    nodes=(date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30)),
                )

    def test_pages_keep_their_query_count_as_data_grows(self):
        plan = make_plan(self.year, self.dept_a)
        target = make_target(
            plan, code="A-1", kind="quantified", target_value=Decimal(3000), unit="人次", is_split=True
        )
        from kaohe.plans import services

        # The small school has one of everything the pages show (a split with a share, a history).
        services.split_target(
            parent=target,
            shares=[services.ShareData(self.dept_b, Decimal(3000), [services.NodeData(date(2021, 9, 30))])],
        )
        self.login(self.office)
        urls = [
            reverse("plans:target-list"),
            reverse("plans:plan-list"),
            reverse("plans:plan-detail", args=[plan.pk]),
            reverse("plans:target-detail", args=[target.pk]),
        ]
        small = [self.queries(u) for u in urls]
        self.grow(departments=8, targets=6)
        for j in range(12):
            make_target(plan, code=f"A-more-{j}", nodes=(date(2021, 9, 30), date(2021, 12, 31)))

        colleges = list(Department.objects.filter(kind="teaching"))
        values = [Decimal(3000 // len(colleges))] * len(colleges)
        values[0] += Decimal(3000) - sum(values)
        services.split_target(
            parent=target,
            shares=[
                services.ShareData(c, v, [services.NodeData(date(2021, 9, 30))])
                for c, v in zip(colleges, values, strict=True)
            ],
        )
        large = [self.queries(u) for u in urls]
        self.assertEqual(small, large)
