"""Major projects stage by stage: delays, payments, the sub-project roll-up, the bulletin's sentence,
who reads and writes what, the stage's version check, the to-do section and fixed query counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import time_machine
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kaohe.audit.models import AuditEvent
from kaohe.initiatives import projects
from kaohe.initiatives.models import MajorProject, ProjectStage, StageKind, StageState
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.test import BaseTestCase, make_person

D = Decimal


def stage(kind=StageKind.BUILD, start=date(2021, 3, 1), end=date(2021, 6, 30), state=StageState.PLANNED, **kwargs):
    return ProjectStage(kind=kind, planned_start=start, planned_end=end, state=state, **kwargs)


def project(*stages, subs=(), budget=None, name="项目"):
    return SimpleNamespace(name=name, budget=budget, stage_list=list(stages), sub_list=list(subs), pk=None)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


# Pure functions, no database ------------------------------------------------------------------


class DelayTests(SimpleTestCase):
    def test_a_stage_not_done_is_overdue_the_day_after_its_planned_end(self):
        s = stage(end=date(2021, 9, 30), state=StageState.RUNNING, actual_start=date(2021, 9, 1))
        self.assertIsNone(projects.is_delayed(s, date(2021, 9, 30)))
        self.assertEqual(projects.is_delayed(s, date(2021, 10, 1)), projects.Delay.OVERDUE)
        self.assertEqual(projects.is_delayed(stage(end=date(2021, 9, 30)), date(2021, 10, 1)), projects.Delay.OVERDUE)

    def test_a_done_stage_is_finished_late_when_it_ended_after_its_plan(self):
        late = stage(end=date(2021, 9, 30), state=StageState.DONE, actual_end=date(2021, 10, 8))
        on_time = stage(end=date(2021, 9, 30), state=StageState.DONE, actual_end=date(2021, 9, 30))
        self.assertEqual(projects.is_delayed(late, date(2021, 10, 9)), projects.Delay.FINISHED_LATE)
        self.assertIsNone(projects.is_delayed(on_time, date(2022, 1, 1)))
        # Done without its actual end date: not judged.
        self.assertIsNone(projects.is_delayed(stage(end=date(2021, 9, 30), state=StageState.DONE), date(2022, 1, 1)))


class PaymentTests(SimpleTestCase):
    def test_the_paid_percent_is_the_highest_of_the_started_stages(self):
        p = project(
            stage(StageKind.CONTRACT, state=StageState.DONE, payment_percent=D(30), actual_end=date(2021, 6, 1)),
            stage(StageKind.ACCEPTANCE, state=StageState.DONE, payment_percent=D(90), actual_end=date(2021, 6, 1)),
            stage(StageKind.PAYMENT, payment_percent=D(100)),  # planned: not paid yet
        )
        self.assertEqual(projects.paid_percent(p), D("90.00"))
        # 招生: the payment stage under way with 90 % paid, the rest kept until it is done.
        running = project(stage(StageKind.PAYMENT, state=StageState.RUNNING, payment_percent=D(90)))
        self.assertEqual(projects.paid_percent(running), D("90.00"))
        self.assertEqual(projects.paid_percent(project(stage())), D(0))


class RollupTests(SimpleTestCase):
    def subs(self, *budgets):
        done = {"state": StageState.DONE, "actual_end": date(2021, 6, 1)}
        return [
            project(stage(StageKind.ACCEPTANCE, payment_percent=D(100), **done), budget=budgets[0], name="迎新子系统"),
            project(stage(StageKind.ACCEPTANCE, payment_percent=D(90), **done), budget=budgets[1], name="招生子系统"),
            project(
                stage(end=date(2021, 9, 30)), stage(end=date(2021, 10, 31)), budget=budgets[2], name="学籍学工子系统"
            ),
        ]

    def test_a_parent_counts_its_sub_projects_stages(self):
        parent = project(subs=self.subs(D(100), D(100), D(200)))
        rollup = projects.rollup(parent, date(2021, 10, 1))
        self.assertEqual((rollup.stages, rollup.done, rollup.delayed, rollup.overdue), (4, 2, 1, 1))
        self.assertEqual(rollup.done_percent, D("50.0"))

    def test_the_paid_percent_of_a_parent_is_weighted_by_budget(self):
        parent = project(subs=self.subs(D(100), D(100), D(200)))
        # (100 × 100 + 90 × 100 + 0 × 200) ÷ 400 = 47.5
        self.assertEqual(projects.rollup(parent, date(2021, 10, 1)).paid_percent, D("47.50"))

    def test_without_every_budget_the_paid_percent_is_the_simple_mean(self):
        parent = project(subs=self.subs(D(100), None, D(200)))
        self.assertEqual(projects.rollup(parent, date(2021, 10, 1)).paid_percent, D("63.33"))


class SentenceTests(SimpleTestCase):
    def test_it_says_what_is_done_what_runs_and_what_comes_next(self):
        done = {"state": StageState.DONE, "actual_start": date(2021, 3, 1), "actual_end": date(2021, 6, 1)}
        p = project(
            stage(StageKind.BUILD, **done),
            stage(StageKind.DEPLOY, **done),
            stage(StageKind.TRAINING, **done),
            stage(StageKind.TRIAL, state=StageState.RUNNING, actual_start=date(2021, 7, 1)),
            stage(StageKind.ACCEPTANCE, start=date(2021, 10, 10), end=date(2021, 10, 31)),
        )
        self.assertEqual(
            projects.status_sentence(p, 2021), "已完成开发、部署、培训，目前正在试运行，计划10月进行项目验收。"
        )

    def test_payments_titles_and_other_years(self):
        p = project(
            stage(StageKind.BUILD, title="建设", state=StageState.DONE, actual_end=date(2021, 5, 1)),
            stage(StageKind.ACCEPTANCE, state=StageState.DONE, actual_end=date(2021, 6, 1), payment_percent=D(90)),
            stage(StageKind.PAYMENT, start=date(2022, 3, 1), end=date(2022, 3, 31), title="尾款支付"),
        )
        self.assertEqual(
            projects.status_sentence(p, 2021), "已完成建设、项目验收，已支付90%的款项，计划2022年3月进行尾款支付。"
        )
        self.assertEqual(projects.status_sentence(project(), 2021), "尚未安排项目节点。")

    def test_a_parent_names_its_sub_projects(self):
        done = {"state": StageState.DONE, "actual_end": date(2021, 6, 1)}
        subs = [
            project(stage(StageKind.ACCEPTANCE, payment_percent=D(100), **done), name="迎新子系统"),
            project(
                stage(StageKind.TENDER_NOTICE, **done),
                stage(StageKind.TENDER, start=date(2021, 11, 1)),
                name="招生子系统",
            ),
        ]
        self.assertEqual(
            projects.status_sentence(project(subs=subs), 2021),
            "分迎新子系统、招生子系统两个子项目。迎新子系统已完成项目验收，已全部付款，项目已全部完成。"
            "招生子系统已完成招标意向公示，计划11月进行招标。",
        )


# With the database ----------------------------------------------------------------------------


class ProjectCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.responsible = make_person("responsible", Role.LIAISON, cls.dept_empty)
        cls.project = MajorProject.objects.create(year=cls.year, name="人事管理系统", owner=cls.dept_a, budget=D(120))
        cls.stage = ProjectStage.objects.create(
            project=cls.project,
            kind=StageKind.BUILD,
            planned_start=date(2021, 3, 1),
            planned_end=date(2021, 9, 30),
            responsible=cls.dept_empty,
            order=1,
        )

    def detail(self, p=None):
        return reverse("initiatives:project-detail", args=[(p or self.project).pk])

    def stage_data(self, **kwargs):
        data = {
            "kind": StageKind.DEPLOY,
            "title": "",
            "planned_start": "2021-10-01",
            "planned_end": "2021-10-31",
            "responsible": self.dept_a.pk,
            "state": StageState.PLANNED,
            "actual_start": "",
            "actual_end": "",
            "payment_percent": "",
            "note": "",
            "order": "",
        }
        data.update(kwargs)
        return data


@time_machine.travel(datetime(2021, 9, 20, 2, 0, tzinfo=UTC), tick=False)
class AccessTests(ProjectCase):
    def urls(self):
        pk, spk = self.project.pk, self.stage.pk
        return [
            reverse("initiatives:project-detail", args=[pk]),
            reverse("initiatives:project-gantt", args=[pk]),
            reverse("initiatives:project-edit", args=[pk]),
            reverse("initiatives:stage-edit", args=[spk]),
        ]

    def test_the_office_leaders_the_owner_and_the_responsible_department_read_it(self):
        for person in (self.office, self.leader, self.head, self.liaison, self.responsible):
            self.login(person)
            self.assertEqual(self.client.get(self.detail()).status_code, 200, person)
            response = self.client.get(reverse("initiatives:project-list"))
            self.assertContains(response, "人事管理系统", msg_prefix=person.username)

    def test_a_related_department_reads_it_but_does_not_write(self):
        self.project.related_departments.add(self.dept_b)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.detail()).status_code, 200)
        self.assertEqual(self.client.get(reverse("initiatives:project-edit", args=[self.project.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("initiatives:stage-edit", args=[self.stage.pk])).status_code, 403)

    def test_another_department_gets_404_and_nothing_changes(self):
        self.login(self.outsider)
        self.assertNotContains(self.client.get(reverse("initiatives:project-list")), "人事管理系统")
        before = business_checksum()
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 404, url)
            if "edit" in url:
                self.assertEqual(self.client.post(url, self.stage_data(version=1)).status_code, 404, url)
        create = reverse("initiatives:stage-create", args=[self.project.pk])
        self.assertEqual(self.client.post(create, self.stage_data()).status_code, 404)
        self.assertEqual(business_checksum(), before)
        self.assertTrue(AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, object_id=str(self.project.pk)).exists())

    def test_a_leader_reads_but_gets_403_on_writes(self):
        self.login(self.leader)
        before = business_checksum()
        self.assertEqual(
            self.client.post(
                reverse("initiatives:stage-create", args=[self.project.pk]), self.stage_data()
            ).status_code,
            403,
        )
        self.assertEqual(self.client.get(reverse("initiatives:project-edit", args=[self.project.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("initiatives:project-create")).status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_wrong_methods_answer_405(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("initiatives:stage-create", args=[self.project.pk])).status_code, 405)
        self.assertEqual(
            self.client.post(reverse("initiatives:project-gantt", args=[self.project.pk])).status_code, 405
        )
        self.assertEqual(self.client.post(self.detail()).status_code, 405)

    def test_the_responsible_department_records_progress_only(self):
        self.login(self.responsible)
        url = reverse("initiatives:stage-edit", args=[self.stage.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("planned_end", response.context["form"].fields)
        self.assertEqual(self.client.get(reverse("initiatives:project-edit", args=[self.project.pk])).status_code, 403)
        data = self.stage_data(state=StageState.RUNNING, actual_start="2021/9/1", planned_end="2022-01-01", version=1)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.stage.refresh_from_db()
        self.assertEqual((self.stage.state, self.stage.actual_start), (StageState.RUNNING, date(2021, 9, 1)))
        self.assertEqual(self.stage.planned_end, date(2021, 9, 30))
        self.assertEqual(self.stage.version, 2)

    def test_a_closed_year_refuses_changes_with_409(self):
        AssessmentYear.objects.filter(pk=self.year.pk).update(state=AssessmentYear.State.CLOSED)
        self.login(self.liaison)
        before = business_checksum()
        response = self.client.post(reverse("initiatives:stage-create", args=[self.project.pk]), self.stage_data())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.client.get(reverse("initiatives:project-edit", args=[self.project.pk])).status_code, 409)
        self.assertEqual(business_checksum(), before)
        self.assertIsNone(self.client.get(self.detail()).context["stage_form"])


@time_machine.travel(datetime(2021, 9, 20, 2, 0, tzinfo=UTC), tick=False)
class WriteTests(ProjectCase):
    def test_the_owner_liaison_creates_a_project_with_a_sub_project(self):
        self.login(self.liaison)
        data = {"name": "学生事务综合管理系统（一期）", "owner": self.dept_a.pk, "budget": "３００", "order": ""}
        response = self.client.post(reverse("initiatives:project-create"), data)
        self.assertEqual(response.status_code, 302)
        parent = MajorProject.objects.get(name="学生事务综合管理系统（一期）")
        self.assertEqual((parent.year, parent.owner, parent.budget), (self.year, self.dept_a, D(300)))
        data = {"name": "迎新子系统", "owner": self.dept_a.pk, "parent": parent.pk}
        self.assertEqual(self.client.post(reverse("initiatives:project-create"), data).status_code, 302)
        response = self.client.get(reverse("initiatives:project-list"))
        self.assertContains(response, 'data-testid="subproject-row"', count=1)

    def test_a_liaison_cannot_create_a_project_of_another_department(self):
        self.login(self.liaison)
        data = {"name": "别人的项目", "owner": self.dept_b.pk}
        self.assertEqual(self.client.post(reverse("initiatives:project-create"), data).status_code, 400)
        self.assertFalse(MajorProject.objects.filter(name="别人的项目").exists())

    def test_the_stage_rules_answer_in_the_form(self):
        self.login(self.liaison)
        url = reverse("initiatives:stage-create", args=[self.project.pk])
        response = self.client.post(url, self.stage_data(planned_end="2021-09-01"))
        self.assertContains(response, zh("The planned end cannot be before the planned start."), status_code=400)
        response = self.client.post(url, self.stage_data(state=StageState.DONE, actual_start="2021-09-01"))
        self.assertContains(response, zh("A finished stage needs the date it actually ended."), status_code=400)
        response = self.client.post(url, self.stage_data(actual_start="2021-12-01", state=StageState.RUNNING))
        self.assertContains(response, zh("An actual date cannot lie in the future."), status_code=400)
        self.assertEqual(self.project.stages.count(), 1)
        self.assertEqual(self.client.post(url, self.stage_data(payment_percent="９０")).status_code, 302)
        self.assertEqual(self.project.stages.last().payment_percent, D(90))

    def test_a_stale_stage_edit_answers_409_with_the_current_values(self):
        self.login(self.liaison)
        url = reverse("initiatives:stage-edit", args=[self.stage.pk])
        first = self.stage_data(kind=StageKind.BUILD, planned_start="2021-03-01", planned_end="2021-10-15", version=1)
        self.assertEqual(self.client.post(url, first).status_code, 302)
        stale = {**first, "planned_end": "2021-11-30", "note": "晚到的修改"}
        response = self.client.post(url, stale)
        self.assertEqual(response.status_code, 409)
        form = response.context["form"]
        self.assertEqual(form.data["planned_end"], "2021-10-15")
        self.assertEqual(form.data["version"], 2)
        self.stage.refresh_from_db()
        self.assertEqual((self.stage.planned_end, self.stage.note, self.stage.version), (date(2021, 10, 15), "", 2))


class DayBoundaryTests(ProjectCase):
    """A stage planned to end on 30 September is late from midnight in Shanghai (16:00 UTC)."""

    def test_the_to_do_list_shows_the_stage_from_the_next_day_in_shanghai(self):
        with time_machine.travel(datetime(2021, 9, 30, 15, 59, 59, tzinfo=UTC), tick=False):
            self.assertEqual(projects.todo_section(self.responsible)[0].rows, [])
            self.assertIsNone(projects.is_delayed(self.stage, projects.today()))
        with time_machine.travel(datetime(2021, 9, 30, 16, 0, 0, tzinfo=UTC), tick=False):
            self.assertEqual(projects.is_delayed(self.stage, projects.today()), projects.Delay.OVERDUE)
            rows = projects.todo_section(self.responsible)[0].rows
            self.assertEqual(len(rows), 1)
            self.assertTrue(rows[0].urgent)
            self.assertEqual(rows[0].url, self.detail())
            self.assertEqual(projects.todo_section(self.outsider)[0].rows, [])
            # The owner's liaison is not responsible for this stage: not on their list.
            self.assertEqual(projects.todo_section(self.liaison)[0].rows, [])
            self.login(self.responsible)
            response = self.client.get(reverse("progress:todo"))
            self.assertContains(response, 'data-testid="todo-project-stages"')
            self.assertContains(self.client.get(self.detail()), 'data-testid="stage-overdue"')


@time_machine.travel(datetime(2021, 9, 20, 2, 0, tzinfo=UTC), tick=False)
class QueryCountTests(ProjectCase):
    def queries(self, url: str) -> int:
        self.client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def grow(self, n: int) -> None:
        for i in range(n):
            owner = Department.objects.create(name=f"部门{Department.objects.count()}", kind="functional", order=10 + i)
            parent = MajorProject.objects.create(year=self.year, name=f"项目{i}", owner=owner)
            parent.related_departments.add(self.dept_b)
            for j in range(2):
                sub = MajorProject.objects.create(year=self.year, name=f"子项目{i}-{j}", owner=owner, parent=parent)
                for k in range(3):
                    ProjectStage.objects.create(
                        project=sub,
                        kind=StageKind.BUILD,
                        planned_start=date(2021, 3, 1),
                        planned_end=date(2021, 4 + k, 1),
                        responsible=self.dept_empty,
                    )
            sub = MajorProject.objects.create(
                year=self.year, name=f"本部门子项目{i}", owner=self.dept_a, parent=self.project
            )
            ProjectStage.objects.create(
                project=self.project,
                kind=StageKind.PAYMENT,
                planned_start=date(2021, 3, 1),
                planned_end=date(2021, 3, 2),
                responsible=owner,
                state=StageState.DONE,
                actual_start=date(2021, 3, 1),
                actual_end=date(2021, 3, 2),
                payment_percent=D(10 + i),
            )
            ProjectStage.objects.create(
                project=sub,
                kind=StageKind.TRIAL,
                planned_start=date(2021, 5, 1),
                planned_end=date(2021, 12, 1),
                responsible=owner,
            )

    def test_the_pages_keep_their_query_count_as_projects_grow(self):
        urls = [
            reverse("initiatives:project-list"),
            self.detail(),
            reverse("initiatives:project-gantt", args=[self.project.pk]),
        ]
        for person in (self.office, self.liaison):
            self.login(person)
            self.grow(1)
            small = [self.queries(u) for u in urls]
            self.grow(6)
            large = [self.queries(u) for u in urls]
            self.assertEqual(small, large, person.username)
        gantt = json.loads(self.client.get(urls[2]).content)
        # Its own first stage, 14 payments and the 14 sub-projects' stages.
        self.assertEqual(len(gantt["rows"]), 1 + 14 + 14)


class GanttDataTests(SimpleTestCase):
    def test_a_stage_running_for_years_is_drawn_to_the_end_of_the_planned_span(self):
        running = stage(StageKind.TRIAL, state=StageState.RUNNING, actual_start=date(2021, 7, 1), pk=1)
        done = stage(
            StageKind.BUILD, state=StageState.DONE, actual_start=date(2021, 3, 1), actual_end=date(2021, 6, 20), pk=2
        )
        data = projects.gantt_rows(project(done, running), date(2026, 12, 3))
        self.assertEqual(data["until"], "2021-12-31")
        rows = {r["id"]: r for r in data["rows"]}
        self.assertEqual(rows[1]["actual"], ["2021-07-01", "2026-12-03"])  # the tooltip keeps the real span
        self.assertEqual(rows[1]["drawn"], ["2021-07-01", "2021-12-31"])
        self.assertEqual(rows[2]["drawn"], ["2021-03-01", "2021-06-20"])
        self.assertEqual(rows[1]["delay"], "overdue")
