"""REST API: /api/v1/cases, /api/v1/entities, /api/v1/search."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from corridor.entities import cases, resolution, search, service
from corridor.entities.models import Case, CaseMember, Entity, Statement
from corridor.node.service import Node
from corridor.records.labels import TLP, Forward, LabelsIn, Purpose
from corridor.schemas import MAX_INT32, StrictModel
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, api_reader, node_of
from corridor.web.params import Offset

router = APIRouter(prefix="/api/v1", tags=["entities"])
Actor = Annotated[Principal, Depends(api_principal)]
# A duplicate candidate's row id (an Integer column).
CandidateId = Annotated[int, Path(ge=1, le=MAX_INT32)]
# For the POST routes that only compute an answer (see `web.auth.api_reader`).
Reader = Annotated[Principal, Depends(api_reader)]


def ctx_of(node: Node) -> service.Context:
    return service.Context(node_id=node.id, region=node.config.country)


def iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def case_dict(case: Case, role: str | None = None) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "reference": case.reference,
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "tlp": case.tlp,
        "purpose": case.purpose,
        "handling": case.handling,
        "created_by": case.created_by,
        "created_at": iso(case.created_at),
        "updated_at": iso(case.updated_at),
        **({"your_role": role} if role else {}),
    }


def member_dict(m: CaseMember) -> dict[str, Any]:
    return {"kind": m.kind, "handle": m.handle, "role": m.role, "added_at": iso(m.added_at)}


def entity_dict(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id,
        "schema": e.schema,
        "caption": e.caption,
        "properties": e.properties,
        "case_id": str(e.case_id) if e.case_id else None,
        "origin": e.origin,
        "tlp": e.tlp,
        "purpose": e.purpose,
        "merged_into": e.merged_into,
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
    }


def statement_dict(s: Statement) -> dict[str, Any]:
    return {
        "entity_id": s.entity_id,
        "prop": s.prop,
        "value": s.value,
        "original": s.original,
        "source": {"kind": s.source_kind, "id": s.source, "label": s.source_label},
        "tlp": s.tlp,
        "created_at": iso(s.created_at),
        "retracted_at": iso(s.retracted_at),
    }


# --- cases ------------------------------------------------------------------------------------


class MemberIn(StrictModel):
    kind: Literal["user", "unit"]
    handle: str = Field(min_length=2, max_length=40)
    role: Literal["owner", "member", "reader"] = "member"


class StatusIn(StrictModel):
    status: Literal["open", "closed", "archived"]


@router.post("/cases", status_code=201)
def create_case(request: Request, actor: Actor, payload: cases.CaseCreate) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.create_case(session, actor=actor, data=payload)
        return case_dict(case, "owner")


@router.get("/cases")
def list_cases(request: Request, actor: Actor) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return {"items": [case_dict(c) for c in cases.list_cases(session, actor=actor)]}


@router.get("/cases/{ref}")
def get_case(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.open_case(session, actor=actor, ref=ref)
        return {
            **case_dict(case, cases.member_role(session, actor, case)),
            "members": [member_dict(m) for m in cases.members(session, case)],
        }


@router.post("/cases/{ref}/members", status_code=201)
def add_member(request: Request, actor: Actor, ref: str, payload: MemberIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        m = cases.add_member(
            session,
            actor=actor,
            case_ref=ref,
            kind=payload.kind,
            handle=payload.handle,
            role=payload.role,
        )
        return member_dict(m)


@router.delete("/cases/{ref}/members/{kind}/{handle}", status_code=204)
def remove_member(request: Request, actor: Actor, ref: str, kind: str, handle: str) -> Response:
    node = node_of(request)
    with node.db.transaction() as session:
        cases.remove_member(session, actor=actor, case_ref=ref, kind=kind, handle=handle)
    return Response(status_code=204)


@router.post("/cases/{ref}/status")
def set_status(request: Request, actor: Actor, ref: str, payload: StatusIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return case_dict(
            cases.set_status(session, actor=actor, case_ref=ref, status=payload.status)
        )


# --- entities ---------------------------------------------------------------------------------


class EntityIn(StrictModel):
    schema_: str = Field(alias="schema", min_length=1, max_length=64)
    id: str | None = Field(default=None, max_length=128)
    properties: dict[str, list[str] | str] = Field(default_factory=dict)
    tlp: TLP | None = None

    def ftm(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema_, "properties": self.properties}


@router.get("/cases/{ref}/entities")
def list_case_entities(
    request: Request,
    actor: Actor,
    ref: str,
    schema: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        _, rows, total = service.list_in_case(
            session, actor=actor, case_ref=ref, schema=schema, limit=limit, offset=offset
        )
        return {"items": [entity_dict(e) for e in rows], "total": total}


@router.post("/cases/{ref}/entities", status_code=201)
def create_entity(request: Request, actor: Actor, ref: str, payload: EntityIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        entity = service.create(
            session,
            actor=actor,
            ctx=ctx_of(node),
            case_ref=ref,
            data=payload.ftm(),
            tlp=payload.tlp,
        )
        return entity_dict(entity)


@router.get("/entities")
def list_partner_entities(
    request: Request,
    actor: Actor,
    source: Annotated[Literal["partners"], Query(alias="from")] = "partners",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        rows = service.list_from_partners(
            session, actor=actor, ctx=ctx_of(node), limit=limit, offset=offset
        )
        return {"items": [entity_dict(e) for e in rows]}


class CompareIn(StrictModel):
    a: dict[str, Any]
    b: dict[str, Any]


@router.post("/entities/compare")
def compare_entities(request: Request, actor: Reader, payload: CompareIn) -> dict[str, Any]:
    actor.require("entities.read")
    node = node_of(request)
    return service.compare_entities(payload.a, payload.b, ctx=ctx_of(node)).to_dict()


class ShareIn(LabelsIn):
    entities: list[str] = Field(min_length=1, max_length=2000)
    to: list[str] = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    with_related: bool = True
    purpose: Purpose = "enforcement"
    # Receivers may not even ask to pass investigation data on, unless the sharer allows it.
    forward: Forward = "none"


@router.post("/entities/share", status_code=201)
def share_entities(request: Request, actor: Actor, payload: ShareIn) -> dict[str, Any]:
    node = node_of(request)
    labels = payload.labels()
    with node.db.transaction() as session:
        env = service.share(
            session,
            node.keys,
            actor=actor,
            ctx=ctx_of(node),
            entity_ids=payload.entities,
            to=payload.to,
            labels=labels,
            title=payload.title,
            note=payload.note,
            with_related=payload.with_related,
        )
        return {
            "id": env["id"],
            "version": env["version"],
            "to": env["audience"]["nodes"],
            "entities": [e["id"] for e in env["body"]["entities"]],
            "labels": env["labels"],
        }


class DedupeIn(StrictModel):
    case: str | None = Field(default=None, max_length=80)


class DecisionIn(StrictModel):
    decision: Literal["same", "different", "unsure"]


class MergeIn(StrictModel):
    keep: str = Field(min_length=1, max_length=128)
    merge: str = Field(min_length=1, max_length=128)


def candidate_dict(c: resolution.Candidate) -> dict[str, Any]:
    return {
        "id": c.row.id,
        "score": c.row.score,
        "status": c.row.status,
        "reasons": c.row.reasons,
        "case_id": str(c.row.case_id) if c.row.case_id else None,
        "a": entity_dict(c.a),
        "b": entity_dict(c.b),
        "decided_by": c.row.decided_by,
        "decided_at": iso(c.row.decided_at),
    }


@router.post("/entities/dedupe")
def detect_duplicates(request: Request, actor: Actor, payload: DedupeIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        found = resolution.detect(session, actor=actor, ctx=ctx_of(node), case_ref=payload.case)
        return {
            "entities": found.entities,
            "compared": found.compared,
            "proposed": found.proposed,
            "already_known": found.already_known,
        }


@router.get("/entities/candidates")
def list_candidates(
    request: Request,
    actor: Actor,
    case: str | None = None,
    status: Annotated[str, Query(pattern="^(pending|same|different|unsure)$")] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        items = resolution.queue(
            session, actor=actor, ctx=ctx_of(node), case_ref=case, status=status, limit=limit
        )
        return {"items": [candidate_dict(c) for c in items]}


@router.post("/entities/candidates/{candidate_id}/decision")
def decide_candidate(
    request: Request, actor: Actor, candidate_id: CandidateId, payload: DecisionIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        row = resolution.decide(
            session,
            actor=actor,
            ctx=ctx_of(node),
            candidate_id=candidate_id,
            decision=payload.decision,
        )
        return {"id": row.id, "status": row.status, "decided_by": row.decided_by}


@router.post("/entities/merge")
def merge_entities(request: Request, actor: Actor, payload: MergeIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        kept = resolution.merge(
            session, actor=actor, ctx=ctx_of(node), keep_id=payload.keep, merge_id=payload.merge
        )
        return entity_dict(kept)


@router.post("/entities/{entity_id}/split")
def split_entity(request: Request, actor: Actor, entity_id: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return entity_dict(
            resolution.split(session, actor=actor, ctx=ctx_of(node), entity_id=entity_id)
        )


@router.get("/entities/{entity_id}")
def get_entity(
    request: Request, actor: Actor, entity_id: str, as_of: str | None = None
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        entity, case, rows = service.read(
            session, actor=actor, ctx=ctx_of(node), entity_id=entity_id
        )
        out = entity_dict(entity)
        out["statements"] = [statement_dict(s) for s in rows]
        out["sources"] = sorted({s.source for s in rows})
        if case is not None:
            out["case"] = {"id": str(case.id), "reference": case.reference}
        if as_of:
            view = service.store.view_as_of(entity, rows, as_of)
            out["as_of"] = {"source": as_of, "properties": view.properties}
        return out


@router.put("/entities/{entity_id}")
def update_entity(
    request: Request, actor: Actor, entity_id: str, payload: EntityIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        entity = service.update(
            session, actor=actor, ctx=ctx_of(node), entity_id=entity_id, data=payload.ftm()
        )
        return entity_dict(entity)


@router.delete("/entities/{entity_id}", status_code=204)
def delete_entity(request: Request, actor: Actor, entity_id: str) -> Response:
    node = node_of(request)
    with node.db.transaction() as session:
        service.delete(session, actor=actor, ctx=ctx_of(node), entity_id=entity_id)
    return Response(status_code=204)


# --- search -----------------------------------------------------------------------------------


@router.get("/search")
def search_entities(
    request: Request,
    actor: Actor,
    q: Annotated[str, Query(min_length=1, max_length=search.MAX_QUERY)],
    schema: str | None = None,
    case: str | None = None,
    country: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    partners: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        case_id = cases.open_case(session, actor=actor, ref=case).id if case else None
        result = search.search(
            session,
            actor=actor,
            node_id=node.id,
            q=q,
            schema=schema,
            case_id=case_id,
            country=country,
            date_from=date_from,
            date_to=date_to,
            partners_only=partners,
            limit=limit,
            default_region=node.config.country,
        )
        return {
            "items": [h.to_dict() for h in result.items],
            "candidates": result.total_candidates,
        }
