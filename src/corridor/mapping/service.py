"""What every mapping record has in common: it is read through the one visibility rule, written
as a record of this node (a new version only by the node that recorded it) and withdrawn alike.

The sub-features build on these: routes/, challenges/, commitments/ (each a `service.py`), and
the map and reports that read them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import NotFound, PermissionDenied
from corridor.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Labels, audience_for
from corridor.records.projection import Labelled, visible
from corridor.security.principal import Principal

R = TypeVar("R", bound=Labelled)


class SaveOwn(Protocol):
    """A service that records one of this node's records, or (with `record_id`) a new version:
    routes.service.save_route, challenges.service.save_challenge,
    commitments.service.save_commitment."""

    def __call__(
        self,
        session: Session,
        keys: NodeKeys,
        *,
        actor: Principal,
        body: dict[str, Any],
        labels: Labels | None = None,
        to: list[str] | None = None,
        record_id: uuid.UUID | None = None,
    ) -> dict[str, Any]: ...


def visible_rows(
    session: Session, model: type[Labelled], node_id: str, actor: Principal, *where: Any
) -> list[Any]:
    actor.require("records.read")
    q = select(model).where(model.purpose.in_(sorted(actor.purposes)), *where)
    return [r for r in session.scalars(q) if visible(actor, r, node_id)]


def visible_row(
    session: Session, model: type[R], node_id: str, actor: Principal, row_id: str | uuid.UUID
) -> R | None:
    """One projection row this actor may see; None for an unknown, invisible or malformed id."""
    try:
        key = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id)
    except ValueError:
        return None
    row = session.get(model, key)
    return row if row is not None and visible(actor, row, node_id) else None


def get_record(
    session: Session, node_id: str, *, actor: Principal, type: str, record_id: uuid.UUID
) -> dict[str, Any]:
    envelope = records.get_visible(session, node_id, actor=actor, record_id=record_id)
    if envelope["type"] != type:
        raise NotFound(f"no {registry.get(type).title.lower()} {record_id}")
    return envelope


def write_own(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    body: dict[str, Any],
    labels: Labels | None,
    to: list[str] | None,
    record_id: uuid.UUID | None,
    sources: list[flow.Source] | None = None,
) -> dict[str, Any]:
    """Create a record of this node, or (with an id) a new version of one it owns. `sources`:
    the records it draws on (records.flow), checked against its labels and audience."""
    actor.require("mapping.write")
    audience = audience_for(to) if to is not None else None
    if record_id is None:
        return records.create(
            session,
            keys,
            actor=actor,
            type=type,
            body=body,
            labels=labels or Labels(tlp="GREEN"),
            audience=audience,
            sources=sources or (),
        )
    existing = get_record(session, keys.node_id, actor=actor, type=type, record_id=record_id)
    if existing["origin"] != keys.node_id:
        raise PermissionDenied("only the node that recorded it may change it")
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=record_id,
        body=body,
        labels=labels,
        audience=audience,
        sources=sources,
    )


# Rules across records for a record about to be saved (its body validated already): raises
# InvalidInput, or answers the records it draws on (None: none, as before).
Check = Callable[[Session, str, Principal, dict[str, Any]], list[flow.Source] | None]


def own_records(type: str, check: Check | None = None) -> SaveOwn:
    """The service that records this node's records of `type`, or a new version of one: the
    body checked by the type's schema, then by `check`, then written by `write_own`."""

    def save(
        session: Session,
        keys: NodeKeys,
        *,
        actor: Principal,
        body: dict[str, Any],
        labels: Labels | None = None,
        to: list[str] | None = None,
        record_id: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        body = registry.validate_body(type, body)
        sources = check(session, keys.node_id, actor, body) if check else None
        return write_own(
            session,
            keys,
            actor=actor,
            type=type,
            body=body,
            labels=labels,
            to=to,
            record_id=record_id,
            sources=sources,
        )

    return save


def withdraw(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    record_id: uuid.UUID,
    reason: str,
) -> dict[str, Any]:
    actor.require("mapping.write")
    existing = get_record(session, keys.node_id, actor=actor, type=type, record_id=record_id)
    if existing["origin"] != keys.node_id:
        raise PermissionDenied("only the node that recorded it may withdraw it")
    return records.revoke(session, keys, actor=actor, record_id=record_id, reason=reason)
