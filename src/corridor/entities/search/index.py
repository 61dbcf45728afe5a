"""The search index: what each entity is found by, computed here for both engines.

Script-independent name keys (so محمد آصف خان, Muhammad Asif Khan and Mohammed Asif share keys)
and selector terms (a phone as E.164 digits, document and account numbers as plain letters and
digits), one `entity_index` row per entity, written in the transaction that writes the entity
(`store`). On SQLite an FTS5 table mirrors the rows (triggers); on PostgreSQL GIN and trigram
indexes cover them."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from followthemoney import EntityProxy
from followthemoney.types import registry
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from corridor.db import bulk_insert
from corridor.entities.ftm import UNREAD
from corridor.entities.models import EntityIndex
from corridor.entities.normalize import selector_values
from corridor.entities.search.names import (
    latin_tokens,
    letter_pairs,
    loose_keys,
    name_keys,
)

ALNUM_RE = re.compile(r"[^0-9a-z]")


def alnum(value: str) -> str:
    return ALNUM_RE.sub("", value.lower())


def selector_term(kind: str, value: str) -> str:
    """The index term of a normalised selector: phones by their digits, everything else (document,
    account, IBAN, IMEI, plate, e-mail, handle) by its letters and digits."""
    if kind == "phone":
        return "tel" + alnum(value)
    return "x" + alnum(value)


def unread_values(proxy: EntityProxy) -> list[tuple[str, str]]:
    """The values an import kept as typed (``unreadValue``: "birthDate: 31/02/1990"), as (the
    property they were meant for, the value): indexed so that what was typed is found."""
    out = []
    for value in proxy.get(UNREAD, quiet=True):
        prop, sep, raw = value.partition(": ")
        if sep and raw:
            out.append((prop, raw))
    return out


def index_row(proxy: EntityProxy, default_region: str | None = None) -> dict[str, Any]:
    # One pass over the values (an import indexes every entity it writes).
    names: dict[str, None] = {}
    dates: list[str] = []
    countries: set[str] = set()
    for prop, value in proxy.itervalues():
        kind = prop.type
        if kind is registry.name:
            names[value] = None
        elif kind is registry.date:
            if value:
                dates.append(value[:10])
        elif kind is registry.country:
            countries.add(value)
    keys: list[str] = []
    for prop_name, raw in unread_values(proxy):
        meant = proxy.schema.get(prop_name)
        if meant is not None and meant.type is registry.name:
            names[raw] = None
        elif len(letters := alnum(raw)) >= 4:
            keys.append("x" + letters)  # what a search for the typed number asks for
    tokens: list[str] = []
    for name in names:
        keys.extend(name_keys(name))
        for part in loose_keys(name):
            keys.extend(part)
        keys.extend(letter_pairs(name))
        tokens.extend(latin_tokens(name))
    for kind_name, value in selector_values(proxy, default_region):
        keys.append(selector_term(kind_name, value))
    return {
        "entity_id": proxy.id,
        "schema": proxy.schema.name,
        "keys": " ".join(dict.fromkeys(keys)),
        "names": " ".join(dict.fromkeys(tokens)),
        "countries": (" " + " ".join(sorted(countries)) + " ") if countries else "",
        "first_date": min(dates) if dates else None,
        "last_date": max(dates) if dates else None,
    }


@dataclass(frozen=True)
class IndexItem:
    terms: dict[str, Any]  # index_row of the entity
    new: bool
    case_id: uuid.UUID | None
    origin: str | None
    purpose: str


def index(session: Session, items: Sequence[IndexItem]) -> None:
    """Insert or refresh index rows (on SQLite, triggers keep the FTS5 table in step)."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for item in items:
        row = dict(item.terms, case_id=item.case_id, origin=item.origin, purpose=item.purpose)
        (inserts if item.new else updates).append(row)
    # A mapped class's table is declared as a FromClause; it is a Table.
    table = cast(Table, EntityIndex.__table__)
    if inserts:
        _insert(session, inserts)
    if updates:
        known = set(
            session.scalars(
                select(EntityIndex.entity_id).where(
                    EntityIndex.entity_id.in_([u["entity_id"] for u in updates])
                )
            )
        )
        missing = [u for u in updates if u["entity_id"] not in known]
        present = [u | {"b_entity_id": u["entity_id"]} for u in updates if u["entity_id"] in known]
        if missing:
            _insert(session, missing)
        if present:
            stmt = (
                update(table)
                .where(table.c.entity_id == bindparam("b_entity_id"))
                .values(
                    {c: bindparam(c) for c in present[0] if c not in ("b_entity_id", "entity_id")}
                )
            )
            session.connection().execute(stmt, present)


def _sqlite_variable_limit(conn: Any) -> int:
    """How many parameters one statement may bind on this SQLite build (32766 since 3.32)."""
    driver = conn.connection.driver_connection
    try:
        return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, sqlite3.Error):  # pragma: no cover - Python < 3.11
        return 999


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """New index rows. On SQLite they go in as multi-row INSERTs rather than one statement per
    row: FTS5 (3.40) writes its pending terms to disk at every statement savepoint, so with the
    trigger firing in one statement per row each row became an FTS segment to merge later; in
    one statement the terms of the whole batch are written once. This made indexing an import
    of 50,000 persons three times cheaper (bench/entities/bench_import.py)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        bulk_insert(session, EntityIndex.__table__, rows)
        return
    table = EntityIndex.__table__
    cols = list(rows[0])
    procs = [table.c[c].type._cached_bind_processor(conn.dialect) for c in cols]
    converted = [(i, p) for i, p in enumerate(procs) if p is not None]
    values: list[Any] = []
    for row in rows:
        cells = [row[c] for c in cols]
        for i, proc in converted:
            if cells[i] is not None:
                cells[i] = proc(cells[i])
        values.extend(cells)
    per = max(1, _sqlite_variable_limit(conn) // len(cols))
    marks = "(" + ", ".join("?" for _ in cols) + ")"
    for start in range(0, len(rows), per):
        chunk = values[start * len(cols) : (start + per) * len(cols)]
        count = len(chunk) // len(cols)
        # Table and column names come from the model's metadata, never from input.
        head = f"INSERT INTO {EntityIndex.__tablename__} ({', '.join(cols)}) VALUES "  # noqa: S608
        sql = head + ", ".join([marks] * count)
        conn.exec_driver_sql(sql, tuple(chunk))
