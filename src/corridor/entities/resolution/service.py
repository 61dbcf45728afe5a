"""Entity resolution: compare two entities, duplicate detection into a review queue, merge with
full provenance, split.

Nothing is merged without a person's decision. A merge keeps every statement where it was (on
the merged entity, with its source) and only marks the merged entity `merged_into` the kept one,
whose view then includes them; a split undoes exactly that. A partner's entity may be merged
into one of ours after review (we see both), never the other way round: our own data does not
disappear into a record its origin can withdraw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followthemoney.exc import InvalidData
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities import store
from corridor.entities.access import accessible_case_ids, open_case
from corridor.entities.ftm import model, parse_entity
from corridor.entities.models import Entity
from corridor.entities.resolution.compare import Comparison, compare
from corridor.entities.resolution.dedupe import DedupeStats, find_duplicates
from corridor.entities.resolution.models import MatchCandidate
from corridor.entities.service import Context, load
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.security.principal import Principal

DECISIONS = ("same", "different", "unsure")


@dataclass(frozen=True)
class Detection:
    entities: int
    compared: int
    proposed: int
    already_known: int


def _scope(session: Session, actor: Principal, case_ref: str | None) -> tuple[list[Any], Any]:
    if case_ref:
        case = open_case(session, actor=actor, ref=case_ref)
        return [Entity.case_id == case.id], case.id
    ids = accessible_case_ids(session, actor)
    cond: list[ColumnElement[bool]] = [Entity.case_id.in_(ids)] if ids else []
    if actor.kind in ("session", "token"):
        cond.append(
            (Entity.case_id.is_(None))
            & Entity.origin.is_not(None)
            & Entity.purpose.in_(sorted(actor.purposes))
        )
    return [or_(*cond)] if cond else [Entity.id.is_(None)], None


def detect(
    session: Session,
    *,
    actor: Principal,
    ctx: Context,
    case_ref: str | None = None,
    workers: int = 1,
) -> Detection:
    """Run blocking + scoring over a case (or everything the actor may see) and put the likely
    and the uncertain pairs into the review queue. Pairs already in the queue keep their
    decision."""
    actor.require("entities.write")
    conds, case_id = _scope(session, actor, case_ref)
    rows = session.execute(
        select(Entity.id, Entity.schema, Entity.properties).where(
            *conds, Entity.merged_into.is_(None)
        )
    )
    proxies = (store.proxy_of(s, i, p) for i, s, p in rows)
    stats = DedupeStats()
    known = 0
    proposed = 0
    now = clock.now()
    for pair in find_duplicates(proxies, workers=workers, default_region=ctx.region, stats=stats):
        a, b = sorted((pair.a_id, pair.b_id))
        existing = session.scalar(
            select(MatchCandidate).where(MatchCandidate.a_id == a, MatchCandidate.b_id == b)
        )
        result = pair.comparison.to_dict()
        if existing is not None:
            known += 1
            if existing.status == "pending":
                existing.score = result["score"]
                existing.reasons = result["reasons"]
            continue
        session.add(
            MatchCandidate(
                a_id=a,
                b_id=b,
                case_id=case_id,
                score=result["score"],
                reasons=result["reasons"],
                status="pending",
                created_at=now,
            )
        )
        proposed += 1
    audit.append(
        session,
        actor=actor,
        action="entities.dedupe",
        object_type="case",
        object_id=str(case_id or ""),
        detail={
            "entities": stats.entities,
            "compared": stats.compared,
            "proposed": proposed,
            # Whether weights fitted on these entities scored them, or the hand-set ones.
            "fitted_pairs": stats.fitted_pairs if stats.model is not None else 0,
        },
    )
    return Detection(stats.entities, stats.compared, proposed, known)


@dataclass(frozen=True)
class Candidate:
    row: MatchCandidate
    a: Entity
    b: Entity


def queue(
    session: Session,
    *,
    actor: Principal,
    ctx: Context,
    case_ref: str | None = None,
    status: str = "pending",
    limit: int = 100,
) -> list[Candidate]:
    """Candidates whose two entities the actor may both see, best scores first."""
    actor.require("entities.read")
    if status not in ("pending", *DECISIONS):
        raise InvalidInput("status is pending, same, different or unsure")
    q = select(MatchCandidate).where(MatchCandidate.status == status)
    if case_ref:
        case = open_case(session, actor=actor, ref=case_ref)
        q = q.where(MatchCandidate.case_id == case.id)
    out: list[Candidate] = []
    for row in session.scalars(q.order_by(MatchCandidate.score.desc(), MatchCandidate.id)):
        try:
            a, _ = load(session, actor=actor, ctx=ctx, entity_id=row.a_id)
            b, _ = load(session, actor=actor, ctx=ctx, entity_id=row.b_id)
        except (NotFound, PermissionDenied):
            continue
        out.append(Candidate(row, a, b))
        if len(out) >= limit:
            break
    return out


def decide(
    session: Session, *, actor: Principal, ctx: Context, candidate_id: int, decision: str
) -> MatchCandidate:
    if decision not in DECISIONS:
        raise InvalidInput("decision is same, different or unsure")
    row = session.get(MatchCandidate, candidate_id)
    if row is None:
        raise NotFound(f"no candidate {candidate_id}")
    a, _ = load(session, actor=actor, ctx=ctx, entity_id=row.a_id)
    b, _ = load(session, actor=actor, ctx=ctx, entity_id=row.b_id)
    if decision == "same":
        keep, other = (a, b) if b.origin is not None or a.origin is None else (b, a)
        merge(session, actor=actor, ctx=ctx, keep_id=keep.id, merge_id=other.id)
    row.status = decision
    row.decided_by = actor.handle
    row.decided_at = clock.now()
    audit.append(
        session,
        actor=actor,
        action="entities.decide",
        object_type="entity",
        object_id=f"{row.a_id}|{row.b_id}",
        detail={"decision": decision},
    )
    return row


def merge(
    session: Session, *, actor: Principal, ctx: Context, keep_id: str, merge_id: str
) -> Entity:
    if keep_id == merge_id:
        raise InvalidInput("an entity cannot be merged into itself")
    keep, keep_case = load(session, actor=actor, ctx=ctx, entity_id=keep_id, write=True)
    other, other_case = load(session, actor=actor, ctx=ctx, entity_id=merge_id)
    if keep.merged_into or other.merged_into:
        raise Conflict("one of the two is already merged; split it first")
    if other_case is not None:
        # Own data: both must be in the same case and the actor must be able to change it.
        load(session, actor=actor, ctx=ctx, entity_id=merge_id, write=True)
        if other.case_id != keep.case_id:
            raise InvalidInput("merge entities of the same case (or a partner's into one of ours)")
    if session.scalar(select(Entity.id).where(Entity.merged_into == other.id).limit(1)):
        raise Conflict("split the entities merged into the other one first")
    try:
        schema = model.common_schema(keep.schema, other.schema).name
    except InvalidData:
        raise InvalidInput(f"a {keep.schema} and a {other.schema} cannot be the same") from None
    keep.schema = schema
    other.merged_into = keep.id
    session.flush()
    store.refresh(session, [keep.id])
    store.unindex(session, [other.id])
    audit.append(
        session,
        actor=actor,
        action="entities.merge",
        object_type="entity",
        object_id=keep.id,
        detail={"merged": other.id, "case": str(keep_case.id) if keep_case else None},
    )
    session.refresh(keep)
    return keep


def split(session: Session, *, actor: Principal, ctx: Context, entity_id: str) -> Entity:
    """Undo a merge: the entity stands alone again with exactly its own statements."""
    entity = session.get(Entity, entity_id)
    if entity is None or entity.merged_into is None:
        raise InvalidInput("this entity is not merged into another")
    keep, _ = load(session, actor=actor, ctx=ctx, entity_id=entity.merged_into, write=True)
    entity.merged_into = None
    session.flush()
    store.refresh(session, [keep.id, entity.id])
    for row in session.scalars(
        select(MatchCandidate).where(
            MatchCandidate.status == "same",
            or_(
                (MatchCandidate.a_id == min(keep.id, entity.id))
                & (MatchCandidate.b_id == max(keep.id, entity.id)),
            ),
        )
    ):
        row.status = "pending"
        row.decided_by = None
        row.decided_at = None
    audit.append(
        session,
        actor=actor,
        action="entities.split",
        object_type="entity",
        object_id=keep.id,
        detail={"split": entity.id},
    )
    return entity


def compare_entities(a: dict[str, Any], b: dict[str, Any], *, ctx: Context) -> Comparison:
    """Two entities as a user wrote them (FtM JSON, ids optional), compared; nothing stored."""
    pa = parse_entity(a, default_region=ctx.region, require_id=False)
    pb = parse_entity(b, default_region=ctx.region, require_id=False)
    pa.id = pa.id or "a"
    pb.id = pb.id or "b"
    return compare(pa, pb, default_region=ctx.region)
