"""The notification duty (domain.md §3, the seed's §六, reliability.md T-TZ-1, T-CONC-1, T-IDOR-1)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kaohe.initiatives import duties
from kaohe.initiatives.duties import Check, Filing, Row, Timeliness, compliance, due_date, periods, record_status
from kaohe.initiatives.models import Frequency, NotificationDuty, NotificationRecord
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import AssessmentYear, Department
from kaohe.test import BaseTestCase

CST = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
Q3_END = date(2021, 9, 30)
Q3_DUE = date(2021, 10, 10)


def zh(msgid: str, **params) -> str:
    """A message as the pages show it: in Chinese (the default language), HTML-escaped."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return escape(text % params if params else text)


def notice(issued: date, filed: date | None = None, standardised: bool | None = None) -> SimpleNamespace:
    return SimpleNamespace(issued_date=issued, filed_date=filed, standardised=standardised)


def at(moment: str):
    """Freeze the clock at a Beijing wall-clock time, e.g. "2021-10-10 23:59:30"."""
    return time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=CST), tick=False)


# Pure functions ---------------------------------------------------------------------------------


class PeriodTests(SimpleTestCase):
    def test_months_quarters_halves_year(self):
        months = periods(Frequency.MONTHLY, 2024)
        self.assertEqual(len(months), 12)
        self.assertEqual((months[1].start, months[1].end), (date(2024, 2, 1), date(2024, 2, 29)))  # leap year
        self.assertEqual(periods(Frequency.MONTHLY, 2021)[1].end, date(2021, 2, 28))
        quarters = periods(Frequency.QUARTERLY, 2021)
        self.assertEqual(
            [(p.start, p.end) for p in quarters],
            [
                (date(2021, 1, 1), date(2021, 3, 31)),
                (date(2021, 4, 1), date(2021, 6, 30)),
                (date(2021, 7, 1), date(2021, 9, 30)),
                (date(2021, 10, 1), date(2021, 12, 31)),
            ],
        )
        halves = periods(Frequency.HALF_YEARLY, 2021)
        self.assertEqual(
            [(p.start, p.end) for p in halves],
            [(date(2021, 1, 1), date(2021, 6, 30)), (date(2021, 7, 1), date(2021, 12, 31))],
        )
        self.assertEqual(
            [(p.start, p.end) for p in periods(Frequency.YEARLY, 2021)], [(date(2021, 1, 1), date(2021, 12, 31))]
        )
        # Every day of the year lies in exactly one period.
        for frequency in Frequency:
            ps = periods(frequency, 2021)
            self.assertEqual(sum((p.end - p.start).days + 1 for p in ps), 365)
            self.assertTrue(all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in zip(ps, ps[1:], strict=False)))

    def test_due_date(self):
        self.assertEqual(due_date(Q3_END, 10), Q3_DUE)
        self.assertEqual(due_date(Q3_END, 0), Q3_END)
        self.assertEqual(due_date(date(2021, 12, 31), 15), date(2022, 1, 15))
        self.assertEqual(due_date(date(2024, 2, 29), 1), date(2024, 3, 1))


class StatusTests(SimpleTestCase):
    def test_issued_on_the_due_date_is_on_time_a_day_later_is_late(self):
        on_time = record_status(notice(date(2021, 10, 10)), Q3_DUE, date(2021, 10, 20))
        late = record_status(notice(date(2021, 10, 11)), Q3_DUE, date(2021, 10, 20))
        self.assertEqual(on_time.timeliness, Timeliness.ON_TIME)
        self.assertEqual(late.timeliness, Timeliness.LATE)
        self.assertEqual(late.days_late, 1)
        self.assertTrue(on_time.counted and late.counted)

    def test_without_a_notice_missing_only_after_the_due_date(self):
        self.assertEqual(record_status(None, Q3_DUE, date(2021, 10, 10)).timeliness, Timeliness.NOT_YET_DUE)
        self.assertFalse(record_status(None, Q3_DUE, date(2021, 10, 10)).counted)
        self.assertEqual(record_status(None, Q3_DUE, date(2021, 10, 11)).timeliness, Timeliness.MISSING)

    def test_filing_and_check(self):
        day = date(2021, 12, 1)
        self.assertEqual(record_status(notice(Q3_DUE, Q3_DUE), Q3_DUE, day).filing, Filing.FILED)
        self.assertEqual(record_status(notice(Q3_DUE, date(2021, 10, 12)), Q3_DUE, day).filing, Filing.FILED_LATE)
        self.assertEqual(record_status(notice(Q3_DUE), Q3_DUE, day).filing, Filing.NOT_FILED)
        self.assertEqual(record_status(notice(Q3_DUE), Q3_DUE, day, filing_required=False).filing, Filing.NOT_REQUIRED)
        self.assertEqual(record_status(notice(Q3_DUE), Q3_DUE, day).check, Check.UNCHECKED)
        self.assertEqual(record_status(notice(Q3_DUE, standardised=True), Q3_DUE, day).check, Check.STANDARD)
        self.assertEqual(record_status(notice(Q3_DUE, standardised=False), Q3_DUE, day).check, Check.NOT_STANDARD)
        self.assertEqual(record_status(None, Q3_DUE, day).check, Check.NONE)

    def test_looking_back_from_a_cut_off_later_notices_did_not_exist(self):
        later = notice(date(2021, 10, 15), filed=date(2021, 10, 20))
        self.assertEqual(record_status(later, Q3_DUE, date(2021, 10, 12)).timeliness, Timeliness.MISSING)
        filed_after = record_status(notice(Q3_DUE, filed=date(2021, 10, 20)), Q3_DUE, date(2021, 10, 15))
        self.assertEqual(filed_after.filing, Filing.NOT_FILED)


