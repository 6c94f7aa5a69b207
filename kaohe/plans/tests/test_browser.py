"""What people do with target plans in Chromium: the draft → check → submit → approve workflow, and
the Excel import that shows its problems by sheet and row before anything is written.

Each test builds its small school with the ORM in the live server's database and drives the real
pages through Playwright; every check waits with ``expect`` instead of sleeping. Words still being
translated are computed from the server's own catalog (``translated``) or left to data-testid and
the ORM.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import ImportJob, Target, TargetPlan
from kaohe.plans.tests import workbooks
from kaohe.plans.tests.test_import import GOOD, GOOD_NODES
from kaohe.test import PASSWORD, make_person

pytestmark = pytest.mark.browser

# Screenshots for docs/ are refreshed on request (KAOHE_SCREENSHOTS=docs/screenshots), not on every run.
SCREENSHOTS = os.getenv("KAOHE_SCREENSHOTS", "")
LAPTOP = {"width": 1366, "height": 768}


def translated(message: str, language: str = "zh-hans") -> str:
    """The words the page shows for ``message`` in ``language``, from the same catalog the server uses."""
    with translation.override(language):
        return translation.gettext(message)


def number(n: int) -> re.Pattern[str]:
    """Text that shows the number ``n`` and no longer number containing it."""
    return re.compile(rf"(^|\D){n}(\D|$)")


def log_in(page: Page, base_url: str, username: str) -> None:
    """Fill in and send the login form; the ids do not depend on the page's language."""
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


@dataclass
class School:
    year: AssessmentYear
    office_dept: Department
    jwc: Department
    mks: Department


def make_school() -> School:
    year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    office_dept = Department.objects.create(name="质量发展处", kind="functional", order=1)
    jwc = Department.objects.create(name="教务处", kind="functional", order=2)
    mks = Department.objects.create(name="马克思主义学院", short_name="马院", kind="teaching", order=3)
    make_person("office", Role.OFFICE, office_dept, name="周考核")
    make_person("jwc_head", Role.HEAD, jwc, name="钱处长")
    make_person("jwc_liaison", Role.LIAISON, jwc, name="孙联络")
    return School(year, office_dept, jwc, mks)


def save_button(page: Page):
    return page.locator("form:has(#id_code) button[type=submit]")


