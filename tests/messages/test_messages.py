from __future__ import annotations

import base64
import hashlib

import pytest

from corridor.federation import delivery
from corridor.security import service as security


def bearer(node, role: str, email: str, make_user=None):  # type: ignore[no-untyped-def]
    from corridor.security.principal import SYSTEM
    from tests.conftest import PASSWORD

    with node.db.transaction() as session:
        try:
            user = security.find_user(session, email)
        except Exception:
            user = security.create_user(
                session, actor=SYSTEM, email=email, role=role, password=PASSWORD
            )
        secret, _ = security.create_token(
            session, actor=SYSTEM, user=user, scopes=["read", "write"]
        )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def crew(pair):  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    return (
        a,
        b,
        to_a,
        to_b,
        bearer(a, "liaison_officer", "lo@a.example"),
        bearer(b, "liaison_officer", "lo@b.example"),
    )


def sync(a, b, to_a, to_b) -> None:  # type: ignore[no-untyped-def]
    delivery.push_to(a, b.id, http=to_b)
    delivery.push_to(b, a.id, http=to_a)


def test_message_round_trip_with_receipts_and_attachment(crew) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb = crew
    pdf = b"%PDF-1.4 fake passport scan"
    r = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={
            "to": [b.id],
            "subject": "Facilitator network in Van",
            "body": "Details follow.",
            "tlp": "AMBER",
            "handling": "H2",
            "evaluation": {"source": "B", "information": 2},
            "attachments": [
                {
                    "name": "scan.pdf",
                    "content_type": "application/pdf",
                    "data": base64.b64encode(pdf).decode(),
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    sync(a, b, to_a, to_b)
    inbox = to_b.get("/api/v1/messages", headers=hb).json()["items"]
    assert [m["id"] for m in inbox] == [mid] and inbox[0]["from"] == a.id
    got = to_b.get(f"/api/v1/messages/{mid}", headers=hb).json()
    assert got["subject"] == "Facilitator network in Van" and got["labels"]["handling"] == "H2"
    att = to_b.get(f"/api/v1/messages/{mid}/attachments/0", headers=hb)
    assert (
        att.content == pdf and att.headers["x-corridor-sha256"] == hashlib.sha256(pdf).hexdigest()
    )
    assert "attachment" in att.headers["content-disposition"]
    sync(a, b, to_a, to_b)  # B's delivered and read receipts travel back
    receipts = to_a.get(f"/api/v1/messages/{mid}", headers=ha).json()["receipts"]
    assert set(receipts[b.id]) == {"delivered", "read"}
    assert to_a.get("/api/v1/messages?box=sent", headers=ha).json()["items"][0]["id"] == mid


def test_reply_threads_and_withdrawal_propagates(crew) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb = crew
    mid = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={"to": [b.id], "subject": "Boat leaving", "body": "Tonight"},
    ).json()["id"]
    sync(a, b, to_a, to_b)
    reply = to_b.post(
        "/api/v1/messages",
        headers=hb,
        json={
            "to": [a.id],
            "subject": "Re: Boat leaving",
            "body": "Coast guard alerted",
            "in_reply_to": mid,
        },
    )
    assert reply.status_code == 201 and reply.json()["thread"] == mid
    sync(a, b, to_a, to_b)
    thread = to_a.get(f"/api/v1/messages?box=all&thread={mid}", headers=ha).json()["items"]
    assert [m["subject"] for m in thread] == ["Boat leaving", "Re: Boat leaving"]
    r = to_a.post(f"/api/v1/messages/{mid}/revoke", headers=ha, json={"reason": "wrong boat"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    sync(a, b, to_a, to_b)
    gone = to_b.get(f"/api/v1/messages/{mid}", headers=hb).json()
    assert gone["state"] == "withdrawn" and gone["body"] is None
    assert (
        to_b.post(f"/api/v1/messages/{mid}/revoke", headers=hb, json={"reason": "x"}).status_code
        == 403
    )


def test_red_and_purpose_limits_hold_at_the_receiver(crew, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb = crew
    named = bearer(b, "investigator", "named@b.example")
    with b.db.transaction() as session:
        handle = security.find_user(session, "named@b.example").handle
    red = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={
            "to": [b.id],
            "subject": "Source identity",
            "body": "…",
            "tlp": "RED",
            "recipients": [f"user:{handle}@{b.id}"],
        },
    ).json()["id"]
    prot = to_a.post(
        "/api/v1/messages",
        headers=bearer(a, "protection_officer", "po@a.example"),
        json={
            "to": [b.id],
            "subject": "Minor in need of shelter",
            "body": "…",
            "purpose": "protection",
        },
    ).json()["id"]
    sync(a, b, to_a, to_b)
    assert to_b.get(f"/api/v1/messages/{red}", headers=hb).status_code == 404
    assert to_b.get(f"/api/v1/messages/{red}", headers=named).status_code == 200
    ids = [m["id"] for m in to_b.get("/api/v1/messages", headers=hb).json()["items"]]
    assert red not in ids and prot not in ids
    assert to_b.get(f"/api/v1/messages/{prot}", headers=named).status_code == 404
    po = bearer(b, "protection_officer", "po@b.example")
    assert to_b.get(f"/api/v1/messages/{prot}", headers=po).status_code == 200


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"to": [], "subject": "s", "body": "b"}, 422),
        ({"to": ["nobody"], "subject": "s", "body": "b"}, 422),
        ({"to": ["z" * 26], "subject": "s", "body": "b"}, 422),  # not a peer
        ({"to": ["B"], "subject": "", "body": "b"}, 422),
        ({"to": ["B"], "subject": "s", "body": "b", "tlp": "RED"}, 422),  # RED without recipients
        ({"to": ["B"], "subject": "s", "body": "b", "expires": "2001-01-01T00:00:00Z"}, 422),
        (
            {
                "to": ["B"],
                "subject": "s",
                "body": "b",
                "attachments": [{"name": "x", "data": "***"}],
            },
            422,
        ),
        (
            {
                "to": ["B"],
                "subject": "s",
                "body": "b",
                "attachments": [{"name": "../etc/passwd", "data": "aGk="}],
            },
            422,
        ),
        ({"to": ["B"], "subject": "s", "body": "b", "colour": "red"}, 422),
    ],
)
def test_bad_messages_store_nothing(crew, payload, status) -> None:  # type: ignore[no-untyped-def]
    _a, b, to_a, _, ha, _ = crew
    payload = {**payload, "to": [b.id if t == "B" else t for t in payload["to"]]}
    r = to_a.post("/api/v1/messages", headers=ha, json=payload)
    assert r.status_code == status, r.text
    assert to_a.get("/api/v1/messages?box=sent", headers=ha).json()["items"] == []


