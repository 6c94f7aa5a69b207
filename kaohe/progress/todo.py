"""Sections that later apps add to each person's to-do list (the supervision round's self-check,
rectification items …), so that the list lives here without this app importing theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Row:
    text: str
    url: str
    note: str = ""
    urgent: bool = False


@dataclass
class Section:
    key: str  # for data-testid
    title: str
    rows: list[Row] = field(default_factory=list)


_PROVIDERS: list[Callable[[object], list[Section]]] = []


def register(provider: Callable[[object], list[Section]]) -> None:
    """``provider(user)`` returns the person's sections, each read in a fixed number of queries."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def sections(user) -> list[Section]:
    return [section for provider in _PROVIDERS for section in provider(user) if section.rows]
