"""The MRZ parser: every ICAO 9303 format, every check, the long-number overflow, centuries,
codes, names; corrupted specimens fail the check they should, and only that one."""

from __future__ import annotations

from datetime import date

import pytest

from corridor.documents.mrz.codes import check_digit
from corridor.documents.mrz.parser import NotAnMrz, check, format_of
from tests.documents import specimens as sp
from tests.documents.specimens import TODAY, replaced


def failed(lines: tuple[str, ...], today: date = TODAY) -> list[str]:
    return [c.name for c in check(lines, today).failed]


def warned(lines: tuple[str, ...], today: date = TODAY) -> list[str]:
    return [w.name for w in check(lines, today).warnings]


def test_check_digits_as_worked_out_by_hand() -> None:
    assert check_digit("L898902C3") == 6
    assert check_digit("740812") == 2
    assert check_digit("120415") == 9
    assert check_digit("ZE184226B<<<<<") == 1
    assert check_digit("D23145890734") == 9
    assert check_digit("<<<<<<") == 0
    # A..Z are 10..35: Z at weight 7 is 245.
    assert check_digit("Z") == 5


@pytest.mark.parametrize("name", sorted(sp.ALL))
def test_every_specimen_is_valid_without_warnings(name: str) -> None:
    mrz = check(sp.ALL[name], sp.TODAY)
    assert mrz.valid, mrz.failed
    assert mrz.warnings == []
    assert all(c.ok and c.detail for c in mrz.checks)


def test_the_icao_passport_reads_as_the_document_says() -> None:
    mrz = check(sp.TD3, sp.TODAY)
    assert (mrz.format, mrz.valid, mrz.expired) == ("TD3", True, True)
    assert mrz.fields == {
        "document_code": "P",
        "issuing_state": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2012-04-15",
        "optional_data": "ZE184226B",
        "optional_data_2": None,
        "personal_number": "ZE184226B",
    }
    assert [c.name for c in mrz.checks] == [
        "line_length",
        "characters",
        "document_number",
        "birth_date",
        "expiry_date",
        "personal_number",
        "composite",
        "sex",
    ]


def test_each_format_and_its_fields() -> None:
    td1 = check(sp.TD1, TODAY)
    assert td1.format == "TD1"
    assert td1.fields["document_number"] == "D23145890"
    assert (td1.fields["surname"], td1.fields["given_names"]) == ("ERIKSSON", "ANNA MARIA")
    assert td1.fields["personal_number"] is None and td1.fields["optional_data_2"] == ""
    assert "composite" in [c.name for c in td1.checks]
    td2 = check(sp.TD2, TODAY)
    assert td2.format == "TD2" and td2.fields["nationality"] == "UTO"
    mrva, mrvb = check(sp.MRVA, TODAY), check(sp.MRVB, TODAY)
    assert (mrva.format, mrvb.format) == ("MRVA", "MRVB")
    # Visas have no composite check digit; MRV-A's optional data is all of positions 29–44.
    assert "composite" not in [c.name for c in mrva.checks + mrvb.checks]
    assert mrva.fields["optional_data"] == "6ZE184226B"
    assert mrva.fields["nationality"] == "XXX"
    assert mrva.fields["birth_date"] == "1940-09-07" and mrva.fields["expiry_date"] == "1996-12-10"


def test_format_is_told_by_line_count_width_and_visa_letter() -> None:
    assert format_of(["x" * 30] * 3) == "TD1"
    assert format_of(["P" + "x" * 43] * 2) == "TD3"
    assert format_of(["V" + "x" * 43] * 2) == "MRVA"
    assert format_of(["I" + "x" * 35] * 2) == "TD2"
    assert format_of(["V" + "x" * 35] * 2) == "MRVB"
    # A line short or long: the nearer width.
    assert format_of(["P" + "x" * 41, "x" * 43]) == "TD3"
    with pytest.raises(NotAnMrz):
        check(["P<UTO"], TODAY)
    with pytest.raises(NotAnMrz):
        check([*sp.TD1, "<" * 30], TODAY)


