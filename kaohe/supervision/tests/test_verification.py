"""On-site verification of one department's items (the seed's §一 and §二; reliability T-CONC-2)."""

from __future__ import annotations

import threading
import unittest
from datetime import date
from decimal import Decimal

from django.db import connection, connections
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kaohe.lib.checksums import business_checksum
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import IndicatorKind
from kaohe.progress import services as progress_services
from kaohe.progress.models import Seal, Status
from kaohe.progress.tests import factories as progress_factories
from kaohe.supervision import services
from kaohe.supervision.models import Checkpoint, Result, SelfCheck, SupervisionRound, Verification
from kaohe.supervision.tests import factories
from kaohe.test import BaseTestCase, make_person

State = SupervisionRound.State
CONFLICT = "Another inspector has verified this item since you opened it; below is what they recorded."


def quantified_node(year, department, code: str, title: str, *, due: date, value: int):
    return progress_factories.make_node(
        year,
        department,
        due_date=due,
        code=code,
        title=title,
        kind=IndicatorKind.QUANTIFIED,
        target_value=Decimal(value),
        unit="个",
    )


def approved_report(node, *, by, approver, files=(), **kwargs):
    report = progress_factories.make_report(node, by=by, files=files, **kwargs)
    return progress_services.decide_report(report=report, by=approver, approve=True)


def verify_rest(round_: SupervisionRound, by) -> None:
    """Verify every due item still open, as complete (so the round can close)."""
    for item in Verification.objects.filter(round=round_, carried_over=False, verified_at__isnull=True):
        quantified = item.node.target.is_quantified
        services.verify_item(
            item=item,
            by=by,
            version=item.version,
            result=Result.DONE,
            actual_value=item.node.expected_value if quantified else None,
        )


class VerificationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        year, a = cls.year, cls.dept_a
        cls.inspector2 = make_person("inspector2", Role.INSPECTOR, name="李督查")
        cls.inspector_b = make_person("inspector_b", Role.INSPECTOR, name="王督查")
        cls.node_q = quantified_node(year, a, "JW-01", "教研室优秀数", due=date(2021, 9, 15), value=2)
        cls.node_m = progress_factories.make_node(
            year, a, due_date=date(2021, 9, 30), code="JW-02", title="红色思政智慧教室及VR综合实训室建设"
        )
        cls.node_early = progress_factories.make_node(
            year, a, due_date=date(2021, 6, 30), code="JW-00", title="上半年遗留项目"
        )
        cls.node_b = progress_factories.make_node(year, cls.dept_b, due_date=date(2021, 8, 31), code="MY-01")
        approved_report(
            cls.node_q,
            by=cls.liaison,
            approver=cls.head,
            status=Status.IN_PROGRESS,
            actual_value=Decimal(1),
            narrative="一个教研室获评优秀",
        )
        approved_report(cls.node_m, by=cls.liaison, approver=cls.head, status=Status.IN_PROGRESS)
        cls.round = factories.make_round(year, cls.office)
        factories.assign(cls.round, a, cls.inspector, cls.inspector2)
        factories.assign(cls.round, cls.dept_b, cls.inspector_b)
        factories.announce(cls.round, cls.office)
        check = SelfCheck.objects.get(round=cls.round, department=a)
        services.save_selfcheck(
            selfcheck=check,
            by=cls.liaison,
            version=check.version,
            summary="已对照任务书自查",
            problems="",
            suggestions="",
            lines={},
        )
        services.submit_selfcheck(selfcheck=check, by=cls.liaison)
        cls.round = factories.advance_to(cls.round, State.ONSITE, cls.office)
        cls.item_q = Verification.objects.get(round=cls.round, node=cls.node_q)
        cls.item_m = Verification.objects.get(round=cls.round, node=cls.node_m)
        cls.item_early = Verification.objects.get(round=cls.round, node=cls.node_early)

    def page_url(self, department=None) -> str:
        return reverse("supervision:department", args=[self.round.pk, (department or self.dept_a).pk])

    def verify_url(self, item) -> str:
        return reverse("supervision:item-verify", args=[item.pk])

    def post_verify(self, item, *, version=1, htmx=False, **fields):
        data = {"version": version, "result": Result.DONE, "credit_shown": "", **fields}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(self.verify_url(item), data, headers=headers)

    def refresh(self, item) -> Verification:
        return Verification.objects.get(pk=item.pk)


