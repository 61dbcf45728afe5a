"""Entities as flow sources (records.flow): what an entity carries when something draws on it.

An entity's view mixes statements of several holders: its own (a case's, or a partner's record
for a received entity) and those of the entities merged into it, which may be a partner's. Each
holder is one source with its own labels. Whatever embeds an entity (an alert's link, a share,
an export) asks the core which sources may go where it goes and carries only those statements:
a partner's statements merged into our person are never passed on to a third node."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from followthemoney import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.entities import store
from corridor.entities.access import accessible_case_ids
from corridor.entities.models import Case, Entity
from corridor.errors import InvalidInput
from corridor.records import flow
from corridor.records.labels import Labels
from corridor.records.models import StoredRecord


@dataclass(frozen=True)
class Drawn:
    """An entity as it may go somewhere: its proxy built from the permitted holders only."""

    entity: Entity
    proxy: EntityProxy
    sources: tuple[flow.Source, ...]
    # Partner nodes whose statements merged into this entity were left out.
    withheld: tuple[str, ...]


def _own_source(entity: Entity, case: Case | None, node_id: str, path: str) -> flow.Source:
    assert case is not None
    return flow.Source(
        ref=f"entity:{entity.id}",
        name=entity.caption,
        origin=node_id,
        tlp=entity.tlp,
        purpose=case.purpose,
        handling=case.handling,
        compartment=f"case:{case.id}",
        path=path,
    )


def _partner_source(session: Session, entity: Entity, path: str) -> flow.Source:
    record = session.get(StoredRecord, entity.record_id) if entity.record_id else None
    if record is None or record.envelope.get("body") is None:
        raise InvalidInput(f"entity {entity.id}: its partner withdrew it")
    source = flow.of_record(record.envelope, path=path)
    return dataclasses.replace(source, ref=f"entity:{entity.id}", name=entity.caption)


def source_of(
    session: Session, entity: Entity, case: Case | None, node_id: str, path: str
) -> flow.Source:
    """The source an entity's own statements are (a case's entity, or a partner's)."""
    if entity.origin is not None:
        return _partner_source(session, entity, path)
    return _own_source(entity, case, node_id, path)


def draw(
    session: Session,
    items: Iterable[tuple[Entity, Case | None]],
    *,
    node_id: str,
    path: str,
    labels: Labels | None,
    audience: list[str],
    author: str | None = None,
) -> list[Drawn]:
    """Each entity as it may go to `audience` under `labels` (None: out of the node, an export).

    The entity's own statements must be allowed (else FlowRefused names the entity and the
    rule); statements of partner entities merged into it go along only where the rule allows
    (back to their origin, say), and are withheld otherwise."""
    items = list(items)
    parts = store.live_by_holder(session, [e.id for e, _ in items])
    members = store.members_of(session, [e.id for e, _ in items])
    member_rows = {
        e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(list(members))))
    }
    out: list[Drawn] = []
    for entity, case in items:
        own = source_of(session, entity, case, node_id, path)
        _require(own, labels, audience, node_id, author)
        props = {p: list(v) for p, v in parts.get(entity.id, {}).items()}
        sources = [own]
        withheld: list[str] = []
        for member_id, into in members.items():
            if into != entity.id:
                continue
            member = member_rows[member_id]
            source = own
            if member.origin is not None:
                source = _partner_source(session, member, path)
                if not _permitted(source, labels, audience, node_id, author):
                    withheld.append(member.origin)
                    continue
                sources.append(source)
            for prop, values in parts.get(member_id, {}).items():
                have = props.setdefault(prop, [])
                have.extend(v for v in values if v not in have)
        proxy = store.proxy_of(entity.schema, entity.id, props)
        out.append(Drawn(entity, proxy, tuple(sources), tuple(sorted(set(withheld)))))
    return out


def _require(
    source: flow.Source,
    labels: Labels | None,
    audience: list[str],
    node_id: str,
    author: str | None,
) -> None:
    if labels is None:
        flow.check_export([source], own_node=node_id)
    else:
        flow.check(
            sources=[source], labels=labels, audience=audience, own_node=node_id, author=author
        )


def _permitted(
    source: flow.Source,
    labels: Labels | None,
    audience: list[str],
    node_id: str,
    author: str | None,
) -> bool:
    try:
        _require(source, labels, audience, node_id, author)
    except flow.FlowRefused:
        return False
    return True


def open_cases(session: Session, actor: object, keys: set[str]) -> set[str]:
    """The "case" compartment: which of these cases the actor may open (membership)."""
    wanted = {uuid.UUID(k) for k in keys}
    return {str(c) for c in accessible_case_ids(session, actor) if c in wanted}  # type: ignore[arg-type]


flow.register_compartment("case", open_cases)
