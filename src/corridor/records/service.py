"""Create, version, revoke, expire and ingest records; the node signs and stores its own.

Federation adds only transport: it hands received envelopes to `ingest`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.ids import uuid7
from corridor.node.keys import NodeKeys
from corridor.node.models import Counter
from corridor.records import envelope as env_mod
from corridor.records import groups, registry
from corridor.records.labels import Audience, Labels
from corridor.records.models import RecordVersion, StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import Principal

SEQ_COUNTER = "record.seq"

# Called in the transaction of every version this node signs (federation queues delivery).
OWN_VERSION_HOOKS: list[Callable[[Session, dict[str, Any]], None]] = []
# Called in the transaction of every version received from a peer (notifications, receipts).
RECEIVED_HOOKS: list[Callable[[Session, dict[str, Any]], None]] = []


def _own_version(session: Session, envelope: dict[str, Any]) -> None:
    for hook in OWN_VERSION_HOOKS:
        hook(session, envelope)


def locked_counter(session: Session, name: str) -> Counter:
    """A counter row, locked for the rest of the transaction (looked up once per transaction)."""
    cache = session.info.setdefault("counters", {})
    row = cache.get(name)
    if row is None:
        row = session.get(Counter, name, with_for_update=True)
        if row is None:
            row = Counter(name=name, value=0)
            session.add(row)
        cache[name] = row
    return row


def next_seq(session: Session) -> int:
    row = locked_counter(session, SEQ_COUNTER)
    row.value += 1
    return row.value


def _labels_dict(labels: Labels) -> dict[str, Any]:
    return labels.model_dump(mode="json", exclude_none=True)


def _store(
    session: Session,
    envelope: dict[str, Any],
    *,
    state: str,
    row: StoredRecord | None = None,
    new: bool = False,
) -> StoredRecord:
    """Write the latest version and its history entry. `row`: the caller already holds it;
    `new`: the caller knows the record does not exist yet (saves a lookup)."""
    labels = envelope["labels"]
    rid = uuid.UUID(envelope["id"])
    now = clock.now()
    if row is None and not new:
        row = session.get(StoredRecord, rid)
    if row is None:
        row = StoredRecord(id=rid)
        session.add(row)
    row.type = envelope["type"]
    row.origin = envelope["origin"]
    row.author = envelope["author"]
    row.version = envelope["version"]
    row.seq = envelope["seq"]
    row.tlp = labels["tlp"]
    row.purpose = labels.get("purpose", "cooperation")
    row.state = state
    row.expires_at = _parse_ts(labels.get("expires"))
    row.review_at = _parse_ts(labels.get("review"))
    row.envelope = envelope
    row.stored_at = now
    row.versions.add(
        RecordVersion(
            record_id=rid,
            version=envelope["version"],
            seq=envelope["seq"],
            envelope=envelope,
            stored_at=now,
        )
    )
    return row


def _parse_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return clock.parse(value)


def _project(session: Session, envelope: dict[str, Any]) -> None:
    rt = registry.get(envelope["type"])
    if envelope.get("body") is None:
        if rt.purge:
            rt.purge(session, envelope)
    elif rt.project:
        rt.project(session, envelope)


def _purge_history(session: Session, rid: uuid.UUID) -> None:
    for version in session.scalars(select(RecordVersion).where(RecordVersion.record_id == rid)):
        if version.envelope.get("body") is not None:
            version.envelope = {**version.envelope, "body": None, "purged": True}


def create(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    body: dict[str, Any],
    labels: Labels,
    audience: Audience | None = None,
) -> dict[str, Any]:
    actor.require("records.write")
    _check_purpose(actor, labels)
    if labels.expires and labels.expires <= clock.now():
        raise InvalidInput("the expiry date is in the past")
    fields = {
        "id": str(uuid7()),
        "type": type,
        "version": 1,
        "origin": keys.node_id,
        "author": actor.handle,
        "seq": next_seq(session),
        "ts": clock.iso(clock.now()),
        "labels": _labels_dict(labels),
        "audience": groups.expand(session, audience or Audience(), origin=keys.node_id).model_dump(
            mode="json"
        ),
        "body": registry.validate_body(type, body),
    }
    signed = env_mod.sign(fields, keys)
    _store(session, signed, state="active", new=True)
    _project(session, signed)
    _own_version(session, signed)
    audit.append(
        session,
        actor=actor,
        action="record.create",
        object_type=type,
        object_id=signed["id"],
        detail={"version": 1, "tlp": labels.tlp},
    )
    return signed


def _check_purpose(actor: Principal, labels: Labels) -> None:
    # A user writes only data of a purpose their role may see (no protection data written
    # by enforcement roles, and no record its own author could not read back).
    if actor.kind in ("session", "token") and labels.purpose not in actor.purposes:
        raise PermissionDenied(f"your role does not handle {labels.purpose} data")


def _own_active(session: Session, keys: NodeKeys, record_id: uuid.UUID) -> StoredRecord:
    row = session.get(StoredRecord, record_id, with_for_update=True)
    if row is None:
        raise NotFound(f"record {record_id} not found")
    if row.origin != keys.node_id:
        raise PermissionDenied("only the origin node may change a record")
    if row.state != "active":
        raise Conflict(f"record {record_id} is {row.state}")
    return row


def update(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    record_id: uuid.UUID,
    body: dict[str, Any] | None = None,
    labels: Labels | None = None,
    audience: Audience | None = None,
) -> dict[str, Any]:
    actor.require("records.write")
    row = _own_active(session, keys, record_id)
    old = row.envelope
    if labels:
        _check_purpose(actor, labels)
    if labels and labels.expires and labels.expires <= clock.now():
        raise InvalidInput("the expiry date is in the past")
    fields = {
        **env_mod.unsigned(old),
        "version": old["version"] + 1,
        "author": actor.handle,
        "seq": next_seq(session),
        "ts": clock.iso(clock.now()),
        "labels": _labels_dict(labels) if labels else old["labels"],
        "audience": groups.expand(session, audience, origin=keys.node_id).model_dump(mode="json")
        if audience
        else old["audience"],
        "body": registry.validate_body(old["type"], body) if body is not None else old["body"],
    }
    signed = env_mod.sign(fields, keys)
    _store(session, signed, state="active", row=row)
    _project(session, signed)
    _own_version(session, signed)
    audit.append(
        session,
        actor=actor,
        action="record.update",
        object_type=old["type"],
        object_id=str(record_id),
        detail={"version": signed["version"]},
    )
    return signed


def _tombstone(
    session: Session, keys: NodeKeys, row: StoredRecord, *, author: str, reason: str, state: str
) -> dict[str, Any]:
    old = row.envelope
    fields = {
        **env_mod.unsigned(old),
        "version": old["version"] + 1,
        "author": author,
        "seq": next_seq(session),
        "ts": clock.iso(clock.now()),
        "body": None,
        "tombstone": {"reason": reason},
    }
    signed = env_mod.sign(fields, keys)
    _purge_history(session, row.id)
    _store(session, signed, state=state, row=row)
    _project(session, signed)
    _own_version(session, signed)
    return signed


def revoke(
    session: Session, keys: NodeKeys, *, actor: Principal, record_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    actor.require("records.write")
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("a revocation needs a reason (1-500 characters)")
    row = _own_active(session, keys, record_id)
    signed = _tombstone(session, keys, row, author=actor.handle, reason=reason, state="revoked")
    audit.append(
        session,
        actor=actor,
        action="record.revoke",
        object_type=row.type,
        object_id=str(record_id),
        detail={"version": signed["version"]},
    )
    return signed


def expire_due(session: Session, keys: NodeKeys, *, actor: Principal, limit: int = 500) -> int:
    """Retention: own records past expiry get a signed tombstone; received ones lose their body."""
    rows = session.scalars(
        select(StoredRecord)
        .where(StoredRecord.state == "active", StoredRecord.expires_at <= clock.now())
        .order_by(StoredRecord.expires_at)
        .limit(limit)
        .with_for_update()
    ).all()
    for row in rows:
        if row.origin == keys.node_id:
            _tombstone(session, keys, row, author=actor.handle, reason="expired", state="expired")
        else:
            purged = {**row.envelope, "body": None, "purged": True}
            _purge_history(session, row.id)
            row.envelope = purged
            row.state = "expired"
            _project(session, purged)
        audit.append(
            session,
            actor=actor,
            action="record.expire",
            object_type=row.type,
            object_id=str(row.id),
            detail={"origin": row.origin},
        )
    return len(rows)


IngestOutcome = Literal["stored", "duplicate", "stale", "final"]


@dataclass(frozen=True)
class IngestResult:
    outcome: IngestOutcome
    record_id: str
    version: int
    row: StoredRecord | None = field(default=None, repr=False, compare=False)


def ingest(
    session: Session,
    *,
    envelope: Any,
    public_keys_for: Callable[[str], list[bytes]],
    addressed_to_us: Callable[[dict[str, Any]], bool],
    actor: Principal,
    audit_each: bool = True,
    existing: dict[uuid.UUID, StoredRecord] | None = None,
) -> IngestResult:
    """Accept a record version from another node after checking everything again.

    Idempotent: the same or an older version is acknowledged and ignored; a tombstone is final.
    Every check that can refuse comes before the first write, so a refusal leaves nothing
    behind even inside a larger transaction. `existing`: rows the caller already locked
    (a batch), keyed by id; ids absent from it are known not to exist."""
    parsed = env_mod.parse(envelope)
    keys = public_keys_for(parsed.origin)
    if not keys:
        raise PermissionDenied(f"origin {parsed.origin} is not a known peer")
    env_mod.verify_any(envelope, keys)
    if parsed.body is not None:
        registry.validate_body(parsed.type, parsed.body)
    else:
        registry.get(parsed.type)
    if not addressed_to_us(envelope):
        raise PermissionDenied(f"record {parsed.id} is not addressed to this node")
    rt = registry.get(parsed.type)
    if rt.check is not None and parsed.body is not None:
        rt.check(session, envelope)
    rid = str(parsed.id)
    if existing is not None:
        row = existing.get(parsed.id)
    else:
        row = session.get(StoredRecord, parsed.id, with_for_update=True)
    if row is not None:
        if row.origin != parsed.origin:
            raise PermissionDenied(f"record {rid} belongs to another origin")
        if row.state in ("revoked", "expired"):
            return IngestResult("final", rid, row.version)
        if parsed.version <= row.version:
            return IngestResult(
                "duplicate" if parsed.version == row.version else "stale", rid, row.version
            )
    if parsed.tombstone is not None:
        state = "expired" if parsed.tombstone.reason == "expired" else "revoked"
        if row is not None:
            _purge_history(session, row.id)
        row = _store(session, envelope, state=state, row=row, new=row is None)
    elif parsed.labels.expires and parsed.labels.expires <= clock.now():
        envelope = {**envelope, "body": None, "purged": True}
        row = _store(session, envelope, state="expired", row=row, new=row is None)
    else:
        row = _store(session, envelope, state="active", row=row, new=row is None)
    _project(session, envelope)
    for hook in RECEIVED_HOOKS:
        hook(session, envelope)
    if audit_each:  # batch receivers write one entry per batch instead
        audit.append(
            session,
            actor=actor,
            action="record.receive",
            object_type=parsed.type,
            object_id=rid,
            detail={"origin": parsed.origin, "version": parsed.version},
        )
    return IngestResult("stored", rid, parsed.version, row)


def get_visible(
    session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
) -> dict[str, Any]:
    actor.require("records.read")
    row = session.get(StoredRecord, record_id)
    if row is None or not can_see(actor, row.envelope, node_id):
        if row is not None:
            audit.append_denied(
                session,
                actor=actor,
                action="record.read",
                object_type=row.type,
                object_id=str(record_id),
            )
        # Same answer whether it exists or not: a denied reader learns nothing.
        raise NotFound(f"record {record_id} not found")
    if registry.get(row.type).sensitive:
        audit.append(
            session,
            actor=actor,
            action="record.read",
            object_type=row.type,
            object_id=str(record_id),
        )
    return row.envelope


def list_visible(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    type: str | None = None,
    limit: int = 20,
    before: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Newest first (UUIDv7 order); labels filtered in SQL where they can be, RED in Python."""
    actor.require("records.read")
    out: list[dict[str, Any]] = []
    cursor = before
    while len(out) < limit:
        q = select(StoredRecord).where(StoredRecord.purpose.in_(sorted(actor.purposes)))
        if type:
            q = q.where(StoredRecord.type == type)
        if cursor:
            q = q.where(StoredRecord.id < cursor)
        batch = session.scalars(q.order_by(StoredRecord.id.desc()).limit(limit * 2)).all()
        if not batch:
            break
        out.extend(r.envelope for r in batch if can_see(actor, r.envelope, node_id))
        cursor = batch[-1].id
    out = out[:limit]
    sensitive = [e["id"] for e in out if registry.get(e["type"]).sensitive]
    if sensitive:
        audit.append(
            session,
            actor=actor,
            action="record.list",
            object_type=type or "",
            detail={"ids": sensitive},
        )
    return out
