"""The audit head witnessed by peers, the way transparency logs are.

A database administrator can rewrite the whole audit chain and its head consistently: the
local check (`audit.service.verify`) cannot tell. So every 15 minutes, when the head moved,
the node signs its head (node id, seq, hash, time) as an `audit.checkpoint` record addressed
to every approved peer. Peers keep every checkpoint they receive (a few hundred bytes each)
and flag one that contradicts an earlier one of the same origin: the same seq with another
hash, or a checkpoint signed later with a lower seq (the log went backwards). The node asks
its peers for what they hold of it (`verify_with_peers`) and checks each (seq, hash) against
its own chain: a rewritten log no longer has the hash it signed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import Field
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from corridor import clock
from corridor import keys as keymod
from corridor.audit import service as audit
from corridor.audit.models import AuditCheckpoint, AuditEntry
from corridor.errors import CorridorError, InvalidInput, PermissionDenied
from corridor.federation import transport
from corridor.federation.peers import approved_peers
from corridor.jobs.queue import handler
from corridor.keys import NodeKeys
from corridor.node.service import Node, audit_node
from corridor.records import envelope as env_mod
from corridor.records import registry
from corridor.records import service as records
from corridor.records.flow import Flow
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.schemas import StrictModel, UtcDateTime
from corridor.security.principal import SYSTEM, Principal

CHECKPOINT_TYPE = "audit.checkpoint"
JOB = "audit.checkpoint"
INTERVAL = timedelta(minutes=15)
PATH = "/federation/v1/audit/checkpoints"
PAGE = 1000
MAX_AUDIENCE = 500  # Audience.nodes holds at most 500 node ids


class CheckpointBody(StrictModel):
    """The signed audit head of `node` (the record's origin) at `at`."""

    node: str = Field(pattern=keymod.NODE_ID_PATTERN)
    seq: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    at: UtcDateTime


# Called with (session, the new checkpoint, the earlier one it contradicts) when a fork is
# found; the notifications module announces it to administrators this way.
FORK_HOOKS: list[Callable[[Session, AuditCheckpoint, AuditCheckpoint], None]] = []


def _check(session: Session, envelope: dict[str, Any]) -> None:
    """A node signs only its own head: a checkpoint about another node is refused."""
    if envelope["body"]["node"] != envelope["origin"]:
        raise PermissionDenied("an audit checkpoint names the node that signed it")


def _contradicted(session: Session, origin: str, seq: int, digest: str, at: datetime) -> Any:
    """The earliest held checkpoint of `origin` that (seq, digest, at) contradicts: the same
    seq with another hash, or an order of signing times that the seqs do not follow."""
    return session.scalar(
        select(AuditCheckpoint)
        .where(
            AuditCheckpoint.origin == origin,
            or_(
                and_(AuditCheckpoint.seq == seq, AuditCheckpoint.hash != digest),
                and_(AuditCheckpoint.signed_at < at, AuditCheckpoint.seq > seq),
                and_(AuditCheckpoint.signed_at > at, AuditCheckpoint.seq < seq),
            ),
        )
        .order_by(AuditCheckpoint.signed_at)
        .limit(1)
    )


def _project(session: Session, envelope: dict[str, Any]) -> None:
    """Keep every checkpoint; one that contradicts an earlier one is kept all the more (it is
    the evidence of a rewritten log), flagged, audited and announced."""
    rid = uuid.UUID(envelope["id"])
    if session.get(AuditCheckpoint, rid) is not None:
        return
    body = envelope["body"]
    at = clock.parse(body["at"])
    earlier = _contradicted(session, envelope["origin"], body["seq"], body["hash"], at)
    row = AuditCheckpoint(
        record_id=rid,
        origin=envelope["origin"],
        seq=body["seq"],
        hash=body["hash"],
        signed_at=at,
        received_at=clock.now(),
        envelope=envelope,
        fork=earlier.record_id if earlier is not None else None,
    )
    session.add(row)
    if earlier is not None:
        _report_fork(session, row, earlier)


def _report_fork(session: Session, row: AuditCheckpoint, earlier: AuditCheckpoint) -> None:
    detail = {
        "checkpoint": str(row.record_id),
        "seq": row.seq,
        "hash": row.hash,
        "contradicts": str(earlier.record_id),
        "earlier_seq": earlier.seq,
        "earlier_hash": earlier.hash,
    }
    audit_node(session, SYSTEM, "audit.fork", row.origin, detail, outcome="error")
    for hook in FORK_HOOKS:
        hook(session, row, earlier)


registry.register(
    registry.RecordType(
        name=CHECKPOINT_TYPE,
        body=CheckpointBody,
        # Signed by the node from its own audit head; a withdrawal would erase the evidence
        # peers keep, so it is never revoked either.
        flow=Flow(system_only=True, revocable=False),
        project=_project,
        check=_check,
        sensitive=False,
        title="Audit checkpoint",
    )
)


@dataclass(frozen=True)
class Fork:
    """A checkpoint that contradicts an earlier one of the same origin, for administrators."""

    origin: str
    seq: int
    hash: str
    signed_at: datetime
    earlier_seq: int
    earlier_hash: str
    earlier_signed_at: datetime


def forks(session: Session, *, limit: int = 50) -> list[Fork]:
    """The latest contradicting checkpoints held (evidence that a peer's log was rewritten)."""
    earlier = aliased(AuditCheckpoint)
    rows = session.execute(
        select(AuditCheckpoint, earlier)
        .join(earlier, earlier.record_id == AuditCheckpoint.fork)
        .order_by(AuditCheckpoint.received_at.desc())
        .limit(limit)
    ).all()
    return [Fork(c.origin, c.seq, c.hash, c.signed_at, e.seq, e.hash, e.signed_at) for c, e in rows]


def held_counts(session: Session, own: str) -> tuple[int, int]:
    """(checkpoints held of peers' logs, checkpoints this node signed of its own)."""
    by_own = AuditCheckpoint.origin == own
    theirs = session.scalar(select(func.count()).where(~by_own)) or 0
    mine = session.scalar(select(func.count()).where(by_own)) or 0
    return int(theirs), int(mine)


# --- issuing ------------------------------------------------------------------------------


def _about_checkpoints(session: Session, entry: AuditEntry) -> bool:
    """Whether an audit entry records only checkpoints created or received. Such entries do
    not move the head for this purpose: else two quiet peers would sign one checkpoint after
    another forever, each prompted by the other's."""
    if entry.action not in ("record.create", "record.receive"):
        return False
    if entry.object_type == CHECKPOINT_TYPE:
        return True
    ids = entry.detail.get("ids") if entry.object_type == "batch" else None
    if not isinstance(ids, list) or not ids:
        return False
    try:
        wanted = {uuid.UUID(str(i)) for i in ids}
    except ValueError:
        return False
    types = set(
        session.scalars(select(StoredRecord.type).where(StoredRecord.id.in_(wanted)).distinct())
    )
    return types == {CHECKPOINT_TYPE}


def _moved_since_last(session: Session, own: str, seq: int) -> bool:
    """Whether anything but checkpoints was audited since the last checkpoint."""
    last = session.scalar(
        select(AuditCheckpoint.seq)
        .where(AuditCheckpoint.origin == own)
        .order_by(AuditCheckpoint.signed_at.desc())
        .limit(1)
    )
    if last is None:
        return True
    if seq <= last:
        return seq < last  # a head behind the last checkpoint: sign it, peers will flag it
    # Usually the first entry decides (a busy node); a quiet one has only a few.
    while True:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(100)
        ).all()
        if not entries:
            return False
        if not all(_about_checkpoints(session, e) for e in entries):
            return True
        last = entries[-1].seq


