"""Text formats the mapping forms share: positions as people type them ("61.6,28.96"), lists of
country codes ("PK, IRN TR"), and a validation's errors as the form names its fields; and the
caps of their text fields (the forms are form models, read as typed by the pages)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Form

from corridor.i18n import gettext as _

# The caps of the fields a form states (its `maxlength`): a title, a description, a name.
Title = Annotated[str, Form(max_length=300)]
Description = Annotated[str, Form(max_length=20_000)]
Name = Annotated[str, Form(max_length=200)]
# Caps of fields a form reads as text of its own (lists of codes, lines of stops) and of the
# fields of a page read one by one (the commitment page's), well above what the record schemas
# allow: an over-long value is said by the schema on the page shown again.
Text = Annotated[str, Form(max_length=1000)]
LongText = Annotated[str, Form(max_length=200_000)]

_SPLIT_CODES = re.compile(r"[\s,;]+")
_LONLAT = re.compile(r"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*[,\s]\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")


def split_codes(text: str) -> list[str]:
    """Codes separated by commas, semicolons or spaces, as typed (checked by the caller)."""
    return [c for c in _SPLIT_CODES.split(text) if c]


def lines(text: str, where: str) -> Iterator[tuple[str, str]]:
    """The lines of a text field that say something, each with how a mistake on it is named:
    `where` is a message id with the line's number, counting blank lines ("Milestones, line
    %(n)d"), translated here."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _(where) % {"n": number}, line


def parse_position(text: str) -> list[float] | None:
    """`lon,lat` (or `lon lat`) as [lon, lat]; None when the text is not one."""
    m = _LONLAT.match(text)
    return [float(m.group(1)), float(m.group(2))] if m else None


def number_text(value: float) -> str:
    """A coordinate as people write it: at most 6 decimals, no trailing zeros (30.18, 61)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def position_text(position: Sequence[float]) -> str:
    return f"{number_text(position[0])},{number_text(position[1])}"
