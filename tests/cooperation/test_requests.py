"""Requests for assistance across two nodes (in-process delivery): the lifecycle per requested
node, deadlines turning overdue on an injected clock, reminders, withdrawal, bad input."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from corridor import clock
from corridor.cooperation.notifications.models import Notification
from corridor.cooperation.requests import reminders, service
from corridor.cooperation.requests.models import RequestDraft, RequestRow
from corridor.errors import TooLarge
from corridor.federation import delivery
from corridor.federation.models import OutboxItem
from corridor.federation.peers import add_peer
from corridor.node.service import init_node
from corridor.records import service as records
from corridor.records.attachments import NewAttachment
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM
from tests.conftest import card_text
from tests.entities.test_api import bearer


def rfa(to: list[str], **over):  # type: ignore[no-untyped-def]
    body = {
        "to": to,
        "subject": "Owner of +90 532 000 0000",
        "urgency": "normal",
        "text": "Please identify the subscriber and recent cell sites.",
        "tlp": "AMBER",
        "legal_basis": "Art. 7 Directive (EU) 2023/977",
        "questions": ["Who is the subscriber?", "Which cell sites in May?"],
        "entities": [{"id": "case1.phone1", "schema": "MobileDevice", "caption": "+905320000000"}],
    }
    body.update(over)
    return body


def make_principal(node, email: str):  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return security.principal_for(security.find_user(s, email), kind="session")


def count(node, model) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def people(pair):  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, handle_a = bearer(a, "liaison_officer", "lo@a.example")
    hb, _ = bearer(b, "investigator", "inv@b.example")
    return a, b, to_a, to_b, ha, hb, handle_a


def test_round_trip_accept_partial_and_full_answer(people) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb, _ = people
    r = to_a.post(
        "/api/v1/requests",
        headers=ha,
        json=rfa(
            [b.id], attachments=[{"name": "photo.txt", "data": base64.b64encode(b"x").decode()}]
        ),
    )
    assert r.status_code == 201, r.text
    req = r.json()
    rid = req["id"]
    assert req["state"] == "sent" and req["recipients"][0]["state"] == "sent"
    expected = clock.now() + timedelta(hours=a.config.deadlines.hours("normal"))
    assert abs((clock.parse(req["deadline"]) - expected).total_seconds()) < 60
    assert req["entities"][0]["schema"] == "MobileDevice"

    delivery.push_to(a, b.id, http=to_b)
    at_b = to_b.get(f"/api/v1/requests/{rid}", headers=hb).json()
    assert at_b["state"] == "delivered" and at_b["questions"][1] == "Which cell sites in May?"
    assert at_b["attachments"][0]["name"] == "photo.txt"
    got = to_b.get(f"/api/v1/requests/{rid}/attachments/0", headers=hb)
    assert got.content == b"x"
    received = to_b.get("/api/v1/requests?box=received", headers=hb).json()["items"]
    assert [i["id"] for i in received] == [rid]
    assert to_b.get("/api/v1/requests?box=sent", headers=hb).json()["items"] == []

    delivery.push_to(b, a.id, http=to_a)  # delivered and read receipts
    assert to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()["state"] == "delivered"

    acc = to_b.post(f"/api/v1/requests/{rid}/accept", headers=hb, json={"text": "On it."})
    assert acc.status_code == 201 and acc.json()["state"] == "accepted"
    delivery.push_to(b, a.id, http=to_a)
    assert to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()["state"] == "accepted"

    part = to_b.post(
        f"/api/v1/requests/{rid}/reply",
        headers=hb,
        json={
            "answers": [{"question": 0, "text": "Ahmet Y."}],
            "partial": True,
            "tlp": "RED",
            "recipients": ["user:" + people[6] + "@" + a.id],
        },
    )
    assert part.status_code == 201, part.text
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()
    assert got["state"] == "partially_answered"
    assert got["replies"][-1]["answers"] == [{"question": 0, "text": "Ahmet Y."}]
    assert got["replies"][-1]["labels"]["tlp"] == "RED"  # the reply's own labels

    bad = to_b.post(
        f"/api/v1/requests/{rid}/reply",
        headers=hb,
        json={"answers": [{"question": 5, "text": "?"}]},
    )
    assert bad.status_code == 422 and "no question 6" in bad.text
    full = to_b.post(
        f"/api/v1/requests/{rid}/reply",
        headers=hb,
        json={
            "text": "Complete.",
            "answers": [{"question": 1, "text": "Van centre, 3 sites"}],
            "attachments": [{"name": "cells.csv", "data": base64.b64encode(b"a,b").decode()}],
        },
    )
    assert full.status_code == 201
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()
    assert got["state"] == "answered" and got["recipients"][0]["answered_at"]
    assert got["recipients"][0]["delivered_at"] and got["recipients"][0]["read_at"]
    last = got["replies"][-1]
    f = to_a.get(f"/api/v1/requests/{rid}/replies/{last['id']}/attachments/0", headers=ha)
    assert f.status_code == 200 and f.content == b"a,b"
    assert [
        i["id"]
        for i in to_a.get("/api/v1/requests?box=sent&state=answered", headers=ha).json()["items"]
    ] == [rid]
    assert to_a.get("/api/v1/requests?box=sent&state=overdue", headers=ha).json()["items"] == []

    ov = to_a.get("/api/v1/requests/overview", headers=ha).json()
    assert ov["sent"][0]["node"] == b.id and ov["sent"][0]["answered"] == 1
    assert ov["sent"][0]["on_time_share"] == 1.0 and ov["sent"][0]["median_hours"] is not None
    assert ov["totals"]["sent"] == {"answered": 1}
    ovb = to_b.get("/api/v1/requests/overview", headers=hb).json()
    assert ovb["received"][0]["node"] == a.id and ovb["received"][0]["by_state"] == {"answered": 1}


def test_red_request_is_listed_to_its_named_people_only(pair) -> None:  # type: ignore[no-untyped-def]
    """The list reads the labels' named recipients from the projection (not the requested
    nodes): the named investigator sees the request, a colleague at the same node does not."""
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    hb, handle_b = bearer(b, "investigator", "inv@b.example")
    other, _ = bearer(b, "investigator", "other@b.example")
    r = to_a.post(
        "/api/v1/requests",
        headers=ha,
        json=rfa([b.id], tlp="RED", recipients=[f"user:{handle_b}@{b.id}"], entities=[]),
    )
    assert r.status_code == 201, r.text
    delivery.push_to(a, b.id, http=to_b)
    assert [i["id"] for i in to_a.get("/api/v1/requests?box=sent", headers=ha).json()["items"]] == [
        r.json()["id"]
    ]
    listed = to_b.get("/api/v1/requests?box=received", headers=hb).json()["items"]
    assert [i["id"] for i in listed] == [r.json()["id"]]
    assert to_b.get("/api/v1/requests?box=received", headers=other).json()["items"] == []


def test_decline_needs_a_reason_and_shows_at_the_requester(people) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb, _ = people
    rid = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id])).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    r = to_b.post(f"/api/v1/requests/{rid}/decline", headers=hb, json={"reason": ""})
    assert r.status_code == 422
    r = to_b.post(f"/api/v1/requests/{rid}/decline", headers=hb, json={})
    assert r.status_code == 422
    r = to_b.post(
        f"/api/v1/requests/{rid}/decline", headers=hb, json={"reason": "Needs a judicial order"}
    )
    assert r.status_code == 201 and r.json()["state"] == "declined"
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()
    assert got["state"] == "declined"
    assert got["recipients"][0]["decline_reason"] == "Needs a judicial order"
    # The requester cannot reply to its own request.
    assert to_a.post(f"/api/v1/requests/{rid}/accept", headers=ha, json={}).status_code == 403


def test_deadline_turns_overdue_and_reminders_go_once(people, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb, handle_a = people
    handle_b = "inv@b.example"
    rid = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id], urgency="urgent")).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    delivery.push_to(b, a.id, http=to_a)  # the delivery receipt (signatures use real time)
    hours = a.config.deadlines.hours("urgent")

    def run(node) -> int:  # type: ignore[no-untyped-def]
        with node.db.transaction() as s:
            return reminders.run(s, node.id)

    def notices(node, kind: str) -> int:  # type: ignore[no-untyped-def]
        # Every user of B who may see the request is told; count those of its investigator.
        with node.db.reading() as s:
            user = security.find_user(s, handle_b)
            q = select(func.count()).where(
                Notification.kind == kind, Notification.user_id == user.id
            )
            return s.scalar(q) or 0

    assert run(b) == 0 and notices(b, "request.reminder") == 0
    shift_clock(timedelta(hours=hours * 0.8))
    assert run(b) == 1 and notices(b, "request.reminder") == 1  # 75 % of the time passed
    assert run(b) == 0  # idempotent
    shift_clock(timedelta(hours=hours * 0.2 - 0.5))
    assert run(b) == 1 and notices(b, "request.reminder") == 2  # the last hour
    assert run(b) == 0
    assert to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()["state"] == "delivered"
    assert run(a) == 0  # not overdue yet

    shift_clock(timedelta(hours=1))
    got = to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()
    assert got["state"] == "overdue" and got["recipients"][0]["state"] == "overdue"
    assert to_b.get(f"/api/v1/requests/{rid}", headers=hb).json()["state"] == "overdue"
    assert run(a) == 1 and run(a) == 0 and run(b) == 0
    with a.db.reading() as s:
        rows = s.scalars(select(Notification).where(Notification.kind == "request.overdue")).all()
        users = {security.find_user(s, handle_a).id}
        assert {n.user_id for n in rows} == users  # the author, and nobody else
    ov = to_a.get("/api/v1/requests/overview", headers=ha).json()
    assert ov["sent"][0]["overdue"] == 1 and ov["sent"][0]["on_time_share"] == 0.0

    # A late answer ends the overdue state; the time counts against the deadline.
    r = to_b.post(f"/api/v1/requests/{rid}/reply", headers=hb, json={"text": "Late, sorry."})
    assert r.json()["state"] == "answered"
    ov = to_b.get("/api/v1/requests/overview", headers=hb).json()
    assert ov["received"][0]["on_time_share"] == 0.0 and ov["received"][0]["median_hours"] > hours


def test_withdrawn_request_takes_no_replies_here_or_there(people) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb, _ = people
    rid = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id])).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    other, _ = bearer(a, "liaison_officer", "other@a.example")
    assert (
        to_a.post(
            f"/api/v1/requests/{rid}/withdraw", headers=other, json={"reason": "x"}
        ).status_code
        == 403
    )
    w = to_a.post(f"/api/v1/requests/{rid}/withdraw", headers=ha, json={"reason": "Solved locally"})
    assert w.status_code == 200 and w.json()["state"] == "withdrawn"
    assert w.json()["withdrawn"]["reason"] == "Solved locally" and w.json()["body"]  # on record
    again = to_a.post(f"/api/v1/requests/{rid}/withdraw", headers=ha, json={"reason": "y"})
    assert again.status_code == 409

    # B has not heard of the withdrawal yet and answers: A's inbox refuses the reply.
    assert (
        to_b.post(f"/api/v1/requests/{rid}/reply", headers=hb, json={"text": "Here"}).status_code
        == 201
    )
    delivery.push_to(b, a.id, http=to_a)
    with b.db.reading() as s:
        refused = s.scalars(select(OutboxItem).where(OutboxItem.state == "rejected")).all()
    assert len(refused) == 1 and "withdrawn" in (refused[0].error or "")
    assert to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()["replies"] == []

    # Once the withdrawal arrives, B's own API refuses replies with 409.
    delivery.push_to(a, b.id, http=to_b)
    got = to_b.get(f"/api/v1/requests/{rid}", headers=hb).json()
    assert got["state"] == "withdrawn" and got["withdrawn"]["reason"] == "Solved locally"
    r = to_b.post(f"/api/v1/requests/{rid}/accept", headers=hb, json={})
    assert r.status_code == 409 and "withdrawn" in r.text


def test_bad_input_stores_nothing(people) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b, ha, _hb, _ = people
    before = count(a, StoredRecord)
    past = clock.iso(clock.now() - timedelta(minutes=1))
    r = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id], deadline=past))
    assert r.status_code == 422 and "deadline is in the past" in r.text
    unknown = "a" * 26
    r = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id, unknown]))
    assert r.status_code == 422 and "not an approved peer" in r.text and unknown in r.text
    r = to_a.post("/api/v1/requests", headers=ha, json=rfa(["nobody"]))
    assert r.status_code == 422
    big = base64.b64encode(b"\0" * (5 * 1024 * 1024 + 1)).decode()
    r = to_a.post(
        "/api/v1/requests",
        headers=ha,
        json=rfa([b.id], attachments=[{"name": "a.bin", "data": big}]),
    )
    assert r.status_code == 413
    # The service's own limits, whatever the web server's body limit for the path.
    lo = make_principal(a, "lo@a.example")
    four = NewAttachment("a.bin", "", b"\0" * (4 * 1024 * 1024))
    for files, message in (
        ([NewAttachment("a.bin", "", b"\0" * (5 * 1024 * 1024 + 1))], "larger than 5 MiB"),
        ([four, four, four], "10 MiB in all"),
    ):
        with pytest.raises(TooLarge, match=message), a.db.transaction() as s:
            service.send(
                s,
                a.keys,
                a.config.deadlines,
                actor=lo,
                to=[b.id],
                subject="x",
                urgency="normal",
                text="y",
                labels=Labels(),
                attachments=files,
            )
    r = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id], urgency="whenever"))
    assert r.status_code == 422
    r = to_a.post("/api/v1/requests", headers=ha, json=rfa([b.id], questions=[""]))
    assert r.status_code == 422
    assert count(a, StoredRecord) == before and count(a, RequestRow) == 0
    viewer, _ = bearer(a, "viewer", "viewer@a.example")
    assert to_a.post("/api/v1/requests", headers=viewer, json=rfa([b.id])).status_code == 403
    assert (
        to_a.get(f"/api/v1/requests/{'0' * 8}-0000-7000-8000-{'0' * 12}", headers=ha).status_code
        == 404
    )
    assert to_a.get("/api/v1/requests?state=lost", headers=ha).status_code == 422


def test_reply_from_a_node_outside_the_audience_is_refused(people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b, ha, _hb, _ = people
    third = init_node(tmp_path / "third", name="Hellenic Police", org="HP", country="GR").node
    try:
        with a.db.transaction() as s:
            add_peer(s, actor=CLI, own_node_id=a.id, card_file=card_text(third), approve=True)
        # A asks the third node only; B forges a reply to it anyway.
        rid = to_a.post("/api/v1/requests", headers=ha, json=rfa([third.id])).json()["id"]
        with b.db.transaction() as s:
            records.create(
                s,
                b.keys,
                actor=SYSTEM,
                type="rfa.reply",
                body={"request": rid, "kind": "answer", "text": "unasked"},
                labels=Labels(),
                audience=Audience(nodes=[a.id]),
            )
        delivery.push_to(b, a.id, http=to_a)
        with b.db.reading() as s:
            refused = s.scalars(select(OutboxItem).where(OutboxItem.state == "rejected")).all()
        assert len(refused) == 1 and "was not asked" in (refused[0].error or "")
        got = to_a.get(f"/api/v1/requests/{rid}", headers=ha).json()
        assert got["replies"] == [] and got["state"] == "sent"
    finally:
        third.close()


def test_drafts_stay_local_until_sent(people) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb, _ = people
    before = count(a, StoredRecord)
    d = to_a.post(
        "/api/v1/requests/drafts", headers=ha, json={"subject": "Half done", "to": [b.id]}
    )
    assert d.status_code == 201 and d.json()["state"] == "draft"
    assert count(a, StoredRecord) == before  # a draft is not a record
    did = d.json()["id"]
    items = to_a.get("/api/v1/requests?box=drafts", headers=ha).json()["items"]
    assert [i["id"] for i in items] == [did]
    other, _ = bearer(a, "liaison_officer", "other@a.example")
    assert to_a.get("/api/v1/requests?box=drafts", headers=other).json()["items"] == []
    r = to_a.post(f"/api/v1/requests/drafts/{did}/send", headers=ha)
    assert r.status_code == 422 and "subject and a text" in r.text
    to_a.put(
        f"/api/v1/requests/drafts/{did}",
        headers=ha,
        json={"subject": "Half done", "to": [b.id], "body": "Now complete", "urgency": "routine"},
    )
    r = to_a.post(f"/api/v1/requests/drafts/{did}/send", headers=ha)
    assert r.status_code == 201 and r.json()["urgency"] == "routine", r.text
    assert count(a, RequestDraft) == 0
    delivery.push_to(a, b.id, http=to_b)
    assert (
        to_b.get(f"/api/v1/requests/{r.json()['id']}", headers=hb).json()["body"] == "Now complete"
    )


def test_the_text_is_text_and_body_still_works(people) -> None:  # type: ignore[no-untyped-def]
    """One API vocabulary: a request's main text is `text` as a reply's is; `body`, its former
    name, is still accepted when sending and in drafts, and answers carry both."""
    _, b, to_a, _, ha, _, _ = people
    for name in ("text", "body"):
        payload = rfa([b.id], entities=[])
        payload[name] = payload.pop("text") + f" ({name})"
        r = to_a.post("/api/v1/requests", headers=ha, json=payload)
        assert r.status_code == 201, r.text
        assert r.json()["text"] == r.json()["body"] == payload[name]
        d = to_a.post(
            "/api/v1/requests/drafts", headers=ha, json={"subject": "s", name: f"Draft {name}"}
        )
        assert d.status_code == 201, d.text
        assert d.json()["text"] == d.json()["body"] == f"Draft {name}"
        sent = to_a.post(f"/api/v1/requests/drafts/{d.json()['id']}/send", headers=ha)
        assert sent.status_code == 422 and "to:" in sent.text  # checked as a request, text kept
    both = {**rfa([b.id], entities=[]), "body": "b"}
    assert to_a.post("/api/v1/requests", headers=ha, json=both).status_code == 422
