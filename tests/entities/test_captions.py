"""Captions and values as people read them (entities/captions.py): no database needed."""

from __future__ import annotations

from typing import Any

import pytest

from corridor.entities import captions
from corridor.entities.models import Entity

TARIQ, KHALID = "p-tariq", "p-khalid"
NAMES = {TARIQ: "Tariq Mehmood", KHALID: "Khalid Al-Omari"}


def entity(schema: str, **props: Any) -> Entity:
    """An entity row as the store keeps it (caption as FtM makes it)."""
    from corridor.entities.ftm import model

    proxy = model.get_proxy({"id": "e-1", "schema": schema, "properties": props})
    return Entity(
        id="e-1", schema=schema, caption=proxy.caption, properties=proxy.to_dict()["properties"]
    )


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        ("7500000", "en", "7,500,000"),
        ("2400.5", "en", "2,400.50"),
        ("7500000", "fr", "7\u202f500\u202f000"),
        ("7500000", "en_IN", "75,00,000"),
        ("about 5", "en", "about 5"),
        ("7,500,000", "fr", "7\u202f500\u202f000"),
        ("1,5", "en", "1,5"),
        (2400.0, "en", "2,400"),
    ],
)
def test_numbers_in_the_readers_conventions(value: str | float, lang: str, shown: str) -> None:
    assert captions.number(value, lang) == shown


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        ("2026-05-03", "en", "May 3, 2026"),
        ("2026-05-03", "fr", "3 mai 2026"),
        ("2026-05", "en", "May 2026"),
        ("2026", "en", "2026"),
        ("2026-05-03T14:20:00", "en", "May 3, 2026 2:20\u202fPM"),
        ("31/02/1990", "en", "31/02/1990"),
    ],
)
def test_dates_in_the_readers_conventions(value: str, lang: str, shown: str) -> None:
    assert captions.day(value, lang) == shown


def test_countries_by_name_in_the_readers_language() -> None:
    assert captions.country("pk", "en") == "Pakistan"
    assert captions.country("de", "fr") == "Allemagne"
    assert captions.country("xk", "en") == "Kosovo"
    # FtM's own codes that name no ISO country, by FtM's label; anything else as it is.
    assert captions.country("suhh", "en") == "Soviet Union"
    assert captions.country("q1", "en") == "q1"


def test_a_call_reads_by_who_called_whom_and_when() -> None:
    call = entity("Call", caller=[TARIQ], receiver=[KHALID], date=["2026-05-03T22:14:00"])
    assert call.caption == "Call"
    assert captions.ends(call) == [TARIQ, KHALID]
    assert captions.label(call, NAMES, "en") == "Call: Tariq Mehmood → Khalid Al-Omari, May 3, 2026"
    # A receiver not recorded as a person is named by the number called.
    call = entity("Call", caller=[TARIQ], receiverNumber=["+905321234567"])
    assert captions.label(call, NAMES, "en") == "Call: Tariq Mehmood → +905321234567"


def test_a_payment_reads_by_its_amount_and_who_paid_whom() -> None:
    pay = entity(
        "Payment", payer=[TARIQ], beneficiary=[KHALID], amount=["7500000"], currency=["pkr"]
    )
    assert pay.caption == "7500000"
    assert (
        captions.label(pay, NAMES, "en") == "Payment 7,500,000 PKR: Tariq Mehmood → Khalid Al-Omari"
    )
    # Ends this node does not hold are said to be unknown, the rest is still read.
    assert captions.label(pay, {TARIQ: "Tariq Mehmood"}, "en") == (
        "Payment 7,500,000 PKR: Tariq Mehmood → unknown"
    )
    assert captions.label(pay, {}, "en") == "Payment 7,500,000 PKR"


def test_relations_say_what_kind_and_intervals_when() -> None:
    fam = entity("Family", person=[TARIQ], relative=[KHALID], relationship=["brother"])
    assert captions.label(fam, NAMES, "en") == "Family (brother): Tariq Mehmood → Khalid Al-Omari"
    member = entity(
        "Membership", member=[TARIQ], organization=[KHALID], startDate=["2020"], endDate=["2023-06"]
    )
    assert captions.label(member, NAMES, "en") == (
        "Membership: Tariq Mehmood → Khalid Al-Omari, 2020 – Jun 2023"
    )
    event = entity("Event", date=["2026-05-03"])
    assert captions.label(event, {}, "en") == "Event, May 3, 2026"
    named = entity("Event", name=["Departure from Gwadar"], date=["2026-05-03"])
    assert captions.label(named, {}, "en") == "Departure from Gwadar, May 3, 2026"
    # A passport's dates are its validity: it reads by its number.
    passport = entity("Passport", number=["AB1234567"], holder=[TARIQ], startDate=["2020-01-01"])
    assert captions.label(passport, NAMES, "en") == "AB1234567"
    person = entity("Person", name=["Tariq Mehmood"], birthDate=["1984-03-02"])
    assert captions.label(person, {}, "en") == "Tariq Mehmood"


def test_key_facts_name_countries_and_format_dates() -> None:
    person = entity(
        "Person",
        name=["Tariq Mehmood"],
        nationality=["pk"],
        birthDate=["1984-03-02"],
        passportNumber=["AB1234567"],
    )
    assert captions.key_facts(person, "en") == [
        ("Nationality", "Pakistan"),
        ("Birth date", "Mar 2, 1984"),
    ]
    # A search hit shows its identifiers too.
    assert ("Passport number", "AB1234567") in captions.key_facts(person, "en", identifiers=True)
    assert captions.key_facts(person, "fr")[0] == ("Nationality", "Pakistan")
    assert captions.key_facts(person, "fr")[1] == ("Birth date", "2 mars 1984")
