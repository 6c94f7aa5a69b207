"""A round in Chromium: the office announces it, a department sends its self-check, an inspector
verifies one item as partly done, and the statistics page shows the new figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import IndicatorKind, Target, TargetPlan
from kaohe.plans.tests.factories import make_target
from kaohe.plans.tests.test_browser import LAPTOP, log_in, screenshot
from kaohe.progress import services as progress_services
from kaohe.progress.models import Status
from kaohe.progress.tests.factories import make_report
from kaohe.supervision.models import SelfCheck, SupervisionRound, Verification
from kaohe.test import make_person

pytestmark = pytest.mark.browser


def make_school():
    year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    office_dept = Department.objects.create(name="质量发展处", kind="functional", order=1)
    mks = Department.objects.create(name="马克思主义学院", kind="teaching", order=2)
    office = make_person("office", Role.OFFICE, office_dept, name="周考核")
    liaison = make_person("mks_liaison", Role.LIAISON, mks, name="孙联络")
    head = make_person("mks_head", Role.HEAD, mks, name="钱院长")
    make_person("inspector", Role.INSPECTOR, name="吴督查")
    plan = TargetPlan.objects.create(year=year, department=mks, state=TargetPlan.State.APPROVED)
    make_target(plan, code="MKS-01", title="思政课程建设", nodes=(date(2021, 9, 30),))
    rooms = make_target(
        plan, code="MKS-02", title="教研室优秀数", kind=IndicatorKind.QUANTIFIED, target_value=Decimal(2), unit="个"
    )
    for target in Target.objects.all():
        node = target.nodes.get()
        report = make_report(
            node,
            by=liaison,
            status=Status.DONE if target == rooms else Status.DONE,
            actual_value=Decimal(1) if target == rooms else None,
        )
        progress_services.decide_report(report=report, by=head, approve=True)
    return office, rooms.nodes.get()


def test_announce_selfcheck_verify_and_see_the_statistics(live_server, page: Page, browser, browser_context_args):
    office, rooms_node = make_school()
    base = live_server.url
    page.set_viewport_size(LAPTOP)

    # The office creates the round from the seed's dates and announces it; the notice is drafted.
    log_in(page, base, "office")
    page.goto(f"{base}/supervision/new/")
    for field, value in {
        "name": "2021年第三季度督查",
        "period_start": "2021-07-01",
        "period_end": "2021年9月30日",
        "notice_date": "2021-09-28",
        "selfcheck_deadline": "２０２１－１０－０４",
        "onsite_start": "2021-10-05",
        "onsite_end": "2021-10-14",
    }.items():
        page.locator(f"#id_{field}").fill(value)
    page.locator("form[data-testid=round-form] button[type=submit]").click()
    round_ = SupervisionRound.objects.get()
    expect(page).to_have_url(f"{base}/supervision/{round_.pk}/")
    expect(page.get_by_test_id("notice-title")).to_have_text(
        "关于对各部门重点工作目标完成情况进行（第三季度）督查的通知"
    )
    page.get_by_test_id("round-advance").click()
    expect(page.get_by_test_id("round-state")).to_have_attribute("data-state", "announced")
    page.get_by_test_id("round-inspectors").click()
    department = Department.objects.get(name="马克思主义学院")
    page.locator(f"#id_d{department.pk}").select_option(label="吴督查（inspector）")
    page.locator("form[data-testid=inspectors-form] button[type=submit]").click()
    expect(page.get_by_test_id("round-departments")).to_contain_text("吴督查")

    # The department's liaison finds the notice, writes the self-check and sends it to the head.
    liaison = browser.new_context(**browser_context_args)
    liaison_page = liaison.new_page()
    log_in(liaison_page, base, "mks_liaison")
    liaison_page.goto(f"{base}/supervision/{round_.pk}/")
    expect(liaison_page.get_by_test_id("notice-text")).to_contain_text("10月5日—10月14日")
    liaison_page.get_by_test_id("own-selfcheck").click()
    expect(liaison_page.get_by_test_id("selfcheck-line")).to_have_count(2)
    liaison_page.locator("#id_summary").fill("第三季度应完成2项，已完成1项，教研室优秀数完成1个。")
    liaison_page.locator("#id_suggestions").fill("考核办法仍需继续改进调整。")
    liaison_page.get_by_test_id("selfcheck-submit").click()
    check = SelfCheck.objects.get(round=round_)
    expect(liaison_page.locator("body")).to_contain_text("待审核")
    assert check.state == SelfCheck.State.SUBMITTED
    liaison.close()

    # The office moves the round on site; the inspector verifies the rooms item: 1 of 2 → credit 0.5.
    page.goto(f"{base}/supervision/{round_.pk}/")
    page.get_by_test_id("round-advance").click()
    expect(page.get_by_test_id("round-state")).to_have_attribute("data-state", "onsite")
    inspector = browser.new_context(**browser_context_args)
    inspector_page = inspector.new_page()
    log_in(inspector_page, base, "inspector")
    inspector_page.goto(f"{base}/progress/todo/")
    inspector_page.get_by_test_id("todo-inspections").get_by_role("link").first.click()
    expect(inspector_page).to_have_url(f"{base}/supervision/{round_.pk}/departments/{department.pk}/")
    item = Verification.objects.get(round=round_, node=rooms_node)
    card = inspector_page.locator(f"#item-{item.pk}")
    card.locator(f"#id_v{item.pk}_result").select_option("partial")
    expect(card.locator(f"#id_v{item.pk}_actual_value")).to_have_value("1")
    card.locator(f"#id_v{item.pk}_reason").fill("教研室优秀数目标设置为2个，完成1个，完成率50%")
    card.locator(f"#id_v{item.pk}_archive_rating").select_option("good")
    screenshot(inspector_page, "supervision-verify.png")
    card.get_by_test_id("verify-submit").click()
    expect(inspector_page.locator(f"#item-{item.pk} [data-testid=record-credit]")).to_contain_text("0.5")
    expect(inspector_page.get_by_test_id("fig-completed")).to_have_text("0.5")
    inspector.close()

    # The statistics page: 2 due, 0.5 completed (the other item is not verified yet), 25%.
    page.goto(f"{base}/supervision/{round_.pk}/stats/")
    expect(page.get_by_test_id("school-due")).to_have_text("2")
    expect(page.get_by_test_id("school-completed")).to_have_text("0.5")
    expect(page.get_by_test_id("school-percent")).to_have_text("25.0%")
    expect(page.get_by_test_id("stats-incomplete")).to_contain_text("教研室优秀数")
    expect(page.get_by_test_id("stats-unverified")).to_contain_text("1")
    screenshot(page, "supervision-stats.png")
