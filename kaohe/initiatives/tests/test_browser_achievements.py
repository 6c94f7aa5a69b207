"""An award from the liaison to the office, in Chromium: registered with a PDF, verified, listed as verified."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kaohe.initiatives.models import Achievement
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.tests.test_browser import LAPTOP, log_in, screenshot, translated
from kaohe.test import make_person

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_school() -> None:
    AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    office_dept = Department.objects.create(name="质量发展处", kind="functional", order=1)
    jwc = Department.objects.create(name="教务处", kind="functional", order=3)
    Department.objects.create(name="机电工程学院", kind="teaching", order=2)
    make_person("office", Role.OFFICE, office_dept, name="周考核")
    make_person("jwc_liaison", Role.LIAISON, jwc, name="李联络")


def test_a_liaison_registers_an_award_and_the_office_verifies_it(
    live_server, page: Page, browser, browser_context_args
):
    make_school()
    base = live_server.url
    page.set_viewport_size(LAPTOP)

    # The liaison registers the award from the list, with the certificate as a PDF.
    log_in(page, base, "jwc_liaison")
    page.goto(f"{base}/initiatives/achievements/")
    page.get_by_test_id("achievement-create").click()
    expect(page).to_have_url(f"{base}/initiatives/achievements/new/")
    page.locator("#id_title").fill("2021年河南省教师教学能力大赛二等奖")
    page.locator("#id_date").fill("2021-09-15")
    page.locator("#id_kind").select_option("competition")
    page.locator("#id_level").select_option("provincial")
    page.locator("#id_grade").select_option("second")
    page.locator("#id_people").fill("6个参赛团队")
    page.locator("#id_files").set_input_files([{"name": "获奖证书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    screenshot(page, "achievement-form.png")
    page.get_by_test_id("achievement-submit").click()
    item = Achievement.objects.get()
    expect(page).to_have_url(f"{base}/initiatives/achievements/{item.pk}/")
    expect(page.get_by_test_id("achievement-state")).to_have_text(translated("Awaiting verification"))
    expect(page.get_by_test_id("achievement-file-link")).to_have_text("获奖证书.pdf")

    # The office opens it from the list and verifies it.
    office = browser.new_context(**browser_context_args, viewport=LAPTOP)
    try:
        office_page = office.new_page()
        log_in(office_page, base, "office")
        office_page.goto(f"{base}/initiatives/achievements/")
        office_page.get_by_test_id("achievement-link").filter(has_text="教师教学能力大赛").click()
        expect(office_page).to_have_url(f"{base}/initiatives/achievements/{item.pk}/")
        office_page.get_by_test_id("achievement-verify").click()
        expect(office_page.get_by_test_id("achievement-state")).to_have_text(translated("Verified"))
        expect(office_page.get_by_test_id("achievement-verified-by")).to_contain_text("周考核")
    finally:
        office.close()

    # The liaison's list shows it as verified, under the functional departments.
    page.goto(f"{base}/initiatives/achievements/")
    row = page.get_by_test_id("achievement-row").filter(has_text="教师教学能力大赛")
    expect(row.get_by_test_id("achievement-state")).to_have_attribute("data-state", "verified")
    expect(row.get_by_test_id("achievement-state")).to_have_text(translated("Verified"))
    expect(page.get_by_test_id("achievement-group")).to_have_text(translated("Functional department"))
    screenshot(page, "achievement-list.png")
