"""Importing spreadsheets and FtM files into a case: preview, mapping, per-row errors, idempotent
re-import, files that cannot be read, and the worker job."""

from __future__ import annotations

import io
import json

import openpyxl

from corridor.entities.imports.models import ImportRun
from corridor.entities.models import Entity, Statement
from corridor.jobs import queue
from tests.entities.test_api import CASE, bearer

CSV = (
    "Full name,Date of birth,Nationality,Passport No,Mobile\n"
    "Muhammad Asif Khan,02/03/1984,Pakistan,AB1234567,0300 1234567\n"
    "Ahmet Yilmaz,15/07/1979,Turkey,U09876543,+90 532 123 45 67\n"
    "Bad Date,31/02/1990,Pakistan,CD7654321,\n"
    "Irfan Ali,01/01/1990,Atlantis,EF1112223,\n"
    "Zia Ahmadi,05/05/1995,Afghanistan,,0700 123 456\n"
)
MAPPING = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["Passport No", "Full name"],
            "properties": {
                "name": {"column": "Full name"},
                "birthDate": {"column": "Date of birth", "format": "%d/%m/%Y"},
                "nationality": {"column": "Nationality"},
                "passportNumber": {"column": "Passport No"},
                "phone": {"column": "Mobile"},
            },
        }
    }
}


def drain(node) -> None:  # type: ignore[no-untyped-def]
    """Run every queued job now, as the worker would."""
    while ids := queue.claim(node.db, "test-worker"):
        for job_id in ids:
            queue.run(node, job_id)


def setup_case(node, client):  # type: ignore[no-untyped-def]
    h, _ = bearer(node, "investigator", "inv@fia.example")
    cid = client.post("/api/v1/cases", headers=h, json=CASE).json()["id"]
    return h, cid


def upload(client, h, cid, name, content, **form):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/cases/{cid}/imports", headers=h, files={"file": (name, content)}, data=form
    )


