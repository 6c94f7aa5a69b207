"""The bulletin's workflow: draft (from a round), edit section by section, issue (frozen for good).

Every write goes through the ORM with simple-history, so the audit log holds who changed what,
when, before and after. Writes check the draft's state and the row's version: a second office
member's save is refused with what is there now (``Conflict``), never silently overwritten.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.bulletins import compose
from kaohe.bulletins.document import Block, Document, Kind, blocks, chinese_number, lines
from kaohe.bulletins.models import SECTION_ORDER, Bulletin, Section, SectionKey, in_order
from kaohe.org.models import User
from kaohe.progress.errors import Conflict, Locked
from kaohe.supervision.models import SupervisionRound

State = Bulletin.State
# The rounds a bulletin can be drafted from: verification is over (closed) or published.
DRAFTABLE_ROUNDS = (SupervisionRound.State.CLOSED, SupervisionRound.State.PUBLISHED)
TEXT_LIMIT = 20_000  # characters per section: about 25 printed pages, far beyond any real section


def next_number(year) -> int:
    return (Bulletin.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


LOCKED_MESSAGES = {
    State.SUBMITTED: gettext_lazy("This bulletin is with a school leader for sign-off; ask for it back to change it."),
    State.SIGNED: gettext_lazy(
        "This bulletin has been signed off; its text no longer changes. Issue it, or ask a leader to return it."
    ),
    State.ISSUING: gettext_lazy("This bulletin is being issued; its text no longer changes."),
    State.ISSUED: gettext_lazy(
        "This bulletin has been issued and can no longer change; a correction is a new bulletin."
    ),
}


def _check_open(bulletin_or_round) -> None:
    if bulletin_or_round.year.is_read_only:
        raise Locked(_("This assessment year is closed; its bulletins can no longer change."))


def _check_state(bulletin: Bulletin, *states: str) -> None:
    _check_open(bulletin)
    if bulletin.state not in states:
        message = LOCKED_MESSAGES.get(bulletin.state) or _("This bulletin cannot do that in its present state.")
        raise Locked(str(message))


def locked_message(bulletin: Bulletin) -> str:
    """Why the bulletin cannot be edited now, for the person who tried."""
    try:
        _check_editable(bulletin)
    except Locked as exc:
        return " ".join(exc.messages)
    return ""


def _check_editable(bulletin: Bulletin) -> None:
    _check_state(bulletin, State.DRAFT)


MAX_NUMBER = 999


def _check_number_range(number: int) -> None:
    if not 1 <= number <= MAX_NUMBER:
        raise ValidationError({"number": _("A bulletin's number is between 1 and %(max)s.") % {"max": MAX_NUMBER}})


def _number_taken(bulletin: Bulletin) -> ValidationError:
    return ValidationError(
        {"number": _("Number %(number)s of this year is already taken.") % {"number": bulletin.number_text}}
    )


def _check_number(bulletin: Bulletin) -> None:
    _check_number_range(bulletin.number)
    if Bulletin.objects.filter(year=bulletin.year, number=bulletin.number).exclude(pk=bulletin.pk).exists():
        raise _number_taken(bulletin)


def _save_numbered(bulletin: Bulletin) -> None:
    """Saves, turning a number taken meanwhile by someone else (the unique constraint) into the message."""
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        raise _number_taken(bulletin) from None


@transaction.atomic
def create_bulletin(
    *, round_: SupervisionRound, by: User, number: int | None = None, issue_date: date | None = None, corrects=None
) -> Bulletin:
    """A draft with every section generated from the round's data as it is now."""
    if round_.state not in DRAFTABLE_ROUNDS:
        raise ValidationError(_("A bulletin is drafted once the round's on-site verification is closed."))
    _check_open(round_)
    if corrects is not None and corrects.state != State.ISSUED:
        raise ValidationError(_("Only an issued bulletin can be corrected."))
    if corrects is not None:
        open_correction = corrects.corrections.exclude(state=State.ISSUED).first()
        if open_correction is not None:
            raise ValidationError(
                _("A correction of this bulletin is already being drafted: %(number)s.")
                % {"number": open_correction.number_text}
            )
    names = compose.titles(round_)
    bulletin = Bulletin(
        year=round_.year,
        round=round_,
        number=number or next_number(round_.year),
        header_org=names.header_org,
        title=names.title if corrects is None else f"关于{corrects.number_text}的更正通报",
        subtitle=names.subtitle,
        signature=names.signature,
        issue_date=issue_date or timezone.localdate(),
        corrects=corrects,
        created_by=by,
    )
    _check_number(bulletin)
    _save_numbered(bulletin)
    now = timezone.now()
    issued = {s.key: s for s in corrects.sections.all()} if corrects is not None else {}
    for key in SECTION_ORDER:
        if corrects is not None:
            old = issued.get(key)
            text, head = (old.text, old.heading) if old else ("", compose.heading(key, round_))
        else:
            text, head = compose.generate(round_, key), compose.heading(key, round_)
        Section.objects.create(
            bulletin=bulletin, key=key, heading=head, text=text, generated_text=text, generated_at=now, edited_by=by
        )
    return bulletin