class ComplianceTests(SimpleTestCase):
    def row(self, department, duty, issued, due=Q3_DUE, today=date(2021, 12, 31)):
        return Row(department, duty, record_status(notice(issued) if issued else None, due, today))

    def test_rates_per_duty_and_department(self):
        rows = [
            self.row("教务处", 1, date(2021, 10, 1)),
            self.row("教务处", 1, date(2021, 10, 12)),
            self.row("教务处", 2, None),
            self.row("教务处", 2, None, due=date(2022, 1, 10)),  # not yet due: not counted
            self.row("科研处", 3, None, due=date(2022, 1, 10)),
        ]
        result = compliance(rows)
        self.assertEqual((result.duties[1].on_time, result.duties[1].late, result.duties[1].counted), (1, 1, 2))
        self.assertEqual(result.duties[1].percent_text, "50.0%")
        self.assertEqual(result.duties[2].percent_text, "0.0%")
        dept = result.departments["教务处"]
        self.assertEqual((dept.counted, dept.on_time, dept.late, dept.missing, dept.not_yet_due), (3, 1, 1, 1, 1))
        self.assertEqual(dept.ratio, Decimal("0.3333"))
        self.assertEqual(dept.percent, Decimal("33.3"))
        self.assertIsNone(result.departments["科研处"].ratio)
        self.assertEqual(result.departments["科研处"].percent_text, "—")

    def test_half_up_rounding(self):
        # 1 of 16 = 6.25 % → 6.3 (half up, not to even); 2 of 3 = 66.666… → 66.7.
        rows = [self.row("a", 1, date(2021, 10, 1))] + [self.row("a", 1, None) for _ in range(15)]
        self.assertEqual(compliance(rows).departments["a"].percent_text, "6.3%")
        self.assertEqual(compliance(rows).departments["a"].ratio, Decimal("0.0625"))
        rows = [self.row("b", 1, date(2021, 10, 1)), self.row("b", 1, date(2021, 10, 1)), self.row("b", 1, None)]
        self.assertEqual(compliance(rows).departments["b"].percent, Decimal("66.7"))
        self.assertEqual(compliance(rows).departments["b"].ratio, Decimal("0.6667"))

    def test_nothing_at_all(self):
        self.assertEqual(compliance([]).school.percent_text, "—")


# Pages and services -----------------------------------------------------------------------------


class DutyCase(BaseTestCase):
    def setUp(self):
        self.duty = NotificationDuty.objects.create(
            year=self.year, department=self.dept_a, topic="教学质量通报", frequency=Frequency.QUARTERLY, due_days=10
        )

    def add(self, duty=None, start=date(2021, 7, 1), issued=date(2021, 10, 8), **kwargs) -> NotificationRecord:
        duty = duty or self.duty
        period = duties.period_starting(duty.frequency, 2021, start)
        return NotificationRecord.objects.create(
            duty=duty,
            period_start=period.start,
            period_end=period.end,
            issued_date=issued,
            title=kwargs.pop("title", "第三季度教学质量通报"),
            recorded_by=self.liaison,
            **kwargs,
        )

    def post_record(self, **fields):
        data = {"period": "2021-07-01", "title": "第三季度教学质量通报", "issued_date": "2021-10-08"} | fields
        return self.client.post(reverse("initiatives:record-create", args=[self.duty.pk]), data)


