"""What the JSON endpoints share (web.endpoints), the domain errors' kinds (errors) and the
record answers' common fields (records.schemas)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.errors import CorridorError, InvalidInput, NotFound, UnknownRecipient
from corridor.federation.schemas import receipts_view
from corridor.records.schemas import SentRead, addressed_view, record_view, sent_view
from corridor.security import service as security
from corridor.security.models import Unit
from corridor.security.principal import SYSTEM
from corridor.web.endpoints import Api, ApiCall, only_set


def _units(call: ApiCall) -> int:
    with call.reading() as session:
        return session.scalar(select(func.count()).select_from(Unit)) or 0


def test_api_call_transaction_commits_at_the_end_of_its_block(node) -> None:  # type: ignore[no-untyped-def]
    call = ApiCall(node, SYSTEM)
    before = _units(call)
    with call.transaction() as session:
        security.create_unit(session, actor=SYSTEM, name="committed")
    assert _units(call) == before + 1
    with pytest.raises(NotFound), call.transaction() as session:
        security.create_unit(session, actor=SYSTEM, name="rolled back")
        raise NotFound("nothing")
    assert _units(call) == before + 1
    with call.reading() as session:
        assert session.info["read_only"] is True


def test_api_gives_the_node_and_the_caller(node, token_for) -> None:  # type: ignore[no-untyped-def]
    app = FastAPI()
    app.state.node = node

    @app.get("/api/v1/whoami")
    def whoami(api: Api) -> dict[str, str]:
        return {"node": api.node.id, "actor": api.actor.handle}

    @app.post("/api/v1/change")
    def change(api: Api) -> dict[str, str]:
        return {"actor": api.actor.handle}

    headers = token_for("investigator", email="api@test.example")
    with node.db.reading() as session:
        handle = security.find_user(session, "api@test.example").handle
    with TestClient(app) as client:
        assert client.get("/api/v1/whoami", headers=headers).json() == {
            "node": node.id,
            "actor": handle,
        }
        # A route that may change state refuses a read-only token (web.auth.api_principal).
        with pytest.raises(CorridorError) as refused:
            client.post("/api/v1/change", headers=headers)
        assert refused.value.status == 403


def test_run_gives_a_service_the_session_the_keys_and_the_caller(node) -> None:  # type: ignore[no-untyped-def]
    call = ApiCall(node, SYSTEM)
    seen: dict[str, Any] = {}

    def service(session, keys, deadlines, *, actor, record_id):  # type: ignore[no-untyped-def]
        seen.update(session=session, keys=keys, deadlines=deadlines, actor=actor, id=record_id)
        return "done"

    with call.transaction() as session:
        assert call.run(session, service, "clock", record_id=7) == "done"
    assert seen == {
        "session": session,
        "keys": node.keys,
        "deadlines": "clock",
        "actor": SYSTEM,
        "id": 7,
    }


def test_delete_answers_204_once_committed(node) -> None:  # type: ignore[no-untyped-def]
    call = ApiCall(node, SYSTEM)
    before = _units(call)

    def add(session, *, actor, name):  # type: ignore[no-untyped-def]
        security.create_unit(session, actor=actor, name=name)

    answer = call.delete(add, name="gone")
    assert answer.status_code == 204 and answer.body == b""
    assert _units(call) == before + 1

    def refuse(session, *, actor):  # type: ignore[no-untyped-def]
        add(session, actor=actor, name="rolled back")
        raise NotFound("nothing")

    with pytest.raises(NotFound):
        call.delete(refuse)
    assert _units(call) == before + 1


def test_attachment_hands_out_a_file_of_what_was_read(node) -> None:  # type: ignore[no-untyped-def]
    file = {"name": "a b?.txt", "data": base64.b64encode(b"hi").decode(), "sha256": "abc"}

    def read(session, keys, *, actor, record_id):  # type: ignore[no-untyped-def]
        assert record_id == 3
        return {"body": {"attachments": [file]}}

    answer = ApiCall(node, SYSTEM).attachment(read, 0, record_id=3)
    assert answer.body == b"hi" and answer.headers["x-corridor-sha256"] == "abc"
    assert answer.headers["content-disposition"] == 'attachment; filename="a b_.txt"'
    with pytest.raises(NotFound):
        ApiCall(node, SYSTEM).attachment(read, 1, record_id=3)


def test_route_options() -> None:
    assert only_set(SentRead) == {"response_model": SentRead, "response_model_exclude_unset": True}


def test_error_kinds_state_their_facts_in_the_class_line() -> None:
    assert (NotFound.status, NotFound.title, NotFound.type_slug) == (404, "Not found", "not-found")
    # What a kind leaves out it inherits: an unknown recipient is invalid input (422).
    assert UnknownRecipient.status == 422 and UnknownRecipient.type_slug == "unknown-recipient"

    class Keywords(InvalidInput, title="Kind", slug="kind"):
        pass

    class Attributes(CorridorError):
        status = 409
        title = "Kind"
        type_slug = "kind"

    for kind, status in ((Keywords, 422), (Attributes, 409)):
        err = kind("this case", field="x")
        assert (err.status, err.title, err.type_slug) == (status, "Kind", "kind")
        assert err.detail == "this case" and err.extra == {"field": "x"}


ENVELOPE: dict[str, Any] = {
    "id": "0190f0f0-0000-7000-8000-000000000001",
    "version": 2,
    "origin": "a" * 26,
    "author": "someone@test.example",
    "ts": "2026-01-31T12:00:00Z",
    "labels": {"tlp": "TLP:AMBER"},
    "audience": {"nodes": ["b" * 26], "groups": []},
    "body": {"title": "x"},
}


def test_record_view_and_sent_view() -> None:
    same = {k: ENVELOPE[k] for k in ("id", "version", "author", "labels")}
    assert record_view(ENVELOPE) == {
        **same,
        "origin": ENVELOPE["origin"],
        "updated_at": ENVELOPE["ts"],
        "audience": ENVELOPE["audience"],
        "state": "active",
        "title": "x",
    }
    assert record_view({**ENVELOPE, "body": None})["state"] == "withdrawn"
    sent = sent_view(ENVELOPE, "then")
    assert sent == {
        **same,
        "from": ENVELOPE["origin"],
        "to": ["b" * 26],
        "groups": [],
        "sent_at": "then",
    }
    assert addressed_view(ENVELOPE) == {
        k: sent[k] for k in ("id", "version", "from", "author", "to")
    }
    read = SentRead.model_validate({**sent, "state": "active"})
    assert read.model_dump(by_alias=True) == {**sent, "state": "active"}


def test_receipts_view() -> None:
    at = datetime(2026, 1, 31, 12, tzinfo=UTC)
    assert receipts_view({"n" * 26: {"delivered": at}}) == {
        "n" * 26: {"delivered": "2026-01-31T12:00:00Z"}
    }
