"""Column-to-property mappings: validation, deterministic ids, per-row errors, suggestions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import EntityProxy

from corridor.entities.ftm import UNREAD
from corridor.entities.imports.columns import (
    Mapping,
    apply,
    apply_row,
    entity_id,
    guess_date_format,
    parse_mapping,
)
from corridor.entities.imports.suggest import suggest_mapping
from corridor.errors import InvalidInput
from corridor.tabular.reading import read_rows
from corridor.tabular.rows import Row, RowError
from tests.shared_data import LINKAGE

DATA = LINKAGE

PERSON_AND_PASSPORT: dict[str, Any] = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["passport_no", "full_name"],
            "properties": {
                "name": {"column": "full_name"},
                "birthDate": {"column": "dob", "format": "%d/%m/%Y"},
                "nationality": {"column": "nat"},
                "phone": {"columns": ["phone1", "phone2"]},
                "alias": {"column": "aliases", "split": ";"},
                "passportNumber": {"column": "passport_no"},
            },
        },
        "passport": {
            "schema": "Passport",
            "keys": ["passport_no"],
            "optional": True,
            "properties": {
                "number": {"column": "passport_no"},
                "holder": {"entity": "person"},
                "country": {"const": "Pakistan"},
            },
        },
    }
}

ROW = Row(
    2,
    {
        "full_name": "Muhammad Asif Khan",
        "dob": "03/04/1990",
        "nat": "Pakistan",
        "phone1": "0300 1234567",
        "phone2": "+30 694 123 4567",
        "aliases": "Asif; Abu Ali ;",
        "passport_no": "AB1234567",
    },
)


def mapped(mapping: Mapping, row: Row, region: str | None = "pk") -> list[EntityProxy]:
    result = apply(mapping, row, namespace="case-1", default_region=region)
    assert not isinstance(result, RowError), result
    return result


def with_values(**changes: str) -> Row:
    return Row(ROW.number, {**ROW.values, **changes})


# -- building entities -----------------------------------------------------------------------


def test_a_row_becomes_linked_entities() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    person, passport = mapped(mapping, ROW)
    assert person.schema.name == "Person"
    assert person.to_dict()["properties"] == {
        "nationality": ["pk"],
        "name": ["Muhammad Asif Khan"],
        "birthDate": ["1990-04-03"],
        "phone": ["+923001234567", "+306941234567"],
        "alias": ["Asif", "Abu Ali"],
        "passportNumber": ["AB1234567"],
    }
    assert passport.to_dict()["properties"] == {
        "country": ["pk"],
        "number": ["AB1234567"],
        "holder": [person.id],
    }


def test_relations_between_entities_of_one_row() -> None:
    mapping = parse_mapping(
        {
            "entities": {
                "suspect": {
                    "schema": "Person",
                    "keys": ["suspect"],
                    "properties": {"name": {"column": "suspect"}},
                },
                "contact": {
                    "schema": "Person",
                    "keys": ["contact"],
                    "properties": {"name": {"column": "contact"}},
                },
                "link": {
                    "schema": "Associate",
                    "keys": ["suspect", "contact"],
                    "properties": {
                        "person": {"entity": "suspect"},
                        "associate": {"entity": "contact"},
                        "relationship": {"column": "relation"},
                    },
                },
            }
        }
    )
    row = Row(2, {"suspect": "Ali Hassan", "contact": "Omar Farouk", "relation": "driver"})
    suspect, contact, link = mapped(mapping, row)
    assert link.get("person") == [suspect.id]
    assert link.get("associate") == [contact.id]
    assert link.get("relationship") == ["driver"]
    assert len({suspect.id, contact.id, link.id}) == 3


def test_relation_to_an_absent_optional_entity_is_left_out() -> None:
    mapping = parse_mapping(
        {
            "entities": {
                "suspect": {
                    "schema": "Person",
                    "keys": ["suspect"],
                    "properties": {"name": {"column": "suspect"}},
                },
                "contact": {
                    "schema": "Person",
                    "keys": ["contact"],
                    "optional": True,
                    "properties": {"name": {"column": "contact"}},
                },
                "link": {
                    "schema": "Associate",
                    "keys": ["suspect", "contact"],
                    "properties": {
                        "person": {"entity": "suspect"},
                        "associate": {"entity": "contact"},
                    },
                },
            }
        }
    )
    alone = mapped(mapping, Row(2, {"suspect": "Ali Hassan", "contact": ""}))
    assert [e.schema.name for e in alone] == ["Person"]
    both = mapped(mapping, Row(3, {"suspect": "Ali Hassan", "contact": "Omar"}))
    assert [e.schema.name for e in both] == ["Person", "Person", "Associate"]
    assert both[0].id == alone[0].id


def test_ids_are_deterministic() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    first = [e.to_dict() for e in mapped(mapping, ROW)]
    again = [e.to_dict() for e in mapped(parse_mapping(json.dumps(PERSON_AND_PASSPORT)), ROW)]
    assert first == again
    # Key values compare with whitespace collapsed and case folded.
    retyped = with_values(full_name="  MUHAMMAD  asif khan ", passport_no="ab1234567")
    assert mapped(mapping, retyped)[0].id == first[0]["id"]
    other_case = apply(mapping, ROW, namespace="case-2", default_region="pk")
    assert isinstance(other_case, list) and other_case[0].id != first[0]["id"]
    changed = with_values(passport_no="AB7654321")
    assert mapped(mapping, changed)[0].id != first[0]["id"]
    assert entity_id("c", "a", [("x", "1"), ("y", "2")]) == entity_id(
        "c", "a", [("y", "2"), ("x", "1")]
    )
    assert entity_id("c", "a", [("x", "1")]) != entity_id("c", "b", [("x", "1")])
    assert entity_id("c", "a", [("x", "1 2")]) != entity_id("c", "a", [("x", "1"), ("y", "2")])


def test_optional_entity_with_empty_keys_is_left_out() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    entities = mapped(mapping, with_values(passport_no=""))
    assert [e.schema.name for e in entities] == ["Person"]


def test_phones_in_national_notation() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    # The node's country first...
    greek = mapped(mapping, with_values(phone1="694 123 4567", phone2=""), region="gr")
    assert greek[0].get("phone") == ["+306941234567"]
    # ...then the person's nationality, when the number is not valid in the node's country.
    pakistani = mapped(mapping, with_values(phone1="0300-1234567", phone2=""), region="gr")
    assert pakistani[0].get("phone") == ["+923001234567"]
    # An explicit country in the mapping overrides the node's country.
    spec = json.loads(json.dumps(PERSON_AND_PASSPORT))
    spec["entities"]["person"]["properties"]["phone"]["format"] = "Türkiye"
    turkish = mapped(parse_mapping(spec), with_values(phone1="0532 123 45 67", phone2=""))
    assert turkish[0].get("phone") == ["+905321234567"]
    with pytest.raises(InvalidInput, match="default_region"):
        apply(mapping, ROW, namespace="c", default_region="Atlantis")


@pytest.mark.parametrize(
    ("name", "code"),
    [("Pakistan", "pk"), ("Türkiye", "tr"), ("Turkey", "tr"), ("Iran", "ir"), ("PAK", "pk")],
)
def test_countries_by_name_or_code(name: str, code: str) -> None:
    person = mapped(parse_mapping(PERSON_AND_PASSPORT), with_values(nat=name))[0]
    assert person.get("nationality") == [code]


@pytest.mark.parametrize(
    ("changes", "column", "prop", "reason"),
    [
        (
            {"dob": "31/02/1990"},
            "dob",
            "birthDate",
            "'31/02/1990' is not a date (%d/%m/%Y, YYYY-MM-DD)",
        ),
        ({"nat": "Atlantis"}, "nat", "nationality", "'Atlantis' is not a known country"),
        ({"phone2": "12345"}, "phone2", "phone", "'12345' is not a valid phone number"),
    ],
)
def test_a_value_that_cannot_be_read_is_kept_as_typed_and_the_row_imported(
    changes: dict[str, str], column: str, prop: str, reason: str
) -> None:
    result = apply_row(
        parse_mapping(PERSON_AND_PASSPORT),
        with_values(**changes),
        namespace="case-1",
        default_region="pk",
    )
    assert not isinstance(result, RowError)
    entities, kept = result
    person = entities[0]
    assert person.get("name") == ["Muhammad Asif Khan"]
    assert not person.get(prop) or prop == "phone"  # the other phone column was read
    assert person.get(UNREAD) == [f"{prop}: {changes[column]}"]
    assert len(entities) == 2  # the passport too
    (why,) = kept
    assert (why.row, why.column, why.kept) == (2, column, True)
    assert reason in why.reason and why.reason.endswith("kept as typed")
    # apply() gives the same entities, without the report.
    again = apply(
        parse_mapping(PERSON_AND_PASSPORT),
        with_values(**changes),
        namespace="case-1",
        default_region="pk",
    )
    assert [e.to_dict() for e in again] == [e.to_dict() for e in entities]  # type: ignore[union-attr]


def test_a_value_kept_as_typed_is_cut_to_what_an_entity_holds() -> None:
    result = apply_row(
        parse_mapping(PERSON_AND_PASSPORT),
        with_values(dob="9" * 5000),
        namespace="case-1",
        default_region="pk",
    )
    assert not isinstance(result, RowError)
    (unread,) = result[0][0].get(UNREAD)
    assert unread.startswith("birthDate: 999") and unread.endswith("…")
    assert len(unread) < 1024


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"passport_no": "", "full_name": " "}, None, "the key column(s)"),
    ],
)
def test_a_row_that_identifies_no_one_is_refused(
    changes: dict[str, str], column: str | None, reason: str
) -> None:
    result = apply(
        parse_mapping(PERSON_AND_PASSPORT),
        with_values(**changes),
        namespace="case-1",
        default_region="pk",
    )
    assert isinstance(result, RowError)
    assert (result.row, result.column) == (2, column)
    assert reason in result.reason


def test_a_row_without_a_name_is_kept_for_what_else_it_says() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    # Known by its phone numbers and passport: kept, and the missing name reported.
    result = apply_row(mapping, with_values(full_name=""), namespace="case-1", default_region="pk")
    assert not isinstance(result, RowError)
    person = result[0][0]
    assert not person.has("name") and person.get("phone")
    (note,) = result[1]
    assert note.kept and note.column is None
    assert note.reason == "person: a Person needs name; known by Passport number, Phone"
    # Only a birth date and a country (someone not yet identified): kept as well.
    bare = parse_mapping(
        {
            "entities": {
                "person": {
                    "schema": "Person",
                    "keys": ["row_id"],
                    "properties": {
                        "name": {"column": "full_name"},
                        "birthDate": {"column": "dob", "format": "%d/%m/%Y"},
                        "nationality": {"column": "nat"},
                    },
                }
            }
        }
    )
    row = Row(2, {"row_id": "17", "full_name": "", "dob": "03/04/1990", "nat": "Syria"})
    result = apply_row(bare, row, namespace="case-1", default_region="pk")
    assert not isinstance(result, RowError)
    assert result[0][0].get("birthDate") == ["1990-04-03"]
    assert result[1][0].reason == "person: a Person needs name; kept without it"
    # Nothing but a key: refused.
    empty = Row(3, {"row_id": "18", "full_name": "", "dob": "", "nat": ""})
    refused = apply_row(bare, empty, namespace="case-1", default_region="pk")
    assert isinstance(refused, RowError) and refused.reason == "person: a Person needs name"
    # A name too long to be one is kept as typed, the row with it.
    result = apply_row(
        mapping, with_values(full_name="A" * 400), namespace="case-1", default_region="pk"
    )
    assert not isinstance(result, RowError)
    assert [k.column for k in result[1]] == ["full_name", None]
    assert "at most 384 characters" in result[1][0].reason
    assert result[0][0].get(UNREAD) == ["name: " + "A" * 400]


def test_dates_from_xlsx_cells_are_iso_whatever_the_format() -> None:
    person = mapped(parse_mapping(PERSON_AND_PASSPORT), with_values(dob="1990-04-03"))[0]
    assert person.get("birthDate") == ["1990-04-03"]


def test_joined_columns() -> None:
    mapping = parse_mapping(
        {
            "entities": {
                "p": {
                    "schema": "Person",
                    "keys": ["first", "last"],
                    "properties": {
                        "name": {"columns": ["first", "last"], "join": " "},
                        "firstName": {"column": "first"},
                    },
                }
            }
        }
    )
    person = mapped(mapping, Row(2, {"first": "Fatima", "last": "Zahra"}))[0]
    assert person.get("name") == ["Fatima Zahra"]
    assert mapped(mapping, Row(3, {"first": "", "last": "Zahra"}))[0].get("name") == ["Zahra"]


# -- a whole file: good rows kept, bad rows reported, re-import changes nothing ----------------


def import_file(path: Path, mapping: Mapping) -> tuple[list[dict[str, Any]], list[RowError]]:
    entities: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for row in read_rows(path):
        result = (
            row
            if isinstance(row, RowError)
            else apply_row(mapping, row, namespace="case-1", default_region="gr")
        )
        if isinstance(result, RowError):
            errors.append(result)
        else:
            entities.extend(e.to_dict() for e in result[0])
            errors.extend(result[1])
    return entities, errors


def test_file_import_keeps_good_rows_and_reports_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "full_name;dob;nat;phone1;phone2;aliases;passport_no\n"
        "Ali Hassan;01/02/1985;Syria;+963 944 123 456;;;N0001\n"
        "Omar Farouk;32/13/1985;Iraq;;;;N0002\n"
        "Fatima Zahra;05/06/1990;Afghanistan;070 123 4567;;;\n"
        "Bad Phone;05/06/1990;Iran;999;;;N0004\n"
        ";;;;;;\n"
        "Hamid Karimi;07/08/1979;Iran;694 123 4567;;Abu Hamid;N0005\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    entities, errors = import_file(path, mapping)
    # Every row that names someone is imported; the impossible date and the phone number that
    # is not one are kept as typed (the empty row is no row).
    assert [(e.row, e.column, e.kept) for e in errors] == [(3, "dob", True), (5, "phone1", True)]
    names = [e["properties"]["name"][0] for e in entities if e["schema"] == "Person"]
    assert names == ["Ali Hassan", "Omar Farouk", "Fatima Zahra", "Bad Phone", "Hamid Karimi"]
    unread = [e["properties"].get(UNREAD) for e in entities if e["schema"] == "Person"]
    assert unread == [None, ["birthDate: 32/13/1985"], None, ["phone: 999"], None]
    assert sum(e["schema"] == "Passport" for e in entities) == 4
    again, _ = import_file(path, mapping)
    assert again == entities


# -- validation ------------------------------------------------------------------------------


def spec_with(entity: dict[str, Any], **others: dict[str, Any]) -> dict[str, Any]:
    return {"entities": {"e": entity, **others}}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"entities": {}}, "at least 1 item"),
        (spec_with({"schema": "Persn", "keys": ["a"]}), "unknown schema 'Persn'; use one of Pers"),
        (spec_with({"schema": "LegalEntity", "keys": ["a"]}), "unknown schema 'LegalEntity'"),
        (
            spec_with({"schema": "Person", "keys": ["a"], "properties": {"nam": {"column": "a"}}}),
            "e.nam: Person has no property 'nam'; it has [",
        ),
        (spec_with({"schema": "Person", "keys": []}), "keys: List should have at least 1"),
        (spec_with({"schema": "Person", "keys": ["a"]}), "a Person needs ['name']; map them"),
        (
            spec_with(
                {"schema": "Person", "keys": ["a"], "properties": {"name": {"column": "a"}}},
                bad={"schema": "Person", "keys": ["a"], "properties": {"name": {}}},
            ),
            "give exactly one of column, columns, const or entity",
        ),
        (
            spec_with(
                {
                    "schema": "Passport",
                    "keys": ["a"],
                    "properties": {"number": {"column": "a"}, "holder": {"entity": "x"}},
                }
            ),
            "e.holder: no mapped entity 'x'; mapped: ['e']",
        ),
        (
            spec_with(
                {
                    "schema": "Passport",
                    "keys": ["a"],
                    "properties": {"number": {"column": "a"}, "holder": {"entity": "acct"}},
                },
                acct={"schema": "BankAccount", "keys": ["b"], "properties": {}},
            ),
            "e.holder: must be a LegalEntity, not a BankAccount",
        ),
        (
            spec_with(
                {
                    "schema": "Passport",
                    "keys": ["a"],
                    "properties": {"number": {"column": "a"}, "holder": {"column": "a"}},
                }
            ),
            "an entity property takes {'entity': NAME}",
        ),
        (
            spec_with(
                {
                    "schema": "Person",
                    "keys": ["a"],
                    "properties": {"name": {"column": "a", "format": "%d"}},
                }
            ),
            "format applies to dates and phones only",
        ),
        (
            spec_with(
                {
                    "schema": "Person",
                    "keys": ["a"],
                    "properties": {"name": {"column": "a"}, "nationality": {"const": "Mordor"}},
                }
            ),
            "'Mordor' is not a valid country",
        ),
        (
            spec_with(
                {
                    "schema": "Person",
                    "keys": ["a"],
                    "properties": {
                        "name": {"column": "a"},
                        "phone": {"column": "b", "format": "x"},
                    },
                }
            ),
            "'x' is not a country with a telephone numbering plan",
        ),
        (
            {
                "entities": {
                    "a": {
                        "schema": "Person",
                        "keys": ["x"],
                        "properties": {"name": {"column": "x"}, "parent": {"entity": "b"}},
                    },
                    "b": {
                        "schema": "Person",
                        "keys": ["x"],
                        "properties": {"name": {"column": "x"}, "parent": {"entity": "a"}},
                    },
                }
            },
            "entities ['a', 'b'] refer to each other in a cycle",
        ),
        (spec_with({"schema": "Person", "keys": ["a"], "extra": 1}), "e.extra: Extra inputs"),
        ('{"entities": ', "Invalid JSON"),
    ],
)
def test_invalid_mappings_are_explained(spec: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match="invalid mapping") as caught:
        parse_mapping(spec)
    assert message in caught.value.detail


def test_mapping_round_trips_through_json() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    dumped = json.loads(mapping.model_dump_json())
    assert dumped["entities"]["person"]["schema"] == "Person"
    assert parse_mapping(dumped) == mapping
    assert [e.to_dict() for e in mapped(parse_mapping(dumped), ROW)] == [
        e.to_dict() for e in mapped(mapping, ROW)
    ]


def test_check_columns_lists_what_the_file_has() -> None:
    mapping = parse_mapping(PERSON_AND_PASSPORT)
    mapping.check_columns(list(ROW.values))
    with pytest.raises(
        InvalidInput, match=r"no column\(s\) 'aliases'; its columns are 'full_name'"
    ):
        mapping.check_columns([c for c in ROW.values if c != "aliases"])


# -- suggestions -----------------------------------------------------------------------------


def suggested(headers: list[str], rows: list[Row] | None = None) -> dict[str, Any]:
    dumped = suggest_mapping(headers, rows or []).model_dump(exclude_defaults=True)
    return dumped["entities"]["person"]


def test_suggest_english_person_sheet() -> None:
    person = suggested(
        ["Full Name", "DOB", "Nationality", "Passport No.", "Phone 1", "Phone_2", "E-mail", "Ref"]
    )
    assert person["properties"] == {
        "name": {"column": "Full Name"},
        "birthDate": {"column": "DOB"},
        "nationality": {"column": "Nationality"},
        "passportNumber": {"column": "Passport No."},
        "phone": {"columns": ["Phone 1", "Phone_2"]},
        "email": {"column": "E-mail"},
    }
    assert person["keys"] == ["Passport No.", "Full Name", "DOB", "Nationality"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Prénom", "Nom", "Date de naissance", "Nationalité", "Téléphone"],
            ["firstName", "lastName", "birthDate", "nationality", "phone"],
        ),
        (
            ["الاسم", "تاريخ الميلاد", "الجنسية", "رقم الهاتف", "رقم جواز السفر"],
            ["name", "birthDate", "nationality", "phone", "passportNumber"],
        ),
        (
            ["Adı", "Soyadı", "Doğum Tarihi", "Uyruğu", "Telefon"],
            ["firstName", "lastName", "birthDate", "nationality", "phone"],
        ),
        (
            ["Όνομα", "Επώνυμο", "Ημερομηνία γέννησης", "Υπηκοότητα", "Τηλέφωνο"],
            ["firstName", "lastName", "birthDate", "nationality", "phone"],
        ),
        (
            ["Nome", "Cognome", "Data di nascita", "Nazionalità", "Cellulare"],
            ["firstName", "lastName", "birthDate", "nationality", "phone"],
        ),
    ],
)
def test_suggest_other_languages(headers: list[str], expected: list[str]) -> None:
    properties = suggested(headers)["properties"]
    assert {p: spec.get("column") for p, spec in properties.items() if "column" in spec} == dict(
        zip(expected, headers, strict=True)
    )
    if "firstName" in expected:
        assert properties["name"] == {"columns": headers[:2], "join": " "}


def test_suggest_without_any_known_header_takes_the_first_column() -> None:
    person = suggested(["Spalte A", "Spalte B"])
    assert person == {
        "schema": "Person",
        "keys": ["Spalte A"],
        "properties": {"name": {"column": "Spalte A"}},
    }
    with pytest.raises(InvalidInput):
        suggest_mapping([])


def test_date_format_guessed_from_sample_rows() -> None:
    assert guess_date_format(["03/04/1990", "25/12/1985", ""]) == "%d/%m/%Y"
    assert guess_date_format(["12/25/1985"]) == "%m/%d/%Y"
    assert guess_date_format(["3.4.1990"]) == "%d.%m.%Y"
    assert guess_date_format(["1990-04-03"]) is None
    assert guess_date_format(["yesterday"]) is None
    rows = [Row(2, {"Name": "A", "DOB": "25/12/1985"})]
    assert suggested(["Name", "DOB"], rows)["properties"]["birthDate"]["format"] == "%d/%m/%Y"


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data not found at {DATA}")
def test_suggested_mapping_imports_febrl() -> None:
    """FEBRL 4a: given_name, surname, date_of_birth (YYYYMMDD) are recognised; each record
    maps or is reported (a record without any name, a birth date that does not exist)."""
    path = DATA / "febrl-dataset4a.csv"
    rows = [r for r in read_rows(path) if isinstance(r, Row)]
    assert len(rows) == 5000
    mapping = suggest_mapping(list(rows[0].values), rows[:20])
    person = mapping.entities["person"]
    assert person.properties["birthDate"].format == "%Y%m%d"
    persons, errors = 0, []
    for row in rows:
        result = apply(mapping, row, namespace="febrl", default_region="au")
        if isinstance(result, RowError):
            errors.append(result)
        else:
            persons += len(result)
    assert persons + len(errors) == 5000
    assert persons > 4500
    assert {e.column for e in errors} <= {"date_of_birth", None}


def test_constants_are_cleaned_like_cells() -> None:
    mapping = parse_mapping(
        {
            "entities": {
                "p": {
                    "schema": "Person",
                    "keys": ["n"],
                    "properties": {
                        "name": {"column": "n"},
                        "birthDate": {"const": "01/02/1990", "format": "%d/%m/%Y"},
                        "phone": {"const": "0300 1234567", "format": "pk"},
                        "country": {"const": ["Greece", "TUR"]},
                    },
                }
            }
        }
    )
    person = mapped(mapping, Row(2, {"n": "Ali"}), region=None)
    assert person[0].to_dict()["properties"] == {
        "country": ["gr", "tr"],
        "name": ["Ali"],
        "birthDate": ["1990-02-01"],
        "phone": ["+923001234567"],
    }
