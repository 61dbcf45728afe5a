"""Corrections that would make a failing MRZ valid, from the letters and digits OCR confuses
(O↔0, I↔1, B↔8, S↔5, Z↔2; `codes.LETTER_FOR_DIGIT`).

Two steps. Where a field's kind leaves no doubt, a confusable character is replaced outright:
a letter in a date or a check digit becomes its digit, a digit in a name, a state code or the
document code its letter. Then, for each check digit still failing, the characters of its
field that may be either (document number, optional data, personal number) are tried the
other way, one or two at a time, and so are the optional data only the composite check digit
covers. Only lines that pass every check are suggested: fewest changes first, then those whose
changed characters fit their neighbours best. Several may remain: the composite weighs a
field's characters as the field's own check digit does, so it cannot tell apart two changes
that both set the field's own digit right (the page says so). A check digit that OCR misread
as another digit cannot be told from an altered field: no suggestion is made for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import combinations, product

from corridor.documents.mrz import parser
from corridor.documents.mrz.codes import DIGIT_FOR_LETTER, LETTER_FOR_DIGIT
from corridor.documents.mrz.parser import ALNUM, ALPHA, CHECK, NUM, SPANS, Mrz
from corridor.i18n import N_, gettext

# How many suggestions at most, and how many combinations of candidates are tried.
MAX_SUGGESTIONS = 5
MAX_TRIES = 400
# At most this many characters changed in one field.
MAX_PER_FIELD = 2

# Fields only the composite check digit covers, by format.
_COMPOSITE_ONLY = {"TD1": ("optional_data", "optional_data_2"), "TD2": ("optional_data",)}
_FIELD_NAMES = {
    "document_code": N_("document code"),
    "issuing_state": N_("issuing state"),
    "document_number": N_("document number"),
    "document_number_check": N_("document number check digit"),
    "optional_data": N_("optional data"),
    "optional_data_2": N_("optional data"),
    "birth_date": N_("birth date"),
    "birth_date_check": N_("birth date check digit"),
    "sex": N_("sex"),
    "expiry_date": N_("expiry date"),
    "expiry_date_check": N_("expiry date check digit"),
    "nationality": N_("nationality"),
    "personal_number": N_("personal number"),
    "personal_number_check": N_("personal number check digit"),
    "composite_check": N_("composite check digit"),
    "names": N_("name"),
}
_CHANGE = N_("line %(line)d, position %(position)d: %(old)s → %(new)s (%(field)s)")


@dataclass(frozen=True, slots=True)
class Change:
    line: int  # from 1
    position: int  # from 1
    old: str
    new: str
    field: str

    @property
    def detail(self) -> str:
        params = {
            "line": self.line,
            "position": self.position,
            "old": self.old,
            "new": self.new,
            "field": gettext(_FIELD_NAMES.get(self.field, self.field)),
        }
        return gettext(_CHANGE) % params

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "position": self.position,
            "from": self.old,
            "to": self.new,
            "field": self.field,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    lines: tuple[str, ...]
    changes: tuple[Change, ...]

    @property
    def detail(self) -> str:
        return "; ".join(c.detail for c in self.changes)

    def to_dict(self) -> dict[str, object]:
        return {
            "lines": list(self.lines),
            "changes": [c.to_dict() for c in self.changes],
            "detail": self.detail,
        }


# A change at (line, position from 0) to a character.
Patch = tuple[tuple[int, int, str], ...]


def suggest(mrz: Mrz, today: date) -> list[Suggestion]:
    """Corrected lines for a failing MRZ that could only have been misread (its lines of the
    right length, of MRZ characters only), each with what changed; none for a valid MRZ."""
    if mrz.valid or not all(c.ok for c in mrz.checks[:2]):
        return []
    spans = SPANS[mrz.format]
    sure = _sure(mrz.lines, spans)
    base = _apply(mrz.lines, sure)
    first = parser.check(base, today)
    if first.valid:
        return [_suggestion(mrz.lines, base, spans)]
    if any(c.name in ("birth_date", "expiry_date", "sex") and not c.ok for c in first.checks):
        return []  # digits only, or a sex code: no confusion left to try
    groups = []
    taken: set[tuple[int, int]] = set()
    for name, fields in _covers(mrz.format, base).items():
        found = first.check_named(name)
        if found is not None and not found.ok:
            positions = _either(base, spans, fields)
            taken.update((line, pos) for line, pos, _ in positions)
            groups.append([p for p in _patches(positions) if _passes(base, p, name, today)])
    if first.check_named("composite") is not None:
        only = _either(base, spans, _COMPOSITE_ONLY.get(mrz.format, ()))
        groups.append(list(_patches([p for p in only if (p[0], p[1]) not in taken])))
    found_lines: dict[tuple[str, ...], None] = {}
    for tries, combo in enumerate(product(*groups)):
        if tries >= MAX_TRIES:
            break
        candidate = _apply(base, tuple(p for patch in combo for p in patch))
        if parser.check(candidate, today).valid:
            found_lines.setdefault(candidate, None)
    suggestions = [_suggestion(mrz.lines, c, spans) for c in found_lines]
    suggestions.sort(key=lambda s: (len(s.changes), -_likeness(s)))
    return suggestions[:MAX_SUGGESTIONS]


def _likeness(suggestion: Suggestion) -> int:
    """How well the changed characters fit their neighbours: a digit among digits, a letter
    among letters (a B in a run of digits is more likely a misread 8 than a digit beside
    letters a misread letter). It orders suggestions that change as many characters."""
    score = 0
    for change in suggestion.changes:
        line = suggestion.lines[change.line - 1]
        digit = change.new.isdigit()
        for at in (change.position - 2, change.position):
            if 0 <= at < len(line) and line[at] != "<":
                score += line[at].isdigit() == digit
    return score


def _covers(fmt: str, lines: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The fields each check digit covers (beyond the composite): a TD1's or TD2's long
    document number continues into the optional data when a filler stands at its check
    digit."""
    number: tuple[str, ...] = ("document_number",)
    overflow = lines[0][14] if fmt == "TD1" else lines[1][9] if fmt == "TD2" else ""
    if overflow == "<":
        number = ("document_number", "optional_data")
    covers = {"document_number": number}
    if fmt == "TD3":
        covers["personal_number"] = ("personal_number",)
    return covers


