"""Dates, numbers and language names in the reader's conventions (Babel/CLDR); country names
are `corridor.countries.country_name`, which reads the same reader.

One mechanism for every place a person reads a value: pages, e-mails, notifications, printable
reports, the CLI. Records never go through here: what travels between nodes carries ISO dates,
plain numbers and codes, and each node shows them in its own readers' conventions.

The reader's conventions are a language (a catalogue code such as "ur"), a time zone (IANA name)
and an optional second calendar shown beside the Gregorian date: the Hijri calendar in its Umm
al-Qura reckoning (Saudi Arabia, the Gulf) or the Solar Hijri calendar (Iran, Afghanistan).
Digits follow the locale's CLDR default numbering system: Persian and Pashto write Extended
Arabic-Indic digits; CLDR gives Arabic and Urdu Latin digits, as the Maghreb and Pakistan
write them. Inputs accept any of them (`ascii_digits`)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import jdatetime
from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from hijridate import Gregorian

CALENDARS = ("hijri", "jalali")
DEFAULT_ZONE = "UTC"

# CLDR numbering systems our languages use, by their digits zero to nine.
_DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}
_TO_ASCII = str.maketrans({d: str(i) for digits in _DIGITS.values() for i, d in enumerate(digits)})
# Babel writes these around Arabic-script dates; they are right there, but tests and copy/paste
# want them gone from the values they compare.
_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")


@dataclass(frozen=True)
class Reader:
    """Whose conventions a value is shown in."""

    lang: str = "en"
    zone: str = DEFAULT_ZONE
    calendar: str | None = None

    @property
    def locale(self) -> Locale:
        return _locale(self.lang)

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zone)


_current: ContextVar[Reader | None] = ContextVar("reader", default=None)


def activate(reader: Reader) -> None:
    _current.set(reader)


def current() -> Reader:
    return _current.get() or Reader()


@cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


@cache
def zones() -> tuple[str, ...]:
    """IANA zone names a person may choose: the canonical Area/City ones, sorted."""
    legacy = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")
    keep = {z for z in available_timezones() if "/" in z and not z.startswith(legacy)}
    return tuple(sorted(keep | {"UTC"}))


def valid_zone(name: str) -> bool:
    return name in zones()


def local_digits(text: str, reader: Reader | None = None) -> str:
    """ASCII digits in `text` as the reader's locale writes them."""
    system = (reader or current()).locale.default_numbering_system
    digits = _DIGITS.get(system)
    if not digits:
        return text
    return text.translate(str.maketrans("0123456789", digits))


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Extended Arabic-Indic digits as ASCII: what every input accepts."""
    return text.translate(_TO_ASCII)


def local_input(value: datetime | str | None, reader: Reader | None = None) -> str:
    """A moment as a datetime-local input shows it, in the reader's zone ("2026-12-07T15:05")."""
    if value is None or value == "":
        return ""
    return _aware(value).astimezone((reader or current()).tz).strftime("%Y-%m-%dT%H:%M")


def from_local(text: str, reader: Reader | None = None) -> datetime:
    """What a datetime-local input sent, typed in the reader's zone (in any digits), as aware
    UTC; an explicit offset or Z says its own zone. ValueError when it is no date and time."""
    moment = datetime.fromisoformat(ascii_digits(text.strip()).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=(reader or current()).tz)
    return moment.astimezone(UTC)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value: datetime | str | None, reader: Reader | None = None) -> str:
    """A moment as the reader reads it: date and time in their zone followed by the zone's
    offset ("UTC" for UTC), and the second calendar's date when they chose one."""
    if value is None or value == "":
        return ""
    r = reader or current()
    moment = _aware(value).astimezone(r.tz)
    text = _date_and_time(moment, r)
    # The offset ("GMT+5") rather than CLDR's zone names, which are long, often a country's name
    # ("heure : France") and not what a duty officer compares across the route.
    zone = "UTC" if r.zone == "UTC" else babel_dates.get_timezone_gmt(moment, "long", r.locale)
    other = _other_calendar(moment.date(), r)
    return local_digits(f"{text} {zone}" + (f" ({other})" if other else ""), r)


def _date_and_time(moment: datetime, r: Reader) -> str:
    """CLDR's medium date (its short one, 7/12/26, reads differently across the network) and its
    short time (seconds are noise here), joined as the locale joins them."""
    day_text = babel_dates.format_date(moment.date(), "medium", locale=r.locale)
    clock = babel_dates.format_time(moment, "short", tzinfo=r.tz, locale=r.locale)
    pattern = str(r.locale.datetime_formats["medium"])
    return pattern.replace("{1}", day_text).replace("{0}", clock)


