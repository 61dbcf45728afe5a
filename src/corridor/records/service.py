"""Create, version, revoke, expire and ingest records; the node signs and stores its own.

Federation adds only transport: it hands received envelopes to `ingest`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class

from corridor import clock
from corridor.audit import service as audit
from corridor.db import RowInserter, driver_sql, insert_pairs, transaction_state
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.ids import uuid7
from corridor.node.keys import NodeKeys
from corridor.node.models import Counter
from corridor.records import envelope as env_mod
from corridor.records import flow, groups, registry
from corridor.records.labels import Audience, Labels
from corridor.records.models import RecordVersion, StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import SYSTEM, Principal

SEQ_COUNTER = "record.seq"

# Called in the transaction of every version this node signs (federation queues delivery).
OWN_VERSION_HOOKS: list[Callable[[Session, dict[str, Any]], None]] = []
# The same for a module that handles many versions at once: called once per create_many (and
# with one version for every other signature). Register a hook here or above, not both.
OWN_BATCH_HOOKS: list[Callable[[Session, list[dict[str, Any]]], None]] = []
# Called in the transaction of every version received from a peer (notifications, receipts).
RECEIVED_HOOKS: list[Callable[[Session, dict[str, Any]], None]] = []
# Called when any record, own or received, loses its body (revoked or expired): whatever a
# module derived from it locally (a notification's title) goes with it.
GONE_HOOKS: list[Callable[[Session, dict[str, Any]], None]] = []
# Queues the revocation of this node's records derived from a record that is gone (the job
# runs with the node's keys; until then `flow.hidden` keeps them from every reader).
CASCADE_JOB = "records.cascade"


def _own_versions(session: Session, envelopes: list[dict[str, Any]]) -> None:
    for hook in OWN_VERSION_HOOKS:
        for envelope in envelopes:
            hook(session, envelope)
    for batch_hook in OWN_BATCH_HOOKS:
        batch_hook(session, envelopes)


def _own_version(session: Session, envelope: dict[str, Any]) -> None:
    _own_versions(session, [envelope])


def locked_counter(session: Session, name: str) -> Counter:
    """A counter row, locked for the rest of the transaction (looked up once per transaction).

    ORM form, for code that updates the row itself; a counter is used either through this or
    through `bump_counter` in a transaction, never both."""
    cache: dict[str, Counter] = session.info.setdefault("counters", {})
    row = cache.get(name)
    if row is None:
        row = session.get(Counter, name, with_for_update=True)
        if row is None:
            row = Counter(name=name, value=0)
            session.add(row)
        cache[name] = row
    return row


# name -> [value handed out last, value the row holds], for the rest of the transaction
_COUNTERS = "counter_values"
_BUMP = (
    "INSERT INTO counters (name, value) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value"
)


def bump_counter(session: Session, name: str, by: int = 1) -> int:
    """Add `by` to a counter and return its new value (the last of the `by` values reserved).

    The first bump in a transaction is one statement that creates the row if needed, adds and
    returns the value, and (on PostgreSQL) locks the row until the commit; SQLite's writer
    lock is held already. Later bumps count in memory; the row is written once, at commit."""
    values: dict[str, list[int]] = session.info.setdefault(_COUNTERS, {})
    entry = values.get(name)
    if entry is None:
        value = int(driver_sql(session, _BUMP, (name, by)).scalar_one())
        values[name] = [value, value]
        return value
    entry[0] += by
    return entry[0]


def _save_counters(session: Session, values: dict[str, list[int]]) -> None:
    for name, entry in values.items():
        if entry[0] != entry[1]:
            driver_sql(session, "UPDATE counters SET value = ? WHERE name = ?", (entry[0], name))
            entry[1] = entry[0]


transaction_state(
    _COUNTERS,
    save=_save_counters,
    copy=lambda values: {name: entry[:] for name, entry in values.items()},
)


def next_seq(session: Session) -> int:
    return bump_counter(session, SEQ_COUNTER)


def _labels_dict(labels: Labels) -> dict[str, Any]:
    return labels.model_dump(mode="json", exclude_none=True)


_RECORD_COLUMNS = (
    "id",
    "type",
    "origin",
    "author",
    "version",
    "seq",
    "tlp",
    "purpose",
    "state",
    "expires_at",
    "review_at",
    "envelope",
    "stored_at",
)
_insert_records = RowInserter(StoredRecord.__table__, _RECORD_COLUMNS)
_insert_versions = RowInserter(
    RecordVersion.__table__, ("record_id", "version", "seq", "envelope", "stored_at")
)
_RECORD_MANAGER = manager_of_class(StoredRecord)


def _insert_new(
    session: Session, envelopes: Sequence[tuple[dict[str, Any], str]], now: datetime
) -> list[tuple[Any, ...]]:
    """Insert records that do not exist yet, with their first history entry, in one or two
    driver calls for any number of records (Core executemany, no unit of work). Returns the
    records' rows in `_RECORD_COLUMNS` order."""
    rows = []
    for envelope, state in envelopes:
        labels = envelope["labels"]
        rows.append(
            (
                uuid.UUID(envelope["id"]),
                envelope["type"],
                envelope["origin"],
                envelope["author"],
                envelope["version"],
                envelope["seq"],
                labels["tlp"],
                labels.get("purpose", "cooperation"),
                state,
                _parse_ts(labels.get("expires")),
                _parse_ts(labels.get("review")),
                envelope,
                now,
            )
        )
    versions = [(r[0], r[4], r[5], r[11], now) for r in rows]
    insert_pairs(session, _insert_records, rows, _insert_versions, versions)
    return rows


