"""Countries: the codes partners exchange and the names people read.

One module for every feature (a node's own country, the map, the directory, alerts, commitments),
so a code accepted anywhere is accepted everywhere. The codes are ISO 3166-1 (from pycountry) plus
the user-assigned codes in use: Kosovo has no ISO 3166-1 code, and "XK" is the one the European
Commission, the UN agencies and most travel-document systems use ("XKX" its alpha-3 counterpart),
so a Kosovar agency can run a node and partners can name Kosovo on the map.

Names are refused as input: "Congo" or "Korea" are ambiguous, and a code is what partners
exchange. A name is for reading: pycountry's English one, else CLDR's (through Babel) in the
reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated, NamedTuple

import pycountry
from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator

from corridor import formats
from corridor.errors import InvalidInput

ENGLISH = "en"


class UserAssigned(NamedTuple):
    alpha_3: str
    name: str  # English, for the reader who has no CLDR locale


# ISO 3166-1 keeps XA-XZ (and a few others) for user assignment; these are the ones in use.
USER_ASSIGNED: dict[str, UserAssigned] = {"XK": UserAssigned("XKX", "Kosovo")}
_BY_ALPHA_3 = {u.alpha_3: code for code, u in USER_ASSIGNED.items()}


def _show(value: object) -> str:
    """A bad value for an error message, short enough that a pasted document cannot flood it."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def normalise(value: str) -> str:
    """The upper-case alpha-2 code of an alpha-2 or alpha-3 code (any case, spaces around it
    ignored): "pak" → "PK", "xkx" → "XK". Anything else is InvalidInput, naming the value."""
    if not isinstance(value, str):
        raise InvalidInput(f"a country code must be text, not {_show(value)}")
    code = value.strip().upper()
    if not code:
        raise InvalidInput("a country code is required (ISO 3166-1 alpha-2 or alpha-3, e.g. PK)")
    found = _alpha_2(code) if code.isascii() and code.isalpha() else None
    if found is None:
        raise InvalidInput(
            f"unknown country code {_show(value)}:"
            " use ISO 3166-1 alpha-2 or alpha-3, e.g. PK or PAK"
        )
    return found


@lru_cache(maxsize=1024)
def _alpha_2(code: str) -> str | None:
    if code in USER_ASSIGNED:
        return code
    if code in _BY_ALPHA_3:
        return _BY_ALPHA_3[code]
    record = None
    if len(code) == 2:
        record = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        record = pycountry.countries.get(alpha_3=code)
    return None if record is None else str(record.alpha_2)


def field_value(value: str) -> str:
    """`normalise` for a Pydantic validator: an unknown code is a ValueError, which Pydantic
    reports as an error of the field it validates."""
    try:
        return normalise(value)
    except InvalidInput as exc:
        raise ValueError(exc.detail) from None


def field_values(values: Iterable[str]) -> list[str]:
    """`field_value` of each code, each country once, in the order given."""
    out: list[str] = []
    for value in values:
        code = field_value(value)
        if code not in out:
            out.append(code)
    return out


# A country code field of a Pydantic model: alpha-2 or alpha-3 in, alpha-2 out.
CountryCode = Annotated[str, AfterValidator(field_value)]


def is_country(value: str) -> bool:
    """Whether `value` is a code `normalise` accepts."""
    try:
        normalise(value)
    except InvalidInput:
        return False
    return True


def country_name(code: str, locale: str | None = None) -> str:
    """The name of a country code for a reader (by default the one reading now: see
    `corridor.formats`; English outside a request). In English: pycountry's common name where it has
    one ("Iran", "Syria", "Taiwan"), else its ISO name; for a user-assigned code, and in another
    language, CLDR's name through Babel ("Kosovo"; "DE" in French: "Allemagne"). An unknown
    code is InvalidInput."""
    return _name(normalise(code), locale or formats.current().lang.replace("-", "_"))


def name_or_code(code: str | None, locale: str | None = None) -> str:
    """`country_name` for a page: the code itself where it names no country (a partner's
    private code), nothing for nothing."""
    if not code:
        return ""
    try:
        return country_name(code, locale)
    except InvalidInput:
        return code.upper()


@lru_cache(maxsize=4096)
def _name(code: str, locale: str) -> str:
    english = _english(code)
    if locale == ENGLISH and code not in USER_ASSIGNED:
        return english
    try:
        territories = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError, TypeError):
        return english
    return str(territories.get(code) or english)


def _english(code: str) -> str:
    if code in USER_ASSIGNED:
        return USER_ASSIGNED[code].name
    record = pycountry.countries.get(alpha_2=code)
    if record is None:  # not reached: codes are normalised first
        return code
    return str(getattr(record, "common_name", None) or record.name)
