"""Notifications: who is told about what (visibility, preferences), the API, real-time events,
and the whole path from a record received from a partner to its recipients and back."""

from __future__ import annotations

import json
import queue as queue_mod
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.cooperation.notifications import registry, service
from corridor.cooperation.notifications.models import Notification
from corridor.errors import InvalidInput, NotFound
from corridor.federation import delivery
from corridor.jobs.models import Job
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from tests.entities.test_api import bearer

PARTNER = "A" * 26


def envelope(
    *,
    tlp: str = "AMBER",
    purpose: str = "cooperation",
    recipients: list[str] | None = None,
    type: str = "message",
) -> dict[str, Any]:
    labels: dict[str, Any] = {"tlp": tlp, "purpose": purpose}
    if recipients is not None:
        labels["recipients"] = recipients
    return {
        "id": str(uuid.uuid4()),
        "type": type,
        "version": 1,
        "origin": PARTNER,
        "author": "u-partner",
        "labels": labels,
        "audience": {"nodes": [], "groups": []},
        "body": {"subject": "Secret subject", "text": "Secret text"},
    }


NOTICE = registry.Notice(kind="message", title="New message", link="/messages/x")
URGENT = registry.Notice(kind="alert.urgent", title="Urgent thing", link="/alerts/x", urgent=True)


def notified(node, notice=NOTICE, **kw) -> int:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return service.notify(session, node_id=node.id, notice=notice, **kw)


def rows_of(node, principal) -> list[Notification]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return list(
            session.scalars(select(Notification).where(Notification.user_id == principal.user_id))
        )


