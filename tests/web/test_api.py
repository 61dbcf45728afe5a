from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from corridor.audit.models import AuditEntry
from corridor.records import service as records
from corridor.records.labels import Labels
from corridor.security.models import Unit
from corridor.security.principal import SYSTEM
from tests.records.conftest import NOTE
from tests.web.conftest import csrf_from, web_login

PROBLEM = "application/problem+json"


def assert_problem(resp, status: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body = resp.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("urn:corridor:")
    return body


def units_count(node) -> int:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Unit)) or 0


def test_openapi_document(client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/users" in doc["paths"] and "/api/v1/records/{record_id}" in doc["paths"]
    assert not any(p.startswith("/admin") or p == "/login" for p in doc["paths"])
    assert client.get("/docs").status_code == 404  # no CDN-loading Swagger UI


@pytest.mark.parametrize(
    "headers, detail",
    [
        ({}, "Bearer"),
        ({"Authorization": "Bearer cor_forged0000000000000000000000000000000"}, "unknown"),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, "Bearer"),
        ({"Authorization": "Bearer "}, "Bearer"),
    ],
)
def test_unauthenticated(client, headers, detail) -> None:  # type: ignore[no-untyped-def]
    body = assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert detail in body["detail"]


def test_me_and_node(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", email="me@test.example")
    me = client.get("/api/v1/me", headers=h).json()
    assert me["email"] == "me@test.example" and me["role"] == "investigator"
    assert "password_hash" not in me and "totp_secret" not in me
    info = client.get("/api/v1/node", headers=h).json()
    assert info["id"] == node.id and info["country"] == "PK"


def test_admin_user_lifecycle(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("administrator", ("read", "write", "admin"))
    r = client.post("/api/v1/units", headers=h, json={"name": "Maritime Unit"})
    assert r.status_code == 201
    r = client.post(
        "/api/v1/users",
        headers=h,
        json={"email": "new@test.example", "role": "liaison_officer", "unit": "Maritime Unit"},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["one_time_password"] and created["user"]["must_change_password"]
    assert created["user"]["unit"]["name"] == "Maritime Unit"
    handle = created["user"]["handle"]
    r = client.patch(
        f"/api/v1/users/{handle}", headers=h, json={"role": "analyst", "disabled": True}
    )
    assert r.json()["role"] == "analyst" and r.json()["disabled"] is True
    listed = client.get("/api/v1/users", headers=h).json()
    assert any(u["handle"] == handle for u in listed["items"])
    assert_problem(
        client.post(
            "/api/v1/users", headers=h, json={"email": "new@test.example", "role": "viewer"}
        ),
        409,
    )


def test_admin_scope_is_needed_for_admin_work(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("administrator", ("read", "write"))
    assert_problem(client.get("/api/v1/users", headers=h), 403)
    assert_problem(client.post("/api/v1/units", headers=h, json={"name": "X"}), 403)


def test_non_admins_are_refused_and_audited(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write", "admin"))
    assert_problem(client.get("/api/v1/users", headers=h), 403)
    assert_problem(client.get("/api/v1/audit", headers=h), 403)
    with node.db.transaction() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "access.denied")
        ).all()
    assert {e.detail["path"] for e in denied} >= {"/api/v1/users", "/api/v1/audit"}


@pytest.mark.parametrize(
    "payload, status",
    [
        ('{"name": ', 400),  # malformed JSON
        ("[1, 2, 3]", 422),  # wrong shape
        ('{"name": 42}', 422),  # wrong type
        ('{"name": "A", "colour": "red"}', 422),  # unknown field
        ('{"name": ""}', 422),  # empty
        ('{"name": "' + "x" * 300 + '"}', 422),  # too long
        ("[" * 100_000 + "]" * 100_000, 400),  # nesting bomb
    ],
)
def test_bad_bodies_store_nothing(client, token_for, node, payload, status) -> None:  # type: ignore[no-untyped-def]
    h = {
        **token_for("administrator", ("read", "write", "admin")),
        "content-type": "application/json",
    }
    before = units_count(node)
    resp = client.post("/api/v1/units", headers=h, content=payload)
    assert resp.status_code in (status, 413), resp.text
    assert_problem(resp, resp.status_code)
    assert units_count(node) == before


def test_oversized_body_is_refused(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = {
        **token_for("administrator", ("read", "write", "admin")),
        "content-type": "application/json",
    }
    big = json.dumps({"name": "x", "description": "y" * (2 * 1024 * 1024)})
    body = assert_problem(client.post("/api/v1/units", headers=h, content=big), 413)
    assert "1048576" in body["detail"]

    def chunks():  # no Content-Length: the limit holds while streaming too
        for _ in range(40):
            yield b"y" * 65536

    resp = client.post("/api/v1/units", headers=h, content=chunks())
    assert_problem(resp, 413)
    assert units_count(node) == 0


def test_validation_problem_lists_errors(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("administrator", ("read", "write", "admin"))
    body = assert_problem(
        client.post("/api/v1/users", headers=h, json={"email": "x@test.example", "role": "king"}),
        422,
    )
    assert any(e["loc"][-1] == "role" for e in body["errors"])


def test_unknown_paths_and_methods_are_problems(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("viewer")
    assert_problem(client.get("/api/v1/nothing", headers=h), 404)
    assert_problem(client.delete("/api/v1/me", headers=h), 405)
    assert_problem(client.get("/api/v1/records/not-a-uuid", headers=h), 422)


def test_session_cookie_api_calls_need_csrf(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    make_user("administrator", email="boss@test.example")
    assert web_login(client, "boss@test.example").status_code == 303
    assert client.get("/api/v1/me").status_code == 200  # safe method: cookie is enough
    assert_problem(client.post("/api/v1/units", json={"name": "No CSRF"}), 403)
    token = csrf_from(client.get("/account").text)
    assert_problem(
        client.post("/api/v1/units", json={"name": "Wrong"}, headers={"X-CSRF-Token": "nope"}), 403
    )
    assert_problem(
        client.post(
            "/api/v1/units",
            json={"name": "Cross"},
            headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
        ),
        403,
    )
    r = client.post("/api/v1/units", json={"name": "With CSRF"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    assert units_count(node) == 1


def test_tokens_api(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write"))
    created = client.post("/api/v1/tokens", headers=h, json={"name": "script", "scopes": ["read"]})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    # A read/write token cannot mint an admin-scoped one for itself.
    assert_problem(client.post("/api/v1/tokens", headers=h, json={"scopes": ["admin"]}), 403)
    assert_problem(
        client.post(
            "/api/v1/tokens",
            headers=h,
            json={"scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"},
        ),
        422,
    )
    tid = created.json()["info"]["id"]
    assert client.delete(f"/api/v1/tokens/{tid}", headers=h).status_code == 204
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}), 401)
    listed = client.get("/api/v1/tokens", headers=h).json()["items"]
    assert all("token_hash" not in t for t in listed)


def test_audit_api(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("administrator", ("read", "admin"))
    page = client.get("/api/v1/audit?limit=2", headers=h).json()
    assert len(page["items"]) == 2 and page["next"]
    older = client.get(f"/api/v1/audit?limit=2&before={page['next']}", headers=h).json()
    assert older["items"][0]["seq"] < page["items"][-1]["seq"]
    assert client.get("/api/v1/audit/verify", headers=h).json()["ok"] is True
    lines = client.get("/api/v1/audit/export", headers=h).text.strip().splitlines()
    assert all(json.loads(line)["hash"] for line in lines)
    assert_problem(client.get("/api/v1/audit?since=yesterday", headers=h), 422)


def test_records_api(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write"))
    items = client.get("/api/v1/records?type=node.card", headers=h).json()["items"]
    assert len(items) == 1 and items[0]["origin"] == node.id
    rid = items[0]["id"]
    assert client.get(f"/api/v1/records/{rid}", headers=h).json()["sig"] == items[0]["sig"]
    assert_problem(
        client.get("/api/v1/records/01a22348-7f15-7704-8e51-128688f269ae", headers=h), 404
    )
    assert_problem(client.post(f"/api/v1/records/{rid}/revoke", headers=h, json={}), 422)


def test_listing_sensitive_records_is_audited_and_others_not(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write"))
    with node.db.transaction() as session:
        rec = records.create(
            session,
            node.keys,
            actor=SYSTEM,
            type=NOTE.name,
            body={"text": "informant met at the Van bus station"},
            labels=Labels(tlp="AMBER"),
        )

    def listings() -> list[dict]:  # type: ignore[type-arg]
        with node.db.reading() as session:
            return [
                e.detail
                for e in session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "record.list")
                )
            ]

    assert client.get("/api/v1/records?type=node.card", headers=h).status_code == 200
    assert listings() == []
    items = client.get("/api/v1/records", headers=h).json()["items"]
    assert rec["id"] in [i["id"] for i in items]
    assert listings() == [{"ids": [rec["id"]]}]


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert "server" not in {k.lower() for k in r.headers} or "uvicorn" not in r.headers.get(
        "server", ""
    )


def test_cross_site_fetch_metadata_is_refused(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("administrator", email="boss2@test.example")
    web_login(client, "boss2@test.example")
    token = csrf_from(client.get("/account").text)
    r = client.post(
        "/api/v1/units",
        json={"name": "Cross"},
        headers={"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"},
    )
    assert_problem(r, 403)
    same = client.post(
        "/api/v1/units",
        json={"name": "Same"},
        headers={
            "X-CSRF-Token": token,
            "Sec-Fetch-Site": "same-origin",
            "Origin": "http://127.0.0.1:8080",
        },
    )
    assert same.status_code == 201