def _sure(lines: tuple[str, ...], spans: tuple[parser.Span, ...]) -> Patch:
    """The replacements a field's kind leaves no doubt about."""
    out = []
    for _name, line, start, end, kind in spans:
        table = (
            DIGIT_FOR_LETTER if kind in (NUM, CHECK) else LETTER_FOR_DIGIT if kind == ALPHA else {}
        )
        if not table:
            continue
        for pos in range(start, end):
            new = table.get(lines[line][pos])
            if new is not None:
                out.append((line, pos, new))
    return tuple(out)


def _either(
    lines: tuple[str, ...], spans: tuple[parser.Span, ...], fields: tuple[str, ...]
) -> list[tuple[int, int, str]]:
    """The positions of `fields` that hold a character OCR confuses with another, in fields
    that may hold letters and digits, with the character it may have been."""
    out = []
    for name, line, start, end, kind in spans:
        if name not in fields or kind not in (ALNUM, CHECK):
            continue
        for pos in range(start, end):
            char = lines[line][pos]
            other = DIGIT_FOR_LETTER.get(char) or (
                LETTER_FOR_DIGIT.get(char) if kind == ALNUM else None
            )
            if other is not None:
                out.append((line, pos, other))
    return out


def _patches(positions: list[tuple[int, int, str]]) -> Iterator[Patch]:
    yield ()
    for n in range(1, MAX_PER_FIELD + 1):
        yield from combinations(positions, n)


def _passes(lines: tuple[str, ...], patch: Patch, name: str, today: date) -> bool:
    if not patch:
        return False
    found = parser.check(_apply(lines, patch), today).check_named(name)
    return found is not None and found.ok


def _apply(lines: tuple[str, ...], patch: Patch) -> tuple[str, ...]:
    if not patch:
        return tuple(lines)
    chars = [list(text) for text in lines]
    for line, pos, new in patch:
        chars[line][pos] = new
    return tuple("".join(c) for c in chars)


def _suggestion(
    old: tuple[str, ...], new: tuple[str, ...], spans: tuple[parser.Span, ...]
) -> Suggestion:
    changes = []
    for line, (a, b) in enumerate(zip(old, new, strict=True)):
        for pos, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                changes.append(Change(line + 1, pos + 1, x, y, _field_at(spans, line, pos)))
    return Suggestion(new, tuple(changes))


def _field_at(spans: tuple[parser.Span, ...], line: int, pos: int) -> str:
    return next((s[0] for s in spans if s[1] == line and s[2] <= pos < s[3]), "")