def test_every_user_who_may_see_it_is_told_once(node, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("analyst")
    protection = make_user("protection_officer")
    viewer = make_user("viewer")
    gone = make_user("investigator")
    with node.db.transaction() as session:
        user = security.find_user(session, gone.handle)
        security.update_user(session, actor=SYSTEM, user=user, disabled=True)
    env = envelope()
    # The node's administrator (made at init) counts too: cooperation data is theirs to see.
    assert notified(node, envelope=env) == 4
    for p in (analyst, protection, viewer):
        (row,) = rows_of(node, p)
        assert row.record_id == uuid.UUID(env["id"]) and row.title == "New message"
        assert row.read_at is None and row.web
    assert rows_of(node, gone) == []


def test_tlp_red_reaches_only_its_named_recipient(node, make_user) -> None:  # type: ignore[no-untyped-def]
    named = make_user("analyst")
    unit_member = make_user("investigator", unit="Maritime desk")
    other = make_user("analyst")
    with node.db.transaction() as session:
        unit = security.find_unit(session, "Maritime desk").handle
    env = envelope(tlp="RED", recipients=[f"user:{named.handle}@{node.id}", f"unit:{unit}"])
    assert notified(node, envelope=env) == 2
    assert len(rows_of(node, named)) == 1 and len(rows_of(node, unit_member)) == 1
    assert rows_of(node, other) == []
    # Addressed to the same handle on another node: nobody here.
    elsewhere = envelope(tlp="RED", recipients=[f"user:{named.handle}@{PARTNER}"])
    assert notified(node, envelope=elsewhere) == 0


def test_protection_data_never_reaches_enforcement_roles(node, make_user) -> None:  # type: ignore[no-untyped-def]
    protection = make_user("protection_officer")
    enforcement = [make_user(r) for r in ("analyst", "investigator", "liaison_officer")]
    assert notified(node, envelope=envelope(purpose="protection")) == 1
    assert len(rows_of(node, protection)) == 1
    assert all(rows_of(node, p) == [] for p in enforcement)
    # Naming an enforcement user explicitly does not override the purpose.
    handles = [enforcement[0].handle, protection.handle]
    assert notified(node, envelope=envelope(purpose="protection"), handles=handles) == 1
    assert rows_of(node, enforcement[0]) == []


def test_handles_limit_who_is_told(node, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b = make_user("analyst"), make_user("analyst")
    assert notified(node, handles=[b.handle, "u-nobody"]) == 1
    assert rows_of(node, a) == [] and len(rows_of(node, b)) == 1


def test_preferences_are_honoured(node, make_user) -> None:  # type: ignore[no-untyped-def]
    quiet, mail_only, default = (make_user("analyst") for _ in range(3))
    with node.db.transaction() as session:
        service.set_preferences(session, actor=quiet, kinds={"message": (False, "off")})
        service.set_preferences(session, actor=mail_only, kinds={"message": (False, "digest")})
    assert notified(node, handles=[quiet.handle, mail_only.handle, default.handle]) == 2
    assert rows_of(node, quiet) == []
    (hidden,) = rows_of(node, mail_only)
    assert not hidden.web and hidden.email_state == "digest"
    (shown,) = rows_of(node, default)
    assert shown.web and shown.email_state == "digest"  # non-urgent: the digest by default
    with node.db.transaction() as session:
        # The mail-only row is never listed nor counted in the browser.
        assert service.list_notifications(session, actor=mail_only) == []
        assert service.unread_count(session, actor=mail_only) == 0
        assert service.unread_count(session, actor=default) == 1


def test_urgent_notices_queue_one_mail_job(node, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, off = (make_user("analyst") for _ in range(3))
    registry.register_kinds({"alert.urgent": "Urgent alerts"})
    with node.db.transaction() as session:
        service.set_preferences(session, actor=off, kinds={"alert.urgent": (True, "off")})
        before = session.scalar(
            select(func.count()).select_from(Job).where(Job.kind == "notifications.email")
        )
    assert notified(node, URGENT, handles=[a.handle, b.handle, off.handle]) == 3
    with node.db.transaction() as session:
        jobs = list(session.scalars(select(Job).where(Job.kind == "notifications.email")))
    assert len(jobs) == (before or 0) + 1
    ids = set(jobs[-1].payload["ids"])
    assert ids == {str(rows_of(node, a)[0].id), str(rows_of(node, b)[0].id)}
    assert rows_of(node, off)[0].email_state == "none"


def test_bad_preferences_are_refused_and_change_nothing(node, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst")
    with node.db.transaction() as session:
        service.set_preferences(session, actor=p, kinds={"message": (False, "off")})
    for kinds, digest in (
        ({"message": (True, "digest"), "no.such.kind": (True, "off")}, None),
        ({"message": (True, "sometimes")}, None),
        ({"message": (True, "digest")}, "weekly"),
    ):
        with pytest.raises(InvalidInput), node.db.transaction() as session:
            service.set_preferences(session, actor=p, kinds=kinds, digest=digest)
    with node.db.transaction() as session:
        prefs, digest = service.get_preferences(session, actor=p)
    message = next(x for x in prefs if x.kind == "message")
    assert (message.web, message.email, message.explicit, digest) == (False, "off", True, "daily")


def test_mark_read_touches_only_ones_own(node, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b = make_user("analyst"), make_user("analyst")
    notified(node, handles=[a.handle, b.handle])
    notified(node, handles=[a.handle])
    (theirs,) = rows_of(node, b)
    first = rows_of(node, a)[0].id
    with pytest.raises(NotFound), node.db.transaction() as session:
        service.mark_read(session, actor=a, ids=[first, theirs.id])
    with node.db.transaction() as session:
        assert service.unread_count(session, actor=a) == 2
        assert service.mark_read(session, actor=a, ids=[first]) == 1
        assert service.unread_count(session, actor=a) == 1
        assert service.mark_read(session, actor=a) == 1
        assert service.unread_count(session, actor=a) == 0
        assert service.unread_count(session, actor=b) == 1


def test_titles_are_translated_for_each_reader(node, make_user) -> None:  # type: ignore[no-untyped-def]
    notice = registry.Notice(
        kind="receipt.read",
        title="{node} read your {what}",
        link="/messages/x",
        params={"node": "Node B (TR)", "what": "message"},
    )
    assert (
        service.render_title(notice.title, notice.params, "en") == "Node B (TR) read your message"
    )
    # A title whose placeholders the params lack is shown as written, never an error.
    assert service.render_title("{missing} here", {"node": "x"}, "en") == "{missing} here"


# --- API ---------------------------------------------------------------------------------


def test_api_lists_marks_read_and_sets_preferences(node, client) -> None:  # type: ignore[no-untyped-def]
    h, handle = bearer(node, "analyst", "an@test.example")
    other, _ = bearer(node, "analyst", "other@test.example")
    notified(node, handles=[handle])
    notified(node, URGENT, handles=[handle])
    data = client.get("/api/v1/notifications", headers=h).json()
    assert data["unread"] == 2 and len(data["items"]) == 2
    newest = data["items"][0]
    assert newest["title"] == "Urgent thing" and newest["urgent"] and newest["read_at"] is None
    assert client.get("/api/v1/notifications", headers=other).json() == {"items": [], "unread": 0}

    # Someone else's id: 404, nothing changes.
    r = client.post("/api/v1/notifications/read", headers=other, json={"ids": [newest["id"]]})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    for bad in ({}, {"ids": [newest["id"]], "all": True}, {"ids": ["nope"]}, {"all": "yes"}):
        assert client.post("/api/v1/notifications/read", headers=h, json=bad).status_code == 422
    r = client.post("/api/v1/notifications/read", headers=h, json={"ids": [newest["id"]]})
    assert r.json() == {"marked": 1, "unread": 1}
    assert client.post("/api/v1/notifications/read", headers=h, json={"all": True}).json() == {
        "marked": 1,
        "unread": 0,
    }
    assert client.get("/api/v1/notifications?unread=true", headers=h).json()["items"] == []

    prefs = client.get("/api/v1/notifications/preferences", headers=h).json()
    assert prefs["kinds"]["message"] == {
        "label": "Secure messages",
        "web": True,
        "email": "digest",
        "default": True,
    }
    assert prefs["digest"] == "daily" and prefs["email_available"] is False
    r = client.put(
        "/api/v1/notifications/preferences",
        headers=h,
        json={"kinds": {"message": {"web": False, "email": "off"}}, "digest": "hourly"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["kinds"]["message"]["web"] is False and r.json()["digest"] == "hourly"
    for bad in (
        {"kinds": {"nope": {"web": True, "email": "off"}}},
        {"kinds": {"message": {"web": True, "email": "weekly"}}},
        {"digest": "weekly"},
        {"kinds": {"message": {"web": True}}},
    ):
        r = client.put("/api/v1/notifications/preferences", headers=h, json=bad)
        assert r.status_code in (400, 422), bad
    assert (
        client.get("/api/v1/notifications/preferences", headers=h).json()["kinds"]["message"]["web"]
        is False
    )
    assert client.get("/api/v1/notifications").status_code == 401


# --- real time -----------------------------------------------------------------------------


class Stream:
    """Reads one user's /api/v1/events in a thread; `next_notification` waits for an event.
    Streams share one app client: the node's event broker serves one event loop, as a real
    server has."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.lines: queue_mod.Queue[str] = queue_mod.Queue()
        self.stop = threading.Event()
        self.client, self.headers = client, headers
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        assert self.lines.get(timeout=10) == ": connected"

    def _listen(self) -> None:
        try:
            with self.client.stream("GET", "/api/v1/events", headers=self.headers) as r:
                for line in r.iter_lines():
                    self.lines.put(line)
                    if self.stop.is_set():
                        return
        except Exception:
            # The app client closes under a stream the test has finished with.
            if not self.stop.is_set():
                raise

    def next_notification(self, timeout: float = 10) -> dict[str, Any]:
        event = None
        while True:
            line = self.lines.get(timeout=timeout)
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "notification":
                return json.loads(line[6:])


def test_notification_events_reach_only_their_user_after_commit(node, client) -> None:  # type: ignore[no-untyped-def]
    ha, a = bearer(node, "analyst", "a@test.example")
    hb, b = bearer(node, "analyst", "b@test.example")
    sa, sb = Stream(client, ha), Stream(client, hb)
    # Rolled back: never announced.
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        service.notify(session, node_id=node.id, notice=NOTICE, handles=[a, b])
        raise RuntimeError("undo")
    notified(node, registry.Notice("message", "Only for A", "/messages/1"), handles=[a])
    notified(node, registry.Notice("message", "For both", "/messages/2"), handles=[a, b])
    first_a, second_a = sa.next_notification(), sa.next_notification()
    first_b = sb.next_notification()
    sa.stop.set()
    sb.stop.set()
    assert first_a["title"] == "Only for A" and first_a["link"] == "/messages/1"
    assert second_a["title"] == "For both"
    # B's first event is the shared one: A's own notice never reached B's stream.
    assert first_b["title"] == "For both" and first_b["id"] != second_a["id"]


# --- end to end across two nodes -----------------------------------------------------------


def test_a_received_message_notifies_its_readers_and_the_read_receipt_its_author(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    hb, _ = bearer(b, "liaison_officer", "lo@b.example")
    hp, _ = bearer(b, "protection_officer", "po@b.example")
    other_a, _ = bearer(a, "liaison_officer", "lo2@a.example")
    r = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={"to": [b.id], "subject": "Boat leaving tonight", "body": "Details", "tlp": "AMBER"},
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    delivery.push_to(a, b.id, http=to_b)

    got = to_b.get("/api/v1/notifications", headers=hb).json()
    assert got["unread"] == 1
    (n,) = got["items"]
    assert n["title"] == "New message" and n["link"] == f"/messages/{mid}"
    assert n["record"] == {"id": mid, "type": "message", "version": 1}
    assert "Boat" not in json.dumps(got)  # the notice carries no content
    assert to_b.get("/api/v1/notifications", headers=hp).json()["unread"] == 1
    # The sender's own node tells nobody about its own message.
    assert to_a.get("/api/v1/notifications", headers=ha).json()["unread"] == 0

    # B opens it: a read receipt travels back and A's author is told.
    assert to_b.get(f"/api/v1/messages/{mid}", headers=hb).status_code == 200
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get("/api/v1/notifications", headers=ha).json()
    assert got["unread"] == 1
    assert got["items"][0]["title"] == "Jandarma Van (TR) read your message"
    assert (
        got["items"][0]["kind"] == "receipt.read" and got["items"][0]["link"] == f"/messages/{mid}"
    )
    # Only the author, not every user of A.
    assert to_a.get("/api/v1/notifications", headers=other_a).json()["unread"] == 0


def test_an_acknowledgement_tells_the_author_and_nobody_else(pair) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation import receipts
    from corridor.records import service as records

    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    colleague, _ = bearer(a, "liaison_officer", "lo2@a.example")
    mid = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={"to": [b.id], "subject": "Please confirm", "body": "x", "tlp": "GREEN"},
    ).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    with b.db.transaction() as session:
        env = records.get_visible(session, b.id, actor=SYSTEM, record_id=uuid.UUID(mid))
        assert receipts.send(session, b.keys, [env], "acknowledged") == 1
    delivery.push_to(b, a.id, http=to_a)
    got = to_a.get("/api/v1/notifications", headers=ha).json()
    titles = [i["title"] for i in got["items"]]
    assert titles == ["Jandarma Van (TR) acknowledged your message"]
    assert got["items"][0]["kind"] == "receipt.acknowledged"
    assert to_a.get("/api/v1/notifications", headers=colleague).json()["unread"] == 0
    # Delivered receipts (automatic) never notify anyone.
    assert all(i["kind"] != "receipt.delivered" for i in got["items"])
