"""What a person sees in Chromium: logins, department visibility, the language switch, lockout.

Each test loads the demo school into the live server's database and drives the real pages
through Playwright; every check waits with ``expect`` instead of sleeping.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from kaohe.demo.management.commands.load_demo import load
from kaohe.demo.school import DEMO_PASSWORD
from kaohe.org import login
from kaohe.org.models import Department, User

pytestmark = pytest.mark.browser

# Screenshots for docs/ are refreshed on request (KAOHE_SCREENSHOTS=docs/screenshots), not on every run.
SCREENSHOTS = os.getenv("KAOHE_SCREENSHOTS", "")


def translated(message: str, language: str = "zh-hans") -> str:
    """The words the page shows for ``message`` in ``language``, from the same catalog the server uses."""
    with translation.override(language):
        return translation.gettext(message)


def number(n: int) -> re.Pattern[str]:
    """Text that shows the number ``n`` and no longer number containing it (35, not 135 or 350)."""
    return re.compile(rf"(^|\D){n}(\D|$)")


def log_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill in and send the login form; the ids do not depend on the page's language."""
    if not page.url.startswith(f"{base_url}/login/"):
        page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    # Wait for the server's answer, so that a failed attempt is counted before the next one.
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.startswith(f"{base_url}/login/")):
        login_button(page).click()


def login_button(page: Page):
    return page.locator("form:has(#id_password) button[type=submit]")


def department_rows(page: Page):
    return page.get_by_test_id("department-table").locator("tbody tr")


def test_liaison_sees_only_their_own_department(live_server, page: Page):
    load()
    base = live_server.url
    assert base.startswith("http://127.0.0.1:")
    own = Department.objects.get(name="马克思主义学院")
    other = Department.objects.get(name="教务处")

    log_in(page, base, "mks_liaison")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("current-user")).to_have_text("陈联络（mks_liaison）")
    expect(page.get_by_test_id("role-badge")).to_have_count(1)
    expect(page.get_by_test_id("role-badge")).to_contain_text("马克思主义学院")
    own_list = page.get_by_test_id("own-departments").locator("li")
    expect(own_list).to_have_count(1)
    expect(own_list).to_have_text("马克思主义学院")
    # A liaison does not get the whole school's counts.
    expect(page.get_by_test_id("department-total")).to_have_count(0)

    page.locator("header nav a[href='/org/departments/']").click()
    expect(page).to_have_url(f"{base}/org/departments/")
    rows = department_rows(page)
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("马克思主义学院")
    expect(page.get_by_test_id("department-count")).to_have_text(number(1))
    expect(page.get_by_test_id("department-table")).not_to_contain_text("教务处")

    # Their own department opens; another department's address answers "not found".
    rows.first.get_by_role("link", name="马克思主义学院").click()
    expect(page).to_have_url(f"{base}/org/departments/{own.pk}/")
    expect(page.get_by_test_id("department-name")).to_have_text("马克思主义学院")

    response = page.goto(f"{base}/org/departments/{other.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator(".empty-title")).to_have_text(translated("This page does not exist."))
    expect(page.get_by_test_id("department-name")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("教务处")


def test_office_sees_all_35_departments(live_server, page: Page):
    load()
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})

    log_in(page, base, "office")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("department-total")).to_have_text(number(35))

    page.get_by_test_id("department-total").click()
    expect(page).to_have_url(f"{base}/org/departments/")
    expect(page.get_by_test_id("department-count")).to_have_text(number(35))
    rows = department_rows(page)
    expect(rows).to_have_count(35)  # one page: the page size is 50
    expect(rows.first.locator("td").nth(1)).to_have_text("马克思主义学院")
    expect(rows.last.locator("td").nth(1)).to_have_text("档案馆")

    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / "departments.png"))


