"""A round's statistics page, its Excel export and the ``round_stats`` command (domain.md §3).

The round is built through the services: approved plans with nodes in the third quarter, the round
created, announced and taken on site, and its items verified with full, partial and no credit.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.org.models import Department
from kaohe.plans.models import Category, IndicatorKind, TargetPlan
from kaohe.plans.tests.factories import make_plan, make_target
from kaohe.supervision import selectors, services, stats
from kaohe.supervision.models import ArchiveRating, Result, SupervisionRound, Verification
from kaohe.test import BaseTestCase

D = Decimal
Q3 = date(2021, 9, 30)
QUANTIFIED = IndicatorKind.QUANTIFIED


def new_round(year, by, name="第三季度督查", start=date(2021, 7, 1), end=date(2021, 9, 30)) -> SupervisionRound:
    round_ = services.create_round(
        year=year,
        by=by,
        name=name,
        period_start=start,
        period_end=end,
        notice_date=date(2021, 10, 8),
        selfcheck_deadline=date(2021, 10, 12),
        onsite_start=date(2021, 10, 13),
        onsite_end=date(2021, 10, 15),
    )
    round_ = services.advance_round(round_=round_, by=by)  # announced: the items are listed
    return services.advance_round(round_=round_, by=by)  # on site


def verify(round_, target, by, *, done=True, actual=None, reason="", stage="", archive=""):
    item = Verification.objects.get(round=round_, node__target=target)
    return services.verify_item(
        item=item,
        by=by,
        version=item.version,
        result=Result.DONE if done else Result.NOT_DONE,
        actual_value=actual,
        reason=reason,
        current_stage=stage,
        archive_rating=archive,
    )


class StatisticsTestCase(BaseTestCase):
    """教务处 3.25 of 4 (81.25 %); a split 社会培训指标 across three colleges; 图书馆 only carried over."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Department.objects.filter(pk=cls.dept_a.pk).update(group="职能部门")
        Department.objects.filter(pk=cls.dept_b.pk).update(group="教学院部")
        cls.dept_c = Department.objects.create(name="文学院", kind="teaching", order=5, group="教学院部")
        cls.dept_d = Department.objects.create(name="外国语学院", kind="teaching", order=6, group="教学院部")
        approved = {"state": TargetPlan.State.APPROVED}
        plan_a = make_plan(cls.year, cls.dept_a, **approved)
        plan_b = make_plan(cls.year, cls.dept_b, **approved)
        plan_c = make_plan(cls.year, cls.dept_c, **approved)
        plan_d = make_plan(cls.year, cls.dept_d, **approved)
        plan_library = make_plan(cls.year, cls.dept_empty, **approved)

        cls.a1 = make_target(plan_a, code="JW-01", title="修订人才培养方案")
        cls.a2 = make_target(plan_a, code="JW-02", title="建设课程思政示范课")
        cls.a3 = make_target(plan_a, code="JW-03", title="组织教学能力大赛")
        cls.a4 = make_target(
            plan_a,
            code="JW-04",
            title="教研室优秀数",
            kind=QUANTIFIED,
            target_value=4,
            unit="个",
            category=Category.MAJOR,
        )
        cls.parent = make_target(
            plan_a, code="JW-05", title="社会培训指标", kind=QUANTIFIED, target_value=15, unit="人次", is_split=True
        )
        cls.share_b = make_target(
            plan_b, code="MY-01", title="社会培训", kind=QUANTIFIED, target_value=5, parent=cls.parent
        )
        cls.b2 = make_target(
            plan_b, code="MY-02", title="红色思政智慧教室及VR综合实训室建设项目", category=Category.MAJOR
        )
        cls.share_c = make_target(
            plan_c, code="WX-01", title="社会培训", kind=QUANTIFIED, target_value=5, parent=cls.parent
        )
        cls.share_d = make_target(
            plan_d, code="WY-01", title="社会培训", kind=QUANTIFIED, target_value=5, parent=cls.parent
        )
        cls.d2 = make_target(plan_d, code="WY-02", title="开展国际交流合作项目")
        cls.library = make_target(
            plan_library, code="TS-01", title="纸质及电子图书资源建设", nodes=(date(2021, 6, 30),)
        )

        cls.round = new_round(cls.year, cls.office)
        office = cls.office
        verify(cls.round, cls.a1, office, archive=ArchiveRating.GOOD)
        verify(cls.round, cls.a2, office, archive=ArchiveRating.FAIR)
        verify(cls.round, cls.a3, office)
        verify(cls.round, cls.a4, office, actual=D(1), reason="优秀教研室评选延后", stage="第四季度完成评选")
        verify(cls.round, cls.share_b, office, actual=D(2), reason="受疫情影响培训推迟", stage="已联系合作单位")
        verify(
            cls.round,
            cls.b2,
            office,
            done=False,
            reason="因进度原因未按工作节点完成",
            stage="经积极争取已经完成招标进入建设阶段",
        )
        verify(cls.round, cls.share_c, office, actual=D(5), archive=ArchiveRating.GOOD)
        verify(cls.round, cls.share_d, office, actual=D(1), reason="培训需求不足", stage="拓展培训渠道")
        # WY-02 stays unverified: due, no credit yet; TS-01 was due on 30 June: carried over.

    def page(self, user=None, round_=None):
        self.login(user or self.office)
        return self.client.get(reverse("supervision:round-stats", args=[(round_ or self.round).pk]))

    def export(self, user=None):
        self.login(user or self.office)
        return self.client.get(reverse("supervision:stats-export", args=[self.round.pk]))


