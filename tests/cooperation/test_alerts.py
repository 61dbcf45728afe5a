"""Alerts between agencies: delivered to the audience, acknowledged back, statuses per recipient
(pending for a node that has not received it yet), withdrawal and expiry everywhere, and every
kind of bad input refused with nothing stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.notifications.registry import notice_for
from corridor.federation import delivery, receipts
from corridor.node.service import Node, init_node
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM
from corridor.web.app import create_app
from tests.conftest import peer_all
from tests.entities.test_api import bearer
from tests.mapping.conftest import EASTERN_ROUTE

AREA = {
    "type": "Polygon",
    "coordinates": [[[26.9, 37.0], [27.3, 37.0], [27.3, 37.3], [26.9, 37.3], [26.9, 37.0]]],
}


def alert(to: list[str], **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "to": to,
        "type": "boat_in_distress",
        "severity": "urgent",
        "title": "Rubber boat adrift east of Farmakonisi",
        "text": "About 40 people, engine failure, 3 nm east of Farmakonisi.",
        "tlp": "AMBER",
        "area": AREA,
        "countries": ["GR", "tur"],
    }
    body.update(over)
    return body


@pytest.fixture
def trio(pair, tmp_path) -> Iterator[tuple[Node, Node, Node, TestClient, TestClient, TestClient]]:  # type: ignore[no-untyped-def]
    """A (either backend), B and C (SQLite), each peered with A both ways."""
    a, b, to_a, to_b = pair
    c = init_node(tmp_path / "third", name="Hellenic Coast Guard", org="HCG", country="GR").node
    try:
        peer_all(a, c)
        with TestClient(create_app(c)) as to_c:
            yield a, b, c, to_a, to_b, to_c
    finally:
        c.close()


def _count(node: Node, model: Any) -> int:
    with node.db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_alert_is_delivered_acknowledged_and_the_sender_sees_each_recipient(trio) -> None:  # type: ignore[no-untyped-def]
    a, b, c, to_a, to_b, to_c = trio
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    hb, handle_b = bearer(b, "liaison_officer", "lo@b.example")
    until = clock.iso(clock.now() + timedelta(days=2))
    r = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id, c.id], valid_until=until))
    assert r.status_code == 201, r.text
    sent = r.json()
    aid = sent["id"]
    assert sent["countries"] == ["GR", "TR"] and sent["labels"]["expires"] == until
    assert sent["recipient_status"] == {b.id: "pending", c.id: "pending"}

    # B receives it (C is "down": nothing is pushed to it yet).
    delivery.push_to(a, b.id, http=to_b)
    items = to_b.get("/api/v1/alerts", headers=hb).json()["items"]
    assert [i["id"] for i in items] == [aid]
    assert items[0]["from"] == a.id and items[0]["state"] == "active"
    assert items[0]["area"] == AREA and items[0]["acknowledged_at"] is None
    delivery.push_to(b, a.id, http=to_a)  # B's delivered receipt
    got = to_a.get(f"/api/v1/alerts/{aid}", headers=ha).json()
    assert got["recipient_status"] == {b.id: "delivered", c.id: "pending"}
    assert set(got["recipients"][b.id]) == {"delivered"} and got["recipients"][c.id] == {}

    # B opens it (read receipt) and acknowledges it (acknowledged receipt).
    seen = to_b.get(f"/api/v1/alerts/{aid}", headers=hb).json()
    assert seen["body"].startswith("About 40 people") and seen["acknowledged"] is None
    assert "recipients" not in seen  # only the sender sees the statuses
    r = to_b.post(f"/api/v1/alerts/{aid}/acknowledge", headers=hb)
    assert r.status_code == 200, r.text
    assert r.json()["acknowledged"]["by"] == handle_b
    again = to_b.post(f"/api/v1/alerts/{aid}/acknowledge", headers=hb)
    assert again.json()["acknowledged"] == r.json()["acknowledged"]  # idempotent
    assert to_b.get("/api/v1/alerts", headers=hb).json()["items"][0]["acknowledged_at"]
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get(f"/api/v1/alerts/{aid}", headers=ha).json()
    assert got["recipient_status"] == {b.id: "acknowledged", c.id: "pending"}
    times = got["recipients"][b.id]
    assert set(times) == {"delivered", "read", "acknowledged"}
    assert times["delivered"] <= times["read"] <= times["acknowledged"]
    listed = to_a.get("/api/v1/alerts", headers=ha).json()["items"][0]
    assert listed["acknowledged_by"] == [b.id]
    with b.db.reading() as s:
        acks = s.scalars(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge"))
        assert [e.object_id for e in acks] == [aid]

    # C comes back: it gets the alert and the sender sees it delivered there.
    delivery.push_to(a, c.id, http=to_c)
    delivery.push_to(c, a.id, http=to_a)
    got = to_a.get(f"/api/v1/alerts/{aid}", headers=ha).json()
    assert got["recipient_status"] == {b.id: "acknowledged", c.id: "delivered"}


def test_an_acknowledgement_from_outside_the_audience_is_refused(trio) -> None:  # type: ignore[no-untyped-def]
    a, b, c, to_a, to_b, to_c = trio
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    aid = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id])).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    # C (a peer of A, not addressed) forges an acknowledgement of the alert and sends it to A.
    with c.db.transaction() as session:
        records.create(
            session,
            c.keys,
            actor=SYSTEM,
            type=receipts.RECEIPT_TYPE,
            body={
                "status": "acknowledged",
                "at": clock.iso(clock.now()),
                "items": [{"record_id": aid, "version": 1}],
            },
            labels=Labels(tlp="AMBER"),
            audience=Audience(nodes=[a.id]),
        )
    delivery.push_to(c, a.id, http=to_a)
    got = to_a.get(f"/api/v1/alerts/{aid}", headers=ha).json()
    assert c.id not in got["recipients"] and got["recipient_status"] == {b.id: "delivered"}
    with a.db.reading() as session:
        assert c.id not in receipts.statuses(session, uuid.UUID(aid))
        reasons = [
            e.detail["reason"]
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "federation.reject")
            )
        ]
    assert any(f"node {c.id} was not addressed by record {aid}" in r for r in reasons), reasons
    # And C's own API cannot acknowledge what it never received.
    hc, _ = bearer(c, "liaison_officer", "lo@c.example")
    assert to_c.post(f"/api/v1/alerts/{aid}/acknowledge", headers=hc).status_code == 404


def test_withdrawal_propagates_and_ends_acknowledgements(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    other_a, _ = bearer(a, "liaison_officer", "other@a.example")
    hb, _ = bearer(b, "liaison_officer", "lo@b.example")
    aid = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id])).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    assert (
        to_b.post(f"/api/v1/alerts/{aid}/withdraw", headers=hb, json={"reason": "x"}).status_code
        == 403
    )
    r = to_a.post(f"/api/v1/alerts/{aid}/withdraw", headers=other_a, json={"reason": "x"})
    assert r.status_code == 403 and "author" in r.text
    r = to_a.post(f"/api/v1/alerts/{aid}/withdraw", headers=ha, json={"reason": "boat found"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn" and r.json()["reason"] == "boat found"
    again = to_a.post(f"/api/v1/alerts/{aid}/withdraw", headers=ha, json={"reason": "x"})
    assert again.status_code == 409
    delivery.push_to(a, b.id, http=to_b)
    item = to_b.get("/api/v1/alerts", headers=hb).json()["items"][0]
    assert item["state"] == "withdrawn" and item["title"] is None and item["area"] is None
    assert to_b.get("/api/v1/alerts?active=true", headers=hb).json()["items"] == []
    got = to_b.get(f"/api/v1/alerts/{aid}", headers=hb).json()
    assert got["state"] == "withdrawn" and got["title"] is None and got["body"] is None
    r = to_b.post(f"/api/v1/alerts/{aid}/acknowledge", headers=hb)
    assert r.status_code == 409 and "withdrawn" in r.text


def test_expiry_purges_the_alert_at_both_ends(pair, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    hb, _ = bearer(b, "liaison_officer", "lo@b.example")
    until = clock.iso(clock.now() + timedelta(hours=2))
    aid = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id], valid_until=until)).json()[
        "id"
    ]
    keep = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id], severity="low")).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    shift_clock(timedelta(hours=3))
    # Past its validity it reads as expired at once, before the retention job has run.
    items = {i["id"]: i for i in to_b.get("/api/v1/alerts", headers=hb).json()["items"]}
    assert items[aid]["state"] == "expired" and items[keep]["state"] == "active"
    active = to_b.get("/api/v1/alerts?active=true", headers=hb).json()["items"]
    assert [i["id"] for i in active] == [keep]
    assert to_b.post(f"/api/v1/alerts/{aid}/acknowledge", headers=hb).status_code == 409
    # Retention at the origin signs a tombstone; the receiver purges on its own too.
    with b.db.transaction() as session:
        assert records.expire_due(session, b.keys, actor=SYSTEM) == 1
    with a.db.transaction() as session:
        assert records.expire_due(session, a.keys, actor=SYSTEM) == 1
    # Signed HTTP requests carry the real time: deliver with the clock back where it was.
    shift_clock(timedelta(hours=-3))
    delivery.push_to(a, b.id, http=to_b)
    for node, client, headers in ((a, to_a, ha), (b, to_b, hb)):
        got = client.get(f"/api/v1/alerts/{aid}", headers=headers).json()
        assert got["state"] == "expired" and got["body"] is None and got["area"] is None
        with node.db.reading() as s:
            row = s.get(AlertRow, uuid.UUID(aid))
            assert row is not None and row.state == "expired" and row.title == ""
            assert s.get(StoredRecord, uuid.UUID(aid)).envelope["body"] is None  # type: ignore[union-attr]


def test_bad_input_is_refused_and_nothing_is_stored(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    viewer, _ = bearer(a, "viewer", "viewer@a.example")
    before = (_count(a, StoredRecord), _count(a, AlertRow))
    stranger = "a" * 26
    past = clock.iso(clock.now() - timedelta(minutes=1))
    open_ring = {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 2]]]}
    cases: list[tuple[dict[str, Any], int, str]] = [
        (alert([b.id, stranger]), 422, "not an approved peer"),
        (alert(["not-a-node"]), 422, "neither a node id"),
        (alert([]), 422, ""),
        (alert([a.id]), 422, "not to this node"),
        (alert([b.id], valid_until=past), 422, "valid_until is in the past"),
        (alert([b.id], valid_until="2030-01-01T00:00:00"), 422, "timezone"),
        (alert([b.id], type="shipwreck"), 422, ""),
        (alert([b.id], severity="critical"), 422, ""),
        (alert([b.id], title=""), 422, ""),
        (alert([b.id], area=open_ring), 422, "must be closed"),
        (alert([b.id], area={"type": "Point", "coordinates": [200, 1]}), 422, "out of range"),
        (alert([b.id], countries=["Greece"]), 422, "unknown country code"),
        (alert([b.id], route=str(uuid.uuid4())), 422, "no route"),
        (alert([b.id], entities=["no-such-entity"]), 422, "no entity"),
        (alert([b.id], tlp="RED"), 422, "named recipients"),
        (alert([b.id], colour="red"), 422, "Extra inputs"),
        (alert([b.id], body="both names at once"), 422, "Extra inputs"),
    ]
    for payload, status, text in cases:
        r = to_a.post("/api/v1/alerts", headers=ha, json=payload)
        assert r.status_code == status, (payload, r.text)
        assert text in r.text, (text, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert to_a.post("/api/v1/alerts", headers=viewer, json=alert([b.id])).status_code == 403
    assert (_count(a, StoredRecord), _count(a, AlertRow)) == before
    assert _count(a, receipts.Receipt) == 0
    # Acknowledging one's own alert, or an alert that does not exist.
    aid = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id])).json()["id"]
    assert to_a.post(f"/api/v1/alerts/{aid}/acknowledge", headers=ha).status_code == 409
    missing = to_a.post(f"/api/v1/alerts/{uuid.uuid4()}/acknowledge", headers=ha)
    assert missing.status_code == 404
    assert to_a.get("/api/v1/alerts?severity=critical", headers=ha).status_code == 422
    assert to_a.get("/api/v1/alerts").status_code == 401


def test_list_puts_active_first_by_severity_and_filters(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    ha, _ = bearer(a, "analyst", "an@a.example")
    ids = {}
    for sev, kind in (("low", "route_shift"), ("urgent", "imminent_departure"), ("high", "other")):
        r = to_a.post("/api/v1/alerts", headers=ha, json=alert([b.id], severity=sev, type=kind))
        ids[sev] = r.json()["id"]
    to_a.post(f"/api/v1/alerts/{ids['urgent']}/withdraw", headers=ha, json={"reason": "gone"})
    items = to_a.get("/api/v1/alerts", headers=ha).json()["items"]
    assert [i["id"] for i in items] == [ids["high"], ids["low"], ids["urgent"]]
    assert [i["state"] for i in items] == ["active", "active", "withdrawn"]
    q = to_a.get("/api/v1/alerts?severity=low&severity=high&type=other", headers=ha).json()
    assert [i["id"] for i in q["items"]] == [ids["high"]]
    done = to_a.get("/api/v1/alerts?active=false", headers=ha).json()["items"]
    assert [i["id"] for i in done] == [ids["urgent"]]


def test_red_alert_only_for_the_named_recipient(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    named, handle = bearer(b, "liaison_officer", "named@b.example")
    other, _ = bearer(b, "liaison_officer", "other@b.example")
    body = alert([b.id], tlp="RED", recipients=[f"user:{handle}@{b.id}"])
    aid = to_a.post("/api/v1/alerts", headers=ha, json=body).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    assert [i["id"] for i in to_b.get("/api/v1/alerts", headers=named).json()["items"]] == [aid]
    assert to_b.get("/api/v1/alerts", headers=other).json()["items"] == []
    assert to_b.get(f"/api/v1/alerts/{aid}", headers=other).status_code == 404
    assert to_b.post(f"/api/v1/alerts/{aid}/acknowledge", headers=other).status_code == 404


def test_route_and_entities_are_linked_and_notice_describes_it(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    hb, _ = bearer(b, "investigator", "inv@b.example")
    route = to_a.post("/api/v1/routes", headers=ha, json={**EASTERN_ROUTE, "tlp": "GREEN"}).json()
    case = to_a.post("/api/v1/cases", headers=ha, json={"reference": "R-1", "title": "Van"})
    assert case.status_code == 201, case.text
    person = to_a.post(
        f"/api/v1/cases/{case.json()['id']}/entities",
        headers=ha,
        json={"schema": "Person", "properties": {"name": ["Rashid Khan"]}},
    )
    assert person.status_code == 201, person.text
    pid = person.json()["id"]
    body = alert(
        [b.id],
        type="wanted_facilitator",
        severity="high",
        route=route["id"],
        entities=[pid, {"id": pid, "schema": "Thing", "caption": "ignored"}],
    )
    # The case holds enforcement data: an alert linking it to cooperation readers is refused.
    refused = to_a.post("/api/v1/alerts", headers=ha, json=body)
    assert refused.status_code == 422, refused.text
    assert "purpose" in refused.json()["detail"] and "Rashid Khan" in refused.json()["detail"]
    body["purpose"] = "enforcement"
    r = to_a.post("/api/v1/alerts", headers=ha, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["route"] == route["id"]
    assert r.json()["entities"] == [{"id": pid, "schema": "Person", "caption": "Rashid Khan"}]
    delivery.push_to(a, b.id, http=to_b)
    got = to_b.get(f"/api/v1/alerts/{r.json()['id']}", headers=hb).json()
    assert got["entities"][0]["caption"] == "Rashid Khan" and got["route"] == route["id"]
    with b.db.reading() as s:
        env = s.get(StoredRecord, uuid.UUID(r.json()["id"])).envelope  # type: ignore[union-attr]
    notice = notice_for(env)
    assert notice is not None and notice.kind == "alert" and not notice.urgent
    assert notice.link == f"/alerts/{r.json()['id']}" and "Wanted facilitator" in notice.title
    urgent = notice_for({**env, "body": {**env["body"], "severity": "urgent"}})
    assert urgent is not None and urgent.kind == "alert.urgent" and urgent.urgent


def test_the_text_is_text_and_body_still_works(pair) -> None:  # type: ignore[no-untyped-def]
    """One API vocabulary: an alert's main text is `text`; `body`, its former name, is still
    accepted, and answers carry both (`body` deprecated)."""
    a, b, to_a, _ = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    for name in ("text", "body"):
        payload = alert([b.id])
        payload[name] = payload.pop("text") + f" ({name})"
        r = to_a.post("/api/v1/alerts", headers=ha, json=payload)
        assert r.status_code == 201, r.text
        got = to_a.get(f"/api/v1/alerts/{r.json()['id']}", headers=ha).json()
        assert got["text"] == got["body"] == payload[name]
    schema = to_a.get("/api/v1/openapi.json").json()["components"]["schemas"]["AlertCreate"]
    assert "text" in schema["properties"] and "body" not in schema["properties"]
    assert "deprecated" in schema["properties"]["text"]["description"]
