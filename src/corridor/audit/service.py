"""Append to and verify the hash-chained audit log.

Each entry's hash covers its fields and the previous entry's hash, so altering, removing or
reordering any row breaks the chain at that row; the head row catches a truncated tail."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.canonical import canonical
from corridor.db import Database, RowInserter, driver_sql, transaction_state

GENESIS = "0" * 64


class Actor(Protocol):
    """Who acted, as the log records it (a person, a token, the node itself): the log sits
    below security, which logs through it, so it names no principal class."""

    @property
    def handle(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ip(self) -> str: ...


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


@dataclass
class _Head:
    """The chain for the rest of the transaction: the head row is read (and locked) by the
    first entry; entries are kept here and written with the head row just before the commit
    (one executemany however many entries the transaction appends)."""

    seq: int
    hash: str
    stored: tuple[int, str] | None  # what the head row holds now; None: no row yet
    pending: list[tuple[Any, ...]] = field(default_factory=list)  # entries not written yet


_HEAD = "audit_head"
_ENTRY_COLUMNS = (
    "seq",
    "ts",
    "actor",
    "actor_kind",
    "action",
    "object_type",
    "object_id",
    "ip",
    "outcome",
    "detail",
    "prev_hash",
    "hash",
)
_READ_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1"
_LOCK_HEAD = _READ_HEAD + " FOR UPDATE"
_insert_entries = RowInserter(AuditEntry.__table__, _ENTRY_COLUMNS)


def _head(session: Session) -> _Head:
    head: _Head | None = session.info.get(_HEAD)
    if head is None:
        # Locked once per transaction (on SQLite, BEGIN IMMEDIATE holds the write lock already).
        sqlite = session.connection().dialect.name == "sqlite"
        row = driver_sql(session, _READ_HEAD if sqlite else _LOCK_HEAD).first()
        if row is None:
            head = _Head(0, GENESIS, None)
        else:
            head = _Head(int(row[0]), row[1], (int(row[0]), row[1]))
        session.info[_HEAD] = head
    return head


def _save_head(session: Session, head: _Head) -> None:
    if head.pending:
        _insert_entries(session, head.pending)
        head.pending = []
    if head.stored == (head.seq, head.hash):
        return
    if head.stored is None:
        driver_sql(
            session,
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)",
            (head.seq, head.hash),
        )
    else:
        driver_sql(
            session, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (head.seq, head.hash)
        )
    head.stored = (head.seq, head.hash)


def _copy_head(head: _Head) -> _Head:
    return dataclasses.replace(head, pending=list(head.pending))


def written(session: Session) -> None:
    """Write the entries appended so far in this transaction (they are otherwise written just
    before the commit): for reading the log in the transaction that appends to it."""
    head: _Head | None = session.info.get(_HEAD)
    if head is not None:
        _save_head(session, head)


def append(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append inside the caller's transaction: the entry commits or rolls back with the work.

    `detail` must hold identifiers and counts only, never personal data or secrets, and must
    not be changed after the call: the entry is hashed now and written with the head row just
    before the commit (see `written`)."""
    head = _head(session)
    ts = clock.now()
    seq = head.seq + 1
    fields: dict[str, Any] = {
        "seq": seq,
        "ts": clock.iso(ts),
        "actor": actor.handle[:80],
        "actor_kind": actor.kind,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:80],
        "ip": actor.ip[:64],
        "outcome": outcome,
        "detail": detail or {},
        "prev_hash": head.hash,
    }
    digest = _entry_hash(fields)
    head.pending.append(
        (
            fields["seq"],
            ts,
            fields["actor"],
            fields["actor_kind"],
            action,
            object_type,
            fields["object_id"],
            fields["ip"],
            outcome,
            fields["detail"],
            fields["prev_hash"],
            digest,
        )
    )
    head.seq, head.hash = seq, digest


