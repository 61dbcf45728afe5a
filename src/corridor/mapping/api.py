"""REST API: /api/v1/map, /api/v1/challenges, /api/v1/routes, /api/v1/commitments."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field

from corridor import countries
from corridor.errors import NotFound
from corridor.federation.peers import node_countries
from corridor.mapping import commitments as cm
from corridor.mapping import service as mapping
from corridor.mapping.records import ACTION, CHALLENGE, COMMITMENT, ROUTE
from corridor.mapping.schemas import (
    ChallengeBody,
    CommitmentBody,
    Evidence,
    Indicator,
    Milestone,
    RouteBody,
    Severity,
    Status,
    Theme,
)
from corridor.records.labels import Labels, LabelsIn
from corridor.schemas import StrictModel
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, node_of

router = APIRouter(prefix="/api/v1", tags=["mapping"])
Actor = Annotated[Principal, Depends(api_principal)]
LABEL_FIELDS = frozenset(LabelsIn.model_fields)


class Shared(LabelsIn):
    to: list[str] | None = Field(
        default=None,
        max_length=200,
        description="node and/or group ids; omitted: this node only (new), unchanged (change)",
    )

    def labels_if_given(self) -> Labels | None:
        """On a change, labels stay as they were unless the request names one of them."""
        return self.labels() if self.model_fields_set & LABEL_FIELDS else None

    def body(self, model: type[StrictModel]) -> dict[str, Any]:
        return self.model_dump(
            mode="json", include=set(model.model_fields), by_alias=True, exclude_unset=True
        )


class ChallengeIn(Shared, ChallengeBody):
    pass


class RouteIn(Shared, RouteBody):
    pass


class CommitmentIn(Shared, CommitmentBody):
    pass


class WithdrawIn(StrictModel):
    reason: str = Field(min_length=1, max_length=500)


class EndorseIn(StrictModel):
    note: str | None = Field(default=None, max_length=2000)


class ActionIn(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    owner: str = Field(min_length=1, max_length=200)
    country: str | None = Field(default=None, description="default: this node's country")
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    indicators: list[Indicator] = Field(default_factory=list, max_length=50)


class UpdateIn(StrictModel):
    on: date
    text: str = Field(min_length=1, max_length=10_000)
    values: dict[str, float] = Field(default_factory=dict, max_length=50)
    milestones_done: list[str] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)


def filters(
    theme: Annotated[list[Theme] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    route: uuid.UUID | None = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    origin: Annotated[str | None, Query(pattern=r"^[a-z2-7]{26}$")] = None,
    since: date | None = None,
    until: date | None = None,
) -> mapping.Filters:
    return mapping.Filters(
        themes=tuple(theme or ()),
        severities=tuple(severity or ()),
        statuses=tuple(status or ()),
        route=route,
        country=countries.normalise(country) if country else None,
        origin=origin,
        since=since,
        until=until,
    )


Filters = Annotated[mapping.Filters, Depends(filters)]


def record_view(envelope: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": envelope["id"],
        "version": envelope["version"],
        "origin": envelope["origin"],
        "author": envelope["author"],
        "updated_at": envelope["ts"],
        "labels": envelope["labels"],
        "audience": envelope["audience"],
        "state": "withdrawn" if envelope.get("body") is None else "active",
        **(envelope.get("body") or {}),
    }


# --- the map ----------------------------------------------------------------------------------


@router.get("/map")
def map_data(request: Request, actor: Actor, f: Filters) -> Response:
    node = node_of(request)
    with node.db.reading() as session:
        data = mapping.map_data(session, node.id, actor=actor, filters=f, raw=True)
    return Response(mapping.map_json(data), media_type="application/json")


# --- challenges -------------------------------------------------------------------------------


@router.get("/challenges")
def list_challenges(request: Request, actor: Actor, f: Filters) -> Response:
    node = node_of(request)
    with node.db.reading() as session:
        rows = mapping.list_challenges(session, node.id, actor=actor, filters=f)
        items = [r.summary for r in rows]
    return Response(mapping.map_json({"items": items}, "items"), media_type="application/json")


@router.get("/challenges/export.csv")
def export_csv(request: Request, actor: Actor, f: Filters) -> Response:
    node = node_of(request)
    with node.db.reading() as session:
        rows = mapping.list_challenges(session, node.id, actor=actor, filters=f)
        names = {str(r.id): r.name for r in mapping.list_routes(session, node.id, actor=actor)}
    return Response(
        mapping.export_csv(rows, names),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="challenges.csv"'},
    )


@router.get("/challenges/export.geojson")
def export_geojson(request: Request, actor: Actor, f: Filters) -> Response:
    node = node_of(request)
    with node.db.reading() as session:
        rows = mapping.list_challenges(session, node.id, actor=actor, filters=f)
        routes = mapping.list_routes(session, node.id, actor=actor)
        if f.route:
            routes = [r for r in routes if r.id == f.route]
        data = mapping.export_geojson(rows, routes)
    return Response(
        json.dumps(data, ensure_ascii=False),
        media_type="application/geo+json",
        headers={"content-disposition": 'attachment; filename="challenges.geojson"'},
    )


@router.post("/challenges", status_code=201)
def create_challenge(request: Request, actor: Actor, payload: ChallengeIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.save_challenge(
            session,
            node.keys,
            actor=actor,
            body=payload.body(ChallengeBody),
            labels=payload.labels(),
            to=payload.to or [],
        )
        return record_view(env)


@router.get("/challenges/{challenge_id}")
def get_challenge(request: Request, actor: Actor, challenge_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return record_view(
            mapping.get_record(
                session, node.id, actor=actor, type=CHALLENGE, record_id=challenge_id
            )
        )


@router.put("/challenges/{challenge_id}")
def update_challenge(
    request: Request, actor: Actor, challenge_id: uuid.UUID, payload: ChallengeIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.save_challenge(
            session,
            node.keys,
            actor=actor,
            body=payload.body(ChallengeBody),
            labels=payload.labels_if_given(),
            to=payload.to,
            challenge_id=challenge_id,
        )
        return record_view(env)


@router.post("/challenges/{challenge_id}/withdraw")
def withdraw_challenge(
    request: Request, actor: Actor, challenge_id: uuid.UUID, payload: WithdrawIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.withdraw(
            session,
            node.keys,
            actor=actor,
            type=CHALLENGE,
            record_id=challenge_id,
            reason=payload.reason,
        )
        return record_view(env)


# --- routes -----------------------------------------------------------------------------------


@router.get("/routes")
def list_routes(request: Request, actor: Actor) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        return {
            "items": [
                mapping.route_view(r) for r in mapping.list_routes(session, node.id, actor=actor)
            ]
        }


@router.post("/routes", status_code=201)
def create_route(request: Request, actor: Actor, payload: RouteIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.save_route(
            session,
            node.keys,
            actor=actor,
            body=payload.body(RouteBody),
            labels=payload.labels(),
            to=payload.to or [],
        )
        return record_view(env)


@router.get("/routes/{route_id}")
def get_route(request: Request, actor: Actor, route_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return record_view(
            mapping.get_record(session, node.id, actor=actor, type=ROUTE, record_id=route_id)
        )


@router.put("/routes/{route_id}")
def update_route(
    request: Request, actor: Actor, route_id: uuid.UUID, payload: RouteIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.save_route(
            session,
            node.keys,
            actor=actor,
            body=payload.body(RouteBody),
            labels=payload.labels_if_given(),
            to=payload.to,
            route_id=route_id,
        )
        return record_view(env)


@router.post("/routes/{route_id}/withdraw")
def withdraw_route(
    request: Request, actor: Actor, route_id: uuid.UUID, payload: WithdrawIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.withdraw(
            session, node.keys, actor=actor, type=ROUTE, record_id=route_id, reason=payload.reason
        )
        return record_view(env)


# --- commitments ------------------------------------------------------------------------------


@router.get("/commitments")
def list_commitments(request: Request, actor: Actor, theme: Theme | None = None) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        return {"items": cm.Portfolio(session, node.id, actor).summaries(theme)}


@router.get("/commitments/dashboard")
def dashboard(request: Request, actor: Actor) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        countries = node_countries(session, node.id, node.config.country)
        return cm.Portfolio(session, node.id, actor).dashboard(countries)


@router.get("/commitments/scorecard/{country}")
def scorecard(request: Request, actor: Actor, country: str) -> dict[str, Any]:
    node = node_of(request)
    cc = countries.normalise(country)
    with node.db.reading() as session:
        return cm.Portfolio(session, node.id, actor).scorecard(cc)


@router.post("/commitments", status_code=201)
def create_commitment(request: Request, actor: Actor, payload: CommitmentIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.save_commitment(
            session,
            node.keys,
            actor=actor,
            body=payload.body(CommitmentBody),
            labels=payload.labels(),
            to=payload.to or [],
        )
        return record_view(env)


@router.get("/commitments/{commitment_id}")
def get_commitment(request: Request, actor: Actor, commitment_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return cm.commitment_detail(session, node.id, actor=actor, commitment_id=commitment_id)


@router.put("/commitments/{commitment_id}")
def update_commitment(
    request: Request, actor: Actor, commitment_id: uuid.UUID, payload: CommitmentIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.save_commitment(
            session,
            node.keys,
            actor=actor,
            body=payload.body(CommitmentBody),
            labels=payload.labels_if_given(),
            to=payload.to,
            commitment_id=commitment_id,
        )
        return record_view(env)


@router.post("/commitments/{commitment_id}/withdraw")
def withdraw_commitment(
    request: Request, actor: Actor, commitment_id: uuid.UUID, payload: WithdrawIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.withdraw(
            session,
            node.keys,
            actor=actor,
            type=COMMITMENT,
            record_id=commitment_id,
            reason=payload.reason,
        )
        return record_view(env)


@router.post("/commitments/{commitment_id}/endorse", status_code=201)
def endorse(
    request: Request, actor: Actor, commitment_id: uuid.UUID, payload: EndorseIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.endorse(
            session, node.keys, actor=actor, commitment_id=commitment_id, note=payload.note
        )
        return record_view(env)


def _action_fields(payload: ActionIn, node_country: str) -> dict[str, Any]:
    fields = payload.model_dump(mode="json", exclude_none=True)
    fields["country"] = countries.normalise(payload.country or node_country)
    return fields


@router.post("/commitments/{commitment_id}/actions", status_code=201)
def create_action(
    request: Request, actor: Actor, commitment_id: uuid.UUID, payload: ActionIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.save_action(
            session,
            node.keys,
            actor=actor,
            commitment_id=commitment_id,
            fields=_action_fields(payload, node.config.country),
            node_country=node.config.country,
        )
        return record_view(env)


@router.get("/commitments/{commitment_id}/actions/{action_id}")
def get_action(
    request: Request, actor: Actor, commitment_id: uuid.UUID, action_id: uuid.UUID
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.get_record(session, node.id, actor=actor, type=ACTION, record_id=action_id)
        if (env.get("body") or {}).get("commitment") != str(commitment_id):
            raise NotFound(f"no action {action_id} under commitment {commitment_id}")
        return record_view(env)


@router.put("/commitments/{commitment_id}/actions/{action_id}")
def update_action(
    request: Request,
    actor: Actor,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionIn,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.save_action(
            session,
            node.keys,
            actor=actor,
            commitment_id=commitment_id,
            fields=_action_fields(payload, node.config.country),
            node_country=node.config.country,
            action_id=action_id,
        )
        return record_view(env)


@router.post("/commitments/{commitment_id}/actions/{action_id}/updates", status_code=201)
def post_update(
    request: Request,
    actor: Actor,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: UpdateIn,
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        env = cm.post_update(
            session,
            node.keys,
            actor=actor,
            commitment_id=commitment_id,
            action_id=action_id,
            on=payload.on,
            text=payload.text,
            values=payload.values,
            milestones_done=payload.milestones_done,
            evidence=[e.model_dump(mode="json", exclude_none=True) for e in payload.evidence],
        )
        return record_view(env)
