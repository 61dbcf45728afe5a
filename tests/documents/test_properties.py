"""Properties of the parser over generated input: any text of two or three lines is answered
(never an exception), and check digits catch what ICAO's 7-3-1 weighting can: every single
digit changed, every swap of neighbouring digits but those that differ by 5."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.documents.mrz.parser import check
from corridor.documents.mrz.suggest import suggest
from tests.documents import specimens as sp
from tests.documents.specimens import TODAY, replaced

MRZ_CHARS = string.ascii_uppercase + string.digits + "<"
line = st.text(alphabet=st.sampled_from(MRZ_CHARS), min_size=25, max_size=50)
anything = st.text(min_size=0, max_size=64)


@settings(max_examples=300, deadline=None)
@given(st.lists(line | anything, min_size=2, max_size=3))
def test_any_two_or_three_lines_are_answered(lines: list[str]) -> None:
    mrz = check(lines, TODAY)
    assert mrz.format in ("TD1", "TD2", "TD3", "MRVA", "MRVB")
    assert mrz.valid == all(c.ok for c in mrz.checks)
    assert all(c.detail for c in mrz.checks + mrz.warnings)
    for s in suggest(mrz, TODAY):
        assert check(s.lines, TODAY).valid and s.changes


# The digit fields of the ICAO passport (line 2, positions from 1) and its check digits.
DIGIT_POSITIONS = [*range(14, 21), *range(22, 29), 10, 43, 44]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DIGIT_POSITIONS), st.sampled_from(string.digits))
def test_one_digit_changed_is_always_caught(position: int, digit: str) -> None:
    lines = replaced(sp.TD3, 2, position, digit)
    mrz = check(lines, TODAY)
    assert mrz.valid == (lines == sp.TD3)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(sp.ALL)), st.data())
def test_two_neighbouring_digits_swapped_are_caught(name: str, data: st.DataObject) -> None:
    # Two neighbouring digits of a birth date swapped: the weights 7-3-1 tell them apart,
    # unless they differ by 5 (4, 2 and 6 times 5 are all 0 modulo 10).
    lines = sp.ALL[name]
    row = 2
    start = 1 if len(lines) == 3 else 14  # TD1 from position 1 of line 2, the others from 14
    at = data.draw(st.integers(start, start + 4))
    text = lines[row - 1]
    a, b = text[at - 1], text[at]
    swapped = replaced(replaced(lines, row, at, b), row, at + 1, a)
    assert check(swapped, TODAY).valid == (a == b or abs(int(a) - int(b)) == 5)
