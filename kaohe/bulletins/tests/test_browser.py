"""The bulletin in Chromium: the office drafts it from a closed round, edits section 七, regenerates
section 四 after a project was recorded, sends it for sign-off, a leader signs it off, the office
issues it, and then nothing can change it any more."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from kaohe.bulletins.models import Bulletin, Section, SectionKey
from kaohe.initiatives.models import MajorProject, ProjectStage, StageKind, StageState
from kaohe.org.models import Department, Role
from kaohe.plans.tests.test_browser import LAPTOP, log_in, screenshot
from kaohe.supervision import services as round_services
from kaohe.supervision.models import Result, SupervisionRound, Verification
from kaohe.supervision.tests.factories import advance_to, announce, make_round
from kaohe.supervision.tests.test_browser import make_school
from kaohe.test import make_person

pytestmark = pytest.mark.browser


def closed_round(office, rooms_node) -> SupervisionRound:
    """The seed's third-quarter round over 马克思主义学院's two items, verified and closed: 1.5 of 2."""
    round_ = announce(make_round(office_year(), office), office)
    round_ = advance_to(round_, SupervisionRound.State.ONSITE, office)
    for item in Verification.objects.filter(round=round_):
        rooms = item.node_id == rooms_node.pk
        round_services.verify_item(
            item=item,
            by=office,
            version=item.version,
            result=Result.PARTIAL if rooms else Result.DONE,
            actual_value=Decimal(1) if rooms else None,
            credit=None,
            override_reason="",
            reason="教研室优秀数目标设置为2个，完成1个，完成率50%" if rooms else "",
            current_stage="",
            archive_rating="good",
            remarks="",
        )
    return advance_to(round_, SupervisionRound.State.CLOSED, office)


def office_year():
    from kaohe.org.models import AssessmentYear

    return AssessmentYear.objects.get(year=2021)


def test_edit_regenerate_sign_off_and_issue_then_the_bulletin_is_frozen(
    live_server, page: Page, browser, browser_context_args
):
    office, rooms_node = make_school()
    make_person("leader", Role.LEADER, name="王校长")
    round_ = closed_round(office, rooms_node)
    base = live_server.url
    page.set_viewport_size(LAPTOP)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before regenerating

    # The office drafts 第2期 from the round: every section is generated from the data.
    log_in(page, base, "office")
    page.goto(f"{base}/bulletins/")
    form = page.get_by_test_id("bulletin-create")
    form.locator("#id_round").select_option(str(round_.pk))
    form.locator("#id_number").fill("2")
    form.locator("#id_issue_date").fill("2021-10-19")
    form.locator("button[type=submit]").click()
    bulletin = Bulletin.objects.get()
    expect(page).to_have_url(f"{base}/bulletins/{bulletin.pk}/")
    completion = page.get_by_test_id(f"section-{SectionKey.COMPLETION}")
    expect(completion).to_contain_text("各部门重点工作目标项目应完成2项，已完成1.5项，未完成0.5项，完成比例75.0%")
    expect(completion).to_contain_text("马克思主义学院未按时完成项目0.5项")

    # Edit section 七 in place (htmx): the card comes back with the text and the "edited" mark.
    problems = page.get_by_test_id(f"section-{SectionKey.PROBLEMS}")
    problems.get_by_test_id("section-edit").click()
    problems.locator("textarea[name=text]").fill(
        "1.一些工作任务推进较慢。一是社会培训指标，大部分院部完成率低于50%。\n2.个别目标设置存在不合理现象。"
    )
    problems.get_by_test_id("section-save").click()
    problems = page.get_by_test_id(f"section-{SectionKey.PROBLEMS}")
    expect(problems.get_by_test_id("section-message")).to_be_visible()
    expect(problems.get_by_test_id("section-text")).to_contain_text("2.个别目标设置存在不合理现象。")
    expect(problems.get_by_test_id("edited")).to_be_visible()
    problems.get_by_test_id("section-changes").click()
    expect(problems.get_by_test_id("changes")).to_contain_text("个别目标设置存在不合理现象")

    # A project is recorded meanwhile; regenerating section 四 picks it up.
    owner = Department.objects.get(name="马克思主义学院")
    project = MajorProject.objects.create(year=round_.year, name="红色思政智慧教室及VR综合实训室", owner=owner)
    ProjectStage.objects.create(
        project=project,
        kind=StageKind.TENDER,
        planned_start=date(2021, 7, 1),
        planned_end=date(2021, 8, 31),
        actual_start=date(2021, 7, 5),
        actual_end=date(2021, 8, 20),
        state=StageState.DONE,
        responsible=owner,
    )
    projects = page.get_by_test_id(f"section-{SectionKey.PROJECTS}")
    expect(projects).not_to_contain_text("红色思政智慧教室")
    projects.get_by_test_id("section-regenerate").click()
    projects = page.get_by_test_id(f"section-{SectionKey.PROJECTS}")
    expect(projects.get_by_test_id("section-text")).to_contain_text("（一）马克思主义学院承担的重大项目建设及推进情况")
    expect(projects.get_by_test_id("section-text")).to_contain_text("1.红色思政智慧教室及VR综合实训室项目，已完成招标")

    # The preview shows the edited and regenerated text as on the printed page.
    page.get_by_test_id("bulletin-preview").click()
    expect(page.get_by_test_id("preview")).to_contain_text("〔2021〕第2期")
    expect(page.get_by_test_id("preview")).to_contain_text("2.个别目标设置存在不合理现象。")
    screenshot(page, "bulletin-preview.png")
    page.go_back()

    # The office sends it for sign-off; a school leader reads it and signs it off (签发).
    page.get_by_test_id("bulletin-submit").click()
    expect(page.get_by_test_id("awaiting-sign-off")).to_be_visible()
    expect(page.get_by_test_id("section-edit")).to_have_count(0)
    leader_context = browser.new_context(**browser_context_args)
    leader = leader_context.new_page()
    leader.set_viewport_size(LAPTOP)
    log_in(leader, base, "leader")
    leader.goto(f"{base}/bulletins/{bulletin.pk}/")
    sign = leader.get_by_test_id("sign-form")
    screenshot(leader, "bulletin-sign-off.png")
    sign.get_by_test_id("sign-approve").click()
    expect(leader.get_by_test_id("signed-off")).to_be_visible()
    leader_context.close()

    # Issue, after ticking the confirmation: the files are made (in the background on a real server,
    # at once in tests) and stored.
    page.reload()
    page.get_by_test_id("issue-confirm").check()
    page.get_by_test_id("bulletin-issue").click()
    expect(page.get_by_test_id("bulletin-state")).to_have_attribute("data-state", "issued", timeout=60_000)
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.ISSUED
    screenshot(page, "bulletin-issued.png")

    # Issued: no edit controls any more, and a change sent anyway is refused and changes nothing.
    expect(page.get_by_test_id("section-edit")).to_have_count(0)
    expect(page.get_by_test_id("section-regenerate")).to_have_count(0)
    expect(page.get_by_test_id("bulletin-issue")).to_have_count(0)
    expect(page.get_by_test_id("bulletin-submit")).to_have_count(0)
    section = Section.objects.get(bulletin=bulletin, key=SectionKey.PROBLEMS)
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(
        f"{base}/bulletins/sections/{section.pk}/",
        form={"version": str(section.version), "heading": "改", "text": "改过的文字"},
        headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": f"{base}/bulletins/{bulletin.pk}/"},
    )
    assert response.status == 409
    assert Section.objects.get(pk=section.pk).text == section.text

    # The issued files download as stored.
    pdf = page.request.get(f"{base}/bulletins/{bulletin.pk}/file.pdf")
    assert pdf.status == 200
    assert hashlib.sha256(pdf.body()).hexdigest() == bulletin.pdf_sha256