class PageTests(VerificationTestCase):
    def test_office_sees_items_side_by_side(self):
        self.login(self.office)
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        due, carried = page.split('data-testid="carried-items"')
        self.assertIn("JW-01 教研室优秀数", due)
        self.assertIn("JW-02", due)
        self.assertNotIn("JW-00", due)
        self.assertIn("JW-00 上半年遗留项目", carried)
        self.assertNotIn("MY-01", page)
        # Figures: two due items, none verified; the carried-over one not counted.
        self.assertContains(response, '<div class="h2 mb-0" data-testid="fig-due">2</div>', html=False)
        self.assertContains(response, 'data-testid="fig-percent">0.0%<')
        self.assertContains(response, 'data-testid="fig-carried">1<')
        # The department's self-assessment, the approved report and its value, a form per item.
        self.assertContains(response, "一个教研室获评优秀")
        self.assertContains(response, 'data-testid="report-value">1<')
        self.assertContains(response, 'data-testid="verify-form"', count=3)
        self.assertContains(response, 'data-testid="checkpoint"', count=5)
        self.assertContains(response, 'data-testid="self-assessed">进行中', count=2)
        # The value is prefilled from the latest approved report, the credit with the rule's.
        self.assertContains(response, 'name="actual_value" value="1"')  # as people write it, not 1.00
        self.assertContains(response, f'name="credit_shown" value="0.5000" id="id_v{self.item_q.pk}_credit_shown"')

    def test_evidence_links(self):
        report = approved_report(
            self.node_m,
            by=self.liaison,
            approver=self.head,
            status=Status.IN_PROGRESS,
            files=[progress_factories.pdf("施工合同.pdf")],
        )
        evidence = report.evidence.get()
        self.login(self.office)
        response = self.client.get(self.page_url())
        link = reverse("progress:evidence-download", args=[evidence.pk])
        self.assertContains(response, f'href="{link}" data-testid="evidence-link">施工合同.pdf<')
        self.assertEqual(self.client.get(link).status_code, 200)

    def test_assigned_inspector_downloads_evidence(self):
        """Inspectors read the approved files of the departments assigned to them while the round is under way."""
        report = approved_report(
            self.node_m,
            by=self.liaison,
            approver=self.head,
            status=Status.IN_PROGRESS,
            files=[progress_factories.pdf("施工合同.pdf")],
        )
        self.login(self.inspector)
        link = reverse("progress:evidence-download", args=[report.evidence.get().pk])
        self.assertContains(self.client.get(self.page_url()), link)
        self.assertEqual(self.client.get(link).status_code, 200)

    def test_missing_round_or_department_is_404(self):
        self.login(self.office)
        self.assertEqual(
            self.client.get(reverse("supervision:department", args=[999999, self.dept_a.pk])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("supervision:department", args=[self.round.pk, 999999])).status_code, 404
        )

    def test_leader_reads_without_forms(self):
        self.login(self.leader)
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'data-testid="verify-form"')
        self.assertNotContains(response, 'data-testid="checkpoints-submit"')
        before = business_checksum()
        self.assertEqual(self.post_verify(self.item_m, reason="未完成").status_code, 403)
        url = reverse("supervision:checkpoints", args=[self.round.pk, self.dept_a.pk])
        self.assertEqual(self.client.post(url, {"checked_1": "on"}).status_code, 403)
        self.assertEqual(business_checksum(), before)