def _locked_row(model, pk: int):
    return model.objects.select_for_update().select_related("year").get(pk=pk)


@transaction.atomic
def update_bulletin(*, bulletin: Bulletin, by: User, version: int, **fields) -> Bulletin:
    """The number, titles, signature and date of a draft."""
    current = _locked_row(Bulletin, bulletin.pk)
    _check_editable(current)
    if current.version != version:
        raise Conflict(current)
    for name, value in fields.items():
        setattr(current, name, value)
    _check_number(current)
    current.version += 1
    _save_numbered(current)
    return current


def _section_for_update(section: Section, version: int) -> Section:
    """The section locked for writing: its bulletin is a draft, and nobody saved it since ``version``."""
    current = Section.objects.select_for_update().select_related("bulletin__year").get(pk=section.pk)
    _check_editable(_locked_row(Bulletin, current.bulletin_id))
    if current.version != version:
        raise Conflict(current)
    return current


@transaction.atomic
def save_section(*, section: Section, by: User, version: int, heading: str, text: str) -> Section:
    current = _section_for_update(section, version)
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {"text": _("A section holds at most %(limit)s characters.") % {"limit": f"{TEXT_LIMIT:,}"}}
        )
    if current.key != SectionKey.OPENING and not heading.strip() and text.strip():
        raise ValidationError({"heading": _("A section with text needs its heading (such as 存在的主要问题).")})
    current.heading, current.text = heading.strip(), _clean(text)
    current.edited_by, current.edited_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


@transaction.atomic
def regenerate_section(*, section: Section, by: User, version: int) -> Section:
    """The section's text drafted again from the data as it is now; what was there stays in the history."""
    current = _section_for_update(section, version)
    round_ = SupervisionRound.objects.select_related("year").get(pk=current.bulletin.round_id)
    text = compose.generate(round_, current.key)
    current.text = current.generated_text = text
    current.generated_at = current.edited_at = timezone.now()
    current.edited_by = by
    current.version += 1
    current.save()
    return current


@transaction.atomic
def add_suggestion(*, section: Section, by: User, version: int, text: str) -> Section:
    """One suggestion appended to 七 or 八 as a new numbered item."""
    current = _section_for_update(section, version)
    current.text = with_item(current.text, text)
    current.edited_by, current.edited_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


NUMBERED = re.compile(r"^(\d{1,2})\s*[.．、]")


def with_item(text: str, item: str) -> str:
    """``text`` with ``item`` as its next numbered item, after the last one: a closing paragraph
    after the list (八's "距离年终考核还有两个月时间……") stays last."""
    paragraphs = lines(text)
    numbered = [i for i, line in enumerate(paragraphs) if NUMBERED.match(line)]
    number = int(NUMBERED.match(paragraphs[numbered[-1]]).group(1)) + 1 if numbered else 1
    at = numbered[-1] + 1 if numbered else len(paragraphs)
    return "\n".join([*paragraphs[:at], f"{number}.{item}", *paragraphs[at:]])


def _clean(text: str) -> str:
    """One paragraph per line, as ``document.blocks`` reads it."""
    return "\n".join(lines(text))


# Changes since generated ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    tag: str  # "same", "removed", "added"
    text: str


def changes(section: Section) -> list[DiffLine]:
    """Line by line, what the office changed since the section was last generated."""
    return diff_lines(section.generated_text, section.text)


def data_changes(section: Section) -> list[DiffLine]:
    """Line by line, what "regenerate" would change in the text as it is now (the data moved on)."""
    round_ = SupervisionRound.objects.select_related("year").get(pk=section.bulletin.round_id)
    return diff_lines(section.text, compose.generate(round_, section.key))


def diff_lines(before: str, after: str) -> list[DiffLine]:
    old, new = before.splitlines(), after.splitlines()
    result = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            result += [DiffLine("same", line) for line in old[i1:i2]]
            continue
        result += [DiffLine("removed", line) for line in old[i1:i2]]
        result += [DiffLine("added", line) for line in new[j1:j2]]
    return result


# The document ------------------------------------------------------------------------------------


def numerals(sections: list[Section]) -> dict[str, str]:
    """The numeral each section's heading gets in the document: 一、二、… over the sections with text."""
    found, n = {}, 0
    for section in in_order(sections):
        if section.key != SectionKey.OPENING and section.heading.strip() and blocks(section.text):
            n += 1
            found[section.key] = chinese_number(n)
    return found