def _attach(session: Session, row: tuple[Any, ...]) -> StoredRecord:
    """The ORM object of a record just inserted by `_insert_new`, put in the session as if
    loaded (no SQL): later versions in the same transaction update it the usual way."""
    obj: StoredRecord = _RECORD_MANAGER.new_instance()
    # Plain attribute storage, as the ORM's own loader fills a loaded object: no change events.
    obj.__dict__.update(zip(_RECORD_COLUMNS, row, strict=True))
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


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
    now = clock.now()
    if row is None and not new:
        row = session.get(StoredRecord, uuid.UUID(envelope["id"]))
    if row is None:
        return _attach(session, _insert_new(session, [(envelope, state)], now)[0])
    labels = envelope["labels"]
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
            record_id=row.id,
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
        _gone(session, envelope)
    elif rt.project:
        rt.project(session, envelope)


def _gone(session: Session, envelope: dict[str, Any]) -> None:
    for hook in GONE_HOOKS:
        hook(session, envelope)
    derived = flow.source_gone(session, uuid.UUID(envelope["id"]))
    if derived:
        from corridor.jobs.queue import enqueue  # the queue imports records' callers

        enqueue(session, CASCADE_JOB, {"ids": [str(d) for d in derived]})


def _purge_history(session: Session, rid: uuid.UUID) -> None:
    for version in session.scalars(select(RecordVersion).where(RecordVersion.record_id == rid)):
        if version.envelope.get("body") is not None:
            version.envelope = {**version.envelope, "body": None, "purged": True}


@dataclass(frozen=True)
class NewRecord:
    """One record to create: what `create` takes, for `create_many`."""

    type: str
    body: dict[str, Any]
    labels: Labels
    audience: Audience | None = None
    # What it embeds (records.flow): checked against its labels and audience, remembered.
    sources: tuple[flow.Source, ...] = ()
    # Filled by the check: the sources with what our own sources drew on in turn.
    sources_checked: list[flow.Source] = field(default_factory=list, compare=False)


def create(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    body: dict[str, Any],
    labels: Labels,
    audience: Audience | None = None,
    sources: Sequence[flow.Source] = (),
) -> dict[str, Any]:
    """Sign and store a new record. `sources`: the content it embeds (records.flow), checked
    against its labels and audience before anything is written."""
    item = NewRecord(type, body, labels, audience, tuple(sources))
    signed = _create_signed(session, keys, actor, [item])[0]
    audit.append(
        session,
        actor=actor,
        action="record.create",
        object_type=type,
        object_id=signed["id"],
        detail={"version": 1, "tlp": labels.tlp},
    )
    return signed


def create_many(
    session: Session, keys: NodeKeys, *, actor: Principal, items: Sequence[NewRecord]
) -> list[dict[str, Any]]:
    """Create many records at once: everything `create` does for each (checks, validation,
    signature, history, sequence, projection, hooks), at a fraction of the cost per record.

    All items are checked before anything is written: one bad item refuses the whole batch.
    One audit entry names every record created (as a batch received from a peer is audited)."""
    if not items:
        return []
    signed = _create_signed(session, keys, actor, items)
    types = {e["type"] for e in signed}
    audit.append(
        session,
        actor=actor,
        action="record.create",
        object_type=types.pop() if len(types) == 1 else "batch",
        detail={"ids": [e["id"] for e in signed], "count": len(signed), "version": 1},
    )
    return signed


def audience_nodes(session: Session, audience: Audience, *, origin: str) -> list[str]:
    """The node ids an audience reaches (sharing groups expanded), for a flow check made
    before the record is created."""
    return list(groups.expand(session, audience, origin=origin).nodes)