def test_preview_then_import_with_row_errors_and_idempotent_reimport(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid = setup_case(node, client)
    r = upload(client, h, cid, "suspects.csv", CSV.encode("utf-8-sig"), start="false")
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["state"] == "uploaded" and run["format"] == "csv"
    p = client.post(f"/api/v1/cases/{cid}/imports/{run['id']}/preview", headers=h, json={})
    assert p.status_code == 200, p.text
    prev = p.json()
    assert prev["headers"][0] == "Full name" and len(prev["rows"]) == 5
    assert prev["suggested_mapping"]["entities"]  # a guess to start from
    p = client.post(
        f"/api/v1/cases/{cid}/imports/{run['id']}/preview", headers=h, json={"mapping": MAPPING}
    )
    # Every row names someone: all five are mapped, the impossible date and the unknown country
    # kept as typed and reported.
    assert len(p.json()["entities"]) == 5
    assert [(e["row"], e["kept"]) for e in p.json()["errors"]] == [(4, True), (5, True)]
    r = client.post(
        f"/api/v1/cases/{cid}/imports/{run['id']}/start",
        headers=h,
        json={"mapping": MAPPING, "save_as": "FIA suspects sheet"},
    )
    assert r.status_code == 202 and r.json()["state"] == "queued"
    drain(node)
    done = client.get(f"/api/v1/cases/{cid}/imports/{run['id']}", headers=h).json()
    assert done["state"] == "done", done
    assert (done["rows_total"], done["rows_failed"], done["entities"]) == (5, 0, 5)
    assert [(e["row"], e["column"], e["kept"]) for e in done["errors"]] == [
        (4, "Date of birth", True),
        (5, "Nationality", True),
    ]
    assert "'31/02/1990' is not a date" in done["errors"][0]["reason"]
    ents = client.get(f"/api/v1/cases/{cid}/entities", headers=h).json()["items"]
    bad_date = next(e for e in ents if e["caption"] == "Bad Date")
    assert bad_date["properties"]["unreadValue"] == ["birthDate: 31/02/1990"]
    assert "birthDate" not in bad_date["properties"]
    # What was typed is found as typed.
    r = client.get("/api/v1/search", params={"q": "31/02/1990"}, headers=h)
    (hit,) = r.json()["items"]
    assert hit["caption"] == "Bad Date"
    assert (hit["matched"]["prop"], hit["matched"]["value"]) == (
        "unreadValue",
        "birthDate: 31/02/1990",
    )
    khan = next(e for e in ents if e["caption"] == "Muhammad Asif Khan")
    assert khan["properties"]["phone"] == ["+923001234567"]
    assert khan["properties"]["birthDate"] == ["1984-03-02"]
    got = client.get(f"/api/v1/entities/{khan['id']}", headers=h).json()
    assert got["statements"][0]["source"]["kind"] == "import"
    assert got["statements"][0]["source"]["label"] == "suspects.csv"
    # The same file again, with the saved mapping: nothing changes.
    with node.db.reading() as s:
        before = (
            s.query(Entity).count(),
            s.query(Statement).count(),
            sorted((e.id, e.updated_at) for e in s.query(Entity)),
        )
    r = upload(
        client,
        h,
        cid,
        "suspects-again.csv",
        CSV.encode("utf-8-sig"),
        mapping_name="FIA suspects sheet",
    )
    assert r.status_code == 202 and r.json()["state"] == "queued"
    drain(node)
    with node.db.reading() as s:
        after = (
            s.query(Entity).count(),
            s.query(Statement).count(),
            sorted((e.id, e.updated_at) for e in s.query(Entity)),
        )
    assert after == before
    assert "FIA suspects sheet" in [
        m["name"] for m in client.get("/api/v1/mappings", headers=h).json()["items"]
    ]


def test_arabic_in_windows_1256_and_search_by_latin_spelling(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid = setup_case(node, client)
    text = "الاسم,الجنسية\nمحمد آصف خان,Pakistan\nعلي رضا,Iran\n"
    mapping = {
        "entities": {
            "p": {
                "schema": "Person",
                "keys": ["الاسم"],
                "properties": {"name": {"column": "الاسم"}, "nationality": {"column": "الجنسية"}},
            }
        }
    }
    r = upload(client, h, cid, "list.csv", text.encode("cp1256"), mapping=json.dumps(mapping))
    assert r.status_code == 202, r.text
    drain(node)
    hits = client.get("/api/v1/search", params={"q": "Mohammed Asif Khan"}, headers=h).json()
    assert hits["items"] and hits["items"][0]["caption"] == "محمد آصف خان"


def test_xlsx_and_ftm_lines(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid = setup_case(node, client)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Phone"])
    ws.append(["Bilal Ahmed", 923001112233])  # a phone typed as a number
    buf = io.BytesIO()
    wb.save(buf)
    mapping = {
        "entities": {
            "p": {
                "schema": "Person",
                "keys": ["Name"],
                "properties": {
                    "name": {"column": "Name"},
                    "phone": {"column": "Phone", "format": "PK"},
                },
            }
        }
    }
    r = upload(client, h, cid, "sheet.xlsx", buf.getvalue(), mapping=json.dumps(mapping))
    assert r.status_code == 202, r.text
    lines = "\n".join(
        json.dumps(e)
        for e in [
            {"id": "v1", "schema": "Vessel", "properties": {"name": ["Al Amal"], "flag": ["ly"]}},
            {"id": "x1", "schema": "Nope", "properties": {}},
            {"id": "a1", "schema": "UserAccount", "properties": {"username": ["@dunki_travels"]}},
        ]
    )
    r = upload(client, h, cid, "seized.ftm.jsonl", lines.encode())
    assert r.status_code == 202 and r.json()["state"] == "queued"
    drain(node)
    runs = client.get(f"/api/v1/cases/{cid}/imports", headers=h).json()["items"]
    assert {r["state"] for r in runs} == {"done"}
    ftm = next(r for r in runs if r["format"] == "ftm")
    assert ftm["entities"] == 2 and ftm["rows_failed"] == 1
    ents = client.get(f"/api/v1/cases/{cid}/entities", headers=h).json()["items"]
    assert {e["schema"] for e in ents} == {"Person", "Vessel", "UserAccount"}
    bilal = next(e for e in ents if e["schema"] == "Person")
    assert bilal["properties"]["phone"] == ["+923001112233"]


def test_unreadable_files_store_nothing(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid = setup_case(node, client)
    wb = openpyxl.Workbook()
    wb.active.append(["Name"])
    for i in range(2000):
        wb.active.append([f"Person {i}"])
    buf = io.BytesIO()
    wb.save(buf)
    truncated = buf.getvalue()[: len(buf.getvalue()) // 2]
    mapping = {
        "entities": {
            "p": {"schema": "Person", "keys": ["Name"], "properties": {"name": {"column": "Name"}}}
        }
    }

    def refused(r) -> None:  # type: ignore[no-untyped-def]
        """Refused at upload, or (when only reading it through shows the damage) failed by
        the import job with a reason."""
        if r.status_code == 202:
            drain(node)
            run = client.get(f"/api/v1/cases/{cid}/imports/{r.json()['id']}", headers=h).json()
            assert run["state"] == "failed" and run["error"], run
        else:
            assert r.status_code in (413, 422), r.text

    refused(upload(client, h, cid, "broken.xlsx", truncated, mapping=json.dumps(mapping)))
    refused(
        upload(
            client,
            h,
            cid,
            "x.exe",
            b"MZ\x90\x00binary\x00\x01\x02" * 50,
            mapping=json.dumps(mapping),
        )
    )
    refused(upload(client, h, cid, "nul.csv", b"Name\nA\x00B\n", mapping=json.dumps(mapping)))
    assert upload(client, h, cid, "empty.csv", b"").status_code == 422
    r = upload(
        client,
        h,
        cid,
        "a.csv",
        b"Name\nX\n",
        mapping='{"entities": {"p": {"schema": '
        '"Person", "keys": ["Nope"], "properties": {"name": {"column": "Nope"}}}}}',
    )
    assert r.status_code == 422 and "Nope" in r.text
    r = upload(client, h, cid, "a.csv", b"Name\nX\n", mapping="{not json")
    assert r.status_code == 422
    with node.db.reading() as s:
        assert s.query(Entity).count() == 0
        assert s.query(ImportRun).filter(ImportRun.state == "done").count() == 0
    # A reader of the case may not import into it.
    other, handle = bearer(node, "analyst", "an@fia.example")
    client.post(
        f"/api/v1/cases/{cid}/members",
        headers=h,
        json={"kind": "user", "handle": handle, "role": "reader"},
    )
    assert upload(client, other, cid, "a.csv", b"Name\nX\n").status_code == 403


def test_an_ftm_line_with_an_unusable_id_is_one_refused_row(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid = setup_case(node, client)
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Asif Khan"]}},
        {"id": "...", "schema": "Person", "properties": {"name": ["Dots"]}},
        {"id": "!!!", "schema": "Person", "properties": {"name": ["Bangs"]}},
        {"id": "p-2", "schema": "Person", "properties": {"name": ["Irfan Ali"]}},
    ]
    content = "\n".join(json.dumps(e) for e in lines).encode()
    run = upload(client, h, cid, "seized.ftm.jsonl", content, start="false").json()
    preview = client.post(
        f"/api/v1/cases/{cid}/imports/{run['id']}/preview", headers=h, json={}
    ).json()
    assert [e["row"] for e in preview["entities"]] == [1, 4]
    assert [(e["row"], e["column"]) for e in preview["errors"]] == [(2, "id"), (3, "id")]
    r = client.post(f"/api/v1/cases/{cid}/imports/{run['id']}/start", headers=h, json={})
    assert r.status_code == 202, r.text
    drain(node)
    done = client.get(f"/api/v1/cases/{cid}/imports/{run['id']}", headers=h).json()
    assert done["state"] == "done", done["error"]
    assert done["entities"] == 2 and done["rows_failed"] == 2
    assert [(e["row"], e["column"]) for e in done["errors"]] == [(2, "id"), (3, "id")]
    assert all("'...'" in e["reason"] or "'!!!'" in e["reason"] for e in done["errors"])
    assert "not an entity id" in done["errors"][0]["reason"]
    names = {
        e["properties"]["name"][0]
        for e in client.get(f"/api/v1/cases/{cid}/entities", headers=h).json()["items"]
    }
    assert names == {"Asif Khan", "Irfan Ali"}
