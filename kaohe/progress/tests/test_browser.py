"""A report with a file, from the liaison to the head to the office, in Chromium; and files that
carry script never run it.

Each test builds a small school with the ORM in the live server's database and drives the real
pages through Playwright, waiting with ``expect`` instead of sleeping.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.plans.models import Node, Target, TargetPlan
from kaohe.plans.tests.test_browser import LAPTOP, log_in, screenshot, translated
from kaohe.progress.models import Evidence, ProgressReport
from kaohe.test import make_person

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A PNG header followed by HTML: it passes as an image, so only the download headers keep it inert.
POLYGLOT = b"\x89PNG\r\n\x1a\n<html><body><script>alert('polyglot')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg")</script></svg>'


def make_school() -> Node:
    year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
    office_dept = Department.objects.create(name="质量发展处", kind="functional", order=1)
    mks = Department.objects.create(name="马克思主义学院", kind="teaching", order=2)
    jwc = Department.objects.create(name="教务处", kind="functional", order=3)
    make_person("office", Role.OFFICE, office_dept, name="周考核")
    make_person("mks_liaison", Role.LIAISON, mks, name="孙联络")
    make_person("mks_head", Role.HEAD, mks, name="钱院长")
    make_person("jwc_liaison", Role.LIAISON, jwc, name="李联络")
    plan = TargetPlan.objects.create(year=year, department=mks, state=TargetPlan.State.APPROVED)
    target = Target.objects.create(plan=plan, year=year, code="MKS-03", title="建设VR思政体验教室", weight=Decimal(5))
    return Node.objects.create(target=target, due_date=date(2021, 9, 30), deliverable="完成建设并投入使用")


def test_report_with_a_file_goes_from_liaison_to_head_to_office(live_server, page: Page, browser, browser_context_args):
    node = make_school()
    base = live_server.url
    page.set_viewport_size(LAPTOP)

    # The liaison reports from the node page, with a PDF; the form is sent once.
    log_in(page, base, "mks_liaison")
    page.goto(f"{base}/plans/targets/{node.target_id}/")
    page.get_by_test_id("node-link").first.click()
    expect(page).to_have_url(f"{base}/progress/nodes/{node.pk}/")
    page.get_by_test_id("report-create").click()
    page.locator("#id_status").select_option("done")
    page.locator("#id_narrative").fill("VR教室已完成建设，9月28日投入使用。")
    page.locator("#id_kind").select_option("summary")
    page.locator("#id_files").set_input_files(
        [{"name": "VR教室验收报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "progress-report.png")
    page.get_by_test_id("report-submit").click()
    report = ProgressReport.objects.get()
    expect(page).to_have_url(f"{base}/progress/reports/{report.pk}/")
    expect(page.get_by_test_id("report-state")).to_have_text(translated("Awaiting approval"))
    expect(page.get_by_test_id("evidence-link")).to_have_text("VR教室验收报告.pdf")
    evidence = Evidence.objects.get()

    # Another department's liaison gets 404 for the report and for the file, like a missing page.
    jwc = browser.new_context(**browser_context_args)
    other = jwc.new_page()
    log_in(other, base, "jwc_liaison")
    for url in (f"/progress/reports/{report.pk}/", f"/progress/evidence/{evidence.pk}/download/"):
        response = other.goto(base + url)
        assert response.status == 404
        expect(other.locator("body")).to_contain_text(translated("This page does not exist."))
    jwc.close()

    # The head finds it in the to-do list and approves it.
    head = browser.new_context(**browser_context_args)
    head_page = head.new_page()
    log_in(head_page, base, "mks_head")
    head_page.goto(f"{base}/progress/todo/")
    head_page.get_by_test_id("todo-approvals").get_by_role("link").first.click()
    expect(head_page).to_have_url(f"{base}/progress/reports/{report.pk}/")
    head_page.get_by_test_id("report-approve").click()
    expect(head_page.get_by_test_id("report-state")).to_have_text(translated("Approved"))
    head.close()

    # The office sees the approved report and downloads its file as an attachment.
    office = browser.new_context(**browser_context_args)
    office_page = office.new_page()
    log_in(office_page, base, "office")
    office_page.goto(f"{base}/progress/nodes/{node.pk}/")
    expect(office_page.get_by_test_id("report-history")).to_contain_text("VR教室已完成建设")
    with office_page.expect_download() as download:
        office_page.get_by_test_id("evidence-link").click()
    assert download.value.suggested_filename == "VR教室验收报告.pdf"
    assert open(download.value.path(), "rb").read() == PDF
    office.close()


def test_files_with_script_never_run_it(live_server, page: Page):
    node = make_school()
    base = live_server.url
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base, "mks_liaison")

    # An SVG with a script is refused by the allowlist, with a message in Chinese.
    page.goto(f"{base}/progress/nodes/{node.pk}/report/")
    page.locator("#id_narrative").fill("现场照片")
    page.locator("#id_files").set_input_files([{"name": "现场.svg", "mimeType": "image/svg+xml", "buffer": SVG}])
    page.get_by_test_id("report-submit").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_contain_text("不接受此类型的文件")
    assert not ProgressReport.objects.exists()

    # A PNG that is also HTML is accepted as an image, but opening it downloads it: no script runs.
    page.locator("#id_narrative").fill("现场照片")
    page.locator("#id_kind").select_option("photo")
    page.locator("#id_files").set_input_files([{"name": "现场.png", "mimeType": "text/html", "buffer": POLYGLOT}])
    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("evidence-link")).to_have_text("现场.png")
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png"
    url = f"{base}/progress/evidence/{evidence.pk}/download/"
    with page.expect_download() as download:
        try:
            page.goto(url)
        except PlaywrightError as exc:  # Chromium reports a navigation that became a download
            assert "Download is starting" in str(exc)
    assert open(download.value.path(), "rb").read() == POLYGLOT
    # Even rendered inside the page (an <img> and a frame), the file stays inert.
    page.goto(f"{base}/progress/reports/{evidence.report_id}/")
    page.evaluate(
        "url => { const img = new Image(); img.src = url; document.body.append(img);"
        " const f = document.createElement('iframe'); f.src = url; document.body.append(f); }",
        url,
    )
    page.wait_for_timeout(500)
    assert dialogs == []
