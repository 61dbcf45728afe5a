"""Writing and reading entities with statement-level provenance.

Every property value is a statement from one source (a user, an import, a partner node), with
its time and TLP. The entity row holds the merged view of its live statements; the search index
is kept in step in the same transaction. New rows go to the driver in batches, one call per table,
so that an import of a large spreadsheet stays fast, and the statement id is a hash of what was
said by whom, so saying it twice changes nothing. What an entity's rows hold is computed from the
entity alone (`prepare`), so an import does that in another process while this one writes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple, cast

from followthemoney import EntityProxy
from followthemoney.exc import InvalidData
from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from corridor import clock
from corridor.db import RowInserter, bulk_insert
from corridor.entities.ftm import model
from corridor.entities.models import Entity, EntityIndex, Statement
from corridor.entities.search import index as search_index
from corridor.errors import InvalidInput

CHUNK = 500
SOURCE_KINDS = ("user", "import", "partner", "merge")


@dataclass(frozen=True)
class Source:
    kind: str  # user | import | partner | merge
    id: str  # user handle, import id, partner node id
    label: str = ""


@dataclass
class WriteResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # entity id -> why it was refused (the rest of the batch is written)
    refused: dict[str, str] = field(default_factory=dict)


def statement_id(entity_id: str, prop: str, value: str, source: Source) -> str:
    key = "\x1f".join((entity_id, prop, value, source.kind, source.id))
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def _statements(eid: str, proxy: EntityProxy, source: Source) -> list[tuple[str, str, str]]:
    """(statement id, property, value) of each value: `statement_id` with the parts that are
    the same for all of an entity's values joined once."""
    head = eid + "\x1f"
    tail = f"\x1f{source.kind}\x1f{source.id}"
    out = []
    for prop, value in proxy.itervalues():
        key = f"{head}{prop.name}\x1f{value}{tail}".encode()
        out.append((hashlib.sha1(key, usedforsecurity=False).hexdigest(), prop.name, value))
    return out


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _existing(session: Session, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in _chunks(ids):
        q = select(
            Entity.id,
            Entity.schema,
            Entity.case_id,
            Entity.origin,
            Entity.purpose,
            Entity.properties,
            Entity.merged_into,
        ).where(Entity.id.in_(part))
        for row in session.execute(q):
            out[row.id] = row
    return out


def members_of(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """Entities merged into any of `ids`: member id -> the id it was merged into."""
    out: dict[str, str] = {}
    for part in _chunks(list(ids)):
        q = select(Entity.id, Entity.merged_into).where(Entity.merged_into.in_(part))
        # Only rows whose merged_into is set are selected.
        out.update({eid: into for eid, into in session.execute(q) if into is not None})
    return out


def _live_rows(session: Session, holders: list[str]) -> Iterable[tuple[str, str, str]]:
    """(holder, property, value) of the live statements of these entities, oldest first."""
    for part in _chunks(holders):
        q = (
            select(Statement.entity_id, Statement.prop, Statement.value)
            .where(Statement.entity_id.in_(part), Statement.retracted_at.is_(None))
            .order_by(Statement.created_at, Statement.id)
        )
        yield from ((holder, prop, value) for holder, prop, value in session.execute(q))


def _live_properties(session: Session, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """The merged view: live statements of each entity and of the entities merged into it."""
    canonical = {eid: eid for eid in ids} | members_of(session, ids)
    return _gather(_live_rows(session, list(canonical)), canonical)


def live_by_holder(session: Session, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """The live statements of each of `ids` and of the entities merged into them, kept apart
    by the entity that holds them (holder id -> properties): what the flow rule needs to tell
    our own statements from a partner's merged into them."""
    holders = list({eid: eid for eid in ids} | members_of(session, ids))
    return _gather(_live_rows(session, holders), {h: h for h in holders})


def _gather(
    rows: Iterable[tuple[str, str, str]], into: dict[str, str]
) -> dict[str, dict[str, list[str]]]:
    props: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for eid, prop, value in rows:
        values = props[into[eid]].setdefault(prop, [])
        if value not in values:
            values.append(value)
    return props


def proxy_of(schema: str, entity_id: str, properties: dict[str, list[str]]) -> EntityProxy:
    return model.get_proxy({"id": entity_id, "schema": schema, "properties": properties})


class Prepared(NamedTuple):
    """An entity as `write` stores it, computed from its proxy alone (so an import can compute
    it in another process while this one writes)."""

    id: str
    schema: str
    caption: str
    # The properties as the entity row stores them (JSON): encoded where the entity is
    # prepared, which is the import's mapping process.
    properties_json: str
    statements: list[tuple[str, str, str]]  # (statement id, property, value), in that order
    # The search index row (search_index.index_row), or None to compute when the entity is new.
    terms: dict[str, Any] | None

    @property
    def properties(self) -> dict[str, list[str]]:
        return json.loads(self.properties_json)  # type: ignore[no-any-return]


def prepare(
    proxy: EntityProxy, source: Source, default_region: str | None = None, *, terms: bool = True
) -> Prepared:
    eid = proxy.id
    if not eid:
        raise InvalidInput("an entity without id cannot be stored")
    statements = _statements(eid, proxy, source)
    statements.sort()
    return Prepared(
        eid,
        proxy.schema.name,
        proxy.caption[:500],
        json.dumps(proxy.properties),
        statements,
        search_index.index_row(proxy, default_region) if terms else None,
    )


def _terms(item: Prepared, default_region: str | None) -> dict[str, Any]:
    if item.terms is not None:
        return item.terms
    return search_index.index_row(proxy_of(item.schema, item.id, item.properties), default_region)


def _merge_duplicates(
    items: Sequence[Prepared],
    source: Source,
    default_region: str | None,
    refused: dict[str, str],
) -> dict[str, Prepared]:
    """One item per entity id: items sharing an id (two rows with the same keys) are merged as
    proxies merge, and prepared again."""
    by_id: dict[str, Prepared] = {}
    merged: dict[str, EntityProxy] = {}
    for item in items:
        seen = by_id.get(item.id)
        if seen is None:
            by_id[item.id] = item
            continue
        proxy = merged.get(item.id) or proxy_of(seen.schema, seen.id, seen.properties)
        merged[item.id] = proxy
        try:
            proxy.merge(proxy_of(item.schema, item.id, item.properties))
        except InvalidData as exc:
            refused[item.id] = str(exc)
    for eid, proxy in merged.items():
        by_id[eid] = prepare(proxy, source, default_region)
    return by_id


def write(
    session: Session,
    *,
    proxies: Sequence[EntityProxy] = (),
    items: Sequence[Prepared] = (),
    source: Source,
    tlp: str,
    purpose: str,
    case_id: uuid.UUID | None,
    origin: str | None = None,
    record_id: uuid.UUID | None = None,
    originals: dict[tuple[str, str, str], str] | None = None,
    default_region: str | None = None,
) -> WriteResult:
    """Add the statements of `proxies`, or of `items` prepared already (by `prepare`, with the
    same `source`), and refresh the merged entities and their index rows. Entities sharing an
    id are merged first. An entity that exists in another case or with an incompatible schema
    is refused (reported in the result), never half-written."""
    if source.kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {source.kind}")
    # Index terms only for the entities that turn out to be new (the others are indexed from
    # their merged view).
    items = [*items, *(prepare(proxy, source, terms=False) for proxy in proxies)]
    result = WriteResult()
    if not items:
        return result
    now = clock.now()
    by_id = _merge_duplicates(items, source, default_region, result.refused)
    existing = _existing(session, list(by_id))
    schemas: dict[str, str] = {}
    for eid, item in by_id.items():
        if eid in result.refused:
            continue
        old = existing.get(eid)
        if old is None:
            schemas[eid] = item.schema
            continue
        if old.case_id != case_id or old.origin != origin:
            result.refused[eid] = "this entity id is already used elsewhere on this node"
            continue
        if old.merged_into:
            result.refused[eid] = f"this entity was merged into {old.merged_into}"
            continue
        try:
            schemas[eid] = model.common_schema(old.schema, item.schema).name
        except InvalidData:
            result.refused[eid] = f"schema {item.schema} does not fit {old.schema}"
    _insert_statements(session, [by_id[eid] for eid in schemas], source, tlp, now, originals)

    new_ids = [eid for eid in schemas if eid not in existing]
    old_ids = [eid for eid in schemas if eid in existing]
    merged = _live_properties(session, old_ids) if old_ids else {}
    _insert_entities(
        session,
        [by_id[eid] for eid in new_ids],
        case_id=case_id,
        origin=origin,
        record_id=record_id,
        tlp=tlp,
        purpose=purpose,
        now=now,
    )
    index_items = [
        search_index.IndexItem(_terms(by_id[eid], default_region), True, case_id, origin, purpose)
        for eid in new_ids
    ]
    result.created.extend(new_ids)
    updates: list[dict[str, Any]] = []
    for eid in old_ids:
        props = merged.get(eid, {})
        old = existing[eid]
        if props == old.properties and schemas[eid] == old.schema:
            result.unchanged.append(eid)
            continue
        proxy = proxy_of(schemas[eid], eid, props)
        updates.append(
            {
                "b_id": eid,
                "schema": schemas[eid],
                "caption": proxy.caption[:500],
                "properties": props,
                "updated_at": now,
                "record_id": record_id,
            }
        )
        terms = search_index.index_row(proxy, default_region)
        index_items.append(search_index.IndexItem(terms, False, case_id, origin, purpose))
        result.updated.append(eid)
    if updates:
        # A mapped class's table is declared as a FromClause; it is a Table.
        table = cast(Table, Entity.__table__)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                schema=bindparam("schema"),
                caption=bindparam("caption"),
                properties=bindparam("properties"),
                updated_at=bindparam("updated_at"),
                record_id=bindparam("record_id"),
            )
        )
        session.connection().execute(stmt, updates)
    search_index.index(session, index_items)
    return result


_insert_statement_rows = RowInserter(
    Statement.__table__,
    (
        "id",
        "entity_id",
        "prop",
        "value",
        "original",
        "source_kind",
        "source",
        "source_label",
        "tlp",
        "created_at",
        "retracted_at",
    ),
    ignore_conflicts=True,
)


def _insert_statements(
    session: Session,
    items: Sequence[Prepared],
    source: Source,
    tlp: str,
    now: datetime,
    originals: dict[tuple[str, str, str], str] | None,
) -> None:
    """The statements of `items`; those said already are skipped."""
    created = _insert_statement_rows.to_stored(session, "created_at")(now)
    common = (source.kind, source.id, source.label[:300], tlp, created, None)
    rows = [
        (
            sid,
            item.id,
            prop,
            value,
            originals.get((item.id, prop, value)) if originals else None,
            *common,
        )
        # In key order: neighbouring rows share B-tree pages, so a batch touches fewer of them.
        for item in sorted(items, key=lambda i: i.id)
        for sid, prop, value in item.statements
    ]
    _insert_statement_rows.stored(session, rows)


_insert_entity_rows = RowInserter(
    Entity.__table__,
    (
        "id",
        "schema",
        "caption",
        "properties",
        "case_id",
        "origin",
        "record_id",
        "tlp",
        "purpose",
        "merged_into",
        "created_at",
        "updated_at",
    ),
)


def _insert_entities(
    session: Session,
    items: Sequence[Prepared],
    *,
    case_id: uuid.UUID | None,
    origin: str | None,
    record_id: uuid.UUID | None,
    tlp: str,
    purpose: str,
    now: datetime,
) -> None:
    to_stored = partial(_insert_entity_rows.to_stored, session)
    stored_properties: Callable[[Prepared], Any]
    if session.get_bind().dialect.name == "sqlite":  # the JSON column keeps the text as given
        stored_properties = attrgetter("properties_json")
    else:
        to_json = to_stored("properties")
        stored_properties = lambda item: to_json(item.properties)  # noqa: E731
    created = to_stored("created_at")(now)
    common = (
        None if case_id is None else to_stored("case_id")(case_id),
        origin,
        None if record_id is None else to_stored("record_id")(record_id),
        tlp,
        purpose,
        None,
        created,
        created,
    )
    rows = [
        (item.id, item.schema, item.caption, stored_properties(item), *common)
        for item in sorted(items, key=lambda i: i.id)
    ]
    _insert_entity_rows.stored(session, rows)


def refresh(session: Session, entity_ids: list[str]) -> None:
    """Recompute the merged view and index of entities after statements were retracted or
    moved (edits, merges, splits)."""
    existing = _existing(session, entity_ids)
    props = _live_properties(session, list(existing))
    now = clock.now()
    reindex: list[search_index.IndexItem] = []
    for eid, old in existing.items():
        proxy = proxy_of(old.schema, eid, props.get(eid, {}))
        session.execute(
            update(Entity)
            .where(Entity.id == eid)
            .values(properties=proxy.properties, caption=proxy.caption[:500], updated_at=now)
        )
        if old.merged_into is None:
            terms = search_index.index_row(proxy)
            reindex.append(
                search_index.IndexItem(terms, False, old.case_id, old.origin, old.purpose)
            )
    search_index.index(session, reindex)


def unindex(session: Session, entity_ids: list[str]) -> None:
    for part in _chunks(entity_ids):
        session.execute(delete(EntityIndex).where(EntityIndex.entity_id.in_(part)))


def set_values(
    session: Session,
    *,
    entity: Entity,
    proxy: EntityProxy,
    source: Source,
    tlp: str,
    originals: dict[tuple[str, str], str] | None = None,
) -> bool:
    """Make the entity's view equal to `proxy` (a user's edit): values no longer present are
    retracted (from every source: the statements stay, marked retracted), new values become
    statements of `source`. Returns whether anything changed."""
    current = entity.properties or {}
    wanted = proxy.properties
    now = clock.now()
    changed = False
    # The view includes entities merged into this one: an edit retracts their values too.
    holders = [entity.id, *members_of(session, [entity.id])]
    for prop, values in current.items():
        gone = [v for v in values if v not in wanted.get(prop, [])]
        if gone:
            changed = True
            session.execute(
                update(Statement)
                .where(
                    Statement.entity_id.in_(holders),
                    Statement.prop == prop,
                    Statement.value.in_(gone),
                    Statement.retracted_at.is_(None),
                )
                .values(retracted_at=now)
            )
    fresh = [
        {
            "id": statement_id(entity.id, prop, value, source),
            "entity_id": entity.id,
            "prop": prop,
            "value": value,
            "original": (originals or {}).get((prop, value)),
            "source_kind": source.kind,
            "source": source.id,
            "source_label": source.label,
            "tlp": tlp,
            "created_at": now,
            "retracted_at": None,
        }
        for prop, values in wanted.items()
        for value in values
        if value not in current.get(prop, [])
    ]
    if fresh:
        changed = True
        # A value retracted earlier and now stated again by the same source comes back.
        ids = [r["id"] for r in fresh]
        session.execute(
            update(Statement)
            .where(Statement.entity_id == entity.id, Statement.id.in_(ids))
            .values(retracted_at=None)
        )
        bulk_insert(session, Statement.__table__, fresh, ignore_conflicts=True)
    if proxy.schema.name != entity.schema:
        entity.schema = proxy.schema.name
        changed = True
    if changed:
        session.flush()
        refresh(session, [entity.id])
    return changed


def statements(
    session: Session, entity_id: str, *, include_retracted: bool = True
) -> list[Statement]:
    """The entity's statements and those of the entities merged into it."""
    ids = [entity_id, *members_of(session, [entity_id])]
    q = select(Statement).where(Statement.entity_id.in_(ids))
    if not include_retracted:
        q = q.where(Statement.retracted_at.is_(None))
    return list(session.scalars(q.order_by(Statement.prop, Statement.created_at)))


def view_as_of(entity: Entity, rows: list[Statement], source: str) -> EntityProxy:
    """The entity as one source (user handle, import id or partner node) stated it."""
    props: dict[str, list[str]] = {}
    for st in rows:
        if st.source == source and st.retracted_at is None:
            props.setdefault(st.prop, []).append(st.value)
    return proxy_of(entity.schema, entity.id, props)


def delete_entities(session: Session, entity_ids: list[str]) -> None:
    """Remove entities with their statements and index rows. An entity they had been merged into
    loses their statements from its view (a partner withdrew what we had merged)."""
    targets: set[str] = set()
    for part in _chunks(entity_ids):
        targets.update(
            t
            for t in session.scalars(
                select(Entity.merged_into).where(
                    Entity.id.in_(part), Entity.merged_into.is_not(None)
                )
            )
            if t
        )
        session.execute(delete(Statement).where(Statement.entity_id.in_(part)))
        session.execute(delete(EntityIndex).where(EntityIndex.entity_id.in_(part)))
        session.execute(delete(Entity).where(Entity.id.in_(part)))
    remaining = sorted(targets - set(entity_ids))
    if remaining:
        refresh(session, remaining)
