"""What every importer of indicators produces, and the codes they share.

An importer reads one file and yields, per data row, the figures it holds (`Figure`s) or why
the row cannot be used (`RowError`, naming the column). Codes of countries and nationalities
are ISO 3166-1 alpha-3, as the published sources write them, with the sources' own codes for
what is not a country (`SPECIAL_CODES`)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pycountry
from babel import Locale

from corridor.tabular.rows import RowError

# Not countries, in the sources' own codes: the compiled Frontex file (OOO, OOS, STL), IOM's
# UNK, Eurostat's RNC and EU27, and Kosovo (no ISO code: XKX, as the EU and UN agencies write).
SPECIAL_CODES: dict[str, str] = {
    "OOO": "Not specified",
    "OOS": "Unspecified sub-Saharan nationals",
    "STL": "Stateless",
    "UNK": "Unknown",
    "XKX": "Kosovo",
    "EU27": "European Union (27 countries)",
    "RNC": "Recognised non-citizens",
}
# How the original Frontex workbook and other tables name them.
_SPECIAL_NAMES = {
    "not specified": "OOO",
    "unspecified": "OOO",
    "other": "OOO",
    "others": "OOO",
    "unspecified sub saharan nationals": "OOS",
    "sub saharan africa unspecified": "OOS",
    "unspecified sub saharan": "OOS",
    "stateless": "STL",
    "unknown": "UNK",
    "kosovo": "XKX",
    "eu27": "EU27",
    "european union": "EU27",
}
_ALIASES = {
    # Names in statistics tables that neither pycountry nor CLDR spell that way.
    "syria": "SYR",
    "iran": "IRN",
    "turkey": "TUR",
    "turkiye": "TUR",
    "russia": "RUS",
    "vietnam": "VNM",
    "viet nam": "VNM",
    "laos": "LAO",
    "moldova": "MDA",
    "tanzania": "TZA",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "palestine": "PSE",
    "occupied palestinian territory": "PSE",
    "democratic republic of the congo": "COD",
    "congo democratic republic": "COD",
    "congo democratic republic of the": "COD",
    "dr congo": "COD",
    "congo kinshasa": "COD",
    "congo brazzaville": "COG",
    "republic of the congo": "COG",
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "north korea": "PRK",
    "south korea": "KOR",
    "swaziland": "SWZ",
    "macedonia": "MKD",
    "fyrom": "MKD",
    "former yugoslav republic of macedonia": "MKD",
    "cape verde": "CPV",
    "east timor": "TLS",
    "burma": "MMR",
    "gambia the": "GMB",
    "the gambia": "GMB",
    "western sahara": "ESH",
}


@dataclass(slots=True)
class Figure:
    """One figure of an indicator. `identity` holds what else tells two figures of the same
    indicator, period, place and people apart (an incident's place and cause), so that each
    gets its own key."""

    indicator: str
    year: int
    value: float
    month: int | None = None
    day: int | None = None
    route: str | None = None
    border_type: str | None = None
    country: str | None = None
    border_section: str | None = None
    crossing_point: str | None = None
    nationality: str | None = None
    sex: str | None = None
    age: str | None = None
    aggregate: bool = False
    lat: float | None = None
    lon: float | None = None
    detail: dict[str, Any] | None = None
    identity: tuple[str, ...] = field(default=())
    # The file's row it comes from (as a spreadsheet numbers it), for error messages.
    row: int = 0

    def key(self) -> str:
        """A digest of everything that identifies the figure (not its value): the same
        figure imported again, from either layout of its source, gets the same key."""
        parts = (
            self.indicator,
            str(self.year),
            str(self.month or ""),
            str(self.day or ""),
            self.route or "",
            self.border_type or "",
            self.country or "",
            self.border_section or "",
            self.crossing_point or "",
            self.nationality or "",
            self.sex or "",
            self.age or "",
            *self.identity,
        )
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


Item = Figure | RowError
Items = Iterator[Item]


def _plain(text: str) -> str:
    """Lower case, accents and punctuation gone, spaces single: "Côte d'Ivoire" → "cote d
    ivoire", "Kosovo*" → "kosovo"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    return " ".join(text.split())


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    english = Locale("en").territories
    for country in pycountry.countries:
        code = country.alpha_3
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.setdefault(_plain(value), code)
        cldr = english.get(country.alpha_2)
        if cldr:
            names.setdefault(_plain(cldr), code)
    names.update(_ALIASES)
    names.update(_SPECIAL_NAMES)
    return names


def country_code(value: str, column: str) -> str:
    """An alpha-3 code (or a special code) from a code or an English name as statistics
    tables write them; ValueError naming `column` when it is neither."""
    text = value.strip()
    upper = text.upper()
    if upper in SPECIAL_CODES:
        return upper
    if len(upper) == 3 and upper.isalpha() and pycountry.countries.get(alpha_3=upper):
        return upper
    if len(upper) == 2 and upper.isalpha():
        found = pycountry.countries.get(alpha_2=upper)
        if found is not None:
            return str(found.alpha_3)
        if upper == "XK":
            return "XKX"
    code = _names().get(_plain(text))
    if code is None:
        raise ValueError(f"{column}: {text[:60]!r} is neither a country code nor a known name")
    return code


def code_name(code: str) -> str:
    """A code's English name, for readers and reports (the code itself when unknown)."""
    if code in SPECIAL_CODES:
        return SPECIAL_CODES[code]
    found = pycountry.countries.get(alpha_3=code)
    return str(getattr(found, "common_name", None) or found.name) if found else code


def count(value: str, column: str, *, blank_is_zero: bool = False) -> float | None:
    """A count as written in statistics files ("1,234", "12.0", "" or ":" for not
    available): None when not given, ValueError naming `column` when not a number ≥ 0."""
    text = value.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if text in ("", ":", "-", "..", "NA", "n/a", "N/A"):
        return 0.0 if blank_is_zero else None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{column}: {value[:40]!r} is not a number") from None
    if number != number or number < 0 or number in (float("inf"),):
        raise ValueError(f"{column}: {value[:40]!r} is not a count (0 or more)")
    return number


def month_of(value: str, column: str) -> tuple[int, int]:
    """(year, month) from "2015-09", "2015-09-01", "SEP2015" or "Sep 2015"."""
    text = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2}(?:[T ].*)?)?", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"([A-Za-z]{3})[A-Za-z]*[ \-]?(\d{4})", text)
        if not m or m.group(1).lower() not in _MONTHS:
            raise ValueError(f"{column}: {text[:40]!r} is not a month (e.g. 2015-09 or SEP2015)")
        year, month = int(m.group(2)), _MONTHS[m.group(1).lower()]
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(f"{column}: {text[:40]!r} is not a month (e.g. 2015-09)")
    return year, month


_MONTHS = {
    name: i
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def day_of(value: str, column: str) -> date:
    """A date from "2015-09-02" or "September 02, 2015" (IOM's 2020 export)."""
    text = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}), (\d{4})", text)
        if m and m.group(1).lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError:
        pass
    raise ValueError(f"{column}: {text[:40]!r} is not a date (e.g. 2015-09-02)")


def year_of(value: str, column: str) -> int:
    text = value.strip()
    if not re.fullmatch(r"\d{4}(\.0)?", text) or not 1900 <= int(float(text)) <= 2200:
        raise ValueError(f"{column}: {text[:40]!r} is not a year (e.g. 2015)")
    return int(float(text))


def coordinate(value: str, column: str, limit: float) -> float | None:
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{column}: {text[:40]!r} is not a coordinate") from None
    if not -limit <= number <= limit:
        raise ValueError(f"{column}: {text[:40]!r} is outside -{limit:g}..{limit:g}")
    return number


def text_or_none(value: str, limit: int = 120) -> str | None:
    text = " ".join(value.split())
    return text[:limit] or None