def document_of(bulletin: Bulletin, sections: list[Section] | None = None) -> Document:
    """The printable document: sections in the seed's order, empty ones left out, headings numbered."""
    if sections is None:
        sections = list(bulletin.sections.all())
    numbered = numerals(sections)
    found: list[Block] = []
    for section in in_order(sections):
        body = blocks(section.text)
        if not body:
            continue
        if section.key in numbered:
            found.append(Block(Kind.HEADING1, f"{numbered[section.key]}、{section.heading.strip()}"))
        found.extend(body)
    return Document(
        header_org=bulletin.header_org,
        header_title="工作通报",
        number=bulletin.number_text,
        title=bulletin.title,
        subtitle=bulletin.subtitle,
        blocks=found,
        signature=bulletin.signature,
        date_text=compose.full_date(bulletin.issue_date),
        draft=bulletin.state != State.ISSUED,
    )


def file_names(bulletin: Bulletin) -> tuple[str, str]:
    base = f"{bulletin.number_text}{bulletin.title}"
    return f"{base}.docx", f"{base}.pdf"


# Sign-off and issuing -----------------------------------------------------------------------------
#
# draft → (office sends it) → awaiting sign-off → (a leader signs it off, or returns it to a draft
# with a reason) → signed off → (office issues) → being issued → (the task made the files) → issued.
# The text is frozen from the sending on; what the leader read is what is issued.

log = logging.getLogger(__name__)
# A bulletin "being issued" for longer than this has lost its worker: the office may take it back.
ISSUE_STALE_MINUTES = 10


def revision(bulletin: Bulletin, sections: list[Section] | None = None) -> str:
    """What the page showed: the bulletin's version and every section's. Sending it for sign-off
    checks it, so nobody sends text they have not seen (a colleague edited a section meanwhile)."""
    if sections is None:
        sections = list(bulletin.sections.all())
    return f"{bulletin.version}." + ".".join(str(s.version) for s in sorted(sections, key=lambda s: s.pk))


@transaction.atomic
def submit_for_sign_off(*, bulletin: Bulletin, by: User, seen: str) -> Bulletin:
    current = _locked_row(Bulletin, bulletin.pk)
    _check_editable(current)
    sections = list(Section.objects.select_for_update().filter(bulletin=current))
    if revision(current, sections) != seen:
        raise Conflict(current)
    if not any(blocks(s.text) for s in sections):
        raise ValidationError(_("The bulletin has no text yet; write or generate its sections first."))
    current.state = State.SUBMITTED
    current.submitted_by, current.submitted_at = by, timezone.now()
    current.return_reason = ""
    current.version += 1
    current.save()
    return current


@transaction.atomic
def decide_sign_off(*, bulletin: Bulletin, by: User, version: int, approve: bool, reason: str = "") -> Bulletin:
    """A school leader signs the bulletin off (签发), or returns it to the office with a reason."""
    current = _locked_row(Bulletin, bulletin.pk)
    _check_state(current, State.SUBMITTED)
    if current.version != version:
        raise Conflict(current)
    reason = reason.strip()
    if approve:
        current.state = State.SIGNED
        current.signed_by, current.signed_at = by, timezone.now()
    else:
        if not reason:
            raise ValidationError({"reason": _("Say why the bulletin goes back, so that the office can put it right.")})
        current.state = State.DRAFT
        current.return_reason = reason
    current.version += 1
    current.save()
    return current


def check_issuable(bulletin: Bulletin) -> None:
    """Issuing needs a leader's sign-off first (domain.md §5: leaders approve publication)."""
    if bulletin.state == State.DRAFT and not bulletin.year.is_read_only:
        raise Locked(_("A school leader signs the bulletin off before it is issued: send it for sign-off first."))
    _check_state(bulletin, State.SIGNED)


@transaction.atomic
def start_issue(*, bulletin: Bulletin, by: User, version: int) -> Bulletin:
    """The number is taken for good; the files are made in the background (``tasks.issue_bulletin``)."""
    current = _locked_row(Bulletin, bulletin.pk)
    check_issuable(current)
    if current.version != version:
        raise Conflict(current)
    current.state = State.ISSUING
    current.issued_by = by
    current.issuing_since = timezone.now()
    current.issue_error = ""
    current.version += 1
    current.save()
    return current


@transaction.atomic
def cancel_issue(*, bulletin: Bulletin, by: User, reason: str) -> Bulletin:
    """Back to signed off: the files were not made (the worker failed or is not running)."""
    current = _locked_row(Bulletin, bulletin.pk)
    _check_state(current, State.ISSUING)
    if not issue_is_stale(current):
        raise ValidationError(
            _("The files are still being made; wait %(minutes)s minutes before taking the bulletin back.")
            % {"minutes": ISSUE_STALE_MINUTES}
        )
    _unissue(current, reason, by)
    return current