def test_language_switch(live_server, page: Page):
    load()
    base = live_server.url
    html = page.locator("html")

    def switch_to(code: str):
        # Located by the language code: the button's words are what test_language_names checks.
        return page.get_by_test_id("language-switch").locator(f"button[value='{code}']")

    page.goto(f"{base}/login/")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(login_button(page)).to_have_text("登录")
    expect(page.locator("label[for=id_username]")).to_have_text(translated("Username"))
    expect(page.get_by_test_id("language-switch").get_by_role("button")).to_have_count(1)

    switch_to("en").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{base}/login/")
    expect(login_button(page)).to_have_text("Log in")
    expect(page.locator("label[for=id_username]")).to_have_text("Username")
    expect(switch_to("zh-hans")).to_have_text("简体中文")

    log_in(page, base, "mks_liaison")
    expect(page).to_have_url(f"{base}/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Welcome, 陈联络")
    page.locator("header nav").get_by_role("link", name="Departments").click()
    expect(page).to_have_url(f"{base}/org/departments/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Departments")
    expect(page.get_by_test_id("department-count")).to_have_text("1 department")

    switch_to("zh-hans").click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(f"{base}/org/departments/")
    expect(page.locator("h1")).to_have_text("部门")
    expect(page.locator("header nav").get_by_role("link", name="部门", exact=True)).to_be_visible()
    expect(switch_to("en")).to_be_visible()


def test_each_language_is_named_in_itself(live_server, page: Page):
    """A reader of either language can always find the way back."""
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("language-switch").get_by_role("button")).to_have_text(["English"], timeout=1000)


def test_lockout_and_unlock(live_server, page: Page, browser, browser_context_args):
    load()
    base = live_server.url
    person = User.objects.get(username="jwc_liaison")
    error = page.get_by_test_id("login-error")
    wrong = translated("The username or password is not correct.")
    with translation.override("zh-hans"):
        locked = translation.gettext(
            "Too many failed logins. This account is locked for %(minutes)d minutes; "
            "an administrator can unlock it sooner."
        ) % {"minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES}
    # Both messages come from the Chinese catalog, and they differ.
    assert "username" not in wrong and "Too many" not in locked and locked != wrong

    page.goto(f"{base}/login/")
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(page, base, "jwc_liaison", f"wrong-{attempt}")
        expect(error).to_have_text(wrong)

    assert login.failures("jwc_liaison") == settings.LOGIN_FAILURE_LIMIT

    # The right password is refused now, and the person stays on the login page.
    log_in(page, base, "jwc_liaison")
    expect(error).to_have_text(locked)
    expect(error).to_contain_text(str(settings.LOGIN_FAILURE_WINDOW_MINUTES))
    expect(page).to_have_url(f"{base}/login/")
    expect(page.locator("#id_password")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/login/")))
    expect(page.get_by_test_id("current-user")).to_have_count(0)

    # The administrator, in a browser of their own, sees the lock and lifts it.
    admin_context = browser.new_context(**browser_context_args)
    try:
        admin = admin_context.new_page()
        log_in(admin, base, "sysadmin")
        expect(admin.get_by_test_id("current-user")).to_have_text("蒋管理（sysadmin）")
        admin.goto(f"{base}/org/people/{person.pk}/")
        expect(admin.locator("h1")).to_have_text("孙联络（jwc_liaison）")
        expect(admin.get_by_test_id("locked")).to_be_visible()
        unlock = admin.locator(f"form[action='/org/people/{person.pk}/unlock/'] button")
        expect(unlock).to_have_text("解锁")
        unlock.click()
        expect(admin).to_have_url(f"{base}/org/people/{person.pk}/")
        expect(admin.get_by_role("alert")).to_contain_text("孙联络（jwc_liaison）")
        expect(admin.get_by_test_id("locked")).to_have_count(0)
        expect(unlock).to_have_count(0)
    finally:
        admin_context.close()

    log_in(page, base, "jwc_liaison")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_test_id("current-user")).to_have_text("孙联络（jwc_liaison）")
    expect(page.get_by_test_id("own-departments")).to_have_text("教务处")