def _checked(
    session: Session,
    keys: NodeKeys,
    actor: Principal,
    item: NewRecord,
    audiences: dict[int, dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Labels, expanded audience and body of a new record, or the refusal."""
    _check_purpose(actor, item.labels)
    if item.labels.expires and item.labels.expires <= clock.now():
        raise InvalidInput("the expiry date is in the past")
    audience = audiences.get(id(item.audience))
    if audience is None:  # items of a batch usually share one audience: expand it once
        expanded = groups.expand(session, item.audience or Audience(), origin=keys.node_id)
        audience = audiences[id(item.audience)] = expanded.model_dump(mode="json")
    own_audience = {name: list(ids) for name, ids in audience.items()}  # no shared lists
    sources = _check_flow(
        session,
        item.type,
        item.sources,
        item.labels,
        own_audience["nodes"],
        keys.node_id,
        author=_person(actor),
    )
    # What is remembered is the whole closure: a later version is checked against it all.
    item.sources_checked[:] = sources
    return _labels_dict(item.labels), own_audience, registry.validate_body(item.type, item.body)


def _person(actor: Principal) -> str | None:
    """The handle of a person acting (who will read what they write), not the node's own."""
    return actor.handle if actor.kind in ("session", "token") else None


def _check_flow(
    session: Session,
    type: str,
    sources: Sequence[flow.Source],
    labels: Labels,
    nodes: list[str],
    own: str,
    new: bool = True,
    author: str | None = None,
) -> list[flow.Source]:
    """Check a derived record against its sources and everything our own sources drew on in
    turn (records.flow.closure); returns that closure. `new`: the feature names these sources
    now (their paths must be declared), rather than the record remembering them."""
    declared = registry.get(type).flow.embeds
    for source in sources if new else ():
        if source.path not in declared:
            # A feature embedding along a path its type did not declare is a bug, not input.
            raise RuntimeError(f"record type {type} does not declare the {source.path} path")
    every = flow.expand(session, sources, own) if sources else []
    flow.check(sources=every, labels=labels, audience=nodes, own_node=own, author=author)
    return every


def _create_signed(
    session: Session, keys: NodeKeys, actor: Principal, items: Sequence[NewRecord]
) -> list[dict[str, Any]]:
    actor.require("records.write")
    audiences: dict[int, dict[str, Any]] = {}
    checked = [_checked(session, keys, actor, item, audiences) for item in items]
    last = bump_counter(session, SEQ_COUNTER, len(items))
    now = clock.now()
    ts = clock.iso(now)
    signed = []
    for seq, item, (labels, audience, body) in zip(
        range(last - len(items) + 1, last + 1), items, checked, strict=True
    ):
        fields = {
            "id": str(uuid7()),
            "type": item.type,
            "version": 1,
            "origin": keys.node_id,
            "author": actor.handle,
            "seq": seq,
            "ts": ts,
            "labels": labels,
            "audience": audience,
            "body": body,
        }
        signed.append(env_mod.sign(fields, keys))
    _insert_new(session, [(e, "active") for e in signed], now)
    for envelope, item in zip(signed, items, strict=True):
        if item.sources_checked:
            flow.remember(session, envelope["id"], item.sources_checked, replace=False)
        _project(session, envelope)
    _own_versions(session, signed)
    return signed


def _check_purpose(actor: Principal, labels: Labels) -> None:
    # A user writes only data of a purpose their role may see (no protection data written
    # by enforcement roles, and no record its own author could not read back).
    if actor.kind in ("session", "token") and labels.purpose not in actor.purposes:
        raise PermissionDenied(f"your role does not handle {labels.purpose} data")


def _own_active(
    session: Session,
    keys: NodeKeys,
    record_id: uuid.UUID,
    actor: Principal,
    *,
    revoking: bool = False,
) -> StoredRecord:
    row = session.get(StoredRecord, record_id, with_for_update=True)
    if row is None:
        raise NotFound(f"record {record_id} not found")
    # A user changes only what they may see; the CLI and the node itself act as the node.
    if actor.kind in ("session", "token") and not readable(session, actor, row, keys.node_id):
        raise NotFound(f"record {record_id} not found")
    if row.origin != keys.node_id:
        raise PermissionDenied("only the origin node may change a record")
    if row.state != "active":
        raise Conflict(f"record {record_id} is {row.state}")
    if revoking and not registry.get(row.type).flow.revocable:
        raise Conflict(
            f"a {registry.get(row.type).title.lower() or row.type} is never revoked; "
            "it is replaced by a new version"
        )
    require_change(session, actor, row)
    return row


def creator(session: Session, row: StoredRecord) -> str:
    """The author of a record's first version (later versions name whoever changed it)."""
    if row.version == 1:
        return row.author
    first = session.scalar(
        select(RecordVersion.envelope).where(
            RecordVersion.record_id == row.id, RecordVersion.version == 1
        )
    )
    return str(first["author"]) if first else row.author


def may_change(session: Session, actor: Principal, row: StoredRecord) -> bool:
    """Who may issue a new version of an own record or revoke it: the node itself, else the
    record's author or a holder of a permission its type names (records.flow.Flow)."""
    if actor.kind == "system":
        return True
    rules = registry.get(row.type).flow
    if rules.system_only:
        return False
    if any(actor.has(p) for p in rules.editors):
        return True
    return actor.kind in ("session", "token") and creator(session, row) == actor.handle


def require_change(session: Session, actor: Principal, row: StoredRecord) -> None:
    if not may_change(session, actor, row):
        raise PermissionDenied(
            f"only its author{_editors_text(row.type)} may change or withdraw this "
            f"{registry.get(row.type).title.lower() or row.type}"
        )


def _editors_text(type: str) -> str:
    rules = registry.get(type).flow
    if rules.system_only:
        return " (the node itself)"
    return " or " + ", ".join(rules.editors) if rules.editors else ""


def update(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    record_id: uuid.UUID,
    body: dict[str, Any] | None = None,
    labels: Labels | None = None,
    audience: Audience | None = None,
    sources: Sequence[flow.Source] | None = None,
) -> dict[str, Any]:
    """A new version of an own record. The flow rule is checked again against `sources` (the
    content the new version embeds) or, when not given, the sources the record remembers."""
    actor.require("records.write")
    row = _own_active(session, keys, record_id, actor)
    old = row.envelope
    if labels:
        _check_purpose(actor, labels)
    if labels and labels.expires and labels.expires <= clock.now():
        raise InvalidInput("the expiry date is in the past")
    new_audience = (
        groups.expand(session, audience, origin=keys.node_id).model_dump(mode="json")
        if audience
        else old["audience"]
    )
    new_labels = labels or Labels.model_validate(old["labels"])
    given = (
        list(sources)
        if sources is not None
        else flow.current(session, flow.sources_of(session, row.id))
    )
    checked = _check_flow(
        session,
        old["type"],
        given,
        new_labels,
        new_audience["nodes"],
        keys.node_id,
        new=sources is not None,
        author=_person(actor),
    )
    fields = {
        **env_mod.unsigned(old),
        "version": old["version"] + 1,
        "author": actor.handle,
        "seq": next_seq(session),
        "ts": clock.iso(clock.now()),
        "labels": _labels_dict(labels) if labels else old["labels"],
        "audience": new_audience,
        "body": registry.validate_body(old["type"], body) if body is not None else old["body"],
    }
    signed = env_mod.sign(fields, keys)
    _store(session, signed, state="active", row=row)
    if sources is not None:
        flow.remember(session, signed["id"], checked)
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
    row = _own_active(session, keys, record_id, actor, revoking=True)
    return _revoke_row(session, keys, row, actor=actor, reason=reason)


def _revoke_row(
    session: Session,
    keys: NodeKeys,
    row: StoredRecord,
    *,
    actor: Principal,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The signed tombstone of an own record, audited as its revocation."""
    signed = _tombstone(session, keys, row, author=actor.handle, reason=reason, state="revoked")
    audit.append(
        session,
        actor=actor,
        action="record.revoke",
        object_type=row.type,
        object_id=str(row.id),
        detail={"version": signed["version"], **(detail or {})},
    )
    return signed


def revoke_derived(session: Session, keys: NodeKeys, ids: Sequence[uuid.UUID]) -> int:
    """Tombstone this node's active records among `ids` because a source they drew on is gone
    (the cascade of the flow rule). A received one is left to its own origin, which does the
    same when the source's tombstone reaches it. Returns how many were revoked."""
    done = 0
    for rid in ids:
        row = session.get(StoredRecord, rid, with_for_update=True)
        if row is None or row.origin != keys.node_id or row.state != "active":
            continue
        _revoke_row(
            session,
            keys,
            row,
            actor=SYSTEM,
            reason="a source it drew on was withdrawn",
            detail={"cascade": True},
        )
        done += 1
    return done


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


_FINAL_STATES = ("revoked", "expired")


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
    (a batch), keyed by id; ids absent from it are known not to exist.

    A version sent again exactly as this node stored it is acknowledged without parsing and
    verifying it again: it is the very data whose signature was checked when it was stored, and
    nothing is written. Anything else claiming a version already held (a forgery, an altered
    copy) goes through every check and is refused like any other bad record."""
    held_id, held = _held(session, envelope, existing)
    if held is not None and _sent_again(envelope, held, public_keys_for, addressed_to_us):
        outcome: IngestOutcome = "final" if held.state in _FINAL_STATES else "duplicate"
        return IngestResult(outcome, str(held.id), held.version)
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
    if parsed.id == held_id:
        row = held
    elif existing is not None:
        row = existing.get(parsed.id)
    else:
        row = session.get(StoredRecord, parsed.id, with_for_update=True)
    if row is not None:
        if row.origin != parsed.origin:
            raise PermissionDenied(f"record {rid} belongs to another origin")
        if row.state in _FINAL_STATES:
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


def _held(
    session: Session, envelope: Any, existing: dict[uuid.UUID, StoredRecord] | None
) -> tuple[uuid.UUID | None, StoredRecord | None]:
    """The record this node holds under the envelope's id (locked), if the id reads as one."""
    raw = envelope.get("id") if isinstance(envelope, dict) else None
    if not isinstance(raw, str):
        return None, None
    try:
        rid = uuid.UUID(raw)
    except ValueError:
        return None, None  # refused by the full checks
    if existing is not None:
        return rid, existing.get(rid)
    return rid, session.get(StoredRecord, rid, with_for_update=True)


def _sent_again(
    envelope: dict[str, Any],
    held: StoredRecord,
    public_keys_for: Callable[[str], list[bytes]],
    addressed_to_us: Callable[[dict[str, Any]], bool],
) -> bool:
    """The envelope is, value for value and type for type, the one stored (so its signature
    was verified when it came first), from an origin still known, addressed to this node."""
    return (
        envelope.get("version") == held.version
        and _same_json(envelope, held.envelope)
        and bool(public_keys_for(held.origin))
        and addressed_to_us(envelope)
    )


def _same_json(a: Any, b: Any) -> bool:
    """Equality of JSON values that also tells apart what canonical JSON writes differently
    (1, 1.0 and true are equal in Python, not in a signature)."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and _same_json(v, b[k]) for k, v in a.items())
    if kind is list:
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def readable(session: Session, actor: Principal, row: StoredRecord, node_id: str) -> bool:
    """The labels allow it (`policy.can_see`) and so does every source it draws on
    (`flow.hidden`: a compartment such as a case the actor may not open, or a source gone)."""
    return can_see(actor, row.envelope, node_id) and row.id not in flow.hidden(
        session, actor, [row.id]
    )


def get_visible(
    session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
) -> dict[str, Any]:
    actor.require("records.read")
    row = session.get(StoredRecord, record_id)
    if row is None or not readable(session, actor, row, node_id):
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


def visible_page(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    type: str | None = None,
    limit: int = 20,
    before: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Newest first (UUIDv7 order); labels filtered in SQL where they can be, RED in Python.
    Reads only: a listing of sensitive records must still be audited (`audit_listing`)."""
    actor.require("records.read")
    out: list[dict[str, Any]] = []
    cursor = before
    while len(out) < limit:
        q = select(StoredRecord).where(StoredRecord.purpose.in_(sorted(actor.purposes)))
        if type:
            q = q.where(StoredRecord.type == type)
        if cursor:
            q = q.where(StoredRecord.id < cursor)
        # As many as are missing: rows the RED filter drops are made up by the next round.
        batch = session.scalars(q.order_by(StoredRecord.id.desc()).limit(limit - len(out))).all()
        if not batch:
            break
        seen = [r for r in batch if can_see(actor, r.envelope, node_id)]
        drop = flow.hidden(session, actor, [r.id for r in seen])
        out.extend(r.envelope for r in seen if r.id not in drop)
        cursor = batch[-1].id
    return out


def sensitive_ids(envelopes: list[dict[str, Any]]) -> list[str]:
    """The listed records whose reading is audited."""
    return [e["id"] for e in envelopes if registry.get(e["type"]).sensitive]


def audit_listing(session: Session, *, actor: Principal, type: str | None, ids: list[str]) -> None:
    """The audit entry of a listing that showed sensitive records (none if it showed none)."""
    if ids:
        audit.append(
            session, actor=actor, action="record.list", object_type=type or "", detail={"ids": ids}
        )


def list_visible(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    type: str | None = None,
    limit: int = 20,
    before: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """visible_page and its audit entry, in the caller's (writing) transaction."""
    out = visible_page(session, node_id, actor=actor, type=type, limit=limit, before=before)
    audit_listing(session, actor=actor, type=type, ids=sensitive_ids(out))
    return out