class PageTests(StatisticsTestCase):
    def test_the_school_sentence_and_figures(self):
        response = self.page()
        self.assertEqual(response.status_code, 200)
        # 9 due: 1 + 1 + 1 + 0.25 (教务处) + 0.4 + 0 (马院) + 1 (文学院) + 0.2 + unverified 0 (外国语学院).
        sentence = "应完成9项，已完成4.85项，未完成4.15项，完成比例53.9%"
        self.assertContains(response, sentence)
        self.assertEqual(response.context["sentence"], sentence)
        self.assertContains(response, '<dd class="col-sm-9" data-testid="stats-unverified">1</dd>', html=True)
        self.assertContains(response, '<dd class="col-sm-9" data-testid="stats-carried">1</dd>', html=True)

    def test_per_department_with_81_25_percent_shown_as_81_3(self):
        response = self.page()
        rows = {
            line.name: (line.due, line.completed, line.not_completed, line.percent)
            for line in response.context["departments"]
        }
        self.assertEqual(rows["教务处"], (4, "3.25", "0.75", "81.3%"))
        self.assertEqual(rows["马克思主义学院"], (2, "0.4", "1.6", "20.0%"))
        self.assertEqual(rows["文学院"], (1, "1", "0", "100.0%"))
        self.assertEqual(rows["外国语学院"], (2, "0.2", "1.8", "10.0%"))
        self.assertEqual(list(rows), ["教务处", "马克思主义学院", "图书馆", "文学院", "外国语学院"])
        self.assertContains(
            response,
            '<tr><td>教务处</td><td class="text-end">4</td><td class="text-end">3.25</td>'
            '<td class="text-end">0.75</td><td class="text-end">81.3%</td></tr>',
            html=True,
        )

    def test_nothing_due_shows_a_dash(self):
        response = self.page()
        library = next(line for line in response.context["departments"] if line.name == "图书馆")
        self.assertEqual((library.due, library.completed, library.percent), (0, "0", "—"))
        self.assertContains(
            response,
            '<tr><td>图书馆</td><td class="text-end">0</td><td class="text-end">0</td>'
            '<td class="text-end">0</td><td class="text-end">—</td></tr>',
            html=True,
        )
        chart = response.context["chart"]
        self.assertIn({"name": "图书馆", "value": None, "label": "—", "due": 0}, chart)
        self.assertIn({"name": "教务处", "value": "81.3", "label": "81.3%", "due": 4}, chart)
        self.assertContains(response, 'id="stats-department-data"')
        self.assertContains(response, "js/round-stats.js")

    def test_categories_in_their_order_and_groups(self):
        response = self.page()
        categories = [(line.name, line.due, line.completed, line.percent) for line in response.context["categories"]]
        self.assertEqual(
            categories,
            [
                (str(Category.KEY.label), 7, "4.6", "65.7%"),
                (str(Category.MAJOR.label), 2, "0.25", "12.5%"),
            ],
        )
        groups = {line.name: (line.due, line.completed, line.percent) for line in response.context["groups"]}
        self.assertEqual(groups["职能部门"], (4, "3.25", "81.3%"))
        self.assertEqual(groups["教学院部"], (5, "1.6", "32.0%"))

    def test_incomplete_items_with_reasons_and_stage(self):
        response = self.page()
        codes = [(item.code, credit) for item, credit in response.context["incomplete"]]
        self.assertEqual(codes, [("JW-04", "0.25"), ("MY-01", "0.4"), ("MY-02", "0"), ("WY-01", "0.2")])
        self.assertContains(response, "因进度原因未按工作节点完成")
        self.assertContains(response, "经积极争取已经完成招标进入建设阶段")
        self.assertNotContains(response, "WY-02 开展国际交流合作项目")  # unverified: counted, not listed

    def test_carried_over_items_are_listed_not_counted(self):
        response = self.page()
        carried = response.context["carried"]
        self.assertEqual([row["node__target__code"] for row in carried], ["TS-01"])
        self.assertContains(response, "TS-01 纸质及电子图书资源建设")
        self.assertEqual(response.context["result"].school.due, 9)
        self.assertEqual(response.context["result"].carried_over, 1)

    def test_the_archive_check(self):
        archive = dict(self.page().context["archive"])
        self.assertEqual(archive[str(ArchiveRating.GOOD.label)], 2)  # JW-01 and 文学院's share
        self.assertEqual(archive[str(ArchiveRating.FAIR.label)], 1)
        self.assertEqual(archive[str(ArchiveRating.MISSING.label)], 0)
        self.assertEqual(sum(archive.values()), 4)  # every fully completed item: JW-03 is not rated

    def test_a_split_indicator_per_college_and_share_under_50_percent(self):
        response = self.page()
        (split,) = response.context["splits"]
        self.assertEqual(split["name"], "JW-05 社会培训指标")
        self.assertEqual(
            [c[:3] for c in split["colleges"]],
            [
                ("马克思主义学院", "40.0%", True),
                ("文学院", "100.0%", False),
                ("外国语学院", "20.0%", True),
            ],
        )
        self.assertEqual(
            (split["under"], split["share"], split["most"]), (("马克思主义学院", "外国语学院"), "66.7%", True)
        )
        self.assertContains(response, "66.7%")

    def test_the_leader_sees_it_too(self):
        self.assertEqual(self.page(self.leader).status_code, 200)

    def test_others_are_refused_by_the_policy(self):
        for user in (self.outsider, self.liaison, self.inspector, self.head, self.auditor):
            with self.subTest(user=user.username):
                self.assertEqual(self.page(user).status_code, 403)
                self.assertEqual(self.export(user).status_code, 403)

    def test_an_unknown_round_is_404(self):
        self.login(self.office)
        self.assertEqual(self.client.get(reverse("supervision:round-stats", args=[99999])).status_code, 404)

    def test_the_number_of_queries_does_not_depend_on_the_size(self):
        bigger = self.bigger_round()
        self.login(self.office)
        self.client.get(reverse("supervision:round-stats", args=[self.round.pk]))  # the session is saved once
        with CaptureQueriesContext(connection) as small:
            self.assertEqual(self.client.get(reverse("supervision:round-stats", args=[self.round.pk])).status_code, 200)
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(reverse("supervision:round-stats", args=[bigger.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(response.context["result"].school.due, 3 * 9)
        self.assertEqual(len(small), len(large), [q["sql"][:150] for q in small])
        self.assertLessEqual(len(large), 8)

    def bigger_round(self) -> SupervisionRound:
        """The fourth quarter: 40 items in 8 more departments, 12 of them splits, half verified."""
        parent = make_target(
            TargetPlan.objects.get(department=self.dept_a),
            code="JW-Q4",
            title="横向科研经费",
            kind=QUANTIFIED,
            target_value=100,
            is_split=True,
            nodes=(date(2021, 12, 15),),
        )
        targets = []
        for d in range(8):
            department = Department.objects.create(name=f"学院{d}", kind="teaching", order=10 + d, group="教学院部")
            plan = make_plan(self.year, department, state=TargetPlan.State.APPROVED)
            for t in range(5):
                split = t < 2 and d < 6
                targets.append(
                    make_target(
                        plan,
                        code=f"X{d}-{t}",
                        nodes=(date(2021, 12, 15),),
                        **({"kind": QUANTIFIED, "target_value": 10, "parent": parent} if split else {}),
                    )
                )
        round_ = new_round(self.year, self.office, name="第四季度督查", start=date(2021, 10, 1), end=date(2021, 12, 31))
        for target in targets[::2]:
            verify(
                round_,
                target,
                self.office,
                actual=D(3) if target.is_quantified else None,
                reason="未完成",
                archive=ArchiveRating.GOOD,
            )
        return round_


class ExportTests(StatisticsTestCase):
    def test_the_cells_equal_the_page(self):
        page = self.page().context
        response = self.export()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["汇总", "部门", "类别", "考核组", "未完成项目", "结转项目", "下分指标"])
        for sheet, key in (("部门", "departments"), ("类别", "categories"), ("考核组", "groups")):
            rows = list(book[sheet].iter_rows(values_only=True))
            self.assertEqual(rows[0][1:], ("应完成", "已完成", "未完成", "完成比例"))
            self.assertEqual(
                [as_page(row) for row in rows[1:]],
                [(line.name, line.due, line.completed, line.not_completed, line.percent) for line in page[key]],
                sheet,
            )
        departments = book["部门"]
        self.assertEqual(departments["E2"].number_format, "0.0%")
        self.assertEqual(departments["E2"].value, 0.813)  # 教务处: the page's 81.3 %, as a number
        self.assertEqual(departments["C2"].value, 3.25)
        self.assertEqual(departments["E4"].value, "—")  # 图书馆: nothing due
        summary = {row[0]: row[1:] for row in book["汇总"].iter_rows(values_only=True)}
        self.assertEqual(summary["完成情况"][0], page["sentence"])
        self.assertEqual(as_page(("全校", *summary["全校"])), ("全校", 9, "4.85", "4.15", "53.9%"))
        self.assertEqual((summary["未核查"][0], summary["结转（不计入）"][0]), (1, 1))
        incomplete = list(book["未完成项目"].iter_rows(values_only=True))
        self.assertEqual([(r[1], r[4]) for r in incomplete[1:]], [(i.code, float(c)) for i, c in page["incomplete"]])
        self.assertEqual(incomplete[3][5], "因进度原因未按工作节点完成")
        self.assertEqual([r[1] for r in list(book["结转项目"].iter_rows(values_only=True))[1:]], ["TS-01"])
        splits = list(book["下分指标"].iter_rows(values_only=True))
        self.assertEqual(
            [(r[1], r[2]) for r in splits[1:4]], [("马克思主义学院", 0.4), ("文学院", 1), ("外国语学院", 0.2)]
        )
        self.assertAlmostEqual(splits[4][2], 0.667)

    def test_it_is_audited(self):
        self.export()
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
        self.assertEqual(
            (event.actor, event.object_type, event.object_id),
            (self.office, "supervision.SupervisionRound", str(self.round.pk)),
        )

    def test_text_is_not_evaluated_by_excel(self):
        Verification.objects.filter(round=self.round, node__target=self.b2).update(reason='=HYPERLINK("x")')
        book = load_workbook(io.BytesIO(self.export().content))
        reasons = [row[5] for row in book["未完成项目"].iter_rows(values_only=True)]
        self.assertIn('\'=HYPERLINK("x")', reasons)


def as_page(row) -> tuple:
    """A sheet row written back as the page shows it: counts with no trailing zeros, percents "81.3%"."""
    name, due, completed, not_completed, percent = row
    shown = percent if percent == stats.NO_RATIO else f"{stats.round_half_up(D(str(percent)) * 100, D('0.1'))}%"
    return name, due, stats.format_count(D(str(completed))), stats.format_count(D(str(not_completed))), shown


class CommandTests(StatisticsTestCase):
    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command("round_stats", *args, stdout=out)
        return out.getvalue()

    def test_json_equals_as_json(self):
        printed = self.run_command("--year", "2021", "--round", "第三季度督查", "--json")
        expected = selectors.as_json(self.round, selectors.round_stats(self.round))
        self.assertEqual(json.loads(printed), expected)
        self.assertIn("应完成9项", printed)  # ensure_ascii=False
        self.assertEqual(json.loads(printed)["departments"]["教务处"]["percent"], "81.3%")
        self.assertEqual(json.loads(printed)["departments"]["图书馆"]["percent"], "—")

    def test_the_round_by_id(self):
        printed = self.run_command("--year", "2021", "--round", str(self.round.pk), "--json")
        self.assertEqual(json.loads(printed)["round"], "第三季度督查")

    def test_the_summary_in_chinese(self):
        printed = self.run_command("--year", "2021", "--round", "第三季度督查")
        self.assertIn("全校：应完成9项，已完成4.85项，未完成4.15项，完成比例53.9%", printed)
        self.assertIn("应完成4项，已完成3.25项，未完成0.75项，完成比例81.3%", printed)
        self.assertIn("本期无应完成项", printed)  # 图书馆
        self.assertIn("社会培训指标：3个院部，2个完成率低于50%（占66.7%）", printed)

    def test_unknown_year_and_round(self):
        with self.assertRaisesMessage(CommandError, "No assessment year 2019"):
            self.run_command("--year", "2019", "--round", "第三季度督查")
        with self.assertRaisesMessage(CommandError, "No round '第九季度' in 2021"):
            self.run_command("--year", "2021", "--round", "第九季度")
        with self.assertRaisesMessage(CommandError, "No round '99999' in 2021"):
            self.run_command("--year", "2021", "--round", "99999")
