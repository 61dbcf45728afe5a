"""How a version of a record is written: its row, its history, its projection, the hooks
that follow; shared by what the node signs (`service`) and what it receives (`ingest`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class

from corridor import clock
from corridor.counters import bump_counter
from corridor.db import RowInserter, insert_pairs
from corridor.records import flow, registry
from corridor.records.labels import Labels
from corridor.records.models import RecordVersion, StoredRecord

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


def own_versions(session: Session, envelopes: list[dict[str, Any]]) -> None:
    for hook in OWN_VERSION_HOOKS:
        for envelope in envelopes:
            hook(session, envelope)
    for batch_hook in OWN_BATCH_HOOKS:
        batch_hook(session, envelopes)


def own_version(session: Session, envelope: dict[str, Any]) -> None:
    own_versions(session, [envelope])


def next_seq(session: Session) -> int:
    return bump_counter(session, SEQ_COUNTER)


def labels_dict(labels: Labels) -> dict[str, Any]:
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


def insert_new(
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
    """The ORM object of a record just inserted by `insert_new`, put in the session as if
    loaded (no SQL): later versions in the same transaction update it the usual way."""
    obj: StoredRecord = _RECORD_MANAGER.new_instance()
    # Plain attribute storage, as the ORM's own loader fills a loaded object: no change events.
    obj.__dict__.update(zip(_RECORD_COLUMNS, row, strict=True))
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def store_version(
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
        return _attach(session, insert_new(session, [(envelope, state)], now)[0])
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


def project_version(session: Session, envelope: dict[str, Any]) -> None:
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


def purge_history(session: Session, rid: uuid.UUID) -> None:
    for version in session.scalars(select(RecordVersion).where(RecordVersion.record_id == rid)):
        if version.envelope.get("body") is not None:
            version.envelope = {**version.envelope, "body": None, "purged": True}
