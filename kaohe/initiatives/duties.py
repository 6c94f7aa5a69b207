"""The notification duty (通报制度, domain.md §3, the seed's §六): periods, due dates, compliance.

The first half is pure: plain dates and plain objects in, values out, no database, ``Decimal``
throughout. Dates are the school's calendar days (``timezone.localdate()``, Asia/Shanghai).

* A period's notice is due ``due_days`` after the period's last day (0: on that day).
* A notice is on time if issued on or before its due date, late if after it. Without a notice the
  period is missing once its due date has passed, and not yet due until then. Looking back from a
  cut-off date, a notice issued (or filed) after the cut-off did not exist yet.
* Compliance of a duty or a department: on-time periods ÷ periods counted so far (due dates passed,
  or notices already issued), half up to one decimal; "—" when nothing was due yet.

The second half are the services that write duties and records.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.initiatives.models import Frequency, NotificationDuty, NotificationRecord
from kaohe.lib.numbers import divide_half_up
from kaohe.org.models import AssessmentYear, Department, User
from kaohe.progress import files as evidence_files
from kaohe.progress.errors import Conflict

RATIO_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.1")
NO_RATE = "—"


def today() -> date:
    """The school's calendar day (Asia/Shanghai)."""
    return timezone.localdate()


# Periods and due dates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    frequency: str
    number: int  # month 1–12, quarter 1–4, half 1–2, year 1
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return _("Month %(n)d") % {"n": self.number}
        if self.frequency == Frequency.QUARTERLY:
            return _("Quarter %(n)d") % {"n": self.number}
        if self.frequency == Frequency.HALF_YEARLY:
            return _("First half") if self.number == 1 else _("Second half")
        return _("Whole year")


_MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}


def periods(frequency: str, year: int) -> list[Period]:
    """The periods of a calendar year for a frequency: 12 months, 4 quarters, 2 halves or the year."""
    step = _MONTHS_PER_PERIOD[Frequency(frequency)]
    result = []
    for number, first_month in enumerate(range(1, 13, step), start=1):
        last_month = first_month + step - 1
        last_day = calendar.monthrange(year, last_month)[1]
        result.append(Period(str(frequency), number, date(year, first_month, 1), date(year, last_month, last_day)))
    return result


def period_starting(frequency: str, year: int, start: date) -> Period | None:
    return next((p for p in periods(frequency, year) if p.start == start), None)


def due_date(period_end: date, due_days: int) -> date:
    """The last day a period's notice is on time: ``due_days`` calendar days after the period ends."""
    return period_end + timedelta(days=due_days)


# The status of one period ----------------------------------------------------------------------


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", gettext_lazy("On time")
    LATE = "late", gettext_lazy("Late")
    MISSING = "missing", gettext_lazy("Missing")
    NOT_YET_DUE = "not_yet_due", gettext_lazy("Not yet due")


class Filing(models.TextChoices):
    FILED = "filed", gettext_lazy("Filed")
    FILED_LATE = "filed_late", gettext_lazy("Filed late")
    NOT_FILED = "not_filed", gettext_lazy("Not filed")
    NOT_REQUIRED = "not_required", gettext_lazy("No filing required")


class Check(models.TextChoices):
    STANDARD = "standard", gettext_lazy("Standard")
    NOT_STANDARD = "not_standard", gettext_lazy("Not standard")
    UNCHECKED = "unchecked", gettext_lazy("Not checked yet")
    NONE = "none", gettext_lazy("No notice")


class NoticeLike(Protocol):
    issued_date: date
    filed_date: date | None
    standardised: bool | None


@dataclass(frozen=True)
class RecordStatus:
    timeliness: Timeliness
    filing: Filing
    check: Check
    days_late: int = 0

    @property
    def counted(self) -> bool:
        """Whether the period counts in the compliance rate (due by now, or answered already)."""
        return self.timeliness != Timeliness.NOT_YET_DUE

    @property
    def on_time(self) -> bool:
        return self.timeliness == Timeliness.ON_TIME


def record_status(record: NoticeLike | None, due: date, today: date, *, filing_required: bool = True) -> RecordStatus:
    """On time / late / missing / not yet due, filed (late) or not, standard or not, as seen on ``today``."""
    if record is not None and record.issued_date > today:
        record = None  # issued after the cut-off: it did not exist yet
    if record is None:
        timeliness = Timeliness.MISSING if today > due else Timeliness.NOT_YET_DUE
        filing = Filing.NOT_FILED if filing_required else Filing.NOT_REQUIRED
        return RecordStatus(timeliness, filing, Check.NONE, max((today - due).days, 0))
    late = record.issued_date > due
    timeliness = Timeliness.LATE if late else Timeliness.ON_TIME
    if not filing_required:
        filing = Filing.NOT_REQUIRED
    elif record.filed_date is None or record.filed_date > today:
        filing = Filing.NOT_FILED
    else:
        filing = Filing.FILED_LATE if record.filed_date > due else Filing.FILED
    check = {True: Check.STANDARD, False: Check.NOT_STANDARD, None: Check.UNCHECKED}[record.standardised]
    return RecordStatus(timeliness, filing, check, max((record.issued_date - due).days, 0))


