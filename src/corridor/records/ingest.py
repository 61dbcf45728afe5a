"""Received records: the federation hands envelopes it verified to `ingest`, which stores
new versions, acknowledges repeats and keeps a final state final."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import PermissionDenied
from corridor.records import envelope as env_mod
from corridor.records import registry
from corridor.records.models import StoredRecord
from corridor.records.reading import audit_record
from corridor.records.store import RECEIVED_HOOKS, project_version, purge_history, store_version
from corridor.security.principal import Principal

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
            purge_history(session, row.id)
        row = store_version(session, envelope, state=state, row=row, new=row is None)
    elif parsed.labels.expires and parsed.labels.expires <= clock.now():
        envelope = {**envelope, "body": None, "purged": True}
        row = store_version(session, envelope, state="expired", row=row, new=row is None)
    else:
        row = store_version(session, envelope, state="active", row=row, new=row is None)
    project_version(session, envelope)
    for hook in RECEIVED_HOOKS:
        hook(session, envelope)
    if audit_each:  # batch receivers write one entry per batch instead
        detail = {"origin": parsed.origin, "version": parsed.version}
        audit_record(session, actor, "record.receive", parsed.type, rid, detail)
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
