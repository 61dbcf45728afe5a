"""Thematic commitments through the REST API and the service: endorsements, members' actions with
milestones and indicators, progress updates, the dashboard and scorecards, bad input, and the
rule that only the node owning an action reports progress on it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from corridor import clock
from corridor.errors import PermissionDenied
from corridor.federation import delivery
from corridor.mapping.commitments import service as cm
from corridor.mapping.commitments.models import ActionRow, EndorsementRow
from corridor.records import envelope as env_mod
from corridor.records import service as records
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM
from tests.entities.test_api import bearer


def today() -> date:
    return clock.now().date()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def commitment(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Verify travel documents at every crossing on the eastern route",
        "theme": "fraudulent_documents",
        "text": "Members equip their crossings with document examination kits and train staff.",
        "adopted": day(-60),
        "ends": day(700),
        "countries": ["PK", "IRN", "TR"],
        "tlp": "GREEN",
    }
    body.update(over)
    return body


def action(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Document examination kits at Taftan",
        "owner": "FIA Immigration Wing",
        "milestones": [
            {"id": "kits", "title": "Kits delivered", "due": day(30)},
            {"id": "training", "title": "Staff trained", "due": day(90)},
        ],
        "indicators": [
            {"id": "officers", "name": "Officers trained", "unit": "persons", "baseline": 0,
             "target": 40},
            {"id": "hours", "name": "Hours to verify a passport", "unit": "min",
             "baseline": 100, "target": 50},
        ],
    }  # fmt: skip
    body.update(over)
    return body


def count(node, model) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return session.query(model).count()


@pytest.fixture
def created(client, analyst) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/commitments", headers=analyst, json=commitment())
    assert r.status_code == 201, r.text
    return r.json()


def test_commitment_endorsement_action_updates_and_aggregates(  # type: ignore[no-untyped-def]
    client, analyst, created, node, shift_clock
) -> None:
    cid = created["id"]
    assert created["countries"] == ["PK", "IR", "TR"] and created["labels"]["tlp"] == "GREEN"

    r = client.post(f"/api/v1/commitments/{cid}/endorse", headers=analyst, json={"note": "Yes"})
    assert r.status_code == 201, r.text
    assert r.json()["commitment"] == cid and r.json()["on"] == day(0)
    again = client.post(f"/api/v1/commitments/{cid}/endorse", headers=analyst, json={})
    assert again.status_code == 409 and "already endorsed" in again.text
    assert count(node, EndorsementRow) == 1

    r = client.post(f"/api/v1/commitments/{cid}/actions", headers=analyst, json=action())
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert r.json()["country"] == "PK" and r.json()["updates"] == []

    # First update: a milestone reached, one indicator moves.
    r = client.post(
        f"/api/v1/commitments/{cid}/actions/{aid}/updates",
        headers=analyst,
        json={
            "on": day(-1),
            "text": "Kits installed at the Taftan crossing.",
            "values": {"officers": 10},
            "milestones_done": ["kits"],
            "evidence": [{"title": "Delivery note", "url": "https://example.org/kits"}],
        },
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["version"] == 2
    assert {m["id"]: m.get("done_on") for m in got["milestones"]} == {
        "kits": day(-1),
        "training": None,
    }
    assert {i["id"]: i.get("current") for i in got["indicators"]} == {
        "officers": 10,
        "hours": None,
    }
    # Second update: the latest value of each indicator counts.
    r = client.post(
        f"/api/v1/commitments/{cid}/actions/{aid}/updates",
        headers=analyst,
        json={
            "on": day(0),
            "text": "More staff trained.",
            "values": {"officers": 30, "hours": 67.5},
        },
    )
    assert r.status_code == 201, r.text
    assert {i["id"]: i["current"] for i in r.json()["indicators"]} == {
        "officers": 30,
        "hours": 67.5,
    }

    # A second commitment under another theme, with one action whose only milestone is done.
    other = client.post(
        "/api/v1/commitments",
        headers=analyst,
        json=commitment(title="Take down smuggling adverts", theme="digital_smuggling"),
    ).json()
    r = client.post(
        f"/api/v1/commitments/{other['id']}/actions",
        headers=analyst,
        json={
            "title": "Referral channel with platforms",
            "owner": "FIA Cyber Crime Wing",
            "milestones": [{"id": "mou", "title": "MoU signed", "due": day(10)}],
        },
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/commitments/{other['id']}/actions/{r.json()['id']}/updates",
        headers=analyst,
        json={"on": day(0), "text": "Signed.", "milestones_done": ["mou"]},
    )
    assert r.status_code == 201, r.text

    # Progress: milestones 1/2 = 0.5; indicators (30/40 = 0.75, (67.5-100)/(50-100) = 0.65)
    # average 0.7; the action's progress is the mean of the two: 0.6.
    detail = client.get(f"/api/v1/commitments/{cid}", headers=analyst).json()
    (item,) = detail["action_items"]
    assert item["milestones_done"] == 1 and item["milestones_total"] == 2
    assert item["attainment"] == pytest.approx(0.7) and item["progress"] == pytest.approx(0.6)
    assert item["overdue"] == [] and item["last_update"] == day(0)
    assert detail["endorsed_by"] == [node.id] and detail["endorsements"][0]["note"] == "Yes"
    assert detail["text"].startswith("Members equip")

    items = client.get("/api/v1/commitments", headers=analyst).json()["items"]
    # The four thematic areas in their order: fraudulent documents before digital smuggling.
    assert [i["id"] for i in items] == [cid, other["id"]]
    assert items[0]["actions"] == 1 and items[0]["progress"] == pytest.approx(0.6)
    assert items[1]["progress"] == pytest.approx(1.0) and items[0]["overdue"] == 0

    dash = client.get("/api/v1/commitments/dashboard", headers=analyst).json()
    assert dash["commitments"] == 2
    assert dash["themes"] == [
        {
            "theme": "fraudulent_documents",
            "commitments": 1,
            "actions": 1,
            "progress": pytest.approx(0.6),
            "overdue": 0,
        },
        {
            "theme": "digital_smuggling",
            "commitments": 1,
            "actions": 1,
            "progress": pytest.approx(1.0),
            "overdue": 0,
        },
    ]
    assert dash["members"] == [
        {
            "origin": node.id,
            "country": "PK",
            "actions": 2,
            "progress": pytest.approx(0.8),
            "milestones_done": 2,
            "milestones_total": 3,
            "overdue": 0,
            "endorsements": 1,
        }
    ]
    assert dash["overdue"] == []

    card = client.get("/api/v1/commitments/scorecard/pak", headers=analyst).json()
    assert card["country"] == "PK" and card["actions"] == 2
    assert card["milestones_done"] == 2 and card["milestones_total"] == 3
    assert card["progress"] == pytest.approx(0.8) and card["overdue"] == 0
    assert [r["commitment"]["id"] for r in card["commitments"]] == [cid, other["id"]]
    empty = client.get("/api/v1/commitments/scorecard/IR", headers=analyst).json()
    assert empty["commitments"] == [] and empty["actions"] == 0 and empty["progress"] is None
    assert client.get("/api/v1/commitments/scorecard/ZZ", headers=analyst).status_code == 422

    # Time passes: "Staff trained" (due in 90 days, not reported) becomes overdue.
    training_due = day(90)
    shift_clock(timedelta(days=91))
    dash = client.get("/api/v1/commitments/dashboard", headers=analyst).json()
    (late,) = dash["overdue"]
    assert late["id"] == "training" and late["action"] == aid and late["commitment"] == cid
    assert late["country"] == "PK" and late["due"] == training_due
    assert dash["members"][0]["overdue"] == 1 and dash["themes"][0]["overdue"] == 1
    assert client.get("/api/v1/commitments/scorecard/PK", headers=analyst).json()["overdue"] == 1
    assert client.get("/api/v1/commitments", headers=analyst).json()["items"][0]["overdue"] == 1


def test_bad_input_is_refused_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    client, analyst, created, token_for, node
) -> None:
    cid = created["id"]
    aid = client.post(f"/api/v1/commitments/{cid}/actions", headers=analyst, json=action()).json()[
        "id"
    ]
    before = count(node, StoredRecord)
    updates = f"/api/v1/commitments/{cid}/actions/{aid}/updates"
    bad = [
        (
            f"/api/v1/commitments/{cid}/actions",
            action(milestones=[{"id": "early", "title": "Too early", "due": day(-61)}]),
            "before the commitment was adopted",
        ),
        (
            f"/api/v1/commitments/{cid}/actions",
            action(milestones=[{"id": "late", "title": "Too late", "due": day(701)}]),
            "after the commitment ends",
        ),
        (
            f"/api/v1/commitments/{cid}/actions",
            action(milestones=[{"id": "Bad Id", "title": "x", "due": day(1)}]),
            "milestones",
        ),
        (
            f"/api/v1/commitments/{cid}/actions",
            action(indicators=[{"id": "flat", "name": "x", "baseline": 5, "target": 5}]),
            "the target equals the baseline",
        ),
        ("/api/v1/commitments", commitment(adopted=day(0), ends=day(-1)), "cannot end before"),
        ("/api/v1/commitments", commitment(countries=["ZZ"]), "unknown country code"),
        ("/api/v1/commitments", commitment(theme="smuggling"), "theme"),
        (updates, {"on": day(1), "text": "Tomorrow"}, "cannot be dated in the future"),
        (updates, {"on": day(-61), "text": "Before"}, "before the commitment was adopted"),
        (updates, {"on": day(0), "text": "x", "values": {"ghost": 1}}, "unknown indicators"),
        (updates, {"on": day(0), "text": "x", "milestones_done": ["ghost"]}, "unknown milestones"),
    ]
    for path, body, needle in bad:
        r = client.post(path, headers=analyst, json=body)
        assert r.status_code in (400, 422), (needle, r.status_code, r.text)
        assert needle in r.text, (needle, r.text)
    missing = f"/api/v1/commitments/{uuid.uuid4()}/actions"
    assert client.post(missing, headers=analyst, json=action()).status_code == 404

    viewer = token_for("viewer", scopes=("read", "write"))
    assert client.get(f"/api/v1/commitments/{cid}", headers=viewer).status_code == 200
    assert client.post("/api/v1/commitments", headers=viewer, json=commitment()).status_code == 403
    r = client.post(f"/api/v1/commitments/{cid}/endorse", headers=viewer, json={})
    assert r.status_code == 403
    assert client.post(updates, headers=viewer, json={"on": day(0), "text": "x"}).status_code == 403
    assert count(node, StoredRecord) == before


def test_only_the_owner_of_an_action_reports_on_it(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    hb, _ = bearer(b, "analyst", "analyst@b.example")
    c = to_a.post("/api/v1/commitments", headers=ha, json=commitment(to=[b.id])).json()
    act = to_a.post(f"/api/v1/commitments/{c['id']}/actions", headers=ha, json=action()).json()
    assert act["audience"]["nodes"] == [b.id]  # the commitment's audience; A is the origin
    delivery.push_to(a, b.id, http=to_b)

    # B sees the commitment and A's action ...
    seen = to_b.get(f"/api/v1/commitments/{c['id']}", headers=hb).json()
    assert [x["id"] for x in seen["action_items"]] == [act["id"]]
    assert seen["action_items"][0]["origin"] == a.id
    # ... but neither reports progress on it nor changes it.
    r = to_b.post(
        f"/api/v1/commitments/{c['id']}/actions/{act['id']}/updates",
        headers=hb,
        json={"on": day(0), "text": "Done by us", "milestones_done": ["kits"]},
    )
    assert r.status_code == 403 and "only the node that owns the action" in r.text
    r = to_b.put(
        f"/api/v1/commitments/{c['id']}/actions/{act['id']}",
        headers=hb,
        json=action(title="Renamed by B"),
    )
    assert r.status_code == 403
    r = to_b.put(f"/api/v1/commitments/{c['id']}", headers=hb, json=commitment(title="B's"))
    assert r.status_code == 403

    # B endorses and adds its own action; both reach A.
    assert (
        to_b.post(f"/api/v1/commitments/{c['id']}/endorse", headers=hb, json={}).status_code == 201
    )
    mine = to_b.post(
        f"/api/v1/commitments/{c['id']}/actions",
        headers=hb,
        json=action(title="Kits at Kapıköy", owner="Jandarma Van"),
    )
    assert mine.status_code == 201 and mine.json()["country"] == "TR"
    delivery.push_to(b, a.id, http=to_a)
    at_a = to_a.get(f"/api/v1/commitments/{c['id']}", headers=ha).json()
    assert at_a["endorsed_by"] == [b.id]
    assert sorted(x["country"] for x in at_a["action_items"]) == ["PK", "TR"]
    dash = to_a.get("/api/v1/commitments/dashboard", headers=ha).json()
    assert [m["country"] for m in dash["members"]] == ["PK", "TR"]

    # Federation: B signs a "new version" of A's action; A refuses it as another origin's.
    with a.db.reading() as session:
        original = session.get(StoredRecord, uuid.UUID(act["id"])).envelope  # type: ignore[union-attr]
    body = {**original["body"], "title": "Taken over by B"}
    forged = env_mod.sign(
        {
            **env_mod.unsigned(original),
            "version": original["version"] + 1,
            "origin": b.id,
            "seq": 999,
            "ts": clock.iso(clock.now()),
            "audience": {"nodes": [a.id], "groups": []},
            "body": body,
        },
        b.keys,
    )
    before = count(a, StoredRecord)
    with (
        pytest.raises(PermissionDenied, match="belongs to another origin"),
        a.db.transaction() as s,
    ):
        records.ingest(
            s,
            envelope=forged,
            public_keys_for=lambda origin: [b.keys.signing_public] if origin == b.id else [],
            addressed_to_us=lambda e: a.id in e["audience"]["nodes"],
            actor=SYSTEM,
        )
    assert count(a, StoredRecord) == before
    with a.db.reading() as session:
        row = session.get(ActionRow, uuid.UUID(act["id"]))
        assert row is not None and row.title == action()["title"] and row.version == 1
    # The API of A still shows A's action unchanged.
    got = to_a.get(f"/api/v1/commitments/{c['id']}/actions/{act['id']}", headers=ha).json()
    assert got["version"] == 1 and got["origin"] == a.id


def test_service_save_action_keeps_updates_and_checks_period(node, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("analyst")
    with node.db.transaction() as s:
        c = cm.save_commitment(
            s,
            node.keys,
            actor=analyst,
            body={k: v for k, v in commitment().items() if k != "tlp"},
        )
        cid = uuid.UUID(c["id"])
        act = cm.save_action(
            s,
            node.keys,
            actor=analyst,
            commitment_id=cid,
            fields=action(),
            node_country="PK",
        )
        aid = uuid.UUID(act["id"])
        cm.post_update(
            s,
            node.keys,
            actor=analyst,
            commitment_id=cid,
            action_id=aid,
            on=today(),
            text="Kits delivered.",
            milestones_done=["kits"],
            values={"officers": 20},
        )
    # Changing the action (a new title and a milestone added) keeps the updates and what they
    # reported.
    fields = action(title="Kits at Taftan and Chaman")
    fields["milestones"].append({"id": "chaman", "title": "Chaman kits", "due": day(120)})
    with node.db.transaction() as s:
        changed = cm.save_action(
            s,
            node.keys,
            actor=analyst,
            commitment_id=cid,
            fields=fields,
            node_country="PK",
            action_id=aid,
        )
    assert changed["version"] == 3 and len(changed["body"]["updates"]) == 1
    assert {m["id"]: m.get("done_on") for m in changed["body"]["milestones"]} == {
        "kits": day(0),
        "training": None,
        "chaman": None,
    }
    assert changed["body"]["indicators"][0]["current"] == 20
    with node.db.reading() as s:
        updates = cm.action_updates(s, node.id, actor=analyst, action_id=aid)
    assert [u["text"] for u in updates] == ["Kits delivered."]
