"""Brands (品牌创建, the seed's §三): counting a checklist brand, who writes a brand, and the changes.

Reading: brands are school-wide showcases, so everyone in ``access.ASSESSMENT_READERS`` reads
every brand, its items, linked targets (titles only; the targets' own pages keep their scoping)
and progress notes. Achievements shown on a brand are the verified ones, which everyone reads too.

Writing: the office creates brands and their items. A brand's owner departments (their heads and
liaisons) set the state and description of the brand and its items and add dated progress notes;
an item is also written by the owners of any brand above it. Others who may read the brand get
403 (``access.deny_write``), not 404: the brand is no secret. A closed year changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.initiatives.models import Brand, BrandNote
from kaohe.org import access
from kaohe.org.models import Role, User
from kaohe.progress.errors import Locked


@dataclass(frozen=True)
class ChecklistCounts:
    total: int
    done: int
    running: int
    planned: int

    @property
    def percent_done(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None


def checklist_counts(items: Iterable[Any]) -> ChecklistCounts:
    """How many items of a checklist brand are done, under way, not started ("8 of 10 done, 2 under way").

    ``items`` are brands (anything with ``state``) or bare state values.
    """
    states = [getattr(item, "state", item) for item in items]
    return ChecklistCounts(
        total=len(states),
        done=sum(1 for s in states if s == Brand.State.DONE),
        running=sum(1 for s in states if s == Brand.State.RUNNING),
        planned=sum(1 for s in states if s == Brand.State.PLANNED),
    )


def owner_ids(brand: Brand) -> set[int]:
    """Owner departments of the brand and of every brand above it (an item's owners are the brand's too)."""
    ids: set[int] = set()
    seen: set[int] = set()
    current: Brand | None = brand
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        ids |= {d.pk for d in current.owners.all()}
        current = current.parent
    return ids


def writes_brand(user: Any, brand: Brand) -> bool:
    """The office, or a head or liaison of an owner department."""
    if access.has_role(user, {Role.OFFICE}):
        return True
    return bool(owner_ids(brand) & access.own_department_ids(user))


def check_open(brand: Brand) -> None:
    if brand.year.is_read_only:
        raise Locked(_("This assessment year is closed; its records can no longer change."))


@transaction.atomic
def update_brand(*, brand: Brand, by: User, state: str, description: str, **office_fields) -> Brand:
    """Owners set the state and description; the office may change the other fields too (``office_fields``)."""
    check_open(brand)
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    brand.state, brand.description = state, description.strip()
    owners = office_fields.pop("owners", None)
    targets = office_fields.pop("targets", None)
    for name, value in office_fields.items():
        setattr(brand, name, value)
    if brand.parent_id and _is_below(brand.parent, brand):
        raise ValidationError({"parent": _("A brand cannot be part of itself or of one of its items.")})
    brand.full_clean()
    brand.save()
    if owners is not None:
        brand.owners.set(owners)
    if targets is not None:
        brand.targets.set(targets)
    return brand


def _is_below(candidate: Brand | None, brand: Brand) -> bool:
    seen: set[int] = set()
    while candidate is not None and candidate.pk not in seen:
        if candidate.pk == brand.pk:
            return True
        seen.add(candidate.pk)
        candidate = candidate.parent
    return False


@transaction.atomic
def create_brand(*, by: User, owners: Iterable, targets: Iterable = (), **fields) -> Brand:
    brand = Brand(**fields)
    if brand.parent_id and brand.parent.year_id != brand.year_id:
        raise ValidationError({"parent": _("An item belongs to a brand of the same year.")})
    check_open(brand)
    brand.full_clean()
    brand.save()
    brand.owners.set(owners)
    brand.targets.set(targets)
    return brand


@transaction.atomic
def add_note(*, brand: Brand, by: User, day: date, text: str) -> BrandNote:
    check_open(brand)
    if not text.strip():
        raise ValidationError({"text": _("Say what progress was made.")})
    note = BrandNote(brand=brand, date=day, text=text.strip(), author=by)
    note.full_clean()
    note.save()
    return note
