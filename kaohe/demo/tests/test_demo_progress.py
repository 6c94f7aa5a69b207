"""The demo school's progress: the seed's third-quarter round (96 due, 94.5 done) reported, approved and verified."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from datetime import date
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import TestCase, override_settings

from kaohe.demo.progress import MARXISM, TEACHING_ROOMS, VR_PROJECT, node_rng, report_times
from kaohe.demo.targets import q3_due_nodes
from kaohe.lib.uploads import check_evidence_file
from kaohe.org.models import AssessmentYear, Membership, Role
from kaohe.plans.models import Node, TargetPlan
from kaohe.progress.models import Evidence, ProgressReport, Seal, Status
from kaohe.progress.selectors import with_standing

SCHOOL = ZoneInfo("Asia/Shanghai")
APPROVED = TargetPlan.State.APPROVED


class DemoProgressTests(TestCase):
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
        started = time.perf_counter()
        cls.output = StringIO()
        call_command("load_demo", quiet_logins=True, stdout=cls.output)
        cls.seconds = time.perf_counter() - started
        cls.year = AssessmentYear.objects.get(year=2021)
        cls.q3 = q3_due_nodes(cls.year)
        cls.reportable_q3 = cls.q3.filter(target__plan__state=APPROVED)
        cls.by_september = Node.objects.due_between(date(2021, 1, 1), date(2021, 9, 30)).filter(
            target__year=cls.year, target__plan__state=APPROVED
        )

    def marxism_node(self, title: str) -> Node:
        return with_standing(self.q3.filter(target__plan__department__name=MARXISM, target__title=title)).get()

    def test_every_node_due_by_september_has_one_report_by_the_liaison_approved_by_the_head(self):
        self.assertEqual(self.by_september.count(), 254)
        liaisons = set(Membership.objects.filter(role=Role.LIAISON).values_list("user_id", "department_id"))
        heads = set(Membership.objects.filter(role=Role.HEAD).values_list("user_id", "department_id"))
        for node in self.by_september.select_related("target__plan").prefetch_related("reports"):
            with self.subTest(node=str(node)):
                reports = list(node.reports.all())
                self.assertEqual(len(reports), 1)
                report = reports[0]
                self.assertEqual(report.state, ProgressReport.State.APPROVED)
                self.assertEqual(report.department_id, node.target.plan.department_id)
                self.assertIn((report.author_id, report.department_id), liaisons)
                self.assertIn((report.decided_by_id, report.department_id), heads)
                submitted, decided = report.submitted_at.astimezone(SCHOOL), report.decided_at.astimezone(SCHOOL)
                self.assertLess(submitted, decided)
                self.assertLess(submitted.date(), node.due_date)
                self.assertLessEqual(decided.date(), node.due_date)
                self.assertGreaterEqual(submitted.date(), date(2021, 1, 1))
                self.assertTrue(report.narrative.strip())
        # The demo logins report for their own departments.
        jwc = ProgressReport.objects.filter(department__name="教务处").select_related("author", "decided_by").first()
        self.assertEqual((jwc.author.username, jwc.decided_by.username), ("jwc_liaison", "jwc_head"))

    def test_the_third_quarter_comes_out_as_the_seed_reads_on_the_approved_plans(self):
        unreported = set(self.q3.exclude(target__plan__state=APPROVED).values_list("target__plan__department__name"))
        # The demo keeps 工会's plan returned and 档案馆's a draft; their Q3 nodes take no report.
        self.assertLessEqual({name for (name,) in unreported}, {"工会", "档案馆"})
        nodes = list(with_standing(self.reportable_q3))
        self.assertEqual(len(nodes) + self.q3.exclude(target__plan__state=APPROVED).count(), 96)
        for node in nodes:
            self.assertEqual(ProgressReport.objects.approved().filter(node=node).count(), 1)
        not_done = [n for n in nodes if n.latest_status != Status.DONE]
        self.assertEqual(len(not_done), 2)
        self.assertEqual({n.target.title for n in not_done}, {VR_PROJECT, TEACHING_ROOMS})

        vr = self.marxism_node(VR_PROJECT)
        self.assertEqual((vr.latest_status, vr.latest_value), (Status.IN_PROGRESS, None))
        narrative = ProgressReport.objects.get(node=vr).narrative
        self.assertIn("因进度原因", narrative)
        self.assertIn("完成招标", narrative)
        self.assertIn("建设阶段", narrative)

        rooms = self.marxism_node(TEACHING_ROOMS)
        self.assertEqual(rooms.latest_status, Status.IN_PROGRESS)
        self.assertEqual((rooms.latest_value, rooms.expected_value), (Decimal("1"), Decimal("2")))

        # Done items count 1, a quantified item in progress its share: 0 for the VR node, 0.5 for the rooms.
        for node in nodes:
            if node.latest_status == Status.DONE and node.target.is_quantified:
                self.assertEqual(node.latest_value, node.expected_value)
        credit = sum(Decimal(1) for n in nodes if n.latest_status == Status.DONE) + rooms.latest_value / 2
        self.assertEqual(credit, len(nodes) - Decimal("1.5"))

    def test_all_96_seed_items_are_reported_and_94_done(self):
        nodes = list(with_standing(self.q3))
        self.assertEqual(len(nodes), 96)
        self.assertTrue(all(ProgressReport.objects.approved().filter(node=n).count() == 1 for n in nodes))
        self.assertEqual(sum(n.latest_status == Status.DONE for n in nodes), 94)
        self.assertEqual(Seal.objects.filter(node__in=self.q3, sealed=True).count(), 96)

    def test_every_approved_report_has_a_present_file_whose_content_matches_its_sha256(self):
        kinds = set()
        with self.settings(MEDIA_ROOT=self.media):
            for report in ProgressReport.objects.approved().filter(node__in=self.by_september):
                files = list(Evidence.objects.present().filter(report=report))
                with self.subTest(report=str(report)):
                    self.assertGreaterEqual(len(files), 1)
                    for evidence in files:
                        with evidence.file.open("rb") as stored:
                            data = stored.read()
                            self.assertEqual(
                                check_evidence_file(evidence.original_name, stored).content_type, evidence.content_type
                            )
                        self.assertEqual(hashlib.sha256(data).hexdigest(), evidence.sha256)
                        self.assertEqual(len(data), evidence.size)
                        self.assertTrue(
                            data.startswith(b"%PDF-" if evidence.original_name.endswith(".pdf") else b"\x89PNG")
                        )
                        self.assertEqual(evidence.uploaded_at, report.submitted_at)
                        self.assertFalse(evidence.original_name.isascii())
                        kinds.add(evidence.kind)
        self.assertLessEqual(
            {Evidence.Kind.DOCUMENT, Evidence.Kind.SUMMARY, Evidence.Kind.DATA, Evidence.Kind.PHOTO}, kinds
        )
        self.assertTrue(Evidence.objects.filter(kind=Evidence.Kind.PHOTO, original_name__endswith=".png").exists())
        self.assertFalse(
            Evidence.objects.filter(kind=Evidence.Kind.PHOTO).exclude(original_name__endswith=".png").exists()
        )

    def test_the_office_verified_every_third_quarter_node_on_site(self):
        seals = Seal.objects.filter(node__in=self.reportable_q3).select_related("sealed_by")
        self.assertEqual(seals.count(), self.reportable_q3.count())
        for seal in seals:
            with self.subTest(node=str(seal.node)):
                self.assertTrue(seal.sealed)
                self.assertEqual(seal.sealed_by.username, "office")
                self.assertTrue(date(2021, 10, 5) <= seal.sealed_at.astimezone(SCHOOL).date() <= date(2021, 10, 14))
                self.assertTrue(seal.note)
        self.assertIn("因进度原因", Seal.objects.get(node=self.marxism_node(VR_PROJECT)).note)
        # The first half-year was not part of this round.
        self.assertFalse(Seal.objects.filter(node__due_date__lt=date(2021, 7, 1)).exists())

    def test_nothing_is_reported_after_the_third_quarter_or_on_unapproved_plans(self):
        self.assertFalse(ProgressReport.objects.filter(node__due_date__gt=date(2021, 9, 30)).exists())
        self.assertFalse(Evidence.objects.filter(node__due_date__gt=date(2021, 9, 30)).exists())
        self.assertFalse(Seal.objects.filter(node__due_date__gt=date(2021, 9, 30)).exists())
        self.assertFalse(ProgressReport.objects.exclude(node__target__plan__state=APPROVED).exists())

    def test_the_load_is_quick_and_a_second_one_changes_nothing(self):
        self.assertLess(self.seconds, 60)  # about 17 s here; the bound catches a blow-up, not noise
        self.assertNotIn("Demo school: 0 change(s).", self.output.getvalue())
        counts = [
            ProgressReport.objects.count(),
            Evidence.objects.count(),
            Seal.objects.count(),
            ProgressReport.history.count(),
            Evidence.history.count(),
            Seal.history.count(),
        ]
        with self.settings(MEDIA_ROOT=self.media):
            out = StringIO()
            call_command("load_demo", quiet_logins=True, stdout=out)
        self.assertIn("Demo school: 0 change(s).", out.getvalue())
        self.assertEqual(
            counts,
            [
                ProgressReport.objects.count(),
                Evidence.objects.count(),
                Seal.objects.count(),
                ProgressReport.history.count(),
                Evidence.history.count(),
                Seal.history.count(),
            ],
        )

    def test_the_dates_are_the_same_on_every_load(self):
        # Each node draws from its own generator seeded from 2021 and the node, not from the clock.
        for report in ProgressReport.objects.select_related("node__target")[:20]:
            submitted, decided = report_times(report.node.due_date, node_rng(report.node), SCHOOL)
            self.assertEqual((report.submitted_at, report.decided_at), (submitted, decided))
