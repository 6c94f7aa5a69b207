"""The demo school's brands, major projects, highlights and notification duty (seed §三–§六)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings

from kaohe.demo.initiatives import CUTOFF, DUTIES, _periods
from kaohe.demo.rounds import NAME
from kaohe.initiatives.models import (
    Achievement,
    Brand,
    BrandNote,
    MajorProject,
    NotificationDuty,
    NotificationRecord,
    ProjectStage,
    StageKind,
    StageState,
)
from kaohe.supervision.models import Checkpoint, Point

MODELS = (Brand, BrandNote, MajorProject, ProjectStage, Achievement, NotificationDuty, NotificationRecord)


class DemoInitiativesTests(TestCase):
    @classmethod
    def setUpClass(cls):
        # As in test_demo_round: the evidence files of load_demo go to a directory of this class.
        cls.media = tempfile.mkdtemp(prefix="kaohe-demo-")
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=cls.media)
        media.enable()
        cls.addClassCleanup(media.disable)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", quiet_logins=True, stdout=StringIO())

    def test_the_five_brands_with_their_owners_and_a_q3_note_each(self):
        top = Brand.objects.filter(year__year=2021, parent=None).order_by("order")
        self.assertEqual(
            [(b.slogan, sorted(b.owners.values_list("name", flat=True))) for b in top],
            [
                ("五改", ["教务处"]),
                ("四养成", ["学生处"]),
                ("十个一", ["网信办"]),
                ("一支部一品牌", ["组织部"]),
                ("四个自信、四个热爱", ["宣传统战部", "马克思主义学院"]),
            ],
        )
        five = top.get(slogan="五改")
        self.assertEqual(
            list(five.children.values_list("name", "slogan")),
            [
                ("改教师", "双师型"),
                ("改教法", "信息化"),
                ("改教评", "过程化"),
                ("改教室", "一体化"),
                ("改教材", "模块化"),
            ],
        )
        self.assertIn("47位院级教学名师", five.children.get(name="改教师").description)
        four = top.get(slogan="四养成")
        self.assertEqual(
            {c.name: c.owners.get().name for c in four.children.all()},
            {"中华经典诵读": "人文学院", "政治指导员制度": "经济管理学院", "智慧劳动创造营": "会计学院"},
        )
        for brand in top:
            with self.subTest(brand=brand.slogan):
                note = brand.notes.get()
                self.assertTrue(date(2021, 7, 1) <= note.date <= date(2021, 9, 30))
                self.assertTrue(brand.targets.exists())

    def test_ten_items_eight_done_two_under_way(self):
        ten = Brand.objects.get(year__year=2021, parent=None, slogan="十个一")
        self.assertTrue(ten.is_checklist)
        items = ten.children.all()
        self.assertEqual(items.count(), 10)
        self.assertEqual(items.filter(state=Brand.State.DONE).count(), 8)
        self.assertEqual(
            set(items.filter(state=Brand.State.RUNNING).values_list("name", flat=True)), {"办事一张表", "实况一幅画"}
        )

    def test_student_affairs_system_has_three_subprojects(self):
        system = MajorProject.objects.get(year__year=2021, name="学生事务综合管理系统（一期）", parent=None)
        self.assertEqual(system.owner.name, "网信办")
        parts = {p.name: p for p in system.subprojects.all()}
        self.assertEqual(list(parts), ["迎新子系统", "招生子系统", "学籍学工子系统"])
        welcome = parts["迎新子系统"].stages.get(kind=StageKind.PAYMENT)
        self.assertEqual((welcome.state, welcome.payment_percent), (StageState.DONE, Decimal("100")))
        admissions = parts["招生子系统"]
        self.assertEqual(admissions.stages.get(kind=StageKind.ACCEPTANCE).state, StageState.DONE)
        self.assertEqual(admissions.stages.get(kind=StageKind.PAYMENT).payment_percent, Decimal("90"))
        records = parts["学籍学工子系统"].stages.get(kind=StageKind.ACCEPTANCE)
        self.assertEqual((records.state, records.planned_start.month), (StageState.PLANNED, 10))

    def test_the_projects_of_the_three_owners_stage_by_stage(self):
        projects = MajorProject.objects.filter(year__year=2021, parent=None)
        for owner in ("网信办", "后勤处", "教务处"):
            self.assertGreaterEqual(projects.filter(owner__name=owner).count(), 3)
        hr = projects.get(name="人事管理系统")
        self.assertEqual(
            list(hr.stages.values_list("kind", "state")),
            [
                (StageKind.CONTRACT, StageState.DONE),
                (StageKind.BUILD, StageState.DONE),
                (StageKind.DEPLOY, StageState.DONE),
                (StageKind.TRAINING, StageState.DONE),
                (StageKind.TRIAL, StageState.RUNNING),
                (StageKind.ACCEPTANCE, StageState.PLANNED),
                (StageKind.PAYMENT, StageState.PLANNED),
            ],
        )
        self.assertEqual(hr.stages.get(kind=StageKind.ACCEPTANCE).planned_start.month, 10)
        security = projects.get(name="智慧后勤安防管理系统")
        self.assertEqual(security.stages.get(kind=StageKind.TENDER_NOTICE).state, StageState.DONE)
        self.assertTrue({"后勤处", "保卫处"} <= set(security.stages.values_list("responsible__name", flat=True)))
        self.assertEqual(projects.get(name="舆情监控服务").stages.get(kind=StageKind.CONTRACT).state, StageState.DONE)
        stages = ProjectStage.objects.filter(project__year__year=2021)
        for stage in stages:
            self.assertEqual(stage.state == StageState.DONE, stage.actual_end is not None)
            self.assertEqual(stage.planned_end.year, 2021)
        delayed = stages.filter(planned_end__lt=CUTOFF).exclude(state=StageState.DONE)
        self.assertTrue(delayed.filter(project__name="国资综合管理系统", kind=StageKind.BUILD).exists())
        self.assertTrue(delayed.filter(project__name="马院思政智慧教室VR综合实训室", kind=StageKind.BUILD).exists())

    def test_the_highlights_are_verified_achievements(self):
        found = Achievement.objects.filter(year__year=2021)
        self.assertGreaterEqual(found.count(), 12)
        self.assertFalse(found.exclude(state=Achievement.State.VERIFIED).exists())
        self.assertFalse(found.filter(verified_by__isnull=True).exists())
        metallography = found.get(department__name="机电工程学院", title__contains="金相技能大赛")
        self.assertEqual(
            (metallography.grade, metallography.level, metallography.kind),
            (Achievement.Grade.THIRD, Achievement.Level.NATIONAL, Achievement.Kind.COMPETITION),
        )
        self.assertIn("王金龙", metallography.people)
        self.assertIn("李蒙", metallography.people)
        special = found.get(department__name="太极武术学院", grade=Achievement.Grade.SPECIAL)
        self.assertIn("特等奖", special.title)
        self.assertEqual(found.get(department__name="艺术学院").people, "任秀梅")
        kinds = set(found.values_list("department__kind", flat=True))
        self.assertEqual(kinds, {"teaching", "functional"})

    def test_notification_records_mostly_regular_with_the_seeds_lapses(self):
        records = NotificationRecord.objects.filter(duty__year__year=2021).select_related("duty")
        due = sum(
            1 for d in DUTIES for _start, end in _periods(d.frequency) if end + timedelta(days=d.due_days) <= CUTOFF
        )
        self.assertEqual(records.count(), due - 1)  # one period missing
        late = [r for r in records if (r.issued_date - r.period_end).days > r.duty.due_days]
        self.assertTrue(2 <= len(late) <= 4)
        self.assertEqual(records.filter(standardised=False).count(), 1)
        self.assertEqual(records.filter(filed_date__isnull=True).count(), 1)
        self.assertGreater(len([r for r in records if r.standardised and r.filed_date and r not in late]), 0.85 * due)
        missing = NotificationDuty.objects.get(year__year=2021, department__name="宣传统战部")
        self.assertFalse(missing.records.filter(period_start=date(2021, 7, 1)).exists())
        self.assertTrue(missing.records.filter(period_start=date(2021, 8, 1)).exists())
        # The lapses are in the departments the round's checkpoint notes name as irregular.
        lapsed = {r.duty.department_id for r in late} | {
            r.duty.department_id for r in records if not r.standardised or not r.filed_date
        }
        lapsed.add(missing.department_id)
        noted = set(
            Checkpoint.objects.filter(round__name=NAME, point=Point.NOTIFICATIONS, note__contains="不规范").values_list(
                "department_id", flat=True
            )
        )
        self.assertLessEqual(lapsed, noted)

    def test_a_second_load_changes_nothing(self):
        counts = [(m.objects.count(), m.history.count()) for m in MODELS]
        with self.settings(MEDIA_ROOT=self.media):
            out = StringIO()
            call_command("load_demo", quiet_logins=True, stdout=out)
        self.assertIn("Demo school: 0 change(s).", out.getvalue())
        self.assertEqual(counts, [(m.objects.count(), m.history.count()) for m in MODELS])
