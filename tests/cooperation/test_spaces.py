"""Joint case spaces across three in-process nodes: a space with three members, posts and
tasks reach every member, a member is removed (it receives nothing more and its posts are
refused by the others), only members post, bad input is refused with nothing stored, and the
pages work."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor import clock
from corridor.cooperation.spaces import service as spaces
from corridor.cooperation.spaces.models import SpacePostRow, SpaceRow, SpaceTaskRow
from corridor.errors import TooLarge
from corridor.federation import delivery
from corridor.federation.models import OutboxItem
from corridor.node.service import Node, init_node
from corridor.records import service as records
from corridor.records.attachments import NewAttachment
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import CLI
from corridor.web.app import create_app
from tests.conftest import peer_all
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login


@dataclass
class Member:
    node: Node
    http: TestClient
    auth: dict[str, str]

    @property
    def id(self) -> str:
        return self.node.id


@pytest.fixture
def third_node(tmp_path: Path) -> Iterator[Node]:
    result = init_node(
        tmp_path / "third",
        name="Hellenic Police Evros",
        org="Hellenic Police",
        country="GR",
        url="http://127.0.0.1:9003",
    )
    yield result.node
    result.node.close()


@pytest.fixture
def trio(node: Node, other_node: Node, third_node: Node) -> Iterator[list[Member]]:
    """Three nodes, every pair peered and approved (as the `pair` fixture does for two), each
    with a liaison officer's token."""
    nodes = [node, other_node, third_node]
    peer_all(*nodes)
    clients = [TestClient(create_app(n)) for n in nodes]
    for c in clients:
        c.__enter__()
    try:
        yield [
            Member(n, c, bearer(n, "liaison_officer", f"lo{i}@node{i}.example")[0])
            for i, (n, c) in enumerate(zip(nodes, clients, strict=True))
        ]
    finally:
        for c in clients:
            c.__exit__(None, None, None)


def sync(members: list[Member], rounds: int = 2) -> None:
    """Push every pending version between every pair (receipts travel in the second round)."""
    for _ in range(rounds):
        for here in members:
            for there in members:
                if here is not there:
                    delivery.push_to(here.node, there.id, http=there.http)


def push(frm: Member, to: Member) -> None:
    delivery.push_to(frm.node, to.id, http=to.http)


