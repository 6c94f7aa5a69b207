"""Rounds: the notice drafted from the dates, the due and carried-over items, the steps, access."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Role
from kaohe.plans.models import Node, TargetPlan
from kaohe.plans.tests.factories import make_plan, make_target
from kaohe.progress import services as progress_services
from kaohe.progress.models import Status
from kaohe.progress.tests.factories import make_report
from kaohe.supervision import services
from kaohe.supervision.models import SelfCheck, SupervisionRound, Verification
from kaohe.supervision.tests.factories import SEED_DATES, advance_to, announce, assign, make_round
from kaohe.test import BaseTestCase, make_person


class RoundTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        plan = make_plan(cls.year, cls.dept_a, state=TargetPlan.State.APPROVED)
        cls.q3 = make_target(plan, code="A-1", nodes=(date(2021, 9, 30),)).nodes.get()
        cls.june = make_target(plan, code="A-2", nodes=(date(2021, 6, 30),)).nodes.get()
        cls.june_done = make_target(plan, code="A-3", nodes=(date(2021, 6, 30),)).nodes.get()
        cls.withdrawn = make_target(plan, code="A-4", withdrawn=True, nodes=(date(2021, 8, 31),)).nodes.get()
        cls.q4 = make_target(plan, code="A-5", nodes=(date(2021, 12, 31),)).nodes.get()
        plan_b = make_plan(cls.year, cls.dept_b, state=TargetPlan.State.APPROVED)
        cls.q3_b = make_target(plan_b, code="B-1", nodes=(date(2021, 7, 15),)).nodes.get()
        draft = make_plan(cls.year, cls.dept_empty)
        make_target(draft, code="C-1", nodes=(date(2021, 9, 1),))
        cls.other_inspector = make_person("inspector2", Role.INSPECTOR)

    def setUp(self):
        report = make_report(self.june_done, by=self.liaison, status=Status.DONE)
        progress_services.decide_report(report=report, by=self.head, approve=True)
        self.round = make_round(self.year, self.office)


class NoticeTests(RoundTestCase):
    def test_the_notice_is_drafted_from_the_dates_and_scope(self):
        self.assertEqual(self.round.notice_title, "关于对各部门重点工作目标完成情况进行（第三季度）督查的通知")
        self.assertIn("10月5日—10月14日", self.round.notice_text)
        self.assertIn("全校4个部门", self.round.notice_text)
        self.assertIn("2021-07-01至2021-09-30", self.round.notice_text)
        self.assertIn("10月4日前", self.round.notice_text)

    def test_the_office_edits_the_notice(self):
        self.login(self.office)
        url = reverse("supervision:round-edit", args=[self.round.pk])
        response = self.client.post(url, {"notice_title": "关于第三季度督查的通知", "notice_text": "各部门：请自查。"})
        self.assertRedirects(response, reverse("supervision:round-detail", args=[self.round.pk]))
        self.round.refresh_from_db()
        self.assertEqual(self.round.notice_text, "各部门：请自查。")

    def test_bad_dates_are_refused_in_chinese(self):
        self.login(self.office)
        data = {"name": "第四季度", **{k: v.isoformat() for k, v in SEED_DATES.items()}, "period_end": "2021-06-01"}
        response = self.client.post(reverse("supervision:round-create"), data)
        self.assertContains(response, "结束日期早于开始日期", status_code=400)
        data["period_end"] = "2021-02-30"
        self.assertContains(self.client.post(reverse("supervision:round-create"), data), "日期不存在", status_code=400)
        self.assertEqual(SupervisionRound.objects.count(), 1)

    def test_liaison_cannot_create_a_round(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("supervision:round-create")).status_code, 403)


class DueItemTests(RoundTestCase):
    def test_announcing_lists_the_due_and_the_carried_over_items(self):
        announce(self.round, self.office)
        items = {v.node_id: v.carried_over for v in Verification.objects.filter(round=self.round)}
        # Due in the period: A-1 and B-1; A-2 (June, not done) is carried over; the June node that was
        # completed, the withdrawn target, the Q4 node and the draft plan's node are not in the round.
        self.assertEqual(items, {self.q3.pk: False, self.q3_b.pk: False, self.june.pk: True})

    def test_each_department_gets_a_prefilled_self_check(self):
        report = make_report(self.q3, by=self.liaison, status=Status.IN_PROGRESS)
        progress_services.decide_report(report=report, by=self.head, approve=True)
        announce(self.round, self.office)
        check = SelfCheck.objects.get(round=self.round, department=self.dept_a)
        statuses = {line.verification.node_id: line.status for line in check.lines.select_related("verification")}
        self.assertEqual(statuses, {self.q3.pk: Status.IN_PROGRESS, self.june.pk: Status.NOT_STARTED})
        self.assertEqual(SelfCheck.objects.filter(round=self.round).count(), 2)

    def test_announcing_twice_changes_nothing(self):
        announce(self.round, self.office)
        with self.assertRaises(services.Locked):
            services.announce_round(round_=self.round, by=self.office)
        self.assertEqual(Verification.objects.filter(round=self.round).count(), 3)


class StepTests(RoundTestCase):
    def advance(self, state: str):
        self.login(self.office)
        return self.client.post(reverse("supervision:round-advance", args=[self.round.pk]), {"state": state})

    def test_the_office_moves_the_round_on_step_by_step(self):
        self.advance("draft")
        self.round.refresh_from_db()
        self.assertEqual(self.round.state, SupervisionRound.State.ANNOUNCED)
        self.advance("announced")
        self.round.refresh_from_db()
        self.assertEqual(self.round.state, SupervisionRound.State.ONSITE)

    def test_a_stale_button_changes_nothing(self):
        self.advance("draft")
        response = self.advance("draft")  # the same page, sent again
        self.round.refresh_from_db()
        self.assertEqual(self.round.state, SupervisionRound.State.ANNOUNCED)
        self.assertRedirects(response, reverse("supervision:round-detail", args=[self.round.pk]))

    def test_closing_needs_every_due_item_verified(self):
        advance_to(self.round, SupervisionRound.State.ONSITE, self.office)
        response = self.advance("onsite")
        self.assertRedirects(response, reverse("supervision:round-detail", args=[self.round.pk]))
        self.round.refresh_from_db()
        self.assertEqual(self.round.state, SupervisionRound.State.ONSITE)
        for item in Verification.objects.filter(round=self.round, carried_over=False):
            services.verify_item(item=item, by=self.office, version=item.version, result="done")
        self.advance("onsite")
        self.round.refresh_from_db()
        self.assertEqual(self.round.state, SupervisionRound.State.CLOSED)

    def test_nobody_edits_a_closed_round(self):
        advance_to(self.round, SupervisionRound.State.ONSITE, self.office)
        for item in Verification.objects.filter(round=self.round, carried_over=False):
            services.verify_item(item=item, by=self.office, version=item.version, result="done")
        advance_to(self.round, SupervisionRound.State.CLOSED, self.office)
        before = business_checksum()
        item = Verification.objects.filter(round=self.round, carried_over=False).first()
        with self.assertRaises(services.Locked):
            services.verify_item(item=item, by=self.office, version=item.version, result="not_done", reason="x")
        with self.assertRaises(services.Locked):
            services.update_round(round_=self.round, notice_text="改")
        with self.assertRaises(services.Locked):
            services.assign_inspectors(round_=self.round, department=self.dept_a, inspectors=[self.inspector])
        self.assertEqual(business_checksum(), before)

    def test_verification_credits_follow_the_rule(self):
        plan = TargetPlan.objects.get(department=self.dept_a)
        target = make_target(plan, code="A-9", kind="quantified", target_value=Decimal(2), unit="个")
        node = Node.objects.get(target=target)
        advance_to(self.round, SupervisionRound.State.ONSITE, self.office)
        item = Verification.objects.get(round=self.round, node=node)
        with self.assertRaises(services.ValidationError):  # not complete: a reason is needed
            services.verify_item(
                item=item, by=self.office, version=item.version, result="partial", actual_value=Decimal(1)
            )
        item = services.verify_item(
            item=item, by=self.office, version=item.version, result="partial", actual_value=Decimal(1), reason="完成1个"
        )
        self.assertEqual((item.credit, item.computed_credit), (Decimal("0.5"), Decimal("0.5")))


class AccessTests(RoundTestCase):
    def test_departments_see_announced_rounds_only(self):
        self.login(self.liaison)
        url = reverse("supervision:round-detail", args=[self.round.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        announce(self.round, self.office)
        response = self.client.get(url)
        self.assertContains(response, self.round.notice_title)
        self.assertContains(response, 'data-testid="own-selfcheck"')
        self.assertNotContains(response, 'data-testid="round-departments"')  # no results before publication

    def test_inspectors_see_only_the_rounds_and_departments_they_are_sent_to(self):
        announce(self.round, self.office)
        assign(self.round, self.dept_a, self.inspector)
        url = reverse("supervision:round-detail", args=[self.round.pk])
        self.login(self.other_inspector)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.inspector)
        rows = self.client.get(url).content.decode().split('data-testid="round-departments"', 1)[1]
        self.assertIn("教务处", rows)
        self.assertNotIn("马克思主义学院", rows)

    def test_assigning_someone_who_is_not_an_inspector_is_refused(self):
        announce(self.round, self.office)
        with self.assertRaises(services.ValidationError):
            services.assign_inspectors(round_=self.round, department=self.dept_a, inspectors=[self.liaison])

    def test_the_office_assigns_inspectors_on_the_page(self):
        announce(self.round, self.office)
        self.login(self.office)
        url = reverse("supervision:round-inspectors", args=[self.round.pk])
        self.assertContains(self.client.get(url), "马克思主义学院")
        response = self.client.post(url, {f"d{self.dept_a.pk}": [self.inspector.pk, self.other_inspector.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.round.assignments.filter(department=self.dept_a).count(), 2)


class NextRoundTests(RoundTestCase):
    def test_open_rectifications_of_an_earlier_round_appear_in_the_next(self):
        announce(self.round, self.office)
        services.create_rectification(
            round_=self.round,
            department=self.dept_a,
            by=self.office,
            finding="建档不规范，需补充验收材料",
            deadline=date(2021, 12, 31),
        )
        closed = services.create_rectification(
            round_=self.round,
            department=self.dept_a,
            by=self.office,
            finding="已整改的问题",
            deadline=date(2021, 12, 31),
        )
        services.submit_rectification(rectification=closed, by=self.liaison, response="已完成")
        services.decide_rectification(rectification=closed, by=self.office, close=True)
        q4 = announce(
            make_round(
                self.year,
                self.office,
                name="2021年第四季度督查",
                period_start=date(2021, 10, 1),
                period_end=date(2021, 12, 31),
                notice_date=date(2021, 12, 28),
                selfcheck_deadline=date(2022, 1, 4),
                onsite_start=date(2022, 1, 5),
                onsite_end=date(2022, 1, 14),
            ),
            self.office,
        )
        self.login(self.office)
        page = self.client.get(reverse("supervision:department", args=[q4.pk, self.dept_a.pk])).content.decode()
        listed = page.split('data-testid="department-rectifications"', 1)[1]
        self.assertIn("建档不规范", listed)
        self.assertIn("2021年第三季度督查", listed)
        self.assertNotIn("已整改的问题", listed)


class AlongsideTests(RoundTestCase):
    def test_the_verification_page_shows_projects_brands_and_notification_duty(self):
        from kaohe.initiatives.models import Brand, MajorProject, NotificationDuty, NotificationRecord, ProjectStage

        project = MajorProject.objects.create(year=self.year, name="人事管理系统", owner=self.dept_a)
        ProjectStage.objects.create(
            project=project,
            kind="build",
            planned_start=date(2021, 3, 1),
            planned_end=date(2021, 6, 30),
            actual_start=date(2021, 3, 1),
            actual_end=date(2021, 6, 20),
            state="done",
            responsible=self.dept_a,
        )
        ProjectStage.objects.create(
            project=project,
            kind="acceptance",
            planned_start=date(2021, 8, 1),
            planned_end=date(2021, 8, 31),
            responsible=self.dept_a,
        )
        brand = Brand.objects.create(year=self.year, name="数字校园品牌", slogan="十个一", is_checklist=True)
        brand.owners.add(self.dept_a)
        for i, state in enumerate(["done"] * 8 + ["running"] * 2):
            item = Brand.objects.create(year=self.year, name=f"一{i}", parent=brand, state=state)
            item.owners.add(self.dept_a)
        duty = NotificationDuty.objects.create(
            year=self.year, department=self.dept_a, topic="教学运行情况通报", frequency="quarterly"
        )
        NotificationRecord.objects.create(
            duty=duty,
            period_start=date(2021, 1, 1),
            period_end=date(2021, 3, 31),
            issued_date=date(2021, 4, 20),
            title="第一季度通报",
            recorded_by=self.liaison,
        )
        announce(self.round, self.office)
        self.login(self.office)
        page = self.client.get(reverse("supervision:department", args=[self.round.pk, self.dept_a.pk]))
        alongside = page.content.decode().split('data-testid="department-alongside"', 1)[1]
        self.assertIn("人事管理系统", alongside)
        self.assertIn("1 个节点滞后", alongside)  # acceptance planned by 08-31, not done at 09-30
        self.assertIn("10项中已完成8项，2项正在进行", alongside)
        # Q1 late (due 04-10, issued 04-20), Q2 missing; Q3 not due yet at 09-30.
        self.assertIn("按时通报 0/2（0.0%），逾期 1，缺报 1", alongside)
