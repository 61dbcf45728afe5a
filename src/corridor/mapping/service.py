"""What every mapping record has in common: it is read through the one visibility rule, written
as a record of this node (a new version only by the node that recorded it) and withdrawn alike.

The sub-features build on these: routes/, challenges/, commitments/ (each a `service.py`), and
the map and reports that read them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import PermissionDenied
from corridor.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Labels, audience_for
from corridor.records.projection import Labelled, visible
from corridor.security.principal import Principal

R = TypeVar("R", bound=Labelled)


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


# Another type's record is not found either: "no route <id>", "no challenge <id>".
get_record = records.get_of_type


# Rules across records for a record about to be saved (its body validated already): raises
# InvalidInput, or answers the records it draws on (None: none, as before).
Check = Callable[[Session, str, Principal, dict[str, Any]], list[flow.Source] | None]


@dataclass(frozen=True)
class SaveOwn:
    """The service that records this node's records of `type`, or (with `record_id`) a new
    version of one it owns: the body checked by the type's schema, then by `check`, whose
    sources (the records it draws on, records.flow) are checked against its labels and
    audience (routes.service.save_route, challenges.service.save_challenge,
    commitments.service.save_commitment)."""

    type: str
    check: Check | None = None

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
    ) -> dict[str, Any]:
        body = registry.validate_body(self.type, body)
        sources = self.check(session, keys.node_id, actor, body) if self.check else None
        actor.require("mapping.write")
        audience = audience_for(to) if to is not None else None
        if record_id is None:
            return records.create(
                session,
                keys,
                actor=actor,
                type=self.type,
                body=body,
                labels=labels or Labels(tlp="GREEN"),
                audience=audience,
                sources=sources or (),
            )
        existing = get_record(
            session, keys.node_id, actor=actor, type=self.type, record_id=record_id
        )
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