def test_oversized_attachment(crew) -> None:  # type: ignore[no-untyped-def]
    _a, b, to_a, _, ha, _ = crew
    big = base64.b64encode(b"x" * (5 * 1024 * 1024 + 1)).decode()
    r = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={
            "to": [b.id],
            "subject": "s",
            "body": "b",
            "attachments": [{"name": "big", "data": big}],
        },
    )
    assert r.status_code == 422


def test_viewer_cannot_send(crew) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _, _, _ = crew
    h = bearer(a, "viewer", "v@a.example")
    r = to_a.post("/api/v1/messages", headers=h, json={"to": [b.id], "subject": "s", "body": "b"})
    assert r.status_code == 403


def test_the_text_is_text_and_body_still_works(crew) -> None:  # type: ignore[no-untyped-def]
    """One API vocabulary: a message's main text is `text`; `body`, its former name, is still
    accepted (not both at once), and answers carry both (`body` deprecated)."""
    _a, b, to_a, _, ha, _ = crew
    for name in ("text", "body"):
        r = to_a.post(
            "/api/v1/messages",
            headers=ha,
            json={"to": [b.id], "subject": name, name: f"Written as {name}"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["text"] == r.json()["body"] == f"Written as {name}"
        got = to_a.get(f"/api/v1/messages/{r.json()['id']}", headers=ha).json()
        assert got["text"] == got["body"] == f"Written as {name}"
    both = {"to": [b.id], "subject": "s", "text": "t", "body": "b"}
    assert to_a.post("/api/v1/messages", headers=ha, json=both).status_code == 422


def test_labels_written_as_people_write_them_travel_in_canonical_form(crew) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b, ha, hb = crew
    with b.db.transaction() as session:
        handle = security.find_user(session, "lo@b.example").handle
    r = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={
            "to": [b.id],
            "subject": "Boat leaving tonight",
            "text": "…",
            "tlp": "tlp:red",
            "handling": "h2",
            "recipients": [f"user:{handle}@{b.id}"],
        },
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    sent = to_a.get(f"/api/v1/records/{mid}", headers=ha).json()
    assert (sent["labels"]["tlp"], sent["labels"]["handling"]) == ("RED", "H2")
    sync(a, b, to_a, to_b)
    assert to_b.get(f"/api/v1/messages/{mid}", headers=hb).json()["labels"]["tlp"] == "RED"
    bad = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={"to": [b.id], "subject": "x", "text": "x", "tlp": "TLP:PURPLE"},
    )
    assert bad.status_code == 422 and "tlp" in bad.text
