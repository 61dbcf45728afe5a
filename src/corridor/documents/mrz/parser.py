"""The machine-readable zone of a travel document read and checked (ICAO Doc 9303 parts 3–7).

`check(lines, today)` takes the two or three lines of an MRZ and answers an `Mrz`: its format
(TD1 3×30, TD2 2×36, TD3 2×44, MRV-A 2×44, MRV-B 2×36), its fields, the checks it passes or
fails (`Finding`s: line length, characters, each check digit, the composite check digit, the
sex code) and warnings for what is odd without making the MRZ unreadable (an impossible or
partly unknown date, an unknown state code, stray fillers, a birth after the expiry). `valid`
means well-formed with every check digit right; an expired document can be valid.

Pure and fast (no database, no regular expression): a front-line check and a batch of a
million MRZs run the same code. Messages are stored as message ids and parameters and worded
(translated) only when read (`Finding.detail`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from corridor import clock
from corridor.documents.mrz.codes import (
    ALPHABET,
    DIGITS,
    FILLER,
    LETTER_FOR_DIGIT,
    STATE_NAMES,
    check_digit,
)
from corridor.errors import InvalidInput
from corridor.i18n import N_, gettext

FORMATS = ("TD1", "TD2", "TD3", "MRVA", "MRVB")
WIDTH = {"TD1": 30, "TD2": 36, "TD3": 44, "MRVA": 44, "MRVB": 36}
# How far ahead an expiry date may lie before its century is taken to be the last one.
EXPIRY_YEARS_AHEAD = 20
SEX_CODES = frozenset("MFX<")

# The kinds of character a field holds (what OCR suggestions may change it to).
ALPHA, NUM, ALNUM, CHECK, SEX = "alpha", "num", "alnum", "check", "sex"
# Each field's place: (name, line, start, end, kind); positions from 0, `end` excluded.
Span = tuple[str, int, int, int, str]
_TWO_LINE_HEAD: tuple[Span, ...] = (
    ("document_code", 0, 0, 2, ALPHA),
    ("issuing_state", 0, 2, 5, ALPHA),
)
_LINE_2: tuple[Span, ...] = (
    ("document_number", 1, 0, 9, ALNUM),
    ("document_number_check", 1, 9, 10, CHECK),
    ("nationality", 1, 10, 13, ALPHA),
    ("birth_date", 1, 13, 19, NUM),
    ("birth_date_check", 1, 19, 20, CHECK),
    ("sex", 1, 20, 21, SEX),
    ("expiry_date", 1, 21, 27, NUM),
    ("expiry_date_check", 1, 27, 28, CHECK),
)
SPANS: dict[str, tuple[Span, ...]] = {
    "TD1": (
        ("document_code", 0, 0, 2, ALPHA),
        ("issuing_state", 0, 2, 5, ALPHA),
        ("document_number", 0, 5, 14, ALNUM),
        ("document_number_check", 0, 14, 15, CHECK),
        ("optional_data", 0, 15, 30, ALNUM),
        ("birth_date", 1, 0, 6, NUM),
        ("birth_date_check", 1, 6, 7, CHECK),
        ("sex", 1, 7, 8, SEX),
        ("expiry_date", 1, 8, 14, NUM),
        ("expiry_date_check", 1, 14, 15, CHECK),
        ("nationality", 1, 15, 18, ALPHA),
        ("optional_data_2", 1, 18, 29, ALNUM),
        ("composite_check", 1, 29, 30, CHECK),
        ("names", 2, 0, 30, ALPHA),
    ),
    "TD2": (
        *_TWO_LINE_HEAD,
        ("names", 0, 5, 36, ALPHA),
        *_LINE_2,
        ("optional_data", 1, 28, 35, ALNUM),
        ("composite_check", 1, 35, 36, CHECK),
    ),
    "TD3": (
        *_TWO_LINE_HEAD,
        ("names", 0, 5, 44, ALPHA),
        *_LINE_2,
        ("personal_number", 1, 28, 42, ALNUM),
        ("personal_number_check", 1, 42, 43, CHECK),
        ("composite_check", 1, 43, 44, CHECK),
    ),
    "MRVA": (
        *_TWO_LINE_HEAD,
        ("names", 0, 5, 44, ALPHA),
        *_LINE_2,
        ("optional_data", 1, 28, 44, ALNUM),
    ),
    "MRVB": (
        *_TWO_LINE_HEAD,
        ("names", 0, 5, 36, ALPHA),
        *_LINE_2,
        ("optional_data", 1, 28, 36, ALNUM),
    ),
}

# What each check and warning says (message ids: worded in the reader's language when read).
_LINES_OK = N_("%(lines)d lines of %(width)d characters, as %(format)s has")
_LINE_WRONG = N_("line %(line)d has %(length)d characters; a %(format)s line has %(width)d")
_CHARS_OK = N_("only A–Z, 0–9 and the filler <")
_CHAR_WRONG = N_(
    "line %(line)d, position %(position)d: “%(char)s” is not an MRZ character (A–Z, 0–9 or <)"
)
_DIGIT_OK = N_("check digit %(found)s is right for %(data)s")
_DIGIT_WRONG = N_(
    "the check digit is %(found)s but %(data)s gives %(expected)d: a character of the field "
    "or the check digit itself was misread or altered"
)
_DIGIT_NOT = N_("“%(found)s” stands where a check digit (0–9) must be")
_DIGIT_MISSING = N_(
    "the check digit is missing: a filler stands in its place and no long document number "
    "continues in the optional data"
)
_OVERFLOW_OK = N_(
    "check digit %(found)s is right for %(data)s (a long document number continued in the "
    "optional data)"
)
_EMPTY_OK = N_("no personal number, and no check digit for it")
_COMPOSITE_OK = N_(
    "check digit %(found)s is right for the document number, dates and optional data together"
)
_COMPOSITE_WRONG = N_(
    "the check digit is %(found)s but the document number, dates and optional data together "
    "give %(expected)d: one of them or the check digit was misread or altered"
)
_SEX_OK = N_("“%(found)s” (M, F, X or < for unspecified)")
_SEX_WRONG = N_("“%(found)s” is not a sex code: M, F, X or < (unspecified)")
_STATE_UNKNOWN = N_("unknown state or organisation code “%(code)s”")
_STATE_DIGITS = N_("“%(code)s” holds a digit where letters must be; perhaps %(guess)s")
_CODE_PASSPORT = N_("a passport's MRZ starts with P, this one with “%(found)s”")
_CODE_CARD = N_(
    "an official travel document's MRZ starts with A, C or I, this one with “%(found)s”"
)
_DATE_UNKNOWN = N_("the date is unknown or only partly known: “%(raw)s”")
_DATE_UNREADABLE = N_("“%(raw)s” is not a date: a date is six digits, YYMMDD")
_DATE_IMPOSSIBLE = N_("“%(raw)s” is not a possible date (YYMMDD)")
_BIRTH_AFTER_EXPIRY = N_("the holder was born (%(birth)s) after the document expires (%(expiry)s)")
_NAME_EMPTY = N_("the name field is empty")
_NAME_LEADING = N_("the name starts with a filler")
_NAME_FILLERS = N_("odd fillers in the name: “%(raw)s”")
_NAME_DIGITS = N_("the name holds a digit (0 may be O, 1 I, 8 B, 5 S, 2 Z): “%(raw)s”")
_NAME_FULL = N_("the name fills its field and may have been cut short")
_NUMBER_FILLER = N_("a filler inside the document number: “%(raw)s”")
_TIDIED_SPACE = N_("line %(line)d: spaces removed")
_TIDIED_CASE = N_("line %(line)d: lower-case letters read as capitals")


class NotAnMrz(InvalidInput):
    """Not two or three lines: no format of Doc 9303 could be meant."""


class Finding:
    """A check (`ok` says whether it passed) or a warning: its name, and what it found as a
    message id with parameters, worded (in the reader's language) by `detail`."""

    __slots__ = ("message", "more", "name", "ok", "params")

    def __init__(
        self,
        name: str,
        ok: bool,
        message: str,
        params: dict[str, Any],
        more: tuple[tuple[str, dict[str, Any]], ...] = (),
    ) -> None:
        self.name = name
        self.ok = ok
        self.message = message
        self.params = params
        self.more = more

    @property
    def detail(self) -> str:
        parts = [(self.message, self.params), *self.more]
        return "; ".join(gettext(message) % params for message, params in parts)

    def __repr__(self) -> str:
        return f"Finding({self.name!r}, {self.ok}, {self.detail!r})"


class Mrz:
    """An MRZ read and checked. `lines` are the lines as read (spaces removed, capitals), fitted
    to the format's width when they had another; `checks` each pass or fail; `warnings` never
    change `valid`."""

    __slots__ = ("checks", "expired", "fields", "format", "lines", "valid", "warnings")

    def __init__(
        self,
        format: str,
        lines: tuple[str, ...],
        fields: dict[str, str | None],
        checks: list[Finding],
        warnings: list[Finding],
        expired: bool,
    ) -> None:
        self.format = format
        self.lines = lines
        self.fields = fields
        self.checks = checks
        self.warnings = warnings
        self.expired = expired
        self.valid = all(c.ok for c in checks)

    @property
    def failed(self) -> list[Finding]:
        return [c for c in self.checks if not c.ok]

    def check_named(self, name: str) -> Finding | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The answer of `POST /api/v1/documents/mrz/check` but for its suggestions."""
        return {
            "format": self.format,
            "valid": self.valid,
            "expired": self.expired,
            "fields": self.fields,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "warnings": [{"name": w.name, "detail": w.detail} for w in self.warnings],
        }


def format_of(lines: Sequence[str]) -> str:
    """The format two or three lines are meant to be: three lines are TD1; two lines are 44
    characters wide (TD3, or MRV-A when they start with V) or 36 (TD2, or MRV-B), whichever
    their length is nearer."""
    if len(lines) == 3:
        return "TD1"
    if len(lines) != 2:
        raise NotAnMrz(f"an MRZ has 2 or 3 lines, not {len(lines)}")
    wide = len(lines[0]) + len(lines[1]) >= 80
    visa = lines[0][:1] == "V"
    if wide:
        return "MRVA" if visa else "TD3"
    return "MRVB" if visa else "TD2"


def check(lines: Sequence[str], today: date | None = None) -> Mrz:
    """Read and check an MRZ of two or three lines (surrounding spaces ignored). `today`
    decides the century of two-digit years and whether the document has expired (default:
    the node's clock). Raises `NotAnMrz` for another number of lines."""
    if today is None:
        today = clock.now().date()
    warnings: list[Finding] = []
    read = []
    for i, line in enumerate(lines):
        text = line.strip()
        if not ALPHABET.issuperset(text):
            text = _tidy(text, i + 1, warnings)
        read.append(text)
    fmt = format_of(read)
    width = WIDTH[fmt]
    checks = [_lengths(read, fmt, width), _characters(read)]
    if not (checks[0].ok and checks[1].ok):
        read = [_fit(text, width) for text in read]
    if fmt == "TD1":
        fields = _td1(read, checks, warnings)
    else:
        fields = _two_lines(read, fmt, checks, warnings)
    expired = _dates(fields, today, warnings)
    return Mrz(fmt, tuple(read), fields, checks, warnings, expired)


def _tidy(text: str, line: int, warnings: list[Finding]) -> str:
    """Spaces inside a line and lower-case letters are how people type an MRZ, not misreadings:
    taken out (and said so)."""
    if any(c.isspace() for c in text):
        text = "".join(text.split())
        warnings.append(Finding("input", False, _TIDIED_SPACE, {"line": line}))
    if any("a" <= c <= "z" for c in text):
        text = text.upper()
        warnings.append(Finding("input", False, _TIDIED_CASE, {"line": line}))
    return text


def _fit(text: str, width: int) -> str:
    """A line the checks can read: foreign characters as fillers, cut or padded to `width`."""
    text = "".join(c if c in ALPHABET else FILLER for c in text)
    return text[:width].ljust(width, FILLER)


def _lengths(lines: list[str], fmt: str, width: int) -> Finding:
    wrong = [
        (_LINE_WRONG, {"line": i, "length": len(text), "format": fmt, "width": width})
        for i, text in enumerate(lines, 1)
        if len(text) != width
    ]
    if not wrong:
        return Finding(
            "line_length", True, _LINES_OK, {"lines": len(lines), "width": width, "format": fmt}
        )
    return Finding("line_length", False, *wrong[0], more=tuple(wrong[1:]))


def _characters(lines: list[str]) -> Finding:
    wrong = []
    for i, text in enumerate(lines, 1):
        if not ALPHABET.issuperset(text):
            at = next(p for p, c in enumerate(text) if c not in ALPHABET)
            wrong.append((_CHAR_WRONG, {"line": i, "position": at + 1, "char": text[at]}))
    if not wrong:
        return Finding("characters", True, _CHARS_OK, {})
    return Finding("characters", False, *wrong[0], more=tuple(wrong[1:]))


def _digit(name: str, data: str, found: str) -> Finding:
    """The check digit `found` of `data`."""
    if found in DIGITS:
        expected = check_digit(data)
        if expected == ord(found) - 48:
            return Finding(name, True, _DIGIT_OK, {"found": found, "data": data})
        wrong = {"found": found, "data": data, "expected": expected}
        return Finding(name, False, _DIGIT_WRONG, wrong)
    return Finding(name, False, _DIGIT_NOT, {"found": found})


def _document_number(number: str, found: str, optional: str) -> tuple[Finding, str, str]:
    """The document number's check (TD1, TD2), the number and what is left of the optional
    data. A number of more than nine characters continues in the optional data: a filler
    stands where the check digit would be, and the check digit follows the rest of the number,
    before the first filler of the optional data."""
    if found != FILLER:
        return _digit("document_number", number, found), number, optional
    end = optional.find(FILLER)
    if end <= 0:  # the optional data starts with a filler (or is full): no continuation
        return Finding("document_number", False, _DIGIT_MISSING, {}), number, optional
    whole = number + optional[: end - 1]
    digit = _digit("document_number", whole, optional[end - 1])
    if digit.ok:
        digit.message = _OVERFLOW_OK
    return digit, whole, optional[end:]


def _composite(data: str, found: str) -> Finding:
    found_ok = found in DIGITS
    expected = check_digit(data)
    if found_ok and expected == ord(found) - 48:
        return Finding("composite", True, _COMPOSITE_OK, {"found": found})
    if not found_ok:
        return Finding("composite", False, _DIGIT_NOT, {"found": found})
    return Finding("composite", False, _COMPOSITE_WRONG, {"found": found, "expected": expected})


def _td1(lines: list[str], checks: list[Finding], warnings: list[Finding]) -> dict[str, Any]:
    one, two, three = lines
    number_check, number, optional = _document_number(one[5:14], one[14], one[15:30])
    checks.append(number_check)
    checks.append(_digit("birth_date", two[0:6], two[6]))
    checks.append(_digit("expiry_date", two[8:14], two[14]))
    checks.append(_composite(one[5:30] + two[0:7] + two[8:15] + two[18:29], two[29]))
    checks.append(_sex(two[7]))
    fields = _head(one, "IAC", warnings)
    fields.update(_names(three, warnings))
    fields["document_number"] = _number(number, warnings)
    fields["nationality"] = _state("nationality", two[15:18], warnings)
    fields["birth_date"] = two[0:6]
    fields["sex"] = two[7]
    fields["expiry_date"] = two[8:14]
    fields["optional_data"] = optional.rstrip(FILLER)
    fields["optional_data_2"] = two[18:29].rstrip(FILLER)
    fields["personal_number"] = None
    return fields


def _two_lines(
    lines: list[str], fmt: str, checks: list[Finding], warnings: list[Finding]
) -> dict[str, Any]:
    one, two = lines
    optional = two[28:]
    number = two[0:9]
    if fmt == "TD2":
        number_check, number, optional = _document_number(number, two[9], two[28:35])
        checks.append(number_check)
    else:
        checks.append(_digit("document_number", number, two[9]))
    checks.append(_digit("birth_date", two[13:19], two[19]))
    checks.append(_digit("expiry_date", two[21:27], two[27]))
    personal = None
    if fmt == "TD3":
        optional = personal = two[28:42]
        if two[42] == FILLER and personal == FILLER * 14:
            checks.append(Finding("personal_number", True, _EMPTY_OK, {}))
        else:
            checks.append(_digit("personal_number", personal, two[42]))
        checks.append(_composite(two[0:10] + two[13:20] + two[21:43], two[43]))
    elif fmt == "TD2":
        checks.append(_composite(two[0:10] + two[13:20] + two[21:35], two[35]))
    checks.append(_sex(two[20]))
    fields = _head(one, "P" if fmt == "TD3" else "V" if fmt[0] == "M" else "IAC", warnings)
    fields.update(_names(one[5:], warnings))
    fields["document_number"] = _number(number, warnings)
    fields["nationality"] = _state("nationality", two[10:13], warnings)
    fields["birth_date"] = two[13:19]
    fields["sex"] = two[20]
    fields["expiry_date"] = two[21:27]
    fields["optional_data"] = optional.rstrip(FILLER)
    fields["optional_data_2"] = None
    fields["personal_number"] = None if personal is None else personal.rstrip(FILLER)
    return fields


def _sex(found: str) -> Finding:
    if found in SEX_CODES:
        return Finding("sex", True, _SEX_OK, {"found": found})
    return Finding("sex", False, _SEX_WRONG, {"found": found})


def _head(line: str, kinds: str, warnings: list[Finding]) -> dict[str, Any]:
    """The document code (its first letter one of `kinds`) and the issuing state at the start
    of a first line. A visa's format is known by its V: nothing to warn of."""
    code = line[0:2]
    if code[0] not in kinds:
        message = _CODE_PASSPORT if kinds == "P" else _CODE_CARD
        warnings.append(Finding("document_code", False, message, {"found": code[0]}))
    return {
        "document_code": code.rstrip(FILLER),
        "issuing_state": _state("issuing_state", line[2:5], warnings),
    }


def _state(name: str, raw: str, warnings: list[Finding]) -> str:
    code = raw.rstrip(FILLER)
    if code not in STATE_NAMES:
        if DIGITS.intersection(code):
            guess = "".join(LETTER_FOR_DIGIT.get(c, c) for c in code)
            warnings.append(Finding(name, False, _STATE_DIGITS, {"code": code, "guess": guess}))
        else:
            warnings.append(Finding(name, False, _STATE_UNKNOWN, {"code": raw}))
    return code


def _number(raw: str, warnings: list[Finding]) -> str:
    number = raw.rstrip(FILLER)
    if FILLER in number:
        warnings.append(Finding("document_number", False, _NUMBER_FILLER, {"raw": raw}))
    return number


def _names(field: str, warnings: list[Finding]) -> dict[str, str]:
    """The primary identifier (surname) and the secondary (given names), split at the first
    double filler; single fillers are spaces. Digits, fillers where none belong and a field
    filled to its end (the name may be cut) are warnings."""
    text = field.rstrip(FILLER)
    primary, _, secondary = text.partition("<<")
    if not text:
        warnings.append(Finding("names", False, _NAME_EMPTY, {}))
    elif text[0] == FILLER:
        warnings.append(Finding("names", False, _NAME_LEADING, {}))
    elif "<<" in secondary or (primary and primary[-1:] == FILLER) or secondary[:1] == FILLER:
        warnings.append(Finding("names", False, _NAME_FILLERS, {"raw": field}))
    if DIGITS.intersection(text):
        warnings.append(Finding("names", False, _NAME_DIGITS, {"raw": text}))
    if field[-1:] != FILLER:
        warnings.append(Finding("names", False, _NAME_FULL, {}))
    return {
        "surname": " ".join(primary.split(FILLER)).strip(),
        "given_names": " ".join(secondary.replace(FILLER, " ").split()),
    }


def _dates(fields: dict[str, Any], today: date, warnings: list[Finding]) -> bool:
    """The dates as ISO 8601 (None when not a full date: a warning says why); whether the
    document has expired. A birth year is in the last hundred years up to today; an expiry
    year up to EXPIRY_YEARS_AHEAD years ahead."""
    birth = _date("birth_date", fields["birth_date"], today, warnings, ahead=0)
    expiry = _date("expiry_date", fields["expiry_date"], today, warnings, ahead=EXPIRY_YEARS_AHEAD)
    fields["birth_date"] = birth and birth.isoformat()
    fields["expiry_date"] = expiry and expiry.isoformat()
    if birth and expiry and birth > expiry:
        params = {"birth": fields["birth_date"], "expiry": fields["expiry_date"]}
        warnings.append(Finding("birth_after_expiry", False, _BIRTH_AFTER_EXPIRY, params))
    return expiry is not None and expiry < today


def _date(name: str, raw: str, today: date, warnings: list[Finding], *, ahead: int) -> date | None:
    if not raw.isdigit():
        if FILLER in raw and all(c in DIGITS or c == FILLER for c in raw):
            warnings.append(Finding(name, False, _DATE_UNKNOWN, {"raw": raw}))
        else:
            warnings.append(Finding(name, False, _DATE_UNREADABLE, {"raw": raw}))
        return None
    yy, month, day = int(raw[0:2]), int(raw[2:4]), int(raw[4:6])
    year = 2000 + yy
    if ahead:
        if year > today.year + ahead:
            year -= 100
    elif (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    try:
        return date(year, month, day)
    except ValueError:
        warnings.append(Finding(name, False, _DATE_IMPOSSIBLE, {"raw": raw}))
        return None
