"""The bulletin's workflow: draft (from a round), edit section by section, issue (frozen for good).

Every write goes through the ORM with simple-history, so the audit log holds who changed what,
when, before and after. Writes check the draft's state and the row's version: a second office
member's save is refused with what is there now (``Conflict``), never silently overwritten.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.bulletins import compose
from kaohe.bulletins.document import Block, Document, Kind, blocks, chinese_number
from kaohe.bulletins.models import SECTION_ORDER, Bulletin, Section, SectionKey
from kaohe.org.models import User
from kaohe.progress.errors import Conflict, Locked
from kaohe.supervision.models import SupervisionRound

State = Bulletin.State
# The rounds a bulletin can be drafted from: verification is over (closed) or published.
DRAFTABLE_ROUNDS = (SupervisionRound.State.CLOSED, SupervisionRound.State.PUBLISHED)
TEXT_LIMIT = 20_000  # characters per section: about 25 printed pages, far beyond any real section


def next_number(year) -> int:
    return (Bulletin.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0) + 1


def _check_editable(bulletin: Bulletin) -> None:
    if bulletin.year.is_read_only:
        raise Locked(_("This assessment year is closed; its bulletins can no longer change."))
    if bulletin.state != State.DRAFT:
        raise Locked(_("This bulletin has been issued and can no longer change; a correction is a new bulletin."))


def _check_number(bulletin: Bulletin) -> None:
    taken = Bulletin.objects.filter(year=bulletin.year, number=bulletin.number).exclude(pk=bulletin.pk)
    if taken.exists():
        raise ValidationError(
            {"number": _("Number %(number)s of this year is already taken.") % {"number": bulletin.number_text}}
        )


@transaction.atomic
def create_bulletin(
    *, round_: SupervisionRound, by: User, number: int | None = None, issue_date: date | None = None, corrects=None
) -> Bulletin:
    """A draft with every section generated from the round's data as it is now."""
    if round_.state not in DRAFTABLE_ROUNDS:
        raise ValidationError(_("A bulletin is drafted once the round's on-site verification is closed."))
    if round_.year.is_read_only:
        raise Locked(_("This assessment year is closed; its bulletins can no longer change."))
    if corrects is not None and corrects.state != State.ISSUED:
        raise ValidationError(_("Only an issued bulletin can be corrected."))
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
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError:
        raise ValidationError(
            {"number": _("Number %(number)s of this year is already taken.") % {"number": bulletin.number_text}}
        ) from None
    now = timezone.now()
    for key in SECTION_ORDER:
        if corrects is not None:
            old = corrects.sections.filter(key=key).first()
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
    current._change_reason = "edited"
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        raise ValidationError(
            {"number": _("Number %(number)s of this year is already taken.") % {"number": current.number_text}}
        ) from None
    return current


def _section_for_update(section: Section) -> Section:
    current = Section.objects.select_for_update().select_related("bulletin__year").get(pk=section.pk)
    _check_editable(Bulletin.objects.select_for_update().select_related("year").get(pk=current.bulletin_id))
    return current


@transaction.atomic
def save_section(*, section: Section, by: User, version: int, heading: str, text: str) -> Section:
    current = _section_for_update(section)
    if current.version != version:
        raise Conflict(current)
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {"text": _("A section holds at most %(limit)s characters.") % {"limit": f"{TEXT_LIMIT:,}"}}
        )
    current.heading, current.text = heading.strip(), _clean(text)
    current.edited_by, current.edited_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


@transaction.atomic
def regenerate_section(*, section: Section, by: User, version: int) -> Section:
    """The section's text drafted again from the data as it is now; what was there stays in the history."""
    current = _section_for_update(section)
    if current.version != version:
        raise Conflict(current)
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
    current = _section_for_update(section)
    if current.version != version:
        raise Conflict(current)
    existing = [line for line in current.text.splitlines() if line.strip()]
    current.text = "\n".join([*existing, f"{len(existing) + 1}.{text}"])
    current.edited_by, current.edited_at = by, timezone.now()
    current.version += 1
    current.save()
    return current


