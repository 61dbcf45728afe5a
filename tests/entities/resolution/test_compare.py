from __future__ import annotations

import json

from followthemoney import EntityProxy

from corridor.entities.ftm import make_entity
from corridor.entities.resolution.compare import (
    MATCH_THRESHOLD,
    NO_MATCH_THRESHOLD,
    Comparison,
    compare,
)


def person(entity_id: str, name: str, **props: str) -> EntityProxy:
    proxy = make_entity("Person", entity_id)
    proxy.add("name", name)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def reason(result: Comparison, feature: str) -> dict[str, object]:
    found = [r.to_dict() for r in result.reasons if r.feature == feature]
    assert found, f"no {feature} reason in {result.to_dict()}"
    return found[0]


def test_same_person_across_scripts_is_a_match_with_reasons() -> None:
    a = person("a", "محمد آصف خان", birthDate="1985-03-02", nationality="pk")
    b = person("b", "Muhammad Asif Khan", birthDate="1985-03-02", nationality="pk")
    result = compare(a, b)
    assert result.match is True
    assert result.score >= MATCH_THRESHOLD
    name = reason(result, "name")
    assert name["outcome"] == "agree"
    assert "across scripts" in str(name["detail"])
    assert "محمد آصف خان" in str(name["detail"]) and "Muhammad Asif Khan" in str(name["detail"])
    assert float(str(name["weight"])) > 0
    assert reason(result, "birthDate")["outcome"] == "agree"


def test_initial_and_left_out_middle_name_still_match_with_a_birth_date() -> None:
    base = person("a", "Muhammad Asif Khan", birthDate="1985-03-02")
    for other in ("M. Asif Khan", "Mohammed Asif", "Mohd Asef Khan"):
        result = compare(base, person("b", other, birthDate="1985-03-02"))
        assert result.match is True, (other, result.to_dict())


def test_a_conflicting_birth_date_lowers_the_score() -> None:
    a = person("a", "Muhammad Asif Khan", birthDate="1985-03-02")
    same = compare(a, person("b", "Mohammed Asif Khan", birthDate="1985-03-02"))
    unknown = compare(a, person("b", "Mohammed Asif Khan"))
    conflict = compare(a, person("b", "Mohammed Asif Khan", birthDate="1962-11-30"))
    assert same.score > unknown.score > conflict.score
    assert conflict.match is False
    assert reason(conflict, "birthDate")["outcome"] == "conflict"
    assert float(str(reason(conflict, "birthDate")["weight"])) < 0


def test_a_birth_date_typo_is_partial_not_conflict() -> None:
    a = person("a", "Asif Khan", birthDate="1985-03-12")
    b = person("b", "Asif Khan", birthDate="1985-12-03")  # day and month swapped
    assert reason(compare(a, b), "birthDate")["outcome"] == "partial"


def test_same_name_different_passport_numbers_is_not_a_match() -> None:
    a = person("a", "Muhammad Asif Khan", passportNumber="AB1234567")
    b = person("b", "Muhammad Asif Khan", passportNumber="XY7654321")
    result = compare(a, b)
    assert result.match is not True
    passport = reason(result, "passportNumber")
    assert passport["outcome"] == "conflict"
    assert float(str(passport["weight"])) < 0


def test_a_shared_passport_number_in_any_notation_agrees() -> None:
    a = person("a", "Muhammad Asif Khan", passportNumber="AB 1234567")
    b = person("b", "محمد آصف خان", passportNumber="ab1234567")
    result = compare(a, b)
    assert result.match is True
    assert reason(result, "passportNumber")["outcome"] == "agree"


def test_phones_in_national_and_international_notation_agree() -> None:
    a = person("a", "Asif Khan", phone="+92 300 1234567")
    b = make_entity("Person", "b")
    b.add("name", "Asif Khan")
    b.add("phone", "0300 1234567", cleaned=True)
    assert reason(compare(a, b, default_region="PK"), "phone")["outcome"] == "agree"
    assert not [r for r in compare(a, b).reasons if r.feature == "phone"]


def test_different_names_same_birth_date_is_not_a_match() -> None:
    a = person("a", "Muhammad Asif Khan", birthDate="1985-03-02")
    b = person("b", "Imran Ali Shah", birthDate="1985-03-02")
    result = compare(a, b)
    assert result.match is False
    assert reason(result, "name")["outcome"] == "conflict"


def test_gender_conflict_counts_against() -> None:
    a = person("a", "Noor Khan", birthDate="1990-01-01", gender="female")
    b = person("b", "Noor Khan", birthDate="1990-01-01", gender="male")
    c = person("c", "Noor Khan", birthDate="1990-01-01", gender="female")
    assert compare(a, b).score < compare(a, c).score


def test_incompatible_schemata_score_zero() -> None:
    vessel = make_entity("Vessel", "v")
    vessel.add("name", "Adriana")
    result = compare(vessel, person("p", "Adriana"))
    assert result.score == 0.0
    assert result.match is False
    assert result.reasons[0].feature == "schema"
    assert result.reasons[0].outcome == "conflict"


def test_compatible_schemata_compare() -> None:
    org = make_entity("Organization", "o")
    org.add("name", "Al-Noor Travels Ltd")
    org.add("email", "info@alnoor.example")
    company = make_entity("Company", "c")
    company.add("name", "Al Noor Travels Limited")
    company.add("email", "INFO@alnoor.example")
    result = compare(org, company)
    assert result.match is True
    assert reason(result, "email")["outcome"] == "agree"