def append_denied(session: Session, **kwargs: Any) -> None:
    """Record a refusal that must survive even when the caller's transaction rolls back
    (the refusal is usually raised as an error): written at commit, or just after rollback."""
    session.info.setdefault(_PENDING, []).append({**kwargs, "outcome": "denied"})


_PENDING = "audit_denied"


@dataclass(frozen=True)
class About:
    """Entries about one kind of object (a case, a user, a peer), for a module that writes many:
    `audit_case = About("case")`, then `audit_case(session, actor, "case.status", case.id,
    {"status": status})`. The object's id is written as text."""

    object_type: str

    def __call__(
        self,
        session: Session,
        actor: Actor,
        action: str,
        object_id: object = "",
        detail: dict[str, Any] | None = None,
        *,
        outcome: str = "ok",
    ) -> None:
        append(session, outcome=outcome, **self._entry(actor, action, object_id, detail))

    def denied(self, session: Session, actor: Actor, action: str, object_id: object) -> None:
        """A refusal that outlives the rollback (`append_denied`)."""
        append_denied(session, **self._entry(actor, action, object_id, None))

    def _entry(
        self, actor: Actor, action: str, object_id: object, detail: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "actor": actor,
            "action": action,
            "object_type": self.object_type,
            "object_id": str(object_id),
            "detail": detail,
        }


@event.listens_for(Session, "before_commit")
def _write_denied_on_commit(session: Session) -> None:
    for kwargs in session.info.pop(_PENDING, []):
        append(session, **kwargs)


# Registered after the listener above, so entries it writes at commit are in the saved head.
transaction_state(_HEAD, save=_save_head, copy=_copy_head)


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


def head(session: Session) -> tuple[int, str]:
    """The chain's last link (seq, hash), counting entries appended in this transaction. On
    PostgreSQL the head row stays locked to the end of the transaction: nothing is appended
    behind the caller's back between reading the head and acting on it (a checkpoint)."""
    current = _head(session)
    return current.seq, current.hash


def entry_hashes(session: Session, seqs: Iterable[int], *, batch: int = 1000) -> dict[int, str]:
    """seq -> stored hash of the entries at those positions (absent: no such entry)."""
    wanted = sorted(set(seqs))
    written(session)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), batch):
        part = wanted[start : start + batch]
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(part))
        )
        found.update({int(seq): digest for seq, digest in rows})
    return found


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    written(session)
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
    head = driver_sql(session, _READ_HEAD).first()
    head_seq, head_hash = (int(head[0]), head[1]) if head else (0, GENESIS)
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
    # What the entries are about: a type or a prefix of one ("protection" matches
    # "protection.referral" too).
    object_type: str | None = None


def _filtered(f: AuditFilter) -> Any:
    q = select(AuditEntry)
    if f.action:
        q = q.where(AuditEntry.action.startswith(f.action))
    if f.actor:
        q = q.where(AuditEntry.actor == f.actor)
    if f.outcome:
        q = q.where(AuditEntry.outcome == f.outcome)
    if f.object_type:
        q = q.where(AuditEntry.object_type.startswith(f.object_type))
    if f.since:
        q = q.where(AuditEntry.ts >= f.since)
    if f.until:
        q = q.where(AuditEntry.ts < f.until)
    return q


def search(
    session: Session, f: AuditFilter, *, limit: int = 50, before_seq: int | None = None
) -> tuple[list[AuditEntry], int]:
    """Newest first, keyset-paginated by seq; also returns the total matching count."""
    written(session)
    q = _filtered(f)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    if before_seq:
        q = q.where(AuditEntry.seq < before_seq)
    rows = list(session.scalars(q.order_by(AuditEntry.seq.desc()).limit(limit)))
    return rows, total


def iter_export(session: Session, f: AuditFilter) -> Iterator[dict[str, Any]]:
    written(session)
    q = _filtered(f).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    for e in session.scalars(q):
        yield {**_fields(e), "hash": e.hash}
