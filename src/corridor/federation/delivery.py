"""Delivery that loses nothing: push batches to each peer's inbox, pull its feed on gaps,
after downtime and periodically; the same receiving path for both."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
from pydantic import Field, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.errors import CorridorError, PermissionDenied
from corridor.federation import outbox, receipts, transport
from corridor.federation.models import OutboxItem, Peer
from corridor.federation.peers import verification_keys
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.node.service import Node
from corridor.records import service as records
from corridor.records.envelope import validated
from corridor.records.models import StoredRecord
from corridor.schemas import MAX_INT64, StrictModel
from corridor.security.principal import Principal

log = logging.getLogger("corridor.federation")
BATCH = 500
MAX_BATCH = 1000
# Well under the receiver's 32 MiB request limit, even with messages carrying attachments.
BATCH_BYTES = 16 * 1024 * 1024


def _within_budget(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest prefix of items whose JSON stays within BATCH_BYTES (at least one)."""
    total = 0
    for n, item in enumerate(items):
        total += len(json.dumps(item["record"], ensure_ascii=False)) + 32
        if total > BATCH_BYTES and n > 0:
            return items[:n]
    return items


class DeliveryFailed(Exception):
    pass


class Item(StrictModel):
    position: int = Field(ge=1, le=MAX_INT64)
    record: dict[str, Any]


class Batch(StrictModel):
    items: list[Item] = Field(max_length=MAX_BATCH)


def parse_batch(body: bytes) -> Batch:
    return validated(Batch, body, "malformed batch")


def queue_pull(session: Session, peer_id: str) -> None:
    """Pull from a peer soon (`federation.pull`): once, however often it is asked for before
    the job runs."""
    queue.enqueue(
        session, "federation.pull", {"peer": peer_id}, dedupe_key=f"pull:{peer_id}", max_attempts=50
    )


def _peer_principal(peer_id: str) -> Principal:
    return Principal(kind="system", handle=f"peer:{peer_id}")


def addressed_to(own_id: str, envelope: dict[str, Any]) -> bool:
    return own_id in (envelope.get("audience") or {}).get("nodes", [])


def receive_items(node: Node, peer_id: str, items: list[Item]) -> list[dict[str, Any]]:
    """Ingest a batch in one transaction; returns one result per item."""
    with node.db.transaction() as session:
        return _receive(session, node, peer_id, items)


def answer_push(node: Node, peer_id: str, items: list[Item]) -> dict[str, Any]:
    """The inbox's answer to a push: one result per item, and the versions signed for the
    peer meanwhile (its receipts) as `replies`, positioned like a feed page."""
    with node.db.transaction() as session:
        answer = outbox.answer_in(session, peer_id)
        results = _receive(session, node, peer_id, items)
    return {"results": results, "replies": answer.items}


def _receive(session: Session, node: Node, peer_id: str, items: list[Item]) -> list[dict[str, Any]]:
    """One refused record never holds up the others (every refusal precedes the record's
    first write). Advances the peer's contiguous position in the same transaction."""
    results: list[dict[str, Any]] = []
    actor = _peer_principal(peer_id)
    keys = verification_keys(session, peer_id)
    wanting_receipts: list[dict[str, Any]] = []
    existing = _lock_existing(session, items)
    for item in items:
        rec = item.record
        result: dict[str, Any] = {
            "position": item.position,
            "id": rec.get("id"),
            "version": rec.get("version"),
        }
        try:
            if rec.get("origin") != peer_id:
                raise PermissionDenied("third-party rule: a node delivers only its own records")
            # ingest refuses before it writes anything: no savepoint needed.
            outcome = records.ingest(
                session,
                envelope=rec,
                public_keys_for=lambda origin: keys if origin == peer_id else [],
                addressed_to_us=lambda e: addressed_to(node.id, e),
                actor=actor,
                audit_each=False,
                existing=existing,
            )
            if outcome.row is not None:
                existing[outcome.row.id] = outcome.row
            if (
                outcome.outcome == "stored"
                and rec.get("body") is not None
                and rec.get("type") in receipts.WANTS_RECEIPTS
            ):
                wanting_receipts.append(rec)
            result["outcome"] = outcome.outcome
        except CorridorError as exc:
            result.update(outcome="rejected", error=exc.detail)
            audit.append(
                session,
                actor=actor,
                action="federation.reject",
                object_type=str(rec.get("type", ""))[:40],
                object_id=str(rec.get("id", ""))[:80],
                outcome="denied",
                detail={"reason": exc.detail[:300]},
            )
        results.append(result)
    stored = [r["id"] for r in results if r.get("outcome") == "stored"]
    if stored:
        # One entry per batch, naming every record version written.
        audit.append(
            session,
            actor=actor,
            action="record.receive",
            object_type="batch",
            object_id=peer_id,
            detail={"ids": stored, "count": len(stored)},
        )
    receipts.send(session, node.keys, wanting_receipts, "delivered")
    _advance(session, peer_id, sorted(i.position for i in items))
    return results


