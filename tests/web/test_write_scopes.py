"""Every state-changing API route refuses a read-only token: walks the app's route table, so
a route added later without a scope check fails here."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from corridor.audit.models import AuditEntry
from corridor.security.roles import Role
from corridor.web.app import create_app
from tests.web.routes import api_routes

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# POST routes that only compute an answer from their body and change nothing; each uses
# `web.auth.api_reader` instead of `api_principal`. Why each one is read-like:
READ_LIKE = {
    # Scores two entities given in the body against each other; nothing is looked up or stored.
    ("POST", "/api/v1/entities/compare"),
    # Checks the MRZ given in the body; stores nothing but the check's audit entry.
    ("POST", "/api/v1/documents/mrz/check"),
}


def _example(param_type: object) -> str:
    if param_type is uuid.UUID:
        return str(uuid.uuid4())
    if param_type is int:
        return "1"
    return "x"


def write_routes(node) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(method, path template, concrete URL) of every state-changing API route."""
    out = []
    for path, route in api_routes(create_app(node)):
        url = path
        for p in route.dependant.path_params:
            url = url.replace("{" + p.name + "}", _example(p.field_info.annotation))
        for method in sorted(route.methods & WRITE_METHODS):
            out.append((method, path, url))
    return out


def test_the_walk_finds_the_routes(node) -> None:  # type: ignore[no-untyped-def]
    found = {(m, p) for m, p, _ in write_routes(node)}
    # A walk that found nothing would pass vacuously; these exist in every module.
    assert len(found) > 60
    assert ("DELETE", "/api/v1/requests/drafts/{draft_id}") in found
    assert ("POST", "/api/v1/tokens") in found
    assert found >= READ_LIKE, "an allow-listed route no longer exists"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_read_token_changes_nothing_on_any_route(client, token_for, node, role) -> None:  # type: ignore[no-untyped-def]
    h = token_for(role, scopes=("read",))
    allowed = []
    for method, path, url in write_routes(node):
        if (method, path) in READ_LIKE:
            continue
        resp = client.request(method, url, headers=h, json={})
        if resp.status_code not in (401, 403):
            allowed.append(f"{method} {path} -> {resp.status_code}")
    assert allowed == [], "a read-only token was not refused:\n" + "\n".join(allowed)


def test_refusal_comes_before_the_body_and_is_audited(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", scopes=("read",))
    # A body that does not even parse: the scope is refused first (403, not 400/422).
    resp = client.post("/api/v1/cases", headers=h, content=b"{not json")
    assert resp.status_code == 403 and "read-only" in resp.json()["detail"]
    with node.db.reading() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "access.denied")
        ).all()
    assert any(e.detail.get("path") == "/api/v1/cases" for e in denied)


def test_read_like_routes_still_answer_a_read_token(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", scopes=("read",))
    person = {"schema": "Person", "properties": {"name": ["Ali Khan"]}}
    resp = client.post("/api/v1/entities/compare", headers=h, json={"a": person, "b": person})
    assert resp.status_code == 200, resp.text


def test_write_token_passes_the_gate(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", scopes=("read", "write"))
    resp = client.post("/api/v1/notifications/read", headers=h, json={"all": True})
    assert resp.status_code == 200, resp.text
    read_only = token_for("investigator", scopes=("read",))
    resp = client.post("/api/v1/notifications/read", headers=read_only, json={"all": True})
    assert resp.status_code == 403