def issue(session: Session, keys: NodeKeys) -> list[dict[str, Any]]:
    """Sign the audit head for every approved peer, if it moved since the last checkpoint
    (its own creation aside); returns the records created (none: nothing to witness)."""
    peers = [p.node_id for p in approved_peers(session)]
    seq, digest = audit.head(session)  # locks the head until commit (PostgreSQL)
    if not peers or seq == 0 or not _moved_since_last(session, keys.node_id, seq):
        return []
    body = {"node": keys.node_id, "seq": seq, "hash": digest, "at": clock.iso(clock.now())}
    labels = Labels(tlp="GREEN", purpose="cooperation")
    items = [
        records.NewRecord(
            CHECKPOINT_TYPE, body, labels, Audience(nodes=peers[i : i + MAX_AUDIENCE])
        )
        for i in range(0, len(peers), MAX_AUDIENCE)
    ]
    return records.create_many(session, keys, actor=SYSTEM, items=items)


@handler(JOB, every=INTERVAL)
def checkpoint_job(node: Node, payload: dict[str, Any]) -> None:
    with node.db.transaction() as session:
        issue(session, node.keys)


# --- serving what this node holds of an origin --------------------------------------------


def held_page(
    session: Session, origin: str, *, after: uuid.UUID | None = None, limit: int = PAGE
) -> dict[str, Any]:
    """Checkpoints of `origin` held here, as their signed envelopes, in the origin's order of
    creation (record ids are UUIDv7); `next` continues after the last one."""
    q = select(AuditCheckpoint).where(AuditCheckpoint.origin == origin)
    if after is not None:
        q = q.where(AuditCheckpoint.record_id > after)
    rows = session.scalars(q.order_by(AuditCheckpoint.record_id).limit(limit)).all()
    return {
        "origin": origin,
        "checkpoints": [r.envelope for r in rows],
        "next": str(rows[-1].record_id) if len(rows) == limit else None,
    }