def day(value: date | datetime | str | None, reader: Reader | None = None) -> str:
    """A calendar day (a deadline's date, a review date): medium date, second calendar beside."""
    if value is None or value == "":
        return ""
    r = reader or current()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = _aware(value).astimezone(r.tz).date()
    text = babel_dates.format_date(value, "medium", locale=r.locale)
    other = _other_calendar(value, r)
    return local_digits(f"{text} ({other})" if other else text, r)


def period(label: str | None, reader: Reader | None = None) -> str:
    """A statistical period as the reader writes it: "2015" (the year), "2015-09" (Sept 2015),
    "2015-Q3" (Q3 2015), "2015-09-02" (the day). Statistics count Gregorian months and years:
    no second calendar beside them."""
    if not label:
        return ""
    r = reader or current()
    if len(label) == 4 and label.isdigit():
        return local_digits(label, r)
    if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
        text = babel_dates.format_skeleton(
            "yMMM", date(int(label[:4]), int(label[5:]), 1), locale=r.locale
        )
        return local_digits(text, r)
    if len(label) == 7 and label[5] == "Q":
        month = (int(label[6]) - 1) * 3 + 1
        text = babel_dates.format_skeleton("yQQQ", date(int(label[:4]), month, 1), locale=r.locale)
        return local_digits(text, r)
    return local_digits(
        babel_dates.format_date(date.fromisoformat(label), "medium", locale=r.locale), r
    )


def month_name(month: int, reader: Reader | None = None) -> str:
    """A calendar month (1–12) by itself, abbreviated as the reader's language writes it."""
    r = reader or current()
    return str(babel_dates.get_month_names("abbreviated", "stand-alone", locale=r.locale)[month])


def _other_calendar(d: date, r: Reader) -> str:
    if r.calendar == "hijri":
        return hijri(d, r.lang)
    if r.calendar == "jalali":
        return jalali(d, r.lang)
    return ""


_ARABIC_SCRIPT = {"ar", "fa", "ur", "ps", "ckb", "sd"}


def _base(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0]


def hijri(d: date, lang: str = "en") -> str:
    """The Umm al-Qura date ("27 Jumada al-Akhirah 1448 AH"); empty outside the table's years
    (1924–2077), where no reckoning can be given honestly."""
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except (ValueError, OverflowError):
        return ""
    base = _base(lang)
    names: Literal["en", "ar", "tr"] = (
        "ar" if base in _ARABIC_SCRIPT else "tr" if base == "tr" else "en"
    )
    return f"{h.day} {h.month_name(names)} {h.year} {h.notation(names)}"


def jalali(d: date, lang: str = "en") -> str:
    """The Solar Hijri date ("16 Azar 1405 SH"; in Arabic script "16 آذر 1405")."""
    j = jdatetime.date.fromgregorian(date=d)
    if _base(lang) in _ARABIC_SCRIPT:
        return f"{j.day} {j.j_months_fa[j.month - 1]} {j.year} ه‍.ش"
    return f"{j.day} {j.j_months_en[j.month - 1]} {j.year} SH"


def number(value: float | int | None, reader: Reader | None = None, *, digits: int = 0) -> str:
    if value is None:
        return ""
    r = reader or current()
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    text = babel_numbers.format_decimal(
        value, format=fmt, locale=r.locale, numbering_system="default"
    )
    return local_digits(text, r)


def percent(value: float | None, reader: Reader | None = None, *, digits: int = 0) -> str:
    """A share (0.25) as the reader writes a percentage ("25%", "25 %" in French, "%25" in
    Turkish, "۲۵%" in Persian)."""
    if value is None:
        return ""
    r = reader or current()
    pattern = str(r.locale.percent_formats[None].pattern)
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    text = babel_numbers.format_percent(
        value, format=pattern, locale=r.locale, numbering_system="default"
    )
    return local_digits(text, r)


def language(code: str | None, reader: Reader | None = None) -> str:
    """A language code ("ps", "ckb") as the language's name in the reader's language."""
    if not code:
        return ""
    r = reader or current()
    return str(r.locale.languages.get(code.replace("-", "_"), code))


def plain(text: str) -> str:
    """A formatted value without the bidi marks CLDR puts in Arabic-script patterns."""
    return text.translate(_MARKS)
