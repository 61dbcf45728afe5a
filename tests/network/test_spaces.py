"""A joint space among three real `corridor serve` processes: posts and tasks reach every
member, a member is removed, its late post is refused by the others, and it receives nothing
more. Everything is polled with deadlines; nothing sleeps for a fixed time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.network.nodeproc import FedNode, make_federation, stop_all, wait_for

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("spaces-trio")]

DELIVERY = 20.0


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FedNode]]:
    nodes = make_federation(tmp_path_factory.mktemp("spaces"), ["A", "B", "C"], peer_via="api")
    try:
        yield nodes
    finally:
        stop_all(nodes)


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return dict(r.json())


def space(node: FedNode, sid: str) -> dict[str, Any] | None:
    with node.client(timeout=5) as api:
        r = api.get(f"/api/v1/spaces/{sid}")
    return dict(r.json()) if r.status_code == 200 else None


def texts(node: FedNode, sid: str) -> list[str]:
    got = space(node, sid)
    return [p["text"] for p in got["posts"]] if got else []


def post(node: FedNode, sid: str, text: str, **extra: Any) -> Any:
    with node.client() as api:
        return api.post(f"/api/v1/spaces/{sid}/posts", json={"text": text, **extra})


def test_joint_space_with_three_members_one_removed(trio: list[FedNode]) -> None:
    a, b, c = trio
    ctx = lambda: "\n".join(n.log_tail() for n in trio)  # noqa: E731
    ref = f"JIT-{uuid.uuid4().hex[:6]}"
    with a.client() as api:
        created = _ok(
            api.post(
                "/api/v1/spaces",
                json={
                    "name": "Evros crossing network",
                    "reference": ref,
                    "members": [b.node_id, c.node_id],
                    "purpose_text": "Van – Istanbul – Evros facilitation chain",
                    "tlp": "AMBER",
                },
            ),
            201,
        )
    sid = created["id"]
    wait_for(
        lambda: all(space(n, sid) for n in (b, c)),
        timeout=DELIVERY,
        what="B and C to hold the space",
        context=ctx,
    )

    # Every member posts; every post reaches every member.
    sent = {n.label: f"{n.label}: report {uuid.uuid4().hex[:6]}" for n in trio}
    for n in trio:
        _ok(post(n, sid, sent[n.label]), 201)
    wait_for(
        lambda: all(sorted(texts(n, sid)) == sorted(sent.values()) for n in trio),
        timeout=DELIVERY,
        what="every post at every member",
        context=ctx,
    )

    # A task from A for C reaches B and C.
    due = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    with a.client() as api:
        task = _ok(
            api.post(
                f"/api/v1/spaces/{sid}/tasks",
                json={
                    "title": "Check the Feres phone",
                    "assignee": {"node": c.node_id},
                    "due": due,
                },
            ),
            201,
        )
    wait_for(
        lambda: all(
            any(t["id"] == task["id"] for t in (space(n, sid) or {}).get("tasks", []))
            for n in (b, c)
        ),
        timeout=DELIVERY,
        what="the task at B and C",
        context=ctx,
    )

    # A stops talking to C for a moment (its administrator suspends the peer), removes C from
    # the space, and B learns it; C, not yet told, posts: B refuses the post.
    with a.client(admin=True) as api:
        _ok(api.post(f"/api/v1/peers/{c.node_id}/state", json={"state": "suspended"}))
    with a.client() as api:
        changed = _ok(api.put(f"/api/v1/spaces/{sid}/members", json={"members": [b.node_id]}))
    assert changed["removed"] == [c.node_id]
    wait_for(
        lambda: c.node_id not in (space(b, sid) or {}).get("members", [c.node_id]),
        timeout=DELIVERY,
        what="B to learn that C was removed",
        context=ctx,
    )
    late = _ok(post(c, sid, "C: still here?"), 201)

    def late_state() -> dict[str, str]:
        got = space(c, sid) or {}
        return next((p.get("delivery", {}) for p in got["posts"] if p["id"] == late["id"]), {})

    wait_for(
        lambda: late_state().get(b.node_id) == "rejected",
        timeout=DELIVERY,
        what="B to refuse C's post",
        context=ctx,
    )

    # A approves C again and tells it; the removal reaches C, C's late post is refused at A.
    with a.client(admin=True) as api:
        _ok(api.post(f"/api/v1/peers/{c.node_id}/state", json={"state": "approved"}))
    with a.client() as api:
        _ok(
            api.post(
                "/api/v1/messages",
                json={"to": [c.node_id], "subject": f"{ref}: membership", "body": "Removed."},
            ),
            201,
        )
    wait_for(
        lambda: (space(c, sid) or {}).get("you_were_removed"),
        timeout=DELIVERY,
        what="C to learn it was removed",
        context=ctx,
    )
    wait_for(
        lambda: late_state() == {a.node_id: "rejected", b.node_id: "rejected"},
        timeout=DELIVERY,
        what="A to refuse C's late post",
        context=ctx,
    )
    assert "C: still here?" not in texts(a, sid) and "C: still here?" not in texts(b, sid)
    r = post(c, sid, "C: let me back in")
    assert r.status_code == 403 and "removed" in r.text

    # A and B go on without C: nothing of it is addressed to C.
    later = _ok(post(b, sid, "B: second boat, same organiser"), 201)
    assert set(later["delivery"]) == {a.node_id}
    wait_for(
        lambda: "B: second boat, same organiser" in texts(a, sid),
        timeout=DELIVERY,
        what="B's post at A",
        context=ctx,
    )
    wait_for(
        lambda: space(b, sid)["posts"][-1]["delivery"] == {a.node_id: "delivered"},  # type: ignore[index]
        timeout=DELIVERY,
        what="B's post delivered to A",
        context=ctx,
    )
    assert "B: second boat, same organiser" not in texts(c, sid)
    assert sorted(texts(c, sid)) == sorted([*sent.values(), "C: still here?"])
