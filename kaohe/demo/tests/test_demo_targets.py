"""The demo school's 2021 plans: the seed's Q3 round of 96 due items, and a loader that reruns clean."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.test import TestCase

from kaohe.demo import school
from kaohe.demo.management.commands.load_demo import load
from kaohe.demo.targets import SOCIAL_TRAINING_LEAD, q3_due_nodes
from kaohe.org.models import AssessmentYear
from kaohe.plans.models import Node, Target, TargetPlan
from kaohe.plans.selectors import plan_check

Q3 = (date(2021, 7, 1), date(2021, 9, 30))


class DemoTargetsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        started = time.perf_counter()
        cls.first_changes = load()
        cls.seconds = time.perf_counter() - started
        cls.year = AssessmentYear.objects.get(year=2021)

    def test_the_first_load_is_quick_and_the_second_changes_nothing(self):
        self.assertGreater(self.first_changes, 0)
        self.assertLess(self.seconds, 40)  # 5–10 s on a quiet machine; the bound catches a blow-up, not noise
        history = Target.history.count() + Node.history.count() + TargetPlan.history.count()
        self.assertEqual(load(), 0)
        self.assertEqual(Target.history.count() + Node.history.count() + TargetPlan.history.count(), history)

    def test_every_department_has_a_plan_of_4_to_10_targets_weighing_100(self):
        plans = TargetPlan.objects.filter(year=self.year).select_related("department")
        self.assertEqual(plans.count(), 35)
        self.assertEqual({p.department.name for p in plans}, {d[0] for d in school.DEPARTMENTS})
        for plan in plans:
            targets = plan.targets.filter(withdrawn=False)
            with self.subTest(plan=plan.department.name):
                self.assertTrue(4 <= targets.count() <= 10)
                self.assertEqual(sum(t.weight for t in targets), Decimal("100"))
                self.assertTrue(targets.filter(core=True).exists())
                self.assertTrue(all(t.code.startswith("2021-") and t.code.isascii() for t in targets))

    def test_the_seeds_96_items_fall_due_in_the_third_quarter(self):
        due = q3_due_nodes(self.year)
        self.assertEqual(due.count(), 96)
        self.assertEqual(q3_due_nodes(2021).count(), 96)
        self.assertTrue(all(Q3[0] <= n.due_date <= Q3[1] for n in due))
        # All 35 departments have targets, and the quarter holds items of most of them.
        self.assertGreater(due.values("target__plan__department").distinct().count(), 30)

    def test_the_marxism_college_has_its_two_incomplete_items_due_in_q3(self):
        due = q3_due_nodes(self.year).filter(target__plan__department__name="马克思主义学院")
        self.assertEqual(due.count(), 2)
        project = Target.objects.get(year=self.year, title="红色思政智慧教室及VR综合实训室建设项目")
        self.assertEqual(project.plan.department.name, "马克思主义学院")
        self.assertEqual((project.category, project.kind), ("major", "milestone"))
        node = due.get(target=project)
        self.assertEqual(node.due_date, date(2021, 9, 15))
        self.assertTrue(node.deliverable)
        rooms = Target.objects.get(year=self.year, title="教研室优秀数")
        self.assertEqual(rooms.plan.department.name, "马克思主义学院")
        self.assertEqual((rooms.kind, rooms.target_value, rooms.unit), ("quantified", Decimal("2"), "个"))
        self.assertEqual(due.get(target=rooms).expected_value, Decimal("2"))

    def test_social_training_is_split_to_the_colleges_and_the_shares_add_up(self):
        parent = Target.objects.get(year=self.year, title="社会培训", parent__isnull=True)
        self.assertEqual(parent.plan.department.name, SOCIAL_TRAINING_LEAD)
        self.assertEqual((parent.kind, parent.is_split, parent.unit), ("quantified", True, "人次"))
        shares = list(parent.shares.filter(withdrawn=False).select_related("plan__department"))
        self.assertEqual(len(shares), 11)
        self.assertEqual(sum(s.target_value for s in shares), parent.target_value)
        for share in shares:
            self.assertEqual(share.plan.department.kind, "teaching")
            self.assertEqual([n.expected_value for n in share.nodes.all()], [share.target_value])
        # The parent is not a due item; neither it nor its shares fall in Q3 (most colleges were under 50 %).
        self.assertFalse(q3_due_nodes(self.year).filter(target=parent).exists())
        self.assertFalse(q3_due_nodes(self.year).filter(target__parent=parent).exists())

    def test_approved_plans_pass_the_plan_check(self):
        plans = TargetPlan.objects.filter(year=self.year).select_related("year", "department", "submitted_by")
        approved = [p for p in plans if p.state == "approved"]
        self.assertEqual(len(approved), 35)  # every plan is in force by the third quarter
        for plan in approved:
            with self.subTest(plan=plan.department.name):
                result = plan_check(plan)
                self.assertEqual(result.errors, [])
                self.assertEqual(result.warnings, [])
                self.assertEqual(plan.decided_by.username, "office")
        submitters = {p.department.name: p.submitted_by.username for p in approved}
        self.assertEqual(submitters["教务处"], "jwc_head")
        self.assertEqual(submitters["马克思主义学院"], "mks_head")
        self.assertEqual(submitters["财务处"], "office")

    def test_a_partly_changed_demo_is_put_right(self):
        project = Target.objects.get(year=self.year, title="红色思政智慧教室及VR综合实训室建设项目")
        project.nodes.filter(due_date=date(2021, 9, 15)).update(due_date=date(2021, 10, 15))
        Target.objects.filter(year=self.year, plan__department__name="档案馆", title="校史资料征集").delete()
        share = Target.objects.filter(year=self.year, parent__isnull=False).first()
        Target.objects.filter(pk=share.pk).update(withdrawn=True, target_value=1)
        TargetPlan.objects.filter(year=self.year, department__name="财务处").update(state="draft")

        self.assertGreater(load(), 0)
        self.assertEqual(load(), 0)
        self.assertEqual(q3_due_nodes(self.year).count(), 96)
        self.assertEqual(TargetPlan.objects.get(year=self.year, department__name="财务处").state, "approved")
        self.assertTrue(Target.objects.filter(plan__department__name="档案馆", title="校史资料征集").exists())
        share.refresh_from_db()
        self.assertFalse(share.withdrawn)
        parent = share.parent
        self.assertEqual(sum(s.target_value for s in parent.shares.filter(withdrawn=False)), parent.target_value)