def _lock_existing(session: Session, items: list[Item]) -> dict[uuid.UUID, StoredRecord]:
    """The batch's records already held, fetched (and locked) in one query."""
    ids = set()
    for item in items:
        try:
            ids.add(uuid.UUID(str(item.record.get("id"))))
        except ValueError:
            continue  # refused later, item by item
    if not ids:
        return {}
    rows = session.scalars(
        select(StoredRecord).where(StoredRecord.id.in_(ids)).with_for_update()
    ).all()
    return {r.id: r for r in rows}


def _advance(session: Session, peer_id: str, positions: list[int]) -> None:
    gap = False
    peer = session.get(Peer, peer_id, with_for_update=True)
    if peer is None:
        return
    for p in positions:
        if p == peer.received_position + 1:
            peer.received_position = p
        elif p > peer.received_position + 1:
            gap = True
    peer.last_contact_at = clock.now()
    if gap:
        queue_pull(session, peer_id)
    if peer.last_error is not None:
        # The peer is reachable again: what waits for it goes now, not at the next backoff
        # (a push waits in backoff only after a failure, which every failed push notes).
        session.execute(
            update(Job)
            .where(Job.dedupe_key == f"push:{peer_id}", Job.state == "queued")
            .values(run_after=clock.now())
        )
        session.info["jobs_enqueued"] = True


def _note_error(node: Node, peer_id: str, error: str | None) -> None:
    with node.db.transaction() as session:
        peer = session.get(Peer, peer_id)
        if peer is None:
            return
        if error is None:
            peer.last_error = None
            peer.last_contact_at = clock.now()
        else:
            peer.last_error = error[:500]
            peer.last_error_at = clock.now()


def _approved(session: Session, peer_id: str) -> Peer | None:
    peer = session.get(Peer, peer_id)
    return peer if peer is not None and peer.state == "approved" else None


def _replies(peer_id: str, raw: Any) -> list[Item]:
    """What the peer signed for us while taking our push (see outbox.Answer). Malformed
    replies are dropped, not fatal: our pull serves the same versions again."""
    if not raw:
        return []
    try:
        return Batch.model_validate({"items": raw}).items
    except ValidationError:
        log.warning("malformed replies from %s ignored; the next pull fetches them", peer_id)
        return []


_push_locks: dict[tuple[str, str], threading.Lock] = {}
_push_locks_guard = threading.Lock()


def _push_lock(node_id: str, peer_id: str) -> threading.Lock:
    with _push_locks_guard:
        return _push_locks.setdefault((node_id, peer_id), threading.Lock())


def push_to(node: Node, peer_id: str, *, http: httpx.Client | None = None) -> int:
    """Send every pending version to one peer, in batches; returns how many were accepted.

    One push per peer at a time in this process: a job queued while another runs would send
    the same items again, or later ones first, and the peer would see a gap and pull."""
    with _push_lock(node.id, peer_id):
        return _push_pending(node, peer_id, http or transport.shared_client())


def _push_pending(node: Node, peer_id: str, http: httpx.Client) -> int:
    sent = 0
    while True:
        with node.db.reading() as session:
            peer = _approved(session, peer_id)
            if peer is None:
                return sent
            pending = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.recipient == peer_id, OutboxItem.state == "pending")
                .order_by(OutboxItem.position)
                .limit(BATCH)
            ).all()
            if not pending:
                return sent
            ids = {p.record_id for p in pending}
            current = {
                r.id: r.envelope
                for r in session.scalars(select(StoredRecord).where(StoredRecord.id.in_(ids)))
            }
            batch = {
                "items": _within_budget(
                    [
                        {"position": p.position, "record": current[p.record_id]}
                        for p in pending
                        if p.record_id in current
                    ]
                )
            }
            url = peer.url + "/federation/v1/inbox"
            sent_positions = {i["position"] for i in batch["items"]}
            item_ids = [p.id for p in pending if p.position in sent_positions]
            # Anything queued from now on queues a push job of its own (a running job does
            # not count as queued): after a short batch there is no need to look again.
            last_batch = len(pending) < BATCH and len(item_ids) == len(pending)
        body = json.dumps(batch, ensure_ascii=False, separators=(",", ":")).encode()
        answer = _exchange(node, peer_id, http, "POST", url, body=body)
        outcomes = {r["position"]: r for r in answer.get("results", [])}
        replies = _replies(peer_id, answer.get("replies"))
        now = clock.now()
        with node.db.transaction() as session:
            if replies:
                _receive(session, node, peer_id, replies)
            for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(item_ids))):
                res = outcomes.get(item.position)
                if res is None:
                    continue
                if res.get("outcome") == "rejected":
                    item.state, item.error = "rejected", str(res.get("error", ""))[:500]
                else:
                    item.state, item.delivered_at = "delivered", now
                    sent += 1
            peer = session.get(Peer, peer_id)
            if peer is not None:
                peer.last_error, peer.last_contact_at = None, now
        if last_batch:
            return sent


