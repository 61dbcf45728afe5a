"""Entities as users see them: create, edit, read (audited), delete, list, share, link.

Every function checks the actor: a case entity needs membership of its case, a partner entity
a purpose (and for TLP:RED a recipient) the actor may see. An entity the actor may not see
answers exactly like one that does not exist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from followthemoney import EntityProxy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.entities import flows, store
from corridor.entities.access import audit_case, audit_entity, check_tlp, open_case, touch
from corridor.entities.ftm import parse_entity
from corridor.entities.models import Case, Entity, Statement
from corridor.entities.records import ENTITIES_TYPE
from corridor.errors import InvalidInput, NotFound, PermissionDenied
from corridor.ids import uuid7
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.records import flow
from corridor.records import service as records
from corridor.records.labels import Labels, addressed
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import Principal

MAX_LIST = 500


@dataclass(frozen=True)
class Context:
    """What every entity operation needs to know about the node."""

    node_id: str
    region: str  # the node's country: national phone numbers are read in its plan


def context_of(node: Node) -> Context:
    return Context(node_id=node.id, region=node.config.country)


def _visible(
    session: Session, actor: Principal, ctx: Context, entity: Entity, *, write: bool = False
) -> Case | None:
    if entity.case_id is not None:
        return open_case(session, actor=actor, ref=entity.case_id, write=write)
    if write:
        raise PermissionDenied("entities received from partners are changed only by their origin")
    actor.require("entities.read")
    record = session.get(StoredRecord, entity.record_id) if entity.record_id else None
    if record is None or not can_see(actor, record.envelope, ctx.node_id):
        raise NotFound(f"no entity {entity.id}")
    return None


def load(
    session: Session, *, actor: Principal, ctx: Context, entity_id: str, write: bool = False
) -> tuple[Entity, Case | None]:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound(f"no entity {entity_id}")
    case = _visible(session, actor, ctx, entity, write=write)
    return entity, case


def proxy(entity: Entity) -> EntityProxy:
    return store.proxy_of(entity.schema, entity.id, entity.properties)


def create(
    session: Session,
    *,
    actor: Principal,
    ctx: Context,
    case_ref: str | uuid.UUID,
    data: dict[str, Any],
    tlp: str | None = None,
) -> Entity:
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    tlp = check_tlp(case, tlp)
    written: dict[tuple[str, str], str] = {}
    parsed = parse_entity(data, default_region=ctx.region, require_id=False, originals=written)
    if not parsed.id:
        parsed.id = uuid7().hex
    if not any(True for _ in parsed.itervalues()):
        raise InvalidInput("an entity needs at least one property value")
    result = store.write(
        session,
        proxies=[parsed],
        source=store.Source("user", actor.handle),
        tlp=tlp,
        purpose=case.purpose,
        case_id=case.id,
        default_region=ctx.region,
        originals={(parsed.id, p, v): raw for (p, v), raw in written.items()},
    )
    if parsed.id in result.refused:
        raise InvalidInput(f"entity {parsed.id}: {result.refused[parsed.id]}")
    touch(case)
    detail = {"case": str(case.id), "schema": parsed.schema.name}
    audit_entity(session, actor, "entity.write", parsed.id, detail)
    entity = session.get(Entity, parsed.id)
    assert entity is not None
    session.refresh(entity)
    return entity


def update(
    session: Session, *, actor: Principal, ctx: Context, entity_id: str, data: dict[str, Any]
) -> Entity:
    entity, case = load(session, actor=actor, ctx=ctx, entity_id=entity_id, write=True)
    assert case is not None
    if entity.merged_into:
        raise InvalidInput(f"this entity was merged into {entity.merged_into}; edit that one")
    data = {**data, "id": entity.id}
    written: dict[tuple[str, str], str] = {}
    parsed = parse_entity(data, default_region=ctx.region, originals=written)
    if parsed.schema.name != entity.schema and not parsed.schema.is_a(entity.schema):
        raise InvalidInput(f"schema: a {entity.schema} can become a more specific schema only")
    changed = store.set_values(
        session,
        entity=entity,
        proxy=parsed,
        source=store.Source("user", actor.handle),
        tlp=entity.tlp,
        originals=written,
    )
    if changed:
        touch(case)
        audit_entity(session, actor, "entity.write", entity.id, {"case": str(case.id)})
    session.refresh(entity)
    return entity


def read(
    session: Session, *, actor: Principal, ctx: Context, entity_id: str
) -> tuple[Entity, Case | None, list[Statement]]:
    """The entity with its statements (provenance); the read is audited."""
    entity, case = load(session, actor=actor, ctx=ctx, entity_id=entity_id)
    rows = store.statements(session, entity.id)
    audit_entity(session, actor, "entity.read", entity.id)
    return entity, case, rows


def delete(session: Session, *, actor: Principal, ctx: Context, entity_id: str) -> None:
    entity, case = load(session, actor=actor, ctx=ctx, entity_id=entity_id, write=True)
    assert case is not None
    merged = list(session.scalars(select(Entity.id).where(Entity.merged_into == entity.id)))
    if merged:
        raise InvalidInput("split the entities merged into this one before deleting it")
    store.delete_entities(session, [entity.id])
    touch(case)
    audit_entity(session, actor, "entity.delete", entity_id, {"case": str(case.id)})


def list_in_case(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    schema: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Case, list[Entity], int]:
    case = open_case(session, actor=actor, ref=case_ref)
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"limit: 1 to {MAX_LIST}")
    q = select(Entity).where(Entity.case_id == case.id, Entity.merged_into.is_(None))
    if schema:
        q = q.where(Entity.schema == schema)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(Entity.caption, Entity.id).limit(limit).offset(offset)))
    audit_case(session, actor, "case.entities.list", case.id, {"count": len(rows)})
    return case, rows, total


def list_from_partners(
    session: Session, *, actor: Principal, ctx: Context, limit: int = 100, offset: int = 0
) -> list[Entity]:
    actor.require("entities.read")
    q = (
        select(Entity, StoredRecord)
        .join(StoredRecord, StoredRecord.id == Entity.record_id)
        .where(
            Entity.case_id.is_(None),
            Entity.origin.is_not(None),
            Entity.purpose.in_(sorted(actor.purposes)),
        )
        .order_by(Entity.updated_at.desc(), Entity.id)
        .limit(limit)
        .offset(offset)
    )
    out = [e for e, rec in session.execute(q) if can_see(actor, rec.envelope, ctx.node_id)]
    # A listing: the entry names no one entity.
    audit_entity(session, actor, "entities.partners.list", "", {"count": len(out)})
    return out


def entities_of_case(session: Session, case: Case) -> list[Entity]:
    return list(
        session.scalars(
            select(Entity).where(Entity.case_id == case.id, Entity.merged_into.is_(None))
        )
    )


def share(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    ctx: Context,
    entity_ids: list[str],
    to: list[str],
    labels: Labels,
    title: str,
    note: str = "",
    with_related: bool = True,
) -> dict[str, Any]:
    """Share entities of one case with partner nodes as a signed record. With `with_related`,
    the relations among them and the entities they point to (a passport's holder, a call's
    parties) go along, so the partner receives a coherent extract."""
    if not entity_ids:
        raise InvalidInput("entities: name at least one entity to share")
    chosen: dict[str, Entity] = {}
    case: Case | None = None
    for eid in dict.fromkeys(entity_ids):
        entity, ecase = load(session, actor=actor, ctx=ctx, entity_id=eid)
        if ecase is None:
            # Structural, not a label check: a share is an extract of one of our cases.
            raise PermissionDenied(
                "an entity received from a partner cannot be passed on "
                "(third-party rule); ask its origin to share it"
            )
        if case is not None and ecase.id != case.id:
            raise InvalidInput("share entities of one case at a time")
        case = ecase
        chosen[eid] = entity
    assert case is not None
    if with_related:
        _add_related(session, case, chosen)
    audience = addressed(to)
    if ctx.node_id in audience.nodes:
        raise InvalidInput("to: share with partner nodes, not with this node")
    nodes = records.audience_nodes(session, audience, origin=ctx.node_id)
    # The flow rule decides: each entity's labels against the share's, and statements of a
    # partner's entity merged into ours only where they may go (never to a third node).
    drawn = flows.draw(
        session,
        [(e, case) for e in chosen.values()],
        node_id=ctx.node_id,
        path="share",
        labels=labels,
        audience=nodes,
        author=actor.handle,
    )
    body = {
        "title": title,
        "note": note,
        "case_reference": case.reference,
        "entities": [d.proxy.to_dict() for d in drawn],
    }
    envelope = records.create(
        session,
        keys,
        actor=actor,
        type=ENTITIES_TYPE,
        body=body,
        labels=labels,
        audience=audience,
        sources=[s for d in drawn for s in d.sources],
    )
    withheld = sorted({n for d in drawn for n in d.withheld})
    detail = {
        "record": envelope["id"],
        "entities": len(chosen),
        "to": audience.nodes + audience.groups,
        **({"withheld_from": withheld} if withheld else {}),
    }
    audit_case(session, actor, "entities.share", case.id, detail)
    return envelope


def _add_related(session: Session, case: Case, chosen: dict[str, Entity]) -> None:
    in_case = {e.id: e for e in entities_of_case(session, case)}
    wanted = set(chosen)
    for e in list(chosen.values()):
        p = proxy(e)
        for prop, value in p.itervalues():
            if prop.type.name == "entity" and value in in_case:
                wanted.add(value)
    # Relations (edges) and dependent things (a passport, a device) that point at the chosen.
    for e in in_case.values():
        if e.id in wanted:
            continue
        p = proxy(e)
        refs = {v for prop, v in p.itervalues() if prop.type.name == "entity"}
        if refs and refs & set(chosen) and (p.schema.edge or refs <= wanted | set(chosen)):
            wanted.add(e.id)
            for r in refs:
                if r in in_case:
                    wanted.add(r)
    for eid in wanted:
        if eid not in chosen and eid in in_case:
            chosen[eid] = in_case[eid]


def link_refs(
    session: Session,
    *,
    actor: object,
    node_id: str,
    refs: list[dict[str, str]],
    labels: Labels,
    audience: list[str],
) -> tuple[list[dict[str, str]], list[flow.Source]]:
    """Entity references a person attached to a request or post ({id, schema, caption}). One
    that names an entity this node holds and the person may see is content drawn from it: the
    flow rule decides whether it may go, and its caption is the one that may. Any other is what
    the person typed (a name to ask about), theirs to send."""
    ctx = Context(node_id=node_id, region="")
    out: list[dict[str, str]] = []
    sources: list[flow.Source] = []
    for ref in refs:
        try:
            entity, case = load(session, actor=actor, ctx=ctx, entity_id=ref.get("id", ""))  # type: ignore[arg-type]
        except (NotFound, PermissionDenied):
            out.append(ref)
            continue
        drawn = flows.draw(
            session,
            [(entity, case)],
            node_id=node_id,
            path="link",
            labels=labels,
            audience=audience,
            author=getattr(actor, "handle", None),
        )[0]
        out.append({**ref, "schema": entity.schema, "caption": drawn.proxy.caption[:300]})
        sources.extend(drawn.sources)
    return out, sources
