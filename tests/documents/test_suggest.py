"""OCR-confusion suggestions: a misread MRZ gets the corrections that make it valid, with what
changed; a valid MRZ, or one that no confusion explains, gets none."""

from __future__ import annotations

from corridor.documents.mrz.codes import check_digit
from corridor.documents.mrz.parser import check
from corridor.documents.mrz.suggest import suggest
from tests.documents import specimens as sp
from tests.documents.specimens import TODAY, replaced


def suggestions(lines: tuple[str, ...]) -> list[tuple[tuple[str, ...], list[tuple]]]:  # type: ignore[type-arg]
    mrz = check(lines, TODAY)
    assert not mrz.valid
    return [
        (s.lines, [(c.line, c.position, c.old, c.new, c.field) for c in s.changes])
        for s in suggest(mrz, TODAY)
    ]


def test_a_valid_mrz_gets_none() -> None:
    assert suggest(check(sp.TD3, TODAY), TODAY) == []


def test_letters_in_dates_and_check_digits_become_their_digits() -> None:
    # O for 0 in the birth date, S for 5 in the expiry date, I for the personal number's 1.
    misread = replaced(replaced(replaced(sp.TD3, 2, 16, "O"), 2, 27, "S"), 2, 43, "I")
    assert suggestions(misread) == [
        (
            sp.TD3,
            [
                (2, 16, "O", "0", "birth_date"),
                (2, 27, "S", "5", "expiry_date"),
                (2, 43, "I", "1", "personal_number_check"),
            ],
        )
    ]


def test_every_confusion_pair_in_a_date() -> None:
    # Birth 740812 is at line 2, positions 14–19; expiry 120415 at 22–27 (its 5 at 27).
    for position, letter in ((16, "O"), (17, "B"), (18, "I"), (19, "Z"), (27, "S")):
        misread = replaced(sp.TD3, 2, position, letter)
        assert suggestions(misread)[0][0] == sp.TD3, letter


def test_an_ambiguous_document_number_lists_the_corrections_likeliest_first() -> None:
    # B for 8 in L898902C3: the check digit knows a character is wrong, not which.
    misread = replaced(sp.TD3, 2, 2, "B")
    found = suggestions(misread)
    assert found[0] == (sp.TD3, [(2, 2, "B", "8", "document_number")])
    # Each suggestion makes every check right, and changes one character.
    for lines, changes in found:
        assert check(lines, TODAY).valid and len(changes) == 1


def test_a_long_number_overflow_in_td1() -> None:
    misread = replaced(sp.TD1_LONG_NUMBER, 1, 12, "B")  # D23145B90734
    found = suggestions(misread)
    assert found[0] == (sp.TD1_LONG_NUMBER, [(1, 12, "B", "8", "document_number")])


def test_the_composite_decides_for_optional_data_only_it_covers() -> None:
    # TD1: an O read for 0 in optional data no other check digit covers.
    lines = list(sp.TD1)
    lines[0] = lines[0][:15] + "AB0<<<<<<<<<<<<"
    two = lines[1]
    composite = check_digit(lines[0][5:30] + two[0:7] + two[8:15] + two[18:29])
    lines[1] = two[:29] + str(composite)
    good = tuple(lines)
    assert check(good, TODAY).valid
    misread = replaced(good, 1, 18, "O")
    assert suggestions(misread) == [(good, [(1, 18, "O", "0", "optional_data")])]


def test_digits_in_names_and_codes_are_corrected_with_the_rest() -> None:
    misread = replaced(replaced(sp.TD3, 1, 11, "5"), 2, 16, "O")  # ERIK5SON, 74O812
    [(lines, changes)] = suggestions(misread)
    assert lines == sp.TD3
    assert [c[4] for c in changes] == ["names", "birth_date"]


def test_what_no_confusion_explains_gets_none() -> None:
    assert suggestions(replaced(sp.TD3, 2, 44, "1")) == []  # a composite digit altered
    assert suggestions(replaced(sp.TD3, 2, 15, "5")) == []  # a digit for another digit
    assert suggestions((sp.TD3[0][:-1], sp.TD3[1])) == []  # a line too short
    assert suggestions(replaced(sp.TD3, 2, 21, "Q")) == []  # no sex code


def test_a_suggestion_says_what_changed() -> None:
    mrz = check(replaced(sp.TD3, 2, 16, "O"), TODAY)
    [found] = suggest(mrz, TODAY)
    assert found.detail == "line 2, position 16: O → 0 (birth date)"
    assert found.to_dict()["changes"] == [
        {"line": 2, "position": 16, "from": "O", "to": "0", "field": "birth_date"}
    ]
