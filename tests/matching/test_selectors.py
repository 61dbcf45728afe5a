"""Selectors and name keys: what a holder files and a querier asks must meet for the same
value however it was written, and not for another."""

from __future__ import annotations

import pytest

from corridor.entities.store import proxy_of
from corridor.errors import InvalidInput
from corridor.matching.selectors import asked_name_values, held_name_values, of_entity, of_query


def _meet(held: list[str], asked: list[str]) -> bool:
    return bool(set(held) & set(asked))


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("Muhammad Asif Khan", "محمد آصف خان"),
        ("Mohammed Asif Khan", "Muhammad Asif Khan"),
        ("Muhammad Asif Khan", "M. Asif Khan"),  # an initial
        ("M. Asif Khan", "Muhammad Asif Khan"),
        ("Asif Khan", "Muhammad Asif Khan"),  # a longer name asked
        ("Khan Muhammad Asif", "Muhammad Asif Khan"),  # order
        ("Hajji Muhammad Asif Khan", "Muhammad Asif Khan"),  # an honorific
        ("Abdul Rahman Chaudhry", "عبدالرحمن چوہدری"),
        ("Sadia Noor", "Sadiya Nur"),
        ("Al-Omari", "العمري"),
        ("Adamson", "آدمسون"),  # one long part: its loose skeleton
    ],
)
def test_spellings_of_one_name_meet(stored: str, asked: str) -> None:
    assert _meet(held_name_values(stored), asked_name_values(asked))


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("Muhammad Asif Khan", "Mahmood Asif Khan"),
        ("Hassan Ali", "Hussain Ali"),
        ("Ali Asif Khan", "Muhammad Asif Khan"),  # two names of three parts sharing two
        ("Tariq Mehmood", "Tariq"),  # one part of two is not the name
        ("N. Aef", "Aef"),  # an initial is a part: not the one-word name
        ("M. Khan", "Khan"),
        ("Ana Haie", "Ana"),  # a part whose loose skeleton is empty is still a part
        ("Tariq", "Tarek Aziz"),
    ],
)
def test_different_names_do_not_meet(stored: str, asked: str) -> None:
    assert not _meet(held_name_values(stored), asked_name_values(asked))


def _inputs(selectors) -> set[bytes]:  # type: ignore[no-untyped-def]
    return {s.oprf_input() for s in selectors}


def test_birth_years_narrow_a_name_within_two_years() -> None:
    for born in range(1978, 1992):
        person = proxy_of("Person", "p1", {"name": ["Tariq Mehmood"], "birthDate": [f"{born}"]})
        held = _inputs(of_entity(person))
        for year in range(born - 6, born + 7):
            asked = _inputs(of_query("name", "طارق محمود", birth_year=year))
            if abs(year - born) <= 2:
                assert held & asked, (born, year)  # always within two years
            elif abs(year - born) > 4:
                assert not held & asked, (born, year)  # never beyond four
    assert held & _inputs(of_query("name", "Tariq Mehmood"))  # no year asked: the name alone
    no_year = _inputs(of_entity(proxy_of("Person", "p2", {"name": ["Tariq Mehmood"]})))
    assert no_year & _inputs(of_query("name", "Tariq Mehmood", birth_year=1950))


def test_phones_in_any_notation_and_documents_by_issuing_state() -> None:
    held = _inputs(
        of_entity(
            proxy_of(
                "Person",
                "p1",
                {"phone": ["+923001234567"], "passportNumber": ["AB1234567"], "country": ["pk"]},
            )
        )
    )
    assert held & _inputs(of_query("phone", "0300-1234567", country="PK"))
    assert held & _inputs(of_query("phone", "0092 300 1234567"))
    assert held & _inputs(of_query("phone", "0300 1234567", default_region="PK"))  # the node's
    assert held & _inputs(of_query("document", "ab 123 4567", country="PK"))
    assert held & _inputs(of_query("document", "AB1234567"))  # no state asked
    assert not held & _inputs(of_query("document", "AB1234567", country="TR"))


@pytest.mark.parametrize(
    ("type_", "value", "country", "message"),
    [
        ("fax", "1", None, "type: 'fax' is not one of"),
        ("phone", "   ", None, "value: empty"),
        ("phone", "0300 1234567", None, "give its country"),
        ("email", "not-an-address", None, "not a valid email"),
        ("name", "M.", None, "no part that can be compared"),
    ],
)
def test_bad_selectors_are_refused_by_name(type_, value, country, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=message):
        of_query(type_, value, country=country)
