"""Append to and verify the hash-chained audit log.

Each entry's hash covers its fields and the previous entry's hash, so altering, removing or
reordering any row breaks the chain at that row; the head row catches a truncated tail."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit.models import AuditEntry, AuditHead
from corridor.db import Database
from corridor.records.canonical import canonical
from corridor.security.principal import Principal

GENESIS = "0" * 64


def _entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def _fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "ts": clock.iso(e.ts),
        "actor": e.actor,
        "actor_kind": e.actor_kind,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "ip": e.ip,
        "outcome": e.outcome,
        "detail": e.detail,
        "prev_hash": e.prev_hash,
    }


def append(
    session: Session,
    *,
    actor: Principal,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append inside the caller's transaction: the entry commits or rolls back with the work.

    `detail` must hold identifiers and counts only, never personal data or secrets."""
    head = session.info.get("audit_head")
    if head is None:
        # Locked once per transaction; later appends in it reuse the row.
        head = session.get(AuditHead, 1, with_for_update=True)
        if head is None:
            head = AuditHead(id=1, seq=0, hash=GENESIS)
            session.add(head)
        session.info["audit_head"] = head
    ts = clock.now()
    entry = AuditEntry(
        seq=head.seq + 1,
        ts=ts,
        actor=actor.handle[:80],
        actor_kind=actor.kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:80],
        ip=actor.ip[:64],
        outcome=outcome,
        detail=detail or {},
        prev_hash=head.hash,
    )
    entry.hash = _entry_hash(_fields(entry))
    session.add(entry)
    head.seq = entry.seq
    head.hash = entry.hash
    return entry


def append_denied(session: Session, **kwargs: Any) -> None:
    """Record a refusal that must survive even when the caller's transaction rolls back
    (the refusal is usually raised as an error): written at commit, or just after rollback."""
    session.info.setdefault(_PENDING, []).append({**kwargs, "outcome": "denied"})


_PENDING = "audit_denied"


@event.listens_for(Session, "before_commit")
def _write_denied_on_commit(session: Session) -> None:
    for kwargs in session.info.pop(_PENDING, []):
        append(session, **kwargs)


@event.listens_for(Session, "after_rollback")
def _write_denied_after_rollback(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if pending and session.bind is not None:
        with Session(bind=session.bind) as fresh, fresh.begin():
            for kwargs in pending:
                append(fresh, **kwargs)


def append_now(db: Database, **kwargs: Any) -> None:
    """Append in a transaction of its own: for denials and failures whose work rolled back."""
    with db.transaction() as session:
        append(session, **kwargs)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    prev_hash = GENESIS
    expected = 1
    checked = 0
    last = select(AuditEntry).order_by(AuditEntry.seq)
    for entry in session.scalars(last.execution_options(yield_per=batch)):
        if entry.seq != expected:
            return VerifyResult(
                False,
                checked,
                0,
                expected,
                f"entry {expected} is missing (next entry found is {entry.seq})",
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                0,
                entry.seq,
                "link to the previous entry is broken (entries removed or reordered)",
            )
        if _entry_hash(_fields(entry)) != entry.hash:
            return VerifyResult(False, checked, 0, entry.seq, "entry was altered")
        prev_hash = entry.hash
        expected += 1
        checked += 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        return VerifyResult(
            False,
            checked,
            head_seq,
            checked + 1,
            f"the log ends at entry {checked} but its head says {head_seq}: entries were removed",
        )
    return VerifyResult(True, checked, head_seq)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(f: AuditFilter) -> Any:
    q = select(AuditEntry)
    if f.action:
        q = q.where(AuditEntry.action.startswith(f.action))
    if f.actor:
        q = q.where(AuditEntry.actor == f.actor)
    if f.outcome:
        q = q.where(AuditEntry.outcome == f.outcome)
    if f.since:
        q = q.where(AuditEntry.ts >= f.since)
    if f.until:
        q = q.where(AuditEntry.ts < f.until)
    return q


def search(
    session: Session, f: AuditFilter, *, limit: int = 50, before_seq: int | None = None
) -> tuple[list[AuditEntry], int]:
    """Newest first, keyset-paginated by seq; also returns the total matching count."""
    q = _filtered(f)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    if before_seq:
        q = q.where(AuditEntry.seq < before_seq)
    rows = list(session.scalars(q.order_by(AuditEntry.seq.desc()).limit(limit)))
    return rows, total


def iter_export(session: Session, f: AuditFilter) -> Iterator[dict[str, Any]]:
    q = _filtered(f).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    for e in session.scalars(q):
        yield {**_fields(e), "hash": e.hash}
