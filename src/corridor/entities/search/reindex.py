"""Bringing a node's search index up to what this version of corridor indexes.

When the terms an entity is found by change (issue 15 added loose keys and letter pairs to
the exact name keys), entities written before the upgrade lack them until they are indexed
again. `INDEX_VERSION` names what the code writes; the node keeps what its index holds in a
counter. At start and every few hours a job compares the two and re-indexes every entity in
batches, each its own transaction, from the stored merged view (no statement is read again).
Search keeps working meanwhile, finding old entities by the terms they already had; a node
stopped half-way starts over at its next start (re-indexing an entity twice is harmless)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.counters import Counter, bump_counter
from corridor.entities.ftm import model
from corridor.entities.models import Entity
from corridor.entities.search import index as search_index
from corridor.jobs.queue import handler
from corridor.node.service import Node

# 1: exact name keys and selector terms; 2: + loose keys and letter pairs (issue 15); 3: + the
# second readings of Latin dh, th, ch and of Arabic ذ ض ظ as d.
INDEX_VERSION = 3
VERSION_COUNTER = "entities.index_version"
BATCH = 2_000
JOB = "entities.reindex"

log = logging.getLogger(__name__)


def index_version(session: Session) -> int:
    """What this node's index holds (0 for a node that never recorded it)."""
    value = session.scalar(select(Counter.value).where(Counter.name == VERSION_COUNTER))
    return int(value or 0)


def reindex_batch(
    session: Session, after: str, default_region: str | None, size: int = BATCH
) -> tuple[str, int] | None:
    """Index again the next `size` entities (by id) after `after`: the last id done and how
    many, or None when there were none left. Merged-away entities have no index row and get
    none."""
    rows = session.scalars(
        select(Entity)
        .where(Entity.id > after, Entity.merged_into.is_(None))
        .order_by(Entity.id)
        .limit(size)
    ).all()
    if not rows:
        return None
    search_index.index(
        session,
        [
            search_index.IndexItem(
                search_index.index_row(
                    model.get_proxy({"id": e.id, "schema": e.schema, "properties": e.properties}),
                    default_region,
                ),
                False,
                e.case_id,
                e.origin,
                e.purpose,
            )
            for e in rows
        ],
    )
    return rows[-1].id, len(rows)


def bring_up_to_date(node: Node) -> int:
    """Re-index every entity if the index is older than the code; how many were re-indexed."""
    with node.db.reading() as session:
        held = index_version(session)
    if held >= INDEX_VERSION:
        return 0
    log.info("search index version %d, re-indexing for version %d", held, INDEX_VERSION)
    done, after = 0, ""
    while True:
        with node.db.transaction() as session:
            batch = reindex_batch(session, after, node.config.country)
            if batch is None:
                bump_counter(session, VERSION_COUNTER, INDEX_VERSION - index_version(session))
                break
        after, count = batch
        done += count
    log.info("search index re-indexed: %d entities", done)
    return done


@handler(JOB, every=timedelta(hours=6), at_start=True)
def reindex_job(node: Node, payload: dict[str, Any]) -> None:
    bring_up_to_date(node)