def serve(
    node: Node, asker: str, origin: str, after: uuid.UUID | None, limit: int
) -> dict[str, Any]:
    """What the endpoint answers. Only the origin itself may ask: the checkpoints are its
    records, and passing a partner's records to a third node is what the third-party rule
    forbids (a receiver passes on only its own records)."""
    if asker != origin:
        audit.append_now(
            node.db,
            actor=Principal(kind="system", handle=f"peer:{asker}"),
            action="federation.refused",
            object_type="node",
            object_id=origin,
            outcome="denied",
            detail={"path": PATH, "reason": "checkpoints of another node"},
        )
        raise PermissionDenied("a node may ask only for the checkpoints of its own audit log")
    with node.db.reading() as session:
        return held_page(session, origin, after=after, limit=limit)


# --- checking this node's log against what its peers hold ---------------------------------


@dataclass(frozen=True)
class Mismatch:
    seq: int
    signed: str  # the hash this node signed for that entry
    local: str | None  # the hash the entry has now (None: there is no such entry)


@dataclass
class PeerReport:
    peer: str
    name: str
    reachable: bool = False
    error: str = ""
    checked: int = 0
    invalid: int = 0  # envelopes whose signature is not this node's (not evidence: ignored)
    mismatches: list[Mismatch] = field(default_factory=list)


def _fetch_all(node: Node, http: httpx.Client, peer_id: str, url: str) -> list[dict[str, Any]]:
    """Every checkpoint of this node the peer holds, page by page."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"origin": node.id, "limit": PAGE}
        if after:
            params["after"] = after
        resp = transport.send(http, "GET", url + PATH, node.keys, to=peer_id, params=params)
        if resp.status_code != 200:
            raise InvalidInput(f"HTTP {resp.status_code}: {resp.text[:200]}")
        page = resp.json()
        items = page.get("checkpoints") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise InvalidInput("the answer holds no checkpoints list")
        found.extend(i for i in items if isinstance(i, dict))
        after = page.get("next")
        if not items or not isinstance(after, str):
            return found


def _signed_heads(
    report: PeerReport, envelopes: list[dict[str, Any]], own: str, keys: list[bytes]
) -> dict[int, set[str]]:
    """seq -> hashes this node signed, from the envelopes that verify with its own keys."""
    heads: dict[int, set[str]] = {}
    for envelope in envelopes:
        try:
            if envelope.get("origin") != own or envelope.get("type") != CHECKPOINT_TYPE:
                raise InvalidInput("not a checkpoint of this node")
            env_mod.verify_any(envelope, keys)
            body = CheckpointBody.model_validate(envelope.get("body"))
        except (CorridorError, ValueError):
            report.invalid += 1
            continue
        heads.setdefault(body.seq, set()).add(body.hash)
    return heads


def _compare(session: Session, report: PeerReport, heads: dict[int, set[str]]) -> None:
    local = audit.entry_hashes(session, heads)
    for seq in sorted(heads):
        for signed in sorted(heads[seq]):
            report.checked += 1
            if local.get(seq) != signed:
                report.mismatches.append(Mismatch(seq, signed, local.get(seq)))


def verify_with_peers(node: Node, *, http: httpx.Client) -> list[PeerReport]:
    """Ask each approved peer for the checkpoints it holds of this node; check that each is
    signed by this node (its current or a retired key, read from the key files, not the
    store) and that the local entry at its seq has exactly the signed hash. A peer that
    cannot be reached is reported, not fatal."""
    own_keys = keymod.signing_publics(node.config.keys_dir)
    with node.db.reading() as session:
        peers = [(p.node_id, p.name, p.url) for p in approved_peers(session)]
    reports = []
    for peer_id, name, url in peers:
        report = PeerReport(peer_id, name)
        reports.append(report)
        try:
            envelopes = _fetch_all(node, http, peer_id, url)
        except (httpx.HTTPError, InvalidInput, ValueError) as exc:
            report.error = str(exc) or type(exc).__name__
            continue
        report.reachable = True
        heads = _signed_heads(report, envelopes, node.id, own_keys)
        with node.db.reading() as session:
            _compare(session, report, heads)
    return reports
