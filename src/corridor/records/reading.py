"""Reading records as a person may: one record, a page of them, and the audit of what a
listing showed (and of what is done with a record: `audit_record`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.audit import service as audit
from corridor.errors import NotFound
from corridor.records import flow, registry
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import Principal


def audit_record(
    session: Session,
    actor: Principal,
    action: str,
    type: str,
    record_id: uuid.UUID | str,
    detail: dict[str, Any] | None = None,
) -> None:
    """The audit entry of what was done with one record, named by its type and id."""
    audit.append(
        session,
        actor=actor,
        action=action,
        object_type=type,
        object_id=str(record_id),
        detail=detail,
    )


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
        audit_record(session, actor, "record.read", row.type, record_id)
    return row.envelope


def get_of_type(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    record_id: uuid.UUID,
    type: str,
    what: str | None = None,
) -> dict[str, Any]:
    """`get_visible` for a module reading a record of its own type: a record of another type
    is not found either, named as the module names its records (`what`, by default the type's
    title: "no alert <id>")."""
    envelope = get_visible(session, node_id, actor=actor, record_id=record_id)
    if envelope["type"] != type:
        raise NotFound(f"no {what or registry.get(type).title.lower()} {record_id}")
    return envelope


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
