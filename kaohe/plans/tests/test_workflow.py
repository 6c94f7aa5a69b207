"""Plan workflow, splits and adjustments, through the pages and the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Department
from kaohe.plans import services
from kaohe.plans.models import Adjustment, Node, Target, TargetPlan
from kaohe.plans.tests.factories import make_plan, make_target
from kaohe.test import BaseTestCase, make_person


def node_post(prefix="nodes", rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (due, deliverable, value) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{i}-due_date": due,
                f"{prefix}-{i}-deliverable": deliverable,
                f"{prefix}-{i}-expected_value": value,
            }
        )
    return data


TARGET_POST = {
    "code": "JWC-01",
    "title": "评选校级教学名师",
    "category": "key",
    "kind": "quantified",
    "target_value": "５",
    "unit": "人",
    "weight": "20",
    "responsible": "钱处长",
    "core": "on",
}


class TargetEditingTests(BaseTestCase):
    def setUp(self):
        self.plan = make_plan(self.year, self.dept_a)

    def test_a_liaison_adds_a_quantified_target_with_quarterly_nodes(self):
        self.login(self.liaison)
        rows = [
            ("2021-03-31", "", "1"),
            ("2021年6月30日", "", "2"),
            ("2021/9/30", "", "4"),
            ("2021-12-31", "", "5"),
        ]
        response = self.client.post(
            reverse("plans:target-create", args=[self.plan.pk]), {**TARGET_POST, **node_post(rows=rows)}
        )
        self.assertRedirects(response, reverse("plans:plan-detail", args=[self.plan.pk]))
        target = Target.objects.get(code="JWC-01")
        self.assertEqual(target.target_value, Decimal("5"))
        self.assertEqual(
            [(n.due_date.month, n.expected_value) for n in target.nodes.all()],
            [(3, 1), (6, 2), (9, 4), (12, 5)],
        )
        self.assertTrue(AuditEvent.objects.filter(kind="create", object_type="plans.Target").exists())

    def test_bad_input_gets_chinese_messages_and_changes_nothing(self):
        self.login(self.liaison)
        before = business_checksum()
        response = self.client.post(
            reverse("plans:target-create", args=[self.plan.pk]),
            {**TARGET_POST, "target_value": "١٢٣", **node_post(rows=[("30/09/2021", "", "x")])},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "普通数字")
        self.assertContains(response, "年-月-日")
        self.assertEqual(business_checksum(), before)

    def test_codes_are_unique_within_a_year(self):
        make_target(self.plan, code="JWC-01")
        self.login(self.liaison)
        response = self.client.post(
            reverse("plans:target-create", args=[self.plan.pk]),
            {**TARGET_POST, **node_post(rows=[("2021-09-30", "", "5")])},
        )
        self.assertContains(response, "JWC-01")
        self.assertEqual(Target.objects.filter(code="JWC-01").count(), 1)

    def test_editing_keeps_every_version(self):
        target = make_target(self.plan, title="旧标题")
        self.login(self.liaison)
        response = self.client.post(
            reverse("plans:target-edit", args=[target.pk]),
            {
                "code": target.code,
                "title": "新标题",
                "category": "key",
                "kind": "milestone",
                "weight": "10",
                "responsible": "张三",
                **node_post(rows=[("2021-09-30", "总结报告", "")]),
            },
        )
        self.assertEqual(response.status_code, 302, response.context and response.context["form"].errors)
        target.refresh_from_db()
        self.assertEqual(target.title, "新标题")
        self.assertEqual([v.title for v in target.history.order_by("history_date")], ["旧标题", "新标题"])
        page = self.client.get(reverse("plans:target-detail", args=[target.pk]))
        self.assertContains(page, "旧标题")


class WorkflowTests(BaseTestCase):
    def setUp(self):
        self.plan = make_plan(self.year, self.dept_a)
        self.target = make_target(self.plan, core=True)

    def submit(self, person, note=""):
        self.login(person)
        return self.client.post(reverse("plans:plan-submit", args=[self.plan.pk]), {"warnings_note": note})

    def decide(self, person, decision, reason=""):
        self.login(person)
        return self.client.post(
            reverse("plans:plan-decide", args=[self.plan.pk]), {"decision": decision, "reason": reason}
        )

    def state(self):
        self.plan.refresh_from_db()
        return self.plan.state

    def test_draft_submitted_approved(self):
        self.submit(self.head)
        self.assertEqual(self.state(), "submitted")
        self.decide(self.office, "approve")
        self.assertEqual(self.state(), "approved")
        self.assertEqual(self.plan.decided_by, self.office)

    def test_returned_with_a_reason_then_resubmitted(self):
        self.submit(self.head)
        self.decide(self.leader, "return")  # no reason: refused
        self.assertEqual(self.state(), "submitted")
        self.decide(self.leader, "return", "节点不够具体")
        self.assertEqual(self.state(), "returned")
        self.assertEqual(self.plan.return_reason, "节点不够具体")
        self.submit(self.head)
        self.assertEqual(self.state(), "submitted")
        self.assertEqual(self.plan.return_reason, "")

    def test_errors_block_submission(self):
        Node.objects.filter(target=self.target).delete()
        response = self.submit(self.head)
        self.assertEqual(self.state(), "draft")
        self.assertContains(self.client.get(response["Location"]), "错误")

    def test_warnings_need_an_explanation(self):
        Target.objects.filter(pk=self.target.pk).update(core=False)
        self.submit(self.head)
        self.assertEqual(self.state(), "draft")
        self.submit(self.head, "本部门目标均为常规工作")
        self.assertEqual(self.state(), "submitted")
        self.assertEqual(self.plan.warnings_note, "本部门目标均为常规工作")

    def test_an_empty_plan_cannot_be_submitted(self):
        empty = make_plan(self.year, self.dept_b)
        with self.assertRaises(ValidationError):
            services.submit_plan(plan=empty, by=self.office)

    def test_a_liaison_does_not_submit_and_a_head_does_not_approve(self):
        self.assertEqual(self.submit(self.liaison).status_code, 403)
        self.submit(self.head)
        self.assertEqual(self.decide(self.head, "approve").status_code, 403)
        self.assertEqual(self.state(), "submitted")

    def test_only_a_submitted_plan_is_decided(self):
        with self.assertRaises(ValidationError):
            services.decide_plan(plan=self.plan, by=self.office, approve=True)

    def test_an_approved_plan_is_locked(self):
        self.submit(self.head)
        self.decide(self.office, "approve")
        self.login(self.liaison)
        before = business_checksum()
        response = self.client.post(
            reverse("plans:target-edit", args=[self.target.pk]),
            {**TARGET_POST, "code": self.target.code, **node_post(rows=[("2021-09-30", "", "5")])},
        )
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            reverse("plans:target-create", args=[self.plan.pk]),
            {**TARGET_POST, **node_post(rows=[("2021-09-30", "", "5")])},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_a_closed_year_is_read_only(self):
        self.year.state = "closed"
        self.year.save()
        self.login(self.liaison)
        response = self.client.get(reverse("plans:target-create", args=[self.plan.pk]))
        self.assertEqual(response.status_code, 403)


class AdjustmentTests(BaseTestCase):
    def setUp(self):
        self.plan = make_plan(self.year, self.dept_a, state=TargetPlan.State.APPROVED)
        self.target = make_target(self.plan, title="原目标", weight=Decimal("10"))

    def test_a_change_is_requested_approved_and_kept_in_history(self):
        self.login(self.liaison)
        response = self.client.post(
            reverse("plans:adjustment-create", args=[self.target.pk]),
            {
                "kind": "change",
                "reason": "上级调整",
                "title": "调整后目标",
                "weight": "15",
                "responsible": "张三",
            },
        )
        self.assertEqual(response.status_code, 302)
        adjustment = Adjustment.objects.get()
        self.target.refresh_from_db()
        self.assertEqual(self.target.title, "原目标")  # not before approval
        self.login(self.office)
        self.client.post(reverse("plans:adjustment-decide", args=[adjustment.pk]), {"decision": "approve"})
        self.target.refresh_from_db()
        self.assertEqual((self.target.title, self.target.weight), ("调整后目标", Decimal("15")))
        self.assertEqual(self.target.history.count(), 2)

    def test_a_withdrawn_targets_nodes_are_no_longer_due(self):
        adjustment = services.request_adjustment(
            target=self.target, kind="withdraw", reason="不再实施", proposal={}, by=self.liaison
        )
        self.assertEqual(Node.objects.due_between(date(2021, 7, 1), date(2021, 9, 30)).count(), 1)
        services.decide_adjustment(adjustment=adjustment, approve=True, note="", by=self.leader)
        self.assertEqual(Node.objects.due_between(date(2021, 7, 1), date(2021, 9, 30)).count(), 0)
        self.assertTrue(Target.objects.get(pk=self.target.pk).withdrawn)

    def test_a_rejection_needs_a_note_and_changes_nothing(self):
        adjustment = services.request_adjustment(
            target=self.target, kind="withdraw", reason="x", proposal={}, by=self.liaison
        )
        with self.assertRaises(ValidationError):
            services.decide_adjustment(adjustment=adjustment, approve=False, note="", by=self.office)
        services.decide_adjustment(adjustment=adjustment, approve=False, note="理由不充分", by=self.office)
        self.assertFalse(Target.objects.get(pk=self.target.pk).withdrawn)

    def test_one_pending_request_per_target(self):
        services.request_adjustment(target=self.target, kind="withdraw", reason="x", proposal={}, by=self.liaison)
        with self.assertRaises(ValidationError):
            services.request_adjustment(target=self.target, kind="withdraw", reason="y", proposal={}, by=self.liaison)

    def test_a_department_cannot_decide_its_own_request(self):
        adjustment = services.request_adjustment(
            target=self.target, kind="withdraw", reason="x", proposal={}, by=self.liaison
        )
        self.login(self.head)
        self.assertEqual(
            self.client.post(
                reverse("plans:adjustment-decide", args=[adjustment.pk]), {"decision": "approve"}
            ).status_code,
            403,
        )


class SplitTests(BaseTestCase):
    def setUp(self):
        self.college_c = Department.objects.create(name="人文学院", kind="teaching", order=5)
        self.lead_plan = make_plan(self.year, self.dept_a)
        self.parent = make_target(
            self.lead_plan,
            code="SHPX",
            title="社会培训",
            kind="quantified",
            target_value=Decimal("3000"),
            unit="人次",
            is_split=True,
            nodes=(date(2021, 12, 31),),
        )
        self.c_head = make_person("c_head", "head", self.college_c)

    def split(self, person, rows):
        self.login(person)
        data = {
            "shares-TOTAL_FORMS": str(len(rows)),
            "shares-INITIAL_FORMS": str(len(rows)),
            "shares-MIN_NUM_FORMS": "0",
            "shares-MAX_NUM_FORMS": "1000",
        }
        for i, (department, value, due) in enumerate(rows):
            data.update(
                {
                    f"shares-{i}-department": department.pk,
                    f"shares-{i}-target_value": value,
                    f"shares-{i}-due_date": due,
                }
            )
        return self.client.post(reverse("plans:target-split", args=[self.parent.pk]), data)

    def test_the_lead_department_splits_and_the_shares_add_up(self):
        response = self.split(self.head, [(self.dept_b, "1200", "2021-09-30"), (self.college_c, "1800", "2021-09-30")])
        self.assertEqual(response.status_code, 302)
        shares = {s.plan.department: s for s in self.parent.shares.all()}
        self.assertEqual(shares[self.dept_b].target_value, Decimal("1200"))
        self.assertEqual(shares[self.college_c].plan.year, self.year)
        from kaohe.plans.selectors import plan_check

        self.assertEqual([f for f in plan_check(self.lead_plan).errors if f.rule == "split"], [])

    def test_shares_that_do_not_add_up_are_flagged(self):
        self.split(self.head, [(self.dept_b, "1000", "2021-09-30")])
        from kaohe.plans.selectors import plan_check

        messages = [f.message for f in plan_check(self.lead_plan).errors if f.rule == "split"]
        self.assertTrue(any("1000" in m and "3000" in m for m in messages))

    def test_a_share_needs_a_value_and_a_date(self):
        response = self.split(self.head, [(self.dept_b, "", "")])
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.parent.shares.exists())

    def test_colleges_see_their_share_and_the_lead_sees_all_shares_but_nothing_else(self):
        self.split(self.head, [(self.dept_b, "1200", "2021-09-30"), (self.college_c, "1800", "2021-09-30")])
        share_b = self.parent.shares.get(plan__department=self.dept_b)
        own_b = make_target(share_b.plan, code="MKS-OWN", title="马院自己的目标")
        # The college's liaison sees the share in its own plan…
        self.login(self.outsider)
        plan_page = self.client.get(reverse("plans:plan-detail", args=[share_b.plan.pk]))
        self.assertContains(plan_page, "社会培训")
        # …and cannot edit it (the lead department owns it).
        self.assertEqual(self.client.get(reverse("plans:target-edit", args=[share_b.pk])).status_code, 403)
        # The lead department reads the shares, not the rest of the college's plan.
        self.login(self.head)
        self.assertEqual(self.client.get(reverse("plans:target-detail", args=[share_b.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("plans:target-detail", args=[own_b.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("plans:plan-detail", args=[share_b.plan.pk])).status_code, 404)
        listed = self.client.get(reverse("plans:target-list")).context["page"].object_list
        self.assertNotIn(own_b, list(listed))
        self.assertIn(share_b, list(listed))

    def test_another_department_cannot_split(self):
        response = self.split(self.c_head, [(self.dept_b, "3000", "2021-09-30")])
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.parent.shares.exists())

    def test_a_college_dropped_from_the_split_keeps_its_share_as_withdrawn(self):
        self.split(self.head, [(self.dept_b, "1200", "2021-09-30"), (self.college_c, "1800", "2021-09-30")])
        self.split(self.head, [(self.college_c, "3000", "2021-09-30")])
        dropped = self.parent.shares.get(plan__department=self.dept_b)
        self.assertTrue(dropped.withdrawn)


class NodeFormTests(BaseTestCase):
    def test_saving_the_edit_form_keeps_the_nodes_nobody_touched(self):
        """The edit page sends the existing nodes back as pre-filled rows; unchanged, they stay."""
        plan = make_plan(self.year, self.dept_a)
        target = make_target(plan, weight=None, nodes=(date(2021, 6, 30), date(2021, 9, 30)))
        self.login(self.liaison)
        page = self.client.get(reverse("plans:target-edit", args=[target.pk]))
        formset = page.context["nodes"]
        data = {
            **node_post(rows=[]),
            "nodes-TOTAL_FORMS": str(formset.total_form_count()),
            "nodes-INITIAL_FORMS": str(formset.initial_form_count()),
        }
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, "")
                if name == "DELETE":
                    continue
                data[form.add_prefix(name)] = field.widget.format_value(value) or ""
        data.update(
            {
                "code": target.code,
                "title": target.title,
                "category": "key",
                "kind": "milestone",
                "weight": "10",
                "responsible": "张三",
            }
        )
        response = self.client.post(reverse("plans:target-edit", args=[target.pk]), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual([n.due_date for n in target.nodes.all()], [date(2021, 6, 30), date(2021, 9, 30)])
