"""A person's MRZ check: the permission, the check with its suggestions, and its audit entry.

The audit entry names who checked, when, the format and the outcome, and the SHA-256 of the
lines as read, never the lines: an MRZ names its holder (as search audits a query by its
hash). Whoever holds the document can still show that it was checked, by hashing its MRZ."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.documents.mrz import parser
from corridor.documents.mrz.suggest import Suggestion, suggest
from corridor.security.principal import Principal

PERMISSION = "documents.check"


@dataclass(frozen=True)
class Checked:
    mrz: parser.Mrz
    suggestions: list[Suggestion]

    def to_dict(self) -> dict[str, Any]:
        return {**self.mrz.to_dict(), "suggestions": [s.to_dict() for s in self.suggestions]}


def check_lines(lines: Sequence[str], today: date | None = None) -> Checked:
    """The check and, for a failing MRZ, its suggestions: what the API, the page and the CLI
    answer (the CLI, on the operator's own machine, without a node or an audit entry)."""
    today = today or clock.now().date()
    mrz = parser.check(lines, today)
    return Checked(mrz, suggest(mrz, today))


def split_text(text: str) -> list[list[str]]:
    """The MRZs of a text (a file, standard input): blocks of lines separated by blank lines.
    A block of two or three lines is one MRZ; a longer block holds MRZs one after the other,
    three lines at a time where a line is as short as a TD1's (at most 32 characters), else
    two."""
    blocks: list[list[str]] = [[]]
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    out = []
    for block in blocks:
        if len(block) in (2, 3) or len(block) < 2:
            if block:
                out.append(block)
            continue
        while block:
            take = 3 if len("".join(block[0].split())) <= 32 else 2
            out.append(block[:take])
            block = block[take:]
    return out


def digest(lines: Sequence[str]) -> str:
    """The SHA-256 of the lines as read (spaces removed, capitals), one per line."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def check(session: Session, *, actor: Principal, lines: Sequence[str]) -> Checked:
    actor.require(PERMISSION)
    checked = check_lines(lines)
    mrz = checked.mrz
    audit.append(
        session,
        actor=actor,
        action="documents.mrz.check",
        object_type="mrz",
        detail={
            "mrz_sha256": digest(mrz.lines),
            "format": mrz.format,
            "valid": mrz.valid,
            "expired": mrz.expired,
            "failed": [c.name for c in mrz.failed],
        },
    )
    return checked
