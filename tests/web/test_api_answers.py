"""The core API's answers are what its OpenAPI document says they are: every JSON answer of
/api/v1 (node, users, units, tokens, audit, records, jobs) validates against the response
model of its route, and a record is answered byte for byte as stored, so its signature checks."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema_rs

from corridor.records import service as records
from corridor.records.envelope import verify
from corridor.records.labels import Labels
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from tests.records.conftest import NOTE


def documented(document: dict[str, Any], resp: httpx.Response) -> dict[str, Any] | None:
    """The schema the document gives for this answer's route, method and status."""
    path = resp.request.url.path
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        op = item.get(resp.request.method.lower())
        if op is not None and re.match(pattern, path):
            content = op["responses"].get(str(resp.status_code), {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            return {**schema, "components": document["components"]} if schema else None
    raise AssertionError(f"{resp.request.method} {path} is not in the document")


def assert_documented(document: dict[str, Any], *answers: httpx.Response) -> None:
    for resp in answers:
        assert resp.status_code < 300, resp.text
        schema = documented(document, resp)
        assert schema, f"{resp.request.method} {resp.request.url.path}: no response model"
        jsonschema_rs.validator_for(schema).validate(resp.json())


def test_every_core_answer_matches_its_response_model(client, token_for, node) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").json()
    h = token_for("administrator", ("read", "write", "admin"))
    unit = client.post("/api/v1/units", headers=h, json={"name": "Maritime Unit"})
    user = client.post(
        "/api/v1/users", headers=h, json={"email": "new@test.example", "role": "analyst"}
    )
    handle = user.json()["user"]["handle"]
    token = client.post("/api/v1/tokens", headers=h, json={"name": "script"})
    assert_documented(
        document,
        client.get("/api/v1/node", headers=h),
        client.get("/api/v1/me", headers=h),
        unit,
        client.get("/api/v1/units", headers=h),
        user,
        client.get("/api/v1/users", headers=h),
        client.get(f"/api/v1/users/{handle}", headers=h),
        client.patch(f"/api/v1/users/{handle}", headers=h, json={"unit": "Maritime Unit"}),
        client.post(f"/api/v1/users/{handle}/reset-password", headers=h),
        token,
        client.get("/api/v1/tokens", headers=h),
        client.get("/api/v1/audit?limit=5", headers=h),
        client.get("/api/v1/audit/verify", headers=h),
        client.get("/api/v1/jobs?state=queued", headers=h),
    )
    assert client.delete(f"/api/v1/tokens/{token.json()['info']['id']}", headers=h).content == b""


def test_records_are_answered_as_stored(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").json()
    author = make_user("investigator")
    with node.db.transaction() as session:
        user = security.find_user(session, author.handle)
        secret, _ = security.create_token(
            session, actor=SYSTEM, user=user, scopes=["read", "write"]
        )
        stored = records.create(
            session,
            node.keys,
            actor=author,
            type=NOTE.name,
            body={"text": "Boat departures expected north of Ayvalık"},
            labels=Labels(tlp="GREEN"),
        )
    h = {"Authorization": f"Bearer {secret}"}
    listing = client.get(f"/api/v1/records?type={NOTE.name}", headers=h)
    one = client.get(f"/api/v1/records/{stored['id']}", headers=h)
    revoked = client.post(f"/api/v1/records/{stored['id']}/revoke", headers=h, json={"reason": "x"})
    assert_documented(document, listing, one, revoked)
    # The stored dict, key for key, no default added: the node's signature checks.
    assert one.json() == stored and listing.json()["items"] == [stored]
    for envelope in (one.json(), revoked.json()):
        verify(envelope, node.keys.signing_public)
    assert revoked.json()["tombstone"] == {"reason": "x"} and revoked.json()["body"] is None