def test_long_document_numbers_continue_in_the_optional_data() -> None:
    for lines in (sp.TD1_LONG_NUMBER, sp.TD2_LONG_NUMBER):
        mrz = check(lines, TODAY)
        assert mrz.valid
        assert mrz.fields["document_number"] == "D23145890734"
        assert mrz.fields["optional_data"] == ""
        number = mrz.check_named("document_number")
        assert number is not None and "long document number" in number.detail
    # The continuation's check digit altered: the number fails (and so does the composite).
    assert failed(replaced(sp.TD1_LONG_NUMBER, 1, 19, "8")) == ["document_number", "composite"]
    # A filler at the check digit and nothing continuing: the digit is missing.
    no_rest = replaced(sp.TD1, 1, 15, "<")
    assert "document_number" in failed(no_rest)
    missing = check(no_rest, TODAY).check_named("document_number")
    assert missing is not None and "missing" in missing.detail


@pytest.mark.parametrize(
    ("lines", "line", "position", "char", "fails"),
    [
        # TD3: one character of each field, or its check digit.
        (sp.TD3, 2, 1, "K", ["document_number", "composite"]),
        (sp.TD3, 2, 10, "5", ["document_number", "composite"]),
        (sp.TD3, 2, 15, "5", ["birth_date", "composite"]),
        (sp.TD3, 2, 20, "3", ["birth_date", "composite"]),
        (sp.TD3, 2, 23, "3", ["expiry_date", "composite"]),
        (sp.TD3, 2, 28, "0", ["expiry_date", "composite"]),
        (sp.TD3, 2, 30, "F", ["personal_number", "composite"]),
        (sp.TD3, 2, 43, "2", ["personal_number", "composite"]),
        (sp.TD3, 2, 44, "1", ["composite"]),
        (sp.TD3, 2, 21, "Q", ["sex"]),
        # TD1: the optional data only the composite covers.
        (sp.TD1, 1, 20, "C", ["composite"]),
        (sp.TD1, 2, 25, "7", ["composite"]),
        (sp.TD1, 1, 7, "4", ["document_number", "composite"]),
        (sp.TD1, 2, 3, "1", ["birth_date", "composite"]),
        (sp.TD1, 2, 13, "7", ["expiry_date", "composite"]),
        (sp.TD1, 2, 30, "0", ["composite"]),
        # TD2 and the visas.
        (sp.TD2, 2, 2, "3", ["document_number", "composite"]),
        (sp.TD2, 2, 36, "7", ["composite"]),
        (sp.MRVA, 2, 3, "8", ["document_number"]),
        (sp.MRVA, 2, 19, "8", ["birth_date"]),
        (sp.MRVB, 2, 27, "1", ["expiry_date"]),
        (sp.MRVB, 2, 33, "X", []),  # MRV-B optional data: no check digit covers it
        # Fields no check digit covers: a warning at most, never invalid.
        (sp.TD3, 1, 8, "X", []),
        (sp.TD3, 2, 12, "X", []),
    ],
)
def test_a_corrupted_specimen_fails_the_right_check(lines, line, position, char, fails) -> None:  # type: ignore[no-untyped-def]
    assert failed(replaced(lines, line, position, char)) == fails


def test_a_failed_check_says_why_in_plain_words() -> None:
    mrz = check(replaced(sp.TD3, 2, 20, "3"), TODAY)
    birth = mrz.check_named("birth_date")
    assert birth is not None and not birth.ok
    assert birth.detail.startswith("the check digit is 3 but 740812 gives 2")
    digit = check(replaced(sp.TD3, 2, 10, "O"), TODAY).check_named("document_number")
    assert digit is not None and "where a check digit (0–9) must be" in digit.detail
    composite = check(replaced(sp.TD3, 2, 44, "1"), TODAY).check_named("composite")
    assert composite is not None and "give 0" in composite.detail
    assert "not a sex code" in str(check(replaced(sp.TD3, 2, 21, "Q"), TODAY).failed)