def test_plan_workflow_draft_check_submit_approve(live_server, page: Page, browser, browser_context_args):
    school = make_school()
    plan = TargetPlan.objects.create(year=school.year, department=school.jwc)
    base = live_server.url
    plan_url = f"{base}/plans/{plan.pk}/"
    state = page.get_by_test_id("plan-state")
    check = page.get_by_test_id("plan-check")
    no_weight = translated("No weight.")
    no_core = translated("No target is marked as a core indicator.")
    page.set_viewport_size(LAPTOP)

    # The liaison finds their department's draft plan through the menu.
    log_in(page, base, "jwc_liaison")
    page.locator("header nav a[href='/plans/']").click()
    expect(page).to_have_url(f"{base}/plans/")
    page.get_by_test_id("plan-table").get_by_role("link", name="教务处").click()
    expect(page).to_have_url(plan_url)
    expect(page.locator("h1")).to_contain_text("教务处")
    expect(state).to_have_text(translated("Draft"))
    expect(page.get_by_test_id("target-table").locator("tbody tr")).to_have_text(translated("No target yet."))
    expect(page.get_by_test_id("plan-submit")).to_have_count(0)  # a liaison prepares, the head submits

    # A new quantified target, typed the way people type: full-width digits, a 年月日 date, no weight yet.
    page.locator(f"a[href='/plans/{plan.pk}/targets/new/']").click()
    expect(page).to_have_url(f"{plan_url}targets/new/")
    page.locator("#id_code").fill("JWC-01")
    page.locator("#id_title").fill("评选校级教学名师")
    page.locator("#id_category").select_option("key")
    page.locator("#id_kind").select_option("quantified")
    page.locator("#id_target_value").fill("５")
    page.locator("#id_unit").fill("人")
    page.locator("#id_responsible").fill("钱处长")
    expect(page.locator("#id_core")).not_to_be_checked()
    page.locator("#id_nodes-0-due_date").fill("２０２１－０６－３０")
    page.locator("#id_nodes-0-deliverable").fill("推荐名单")
    page.locator("#id_nodes-0-expected_value").fill("２")
    page.locator("#id_nodes-1-due_date").fill("2021年9月30日")
    page.locator("#id_nodes-1-expected_value").fill("５")
    save_button(page).click()

    expect(page).to_have_url(plan_url)
    target = Target.objects.get(code="JWC-01")
    expect(page.locator(f"#target-{target.pk}")).to_contain_text("评选校级教学名师")
    assert (target.kind, target.target_value, target.unit, target.weight, target.core) == (
        "quantified",
        Decimal(5),
        "人",
        None,
        False,
    )
    assert [(n.due_date, n.expected_value) for n in target.nodes.all()] == [
        (date(2021, 6, 30), Decimal(2)),
        (date(2021, 9, 30), Decimal(5)),
    ]
    # The check panel: an error for the missing weight (naming the target), a warning for no core target.
    expect(check.locator(".list-group-item", has_text=no_weight)).to_contain_text("JWC-01")
    expect(check.locator(".list-group-item", has_text=no_core)).to_have_count(1)
    expect(check.locator(".badge.bg-red")).to_have_count(1)
    expect(check.locator(".badge.bg-yellow")).to_have_count(1)

    # The head, in a browser of their own, sees the same check and cannot submit yet.
    head_context = browser.new_context(**browser_context_args, viewport=LAPTOP)
    office_context = browser.new_context(**browser_context_args, viewport=LAPTOP)
    try:
        head = head_context.new_page()
        log_in(head, base, "jwc_head")
        head.goto(plan_url)
        head_check = head.get_by_test_id("plan-check")
        expect(head_check.locator(".list-group-item", has_text=no_weight)).to_contain_text("JWC-01")
        expect(head.get_by_test_id("plan-submit")).to_be_disabled()
        expect(head.locator("#id_warnings_note")).to_be_visible()
        screenshot(head, "plan-check.png")

        # The liaison adds the weight (again in full-width digits) and leaves the nodes as they are.
        page.get_by_test_id("target-table").get_by_role("link", name="评选校级教学名师").click()
        expect(page).to_have_url(f"{base}/plans/targets/{target.pk}/")
        page.locator(f"a[href='/plans/targets/{target.pk}/edit/']").click()
        expect(page.locator("#id_weight")).to_have_value("")
        expect(page.locator("#id_nodes-1-due_date")).to_have_value(re.compile(r"^2021\D0?9\D30$"))
        page.locator("#id_weight").fill("２０")
        save_button(page).click()
        expect(page).to_have_url(plan_url)
        target.refresh_from_db()
        assert target.weight == Decimal(20)
        assert [(n.due_date, n.expected_value) for n in target.nodes.all()] == [
            (date(2021, 6, 30), Decimal(2)),
            (date(2021, 9, 30), Decimal(5)),
        ], "saving the edit form without touching the nodes dropped them"
        expect(check.locator(".list-group-item", has_text=no_weight)).to_have_count(0)
        expect(check.locator(".badge.bg-red")).to_have_count(0)
        expect(check.locator(".list-group-item", has_text=no_core)).to_have_count(1)
        expect(page.locator(f"#target-{target.pk}")).to_contain_text("20")

        # The head checks again (htmx swaps the panel), then submits with a word on the warning.
        head_check.locator("a[hx-get]").click()
        expect(head_check.locator(".badge.bg-red")).to_have_count(0)
        expect(head_check.locator(".list-group-item", has_text=no_core)).to_have_count(1)
        head.reload()
        expect(head.get_by_test_id("plan-submit")).to_be_enabled()
        explanation = "核心指标由学校统一确定，本处今年不单列核心指标。"
        head.locator("#id_warnings_note").fill(explanation)
        head.get_by_test_id("plan-submit").click()
        expect(head).to_have_url(plan_url)
        expect(head.get_by_test_id("plan-state")).to_have_text(translated("Submitted"))
        expect(head.get_by_role("alert")).to_contain_text(
            translated("The plan has been submitted to the assessment office.")
        )
        expect(head.get_by_role("note")).to_contain_text(explanation)
        expect(head.get_by_test_id("plan-submit")).to_have_count(0)
        plan.refresh_from_db()
        assert (plan.state, plan.warnings_note, plan.submitted_by.username) == ("submitted", explanation, "jwc_head")

        # The assessment office approves.
        office = office_context.new_page()
        log_in(office, base, "office")
        office.goto(plan_url)
        expect(office.get_by_test_id("plan-state")).to_have_text(translated("Submitted"))
        expect(office.get_by_role("note")).to_contain_text(explanation)
        office.get_by_test_id("plan-approve").click()
        expect(office).to_have_url(plan_url)
        expect(office.get_by_test_id("plan-state")).to_have_text(translated("Approved"))
        expect(office.get_by_test_id("plan-approve")).to_have_count(0)
        plan.refresh_from_db()
        assert (plan.state, plan.decided_by.username) == ("approved", "office")
    finally:
        head_context.close()
        office_context.close()

    # The approved plan is locked for the liaison: no new-target button, and the edit page refuses.
    page.reload()
    expect(state).to_have_text(translated("Approved"))
    expect(page.locator(f"a[href='/plans/{plan.pk}/targets/new/']")).to_have_count(0)
    response = page.goto(f"{base}/plans/targets/{target.pk}/edit/")
    assert response is not None and response.status == 403
    expect(page.locator("#id_weight")).to_have_count(0)


