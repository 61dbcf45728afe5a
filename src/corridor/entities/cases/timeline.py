"""The timeline of a case: its activity (opened, notes, files, tasks, entities added) and the
dated calls, payments, trips and events of its entities, oldest first."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities import store
from corridor.entities.access import open_case
from corridor.entities.analysis.facts import timeline as facts_of
from corridor.entities.cases.files import case_files
from corridor.entities.cases.notes import case_notes
from corridor.entities.cases.service import audit_item
from corridor.entities.cases.tasks import case_tasks
from corridor.entities.ftm import model
from corridor.entities.models import Case, Entity, EntityIndex
from corridor.errors import InvalidInput
from corridor.security.principal import Principal

MAX_TIMELINE = 5000
# Case activity first, then the dated facts of the case's entities.
ACTIVITY_KINDS = ("case", "note", "file", "task", "entity")
FACT_KINDS = ("call", "payment", "trip", "event")
TIMELINE_KINDS = ACTIVITY_KINDS + FACT_KINDS
# Most specific first: a Trip is also an Event.
_FACT_SCHEMATA = (("Call", "call"), ("Payment", "payment"), ("Trip", "trip"), ("Event", "event"))
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")
# Partial dates ("2024", "2024-03") are widened to the earliest / latest moment they cover.
_LO = "0000-01-01T00:00:00"
_HI = "9999-12-31T23:59:59"


@dataclass(frozen=True)
class TimelineItem:
    """One dated thing. `start`/`end` are ISO 8601: UTC times with Z for case activity, the
    date as written (possibly partial, e.g. "2024-03") for facts from entities."""

    start: str
    kind: str  # one of TIMELINE_KINDS
    action: str  # opened | added | created | done | cancelled | dated
    title: str
    ref: str  # id of the case, note, file, task or entity
    end: str | None = None
    actor: str | None = None
    # (entity id, caption) of the people, accounts, places a fact involves.
    participants: tuple[tuple[str, str], ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "action": self.action,
            "title": self.title,
            "ref": self.ref,
            "actor": self.actor,
            "participants": [{"id": i, "caption": c} for i, c in self.participants],
            "details": self.details,
        }


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    total: int  # before `limit`


def parse_bound(text: str | None, name: str) -> str | None:
    """A date range bound: a year, month, day or time (UTC), as the API and forms take it."""
    text = (text or "").strip().removesuffix("Z")
    if not text:
        return None
    if not _DATE_RE.match(text):
        raise InvalidInput(f"{name}: a date such as 2024, 2024-03 or 2024-03-05")
    return text.replace(" ", "T")


def _lo(value: str) -> str:
    value = value.removesuffix("Z")[:19]
    return value + _LO[len(value) :]


def _hi(value: str) -> str:
    value = value.removesuffix("Z")[:19]
    return value + _HI[len(value) :]


def _at(dt: datetime) -> str:
    return clock.iso(dt.replace(microsecond=0))


def _excerpt(text: str, size: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"


def _activity(session: Session, case: Case) -> Iterable[TimelineItem]:
    yield TimelineItem(
        _at(case.created_at), "case", "opened", case.title, str(case.id), actor=case.created_by
    )
    for n in case_notes(session, case):
        yield TimelineItem(
            _at(n.created_at), "note", "added", _excerpt(n.text), str(n.id), actor=n.author
        )
    for f in case_files(session, case):
        yield TimelineItem(
            _at(f.uploaded_at),
            "file",
            "added",
            f.name,
            str(f.id),
            actor=f.uploaded_by,
            details={"size": str(f.size)},
        )
    for t in case_tasks(session, case):
        yield TimelineItem(
            _at(t.created_at), "task", "created", t.title, str(t.id), actor=t.created_by
        )
        if t.status != "open" and t.closed_at is not None:
            yield TimelineItem(_at(t.closed_at), "task", t.status, t.title, str(t.id))
    yield from _entity_batches(session, case)


def _entity_batches(session: Session, case: Case) -> Iterable[TimelineItem]:
    """Entities added, one item per write: an import of 10,000 rows is one line, not 10,000.
    `details` counts them by schema; `ref` is the entity, or the case for several."""
    rows = session.execute(
        select(
            Entity.created_at,
            Entity.schema,
            func.count(),
            func.min(Entity.id),
            func.min(Entity.caption),
        )
        .where(Entity.case_id == case.id)
        .group_by(Entity.created_at, Entity.schema)
    )
    batches: dict[datetime, list[tuple[str, int, str, str]]] = defaultdict(list)
    for created_at, schema, count, first_id, first_caption in rows:
        batches[created_at].append((schema, count, first_id, first_caption))
    for created_at, parts in batches.items():
        total = sum(count for _, count, _, _ in parts)
        if total == 1:
            schema, _, eid, caption = parts[0]
            yield TimelineItem(
                _at(created_at), "entity", "added", caption, eid, details={schema: "1"}
            )
        else:
            yield TimelineItem(
                _at(created_at),
                "entity",
                "added",
                f"{total} entities",
                str(case.id),
                details={schema: str(count) for schema, count, _, _ in sorted(parts)},
            )


def _fact_schemata(kinds: set[str]) -> list[str]:
    names = [name for name, kind in _FACT_SCHEMATA if kind in kinds]
    return sorted(s.name for s in model.schemata.values() if any(s.is_a(n) for n in names))


def _facts(
    session: Session, case: Case, kinds: set[str], date_from: str | None, date_to: str | None
) -> Iterable[TimelineItem]:
    """The dated calls, payments, trips and events of the case, as `graph.timeline` reads
    them, with the captions of the entities they involve."""
    wanted = _fact_schemata(kinds)
    if not wanted:
        return
    live = (Entity.case_id == case.id) & Entity.merged_into.is_(None)
    q = select(Entity.id, Entity.schema, Entity.properties).where(live, Entity.schema.in_(wanted))
    if date_from or date_to:
        # The search index spans all dates of an entity, a superset of its timeline dates: a
        # cheap first cut, by year at the lower end since partial dates ("2024-05") sort early.
        q = q.join(EntityIndex, EntityIndex.entity_id == Entity.id)
        if date_from:
            q = q.where(EntityIndex.last_date >= date_from[:4])
        if date_to:
            q = q.where(EntityIndex.first_date <= date_to + "\uffff")
    facts = [store.proxy_of(schema, eid, props) for eid, schema, props in session.execute(q)]
    refs = sorted({v for p in facts for prop, v in p.itervalues() if prop.type.name == "entity"})
    # Captions only: reading whole entities for them would double the work.
    captions: dict[str, str] = {}
    for i in range(0, len(refs), 500):
        q = select(Entity.id, Entity.caption).where(live, Entity.id.in_(refs[i : i + 500]))
        captions.update({eid: caption for eid, caption in session.execute(q)})
    for item in facts_of(facts):
        if item.start is None or item.kind not in kinds:
            continue
        details: dict[str, str] = {}
        if item.amount is not None:
            amount = f"{item.amount:.2f}".rstrip("0").rstrip(".")
            details["amount"] = f"{amount} {item.currency.upper()}" if item.currency else amount
        if item.origin:
            details["from"] = captions.get(item.origin, item.origin)
        if item.destination:
            details["to"] = captions.get(item.destination, item.destination)
        yield TimelineItem(
            item.start,
            item.kind,
            "dated",
            item.caption,
            item.id,
            end=item.end,
            participants=tuple((p.id, captions.get(p.id, p.caption)) for p in item.participants),
            details=details,
        )


def _in_range(item: TimelineItem, date_from: str | None, date_to: str | None) -> bool:
    # Overlap: a trip from March to May is in April.
    if date_from is not None and _hi(item.end or item.start) < _lo(date_from):
        return False
    return date_to is None or _lo(item.start) <= _hi(date_to)


def _kinds(kinds: Iterable[str] | None) -> set[str]:
    chosen = {k.strip() for k in kinds or () if k.strip()}
    unknown = chosen - set(TIMELINE_KINDS)
    if unknown:
        raise InvalidInput(f"kind: any of {', '.join(TIMELINE_KINDS)}")
    return chosen or set(TIMELINE_KINDS)


def case_timeline(
    session: Session,
    case: Case,
    *,
    kinds: Iterable[str] | None,
    date_from: str | None,
    date_to: str | None,
    limit: int,
) -> Timeline:
    if not 1 <= limit <= MAX_TIMELINE:
        raise InvalidInput(f"limit: 1 to {MAX_TIMELINE}")
    chosen = _kinds(kinds)
    lo, hi = parse_bound(date_from, "from"), parse_bound(date_to, "to")
    if lo and hi and _lo(lo) > _hi(hi):
        raise InvalidInput("from: the range starts after it ends")
    items: list[TimelineItem] = []
    if chosen & set(ACTIVITY_KINDS):
        items.extend(i for i in _activity(session, case) if i.kind in chosen)
    items.extend(_facts(session, case, chosen & set(FACT_KINDS), lo, hi))
    kept = sorted(
        (i for i in items if _in_range(i, lo, hi)),
        key=lambda i: (_lo(i.start), TIMELINE_KINDS.index(i.kind), i.ref),
    )
    return Timeline(kept[:limit], len(kept))


def timeline(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kinds: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 1000,
) -> Timeline:
    """Case activity and the dated calls, payments, trips and events of its entities, oldest
    first; `kinds` narrows to some of TIMELINE_KINDS, the range keeps what overlaps it."""
    case = open_case(session, actor=actor, ref=case_ref)
    result = case_timeline(
        session, case, kinds=kinds, date_from=date_from, date_to=date_to, limit=limit
    )
    audit_item(session, actor, "case.timeline.read", None, case, count=len(result.items))
    return result