def test_an_empty_personal_number_may_have_a_filler_or_zero_check_digit() -> None:
    assert check(sp.DE_PASSPORT, TODAY).check_named("personal_number").ok  # type: ignore[union-attr]
    zero = replaced(sp.DE_PASSPORT, 2, 43, "0")
    # 0 is right for fourteen fillers; the composite covers the digit, and < and 0 weigh alike.
    assert failed(zero) == []
    # A filler check digit for a personal number that is there is a failure.
    assert "personal_number" in failed(replaced(sp.TD3, 2, 43, "<"))


def test_line_length_and_characters() -> None:
    short = (sp.TD3[0][:-1], sp.TD3[1])
    mrz = check(short, TODAY)
    assert (mrz.format, mrz.valid) == ("TD3", False)
    length = mrz.check_named("line_length")
    assert length is not None and not length.ok
    assert length.detail == "line 1 has 43 characters; a TD3 line has 44"
    # The rest is still read (the short line padded with a filler).
    assert mrz.fields["surname"] == "ERIKSSON" and mrz.check_named("composite").ok  # type: ignore[union-attr]
    both = check((sp.TD3[0] + "<", sp.TD3[1] + "<<"), TODAY).check_named("line_length")
    assert both is not None and "line 1 has 45" in both.detail and "line 2 has 46" in both.detail
    odd = check(replaced(sp.TD3, 2, 5, "*"), TODAY)
    chars = odd.check_named("characters")
    assert chars is not None and not chars.ok
    assert chars.detail.startswith("line 2, position 5: “*” is not an MRZ character")
    assert not check(replaced(sp.TD3, 1, 9, "é"), TODAY).valid


def test_spaces_and_lower_case_are_taken_out_with_a_warning() -> None:
    typed = ("p<uto " + sp.TD3[0][5:].lower(), "  " + sp.TD3[1] + " ")
    mrz = check(typed, TODAY)
    assert mrz.valid and mrz.lines == sp.TD3
    assert [w.detail for w in mrz.warnings] == [
        "line 1: spaces removed",
        "line 1: lower-case letters read as capitals",
    ]


def test_centuries_expiry_and_dates_out_of_order() -> None:
    # Born 12 Aug 1974 (2074 would be in the future); expired 15 Apr 2012.
    mrz = check(sp.TD3, date(2012, 4, 15))
    assert mrz.fields["birth_date"] == "1974-08-12" and not mrz.expired  # valid on its last day
    assert check(sp.TD3, date(2012, 4, 16)).expired
    # A birth date of today's year is this century's once reached, the last one's before.
    born = _with_dates("261206", "300101")
    assert check(born, TODAY).fields["birth_date"] == "2026-12-06"
    assert check(_with_dates("261208", "300101"), TODAY).fields["birth_date"] == "1926-12-08"
    # Expiry up to 20 years ahead is this century, beyond it the last.
    assert check(_with_dates("900101", "460101"), TODAY).fields["expiry_date"] == "2046-01-01"
    assert check(_with_dates("900101", "470101"), TODAY).fields["expiry_date"] == "1947-01-01"
    # Born after the document expires: a warning, not a failure.
    late = check(_with_dates("000101", "990101"), TODAY)
    assert late.valid and "birth_after_expiry" in [w.name for w in late.warnings]


def test_impossible_and_unknown_dates_are_warnings() -> None:
    impossible = check(_with_dates("741332", "300101"), TODAY)
    assert impossible.valid and impossible.fields["birth_date"] is None
    assert [w.detail for w in impossible.warnings] == ["“741332” is not a possible date (YYMMDD)"]
    # Unknown day and month are written as fillers (Doc 9303 part 3).
    unknown = check(_with_dates("74<<<<", "300101"), TODAY)
    assert unknown.valid and unknown.fields["birth_date"] is None
    assert "unknown or only partly known" in unknown.warnings[0].detail
    assert not unknown.expired
    # 29 February exists in 2000, not in 1900.
    assert check(_with_dates("000229", "300101"), TODAY).fields["birth_date"] == "2000-02-29"


