"""How each record type is announced to the people of a node: modules register a describer for
their record types; the notifications service turns a received record into notices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    kind: str  # a preference key, e.g. "alert.urgent", "request", "space"
    title: str  # short and free of record content beyond what the title of the record shows
    link: str  # path in the node's UI
    urgent: bool = False
    # Values for {placeholders} in the title: the title stays a gettext msgid, translated for
    # each reader when shown or mailed, then formatted with these.
    params: dict[str, str] | None = field(default=None, hash=False)


Describer = Callable[[dict[str, Any]], Notice | None]

_DESCRIBERS: dict[str, Describer] = {}
# preference key -> label (gettext-marked by the registering module)
KINDS: dict[str, str] = {}
# Kinds mailed at once by default (the rest go to the digest): named at registration, or any
# key ending in ".urgent".
URGENT_KINDS: set[str] = set()


def register(
    record_type: str,
    describe: Describer,
    kinds: dict[str, str],
    *,
    urgent_kinds: Iterable[str] = (),
) -> None:
    existing = _DESCRIBERS.get(record_type)
    if existing is not None and existing is not describe:
        raise ValueError(f"record type {record_type} already has a describer")
    _DESCRIBERS[record_type] = describe
    KINDS.update(kinds)
    URGENT_KINDS.update(urgent_kinds)


def register_kinds(kinds: dict[str, str], *, urgent_kinds: Iterable[str] = ()) -> None:
    """Kinds of notices not tied to a received record type (reminders, receipts)."""
    KINDS.update(kinds)
    URGENT_KINDS.update(urgent_kinds)


def is_urgent_kind(kind: str) -> bool:
    return kind in URGENT_KINDS or kind.endswith(".urgent") or kind == "urgent"


def notice_for(envelope: dict[str, Any]) -> Notice | None:
    """The notice of a record (None for types nobody announces, or records withdrawn)."""
    describe = _DESCRIBERS.get(envelope.get("type", ""))
    if describe is None or envelope.get("body") is None:
        return None
    return describe(envelope)


def announced(record_type: str) -> bool:
    """Whether a module registered a describer for this record type."""
    return record_type in _DESCRIBERS
