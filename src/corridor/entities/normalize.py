"""Selectors (phones, e-mails, IBANs, document, device and vessel numbers, plates, handles)
normalised by type, so that one value written in different notations compares equal.

Search, compare, link analysis ("shared selectors") and hit/no-hit matching all key on the
output of :func:`normalize_identifier` and :func:`selector_values`; changing a normal form
changes every index built from it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import phonenumbers
from followthemoney import EntityProxy, Schema
from rigour.ids import IBAN, IMO
from rigour.text.translit import ascii_text

from corridor.errors import InvalidInput

# Selector kinds; ``imsi``, ``iccid`` and ``bank_account`` (a non-IBAN account number) extend
# the list in DESIGN.md §5 because MobileDevice and BankAccount carry them.
KINDS = (
    "phone",
    "email",
    "iban",
    "bank_account",
    "document",
    "imei",
    "imsi",
    "iccid",
    "imo",
    "mmsi",
    "plate",
    "account",
    "generic",
)

_NON_DIGIT = re.compile(r"\D+")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def _ascii_digits(value: str) -> str:
    """Arabic-Indic, Persian and other decimal digits as ASCII ('٠٣٠٠' → '0300')."""
    if value.isascii():  # most values, and the loop below is a tenth of indexing an entity
        return value
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in value)


def normalize_phone(value: str, default_region: str | None = None) -> str | None:
    """E.164 form of a phone number, or None when it is not a possible number.

    International notations ('+92 300 1234567', '0092-300-1234567') need no region; national
    ones ('0300 1234567') need ``default_region`` (ISO 3166-1 alpha-2, e.g. 'PK')."""
    text = _ascii_digits(value).strip()
    if not text:
        return None
    compact = _NON_DIGIT.sub("", text)
    if not text.startswith("+") and compact.startswith("00") and default_region is None:
        # "00" is the international call prefix almost everywhere; with a region given,
        # phonenumbers applies that country's own prefix instead.
        text = "+" + compact[2:]
    region = default_region.upper() if default_region else None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _email(value: str) -> str | None:
    text = value.strip().strip("<>").removeprefix("mailto:").strip().lower()
    return text if _EMAIL.match(text) else None


def _iban(value: str) -> str | None:
    return IBAN.normalize(value)


def _upper_alnum(value: str) -> str | None:
    text = _NON_ALNUM.sub("", ascii_text(_ascii_digits(value)).upper())
    return text or None


def _digits(value: str) -> str:
    return _NON_DIGIT.sub("", _ascii_digits(value))


def _imei(value: str) -> str | None:
    digits = _digits(value)
    if not 14 <= len(digits) <= 16:
        return None
    # 15 digits carry a Luhn check digit; 14 omit it and 16 are IMEISV (software version).
    if len(digits) == 15 and not _luhn_ok(digits):
        return None
    return digits


def _imsi(value: str) -> str | None:
    digits = _digits(value)
    return digits if 6 <= len(digits) <= 15 else None


def _iccid(value: str) -> str | None:
    # Printed ICCIDs often end in a filler 'F'; the number itself is 18-22 digits.
    digits = _digits(value.upper().rstrip("F"))
    return digits if 18 <= len(digits) <= 22 else None


def _imo(value: str) -> str | None:
    return IMO.normalize(_ascii_digits(value))


def _mmsi(value: str) -> str | None:
    digits = _digits(value)
    return digits if len(digits) == 9 else None


def _plate(value: str) -> str | None:
    # Plates may carry Arabic or Cyrillic letters: keep letters of any script, drop the rest.
    text = "".join(ch for ch in _ascii_digits(value).upper() if ch.isalnum())
    return text or None


def _account(value: str) -> str | None:
    text = value.strip().lower().lstrip("@").strip()
    text = _SPACES.sub("", text)
    return text or None


def _generic(value: str) -> str | None:
    text = "".join(ch for ch in _ascii_digits(value).casefold() if ch.isalnum())
    return text or None


_NORMALIZERS: dict[str, Callable[[str], str | None]] = {
    "phone": normalize_phone,
    "email": _email,
    "iban": _iban,
    "bank_account": _upper_alnum,
    "document": _upper_alnum,
    "imei": _imei,
    "imsi": _imsi,
    "iccid": _iccid,
    "imo": _imo,
    "mmsi": _mmsi,
    "plate": _plate,
    "account": _account,
    "generic": _generic,
}


def normalize_identifier(kind: str, value: str, default_region: str | None = None) -> str | None:
    """The normal form of a selector of ``kind`` (one of :data:`KINDS`), or None when the value
    is not a valid selector of that kind (e.g. an IBAN with a bad checksum).

    Raises InvalidInput for an unknown kind."""
    normalizer = _NORMALIZERS.get(kind)
    if normalizer is None:
        raise InvalidInput(f"unknown identifier kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(value, str) or not value.strip():
        return None
    if kind == "phone":
        return normalize_phone(value, default_region)
    return normalizer(value)


# (schema, property) → selector kind. A property is read on every schema descending from the
# named one, so Company inherits Organization's and LegalEntity's selectors.
_SELECTOR_PROPS: tuple[tuple[str, str, str], ...] = (
    ("LegalEntity", "phone", "phone"),
    ("LegalEntity", "email", "email"),
    ("LegalEntity", "idNumber", "document"),
    ("Person", "passportNumber", "document"),
    ("Person", "socialSecurityNumber", "document"),
    ("Organization", "imoNumber", "imo"),
    ("Identification", "number", "document"),
    ("Passport", "passportNumber", "document"),
    ("Passport", "personalNumber", "document"),
    ("MobileDevice", "imeiNumber", "imei"),
    ("MobileDevice", "imsiNumber", "imsi"),
    ("MobileDevice", "iccid", "iccid"),
    ("MobileDevice", "phoneNumber", "phone"),
    ("Vessel", "imoNumber", "imo"),
    ("Vessel", "mmsi", "mmsi"),
    ("Vehicle", "registrationNumber", "plate"),
    ("UserAccount", "username", "account"),
    ("UserAccount", "email", "email"),
    ("UserAccount", "phone", "phone"),
    ("BankAccount", "iban", "iban"),
    ("BankAccount", "accountNumber", "bank_account"),
)


@lru_cache(maxsize=256)
def _selector_props(schema: Schema) -> tuple[tuple[str, str], ...]:
    # Read from the entity's own schema, not looked up in the model: the FtM model (ftm.py)
    # cleans phone numbers with this module, so this module does not import it.
    return tuple(
        (prop, kind)
        for ancestor, prop, kind in _SELECTOR_PROPS
        if schema.is_a(ancestor) and prop in schema.properties
    )


def _region_hint(proxy: EntityProxy, default_region: str | None) -> str | None:
    if default_region:
        return default_region
    # A single country on the entity is a fair guess for national phone notations.
    countries = {c for c in proxy.country_hints if len(c) == 2}
    return next(iter(countries)).upper() if len(countries) == 1 else None


def selector_values(proxy: EntityProxy, default_region: str | None = None) -> list[tuple[str, str]]:
    """The distinct (kind, normalised value) selectors of an FtM entity, in property order.

    Values that do not normalise (an impossible phone, an IBAN with a bad checksum) are left
    out. An ``accountNumber`` that is a valid IBAN counts as an IBAN, so it meets the same
    account stored under ``iban`` elsewhere."""
    region = _region_hint(proxy, default_region)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for prop, kind in _selector_props(proxy.schema):
        for raw in proxy.get(prop, quiet=True):
            value: str | None
            if kind == "phone" and _E164.match(raw):
                # Stored phones were validated into E.164 when they were added: skip re-parsing
                # (the costliest step of indexing an entity).
                found_kind, value = kind, raw
            else:
                found_kind, value = kind, normalize_identifier(kind, raw, region)
            if kind == "bank_account" and (as_iban := _iban(raw)) is not None:
                found_kind, value = "iban", as_iban
            if value is not None and (found_kind, value) not in seen:
                seen.add((found_kind, value))
                out.append((found_kind, value))
    return out