def _clean(text: str) -> str:
    """Lines trimmed, runs of blank lines dropped, Windows line ends made plain."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


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


def document_of(bulletin: Bulletin, sections: list[Section] | None = None) -> Document:
    """The printable document: sections in the seed's order, empty ones left out, headings numbered."""
    if sections is None:
        sections = list(bulletin.sections.all())
    order = {key: i for i, key in enumerate(SECTION_ORDER)}
    found: list[Block] = []
    n = 0
    for section in sorted(sections, key=lambda s: order[s.key]):
        body = blocks(section.text)
        if not body:
            continue
        if section.key != SectionKey.OPENING and section.heading.strip():
            n += 1
            found.append(Block(Kind.HEADING1, f"{chinese_number(n)}、{section.heading.strip()}"))
        found.extend(body)
    day = bulletin.issue_date
    return Document(
        header_org=bulletin.header_org,
        header_title="工作通报",
        number=bulletin.number_text,
        title=bulletin.title,
        subtitle=bulletin.subtitle,
        blocks=found,
        signature=bulletin.signature,
        date_text=f"{day.year}年{day.month}月{day.day}日",
        draft=bulletin.state != State.ISSUED,
    )


def file_names(bulletin: Bulletin) -> tuple[str, str]:
    base = f"{bulletin.number_text}{bulletin.title}"
    return f"{base}.docx", f"{base}.pdf"


# Issuing -----------------------------------------------------------------------------------------


@transaction.atomic
def start_issue(*, bulletin: Bulletin, by: User, version: int) -> Bulletin:
    """Freezes the text and the number; the files are made in the background (``tasks.issue``)."""
    current = _locked_row(Bulletin, bulletin.pk)
    _check_editable(current)
    if current.version != version:
        raise Conflict(current)
    if not any(blocks(s.text) for s in current.sections.all()):
        raise ValidationError(_("The bulletin has no text yet; write or generate its sections first."))
    current.state = State.ISSUING
    current.issued_by = by
    current.issue_error = ""
    current.version += 1
    current.save()
    return current


def make_files(bulletin: Bulletin) -> tuple[bytes, bytes, str]:
    """The .docx and PDF of a bulletin as it is now (a draft's say so)."""
    from kaohe.bulletins.docx import build_docx
    from kaohe.bulletins.pdf import to_pdf

    document = document_of(bulletin)
    data = build_docx(document)
    pdf = to_pdf(data, document)
    return data, pdf.data, pdf.engine


def finish_issue(bulletin_id: int) -> Bulletin:
    """Makes the files of a bulletin being issued and stores them with their SHA-256; on failure the
    bulletin goes back to a draft, with the reason for the office, and nothing is kept."""
    bulletin = Bulletin.objects.select_related("year").get(pk=bulletin_id)
    if bulletin.state != State.ISSUING:
        return bulletin
    try:
        # The files say "issued": the document is built as the issued one.
        bulletin.state = State.ISSUED
        docx_data, pdf_data, engine = make_files(bulletin)
    except Exception as exc:  # noqa: BLE001 - any failure returns the draft to the office
        with transaction.atomic():
            current = _locked_row(Bulletin, bulletin_id)
            current.state = State.DRAFT
            current.issued_by = None
            current.issue_error = str(exc)[:2000] or exc.__class__.__name__
            current.version += 1
            current.save()
        raise
    docx_name, pdf_name = file_names(bulletin)
    with transaction.atomic():
        current = _locked_row(Bulletin, bulletin_id)
        if current.state != State.ISSUING:
            return current
        current.docx.save(docx_name, ContentFile(docx_data), save=False)
        current.pdf.save(pdf_name, ContentFile(pdf_data), save=False)
        current.docx_sha256 = hashlib.sha256(docx_data).hexdigest()
        current.pdf_sha256 = hashlib.sha256(pdf_data).hexdigest()
        current.pdf_engine = engine
        current.state = State.ISSUED
        current.issued_at = timezone.now()
        current.version += 1
        current.save()
    return current
