"""Create, version, revoke and expire records: the node signs and stores its own. Receiving
(`ingest`), writing a version (`store`) and reading (`reading`) are modules of their own,
named here too: `records.service` is the one face the modules use."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.counters import bump_counter
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.ids import uuid7
from corridor.keys import NodeKeys
from corridor.records import envelope as env_mod
from corridor.records import flow, groups, registry
from corridor.records.ingest import IngestResult, ingest
from corridor.records.labels import Audience, Labels
from corridor.records.models import RecordVersion, StoredRecord
from corridor.records.reading import (
    audit_listing,
    audit_record,
    get_of_type,
    get_visible,
    readable,
    sensitive_ids,
    visible_page,
)
from corridor.records.store import (
    CASCADE_JOB,
    GONE_HOOKS,
    OWN_BATCH_HOOKS,
    OWN_VERSION_HOOKS,
    RECEIVED_HOOKS,
    SEQ_COUNTER,
    insert_new,
    labels_dict,
    next_seq,
    own_version,
    own_versions,
    project_version,
    purge_history,
    store_version,
)
from corridor.security.principal import SYSTEM, Principal

# The one face the modules use: receiving, reading and the hooks are named here as well.
__all__ = [
    "CASCADE_JOB",
    "GONE_HOOKS",
    "OWN_BATCH_HOOKS",
    "OWN_VERSION_HOOKS",
    "RECEIVED_HOOKS",
    "SEQ_COUNTER",
    "IngestResult",
    "audit_listing",
    "audit_record",
    "get_of_type",
    "get_visible",
    "ingest",
    "next_seq",
    "readable",
    "sensitive_ids",
    "visible_page",
]


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
    audit_record(
        session, actor, "record.create", type, signed["id"], {"version": 1, "tlp": labels.tlp}
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
    return labels_dict(item.labels), own_audience, registry.validate_body(item.type, item.body)


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
    insert_new(session, [(e, "active") for e in signed], now)
    for envelope, item in zip(signed, items, strict=True):
        if item.sources_checked:
            flow.remember(session, envelope["id"], item.sources_checked, replace=False)
        project_version(session, envelope)
    own_versions(session, signed)
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
        "labels": labels_dict(labels) if labels else old["labels"],
        "audience": new_audience,
        "body": registry.validate_body(old["type"], body) if body is not None else old["body"],
    }
    signed = env_mod.sign(fields, keys)
    store_version(session, signed, state="active", row=row)
    if sources is not None:
        flow.remember(session, signed["id"], checked)
    project_version(session, signed)
    own_version(session, signed)
    audit_record(
        session, actor, "record.update", old["type"], record_id, {"version": signed["version"]}
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
    purge_history(session, row.id)
    store_version(session, signed, state=state, row=row)
    project_version(session, signed)
    own_version(session, signed)
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
    detail = {"version": signed["version"], **(detail or {})}
    audit_record(session, actor, "record.revoke", row.type, row.id, detail)
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
            purge_history(session, row.id)
            row.envelope = purged
            row.state = "expired"
            project_version(session, purged)
        audit_record(session, actor, "record.expire", row.type, row.id, {"origin": row.origin})
    return len(rows)
