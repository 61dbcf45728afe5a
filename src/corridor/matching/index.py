"""The holder's side: its OPRF key, the index of the cases opted in to matching, published as
`matching.index` segments to its approved peers.

`refresh` (a job, every few seconds and after a switch) brings the index in step with the
cases: entities written since the last pass get their entries recomputed, entities gone,
merged away or in a case no longer opted in lose theirs, and every changed segment is signed
again (a new version replaces it at every peer; an empty one is revoked). The flow rule
decides, with the case as the source, whether its entries may go to the peers at all: a
protection or risk-analysis case never enters the index, nor a TLP:RED one."""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.db import bulk_insert
from corridor.entities.cases import matching as cases
from corridor.errors import InvalidInput
from corridor.jobs.queue import handler
from corridor.keys import NodeKeys
from corridor.matching import oprf
from corridor.matching.models import (
    IndexedCase,
    MatchingHandle,
    MatchingKey,
    MatchingSegment,
    OwnEntry,
)
from corridor.matching.records import HANDLE_BYTES, INDEX_TYPE, MAX_SEGMENT, TAG_BYTES, pack
from corridor.matching.selectors import of_entity
from corridor.node.service import Node
from corridor.records import service as records
from corridor.records.labels import Audience
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM

log = logging.getLogger("corridor.matching")
REFRESH_JOB = cases.REFRESH_JOB
REFRESH_EVERY = timedelta(seconds=10)
MAX_PER_ENTITY = 1000


def current_key(session: Session) -> MatchingKey:
    """The holder's key (made on first use)."""
    key = session.scalar(
        select(MatchingKey).where(MatchingKey.retired_at.is_(None)).order_by(MatchingKey.id.desc())
    )
    if key is None:
        key = MatchingKey(secret=oprf.new_key(), created_at=clock.now(), retired_at=None)
        session.add(key)
        session.flush()
    return key


def format_handle(raw: bytes) -> str:
    text = base64.b32encode(raw).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def handle_bytes(handle: str) -> bytes:
    return base64.b32decode(handle.replace("-", ""))


def seal(handle: bytes, output: bytes) -> bytes:
    pad = output[TAG_BYTES : TAG_BYTES + HANDLE_BYTES]
    return bytes(a ^ b for a, b in zip(handle, pad, strict=True))


def tag_of(output: bytes) -> bytes:
    return output[:TAG_BYTES]


# --- bringing the index in step -----------------------------------------------------------------


class _Segments:
    """Where a batch of one case's entities goes: the case's segments with room, read once,
    the fullest filled first, a new one when none has room (no query per entity)."""

    def __init__(self, session: Session, case_id: uuid.UUID) -> None:
        self.session, self.case_id = session, case_id
        self.open = list(
            session.scalars(
                select(MatchingSegment)
                .where(MatchingSegment.case_id == case_id, MatchingSegment.entries < MAX_SEGMENT)
                .order_by(MatchingSegment.entries.desc())
            )
        )

    def take(self, needed: int) -> MatchingSegment:
        for segment in self.open:
            if segment.entries + needed <= MAX_SEGMENT:
                break
        else:
            segment = MatchingSegment(
                case_id=self.case_id, entries=0, dirty=True, record_id=None, audience=[], labels=""
            )
            self.session.add(segment)
            self.session.flush()
            self.open.append(segment)
        segment.entries += needed
        segment.dirty = True
        return segment


def _drop(session: Session, entity_ids: list[str]) -> None:
    """Remove entities from the index: entries and handles (their segments are signed again)."""
    _drop_entries(session, entity_ids)
    if entity_ids:
        session.execute(delete(MatchingHandle).where(MatchingHandle.entity_id.in_(entity_ids)))


def _index_entities(
    session: Session, node: Node, case_id: uuid.UUID, key: MatchingKey, proxies: list[Any]
) -> int:
    ids = [p.id for p in proxies]
    handles = dict(
        session.execute(
            select(MatchingHandle.entity_id, MatchingHandle.handle).where(
                MatchingHandle.entity_id.in_(ids)
            )
        ).all()
    )
    old = set(session.scalars(select(OwnEntry.entity_id).where(OwnEntry.entity_id.in_(ids))))
    _drop_entries(session, list(old))
    rows: list[dict[str, Any]] = []
    now = clock.now()
    segments = _Segments(session, case_id)
    for proxy in proxies:
        # An entity of hundreds of names could fill segments alone: its first entries suffice.
        selectors = of_entity(proxy, node.config.country)[:MAX_PER_ENTITY]
        if not selectors:
            continue
        if proxy.id not in handles:
            handles[proxy.id] = format_handle(secrets.token_bytes(HANDLE_BYTES))
            session.add(
                MatchingHandle(
                    entity_id=proxy.id, handle=handles[proxy.id], case_id=case_id, created_at=now
                )
            )
        raw = handle_bytes(handles[proxy.id])
        segment = segments.take(len(selectors))
        for s in selectors:
            output = oprf.evaluate(key.secret, s.oprf_input())
            rows.append(
                {
                    "segment_id": segment.id,
                    "entity_id": proxy.id,
                    "type": s.type,
                    "tag": tag_of(output),
                    "sealed": seal(raw, output),
                }
            )
    bulk_insert(session, OwnEntry.__table__, rows)
    return len(rows)


