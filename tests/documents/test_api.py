"""POST /api/v1/documents/mrz/check: the answer, the refusals (422 naming the field, 401, 403),
and the audit entry that keeps the MRZ's hash, never the MRZ."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from tests.documents import specimens as sp
from tests.documents.specimens import replaced

URL = "/api/v1/documents/mrz/check"
PROBLEM = "application/problem+json"


def test_the_icao_passport_is_valid_and_expired(client, token_for) -> None:  # type: ignore[no-untyped-def]
    r = client.post(URL, headers=token_for("investigator"), json={"lines": list(sp.TD3)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "format",
        "valid",
        "expired",
        "fields",
        "checks",
        "warnings",
        "suggestions",
    }
    assert (body["format"], body["valid"], body["expired"]) == ("TD3", True, True)
    assert body["fields"]["surname"] == "ERIKSSON" and body["fields"]["birth_date"] == "1974-08-12"
    assert [c["name"] for c in body["checks"]] == [
        "line_length",
        "characters",
        "document_number",
        "birth_date",
        "expiry_date",
        "personal_number",
        "composite",
        "sex",
    ]
    assert all(c["ok"] and c["detail"] for c in body["checks"])
    assert body["warnings"] == [] and body["suggestions"] == []


@pytest.mark.parametrize("name", ["TD1", "TD1_LONG_NUMBER", "TD2", "MRVA", "MRVB", "DE_ID_CARD"])
def test_every_format(client, token_for, name) -> None:  # type: ignore[no-untyped-def]
    lines = list(sp.ALL[name])
    r = client.post(URL, headers=token_for("liaison_officer"), json={"lines": lines})
    assert r.status_code == 200 and r.json()["valid"], r.text
    assert r.json()["format"] == name.split("_")[0].replace("DE", "TD1")


def test_a_misread_mrz_fails_with_reasons_warnings_and_suggestions(client, token_for) -> None:  # type: ignore[no-untyped-def]
    misread = replaced(replaced(sp.TD3, 2, 16, "O"), 1, 4, "X")  # 74O812; issuing state UXO
    r = client.post(URL, headers=token_for("analyst"), json={"lines": list(misread)})
    body = r.json()
    assert body["valid"] is False
    failed = {c["name"]: c["detail"] for c in body["checks"] if not c["ok"]}
    assert set(failed) == {"birth_date", "composite"}
    assert failed["birth_date"].startswith("the check digit is 2 but 74O812 gives")
    assert {w["name"] for w in body["warnings"]} >= {"issuing_state", "birth_date"}
    [suggestion] = body["suggestions"]
    assert suggestion["lines"][1] == sp.TD3[1]
    assert suggestion["changes"] == [
        {"line": 2, "position": 16, "from": "O", "to": "0", "field": "birth_date"}
    ]


def test_blank_lines_around_the_mrz_are_left_out(client, token_for) -> None:  # type: ignore[no-untyped-def]
    lines = ["", *sp.TD3, "   "]
    r = client.post(URL, headers=token_for("investigator"), json={"lines": lines})
    assert r.status_code == 200 and r.json()["valid"]


@pytest.mark.parametrize(
    ("body", "loc", "says"),
    [
        ({"lines": "P<UTOERIKSSON"}, ["body", "lines"], "valid list"),
        ({"lines": [sp.TD3[0]]}, ["body", "lines"], "2 lines (TD2, TD3, visas) or 3 (TD1), not 1"),
        ({"lines": [*sp.TD1, "<" * 30]}, ["body", "lines"], "not 4"),
        ({"lines": ["<" * 30] * 50}, ["body", "lines"], "50 were sent"),
        ({"lines": [sp.TD3[0], "L" * 65]}, ["body", "lines", "1"], "at most 64"),
        ({"lines": [sp.TD3[0], "L898902C36UTO740812€"]}, ["body", "lines", "1"], "only ASCII"),
        ({"lines": [sp.TD3[0], 7]}, ["body", "lines", "1"], "valid string"),
        ({"lines": list(sp.TD3), "today": "2020-01-01"}, ["body", "today"], "Extra inputs"),
        ({}, ["body", "lines"], "required"),
    ],
)
def test_malformed_input_is_a_422_naming_the_field(client, token_for, body, loc, says) -> None:  # type: ignore[no-untyped-def]
    r = client.post(URL, headers=token_for("investigator"), json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    errors = r.json()["errors"]
    assert any(e["loc"] == loc and says in e["msg"] for e in errors), errors


def test_a_body_that_is_not_json_is_a_400(client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {**token_for("investigator"), "content-type": "application/json"}
    r = client.post(URL, headers=headers, content=b"{lines")
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)


def test_who_may_check(client, token_for) -> None:  # type: ignore[no-untyped-def]
    body = {"lines": list(sp.TD3)}
    r = client.post(URL, json=body)
    assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)
    for role in ("viewer", "administrator"):
        r = client.post(URL, headers=token_for(role, ("read", "write")), json=body)
        assert r.status_code == 403, role
        assert "documents.check" in r.json()["detail"]
    # Every working role may, with a read-only token: a check changes nothing.
    for role in ("investigator", "analyst", "liaison_officer", "protection_officer"):
        assert client.post(URL, headers=token_for(role), json=body).status_code == 200, role


def test_the_check_is_audited_by_the_mrz_hash_only(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    typed = ["p<uto " + sp.TD3[0][5:].lower(), sp.TD3[1]]
    r = client.post(URL, headers=token_for("investigator"), json={"lines": typed})
    assert r.status_code == 200
    with node.db.reading() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "documents.mrz.check")
        ).one()
    # The hash of the lines as read (spaces out, capitals), so the same MRZ hashes alike
    # however it was typed.
    expected = hashlib.sha256("\n".join(sp.TD3).encode()).hexdigest()
    assert entry.detail == {
        "mrz_sha256": expected,
        "format": "TD3",
        "valid": True,
        "expired": True,
        "failed": [],
    }
    assert entry.object_type == "mrz" and entry.outcome == "ok"
    stored = json.dumps(entry.detail) + entry.object_id
    for part in ("ERIKSSON", "L898902C3", "740812"):
        assert part not in stored


def test_a_refusal_is_audited(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    client.post(URL, headers=token_for("viewer"), json={"lines": list(sp.TD3)})
    with node.db.reading() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "access.denied")
        ).all()
    assert any(e.detail.get("path") == URL for e in denied)


def test_expiry_follows_the_node_clock(client, token_for, shift_clock) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator")
    body = {"lines": list(sp.DE_PASSPORT)}  # expires on 28 February 2027
    shift_clock(datetime(2027, 2, 28, 23, 0, tzinfo=UTC) - clock.now())
    assert client.post(URL, headers=h, json=body).json()["expired"] is False
    shift_clock(timedelta(hours=2))
    assert client.post(URL, headers=h, json=body).json()["expired"] is True