class BoundaryTests(DutyCase):
    """T-TZ-1: the calendar day is Beijing's, whatever the server's clock says in UTC."""

    def status_on_page(self) -> str:
        self.login(self.office)
        page = self.client.get(reverse("initiatives:duty-detail", args=[self.duty.pk])).content.decode()
        row = page.split('data-period="2021-07-01"', 1)[1]
        return row.split('data-testid="timeliness" data-status="', 1)[1].split('"', 1)[0]

    def test_missing_notice_just_before_and_after_midnight(self):
        with at("2021-10-10 23:59:30"):  # 15:59:30 UTC
            self.assertEqual(duties.today(), Q3_DUE)
            self.assertEqual(self.status_on_page(), Timeliness.NOT_YET_DUE)
        with at("2021-10-11 00:00:30"):  # still 2021-10-10 in UTC
            self.assertEqual(self.status_on_page(), Timeliness.MISSING)

    def test_issued_on_the_due_date_on_time_next_day_late(self):
        self.login(self.liaison)
        with at("2021-10-12 09:00:00"):
            self.assertEqual(self.post_record(issued_date="2021-10-10").status_code, 302)
            self.assertEqual(
                self.post_record(period="2021-04-01", issued_date="2021-07-11", title="二季度").status_code, 302
            )
            day = duties.today()
        records = list(self.duty.records.all())
        rows = duties.duty_rows([self.duty], records, 2021, day)
        self.assertEqual([r.status.timeliness for r in rows[1:3]], [Timeliness.LATE, Timeliness.ON_TIME])

    def test_issue_date_in_the_future_refused(self):
        self.login(self.liaison)
        with at("2021-10-09 12:00:00"):
            response = self.post_record(issued_date="2021-10-10")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, zh("The issue date cannot be in the future."), status_code=400)