class VerifyTests(VerificationTestCase):
    def test_office_verifies_partial_quantified_item(self):
        """The seed: 教研室优秀数 target 2, achieved 1 → credit 0.5."""
        self.login(self.office)
        response = self.post_verify(
            self.item_q,
            result=Result.PARTIAL,
            actual_value="1",
            credit="0.5",
            credit_shown="0.5000",
            reason="仅一个教研室获评优秀",
            current_stage="第二个教研室正在申报",
            archive_rating="fair",
        )
        self.assertRedirects(response, self.page_url() + f"#item-{self.item_q.pk}", fetch_redirect_response=False)
        item = self.refresh(self.item_q)
        self.assertEqual((item.credit, item.computed_credit, item.actual_value), (Decimal("0.5"), Decimal("0.5"), 1))
        self.assertEqual(
            (item.result, item.archive_rating, item.inspector, item.version), ("partial", "fair", self.office, 2)
        )
        self.assertEqual(item.override_reason, "")
        page = self.client.get(self.page_url())
        self.assertContains(page, 'data-testid="fig-completed">0.5<')
        self.assertContains(page, 'data-testid="fig-percent">25.0%<')
        self.assertContains(page, 'data-testid="record-archive">较规范<')

    def test_inspector_verifies_milestone_not_done_and_must_say_why(self):
        self.login(self.inspector)
        before = business_checksum()
        response = self.post_verify(self.item_m, result=Result.NOT_DONE, credit="0", credit_shown="0")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "invalid-feedback", status_code=400)
        self.assertEqual(business_checksum(), before)
        response = self.post_verify(
            self.item_m,
            result=Result.NOT_DONE,
            credit="0",
            credit_shown="0",
            reason="因进度原因未按工作节点完成",
            current_stage="已完成招标，进入建设阶段",
        )
        self.assertEqual(response.status_code, 302)
        item = self.refresh(self.item_m)
        self.assertEqual((item.credit, item.result, item.inspector), (Decimal(0), Result.NOT_DONE, self.inspector))
        self.assertEqual(item.current_stage, "已完成招标，进入建设阶段")

    def test_quantified_item_needs_the_value_found(self):
        self.login(self.office)
        response = self.post_verify(self.item_q, result=Result.DONE, actual_value="")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.refresh(self.item_q).is_verified)

    def test_override_of_the_credit_needs_a_reason(self):
        self.login(self.office)
        fields = {
            "result": Result.PARTIAL,
            "actual_value": "1",
            "credit": "0.8",
            "credit_shown": "0.5",
            "reason": "第二个教研室已通过初评",
        }
        before = business_checksum()
        response = self.post_verify(self.item_q, **fields)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.refresh(self.item_q).is_verified)
        self.assertEqual(business_checksum(), before)
        response = self.post_verify(self.item_q, override_reason="第二个教研室已通过校级初评", **fields)
        self.assertEqual(response.status_code, 302)
        item = self.refresh(self.item_q)
        self.assertEqual((item.credit, item.computed_credit), (Decimal("0.8"), Decimal("0.5")))
        self.assertEqual(item.override_reason, "第二个教研室已通过校级初评")
        self.assertContains(self.client.get(self.page_url()), "0.8 <span")

    def test_credit_left_as_shown_follows_the_value_found(self):
        """The prefilled credit is the rule's: changing only the value found is not an override."""
        self.login(self.office)
        response = self.post_verify(self.item_q, result=Result.DONE, actual_value="2", credit="0.5", credit_shown="0.5")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.refresh(self.item_q).credit, 1)

    def test_htmx_answers_the_item_and_the_figures(self):
        self.login(self.inspector)
        response = self.post_verify(self.item_m, htmx=True, result=Result.DONE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'id="item-{self.item_m.pk}"')
        self.assertContains(response, 'id="figures"')
        self.assertContains(response, 'hx-swap-oob="true"')
        self.assertContains(response, 'name="version" value="2"')
        self.assertNotContains(response, "<html")
        response = self.post_verify(self.item_q, htmx=True, result=Result.DONE, actual_value="")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f'id="item-{self.item_q.pk}"', status_code=400)

    def test_verifying_seals_the_node(self):
        self.login(self.inspector)
        self.assertFalse(Seal.objects.filter(node=self.node_m).exists())
        self.post_verify(self.item_m, result=Result.DONE)
        seal = Seal.objects.get(node=self.node_m)
        self.assertTrue(seal.sealed)
        self.assertEqual(seal.sealed_by, self.inspector)
        # Re-verifying (the next version) keeps the one seal.
        self.assertEqual(self.post_verify(self.item_m, version=2, result=Result.DONE).status_code, 302)
        self.assertEqual(Seal.objects.filter(node=self.node_m).count(), 1)

    def test_carried_over_item_can_be_recorded_and_is_not_counted(self):
        self.login(self.office)
        response = self.post_verify(self.item_early, result=Result.DONE)
        self.assertEqual(response.status_code, 302)
        page = self.client.get(self.page_url())
        self.assertContains(page, 'data-testid="fig-due">2<')
        self.assertContains(page, 'data-testid="fig-completed">0<')