def test_identifiers_dominate_for_devices_accounts_and_vessels() -> None:
    def device(entity_id: str, imei: str) -> EntityProxy:
        proxy = make_entity("MobileDevice", entity_id)
        proxy.add("imeiNumber", imei)
        return proxy

    assert compare(device("a", "490154203237518"), device("b", "49-015420-323751-8")).match
    assert compare(device("a", "490154203237518"), device("b", "356938035643809")).match is False

    def vessel(entity_id: str, name: str, imo: str) -> EntityProxy:
        proxy = make_entity("Vessel", entity_id)
        proxy.add("name", name)
        proxy.add("imoNumber", imo)
        return proxy

    assert compare(vessel("a", "Adriana", "IMO 9074729"), vessel("b", "Adriyana", "9074729")).match
    renamed = compare(vessel("a", "Adriana", "IMO 9074729"), vessel("b", "Adriana", "8814275"))
    assert renamed.match is False

    def bank(entity_id: str, iban: str) -> EntityProxy:
        proxy = make_entity("BankAccount", entity_id)
        proxy.add("iban", iban)
        return proxy

    same_iban = compare(
        bank("a", "DE89 3704 0044 0532 0130 00"), bank("b", "DE89370400440532013000")
    )
    assert same_iban.match

    def handle(entity_id: str, username: str) -> EntityProxy:
        proxy = make_entity("UserAccount", entity_id)
        proxy.add("username", username)
        return proxy

    result = compare(handle("a", "@dunki_travel"), handle("b", "Dunki_Travel"))
    assert reason(result, "account")["outcome"] == "agree"
    assert result.score >= NO_MATCH_THRESHOLD

    def plate(entity_id: str, number: str) -> EntityProxy:
        proxy = make_entity("Vehicle", entity_id)
        proxy.add("registrationNumber", number)
        return proxy

    assert reason(compare(plate("a", "LEA-1234"), plate("b", "lea 1234")), "plate")["outcome"] == (
        "agree"
    )

    passport_a = make_entity("Passport", "pa")
    passport_a.add("number", "AB1234567")
    passport_b = make_entity("Passport", "pb")
    passport_b.add("number", "AB 1234567")
    assert reason(compare(passport_a, passport_b), "number")["outcome"] == "agree"


def test_no_comparable_properties_is_unsure_with_no_reasons() -> None:
    a = make_entity("Person", "a")
    b = make_entity("Person", "b")
    a.add("notes", "seen in Quetta")
    result = compare(a, b)
    assert result.to_dict() == {
        "score": 0.0,
        "match": None,
        "name_match": None,
        "name_level": None,
        "reasons": [],
    }


def test_to_dict_is_json() -> None:
    a = person("a", "محمد آصف خان", birthDate="1985-03-02", passportNumber="AB1234567")
    b = person("b", "Muhammad Asif Khan", birthDate="1985-03-02", passportNumber="AB1234567")
    data = json.loads(json.dumps(compare(a, b).to_dict(), ensure_ascii=False))
    assert set(data) == {"score", "match", "name_match", "name_level", "reasons"}
    assert data["match"] is True
    assert set(data["reasons"][0]) == {
        "feature", "outcome", "a_value", "b_value", "weight", "detail",
    }  # fmt: skip
    features = [r["feature"] for r in data["reasons"]]
    assert {"name", "birthDate", "passportNumber"} <= set(features)
    # Reasons come strongest first.
    weights = [abs(r["weight"]) for r in data["reasons"]]
    assert weights == sorted(weights, reverse=True)


def test_first_of_january_counts_as_the_year_only() -> None:
    exact = compare(
        person("a", "Asif Khan", birthDate="1990-03-02"),
        person("b", "Asif Khan", birthDate="1990-03-02"),
    )
    default = compare(
        person("a", "Asif Khan", birthDate="1990-01-01"),
        person("b", "Asif Khan", birthDate="1990-01-01"),
    )
    assert reason(default, "birthDate")["outcome"] == "partial"
    assert "1 January" in str(reason(default, "birthDate")["detail"])
    assert default.score < exact.score
    assert default.match is not True


def test_a_single_part_name_is_weaker_evidence() -> None:
    single = compare(person("a", "Osman"), person("b", "عثمان"))
    full = compare(person("a", "Osman Karimi"), person("b", "عثمان کریمی"))
    assert reason(single, "name")["outcome"] == "agree"
    assert float(str(reason(single, "name")["weight"])) < float(str(reason(full, "name")["weight"]))


def test_the_names_verdict_is_its_own_field() -> None:
    # Names alone: the identity stays unsure (a name alone is not an identity), the names'
    # verdict is clear, and names the system rates as agreeing are never called different.
    spelled = compare(person("a", "Sadia Noor"), person("b", "Sadiya Nur"))
    assert spelled.score < MATCH_THRESHOLD
    assert spelled.match is None
    assert (spelled.name_match, spelled.name_level) == (True, "agree")
    across = compare(person("a", "محمد آصف خان"), person("b", "Muhammad Asif Khan"))
    assert across.name_match is True and across.match is None
    other = compare(person("a", "Sadia Noor"), person("b", "Irfan Ali"))
    assert (other.match, other.name_match, other.name_level) == (False, False, "conflict")
    out = spelled.to_dict()
    assert out["name_match"] is True and out["name_level"] == "agree"


def test_agreeing_names_and_a_conflict_may_still_be_different_people() -> None:
    # The names agree, the birth dates are decades apart: a father and his son, say.
    result = compare(
        person("a", "Sadia Noor", birthDate="1962-11-30"),
        person("b", "Sadiya Nur", birthDate="1999-04-02"),
    )
    assert result.name_match is True
    assert result.match is False


def test_without_names_there_is_no_names_verdict() -> None:
    a = make_entity("Vessel", "a")
    a.add("imoNumber", "IMO9321483")
    b = make_entity("Vessel", "b")
    b.add("imoNumber", "IMO9321483")
    result = compare(a, b)
    assert result.name_match is None and result.name_level is None
