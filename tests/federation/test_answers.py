"""The answer to a push carries what the receiver signed for the sender meanwhile (its
"delivered" receipt): no push of its own back, and nothing lost when the answer is."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.canonical import canonical
from corridor.federation import delivery, receipts
from corridor.federation.models import OutboxItem
from corridor.jobs.models import Job
from corridor.keys import b64u, generate
from corridor.records import envelope as env
from corridor.records.models import StoredRecord
from tests.federation.conftest import note


@pytest.fixture(autouse=True)
def _notes_want_receipts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(receipts, "WANTS_RECEIPTS", receipts.WANTS_RECEIPTS | {"test.fed"})


def delivered_to(node, rid: str) -> set[str]:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return {
            n for n, st in receipts.statuses(session, uuid.UUID(rid)).items() if "delivered" in st
        }


def relay(to: httpx.Client, edit) -> httpx.Client:  # type: ignore[no-untyped-def]
    """A client whose requests reach `to` and whose answers pass through `edit` first."""

    def handle(request: httpx.Request) -> httpx.Response:
        resp = to.request(
            request.method, request.url.path, content=request.content, headers=request.headers
        )
        return httpx.Response(resp.status_code, json=edit(resp.json()))

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_the_delivered_receipt_comes_back_in_the_answer(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    rec = note(a, [b.id], "boat leaving Zuwara tonight")
    assert delivery.push_to(a, b.id, http=to_b) == 1
    assert delivered_to(a, rec["id"]) == {b.id}
    with b.db.reading() as session:
        # B's receipt went back in the answer: delivered there, no push of its own waiting.
        assert [(o.recipient, o.state) for o in session.scalars(select(OutboxItem))] == [
            (a.id, "delivered")
        ]
        assert session.scalars(select(Job).where(Job.dedupe_key == f"push:{a.id}")).all() == []
    # A holds B's receipt as B signed it, and counts B's position as received.
    with a.db.reading() as session:
        got = session.scalars(select(StoredRecord).where(StoredRecord.type == "receipt")).one()
        env.verify(got.envelope, b.keys.signing_public)


def test_a_lost_answer_is_served_again_by_the_feed(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    rec = note(a, [b.id])

    def lose_replies(answer: dict) -> dict:  # type: ignore[type-arg]
        return {**answer, "replies": []}

    with relay(to_b, lose_replies) as http:
        assert delivery.push_to(a, b.id, http=http) == 1
    assert delivered_to(a, rec["id"]) == set()
    # The periodic sync (or a gap) makes A pull from B: the receipt is still in B's feed.
    assert delivery.pull_from(a, b.id, http=to_b) == 1
    assert delivered_to(a, rec["id"]) == {b.id}
    assert to_a is not None


def test_forged_and_malformed_replies_change_nothing(pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    rec = note(a, [b.id])
    stranger = generate(tmp_path / "stranger")

    def forge(answer: dict) -> dict:  # type: ignore[type-arg]
        reply = json.loads(json.dumps(answer["replies"][0]))
        body = reply["record"]["body"]
        body["at"] = clock.iso(clock.now())
        fields = env.unsigned(reply["record"])
        forged = {**fields, "sig": b64u(stranger.sign(canonical(fields)))}
        return {**answer, "replies": [{"position": reply["position"], "record": forged}]}

    with relay(to_b, forge) as http:
        assert delivery.push_to(a, b.id, http=http) == 1
    assert delivered_to(a, rec["id"]) == set()
    with a.db.reading() as session:
        reasons = [
            e.detail["reason"]
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "federation.reject")
            )
        ]
    assert len(reasons) == 1 and "signature" in reasons[0], reasons

    for garbage in ("not a list", [{"position": 0, "record": {}}], [{"record": 1}]):
        later = note(a, [b.id])
        with relay(to_b, lambda answer, g=garbage: {**answer, "replies": g}) as http:
            assert delivery.push_to(a, b.id, http=http) == 1
        assert delivered_to(a, later["id"]) == set()
    with a.db.reading() as session:
        assert [o.state for o in session.scalars(select(OutboxItem))] == ["delivered"] * 4