class AccessTests(VerificationTestCase):
    def test_inspector_of_another_department_gets_404(self):
        self.login(self.inspector_b)
        self.assertEqual(self.client.get(self.page_url(self.dept_b)).status_code, 200)
        before = business_checksum()
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertEqual(self.post_verify(self.item_m, reason="x").status_code, 404)
        url = reverse("supervision:checkpoints", args=[self.round.pk, self.dept_a.pk])
        self.assertEqual(self.client.post(url, {"checked_1": "on"}).status_code, 404)
        self.assertEqual(business_checksum(), before)

    def test_inspector_of_no_department_in_the_round_gets_404(self):
        stranger = make_person("stranger", Role.INSPECTOR)
        self.login(stranger)
        before = business_checksum()
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertEqual(self.post_verify(self.item_m).status_code, 404)
        self.assertEqual(business_checksum(), before)

    def test_own_department_sees_its_results_only_once_published(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        services.verify_item(
            item=self.item_m, by=self.inspector, version=1, result=Result.NOT_DONE, reason="因进度原因未按节点完成"
        )
        verify_rest(self.round, self.office)
        round_ = factories.advance_to(self.round, State.CLOSED, self.office)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        factories.advance_to(round_, State.PUBLISHED, self.office)
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "因进度原因未按节点完成")
        self.assertContains(response, 'data-testid="fig-completed">1<')
        self.assertContains(response, 'data-testid="fig-percent">50.0%<')
        self.assertNotContains(response, 'data-testid="verify-form"')
        self.login(self.head)
        self.assertEqual(self.client.get(self.page_url()).status_code, 200)
        # Another department's people never see it, published or not.
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertEqual(self.client.get(self.page_url(self.dept_b)).status_code, 200)
        # Departments never verify (POLICY).
        self.login(self.liaison)
        self.assertEqual(self.post_verify(self.item_m, version=2).status_code, 403)

    def test_nobody_edits_a_closed_round(self):
        verify_rest(self.round, self.office)
        round_ = factories.advance_to(self.round, State.CLOSED, self.office)
        item = self.refresh(self.item_m)
        before = business_checksum()
        for person in (self.office, self.inspector):
            self.login(person)
            response = self.post_verify(item, version=item.version, result=Result.NOT_DONE, reason="改判")
            self.assertEqual(response.status_code, 409)
            self.assertContains(response, "现场", status_code=409)
            self.assertEqual(self.post_verify(item, version=item.version, htmx=True).status_code, 409)
            url = reverse("supervision:checkpoints", args=[round_.pk, self.dept_a.pk])
            self.assertEqual(self.client.post(url, {"checked_1": "on"}).status_code, 409)
            page = self.client.get(self.page_url())
            self.assertNotContains(page, 'data-testid="verify-form"')
            self.assertContains(page, 'data-testid="round-frozen"')
        self.assertEqual(business_checksum(), before)

    def test_no_verification_before_the_round_is_on_site(self):
        round_ = factories.make_round(
            self.year, self.office, name="第四季度督查", period_start=date(2021, 10, 1), period_end=date(2021, 12, 31)
        )
        factories.assign(round_, self.dept_a, self.inspector)
        factories.announce(round_, self.office)
        item = Verification.objects.filter(round=round_, department=self.dept_a).first()
        self.login(self.inspector)
        self.assertNotContains(
            self.client.get(reverse("supervision:department", args=[round_.pk, self.dept_a.pk])),
            'data-testid="verify-form"',
        )
        self.assertEqual(self.post_verify(item).status_code, 409)
        self.assertFalse(self.refresh(item).is_verified)