# Compliance --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One duty and period: who, which, and its status."""

    department: Hashable
    duty: Hashable
    status: RecordStatus
    period: Period | None = None
    due: date | None = None
    record: Any = None


@dataclass
class Rate:
    counted: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0
    filed: int = 0
    filed_late: int = 0
    not_filed: int = 0
    standard: int = 0
    not_standard: int = 0
    unchecked: int = 0

    def add(self, status: RecordStatus) -> None:
        self.counted += status.counted
        self.on_time += status.timeliness == Timeliness.ON_TIME
        self.late += status.timeliness == Timeliness.LATE
        self.missing += status.timeliness == Timeliness.MISSING
        self.not_yet_due += status.timeliness == Timeliness.NOT_YET_DUE
        if status.counted:
            self.filed += status.filing == Filing.FILED
            self.filed_late += status.filing == Filing.FILED_LATE
            self.not_filed += status.filing == Filing.NOT_FILED
            self.standard += status.check == Check.STANDARD
            self.not_standard += status.check == Check.NOT_STANDARD
            self.unchecked += status.check == Check.UNCHECKED

    @property
    def ratio(self) -> Decimal | None:
        """On-time ÷ counted, to four places, half up; None when nothing was due yet."""
        return divide_half_up(self.on_time, self.counted, RATIO_PLACES) if self.counted else None

    @property
    def percent(self) -> Decimal | None:
        return divide_half_up(self.on_time * 100, self.counted, PERCENT_PLACES) if self.counted else None

    @property
    def percent_text(self) -> str:
        """The rate as "66.7%", or "—" when nothing was due yet."""
        return NO_RATE if self.percent is None else f"{self.percent}%"


@dataclass
class Compliance:
    duties: dict[Hashable, Rate] = field(default_factory=dict)
    departments: dict[Hashable, Rate] = field(default_factory=dict)
    school: Rate = field(default_factory=Rate)


def compliance(rows: Iterable[Row]) -> Compliance:
    """Per duty, per department and for the school: counts and the on-time rate."""
    duties: dict[Hashable, Rate] = defaultdict(Rate)
    departments: dict[Hashable, Rate] = defaultdict(Rate)
    school = Rate()
    for row in rows:
        duties[row.duty].add(row.status)
        departments[row.department].add(row.status)
        school.add(row.status)
    return Compliance(dict(duties), dict(departments), school)


def duty_rows(duties: Iterable[Any], records: Iterable[Any], year: int, day: date) -> list[Row]:
    """The rows of every duty's periods of ``year`` as seen on ``day`` (duties and records already read)."""
    by_period = {(r.duty_id, r.period_start): r for r in records}
    rows = []
    for duty in duties:
        for period in periods(duty.frequency, year):
            due = due_date(period.end, duty.due_days)
            record = by_period.get((duty.pk, period.start))
            status = record_status(record, due, day, filing_required=duty.filing_required)
            rows.append(Row(duty.department_id, duty.pk, status, period, due, record))
    return rows


# Services ----------------------------------------------------------------------------------------


def _check_open(year: AssessmentYear) -> None:
    if year.is_read_only:
        raise ValidationError(_("This assessment year is closed; its records can no longer change."))


def _check_functional(department: Department) -> None:
    if department.kind != Department.Kind.FUNCTIONAL:
        message = _("Notification duties belong to functional departments; %(name)s is not one.")
        raise ValidationError({"department": message % {"name": department.name}})


@transaction.atomic
def save_duty(*, duty: NotificationDuty | None, by: User, **values) -> NotificationDuty:
    """The office creates or changes a duty of a functional department in an open year."""
    year, department = values["year"], values["department"]
    _check_open(year)
    if duty is not None:
        _check_open(duty.year)
    _check_functional(department)
    duty = duty or NotificationDuty()
    for name in ("year", "department", "topic", "frequency", "due_days", "filing_required", "active"):
        if name in values:
            setattr(duty, name, values[name])
    duty.topic = duty.topic.strip()
    duty.full_clean()
    duty.save()
    return duty


