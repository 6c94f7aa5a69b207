"""Drafting, editing and issuing a bulletin, on the statistics tests' round (教务处 3.25 of 4, a split
社会培训指标 where two of three colleges are under 50 %, one item unverified)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from io import StringIO

import docx as python_docx
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.bulletins import compose, services
from kaohe.bulletins.document import Kind, blocks, chinese_number
from kaohe.bulletins.models import Bulletin, Frozen, Section, SectionKey
from kaohe.initiatives.models import MajorProject
from kaohe.plans.models import Target
from kaohe.progress.errors import Conflict, Locked
from kaohe.supervision.models import SupervisionRound
from kaohe.supervision.tests.test_statistics import StatisticsTestCase

State = Bulletin.State


class BulletinTestCase(StatisticsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Verification is over (the office closes a round once every item is verified; here it is set).
        SupervisionRound.objects.filter(pk=cls.round.pk).update(state=SupervisionRound.State.CLOSED)
        cls.round.refresh_from_db()
        MajorProject.objects.create(year=cls.year, name="智慧后勤安防管理系统", owner=cls.dept_a)
        Target.objects.filter(pk=cls.a3.pk).update(weight=None)

    def draft(self, **kwargs) -> Bulletin:
        return services.create_bulletin(round_=self.round, by=self.office, issue_date=date(2021, 10, 19), **kwargs)

    def section(self, bulletin: Bulletin, key: str) -> Section:
        return bulletin.sections.get(key=key)

    def signed(self, bulletin: Bulletin) -> Bulletin:
        """Sent by the office, signed off by a school leader."""
        sent = services.submit_for_sign_off(bulletin=bulletin, by=self.office, seen=services.revision(bulletin))
        self.assertEqual(sent.state, State.SUBMITTED)
        return services.decide_sign_off(bulletin=sent, by=self.leader, version=sent.version, approve=True)

    def issue(self, bulletin: Bulletin) -> Bulletin:
        """As the pages do: sign-off, freeze, then the background task (immediate in tests) makes the files."""
        bulletin = self.signed(bulletin)
        issuing = services.start_issue(bulletin=bulletin, by=self.office, version=bulletin.version)
        self.assertEqual(issuing.state, State.ISSUING)
        services.enqueue_issue(issuing)
        return Bulletin.objects.get(pk=bulletin.pk)


class TextTests(BulletinTestCase):
    def test_blocks_tell_headings_from_paragraphs_as_the_seed_writes_them(self):
        text = (
            "（一）教务处围绕“五改”积极推进教学工作品牌建设\n\n"
            "1. “改教师”——创建“双师型”品牌\n"
            "1.人事管理系统项目，已完成开发、部署、培训。\n"
            "  围绕本科办学要求……  \r\n"
        )
        found = [(b.kind, b.text) for b in blocks(text)]
        self.assertEqual(
            found,
            [
                (Kind.HEADING2, "（一）教务处围绕“五改”积极推进教学工作品牌建设"),
                (Kind.HEADING3, "1. “改教师”——创建“双师型”品牌"),
                (Kind.PARAGRAPH, "1.人事管理系统项目，已完成开发、部署、培训。"),
                (Kind.PARAGRAPH, "围绕本科办学要求……"),
            ],
        )

    def test_chinese_numbers(self):
        self.assertEqual(
            [chinese_number(n) for n in (1, 5, 10, 12, 20, 35)], ["一", "五", "十", "十二", "二十", "三十五"]
        )


class ComposeTests(BulletinTestCase):
    def test_completion_counts_the_unverified_item_as_not_done_and_lists_each_department(self):
        text = compose.completion(self.round)
        first, *departments = text.splitlines()
        self.assertTrue(
            first.startswith(
                "截至9月30日，各部门重点工作目标项目应完成9项，已完成4.85项，未完成4.15项，完成比例53.9%。"
            )
        )
        self.assertIn("各部门整体完成情况有待提高", first)
        self.assertEqual(
            departments[0], "教务处未按时完成项目0.75项：教研室优秀数优秀教研室评选延后，第四季度完成评选。"
        )
        self.assertTrue(
            departments[1].startswith("马克思主义学院未按时完成项目1.6项：社会培训受疫情影响培训推迟，已联系合作单位；")
        )
        self.assertIn(
            "红色思政智慧教室及VR综合实训室建设项目因进度原因未按工作节点完成，经积极争取已经完成招标进入建设阶段。",
            departments[1],
        )

    def test_the_opening_counts_the_departments_of_the_round(self):
        self.assertIn("对全校5个部门的第三季度重点工作目标完成情况", compose.opening(self.round))

    def test_suggestions_come_from_the_data(self):
        found = {s.text: s.key for s in compose.suggestions(self.round)}
        split = "一些工作任务推进较慢：社会培训指标，大部分院部完成率低于50%（3个院部中2个低于50%）。"
        self.assertEqual(found.get(split), SectionKey.PROBLEMS, found)
        self.assertIn("个别重要指标未设置权重：1项重点工作目标未设置权重，如“组织教学能力大赛”。", found)
        self.assertIn(
            "重大项目建设缺乏过程监督：1个重大项目未按阶段、节点明确相关部门责任，如智慧后勤安防管理系统。", found
        )
        self.assertTrue(
            any(t.startswith("加快推进未完成项目：教务处、马克思主义学院、外国语学院") for t in found), found
        )

    def test_sections_without_data_are_empty_and_left_out_of_the_document(self):
        bulletin = self.draft()
        self.assertEqual(self.section(bulletin, SectionKey.BRANDS).text, "")
        self.assertEqual(self.section(bulletin, SectionKey.HIGHLIGHTS).text, "")
        headings = [b.text for b in services.document_of(bulletin).blocks if b.kind == Kind.HEADING1]
        self.assertEqual(
            headings[:3], ["一、督查工作开展情况", "二、第三季度重点工作目标完成情况", "三、重大项目建设及推进情况"]
        )


class DraftTests(BulletinTestCase):
    def test_a_draft_gets_the_next_number_and_every_section(self):
        first = self.draft()
        second = self.draft()
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertEqual(second.number_text, "〔2021〕第2期")
        self.assertEqual([s.key for s in first.sections.order_by("id")], list(SectionKey))
        self.assertEqual(first.state, State.DRAFT)

    def test_a_taken_number_is_refused_in_chinese_terms_and_nothing_is_made(self):
        self.draft(number=2)
        with self.assertRaises(ValidationError) as caught:
            self.draft(number=2)
        self.assertIn("number", caught.exception.error_dict)
        self.assertEqual(Bulletin.objects.count(), 1)

    def test_a_round_still_under_way_cannot_be_reported_on(self):
        SupervisionRound.objects.filter(pk=self.round.pk).update(state=SupervisionRound.State.ONSITE)
        self.round.refresh_from_db()
        with self.assertRaises(ValidationError):
            self.draft()
        self.assertFalse(Bulletin.objects.exists())

    def test_saving_a_section_checks_the_version(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        saved = services.save_section(
            section=section,
            by=self.office,
            version=section.version,
            heading="存在的主要问题",
            text="1.甲。\r\n\r\n2.乙。 ",
        )
        self.assertEqual(saved.text, "1.甲。\n2.乙。")
        with self.assertRaises(Conflict) as caught:
            services.save_section(section=section, by=self.office, version=section.version, heading="", text="覆盖")
        self.assertEqual(caught.exception.current.text, "1.甲。\n2.乙。")

    def test_regenerate_replaces_the_text_and_changes_show_what_was_edited(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.OPENING)
        generated = section.text
        edited = services.save_section(
            section=section, by=self.office, version=section.version, heading="", text=generated + "\n另有说明。"
        )
        self.assertTrue(edited.changed_since_generated)
        self.assertEqual(
            [(d.tag, d.text) for d in services.changes(edited)], [("same", generated), ("added", "另有说明。")]
        )
        again = services.regenerate_section(section=edited, by=self.office, version=edited.version)
        self.assertEqual(again.text, generated)
        self.assertFalse(again.changed_since_generated)
        self.assertEqual(again.history.count(), 3, "created, edited, regenerated: each kept")

    def test_the_office_sees_what_regenerating_would_change_before_doing_it(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROJECTS)
        self.assertTrue(all(d.tag == "same" for d in services.data_changes(section)))
        MajorProject.objects.create(year=self.year, name="南北校区路灯亮化", owner=self.dept_b)
        added = [d.text for d in services.data_changes(section) if d.tag == "added"]
        self.assertIn("1.南北校区路灯亮化项目，尚未安排项目节点。", added)
        self.login(self.office)
        response = self.client.get(
            reverse("bulletins:section-changes", args=[section.pk]), headers={"HX-Request": "true"}
        )
        self.assertContains(response, "南北校区路灯亮化项目")
        self.assertEqual(Section.objects.get(pk=section.pk).text, section.text, "looking changes nothing")


class IssueTests(BulletinTestCase):
    def test_issuing_stores_the_docx_and_pdf_with_their_sha256_and_freezes_everything(self):
        bulletin = self.issue(self.draft(number=2))
        self.assertEqual(bulletin.state, State.ISSUED)
        self.assertIsNotNone(bulletin.issued_at)
        self.assertEqual(bulletin.history.first().history_user, self.office, "the worker's save is the issuer's")
        with bulletin.docx.open("rb") as f:
            docx_data = f.read()
        with bulletin.pdf.open("rb") as f:
            pdf_data = f.read()
        self.assertEqual(hashlib.sha256(docx_data).hexdigest(), bulletin.docx_sha256)
        self.assertEqual(hashlib.sha256(pdf_data).hexdigest(), bulletin.pdf_sha256)
        self.assertTrue(pdf_data.startswith(b"%PDF"))
        text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx_data)).paragraphs)
        self.assertIn("〔2021〕第2期", text)
        self.assertIn("应完成9项，已完成4.85项，未完成4.15项，完成比例53.9%", text)

        section = self.section(bulletin, SectionKey.OPENING)
        with self.assertRaises(Locked):
            services.save_section(section=section, by=self.office, version=section.version, heading="", text="改")
        with self.assertRaises(Locked):
            services.regenerate_section(section=section, by=self.office, version=section.version)
        with self.assertRaises(Locked):
            services.update_bulletin(bulletin=bulletin, by=self.office, version=bulletin.version, number=3)
        with self.assertRaises(Locked):
            services.start_issue(bulletin=bulletin, by=self.office, version=bulletin.version)
        # Below the services too: the model refuses to save or delete an issued bulletin.
        with self.assertRaises(Frozen):
            section.save()
        with self.assertRaises(Frozen):
            bulletin.save()
        with self.assertRaises(Frozen):
            bulletin.delete()
        self.assertEqual(Bulletin.objects.get(pk=bulletin.pk).docx_sha256, bulletin.docx_sha256)

    def test_a_failed_conversion_returns_the_bulletin_signed_off_with_the_reason_and_keeps_nothing(self):
        from unittest import mock

        with mock.patch("kaohe.bulletins.services.make_files", side_effect=RuntimeError("LibreOffice 无法转换")):
            bulletin = self.issue(self.draft())
        self.assertEqual(bulletin.state, State.SIGNED)
        self.assertIn("LibreOffice 无法转换", bulletin.issue_error)
        self.assertEqual((bulletin.docx.name, bulletin.pdf.name), ("", ""))
        again = services.start_issue(bulletin=bulletin, by=self.office, version=bulletin.version)
        services.enqueue_issue(again)
        self.assertEqual(Bulletin.objects.get(pk=bulletin.pk).state, State.ISSUED, "the office tries again")

    def test_a_failure_while_storing_removes_the_file_already_written(self):
        from pathlib import Path
        from unittest import mock

        from django.core.files.storage import FileSystemStorage

        real_save = FileSystemStorage._save
        calls = []

        def second_write_fails(storage, name, content):
            calls.append(name)
            if len(calls) == 2:
                raise OSError("磁盘已满")
            return real_save(storage, name, content)

        with mock.patch.object(FileSystemStorage, "_save", second_write_fails):
            bulletin = self.issue(self.draft())
        self.assertEqual(bulletin.state, State.SIGNED)
        self.assertIn("磁盘已满", bulletin.issue_error)
        stored = Path(self.settings_media()) / calls[0]
        self.assertFalse(stored.exists(), "the .docx written first is removed")

    def settings_media(self):
        from django.conf import settings

        return settings.MEDIA_ROOT

    def test_a_bulletin_whose_worker_never_came_can_be_taken_back_after_a_while(self):
        import time_machine
        from django.utils import timezone

        bulletin = self.signed(self.draft())
        services.start_issue(bulletin=bulletin, by=self.office, version=bulletin.version)  # nothing enqueued
        bulletin.refresh_from_db()
        with self.assertRaises(ValidationError):
            services.cancel_issue(bulletin=bulletin, by=self.office, reason="未生成")
        with time_machine.travel(timezone.now() + timedelta(minutes=services.ISSUE_STALE_MINUTES + 1)):
            back = services.cancel_issue(bulletin=bulletin, by=self.office, reason="未生成")
        self.assertEqual(back.state, State.SIGNED)
        self.assertEqual(back.issue_error, "未生成")

    def test_a_correction_is_a_new_bulletin_with_the_issued_text(self):
        original = self.issue(self.draft())
        correction = services.create_bulletin(round_=self.round, by=self.office, corrects=original)
        self.assertEqual(correction.number, 2)
        self.assertEqual(correction.corrects, original)
        self.assertEqual(
            self.section(correction, SectionKey.COMPLETION).text, self.section(original, SectionKey.COMPLETION).text
        )
        self.assertEqual(Bulletin.objects.get(pk=original.pk).state, State.ISSUED)

    def test_the_command_writes_the_issued_files_byte_for_byte_and_a_drafts_afresh(self):
        issued = self.issue(self.draft(number=2))
        draft = self.draft(number=3)
        out = self.enterContext(__import__("tempfile").TemporaryDirectory())
        docx_path, pdf_path = f"{out}/a.docx", f"{out}/a.pdf"
        call_command("bulletin", year=2021, number=2, docx=docx_path, pdf=pdf_path, stdout=StringIO())
        with open(docx_path, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), issued.docx_sha256)
        with open(pdf_path, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), issued.pdf_sha256)
        from pathlib import Path

        call_command("bulletin", year=2021, number=draft.number, docx=Path(f"{out}/d.docx"), stdout=StringIO())
        text = "\n".join(p.text for p in python_docx.Document(f"{out}/d.docx").paragraphs)
        self.assertIn("〔2021〕第3期", text)
        with self.assertRaises(CommandError):
            call_command("bulletin", year=2021, number=9, docx=Path(f"{out}/x.docx"), stdout=StringIO())


class PageTests(BulletinTestCase):
    def test_the_office_drafts_from_the_list(self):
        self.login(self.office)
        response = self.client.get(reverse("bulletins:list"))
        self.assertContains(response, 'data-testid="bulletin-create"')
        response = self.client.post(
            reverse("bulletins:create"), {"round": self.round.pk, "number": "2", "issue_date": "2021-10-19"}
        )
        bulletin = Bulletin.objects.get()
        self.assertRedirects(response, reverse("bulletins:detail", args=[bulletin.pk]))
        self.assertEqual(bulletin.number_text, "〔2021〕第2期")

    def test_bad_input_gets_a_message_and_changes_nothing(self):
        self.login(self.office)
        response = self.client.post(
            reverse("bulletins:create"), {"round": self.round.pk, "number": "二", "issue_date": "明天"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["number"])
        self.assertTrue(response.context["form"].errors["issue_date"])
        self.assertFalse(Bulletin.objects.exists())
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        response = self.client.post(
            reverse("bulletins:section-edit", args=[section.pk]),
            {"version": section.version, "heading": "问题", "text": "字" * 20_001},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Section.objects.get(pk=section.pk).text, section.text)

    def test_drafts_are_the_offices_and_leaders_issued_bulletins_everyones(self):
        bulletin = self.draft()
        url = reverse("bulletins:detail", args=[bulletin.pk])
        for person, status in ((self.office, 200), (self.leader, 200), (self.liaison, 404), (self.inspector, 404)):
            self.login(person)
            self.assertEqual(self.client.get(url).status_code, status, person)
        self.login(self.auditor)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("bulletins:download", args=[bulletin.pk, "docx"])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("bulletins:list")), bulletin.title)
        self.assertTrue(
            AuditEvent.objects.filter(object_type="bulletins.Bulletin", object_id=str(bulletin.pk)).exists()
        )

    def test_the_editor_page_keeps_a_fixed_number_of_queries(self):
        bulletin = self.draft()
        self.login(self.office)
        url = reverse("bulletins:detail", args=[bulletin.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(url).status_code, 200)
        for n in range(3, 40):
            MajorProject.objects.create(year=self.year, name=f"项目{n}", owner=self.dept_b)
        section = self.section(bulletin, SectionKey.PROJECTS)
        services.regenerate_section(section=section, by=self.office, version=section.version)
        with CaptureQueriesContext(connection) as many:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(len(few), len(many))

    def test_an_htmx_edit_answers_the_section_card_and_a_stale_one_409_with_both_texts(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        self.login(self.office)
        url = reverse("bulletins:section-edit", args=[section.pk])
        form = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(form, 'data-testid="section-form"')
        self.assertNotContains(form, "<html")
        data = {"version": section.version, "heading": "存在的主要问题", "text": "1.个别目标设置存在不合理现象。"}
        response = self.client.post(url, data, headers={"HX-Request": "true"})
        self.assertContains(response, "1.个别目标设置存在不合理现象。")
        self.assertContains(response, 'data-testid="edited"')
        stale = self.client.post(url, {**data, "text": "另一人的文字"}, headers={"HX-Request": "true"})
        self.assertEqual(stale.status_code, 409)
        self.assertContains(stale, "另一人的文字", status_code=409)
        self.assertEqual(Section.objects.get(pk=section.pk).text, "1.个别目标设置存在不合理现象。")

    def test_every_edit_is_in_the_audit_log_with_who_before_and_after(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        self.login(self.office)
        self.client.post(
            reverse("bulletins:section-edit", args=[section.pk]),
            {"version": section.version, "heading": "存在的主要问题", "text": "1.新写的问题。"},
            headers={"HX-Request": "true"},
        )
        event = AuditEvent.objects.filter(
            kind="update", object_type="bulletins.Section", object_id=str(section.pk)
        ).get()
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.changes["text"], [section.text, "1.新写的问题。"])

    def test_a_suggestion_is_added_as_the_next_numbered_item(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        offered = [s.text for s in compose.suggestions(self.round) if s.key == SectionKey.PROBLEMS]
        self.login(self.office)
        url = reverse("bulletins:section-suggest", args=[section.pk])
        response = self.client.post(url, {"version": section.version, "suggestion": offered[0]})
        self.assertEqual(response.status_code, 302)
        saved = Section.objects.get(pk=section.pk)
        self.assertEqual(saved.text.splitlines()[-1], f"{len(offered) + 1}.{offered[0]}")
        refused = self.client.post(url, {"version": saved.version, "suggestion": "随便写的建议"})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(Section.objects.get(pk=section.pk).text, saved.text)

    def test_issued_bulletins_answer_409_to_every_change_and_are_downloadable_by_readers(self):
        bulletin = self.signed(self.draft())
        self.login(self.office)
        url = reverse("bulletins:issue", args=[bulletin.pk])
        response = self.client.post(url, {"version": bulletin.version})
        self.assertRedirects(response, reverse("bulletins:detail", args=[bulletin.pk]))
        self.assertEqual(Bulletin.objects.get(pk=bulletin.pk).state, State.SIGNED, "not confirmed: nothing happens")
        response = self.client.post(url, {"version": bulletin.version, "confirm": "1"})
        self.assertRedirects(response, reverse("bulletins:detail", args=[bulletin.pk]))
        bulletin.refresh_from_db()
        self.assertEqual(bulletin.state, State.ISSUED)
        section = self.section(bulletin, SectionKey.OPENING)
        hx = {"HX-Request": "true"}
        for name, pk, data in (
            ("bulletins:section-edit", section.pk, {"version": section.version, "heading": "", "text": "改"}),
            ("bulletins:section-regenerate", section.pk, {"version": section.version}),
            ("bulletins:issue", bulletin.pk, {"version": bulletin.version}),
        ):
            response = self.client.post(reverse(name, args=[pk]), data, headers=hx)
            self.assertEqual(response.status_code, 409, name)
        self.assertEqual(Section.objects.get(pk=section.pk).text, section.text)
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("bulletins:detail", args=[bulletin.pk])).status_code, 200)
        response = self.client.get(reverse("bulletins:download", args=[bulletin.pk, "pdf"]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(hashlib.sha256(b"".join(response.streaming_content)).hexdigest(), bulletin.pdf_sha256)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(self.client.get(reverse("bulletins:download", args=[bulletin.pk, "exe"])).status_code, 404)

    def test_the_preview_and_the_draft_docx(self):
        bulletin = self.draft()
        self.login(self.office)
        response = self.client.get(reverse("bulletins:preview", args=[bulletin.pk]))
        self.assertContains(response, "〔2021〕第1期")
        self.assertContains(response, "应完成9项，已完成4.85项，未完成4.15项，完成比例53.9%")
        response = self.client.get(reverse("bulletins:download", args=[bulletin.pk, "docx"]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn("〔2021〕第1期", text)


class SignOffTests(BulletinTestCase):
    def test_the_office_sends_a_leader_signs_off_and_only_then_the_office_issues(self):
        bulletin = self.draft()
        with self.assertRaises(Locked):
            services.start_issue(bulletin=bulletin, by=self.office, version=bulletin.version)
        self.login(self.office)
        response = self.client.post(
            reverse("bulletins:submit", args=[bulletin.pk]), {"seen": services.revision(bulletin)}
        )
        self.assertRedirects(response, reverse("bulletins:detail", args=[bulletin.pk]))
        bulletin.refresh_from_db()
        self.assertEqual(bulletin.state, State.SUBMITTED)
        section = self.section(bulletin, SectionKey.OPENING)
        with self.assertRaises(Locked):
            services.save_section(section=section, by=self.office, version=section.version, heading="", text="改")
        self.login(self.leader)
        page = self.client.get(reverse("bulletins:detail", args=[bulletin.pk]))
        self.assertContains(page, 'data-testid="sign-form"')
        self.client.post(
            reverse("bulletins:sign", args=[bulletin.pk]), {"version": bulletin.version, "decision": "approve"}
        )
        bulletin.refresh_from_db()
        self.assertEqual((bulletin.state, bulletin.signed_by), (State.SIGNED, self.leader))

    def test_the_to_do_lists_show_the_bulletins_to_sign_off_and_to_issue(self):
        bulletin = self.draft()
        sent = services.submit_for_sign_off(bulletin=bulletin, by=self.office, seen=services.revision(bulletin))
        self.login(self.leader)
        self.assertContains(self.client.get(reverse("progress:todo")), "〔2021〕第1期")
        services.decide_sign_off(bulletin=sent, by=self.leader, version=sent.version, approve=True)
        self.assertNotContains(self.client.get(reverse("progress:todo")), "〔2021〕第1期")
        self.login(self.office)
        self.assertContains(self.client.get(reverse("progress:todo")), "〔2021〕第1期")

    def test_returning_needs_a_reason_and_the_draft_is_editable_again(self):
        bulletin = self.draft()
        sent = services.submit_for_sign_off(bulletin=bulletin, by=self.office, seen=services.revision(bulletin))
        self.login(self.leader)
        url = reverse("bulletins:sign", args=[sent.pk])
        response = self.client.post(url, {"version": sent.version, "decision": "return", "reason": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Bulletin.objects.get(pk=sent.pk).state, State.SUBMITTED)
        self.client.post(url, {"version": sent.version, "decision": "return", "reason": "第二部分数字需核对"})
        back = Bulletin.objects.get(pk=sent.pk)
        self.assertEqual((back.state, back.return_reason), (State.DRAFT, "第二部分数字需核对"))
        self.login(self.office)
        self.assertContains(self.client.get(reverse("bulletins:detail", args=[back.pk])), "第二部分数字需核对")
        section = self.section(back, SectionKey.OPENING)
        services.save_section(section=section, by=self.office, version=section.version, heading="", text="已核对。")

    def test_a_section_edited_meanwhile_stops_the_sending_of_text_nobody_read(self):
        bulletin = self.draft()
        seen = services.revision(bulletin)
        section = self.section(bulletin, SectionKey.OPENING)
        services.save_section(
            section=section, by=self.office, version=section.version, heading="", text="同事改过的文字"
        )
        with self.assertRaises(Conflict):
            services.submit_for_sign_off(bulletin=bulletin, by=self.office, seen=seen)
        self.assertEqual(Bulletin.objects.get(pk=bulletin.pk).state, State.DRAFT)

    def test_only_leaders_sign_off_and_an_htmx_edit_of_a_sent_bulletin_answers_its_card(self):
        bulletin = self.draft()
        sent = services.submit_for_sign_off(bulletin=bulletin, by=self.office, seen=services.revision(bulletin))
        self.login(self.office)
        response = self.client.post(
            reverse("bulletins:sign", args=[sent.pk]), {"version": sent.version, "decision": "approve"}
        )
        self.assertEqual(response.status_code, 403)
        section = self.section(sent, SectionKey.OPENING)
        response = self.client.post(
            reverse("bulletins:section-edit", args=[section.pk]),
            {"version": section.version, "heading": "", "text": "改"},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, f'id="section-{SectionKey.OPENING}"', status_code=409)
        self.assertEqual(Section.objects.get(pk=section.pk).text, section.text)


class EdgeTests(BulletinTestCase):
    def test_numbers_stay_between_1_and_999(self):
        with self.assertRaises(ValidationError):
            self.draft(number=1000)
        bulletin = self.draft(number=999)
        with self.assertRaises(ValidationError):
            services.update_bulletin(bulletin=bulletin, by=self.office, version=bulletin.version, number=40000)
        self.login(self.office)
        form = {
            "version": bulletin.version,
            "number": "40000",
            "header_org": bulletin.header_org,
            "title": bulletin.title,
            "subtitle": bulletin.subtitle,
            "signature": bulletin.signature,
            "issue_date": "2021-10-19",
        }
        response = self.client.post(reverse("bulletins:edit", args=[bulletin.pk]), form)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Bulletin.objects.get(pk=bulletin.pk).number, 999)

    def test_a_suggestion_goes_after_the_last_numbered_item_and_before_a_closing_paragraph(self):
        text = "1.甲。\n2.乙。\n距离年终考核还有两个月时间。"
        self.assertEqual(services.with_item(text, "丙。"), "1.甲。\n2.乙。\n3.丙。\n距离年终考核还有两个月时间。")
        self.assertEqual(services.with_item("", "甲。"), "1.甲。")

    def test_a_section_with_text_needs_a_heading(self):
        bulletin = self.draft()
        section = self.section(bulletin, SectionKey.PROBLEMS)
        with self.assertRaises(ValidationError):
            services.save_section(section=section, by=self.office, version=section.version, heading=" ", text="1.甲。")

    def test_one_correction_at_a_time(self):
        original = self.issue(self.draft())
        services.create_bulletin(round_=self.round, by=self.office, corrects=original)
        with self.assertRaises(ValidationError):
            services.create_bulletin(round_=self.round, by=self.office, corrects=original)

    def test_a_missing_issued_file_is_a_404_and_logged(self):
        bulletin = self.issue(self.draft())
        bulletin.pdf.storage.delete(bulletin.pdf.name)
        self.login(self.office)
        with self.assertLogs("kaohe.bulletins.views", level="ERROR"):
            response = self.client.get(reverse("bulletins:download", args=[bulletin.pk, "pdf"]))
        self.assertEqual(response.status_code, 404)
