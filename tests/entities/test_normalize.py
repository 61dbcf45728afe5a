from __future__ import annotations

import pytest

from corridor.entities.ftm import make_entity
from corridor.entities.normalize import (
    KINDS,
    normalize_identifier,
    normalize_phone,
    selector_values,
)
from corridor.errors import InvalidInput


@pytest.mark.parametrize(
    "raw", ["+92 300 123 4567", "0092-300-1234567", "00923001234567", "+92 (300) 1234567"]
)
def test_international_phone_notations_give_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+923001234567"


def test_national_phone_notation_needs_the_region() -> None:
    assert normalize_phone("0300 1234567") is None
    assert normalize_phone("0300 1234567", "PK") == "+923001234567"
    assert normalize_phone("0300 1234567", "pk") == "+923001234567"
    # Arabic-Indic digits as typed on an Arabic keyboard.
    assert normalize_phone("٠٣٠٠١٢٣٤٥٦٧", "PK") == "+923001234567"


@pytest.mark.parametrize("raw", ["12", "", "   ", "not a phone", "+92 1"])
def test_impossible_phones_give_none(raw: str) -> None:
    assert normalize_phone(raw, "PK") is None


def test_iban_is_compacted_and_checksum_verified() -> None:
    assert normalize_identifier("iban", "de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert normalize_identifier("iban", "DE89 3704 0044 0532 0130 01") is None
    assert normalize_identifier("iban", "DE88 3704 0044 0532 0130 00") is None


def test_imei_length_and_luhn_check() -> None:
    assert normalize_identifier("imei", "49-015420-323751-8") == "490154203237518"
    assert normalize_identifier("imei", "490154203237519") is None  # bad check digit
    assert normalize_identifier("imei", "49015420323751") == "49015420323751"  # no check digit
    assert normalize_identifier("imei", "4901542032375186") == "4901542032375186"  # IMEISV
    assert normalize_identifier("imei", "1234") is None


def test_other_kinds() -> None:
    assert normalize_identifier("email", "  Asif.Khan@Example.ORG ") == "asif.khan@example.org"
    assert normalize_identifier("email", "no-at-sign") is None
    assert normalize_identifier("document", "ab-123 456") == "AB123456"
    assert normalize_identifier("document", "AB 1234567") == normalize_identifier(
        "document", "ab1234567"
    )
    assert normalize_identifier("account", "@Smuggler_X ") == "smuggler_x"
    assert normalize_identifier("plate", "lea-1234") == "LEA1234"
    assert normalize_identifier("imo", "IMO 9074729") == "IMO9074729"
    assert normalize_identifier("imo", "IMO 9074728") is None
    assert normalize_identifier("mmsi", "211 331 640") == "211331640"
    assert normalize_identifier("mmsi", "21133164") is None
    assert normalize_identifier("generic", " Ref-No. 42/A ") == "refno42a"
    assert normalize_identifier("iccid", "8992 3012 3456 7890 1234F") == "89923012345678901234"


def test_unknown_kind_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown identifier kind"):
        normalize_identifier("shoe-size", "42")


def test_every_kind_handles_blank_values() -> None:
    for kind in KINDS:
        assert normalize_identifier(kind, "  ") is None


def test_selector_values_of_a_person() -> None:
    person = make_entity("Person", "p1")
    person.add("name", "Muhammad Asif Khan")
    person.add("nationality", "pk")
    person.add("phone", "+92 300 1234567")
    # Kept raw (as the store may hold it); read with the entity's single country as region.
    person.add("phone", "0300 1234567", cleaned=True)
    person.add("passportNumber", "ab 1234567")
    person.add("idNumber", "35202-1234567-1")
    person.add("email", "Asif@Example.org")
    assert selector_values(person) == [
        ("phone", "+923001234567"),
        ("email", "asif@example.org"),
        ("document", "3520212345671"),
        ("document", "AB1234567"),
    ]


def test_selector_values_of_devices_vessels_vehicles_accounts() -> None:
    device = make_entity("MobileDevice", "m1")
    device.add("imeiNumber", "490154203237518")
    device.add("imsiNumber", "410 01 1234567890")
    device.add("iccid", "8992301234567890123")
    device.add("phoneNumber", "+93 70 123 4567")
    assert selector_values(device) == [
        ("imei", "490154203237518"),
        ("imsi", "410011234567890"),
        ("iccid", "8992301234567890123"),
        ("phone", "+93701234567"),
    ]

    vessel = make_entity("Vessel", "v1")
    vessel.add("imoNumber", "IMO 9074729")
    vessel.add("mmsi", "211331640")
    assert selector_values(vessel) == [("imo", "IMO9074729"), ("mmsi", "211331640")]

    vehicle = make_entity("Vehicle", "c1")
    vehicle.add("registrationNumber", "LEA-1234")
    assert selector_values(vehicle) == [("plate", "LEA1234")]

    account = make_entity("UserAccount", "u1")
    account.add("username", "@Dunki_Travel")
    account.add("email", "dunki@example.com")
    assert selector_values(account) == [
        ("account", "dunki_travel"),
        ("email", "dunki@example.com"),
    ]

    bank = make_entity("BankAccount", "b1")
    bank.add("accountNumber", "DE89 3704 0044 0532 0130 00")
    bank.add("iban", "DE89370400440532013000")
    bank.add("accountNumber", "0012-345678")
    # The account number that is an IBAN meets the IBAN property: one selector, not two.
    assert selector_values(bank) == [
        ("iban", "DE89370400440532013000"),
        ("bank_account", "0012345678"),
    ]

    passport = make_entity("Passport", "d1")
    passport.add("number", "AB1234567")
    assert selector_values(passport) == [("document", "AB1234567")]


def test_selector_values_leave_out_invalid_values() -> None:
    bank = make_entity("BankAccount", "b2")
    bank.add("iban", "DE89370400440532013001")
    assert selector_values(bank) == []