def check_recordable(duty: NotificationDuty) -> None:
    _check_open(duty.year)
    if not duty.active:
        raise ValidationError(_("This duty is no longer active; no notice can be recorded under it."))


def _check_dates(period: Period, issued: date, filed: date | None, day: date) -> None:
    errors: dict[str, str] = {}
    if issued < period.start:
        errors["issued_date"] = _("A notice cannot be issued before its period begins.")
    elif issued > day:
        errors["issued_date"] = _("The issue date cannot be in the future.")
    if filed is not None:
        if filed < issued:
            errors["filed_date"] = _("A notice cannot be filed before it was issued.")
        elif filed > day:
            errors["filed_date"] = _("The filing date cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def duplicate_message(period: Period) -> str:
    return _("A notice for %(period)s has already been recorded under this duty; change that one instead.") % {
        "period": period.label
    }


def record_notice(
    *,
    duty: NotificationDuty,
    by: User,
    period_start: date,
    title: str,
    issued_date: date,
    filed_date: date | None = None,
    note: str = "",
    upload: UploadedFile | None = None,
) -> NotificationRecord:
    """The department records the notice of one period (one per duty and period)."""
    with evidence_files.removed_on_failure() as written:
        return _record_notice(duty, by, period_start, title, issued_date, filed_date, note, upload, written)


@transaction.atomic
def _record_notice(duty, by, period_start, title, issued_date, filed_date, note, upload, written):
    duty = NotificationDuty.objects.select_related("year").get(pk=duty.pk)
    check_recordable(duty)
    period = period_starting(duty.frequency, duty.year.year, period_start)
    if period is None:
        raise ValidationError({"period": _("Choose one of the duty's periods.")})
    _check_dates(period, issued_date, filed_date, today())
    if NotificationRecord.objects.filter(duty=duty, period_start=period.start).exists():
        raise ValidationError({"period": duplicate_message(period)})
    row = NotificationRecord(
        duty=duty,
        period_start=period.start,
        period_end=period.end,
        title=title.strip(),
        issued_date=issued_date,
        filed_date=filed_date,
        note=note.strip(),
        recorded_by=by,
    )
    _attach(row, upload, written)
    row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        # A parallel request recorded the same period first.
        raise ValidationError({"period": duplicate_message(period)}) from exc
    return row


def update_notice(
    *,
    record: NotificationRecord,
    by: User,
    version: int,
    title: str,
    issued_date: date,
    filed_date: date | None = None,
    note: str = "",
    upload: UploadedFile | None = None,
) -> NotificationRecord:
    """Change a record opened at ``version``; if someone saved since, ``Conflict`` carries the current one.

    A changed record is checked again by the office (its judgement is reset)."""
    with evidence_files.removed_on_failure() as written:
        return _update_notice(record.pk, by, version, title, issued_date, filed_date, note, upload, written)


@transaction.atomic
def _update_notice(pk, by, version, title, issued_date, filed_date, note, upload, written):
    row = NotificationRecord.objects.select_for_update().select_related("duty__year").get(pk=pk)
    if row.version != version:
        raise Conflict(row)
    check_recordable(row.duty)
    period = Period(row.duty.frequency, 0, row.period_start, row.period_end)
    _check_dates(period, issued_date, filed_date, today())
    row.title, row.issued_date, row.filed_date, row.note = title.strip(), issued_date, filed_date, note.strip()
    row.standardised = None
    _attach(row, upload, written)
    row.version += 1
    row.full_clean(validate_constraints=False, validate_unique=False)
    row.save()
    return row


@transaction.atomic
def check_notice(*, record: NotificationRecord, by: User, standardised: bool, note: str = "") -> NotificationRecord:
    """The office judges a record standard (规范) or not; a "not standard" needs a reason."""
    row = NotificationRecord.objects.select_for_update().select_related("duty__year").get(pk=record.pk)
    _check_open(row.duty.year)
    note = note.strip()
    if not standardised and not note:
        raise ValidationError({"note": _("Say what is not standard about this notice.")})
    row.standardised = standardised
    if note:
        # The record has one note field: the office's remark is added to it, marked and dated.
        remark = _("Office check %(date)s: %(note)s") % {"date": today().isoformat(), "note": note}
        row.note = f"{row.note}\n{remark}".strip()
    row.version += 1
    row.save()
    return row


def _attach(row: NotificationRecord, upload: UploadedFile | None, written: list[str]) -> None:
    if upload is not None:
        [(upload, file_type)] = evidence_files.checked([upload], field="file")
        evidence_files.store(row, upload, file_type, written)