def _drop_entries(session: Session, entity_ids: list[str]) -> None:
    if not entity_ids:
        return
    counts = session.execute(
        select(OwnEntry.segment_id, func.count())
        .where(OwnEntry.entity_id.in_(entity_ids))
        .group_by(OwnEntry.segment_id)
    ).all()
    for segment_id, n in counts:
        session.execute(
            update(MatchingSegment)
            .where(MatchingSegment.id == segment_id)
            .values(entries=MatchingSegment.entries - n, dirty=True)
        )
    session.execute(delete(OwnEntry).where(OwnEntry.entity_id.in_(entity_ids)))


def _sync_case(session: Session, node: Node, case: cases.CaseView, key: MatchingKey) -> int:
    state = session.get(IndexedCase, case.id)
    if state is None:
        state = IndexedCase(case_id=case.id, through=None)
        session.add(state)
    written = 0
    batch: list[Any] = []
    for proxy, updated_at in cases.changed_since(session, case.id, state.through):
        batch.append(proxy)
        state.through = updated_at
        if len(batch) >= 1000:
            written += _index_entities(session, node, case.id, key, batch)
            batch = []
    if batch:
        written += _index_entities(session, node, case.id, key, batch)
    held = session.scalar(
        select(func.count()).select_from(MatchingHandle).where(MatchingHandle.case_id == case.id)
    )
    if held and held > cases.live_count(session, case.id):
        live = cases.live_ids(session, case.id)
        gone = [
            e
            for e in session.scalars(
                select(MatchingHandle.entity_id).where(MatchingHandle.case_id == case.id)
            )
            if e not in live
        ]
        _drop(session, gone)
    return written


def _leave(session: Session, case_ids: list[uuid.UUID]) -> None:
    """Cases no longer opted in: every entry goes (their segments are revoked)."""
    if not case_ids:
        return
    entity_ids = list(
        session.scalars(
            select(MatchingHandle.entity_id).where(MatchingHandle.case_id.in_(case_ids))
        )
    )
    _drop(session, entity_ids)
    session.execute(delete(IndexedCase).where(IndexedCase.case_id.in_(case_ids)))


def _publish(session: Session, keys: NodeKeys, key: MatchingKey) -> int:
    """Sign every segment that changed, or whose peers or labels changed, again; revoke the
    ones left empty or whose case left the index."""
    peers = cases.index_peers(session)
    views = {c.id: c for c in cases.matching_cases(session)}
    signed = 0
    for segment in session.scalars(select(MatchingSegment)).all():
        case = views.get(segment.case_id)
        labels = cases.index_labels(case) if case is not None else None
        wanted = f"{labels.tlp}/{labels.handling}" if labels else ""
        if not segment.dirty and segment.audience == peers and segment.labels == wanted:
            continue
        row = session.get(StoredRecord, segment.record_id) if segment.record_id else None
        live = row.id if row is not None and row.state == "active" else None
        if segment.entries <= 0 or labels is None or not peers:
            if live:
                records.revoke(session, keys, actor=SYSTEM, record_id=live, reason="unindexed")
            if segment.entries <= 0 or labels is None:
                session.delete(segment)
            else:
                segment.audience, segment.labels = [], ""
            continue
        assert case is not None
        entries = [
            (tag, sealed)
            for tag, sealed in session.execute(
                select(OwnEntry.tag, OwnEntry.sealed)
                .where(OwnEntry.segment_id == segment.id)
                .order_by(OwnEntry.tag)
            )
        ]
        body = {"key": key.id, "count": len(entries), "entries": pack(entries)}
        audience = Audience(nodes=peers)
        sources = [cases.index_source(case, keys.node_id)]
        if not live:
            envelope = records.create(
                session,
                keys,
                actor=SYSTEM,
                type=INDEX_TYPE,
                body=body,
                labels=labels,
                audience=audience,
                sources=sources,
            )
            segment.record_id = uuid.UUID(envelope["id"])
        else:
            records.update(
                session,
                keys,
                actor=SYSTEM,
                record_id=live,
                body=body,
                labels=labels,
                audience=audience,
                sources=sources,
            )
        segment.dirty, segment.audience, segment.labels = False, peers, wanted
        segment.published_at = clock.now()
        signed += 1
    return signed


def refresh(node: Node) -> dict[str, int]:
    """One pass (see the module's docstring); returns what it did."""
    with node.db.transaction() as session:
        key = current_key(session)
        opted = cases.matching_cases(session)
        allowed = []
        for case in opted:
            try:
                cases.check_allowed(session, case, node.id)
                allowed.append(case)
            except InvalidInput as exc:
                # The case's labels changed since it opted in: its entries leave the index.
                log.info("case %s leaves the hit/no-hit index: %s", case.id, exc.detail)
        written = sum(_sync_case(session, node, case, key) for case in allowed)
        allowed_ids = {c.id for c in allowed}
        stale = [c for c in session.scalars(select(IndexedCase.case_id)) if c not in allowed_ids]
        _leave(session, stale)
        signed = _publish(session, node.keys, key)
        if written or signed:
            audit.append(
                session,
                actor=SYSTEM,
                action="matching.index",
                detail={"entries": written, "segments": signed},
            )
    return {"entries": written, "segments": signed}


@handler(REFRESH_JOB, every=REFRESH_EVERY, at_start=True)
def refresh_job(node: Node, payload: dict[str, Any]) -> None:
    refresh(node)
