"""Federation between real `corridor serve` processes on loopback: push, receipts, recovery
after a peer is killed or stopped, revocation, offline bundles, out-of-order versions.

Two module-scoped networks: a trio (A, B, C) for delivery and bundles, and a pair (A, B)
whose B the tests stop and kill (each test leaves it running again). Everything is polled
with short intervals and a timeout; nothing sleeps for a fixed time."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.network.nodeproc import FedNode, make_federation, stop_all, wait_for

pytestmark = pytest.mark.network

# A push normally lands well within a second; the budgets leave room for a loaded machine.
DELIVERY = 20.0
# After a peer comes back, A's push retries (capped backoff: 60 s at most) or the 60 s
# `federation.sync` catch it up; this bounds the worst case.
RECOVERY = 90.0


def _context(*nodes: FedNode) -> str:
    return "\n".join(n.log_tail() for n in nodes)


# --- API helpers ----------------------------------------------------------------------------


def send(node: FedNode, to: list[FedNode], subject: str, body: str = "") -> str:
    with node.client() as api:
        r = api.post(
            "/api/v1/messages",
            json={
                "to": [n.node_id for n in to],
                "subject": subject,
                "body": body or f"Body of {subject}",
                "tlp": "AMBER",
                "handling": "H0",
            },
        )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def listing(node: FedNode, box: str = "inbox") -> list[dict[str, Any]]:
    with node.client(timeout=5) as api:
        r = api.get("/api/v1/messages", params={"box": box, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def listed_ids(node: FedNode, box: str = "inbox") -> set[str]:
    return {m["id"] for m in listing(node, box)}


def detail(node: FedNode, message_id: str) -> dict[str, Any]:
    """GET the message (at a recipient this is a read: it sends a read receipt)."""
    with node.client(timeout=5) as api:
        r = api.get(f"/api/v1/messages/{message_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def receipts(origin: FedNode, message_id: str) -> dict[str, dict[str, str]]:
    return dict(detail(origin, message_id)["receipts"])


def peer_status(node: FedNode, peer: FedNode) -> dict[str, Any]:
    with node.client(admin=True, timeout=5) as api:
        r = api.get("/api/v1/peers")
    assert r.status_code == 200, r.text
    return next(p for p in r.json()["items"] if p["node_id"] == peer.node_id)


def audit_entries(node: FedNode, action: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    params: dict[str, Any] = {"action": action, "limit": 500}
    with node.client(admin=True) as api:
        while True:
            r = api.get("/api/v1/audit", params=params)
            assert r.status_code == 200, r.text
            page = r.json()
            entries += page["items"]
            if not page.get("next"):
                return entries
            params["before"] = page["next"]


def all_receipted(origin: FedNode, ids: list[str], peer: FedNode, status: str) -> bool:
    return all(status in receipts(origin, i).get(peer.node_id, {}) for i in ids)


def import_counts(output: str) -> dict[str, int]:
    """`corridor bundle import` prints e.g. '1 duplicate, 3 stored'."""
    return {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", output)}


# --- Networks -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trio_net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FedNode]]:
    nodes = make_federation(tmp_path_factory.mktemp("trio"), ["A", "B", "C"], peer_via="api")
    try:
        yield nodes
    finally:
        stop_all(nodes)


@pytest.fixture
def trio(trio_net: list[FedNode]) -> list[FedNode]:
    for node in trio_net:
        node.start()  # a no-op when it runs; restarts a node an earlier test left down
    return trio_net


@pytest.fixture(scope="module")
def pair_net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FedNode]]:
    # Peered through the CLI before the first start, as an operator would.
    nodes = make_federation(tmp_path_factory.mktemp("pair"), ["A", "B"], peer_via="cli")
    try:
        yield nodes
    finally:
        stop_all(nodes)


@pytest.fixture
def pair(pair_net: list[FedNode]) -> list[FedNode]:
    for node in pair_net:
        node.start()
    return pair_net


trio_group = pytest.mark.xdist_group("federation-trio")
pair_group = pytest.mark.xdist_group("federation-pair")


# --- 1. Delivery to several peers -----------------------------------------------------------


@trio_group
def test_message_reaches_several_peers_with_delivered_then_read_receipts(
    trio: list[FedNode],
) -> None:
    a, b, c = trio
    ctx = lambda: _context(a, b, c)  # noqa: E731
    subject = f"Convoy sighting {uuid.uuid4().hex[:8]}"

    started = time.monotonic()
    mid = send(a, [b, c], subject)
    seen: dict[str, float] = {}

    def both_list_it() -> bool:
        for node in (b, c):
            if node.label not in seen and mid in listed_ids(node):
                seen[node.label] = time.monotonic() - started
        return len(seen) == 2

    wait_for(both_list_it, timeout=DELIVERY, interval=0.02, what="B and C to list it", context=ctx)
    print(f"\nlatency POST at A -> listed at B {seen['B']:.3f}s, at C {seen['C']:.3f}s")

    for node in (b, c):
        item = next(m for m in listing(node) if m["id"] == mid)
        assert item["from"] == a.node_id
        assert item["subject"] == subject
        assert item["state"] == "active"
        assert sorted(item["to"]) == sorted([b.node_id, c.node_id])
    assert mid in listed_ids(a, "sent")
    assert mid not in listed_ids(a, "inbox")

    # Stored at B and C -> delivered receipts flow back to A; nobody has read it yet.
    wait_for(
        lambda: all("delivered" in receipts(a, mid).get(n.node_id, {}) for n in (b, c)),
        timeout=DELIVERY,
        what="delivered receipts from B and C at A",
        context=ctx,
    )
    assert all("read" not in st for st in receipts(a, mid).values()), receipts(a, mid)

    for node in (b, c):
        got = detail(node, mid)  # the read
        assert got["subject"] == subject
        assert got["body"] == f"Body of {subject}"
        assert got["from"] == a.node_id
        assert got["state"] == "active"

    final = wait_for(
        lambda: (
            (r := receipts(a, mid)) and all("read" in r.get(n.node_id, {}) for n in (b, c)) and r
        ),
        timeout=DELIVERY,
        what="read receipts from B and C at A",
        context=ctx,
    )
    assert set(final) == {b.node_id, c.node_id}, final
    for st in final.values():
        assert st["delivered"] <= st["read"], st


# --- 2. A peer killed mid-stream ------------------------------------------------------------

STREAM = 50
KILL_AFTER = 15


@pair_group
def test_peer_killed_mid_stream_ends_with_every_message_exactly_once(
    pair: list[FedNode],
) -> None:
    a, b = pair
    ctx = lambda: _context(a, b)  # noqa: E731
    tag = f"stream-{uuid.uuid4().hex[:8]}"
    created: list[str] = []
    failures: list[str] = []
    kill_now = threading.Event()

    def sender() -> None:
        try:
            with a.client() as api:
                for i in range(STREAM):
                    r = api.post(
                        "/api/v1/messages",
                        json={"to": [b.node_id], "subject": f"{tag} #{i:02d}", "body": f"n{i}"},
                    )
                    if r.status_code != 201:
                        failures.append(f"#{i}: {r.status_code} {r.text[:200]}")
                        return
                    created.append(r.json()["id"])
                    if len(created) == KILL_AFTER:
                        kill_now.set()
        finally:
            kill_now.set()

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    assert kill_now.wait(timeout=60), "A is too slow to create messages"
    b.kill()  # while A keeps creating and its worker keeps pushing
    at_kill = len(created)
    thread.join(timeout=120)
    assert not thread.is_alive(), "sending at A hung"
    assert not failures, failures  # A never depends on B to accept its own messages
    assert len(set(created)) == STREAM
    assert at_kill < STREAM, "the kill did not land mid-stream"

    def ours() -> list[str]:
        return [m["id"] for m in listing(b) if m["subject"].startswith(tag)]

    b.start()  # same data directory, same port
    restarted = time.monotonic()
    wait_for(
        lambda: len(set(ours())) == STREAM,
        timeout=RECOVERY,
        interval=0.2,
        what=f"all {STREAM} messages at B after its restart",
        context=ctx,
    )
    print(f"\nall {STREAM} at B {time.monotonic() - restarted:.1f}s after the restart")

    at_b = ours()
    assert len(at_b) == len(set(at_b)) == STREAM, "a message is listed twice at B"
    assert set(at_b) == set(created)
    # Each one arrived intact (the listing holds exactly one row per id; the record too).
    sample = detail(b, created[-1])
    assert sample["body"] == f"n{STREAM - 1}" and sample["version"] == 1
    # Stored exactly once: B's audit trail names each message in one `record.receive` (one
    # entry per record or per batch naming its ids); versions pushed again after the crash
    # were acknowledged as duplicates, not stored again.
    received: list[str] = []
    for entry in audit_entries(b, "record.receive"):
        received += entry["detail"].get("ids") or [entry["object_id"]]
    ours_received = [i for i in received if i in set(created)]
    assert sorted(ours_received) == sorted(created), (len(ours_received), STREAM)
    # And B told A about every one of them, including those stored just before the kill.
    wait_for(
        lambda: all_receipted(a, created, b, "delivered"),
        timeout=RECOVERY,
        interval=0.3,
        what="delivered receipts at A for all messages",
        context=ctx,
    )


# --- 3. A peer down for a while -------------------------------------------------------------


@pair_group
def test_messages_wait_pending_while_a_peer_is_down_then_arrive(pair: list[FedNode]) -> None:
    a, b = pair
    ctx = lambda: _context(a, b)  # noqa: E731
    b.stop()  # SIGTERM: a clean shutdown
    tag = f"while-down-{uuid.uuid4().hex[:8]}"
    ids = [send(a, [b], f"{tag} #{i}") for i in range(3)]

    # A tried, failed, and says so; nothing is delivered.
    status = wait_for(
        lambda: (p := peer_status(a, b))["last_error"] and p,
        timeout=DELIVERY,
        what="A to record that B is unreachable",
        context=ctx,
    )
    assert "unreachable" in status["last_error"], status
    for mid in ids:
        assert b.node_id not in receipts(a, mid), f"{mid} shows a receipt from a node that is down"

    b.start()
    wait_for(
        lambda: set(ids) <= listed_ids(b),
        timeout=RECOVERY,
        what="B to get the messages sent while it was down",
        context=ctx,
    )
    wait_for(
        lambda: all_receipted(a, ids, b, "delivered"),
        timeout=RECOVERY,
        what="delivered receipts at A",
        context=ctx,
    )
    status = wait_for(
        lambda: (p := peer_status(a, b))["last_error"] is None and p,
        timeout=RECOVERY,
        what="A to clear B's last error",
        context=ctx,
    )
    assert status["last_contact_at"], status


# --- 4. Revocation reaching a peer that was down --------------------------------------------


@pair_group
def test_revocation_reaches_a_peer_that_was_down(pair: list[FedNode]) -> None:
    a, b = pair
    ctx = lambda: _context(a, b)  # noqa: E731
    subject = f"To be withdrawn {uuid.uuid4().hex[:8]}"
    mid = send(a, [b], subject, body="sensitive details")
    wait_for(lambda: mid in listed_ids(b), timeout=DELIVERY, what="B to get it", context=ctx)
    assert detail(b, mid)["body"] == "sensitive details"

    b.stop()
    with a.client() as api:
        r = api.post(f"/api/v1/messages/{mid}/revoke", json={"reason": "sent in error"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "withdrawn" and r.json()["body"] is None
    b.start()

    got = wait_for(
        lambda: (d := detail(b, mid))["state"] == "withdrawn" and d,
        timeout=RECOVERY,
        what="the withdrawal to reach B",
        context=ctx,
    )
    assert got["body"] is None and got["subject"] is None, got
    assert got["attachments"] == [] and got["version"] == 2, got
    item = next(m for m in listing(b) if m["id"] == mid)
    assert item["subject"] == "(withdrawn)" and item["state"] == "revoked", item
    assert "sensitive" not in json.dumps(listing(b))


# --- 5. A bundle carried by file ------------------------------------------------------------


@trio_group
def test_bundle_carried_by_file_to_a_stopped_node(trio: list[FedNode], tmp_path: Path) -> None:
    a, _b, c = trio
    ctx = lambda: _context(a, c)  # noqa: E731
    c.stop()
    tag = f"by-file-{uuid.uuid4().hex[:8]}"
    ids = [send(a, [c], f"{tag} #{i}") for i in range(3)]

    bundle = tmp_path / "for-c.bundle.json"
    out = a.cli("bundle", "export", bundle, "--to", c.node_id).stdout  # A keeps running
    data = json.loads(bundle.read_text(encoding="utf-8"))
    assert data["from"] == a.node_id and data["to"] == c.node_id and data["sig"]
    in_bundle = [item["record"]["id"] for item in data["items"]]
    assert set(ids) <= set(in_bundle), out
    assert f"{len(data['items'])} record version" in out, out

    first = import_counts(c.cli("bundle", "import", bundle).stdout)
    assert first.get("stored") == len(ids), first  # the rest reached C earlier
    assert "rejected" not in first, first
    again = import_counts(c.cli("bundle", "import", bundle).stdout)
    assert "stored" not in again and "rejected" not in again, again
    assert again.get("duplicate") == len(data["items"]), again
    assert sum(again.values()) == len(data["items"]), again

    c.start()
    assert set(ids) <= listed_ids(c)  # already there when it starts: nothing to wait for
    got = detail(c, ids[0])
    assert got["subject"] == f"{tag} #0" and got["from"] == a.node_id
    # C's delivered receipts (issued at import) reach A once C runs; A's own pushes of the
    # same versions are acknowledged as duplicates.
    wait_for(
        lambda: all_receipted(a, ids, c, "delivered"),
        timeout=RECOVERY,
        what="delivered receipts from C at A",
        context=ctx,
    )
    assert len(listed_ids(c)) == len([m["id"] for m in listing(c)])


# --- 6. Out-of-order versions ---------------------------------------------------------------


@pair_group
def test_older_version_arriving_after_the_tombstone_changes_nothing(
    pair: list[FedNode], tmp_path: Path
) -> None:
    """v1 of a message travels in a bundle exported before it was withdrawn; v2 (the
    tombstone) arrives first by push; importing v1 afterwards must not bring the body back."""
    a, b = pair
    ctx = lambda: _context(a, b)  # noqa: E731
    b.stop()
    mid = send(a, [b], f"Out of order {uuid.uuid4().hex[:8]}", body="version one text")
    bundle = tmp_path / "v1.bundle.json"
    a.cli("bundle", "export", bundle, "--to", b.node_id)
    items = json.loads(bundle.read_text(encoding="utf-8"))["items"]
    v1 = [i["record"] for i in items if i["record"]["id"] == mid]
    assert v1 and v1[0]["version"] == 1 and v1[0]["body"] is not None

    with a.client() as api:
        r = api.post(f"/api/v1/messages/{mid}/revoke", json={"reason": "superseded"})
    assert r.status_code == 200, r.text
    b.start()
    wait_for(
        lambda: detail(b, mid)["state"] == "withdrawn",
        timeout=RECOVERY,
        what="v2 (the tombstone) to reach B",
        context=ctx,
    )

    counts = import_counts(b.cli("bundle", "import", bundle).stdout)  # B runs meanwhile
    assert "stored" not in counts and "rejected" not in counts, counts
    assert counts.get("final", 0) >= 1, counts
    got = detail(b, mid)
    assert got["state"] == "withdrawn" and got["version"] == 2, got
    assert got["body"] is None and got["subject"] is None, got
    with b.client() as api:
        raw = api.get(f"/api/v1/records/{mid}")
    assert raw.status_code == 200, raw.text
    assert "version one text" not in raw.text
    assert mid not in {m["id"] for m in listing(b) if m["state"] == "active"}
