"""A project's schedule in Chromium: the owner department's liaison adds a stage on the project's
page, and the Gantt chart (drawn on a canvas, its data in the page and from project-gantt) gains a bar."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from kaohe.initiatives.models import MajorProject, ProjectStage, StageKind, StageState
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.tests.test_browser import LAPTOP, log_in, screenshot, translated
from kaohe.test import make_person

pytestmark = pytest.mark.browser


def make_project() -> MajorProject:
    year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    wxb = Department.objects.create(name="网信办", kind="functional", order=1)
    make_person("wxb_liaison", Role.LIAISON, wxb, name="王联络")
    project = MajorProject.objects.create(year=year, name="人事管理系统", owner=wxb)
    ProjectStage.objects.create(
        project=project,
        kind=StageKind.BUILD,
        planned_start=date(2021, 3, 1),
        planned_end=date(2021, 6, 30),
        actual_start=date(2021, 3, 5),
        actual_end=date(2021, 7, 10),
        state=StageState.DONE,
        responsible=wxb,
        order=1,
    )
    return project


def chart_rows(page: Page) -> int:
    return page.evaluate("() => JSON.parse(document.getElementById('project-gantt-data').textContent).rows.length")


def test_a_liaison_adds_a_stage_and_the_gantt_chart_grows(live_server, page: Page):
    project = make_project()
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size(LAPTOP)
    log_in(page, base, "wxb_liaison")

    page.goto(f"{base}/initiatives/projects/")
    page.get_by_role("link", name="人事管理系统").click()
    expect(page).to_have_url(f"{base}/initiatives/projects/{project.pk}/")
    chart = page.get_by_test_id("gantt-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    # One stage, planned and actual: two bars.
    expect(chart).to_have_attribute("data-bars", "2")
    assert chart_rows(page) == 1
    expect(page.get_by_test_id("stage-late")).to_have_text(translated("finished late"))

    form = page.get_by_test_id("stage-form")
    form.locator("#id_kind").select_option(StageKind.DEPLOY)
    form.locator("#id_planned_start").fill("2021/7/1")
    form.locator("#id_planned_end").fill("2021年7月31日")
    form.locator("#id_state").select_option(StageState.PLANNED)
    screenshot(page, "project-stage.png")
    with page.expect_navigation():
        form.get_by_test_id("stage-submit").click()

    expect(page).to_have_url(f"{base}/initiatives/projects/{project.pk}/")
    expect(page.get_by_test_id("stage-row")).to_have_count(2)
    assert chart_rows(page) == 2
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-bars", "3")
    added = ProjectStage.objects.get(kind=StageKind.DEPLOY)
    assert (added.planned_start, added.planned_end, added.responsible.name) == (
        date(2021, 7, 1),
        date(2021, 7, 31),
        "网信办",
    )

    # The chart's data again from project-gantt: another stage saved meanwhile shows on refresh.
    ProjectStage.objects.create(
        project=project,
        kind=StageKind.TRAINING,
        planned_start=date(2021, 8, 1),
        planned_end=date(2021, 8, 15),
        responsible=added.responsible,
        order=3,
    )
    page.get_by_test_id("gantt-refresh").click()
    expect(chart).to_have_attribute("data-bars", "4")
    expect(page.get_by_test_id("status-sentence")).to_contain_text("已完成开发")
    assert errors == []