def test_excel_import_shows_errors_then_goes_through(live_server, page: Page, tmp_path):
    make_school()
    base = live_server.url
    page.set_viewport_size(LAPTOP)
    bad_rows = [
        GOOD[0],  # 目标 row 2
        {**GOOD[1], "责任部门": "不存在的学院"},  # row 3: no such department
        {**GOOD[0], "标题": "重复代码"},  # row 4: JWC-01 again
    ]
    # 节点 row 2: a day-first date. Row 4 (MKS-01) belongs to the target row refused above: that row's
    # problem is reported once, not again for its node.
    bad_nodes = [["JWC-01", "30/09/2021", "", 5], *GOOD_NODES[1:]]
    bad_file = tmp_path / "目标-有错.xlsx"
    bad_file.write_bytes(workbooks.xlsx(workbooks.sheets(bad_rows, bad_nodes)))
    good_file = tmp_path / "目标-改正.xlsx"
    good_file.write_bytes(workbooks.xlsx(workbooks.sheets(GOOD, GOOD_NODES)))
    upload = page.locator("#id_file")
    check_button = page.locator("form:has(#id_file) button[type=submit]")
    status = page.get_by_test_id("job-status")

    log_in(page, base, "office")
    page.locator("header nav a[href='/plans/']").click()
    page.locator("a[href='/plans/import/?year=2021']").click()
    expect(page).to_have_url(f"{base}/plans/import/?year=2021")
    upload.set_input_files(bad_file)
    check_button.click()

    job = ImportJob.objects.get()
    expect(page).to_have_url(f"{base}/plans/import/{job.pk}/")
    expect(page.locator("h1")).to_have_text(bad_file.name)
    expect(status).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("import-errors")).to_contain_text(number(3))
    rows = page.get_by_test_id("import-error-table").locator("tbody tr")
    expect(rows).to_have_count(3)

    def row_label(n: int) -> str:
        return translated("Row %(number)s") % {"number": n}

    def no_department(name: str) -> str:
        return translated("No department is called “%(name)s”.") % {"name": name}

    duplicate = translated("The code %(code)s is also in row %(row)d.") % {"code": "JWC-01", "row": 2}
    day_first = translated("Enter a date as year-month-day, e.g. 2021-09-30.")
    for row, (sheet, number_, problem) in zip(
        rows.all(),
        [
            ("目标", 3, no_department("不存在的学院")),
            ("目标", 4, duplicate),
            ("节点", 2, day_first),
        ],
        strict=True,
    ):
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(sheet)
        expect(cells.nth(1)).to_have_text(row_label(number_))
        expect(cells.nth(2)).to_contain_text(problem)
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    expect(page.get_by_test_id("import-ready")).to_have_count(0)
    screenshot(page, "import-errors.png")
    assert not Target.objects.exists()
    assert not TargetPlan.objects.exists()

    # The corrected file passes the check; nothing is written before the office confirms.
    page.locator("a[href='/plans/import/?year=2021']", has_text=translated("Upload a corrected file")).click()
    expect(page).to_have_url(f"{base}/plans/import/?year=2021")
    upload.set_input_files(good_file)
    check_button.click()
    job = ImportJob.objects.latest("pk")
    expect(page).to_have_url(f"{base}/plans/import/{job.pk}/")
    expect(status).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("import-ready")).to_have_text(
        translated("The file is correct: %(create)s new targets, %(update)s changed, %(unchanged)s unchanged.")
        % {"create": 2, "update": 0, "unchanged": 0}
    )
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    assert not Target.objects.exists()

    page.get_by_test_id("import-confirm").click()
    expect(page).to_have_url(f"{base}/plans/import/{job.pk}/")
    expect(status).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("import-done")).to_have_text(
        translated("Imported: %(create)s new, %(update)s changed, %(unchanged)s unchanged.")
        % {"create": 2, "update": 0, "unchanged": 0}
    )
    targets = {t.code: t for t in Target.objects.select_related("plan__department")}
    assert {code: t.plan.department.name for code, t in targets.items()} == {
        "JWC-01": "教务处",
        "MKS-01": "马克思主义学院",
    }
    assert [(n.due_date, n.expected_value) for n in targets["JWC-01"].nodes.all()] == [
        (date(2021, 6, 30), Decimal(2)),
        (date(2021, 9, 30), Decimal(5)),
    ]

    # The plan list shows one new draft target for each of the two departments.
    page.locator("a[href='/plans/?year=2021']").last.click()
    expect(page).to_have_url(f"{base}/plans/?year=2021")
    table = page.get_by_test_id("plan-table")
    for name in ("教务处", "马克思主义学院"):
        cells = table.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True)).locator("td")
        expect(cells.nth(2)).to_have_text("1")
        expect(cells.nth(3)).to_have_text(translated("Draft"))
    expect(table.locator("tbody tr", has_text="质量发展处").locator("td").nth(2)).to_have_text("0")
    table.get_by_role("link", name="教务处", exact=True).click()
    expect(page.get_by_test_id("target-table")).to_contain_text("JWC-01")
    expect(page.get_by_test_id("target-table")).to_contain_text("评选校级教学名师")
