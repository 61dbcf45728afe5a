"""Records a node owns and keeps up as a team (routes, challenges, commitments, risk
assessments): one labelled projection row per record, read through the one visibility rule,
written as a record of this node (a new version only by the node that recorded it, by the
roles its type names as editors) and withdrawn alike.

A module registers such a type with `register_owned` (its body, its projection row and how the
body fills it) and saves it through a `SaveOwn`; its API routes answer through
`web.endpoints.save_record` and its pages are `web.own_records` pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, inspect, select
from sqlalchemy.orm import Session

from corridor.errors import PermissionDenied
from corridor.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Labels, audience_for
from corridor.records.projection import Labelled, labelled_row, visible
from corridor.records.registry import RecordType
from corridor.security.principal import Principal

R = TypeVar("R", bound=Labelled)
L = TypeVar("L", bound=Labelled)

# Another type's record is not found either: "no route <id>", "no challenge <id>".
get_record = records.get_of_type

# Rules across records for a record about to be saved (its body validated already): raises
# InvalidInput, or answers the records it draws on (None: none, as before).
Check = Callable[[Session, str, Principal, dict[str, Any]], list[flow.Source] | None]
# The body as the node completes it, from the body as given (InvalidInput naming a field).
Prepare = Callable[[Session, Principal, dict[str, Any]], dict[str, Any]]


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


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


def require_editor(actor: Principal, type: str) -> None:
    """The actor holds one of the permissions the type names as its editors."""
    editors = registry.get(type).flow.editors
    if not any(actor.has(p) for p in editors):
        actor.require(editors[0])


@dataclass(frozen=True)
class SaveOwn:
    """The service that records this node's records of `type`, or (with `record_id`) a new
    version of one it owns: the body checked by the type's schema, then by `check`, whose
    sources (the records it draws on, records.flow) are checked against its labels and
    audience (routes, challenges, commitments, assessments). `prepare` completes the body
    first with what the node, not the client, provides (shared figures: computed from its
    indicator store)."""

    type: str
    check: Check | None = None
    prepare: Prepare | None = None

    def _owned(
        self, session: Session, keys: NodeKeys, actor: Principal, record_id: uuid.UUID
    ) -> None:
        existing = get_record(
            session, keys.node_id, actor=actor, type=self.type, record_id=record_id
        )
        if existing["origin"] != keys.node_id:
            raise PermissionDenied("only the node that recorded it may change it")

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
        if self.prepare is not None:
            # Who may, and on which record, before the node does the work of completing it.
            require_editor(actor, self.type)
            if record_id is not None:
                self._owned(session, keys, actor, record_id)
            body = self.prepare(session, actor, body)
        body = registry.validate_body(self.type, body)
        sources = self.check(session, keys.node_id, actor, body) if self.check else None
        require_editor(actor, self.type)
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
        self._owned(session, keys, actor, record_id)
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
    require_editor(actor, type)
    existing = get_record(session, keys.node_id, actor=actor, type=type, record_id=record_id)
    if existing["origin"] != keys.node_id:
        raise PermissionDenied("only the node that recorded it may withdraw it")
    return records.revoke(session, keys, actor=actor, record_id=record_id, reason=reason)


def purge_row(model: type[Labelled]) -> Callable[[Session, dict[str, Any]], None]:
    """A record type's `purge`: its projection row deleted (withdrawn or expired)."""
    key = inspect(model).primary_key[0]

    def purge(session: Session, envelope: dict[str, Any]) -> None:
        session.execute(delete(model).where(key == uuid.UUID(envelope["id"])))

    return purge


def register_owned(
    name: str,
    *,
    body: type[BaseModel],
    model: type[L],
    fill: Callable[[L, dict[str, Any]], None],
    title: str,
    flow: flow.Flow,
    sensitive: bool = False,
) -> None:
    """A node-owned record type with one projection row per record (the labelled row, filled
    from the body by `fill`), removed when the record is purged. `sensitive`: each read is
    audited (national pictures without personal data are not)."""

    def project(session: Session, envelope: dict[str, Any]) -> None:
        fill(labelled_row(session, model, envelope), envelope["body"])

    registry.register(
        RecordType(
            name=name,
            body=body,
            flow=flow,
            project=project,
            purge=purge_row(model),
            sensitive=sensitive,
            title=title,
        )
    )