def _with_dates(birth: str, expiry: str) -> tuple[str, str]:
    """The ICAO passport with other dates and their check digits (and composite) made right."""
    line = sp.TD3[1]
    line = line[:13] + birth + str(check_digit(birth)) + line[20] + expiry
    line += str(check_digit(expiry)) + sp.TD3[1][28:43]
    line += str(check_digit(line[0:10] + line[13:20] + line[21:43]))
    return (sp.TD3[0], line)


def test_state_codes_iso_and_icao_special_codes() -> None:
    codes = ["PAK", "AFG", "TUR", "D<<", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK"]
    codes += ["EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS", "XKX", "XOM", "XPO"]
    for code in codes:
        lines = (sp.TD3[0][:2] + code + sp.TD3[0][5:], sp.TD3[1])
        assert warned(lines) == [], code
    unknown = (sp.TD3[0][:2] + "ZZZ" + sp.TD3[0][5:], sp.TD3[1])
    mrz = check(unknown, TODAY)
    assert mrz.valid and [w.name for w in mrz.warnings] == ["issuing_state"]
    assert "unknown state or organisation code “ZZZ”" in mrz.warnings[0].detail
    # A nationality with a digit: a warning that names the likely letters.
    nat = replaced(sp.TD3, 2, 13, "0")
    assert check(nat, TODAY).valid
    assert [w.detail for w in check(nat, TODAY).warnings] == [
        "“UT0” holds a digit where letters must be; perhaps UTO"
    ]


def test_document_codes() -> None:
    # Two lines of 44 that are not a visa are a passport (TD3), whose code should be P.
    wrong = check(replaced(sp.TD3, 1, 1, "I"), TODAY)
    assert (wrong.format, wrong.valid) == ("TD3", True)
    assert [w.detail for w in wrong.warnings] == [
        "a passport's MRZ starts with P, this one with “I”"
    ]
    card = check(replaced(sp.TD1, 1, 1, "P"), TODAY)
    assert [w.name for w in card.warnings] == ["document_code"]
    assert "starts with A, C or I" in card.warnings[0].detail
    assert check(sp.DE_ID_CARD, TODAY).fields["document_code"] == "ID"


def test_names_and_their_fillers() -> None:
    assert check(sp.NL_PASSPORT, TODAY).fields["surname"] == "DE BRUIJN"
    assert check(sp.NL_PASSPORT, TODAY).fields["given_names"] == "WILLEKE LISELOTTE"
    only_primary = ("P<UTOERIKSSON" + "<" * 31, sp.TD3[1])
    fields = check(only_primary, TODAY).fields
    assert (fields["surname"], fields["given_names"]) == ("ERIKSSON", "")
    assert warned(only_primary) == []

    def names(text: str) -> list[str]:
        return [w.detail for w in check(("P<UTO" + text.ljust(39, "<"), sp.TD3[1])).warnings]

    assert names("<ERIKSSON<<ANNA") == ["the name starts with a filler"]
    assert names("ERIKSSON<<<ANNA")[0].startswith("odd fillers in the name: “ERIKSSON<<<ANNA<")
    assert names("ERIKSSON<<ANNA<<MARIA") != []
    assert names("ER1KSSON<<ANNA") == [
        "the name holds a digit (0 may be O, 1 I, 8 B, 5 S, 2 Z): “ER1KSSON<<ANNA”"
    ]
    assert names("") == ["the name field is empty"]
    assert names("A" * 39) == ["the name fills its field and may have been cut short"]
    assert check(("P<UTO" + "<" * 39, sp.TD3[1]), TODAY).valid


def test_a_document_number_with_a_filler_inside_is_a_warning() -> None:
    lines = list(sp.TD3)
    number = "L89<902C3"
    lines[1] = number + str(check_digit(number)) + sp.TD3[1][10:]
    line = lines[1]
    lines[1] = line[:43] + str(check_digit(line[0:10] + line[13:20] + line[21:43]))
    mrz = check(tuple(lines), TODAY)
    assert mrz.valid and [w.name for w in mrz.warnings] == ["document_number"]


def test_today_defaults_to_the_node_clock() -> None:
    assert check(sp.TD3).expired