def _unissue(current: Bulletin, reason: str, by: User | None) -> None:
    """Back from "being issued" to signed off, with the reason shown to the office."""
    current.state = State.SIGNED
    current.issued_by = None
    current.issuing_since = None
    current.issue_error = reason
    current.version += 1
    current._history_user = by
    current.save()


def _reason(exc: BaseException) -> str:
    return str(exc)[:2000] or exc.__class__.__name__


def issue_is_stale(bulletin: Bulletin) -> bool:
    since = bulletin.issuing_since
    return since is not None and timezone.now() - since > timedelta(minutes=ISSUE_STALE_MINUTES)


def make_files(bulletin: Bulletin) -> tuple[bytes, bytes, str]:
    """The .docx and PDF of a bulletin as it is now (a draft's say so)."""
    from kaohe.bulletins.docx import build_docx
    from kaohe.bulletins.pdf import to_pdf

    document = document_of(bulletin)
    data = build_docx(document)
    pdf = to_pdf(data, document)
    return data, pdf.data, pdf.engine


def finish_issue(bulletin_id: int) -> Bulletin:
    """Makes the files of a bulletin being issued and stores them with their SHA-256. On any failure
    (the conversion, the storage, the database) the files written are removed and the bulletin goes
    back to signed off, with the reason for the office; then the error goes up to the task's log."""
    bulletin = Bulletin.objects.select_related("year").get(pk=bulletin_id)
    if bulletin.state != State.ISSUING:
        return bulletin
    written: list = []
    try:
        bulletin.state = State.ISSUED  # the files are made as the issued bulletin's: no draft mark
        docx_data, pdf_data, engine = make_files(bulletin)
        docx_name, pdf_name = file_names(bulletin)
        with transaction.atomic():
            current = _locked_row(Bulletin, bulletin_id)
            if current.state != State.ISSUING:
                return current
            current.docx.save(docx_name, ContentFile(docx_data), save=False)
            written.append(current.docx)
            current.pdf.save(pdf_name, ContentFile(pdf_data), save=False)
            written.append(current.pdf)
            current.docx_sha256 = hashlib.sha256(docx_data).hexdigest()
            current.pdf_sha256 = hashlib.sha256(pdf_data).hexdigest()
            current.pdf_engine = engine
            current.state = State.ISSUED
            current.issued_at = timezone.now()
            current.version += 1
            current._history_user = current.issued_by  # the worker has no request: the issuer did it
            current.save()
        return current
    except BaseException as exc:
        for stored in written:
            try:
                stored.storage.delete(stored.name)
            except OSError:
                log.exception("could not remove %s after a failed issue", stored.name)
        _back_to_signed(bulletin_id, _reason(exc))
        raise


def _back_to_signed(bulletin_id: int, reason: str) -> None:
    with transaction.atomic():
        current = _locked_row(Bulletin, bulletin_id)
        if current.state == State.ISSUING:
            _unissue(current, reason, current.issued_by)


def enqueue_issue(bulletin: Bulletin) -> None:
    """Hands the files to the worker; if the queue refuses, the bulletin goes back at once."""
    from kaohe.bulletins import tasks

    try:
        tasks.issue_bulletin.enqueue(bulletin.pk)
    except Exception as exc:
        log.exception("could not enqueue the issuing of bulletin %s", bulletin.pk)
        _back_to_signed(bulletin.pk, _reason(exc))


# The to-do list ---------------------------------------------------------------------------------


def todo_section(user) -> list:
    """Leaders: bulletins awaiting their sign-off. The office: bulletins signed off and not yet
    issued, and drafts a leader returned."""
    from django.urls import reverse

    from kaohe.org import access
    from kaohe.org.models import Role
    from kaohe.progress.todo import Row
    from kaohe.progress.todo import Section as TodoSection

    found = []
    if access.has_role(user, {Role.LEADER}):
        waiting = Bulletin.objects.filter(state=State.SUBMITTED).select_related("year")
        rows = [
            Row(f"{b.number_text} {b.title}", reverse("bulletins:detail", args=[b.pk]), _("to sign off"))
            for b in waiting
        ]
        found.append(TodoSection("bulletin-sign-off", _("Bulletins to sign off"), rows))
    if access.has_role(user, {Role.OFFICE}):
        ready = Bulletin.objects.filter(
            Q(state=State.SIGNED) | Q(state=State.DRAFT) & ~Q(return_reason="")
        ).select_related("year")
        rows = [
            Row(
                f"{b.number_text} {b.title}",
                reverse("bulletins:detail", args=[b.pk]),
                _("signed off: to issue") if b.state == State.SIGNED else _("returned by a leader"),
            )
            for b in ready
        ]
        found.append(TodoSection("bulletins", _("Bulletins to issue or put right"), rows))
    return found