class CheckpointTests(VerificationTestCase):
    def test_inspector_saves_the_five_points(self):
        self.login(self.inspector)
        url = reverse("supervision:checkpoints", args=[self.round.pk, self.dept_a.pk])
        response = self.client.post(
            url,
            {
                "checked_1": "on",
                "note_1": "已完成项目建档较为规范",
                "checked_5": "on",
                "note_5": "建议进一步细化考核办法",
            },
        )
        self.assertRedirects(response, self.page_url() + "#checkpoints", fetch_redirect_response=False)
        rows = {c.point: c for c in Checkpoint.objects.filter(round=self.round, department=self.dept_a)}
        self.assertEqual(sorted(rows), [1, 2, 3, 4, 5])
        self.assertTrue(rows[1].checked and rows[5].checked)
        self.assertFalse(rows[3].checked)
        self.assertEqual(rows[5].note, "建议进一步细化考核办法")
        page = self.client.get(self.page_url())
        self.assertContains(page, 'data-point="1" data-checked="yes"')
        self.assertContains(page, 'data-point="2" data-checked="no"')
        response = self.client.post(url, {"checked_2": "on"}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="checkpoints"')
        self.assertTrue(Checkpoint.objects.get(round=self.round, department=self.dept_a, point=2).checked)


class ConflictTests(VerificationTestCase):
    """T-CONC-2: two inspectors open the same item; the first save wins, the second is told."""

    def test_first_save_wins_the_second_sees_what_was_recorded(self):
        for person in (self.inspector, self.inspector2):
            self.login(person)
            self.assertContains(self.client.get(self.page_url()), 'name="version" value="1"', count=3)
        self.login(self.inspector)
        first = self.post_verify(
            self.item_m, result=Result.NOT_DONE, reason="因进度原因未按工作节点完成", remarks="第一位督查员的记录"
        )
        self.assertEqual(first.status_code, 302)
        after_first = business_checksum()
        self.login(self.inspector2)
        second = self.post_verify(self.item_m, result=Result.DONE, remarks="第二位督查员的记录")
        self.assertEqual(second.status_code, 409)
        with translation.override("zh-hans"):
            message = translation.gettext(CONFLICT)
        self.assertContains(second, message, status_code=409)
        self.assertContains(second, "第一位督查员的记录", status_code=409)
        self.assertNotContains(second, "第二位督查员的记录", status_code=409)
        self.assertContains(second, 'name="version" value="2"', status_code=409)
        self.assertEqual(business_checksum(), after_first)
        item = self.refresh(self.item_m)
        self.assertEqual((item.inspector, item.result, item.version), (self.inspector, Result.NOT_DONE, 2))
        # The htmx form answers the fragment with the same message.
        htmx = self.post_verify(self.item_m, htmx=True, result=Result.DONE)
        self.assertContains(htmx, message, status_code=409)
        self.assertContains(htmx, f'id="item-{self.item_m.pk}"', status_code=409)
        self.assertNotContains(htmx, "<html", status_code=409)

    def test_conflict_message_is_chinese(self):
        with translation.override("zh-hans"):
            message = translation.gettext(CONFLICT)
        self.assertIn("已被", message)


class QueryCountTests(VerificationTestCase):
    def grow(self, count: int) -> None:
        """``count`` more due items of 教务处, each with two approved reports and files, half verified."""
        for n in range(count):
            node = quantified_node(
                self.year, self.dept_a, f"G-{self.grown + n}", "扩充", due=date(2021, 9, 20), value=4
            )
            for _ in range(2):
                approved_report(
                    node,
                    by=self.liaison,
                    approver=self.head,
                    status=Status.IN_PROGRESS,
                    actual_value=Decimal(2),
                    files=[progress_factories.pdf(), progress_factories.pdf("附件.pdf")],
                )
            item = Verification.objects.create(round=self.round, node=node, department=self.dept_a)
            if n % 2:
                services.verify_item(
                    item=item,
                    by=self.inspector,
                    version=1,
                    result=Result.PARTIAL,
                    actual_value=Decimal(2),
                    reason="部分完成",
                )
        self.grown += count

    def count(self, user) -> int:
        self.login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_department_page_queries_do_not_grow(self):
        self.grown = 0
        people = [self.office, self.inspector, self.leader]
        self.grow(2)
        small = [self.count(p) for p in people]
        self.grow(10)
        large = [self.count(p) for p in people]
        self.assertEqual(small, large)
        self.assertContains(self.client.get(self.page_url()), 'data-testid="item"', count=15)


@unittest.skipUnless(
    connection.vendor == "postgresql", "real concurrent transactions need PostgreSQL (SQLite serialises writers)"
)
class ConcurrentVerifyTests(TransactionTestCase):
    """T-CONC-2 with real threads: four inspectors save the same item from the same version."""

    THREADS = 4

    def setUp(self) -> None:
        year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
        department = Department.objects.create(name="教务处", kind="functional", order=1)
        self.office = make_person("office", Role.OFFICE)
        self.inspectors = [make_person(f"inspector{n}", Role.INSPECTOR) for n in range(self.THREADS)]
        node = progress_factories.make_node(year, department, due_date=date(2021, 9, 30), code="JW-02")
        round_ = factories.make_round(year, self.office)
        factories.assign(round_, department, *self.inspectors)
        factories.announce(round_, self.office)
        factories.advance_to(round_, State.ONSITE, self.office)
        self.item = Verification.objects.get(round=round_, node=node)

    def test_exactly_one_inspector_wins(self):
        barrier = threading.Barrier(self.THREADS)
        statuses: dict[int, int] = {}
        url = reverse("supervision:item-verify", args=[self.item.pk])

        def save(n: int) -> None:
            try:
                client = Client()
                client.force_login(self.inspectors[n])
                data = {"version": 1, "result": Result.NOT_DONE, "reason": f"督查员{n}的意见", "remarks": f"r{n}"}
                barrier.wait(timeout=10)
                statuses[n] = client.post(url, data).status_code
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(n,)) for n in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(sorted(statuses.values()), [302] + [409] * (self.THREADS - 1))
        winner = next(n for n, status in statuses.items() if status == 302)
        item = Verification.objects.get(pk=self.item.pk)
        self.assertEqual((item.version, item.inspector, item.remarks), (2, self.inspectors[winner], f"r{winner}"))
        self.assertEqual(item.reason, f"督查员{winner}的意见")
        self.assertEqual(item.history.filter(verified_at__isnull=False).count(), 1)
        self.assertEqual(Seal.objects.filter(node=item.node, sealed=True).count(), 1)
