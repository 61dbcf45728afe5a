"""MRZs of specimen documents, every check digit worked out by hand below.

ICAO Doc 9303's own examples (parts 4 to 7; the fictional state Utopia, UTO), and specimens
that issuing states publish (Germany's identity card and passport, the Netherlands'
passport). A check digit weighs each character's value (0–9; A–Z = 10–35; < = 0) by 7, 3, 1,
7, 3, 1… and keeps the last digit of the sum; each sum lists the weighted values that are not
zero.

All are checked on TODAY, so whether each has expired does not move with the calendar."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 12, 7)

# ICAO Doc 9303 part 4, TD3 (passport).
#   document number L898902C3: L=21×7=147, 8×3=24, 9×1=9, 8×7=56, 9×3=27, 0, 2×7=14,
#     C=12×3=36, 3×1=3 → 316 → 6
#   birth 740812: 7×7=49, 4×3=12, 0, 8×7=56, 1×3=3, 2×1=2 → 122 → 2
#   expiry 120415: 1×7=7, 2×3=6, 0, 4×7=28, 1×3=3, 5×1=5 → 49 → 9
#   personal number ZE184226B<<<<<: Z=35×7=245, E=14×3=42, 1, 8×7=56, 4×3=12, 2, 2×7=14,
#     6×3=18, B=11×1=11 → 401 → 1
#   composite over L898902C36 7408122 1204159ZE184226B<<<<<1 → 880 → 0
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)

# ICAO Doc 9303 part 5, TD1 (identity card).
#   document number D23145890: D=13×7=91, 2×3=6, 3, 1×7=7, 4×3=12, 5, 8×7=56, 9×3=27, 0
#     → 207 → 7
#   birth 740812 → 2 and expiry 120415 → 9 (as in TD3)
#   composite over D231458907<<<<<<<<<<<<<<< 7408122 1204159 <<<<<<<<<<< : D23145890 207,
#     its check digit 7×7=49; 7408122 at weights 3, 1, 7…: 21+4+0+24+1+14+6 = 70; 1204159 at
#     weights 1, 7, 3…: 1+14+0+4+7+15+9 = 50 → 376 → 6
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)

# ICAO Doc 9303 part 5, TD1 with a document number of 12 characters, D23145890734: its first
# nine fill the field, a filler stands at the check digit, and 734 with the check digit 9
# continue in the optional data.
#   D23145890734: 207 (the first nine, as above) + 7×7=49, 3×3=9, 4×1=4 → 269 → 9
#   birth 340712: 3×7=21, 4×3=12, 0, 7×7=49, 1×3=3, 2×1=2 → 87 → 7
#   expiry 950712: 9×7=63, 5×3=15, 0, 7×7=49, 1×3=3, 2 → 132 → 2
#   composite over D23145890<7349<<<<<<<<<<< 3407127 9507122 <<<<<<<<<<< → 422 → 2
TD1_LONG_NUMBER = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)

# ICAO Doc 9303 part 6, TD2.
#   D23145890 → 7, 740812 → 2, 120415 → 9 (as above)
#   composite over D231458907 7408122 1204159<<<<<<< → 376 → 6
TD2 = (
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
)

# ICAO Doc 9303 part 6, TD2 with the 12-character document number D23145890734 (→ 9, as in
# TD1): 734 and 9 continue in the optional data.
#   composite over D23145890< 3407127 95071227349<<< → 468 → 8
TD2_LONG_NUMBER = (
    "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<",
    "D23145890<UTO3407127M95071227349<<<8",
)

# ICAO Doc 9303 part 7, MRV-A (visa, 2×44; no composite check digit). Nationality XXX.
#   document number L8988901C: L=21×7=147, 8×3=24, 9×1=9, 8×7=56, 8×3=24, 9×1=9, 0,
#     1×3=3, C=12×1=12 → 284 → 4
#   birth 400907: 4×7=28, 0, 0, 9×7=63, 0, 7×1=7 → 98 → 8
#   valid until 961210: 9×7=63, 6×3=18, 1, 2×7=14, 1×3=3, 0 → 99 → 9
MRVA = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
)

# ICAO Doc 9303 part 7, MRV-B (visa, 2×36): the same check digits as MRV-A.
MRVB = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
)

# Germany's identity card specimen (TD1, issuing state and nationality D, sex unspecified <).
#   T22000129: T=29×7=203, 2×3=6, 2, 0, 0, 0, 1×7=7, 2×3=6, 9 → 233 → 3
#   birth 640812: 6×7=42, 4×3=12, 0, 8×7=56, 1×3=3, 2 → 115 → 5
#   expiry 201031: 2×7=14, 0, 1, 0, 3×3=9, 1 → 25 → 5
#   composite over T220001293<<<<<<<<<<<<<<< 6408125 2010315 <<<<<<<<<<< → 364 → 4
DE_ID_CARD = (
    "IDD<<T220001293<<<<<<<<<<<<<<<",
    "6408125<2010315D<<<<<<<<<<<<<4",
    "MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
)

# Germany's passport specimen (TD3, D<<; no personal number, so its check digit is a filler).
#   C01X00T47: C=12×7=84, 0, 1, X=33×7=231, 0, 0, T=29×7=203, 4×3=12, 7 → 538 → 8
#   birth 640812 → 5; expiry 270228: 2×7=14, 7×3=21, 0, 2×7=14, 2×3=6, 8 → 63 → 3
#   composite over C01X00T478 6408125 2702283<<<<<<<<<<<<<<< → 764 → 4
DE_PASSPORT = (
    "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<",
    "C01X00T478D<<6408125F2702283<<<<<<<<<<<<<<<4",
)

# The Netherlands' passport specimen (2014).
#   SPECI2014: S=28×7=196, P=25×3=75, E=14, C=12×7=84, I=18×3=54, 2, 0, 1×3=3, 4 → 432 → 2
#   birth 650310: 6×7=42, 5×3=15, 0, 3×7=21, 1×3=3, 0 → 81 → 1
#   expiry 240309: 2×7=14, 4×3=12, 0, 3×7=21, 0, 9 → 56 → 6
#   personal number 999999990<<<<<: 63+27+9 three times, but the last is 0: 288 → 8
#   composite over SPECI20142 6503101 2403096999999990<<<<<8 → 844 → 4
NL_PASSPORT = (
    "P<NLDDE<BRUIJN<<WILLEKE<LISELOTTE<<<<<<<<<<<",
    "SPECI20142NLD6503101F2403096999999990<<<<<84",
)

ALL = {
    "TD3": TD3,
    "TD1": TD1,
    "TD1_LONG_NUMBER": TD1_LONG_NUMBER,
    "TD2": TD2,
    "TD2_LONG_NUMBER": TD2_LONG_NUMBER,
    "MRVA": MRVA,
    "MRVB": MRVB,
    "DE_ID_CARD": DE_ID_CARD,
    "DE_PASSPORT": DE_PASSPORT,
    "NL_PASSPORT": NL_PASSPORT,
}


def replaced(lines: tuple[str, ...], line: int, position: int, char: str) -> tuple[str, ...]:
    """`lines` with the character at `line`, `position` (both from 1) replaced."""
    out = list(lines)
    text = out[line - 1]
    out[line - 1] = text[: position - 1] + char + text[position:]
    return tuple(out)
