"""Regression tests of issue 13's findings on derived paths, through the REST API of two peered
nodes (records pushed through the real federation endpoint), on SQLite and PostgreSQL:

1. an alert linking a protection case's person, or a TLP:RED case's person, past its labels;
   and the alert at home shown to people outside the case;
3. the generic revoke open to any writer (another user's message, the node card);
4. a reply lowering the labels of what it answers;
5. a withdrawn alert's title left in the recipients' notifications.
(2, the merge then re-share, is in test_label_matrix.py with three nodes.)"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from corridor.federation import delivery
from corridor.records.models import StoredRecord
from tests.cooperation.test_alerts import alert
from tests.entities.test_api import bearer


def _person_in_case(to: Any, headers: dict[str, str], **case: Any) -> str:
    made = to.post(
        "/api/v1/cases",
        headers=headers,
        json={"reference": f"C-{uuid.uuid4().hex[:6]}", "title": "Crossings", **case},
    )
    assert made.status_code == 201, made.text
    person = to.post(
        f"/api/v1/cases/{made.json()['id']}/entities",
        headers=headers,
        json={"schema": "Person", "properties": {"name": ["Amina Y."]}},
    )
    assert person.status_code == 201, person.text
    return str(person.json()["id"])


def test_an_alert_carries_linked_entities_only_within_their_labels(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    po, _ = bearer(a, "protection_officer", "po@a.example")
    inv, _ = bearer(a, "investigator", "inv@a.example")
    colleague, _ = bearer(a, "investigator", "inv2@a.example")
    admin_a, _ = bearer(a, "administrator", "admin@a.example")
    victim = _person_in_case(to_a, po, purpose="protection")
    body = alert([b.id], type="other", severity="medium", entities=[victim])
    refused = to_a.post("/api/v1/alerts", headers=po, json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("purpose: 'Amina Y.'")
    ok = to_a.post("/api/v1/alerts", headers=po, json={**body, "purpose": "protection"})
    assert ok.status_code == 201, ok.text
    aid = ok.json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    for role in ("administrator", "investigator", "liaison_officer", "viewer"):
        h, _ = bearer(b, role, f"{role}@b.example")
        assert to_b.get(f"/api/v1/alerts/{aid}", headers=h).status_code == 404, role
        assert to_b.get(f"/api/v1/records/{aid}", headers=h).status_code == 404, role
    po_b, _ = bearer(b, "protection_officer", "po@b.example")
    seen = to_b.get(f"/api/v1/alerts/{aid}", headers=po_b).json()
    assert seen["entities"][0]["caption"] == "Amina Y."
    # At home, only the case's members read it (a protection officer outside the case too).
    other_po, _ = bearer(a, "protection_officer", "po2@a.example")
    assert to_a.get(f"/api/v1/alerts/{aid}", headers=other_po).status_code == 404
    assert aid not in [
        i["id"] for i in to_a.get("/api/v1/alerts", headers=other_po).json()["items"]
    ]
    assert to_a.get(f"/api/v1/alerts/{aid}", headers=po).status_code == 200
    for h in (admin_a, inv, colleague):
        assert to_a.get(f"/api/v1/records/{aid}", headers=h).status_code == 404

    secret = _person_in_case(to_a, inv, tlp="RED")
    red = alert([b.id], type="wanted_facilitator", severity="high", entities=[secret])
    red["purpose"] = "enforcement"
    refused = to_a.post("/api/v1/alerts", headers=inv, json={**red, "tlp": "GREEN"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("tlp: 'Amina Y.'")
    with a.db.reading() as s:
        assert (
            s.scalar(select(StoredRecord.id).where(StoredRecord.type == "alert").offset(1)) is None
        )


def test_a_reply_never_lowers_what_it_answers(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    inv_a, handle_a = bearer(a, "investigator", "inv@a.example")
    inv_b, handle_b = bearer(b, "investigator", "inv@b.example")
    po_a, _ = bearer(a, "protection_officer", "po@a.example")
    po_b, _ = bearer(b, "protection_officer", "po@b.example")
    _, other_b = bearer(b, "investigator", "inv2@b.example")

    def send(to: Any, h: dict[str, str], **over: Any) -> Any:
        body = {"to": over.pop("to_nodes"), "subject": "Boat", "body": "Leaving tonight."}
        return to.post("/api/v1/messages", headers=h, json={**body, **over})

    red = send(to_a, inv_a, to_nodes=[b.id], tlp="RED", recipients=[f"user:{handle_b}@{b.id}"])
    amber = send(to_a, inv_a, to_nodes=[b.id], tlp="AMBER")
    protection = send(to_a, po_a, to_nodes=[b.id], tlp="AMBER", purpose="protection")
    for r in (red, amber, protection):
        assert r.status_code == 201, r.text
    delivery.push_to(a, b.id, http=to_b)
    cases = [
        (inv_b, red, {"tlp": "GREEN"}, "tlp"),
        (inv_b, red, {"tlp": "RED", "recipients": [f"user:{other_b}"]}, None),
        (inv_b, amber, {"tlp": "CLEAR"}, "tlp"),
        (po_b, protection, {"tlp": "AMBER", "purpose": "cooperation"}, "purpose"),
    ]
    for h, parent, labels, field in cases:
        r = send(to_b, h, to_nodes=[a.id], in_reply_to=parent.json()["id"], **labels)
        if field is None:
            # RED to someone at B who is not among the message's people: refused too.
            assert r.status_code == 422 and "recipients" in r.json()["detail"], r.text
        else:
            assert r.status_code == 422 and r.json()["detail"].startswith(f"{field}:"), r.text
    ok = send(
        to_b,
        inv_b,
        to_nodes=[a.id],
        in_reply_to=red.json()["id"],
        tlp="RED",
        recipients=[f"user:{handle_a}@{a.id}"],
    )
    assert ok.status_code == 201, ok.text
    # A node outside the message's audience never gets the answer.
    c_id = "c" * 26
    outside = send(to_b, inv_b, to_nodes=[a.id, c_id], in_reply_to=amber.json()["id"])
    assert outside.status_code == 422


def test_only_authors_and_named_roles_revoke(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    author, _ = bearer(a, "investigator", "inv@a.example")
    other, _ = bearer(a, "investigator", "inv2@a.example")
    admin, _ = bearer(a, "administrator", "admin@a.example")
    msg = to_a.post(
        "/api/v1/messages",
        headers=author,
        json={"to": [b.id], "subject": "Hello", "body": "Hello", "tlp": "GREEN"},
    ).json()
    reason = {"reason": "not mine to withdraw"}
    for h in (other, admin):
        r = to_a.post(f"/api/v1/records/{msg['id']}/revoke", headers=h, json=reason)
        assert r.status_code in (403, 404), r.text
    with a.db.reading() as s:
        card = s.scalar(select(StoredRecord.id).where(StoredRecord.type == "node.card"))
    r = to_a.post(f"/api/v1/records/{card}/revoke", headers=admin, json=reason)
    assert r.status_code == 409 and "never revoked" in r.json()["detail"]
    assert to_a.get("/api/v1/node", headers=admin).status_code == 200
    r = to_a.post(f"/api/v1/records/{msg['id']}/revoke", headers=author, json=reason)
    assert r.status_code == 200, r.text


def test_a_withdrawn_alert_leaves_nothing_in_notifications(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    lo_a, _ = bearer(a, "liaison_officer", "lo@a.example")
    lo_b, _ = bearer(b, "liaison_officer", "lo@b.example")
    sent = to_a.post("/api/v1/alerts", headers=lo_a, json=alert([b.id], title="Blue Star leaves"))
    assert sent.status_code == 201, sent.text
    delivery.push_to(a, b.id, http=to_b)
    before = to_b.get("/api/v1/notifications", headers=lo_b).json()["items"]
    assert any("Blue Star" in n["title"] for n in before)
    r = to_a.post(
        f"/api/v1/alerts/{sent.json()['id']}/withdraw",
        headers=lo_a,
        json={"reason": "sent in error"},
    )
    assert r.status_code == 200, r.text
    delivery.push_to(a, b.id, http=to_b)
    after = to_b.get("/api/v1/notifications", headers=lo_b).json()["items"]
    assert len(after) == len(before)
    assert not any("Blue Star" in str(n) for n in after)
