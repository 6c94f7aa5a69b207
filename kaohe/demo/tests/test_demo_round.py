"""The demo school's third-quarter round: as the seed's bulletin reads (96 / 94.5 / 1.5 / 98.4 %), published."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import TestCase, override_settings

from kaohe.demo.progress import MARXISM, TEACHING_ROOMS, VR_PROJECT
from kaohe.demo.rounds import NAME, NOTICE_TITLE, ROOMS_REASON, VR_REASON, VR_STAGE
from kaohe.org.models import Department, Membership, Role
from kaohe.progress.models import Seal
from kaohe.supervision import stats
from kaohe.supervision.models import (
    ArchiveRating,
    Assignment,
    Checkpoint,
    Point,
    Rectification,
    SelfCheck,
    SupervisionRound,
    Verification,
)
from kaohe.supervision.selectors import as_json, round_stats

SCHOOL = ZoneInfo("Asia/Shanghai")
SENTENCE = "应完成96项，已完成94.5项，未完成1.5项，完成比例98.4%"
FIGURES = {"due": 96, "completed": "94.5", "not_completed": "1.5", "percent": "98.4%"}


def local(moment) -> date:
    return moment.astimezone(SCHOOL).date()


class DemoRoundTests(TestCase):
    @classmethod
    def setUpClass(cls):
        # setUpTestData runs before the per-test MEDIA_ROOT of conftest: the files go to a directory of this class.
        cls.media = tempfile.mkdtemp(prefix="kaohe-demo-")
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=cls.media)
        media.enable()
        cls.addClassCleanup(media.disable)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", quiet_logins=True, stdout=StringIO())
        cls.round = SupervisionRound.objects.select_related("year").get(year__year=2021, name=NAME)

    def test_the_figures_are_the_bulletins(self):
        result = round_stats(self.round)
        school = result.school
        self.assertEqual((school.due, school.completed, school.not_completed), (96, Decimal("94.5"), Decimal("1.5")))
        self.assertEqual(school.percent, Decimal("98.4"))
        self.assertEqual(stats.sentence(school), SENTENCE)
        self.assertEqual((result.unverified, result.carried_over), (0, 0))
        self.assertEqual(len(result.departments), 35)
        figures = as_json(self.round, result)
        self.assertEqual(figures["school"], FIGURES)
        self.assertEqual(figures["sentence"], SENTENCE)

    def test_the_incomplete_items_are_marxisms_two_with_the_seeds_reasons(self):
        incomplete = round_stats(self.round).incomplete
        self.assertEqual(
            [(i.department, i.title, i.credit, i.reason) for i in incomplete],
            [
                (MARXISM, VR_PROJECT, Decimal("0"), VR_REASON),
                (MARXISM, TEACHING_ROOMS, Decimal("0.5"), ROOMS_REASON),
            ],
        )
        self.assertEqual(incomplete[0].current_stage, VR_STAGE)
        self.assertEqual(VR_REASON, "因进度原因未按工作节点完成")
        self.assertEqual(VR_STAGE, "经积极争取已经完成招标进入建设阶段")
        self.assertEqual(ROOMS_REASON, "教研室优秀数目标设置为2个，完成1个，完成率50%")
        rooms = Verification.objects.get(round=self.round, node__target__title=TEACHING_ROOMS)
        self.assertEqual((rooms.actual_value, rooms.computed_credit), (Decimal("1"), Decimal("0.5")))

    def test_round_stats_command_prints_the_figures(self):
        out = StringIO()
        call_command("round_stats", "--year", "2021", "--round", NAME, "--json", stdout=out)
        printed = json.loads(out.getvalue())
        self.assertEqual(printed["school"], FIGURES)
        self.assertEqual(printed["sentence"], SENTENCE)
        self.assertEqual(
            [(i["department"], i["title"], i["credit"], i["reason"]) for i in printed["incomplete"]],
            [(MARXISM, VR_PROJECT, "0", VR_REASON), (MARXISM, TEACHING_ROOMS, "0.5", ROOMS_REASON)],
        )

    def test_the_round_is_published_with_the_seeds_dates(self):
        r = self.round
        self.assertEqual(r.state, SupervisionRound.State.PUBLISHED)
        self.assertEqual((r.period_start, r.period_end), (date(2021, 7, 1), date(2021, 9, 30)))
        self.assertEqual((r.onsite_start, r.onsite_end), (date(2021, 10, 5), date(2021, 10, 14)))
        self.assertEqual(r.notice_date, date(2021, 9, 28))
        self.assertEqual(r.notice_title, NOTICE_TITLE)
        self.assertIn("35个部门", r.notice_text)
        self.assertEqual(local(r.announced_at), date(2021, 9, 28))
        self.assertTrue(date(2021, 10, 14) <= local(r.closed_at) < local(r.published_at) <= date(2021, 10, 19))

    def test_every_department_is_inspected_and_checked_on_five_points(self):
        departments = set(Department.objects.filter(active=True).values_list("pk", flat=True))
        self.assertEqual(len(departments), 35)
        inspector = Assignment.objects.filter(round=self.round, inspector__username="inspector")
        self.assertEqual(set(inspector.values_list("department_id", flat=True)), departments)
        for department in departments:
            points = Checkpoint.objects.filter(round=self.round, department_id=department, checked=True)
            self.assertEqual(set(points.values_list("point", flat=True)), set(Point.values))
            self.assertTrue(all(p.note and p.checked_by_id for p in points))
        opinions = Checkpoint.objects.filter(round=self.round, point=Point.OPINIONS).values_list("note", flat=True)
        self.assertTrue(any("考核办法仍需继续改进调整" in note for note in opinions))

    def test_every_selfcheck_is_submitted_by_the_liaison_and_approved_by_the_head(self):
        checks = SelfCheck.objects.filter(round=self.round)
        self.assertEqual(checks.count(), 35)
        liaisons = set(Membership.objects.filter(role=Role.LIAISON).values_list("user_id", "department_id"))
        heads = set(Membership.objects.filter(role=Role.HEAD).values_list("user_id", "department_id"))
        for check in checks:
            with self.subTest(department=str(check.department)):
                self.assertEqual(check.state, SelfCheck.State.APPROVED)
                self.assertIn((check.submitted_by_id, check.department_id), liaisons)
                self.assertIn((check.decided_by_id, check.department_id), heads)
                self.assertTrue(check.summary.strip())
                self.assertLess(check.submitted_at, check.decided_at)
                self.assertTrue(date(2021, 9, 28) <= local(check.submitted_at) <= date(2021, 10, 4))
                self.assertEqual(check.late, self.round.deadline_passed(check.submitted_at))
        late = checks.filter(late=True)
        self.assertTrue(1 <= late.count() <= 2)
        self.assertTrue(all(local(c.submitted_at) == date(2021, 10, 1) for c in late))
        self.assertTrue(any("考核办法仍需继续改进调整" in c.suggestions for c in checks))

    def test_every_due_item_is_verified_by_the_inspector_on_site(self):
        items = Verification.objects.filter(round=self.round).select_related("inspector", "node__target")
        self.assertEqual(items.count(), 96)
        for item in items:
            with self.subTest(node=str(item.node)):
                self.assertEqual(item.inspector.username, "inspector")
                self.assertTrue(date(2021, 10, 5) <= local(item.verified_at) <= date(2021, 10, 14))
                self.assertEqual(item.credit, item.computed_credit)
                if item.credit == 1:
                    self.assertIn(item.archive_rating, (ArchiveRating.GOOD, ArchiveRating.FAIR))
                    self.assertFalse(item.reason)
                self.assertEqual(Seal.objects.get(node=item.node).sealed_at, item.verified_at)
        self.assertEqual(items.filter(credit__lt=1).count(), 2)
        self.assertTrue(items.filter(credit=1, archive_rating=ArchiveRating.FAIR).exists())

    def test_marxisms_vr_project_is_to_be_put_right(self):
        fix = Rectification.objects.get(round=self.round)
        self.assertEqual(fix.department.name, MARXISM)
        self.assertEqual(fix.verification.node.target.title, VR_PROJECT)
        self.assertEqual((fix.state, fix.deadline), (Rectification.State.OPEN, date(2021, 12, 31)))
        self.assertTrue(date(2021, 10, 5) <= local(fix.created_at) <= date(2021, 10, 14))

    def test_a_second_load_changes_nothing(self):
        models = (SupervisionRound, Verification, SelfCheck, Checkpoint, Assignment, Rectification)
        counts = [(m.objects.count(), m.history.count()) for m in models]
        with self.settings(MEDIA_ROOT=self.media):
            out = StringIO()
            call_command("load_demo", quiet_logins=True, stdout=out)
        self.assertIn("Demo school: 0 change(s).", out.getvalue())
        self.assertEqual(counts, [(m.objects.count(), m.history.count()) for m in models])