def new_space(a: Member, members: list[Member], **over: Any) -> dict[str, Any]:
    body = {
        "name": "Evros crossing network",
        "purpose_text": "Joint investigation of the Van–Istanbul–Evros facilitation chain.",
        "reference": "JIT-2026-07",
        "case_reference": "FIA-AHTC-2026-014",
        "members": [m.id for m in members],
        "tlp": "AMBER",
    }
    body.update(over)
    r = a.http.post("/api/v1/spaces", headers=a.auth, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def get(m: Member, space_id: str) -> dict[str, Any]:
    r = m.http.get(f"/api/v1/spaces/{space_id}", headers=m.auth)
    assert r.status_code == 200, r.text
    return dict(r.json())


def post(m: Member, space_id: str, text: str, **over: Any) -> Any:
    return m.http.post(
        f"/api/v1/spaces/{space_id}/posts", headers=m.auth, json={"text": text, **over}
    )


def texts(m: Member, space_id: str) -> list[str]:
    return [p["text"] for p in get(m, space_id)["posts"]]


def count(m: Member, model: Any) -> int:
    with m.node.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_three_members_posts_tasks_then_one_removed(trio: list[Member]) -> None:
    a, b, c = trio
    space = new_space(a, [b, c])
    sid = space["id"]
    assert space["owner"] == a.id and sorted(space["members"]) == sorted([a.id, b.id, c.id])
    sync(trio)
    for m in (b, c):
        seen = get(m, sid)
        assert seen["name"] == "Evros crossing network" and seen["member_here"]
        assert seen["purpose_text"].startswith("Joint investigation")
    # The owner sees that both members hold the space.
    assert set(get(a, sid)["receipts"]) == {b.id, c.id}

    # Posts from every member, with an attachment and a linked entity, reach every member.
    pdf = b"%PDF-1.4 manifest"
    r = post(
        b,
        sid,
        "Van: driver identified, passport scan attached.",
        attachments=[{"name": "passport.pdf", "data": base64.b64encode(pdf).decode()}],
        entities=[{"id": "p-1", "schema": "Person", "caption": "Arif K."}],
        tlp="AMBER",
        handling="H1",
    )
    assert r.status_code == 201, r.text
    b_post = r.json()
    assert b_post["delivery"] == {a.id: "pending", c.id: "pending"}
    assert post(a, sid, "Evros: boat seized at Feres.").status_code == 201
    assert post(c, sid, "Istanbul: safe house under watch.").status_code == 201
    sync(trio)
    for m in trio:
        assert sorted(texts(m, sid)) == sorted(
            [
                "Van: driver identified, passport scan attached.",
                "Evros: boat seized at Feres.",
                "Istanbul: safe house under watch.",
            ]
        )
    at_c = next(p for p in get(c, sid)["posts"] if p["id"] == b_post["id"])
    assert at_c["from"] == b.id and at_c["entities"][0]["caption"] == "Arif K."
    got = c.http.get(f"/api/v1/spaces/{sid}/posts/{b_post['id']}/attachments/0", headers=c.auth)
    assert got.status_code == 200 and got.content == pdf
    own = next(p for p in get(b, sid)["posts"] if p["id"] == b_post["id"])
    assert own["delivery"] == {a.id: "delivered", c.id: "delivered"}

    # A task created at A for C, seen everywhere; C reports completion with a post; A closes it.
    due = (clock.now().date() + timedelta(days=3)).isoformat()
    r = a.http.post(
        f"/api/v1/spaces/{sid}/tasks",
        headers=a.auth,
        json={"title": "Check phone +90 555 010 2030", "assignee": {"node": c.id}, "due": due},
    )
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    sync(trio)
    for m in trio:
        task = next(t for t in get(m, sid)["tasks"] if t["id"] == tid)
        assert task["assignee"]["node"] == c.id and task["due"] == due
        assert task["status"] == "open" and not task["overdue"]
    # Only the creating node changes the task; the assignee reports by a post.
    r = c.http.put(f"/api/v1/spaces/{sid}/tasks/{tid}", headers=c.auth, json={"status": "done"})
    assert r.status_code == 403 and "only the node that created" in r.text
    r = post(b, sid, "Done (not really mine).", task=tid, completes=True)
    assert r.status_code == 403 and "assignee" in r.text
    r = post(c, sid, "Subscriber found: Arif K.", task=tid, completes=True)
    assert r.status_code == 201, r.text
    sync(trio)
    task = next(t for t in get(a, sid)["tasks"] if t["id"] == tid)
    assert task["reported_done"]["post"] == r.json()["id"]
    r = a.http.put(f"/api/v1/spaces/{sid}/tasks/{tid}", headers=a.auth, json={"status": "done"})
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["version"] == 2
    sync(trio)
    assert next(t for t in get(b, sid)["tasks"] if t["id"] == tid)["status"] == "done"

    # A removes C. B learns it first; C, not yet told, still posts: B and A refuse the post.
    r = b.http.put(f"/api/v1/spaces/{sid}/members", headers=b.auth, json={"members": [b.id]})
    assert r.status_code == 403 and "only the node that owns the space" in r.text
    r = a.http.put(f"/api/v1/spaces/{sid}/members", headers=a.auth, json={"members": [b.id]})
    assert r.status_code == 200, r.text
    assert r.json()["removed"] == [c.id] and sorted(r.json()["members"]) == sorted([a.id, b.id])
    push(a, b)
    late = post(c, sid, "Still here?")
    assert late.status_code == 201  # C's copy still lists it as a member
    push(c, a)
    push(c, b)
    assert get(c, sid)["posts"][-1]["delivery"] == {a.id: "rejected", b.id: "rejected"}
    with a.node.db.reading() as session:
        assert session.get(StoredRecord, uuid.UUID(late.json()["id"])) is None
    assert "Still here?" not in texts(a, sid) and "Still here?" not in texts(b, sid)

    # Now C gets the removal: its copy shows it, and it can no longer write.
    push(a, c)
    at_c = get(c, sid)
    assert at_c["you_were_removed"] and not at_c["member_here"]
    r = post(c, sid, "Let me back in.")
    assert r.status_code == 403 and "removed" in r.text

    # A and B go on; C receives nothing of it.
    posts_at_c = count(c, SpacePostRow)
    second = post(b, sid, "Evros: second boat, same organiser.")
    assert second.status_code == 201
    assert second.json()["delivery"] == {a.id: "pending"}  # not addressed to C at all
    r = a.http.post(
        f"/api/v1/spaces/{sid}/tasks",
        headers=a.auth,
        json={"title": "Hear the skipper", "assignee": {"node": b.id}, "due": due},
    )
    assert r.status_code == 201
    sync(trio)
    assert "Evros: second boat, same organiser." in texts(a, sid)
    assert count(c, SpacePostRow) == posts_at_c
    assert "Evros: second boat, same organiser." not in texts(c, sid)
    assert len(get(c, sid)["tasks"]) == 1
    with a.node.db.reading() as session:
        recipients = set(
            session.scalars(
                select(OutboxItem.recipient).where(
                    OutboxItem.record_id == uuid.UUID(r.json()["id"])
                )
            )
        )
    assert recipients == {b.id}

    # A task for the removed node is refused; so is a new post by C at the owner.
    r = a.http.post(
        f"/api/v1/spaces/{sid}/tasks",
        headers=a.auth,
        json={"title": "x", "assignee": {"node": c.id}, "due": due},
    )
    assert r.status_code == 422 and "not a member" in r.text

    # The owner withdraws the space: the members stop showing it.
    r = a.http.post(f"/api/v1/spaces/{sid}/withdraw", headers=a.auth, json={"reason": "closed"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    sync(trio)
    seen = get(b, sid)
    assert seen["state"] == "withdrawn" and seen["posts"] == [] and seen["name"] == ""
    assert sid not in {
        s["id"] for s in b.http.get("/api/v1/spaces", headers=b.auth).json()["items"]
    }
    assert post(b, sid, "After the end").status_code == 409


def test_only_members_post_and_only_members_see(trio: list[Member]) -> None:
    a, b, c = trio
    sid = new_space(a, [b])["id"]
    sync(trio)
    # C was never a member: it does not even hold the space.
    assert c.http.get(f"/api/v1/spaces/{sid}", headers=c.auth).status_code == 404
    assert post(c, sid, "hello").status_code == 404
    assert c.http.get("/api/v1/spaces", headers=c.auth).json()["items"] == []
    # A viewer at a member node reads but does not post.
    viewer, _ = bearer(b.node, "viewer", "viewer@b.example")
    assert b.http.get(f"/api/v1/spaces/{sid}", headers=viewer).status_code == 200
    assert post(Member(b.node, b.http, viewer), sid, "hi").status_code == 403
    # A TLP:RED post is shown only to its named recipient at the receiving node.
    named, handle = bearer(b.node, "liaison_officer", "named@b.example")
    r = post(a, sid, "For one officer only.", tlp="RED", recipients=[f"user:{handle}@{b.id}"])
    assert r.status_code == 201, r.text
    sync(trio)
    assert "For one officer only." in texts(Member(b.node, b.http, named), sid)
    assert "For one officer only." not in texts(b, sid)


def test_a_forged_post_from_a_non_member_is_refused_by_the_receiver(
    trio: list[Member],
) -> None:
    """C holds no copy of A's space with B: a post C addresses to B for it is refused at B
    (the `check` on receipt), and a post for a space B holds but C is not in, too."""
    a, b, c = trio
    sid = new_space(a, [b])["id"]
    sync(trio)
    # C writes the record directly (as a modified node would), bypassing its own service.
    with c.node.db.transaction() as session:
        env = records.create(
            session,
            c.node.keys,
            actor=CLI,
            type="space.post",
            body={"space": sid, "text": "I am a member, trust me."},
            labels=Labels(tlp="GREEN"),
            audience=Audience(nodes=[b.id]),
        )
    push(c, b)
    with c.node.db.reading() as session:
        item = session.scalars(
            select(OutboxItem).where(OutboxItem.record_id == uuid.UUID(env["id"]))
        ).one()
    assert item.state == "rejected" and "not a member" in (item.error or "")
    assert "I am a member, trust me." not in texts(b, sid)


def test_bad_input_is_refused_and_nothing_is_stored(
    trio: list[Member], shift_clock, make_user
) -> None:  # type: ignore[no-untyped-def]
    a, b, c = trio
    before = count(a, SpaceRow)
    stranger = "a" * 26
    cases = [
        ({"members": [stranger]}, 422, "not an approved peer"),
        ({"members": [a.id]}, 422, "at least one partner"),
        ({"members": []}, 422, "members"),
        ({"members": ["not-a-node"]}, 422, "not an approved peer"),
        ({"name": ""}, 422, "name"),
        ({"reference": "x" * 101}, 422, "reference"),
        ({"tlp": "RED"}, 422, "named recipients"),
        ({"handling": "H3"}, 422, "handling_note"),
        ({"colour": "red"}, 422, "colour"),
    ]
    for over, status, hint in cases:
        body = {"name": "n", "reference": "r", "members": [b.id], **over}
        r = a.http.post("/api/v1/spaces", headers=a.auth, json=body)
        assert r.status_code == status and hint in r.text, (over, r.status_code, r.text)
    assert count(a, SpaceRow) == before
    malformed = {**a.auth, "content-type": "application/json"}
    assert a.http.post("/api/v1/spaces", headers=malformed, content=b"{").status_code == 400

    sid = new_space(a, [b, c])["id"]
    posts, tasks = count(a, SpacePostRow), count(a, SpaceTaskRow)
    big = base64.b64encode(b"x" * (5 * 1024 * 1024 + 1)).decode()
    for over, status, hint in [
        # 413 from the body limit (1 MiB until the app lets posts carry more) or the service.
        ({"attachments": [{"name": "big.bin", "data": big}]}, 413, "Content too large"),
        ({"attachments": [{"name": "a.txt", "data": "%%%"}]}, 422, "base64"),
        ({"attachments": [{"name": "../a.txt", "data": "YQ=="}]}, 422, "plain file names"),
        ({"entities": [{"id": "x", "schema": "Per son", "caption": "y"}]}, 422, "schema"),
        ({"task": str(uuid.uuid4())}, 422, "no task"),
        ({"completes": True}, 422, "completes"),
        ({"text": ""}, 422, "text"),
    ]:
        r = post(a, sid, "text", **over) if "text" not in over else post(a, sid, **over)
        assert r.status_code == status and hint in r.text, (over, r.status_code, r.text)
    assert post(a, str(uuid.uuid4()), "nowhere").status_code == 404
    with a.node.db.transaction() as session, pytest.raises(TooLarge, match="at most"):
        spaces.post(
            session,
            a.node.keys,
            actor=make_user("liaison_officer"),
            space_id=uuid.UUID(sid),
            text="big",
            labels=Labels(),
            attachments=[NewAttachment("big.bin", "", b"x" * (5 * 1024 * 1024 + 1))],
        )
    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    for over, status, hint in [
        ({"due": yesterday}, 422, "in the past"),
        ({"assignee": {"node": stranger}}, 422, "not a member"),
        ({"due": "31/12/2026"}, 422, "due"),
        ({"title": ""}, 422, "title"),
    ]:
        body = {"title": "t", "assignee": {"node": b.id}, "due": date.max.isoformat(), **over}
        r = a.http.post(f"/api/v1/spaces/{sid}/tasks", headers=a.auth, json=body)
        assert r.status_code == status and hint in r.text, (over, r.status_code, r.text)
    assert (count(a, SpacePostRow), count(a, SpaceTaskRow)) == (posts, tasks)

    # Membership: no change, unknown node; withdrawal: needs a reason, only once.
    r = a.http.put(f"/api/v1/spaces/{sid}/members", headers=a.auth, json={"members": [b.id, c.id]})
    assert r.status_code == 422 and "no change" in r.text
    r = a.http.put(f"/api/v1/spaces/{sid}/members", headers=a.auth, json={"members": [stranger]})
    assert r.status_code == 422 and get(a, sid)["version"] == 1
    r = a.http.post(f"/api/v1/spaces/{sid}/withdraw", headers=a.auth, json={"reason": ""})
    assert r.status_code == 422
    assert a.http.get(f"/api/v1/spaces/{sid}").status_code == 401

    # A task turns overdue when its due date passes (the node's clock, not a sleep).
    due = (clock.now().date() + timedelta(days=1)).isoformat()
    r = a.http.post(
        f"/api/v1/spaces/{sid}/tasks",
        headers=a.auth,
        json={"title": "Report on Feres", "assignee": {"node": b.id}, "due": due},
    )
    assert r.status_code == 201 and not r.json()["overdue"]
    shift_clock(timedelta(days=2))
    assert next(t for t in get(a, sid)["tasks"] if t["id"] == r.json()["id"])["overdue"]


def test_pages_list_space_thread_tasks_and_members(trio: list[Member], make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, c = trio
    make_user("liaison_officer", email="lo-web@test.example")
    web_login(a.http, "lo-web@test.example")
    page = a.http.get("/spaces")
    assert page.status_code == 200 and "Joint spaces" in page.text
    form = a.http.get("/spaces/new")
    assert form.status_code == 200 and "Jandarma Van" in form.text
    token = csrf_from(form.text)
    r = a.http.post(
        "/spaces/new",
        data={
            "csrf_token": token,
            "name": "Evros web space",
            "reference": "JIT-WEB-1",
            "purpose_text": "Web test",
            "members": [b.id, c.id],
            "tlp": "AMBER",
        },
    )
    assert r.status_code == 200 and "Evros web space" in r.text, r.text
    sid = r.url.path.rsplit("/", 1)[1]
    assert "Hellenic Police Evros" in r.text and "Jandarma Van" in r.text
    bad = a.http.post("/spaces/new", data={"csrf_token": token, "name": "x", "reference": "y"})
    assert bad.status_code == 422 and "at least one partner" in bad.text

    r = a.http.post(
        f"/spaces/{sid}/posts",
        data={"csrf_token": token, "text": "Posted from the page", "tlp": "AMBER"},
        files=[("files", ("note.txt", b"hello", "text/plain"))],
    )
    assert r.status_code == 200 and "Posted from the page" in r.text and "note.txt" in r.text
    due = (clock.now().date() + timedelta(days=1)).isoformat()
    r = a.http.post(
        f"/spaces/{sid}/tasks",
        data={"csrf_token": token, "title": "Interview skipper", "assignee": b.id, "due": due},
    )
    assert r.status_code == 200 and "Interview skipper" in r.text
    tid = a.http.get(f"/api/v1/spaces/{sid}", headers=a.auth).json()["tasks"][0]["id"]
    r = a.http.post(f"/spaces/{sid}/tasks/{tid}", data={"csrf_token": token, "status": "cancelled"})
    assert r.status_code == 200 and "cancelled" in r.text
    thread = a.http.get(f"/spaces/{sid}/_thread")
    assert thread.status_code == 200 and "Posted from the page" in thread.text
    assert "<html" not in thread.text

    r = a.http.post(f"/spaces/{sid}/members", data={"csrf_token": token, "members": [b.id]})
    assert r.status_code == 200 and "Members updated" in r.text
    sync(trio)
    # At C (removed) the page says so and offers no post form.
    bearer(c.node, "liaison_officer", "web-c@c.example")
    web_login(c.http, "web-c@c.example")
    at_c = c.http.get(f"/spaces/{sid}")
    assert at_c.status_code == 200 and "This node was removed from the space" in at_c.text
    assert 'action="/spaces/' + sid + '/posts"' not in at_c.text
    r = a.http.post(f"/spaces/{sid}/withdraw", data={"csrf_token": token, "reason": "done"})
    assert r.status_code == 200 and "withdrawn" in r.text


def test_share_entities_with_the_space_members(trio: list[Member]) -> None:
    """The "share entities with this space" action: the entities module's share goes to every
    member but this node, and the thread links what was shared."""
    a, b, c = trio
    inv, _ = bearer(a.node, "investigator", "inv@a.example")
    hb, _ = bearer(b.node, "investigator", "inv@b.example")
    hc, _ = bearer(c.node, "investigator", "inv@c.example")
    sid = new_space(a, [b, c])["id"]
    case_id = a.http.post(
        "/api/v1/cases",
        headers=inv,
        json={"reference": "FIA-AHTC-2026-014", "title": "Quetta–Van facilitation network"},
    ).json()["id"]
    r = a.http.post(
        f"/api/v1/cases/{case_id}/entities",
        headers=inv,
        json={"schema": "Person", "properties": {"name": ["Arif Khan"]}},
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = a.http.post(
        f"/api/v1/spaces/{sid}/entities",
        headers=inv,
        json={"entities": [eid], "note": "The organiser, for all members.", "tlp": "AMBER"},
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["share"]["to"]) == sorted([b.id, c.id])
    sync(trio)
    for m, headers in ((b, hb), (c, hc)):
        partners = m.http.get("/api/v1/entities?from=partners", headers=headers).json()["items"]
        assert [p["origin"] for p in partners] == [a.id]
        thread = m.http.get(f"/api/v1/spaces/{sid}", headers=headers).json()["posts"]
        assert thread[-1]["text"] == "The organiser, for all members."
        assert thread[-1]["entities"] == [{"id": eid, "schema": "Person", "caption": "Arif Khan"}]
    # A member cannot pass on what it received (third-party rule), even to the same space.
    pid = m.http.get("/api/v1/entities?from=partners", headers=hc).json()["items"][0]["id"]
    r = c.http.post(f"/api/v1/spaces/{sid}/entities", headers=hc, json={"entities": [pid]})
    assert r.status_code == 403 and "third-party" in r.text
    # Nothing of the refused share was stored at C (no share record, no post).
    assert len(c.http.get(f"/api/v1/spaces/{sid}", headers=hc).json()["posts"]) == 1