def serve_feed(node: Node, peer_id: str, since: int, limit: int) -> dict[str, Any]:
    """What a peer pulls: everything queued for it after `since`. Asking from `since` also
    acknowledges every position up to it."""
    with node.db.transaction() as session:
        session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.recipient == peer_id,
                OutboxItem.position <= since,
                OutboxItem.state == "pending",
            )
            .values(state="delivered", delivered_at=clock.now())
        )
        rows = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.recipient == peer_id, OutboxItem.position > since)
            .order_by(OutboxItem.position)
            .limit(limit)
        ).all()
        current = {
            r.id: r.envelope
            for r in session.scalars(
                select(StoredRecord).where(StoredRecord.id.in_({r.record_id for r in rows}))
            )
        }
        every = [
            {"position": r.position, "record": current[r.record_id]}
            for r in rows
            if r.record_id in current
        ]
        items = _within_budget(every)
        if len(items) < len(every):  # cut by the byte budget: continue after the last one sent
            return {"items": items, "next": items[-1]["position"], "more": True}
        last = rows[-1].position if rows else since
    return {"items": items, "next": last, "more": len(rows) == limit}


def _fetch_page(
    node: Node, peer_id: str, http: httpx.Client, url: str, since: int
) -> dict[str, Any]:
    params = {"since": since, "limit": BATCH}
    return _exchange(node, peer_id, http, "GET", url, params=params, what="feed ")


def _exchange(
    node: Node,
    peer_id: str,
    http: httpx.Client,
    method: str,
    url: str,
    *,
    what: str = "",
    **send: Any,
) -> dict[str, Any]:
    """A signed request to a peer and its JSON answer; an unreachable peer or an answer other
    than 200 is noted on the peer (`what` names the exchange there) and fails the job."""
    try:
        resp = transport.send(http, method, url, node.keys, to=peer_id, **send)
    except httpx.HTTPError as exc:
        _note_error(node, peer_id, f"unreachable: {type(exc).__name__}")
        raise DeliveryFailed(f"{peer_id} unreachable") from None
    if resp.status_code != 200:
        _note_error(node, peer_id, f"{what}HTTP {resp.status_code}: {resp.text[:300]}")
        raise DeliveryFailed(f"{peer_id} {what}answered {resp.status_code}")
    answer: dict[str, Any] = resp.json()
    return answer


def pull_from(node: Node, peer_id: str, *, http: httpx.Client | None = None) -> int:
    """Catch up on everything a peer holds for us since the last contiguous position.

    The next page is fetched while the current one is stored (catch-up after an outage is
    bound by both ends' work). Fetching ahead is safe: our position advances only once a
    page is stored, so after a crash the pull starts again from there."""
    got = 0
    http = http or transport.shared_client()
    with node.db.transaction() as session:
        peer = _approved(session, peer_id)
        if peer is None:
            return 0
        since, url = peer.received_position, peer.url + "/federation/v1/feed"
    with ThreadPoolExecutor(max_workers=1) as ahead:
        page = _fetch_page(node, peer_id, http, url, since)
        while True:
            more = bool(page.get("more"))
            nxt = page.get("next")
            following = (
                ahead.submit(_fetch_page, node, peer_id, http, url, nxt)
                if more and isinstance(nxt, int)
                else None
            )
            items = parse_batch(json.dumps({"items": page.get("items", [])}).encode()).items
            if items:
                receive_items(node, peer_id, items)
                got += len(items)
            with node.db.transaction() as session:
                peer = session.get(Peer, peer_id, with_for_update=True)
                if peer is not None and isinstance(nxt, int):
                    # Positions the origin skipped (nothing to send) count as received.
                    peer.received_position = max(peer.received_position, nxt)
            if following is None:
                _note_error(node, peer_id, None)
                return got
            page = following.result()


@queue.handler("federation.push", backoff_cap=60.0)
def _push_job(node: Node, payload: dict[str, Any]) -> None:
    push_to(node, payload["peer"])


@queue.handler("federation.pull", backoff_cap=60.0)
def _pull_job(node: Node, payload: dict[str, Any]) -> None:
    pull_from(node, payload["peer"])


@queue.handler("federation.sync", every=timedelta(seconds=60), at_start=True)
def _sync_job(node: Node, payload: dict[str, Any]) -> None:
    """Safety net and catch-up after downtime: pull from every peer, push what waits."""
    with node.db.transaction() as session:
        for peer_id in session.scalars(select(Peer.node_id).where(Peer.state == "approved")):
            queue_pull(session, peer_id)
            waiting = session.scalar(
                select(OutboxItem.id)
                .where(OutboxItem.recipient == peer_id, OutboxItem.state == "pending")
                .limit(1)
            )
            if waiting is not None:
                queue.enqueue(
                    session,
                    "federation.push",
                    {"peer": peer_id},
                    dedupe_key=f"push:{peer_id}",
                    max_attempts=1_000_000,
                )