class WorkflowTests(DutyCase):
    def test_office_creates_a_duty_for_a_functional_department_only(self):
        self.login(self.office)
        self.assertEqual(self.client.get(reverse("initiatives:duty-create")).status_code, 200)
        data = {"year": self.year.pk, "topic": "科研月报", "frequency": "monthly", "due_days": "5"}
        response = self.client.post(reverse("initiatives:duty-create"), data | {"department": self.dept_a.pk})
        self.assertEqual(response.status_code, 302)
        duty = NotificationDuty.objects.get(topic="科研月报")
        self.assertEqual((duty.department, duty.due_days, duty.filing_required), (self.dept_a, 5, False))
        before = business_checksum()
        response = self.client.post(reverse("initiatives:duty-create"), data | {"department": self.dept_b.pk})
        message = zh(
            "Notification duties belong to functional departments; %(name)s is not one.", name=self.dept_b.name
        )
        self.assertContains(response, message, status_code=400)
        self.assertIn("马克思主义学院", message)
        self.assertEqual(business_checksum(), before)

    def test_office_edits_a_duty(self):
        self.login(self.office)
        url = reverse("initiatives:duty-edit", args=[self.duty.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {"year": self.year.pk, "department": self.dept_a.pk, "topic": "教学质量通报", "frequency": "monthly"}
        response = self.client.post(url, data | {"due_days": "3", "filing_required": "on", "active": "on"})
        self.assertEqual(response.status_code, 302)
        self.duty.refresh_from_db()
        self.assertEqual((self.duty.frequency, self.duty.due_days), ("monthly", 3))

    def test_liaison_records_a_notice_with_a_document(self):
        self.login(self.liaison)
        upload = SimpleUploadedFile("三季度通报.pdf", PDF, content_type="application/pdf")
        with at("2021-10-12 09:00:00"):
            form = self.client.get(reverse("initiatives:record-create", args=[self.duty.pk]), {"period": "2021-07-01"})
            self.assertContains(form, '<option value="2021-07-01" selected>')
            response = self.post_record(filed_date="2021-10-09", note="已报备", file=upload)
            download = self.client.get(reverse("initiatives:record-file", args=[self.duty.records.get().pk]))
        self.assertEqual(response.status_code, 302)
        row = self.duty.records.get()
        self.assertEqual((row.period_start, row.period_end, row.recorded_by), (date(2021, 7, 1), Q3_END, self.liaison))
        self.assertEqual(row.sha256, hashlib.sha256(PDF).hexdigest())
        self.assertEqual((row.original_name, row.content_type), ("三季度通报.pdf", "application/pdf"))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(download["X-Content-Type-Options"], "nosniff")

    def test_a_file_that_is_not_what_it_says_is_refused(self):
        self.login(self.liaison)
        upload = SimpleUploadedFile(
            "通报.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
        )
        before = business_checksum()
        with at("2021-10-12 09:00:00"):
            response = self.post_record(file=upload)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(business_checksum(), before)

    def test_duplicate_period_refused(self):
        self.add()
        self.login(self.liaison)
        before = business_checksum()
        with at("2021-10-12 09:00:00"):
            response = self.post_record()
        with translation.override("zh-hans"):
            label = translation.gettext("Quarter %(n)d") % {"n": 3}
        message = zh(
            "A notice for %(period)s has already been recorded under this duty; change that one instead.",
            period=label,
        )
        self.assertContains(response, message, status_code=400)
        self.assertIn(label, message)
        self.assertEqual(business_checksum(), before)

    def test_duplicate_period_from_a_parallel_request_becomes_a_form_error(self):
        # The database constraint decides when two requests both passed the check.
        self.add()
        self.login(self.liaison)
        with at("2021-10-12 09:00:00"), mock.patch.object(QuerySet, "exists", return_value=False):
            response = self.post_record()
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "data-testid", status_code=400)
        self.assertEqual(self.duty.records.count(), 1)

    def test_stale_edit_answers_409_with_current_values(self):
        row = self.add()
        self.login(self.liaison)
        url = reverse("initiatives:record-edit", args=[row.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        data = {"title": "A 的标题", "issued_date": "2021-10-08", "version": "1"}
        with at("2021-10-12 09:00:00"):
            self.assertEqual(self.client.post(url, data).status_code, 302)
            response = self.client.post(url, data | {"title": "B 的标题"})
        self.assertEqual(response.status_code, 409)
        conflict = "This notice has been changed by someone else since you opened it. "
        self.assertContains(
            response, zh(conflict + "Below are the current values; make your change again."), status_code=409
        )
        self.assertContains(response, 'value="A 的标题"', status_code=409)
        self.assertContains(response, 'name="version" value="2"', status_code=409)
        row.refresh_from_db()
        self.assertEqual((row.title, row.version), ("A 的标题", 2))

    def test_office_checks_a_notice(self):
        row = self.add()
        self.login(self.office)
        url = reverse("initiatives:record-check", args=[row.pk])
        with at("2021-10-12 09:00:00"):
            self.client.post(url, {"standardised": "no"})  # a "not standard" needs a reason
            row.refresh_from_db()
            self.assertIsNone(row.standardised)
            self.assertEqual(self.client.post(url, {"standardised": "no", "note": "缺少文号"}).status_code, 302)
            row.refresh_from_db()
            self.assertIs(row.standardised, False)
            self.assertIn("缺少文号", row.note)
            self.assertEqual(self.client.post(url, {"standardised": "yes"}).status_code, 302)
        row.refresh_from_db()
        self.assertIs(row.standardised, True)

    def test_closed_year_refused(self):
        row = self.add()
        AssessmentYear.objects.filter(pk=self.year.pk).update(state=AssessmentYear.State.CLOSED)
        before = business_checksum()
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("initiatives:record-create", args=[self.duty.pk])).status_code, 409)
        self.assertEqual(self.post_record(period="2021-04-01").status_code, 409)
        edit = self.client.post(reverse("initiatives:record-edit", args=[row.pk]), {"title": "x", "version": "1"})
        self.assertEqual(edit.status_code, 409)
        self.login(self.office)
        check = self.client.post(reverse("initiatives:record-check", args=[row.pk]), {"standardised": "yes"})
        self.assertEqual(check.status_code, 409)
        self.assertEqual(self.client.get(reverse("initiatives:duty-edit", args=[self.duty.pk])).status_code, 409)
        self.assertEqual(business_checksum(), before)


class AccessTests(DutyCase):
    def test_lists_are_scoped(self):
        other = Department.objects.create(name="科研处", kind="functional", order=5)
        NotificationDuty.objects.create(year=self.year, department=other, topic="科研通报", frequency="monthly")
        for user, seen in [(self.office, 2), (self.leader, 2), (self.head, 1), (self.outsider, 0)]:
            self.login(user)
            response = self.client.get(reverse("initiatives:duty-list"))
            self.assertEqual(response.content.decode().count('data-testid="duty-row"'), seen, user)
            page = self.client.get(reverse("initiatives:compliance"))
            self.assertEqual(page.content.decode().count('data-testid="department-rate"'), min(seen, 2), user)

    def test_outsider_gets_404_and_changes_nothing(self):
        row = self.add(file="notices/x")
        self.login(self.outsider)
        before = business_checksum()
        for name, args in [
            ("initiatives:duty-detail", [self.duty.pk]),
            ("initiatives:record-create", [self.duty.pk]),
            ("initiatives:record-edit", [row.pk]),
            ("initiatives:record-file", [row.pk]),
        ]:
            self.assertEqual(self.client.get(reverse(name, args=args)).status_code, 404, name)
        self.assertEqual(self.post_record(period="2021-04-01").status_code, 404)
        edit = self.client.post(reverse("initiatives:record-edit", args=[row.pk]), {"title": "改", "version": "1"})
        self.assertEqual(edit.status_code, 404)
        self.assertEqual(business_checksum(), before)

    def test_leader_reads_but_may_not_write(self):
        row = self.add()
        self.login(self.leader)
        self.assertEqual(self.client.get(reverse("initiatives:duty-detail", args=[self.duty.pk])).status_code, 200)
        before = business_checksum()
        self.assertEqual(self.post_record(period="2021-04-01").status_code, 403)
        edit = self.client.post(reverse("initiatives:record-edit", args=[row.pk]), {"title": "改", "version": "1"})
        self.assertEqual(edit.status_code, 403)
        check = self.client.post(reverse("initiatives:record-check", args=[row.pk]), {"standardised": "yes"})
        self.assertEqual(check.status_code, 403)
        self.assertEqual(self.client.post(reverse("initiatives:duty-create"), {}).status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_department_may_not_check_or_manage(self):
        row = self.add()
        self.login(self.head)
        before = business_checksum()
        check = self.client.post(reverse("initiatives:record-check", args=[row.pk]), {"standardised": "yes"})
        self.assertEqual(check.status_code, 403)
        self.assertEqual(self.client.get(reverse("initiatives:duty-edit", args=[self.duty.pk])).status_code, 403)
        self.assertEqual(business_checksum(), before)

    def test_get_on_post_only_is_405(self):
        row = self.add()
        self.login(self.office)
        self.assertEqual(self.client.get(reverse("initiatives:record-check", args=[row.pk])).status_code, 405)

    def test_notice_without_a_document_has_no_download(self):
        row = self.add()
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("initiatives:record-file", args=[row.pk])).status_code, 404)


