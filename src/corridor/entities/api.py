"""REST API of entities: /api/v1/cases/{ref}/entities, /api/v1/entities (read, edit, delete,
share, from partners). Cases, search and resolution have their own `api` modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from corridor.entities import service, store
from corridor.entities.models import Entity
from corridor.entities.schemas import (
    AsOf,
    CaseRef,
    EntityDetail,
    EntityIn,
    EntityList,
    EntityOut,
    EntityPage,
    Shared,
    ShareIn,
    StatementOut,
)
from corridor.web.endpoints import Api, ApiCall
from corridor.web.params import Offset

router = APIRouter(prefix="/api/v1", tags=["entities"])


@router.get("/cases/{ref}/entities")
def list_case_entities(
    api: Api,
    ref: str,
    schema: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> EntityPage:
    with api.transaction() as session:
        _, rows, total = service.list_in_case(
            session, actor=api.actor, case_ref=ref, schema=schema, limit=limit, offset=offset
        )
        return EntityPage(items=[EntityOut.model_validate(e) for e in rows], total=total)


def _saved(api: ApiCall, save: Callable[..., Entity], **fields: Any) -> EntityOut:
    """Create or change an entity through `save` (as the caller, in this node's entity
    context) and answer it as it now is."""
    with api.transaction() as session:
        entity = save(session, actor=api.actor, ctx=service.context_of(api.node), **fields)
        return EntityOut.model_validate(entity)


@router.post("/cases/{ref}/entities", status_code=201)
def create_entity(api: Api, ref: str, payload: EntityIn) -> EntityOut:
    return _saved(api, service.create, case_ref=ref, data=payload.ftm(), tlp=payload.tlp)


@router.get("/entities")
def list_partner_entities(
    api: Api,
    source: Annotated[Literal["partners"], Query(alias="from")] = "partners",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> EntityList:
    with api.transaction() as session:
        rows = service.list_from_partners(
            session, actor=api.actor, ctx=service.context_of(api.node), limit=limit, offset=offset
        )
        return EntityList(items=[EntityOut.model_validate(e) for e in rows])


@router.post("/entities/share", status_code=201)
def share_entities(api: Api, payload: ShareIn) -> Shared:
    labels = payload.labels()
    with api.transaction() as session:
        env = api.run(
            session,
            service.share,
            ctx=service.context_of(api.node),
            entity_ids=payload.entities,
            to=payload.to,
            labels=labels,
            title=payload.title,
            note=payload.note,
            with_related=payload.with_related,
        )
        return Shared(
            id=env["id"],
            version=env["version"],
            to=env["audience"]["nodes"],
            entities=[e["id"] for e in env["body"]["entities"]],
            labels=env["labels"],
        )


@router.get("/entities/{entity_id}", response_model_exclude_unset=True)
def get_entity(api: Api, entity_id: str, as_of: str | None = None) -> EntityDetail:
    with api.transaction() as session:
        entity, case, rows = service.read(
            session, actor=api.actor, ctx=service.context_of(api.node), entity_id=entity_id
        )
        out = EntityDetail(
            **EntityOut.model_validate(entity).model_dump(),
            statements=[StatementOut.of(s) for s in rows],
            sources=sorted({s.source for s in rows}),
        )
        if case is not None:
            out.case = CaseRef(id=case.id, reference=case.reference)
        if as_of:
            view = store.view_as_of(entity, rows, as_of)
            out.as_of = AsOf(source=as_of, properties=view.properties)
        return out


@router.put("/entities/{entity_id}")
def update_entity(api: Api, entity_id: str, payload: EntityIn) -> EntityOut:
    return _saved(api, service.update, entity_id=entity_id, data=payload.ftm())


@router.delete("/entities/{entity_id}", status_code=204, response_class=Response)
def delete_entity(api: Api, entity_id: str) -> Response:
    return api.delete(service.delete, ctx=service.context_of(api.node), entity_id=entity_id)
