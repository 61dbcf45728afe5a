"""The characters of an MRZ, its check digits, and the codes of states and organisations that
may issue a travel document or stand for a holder's nationality (ICAO Doc 9303 part 3).

A check digit weighs each character's value (0–9 as themselves, A–Z as 10–35, the filler `<`
as 0) by 7, 3, 1, 7, 3, 1… and keeps the last digit of the sum. One `bytes.translate` turns
the text into its values and three sums over slices weigh them, all loops in C: no Python
code runs per character."""

from __future__ import annotations

import string

import pycountry

FILLER = "<"
# The characters an MRZ is made of.
ALPHABET = frozenset(string.digits + string.ascii_uppercase + FILLER)
DIGITS = frozenset(string.digits)

VALUES: dict[str, int] = {
    **{c: i for i, c in enumerate(string.digits)},
    **{c: 10 + i for i, c in enumerate(string.ascii_uppercase)},
    FILLER: 0,
}
# Each character's value at its byte (other bytes are 0), for `bytes.translate`.
_TABLE = bytes(VALUES.get(chr(b), 0) for b in range(256))


def check_digit(data: str) -> int:
    """The check digit of `data` (a character outside `ALPHABET` counts as 0)."""
    values = data.encode("ascii", "replace").translate(_TABLE)
    return (sum(values[0::3]) * 7 + sum(values[1::3]) * 3 + sum(values[2::3])) % 10


# Codes that are not ISO 3166-1 alpha-3 but stand in an MRZ (Doc 9303 part 3, section 5), with
# what they mean. Germany writes `D` (followed by two fillers).
SPECIAL_CODES: dict[str, str] = {
    "D": "Germany",
    "GBD": "British Overseas Territories Citizen",
    "GBN": "British National (Overseas)",
    "GBO": "British Overseas Citizen",
    "GBP": "British Protected Person",
    "GBS": "British Subject",
    "EUE": "European Union (laissez-passer)",
    "UNO": "United Nations Organization",
    "UNA": "Specialized agency of the United Nations",
    "UNK": "Resident of Kosovo, document issued by UNMIK",
    "RKS": "Kosovo",
    "XKX": "Kosovo",
    "XBA": "African Development Bank",
    "XIM": "African Export-Import Bank",
    "XCC": "Caribbean Community",
    "XCE": "Council of Europe",
    "XCO": "Common Market for Eastern and Southern Africa",
    "XEC": "Economic Community of West African States",
    "XPO": "INTERPOL",
    "XES": "Organisation of Eastern Caribbean States",
    "XMP": "Parliamentary Assembly of the Mediterranean",
    "XOM": "Sovereign Military Order of Malta",
    "XDC": "Southern African Development Community",
    "XXA": "Stateless person",
    "XXB": "Refugee (1951 Convention)",
    "XXC": "Refugee (other than 1951 Convention)",
    "XXX": "Unspecified nationality",
    # The fictional state of ICAO's own specimens.
    "UTO": "Utopia (ICAO specimen)",
}
ISO_CODES: dict[str, str] = {
    str(c.alpha_3): str(getattr(c, "common_name", None) or c.name) for c in pycountry.countries
}
# Every code an issuing state or a nationality may hold, filler-free, with its English name.
STATE_NAMES: dict[str, str] = {**ISO_CODES, **SPECIAL_CODES}


def state_name(code: str) -> str | None:
    """What a (filler-free) state code stands for, in English; None for an unknown code."""
    return STATE_NAMES.get(code)


# OCR confusions between letters and digits (Doc 9303 check digits catch them): a letter read
# where a digit must be, and the other way round.
LETTER_FOR_DIGIT = {"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z"}
DIGIT_FOR_LETTER = {letter: digit for digit, letter in LETTER_FOR_DIGIT.items()}