class CompliancePageTests(DutyCase):
    def test_seed_cut_off_september_30(self):
        """The seed checks notices due by 9月30日: Q1 on time, Q2 late, Q3 not yet due."""
        self.add(start=date(2021, 1, 1), issued=date(2021, 4, 9), filed_date=date(2021, 4, 9), standardised=True)
        self.add(start=date(2021, 4, 1), issued=date(2021, 7, 15), title="二季度", standardised=False)
        self.add(start=date(2021, 7, 1), issued=date(2021, 10, 8), title="三季度")  # after the cut-off
        self.login(self.leader)
        response = self.client.get(reverse("initiatives:compliance"), {"year": "2021", "date": "2021年9月30日"})
        page = response.content.decode()
        self.assertEqual(response.status_code, 200)
        rows = page.split('data-testid="compliance-row"')[1:]
        statuses = [r.split('data-testid="timeliness" data-status="', 1)[1].split('"', 1)[0] for r in rows]
        self.assertEqual(statuses, ["on_time", "late", "not_yet_due", "not_yet_due"])
        self.assertIn('data-status="not_standard"', rows[1])
        self.assertIn('data-status="not_filed"', rows[1])
        rate = page.split('data-testid="rate">', 1)[1].split("<", 1)[0]
        self.assertEqual(rate, "50.0%")

    def test_nothing_due_yet_shows_a_dash(self):
        self.login(self.office)
        response = self.client.get(reverse("initiatives:compliance"), {"year": "2021", "date": "2021-03-31"})
        self.assertContains(response, 'data-testid="rate">—<')

    def test_query_counts_do_not_grow(self):
        self.login(self.office)

        def count() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as compliance_page:
                self.assertEqual(self.client.get(reverse("initiatives:compliance")).status_code, 200)
            with CaptureQueriesContext(connection) as duty_list:
                self.assertEqual(self.client.get(reverse("initiatives:duty-list")).status_code, 200)
            return len(compliance_page), len(duty_list)

        self.add()
        self.client.get(reverse("initiatives:duty-list"))  # the first request after login saves the session
        small = count()
        for i in range(8):
            department = Department.objects.create(name=f"职能部门{i}", kind="functional", order=10 + i)
            duty = NotificationDuty.objects.create(
                year=self.year, department=department, topic=f"通报{i}", frequency="monthly"
            )
            for month in (1, 2, 3):
                self.add(duty=duty, start=date(2021, month, 1), issued=date(2021, month + 1, 5))
        self.assertEqual(count(), small)
