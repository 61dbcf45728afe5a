"""REST API /api/v1/directory: search the network-wide directory, publish, change and withdraw
this node's contact cards."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.directory import service as directory
from corridor.cooperation.directory.models import ContactRow
from corridor.cooperation.directory.schemas import (
    ContactIn,
    ContactList,
    ContactRead,
    Expertise,
    language_code,
)
from corridor.countries import normalise
from corridor.errors import InvalidInput
from corridor.records.schemas import WithdrawIn, record_view
from corridor.web.endpoints import Api, ApiCall, only_set

router = APIRouter(prefix="/api/v1/directory", tags=["directory"])
# A card's fields are those it has (a withdrawn card has none).
_CARD = only_set(ContactRead)


def filters(
    expertise: Annotated[list[Expertise] | None, Query(max_length=11)] = None,
    country: Annotated[list[str] | None, Query(max_length=50)] = None,
    language: Annotated[list[str] | None, Query(max_length=30)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    available_now: bool = False,
    origin: Annotated[str | None, Query(pattern=r"^[a-z2-7]{26}$")] = None,
    kind: Literal["person", "unit"] | None = None,
    include_inactive: bool = False,
) -> directory.Filters:
    languages = []
    for code in language or []:
        try:
            languages.append(language_code(code))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    return directory.Filters(
        expertise=tuple(expertise or ()),
        countries=tuple(normalise(c) for c in country or ()),
        languages=tuple(languages),
        text=q,
        available_now=available_now,
        origin=origin,
        kind=kind,
        include_inactive=include_inactive,
    )


Filters = Annotated[directory.Filters, Depends(filters)]


def _availability_view(row: ContactRow | None) -> dict[str, Any]:
    if row is None:
        return {"available_now": False, "available_why": None, "on_duty": []}
    avail = directory.availability(row, clock.now())
    return {
        "available_now": avail.now,
        "available_why": avail.why,
        "on_duty": list(avail.on_duty),
        "availability_summary": directory.summary_of(row),
    }


def summary(found: directory.Found) -> dict[str, Any]:
    row = found.row
    return {
        "id": str(row.id),
        "kind": row.kind,
        "name": row.name,
        "role": row.role,
        "unit": row.unit,
        "country": row.country,
        "languages": row.languages,
        "expertise": row.expertise,
        "active": row.active,
        "availability_summary": directory.summary_of(row),
        "available_now": found.available.now,
        "available_why": found.available.why,
        "on_duty": list(found.available.on_duty),
        "origin": row.origin,
        "version": row.version,
        "updated_at": clock.iso(row.updated_at),
        "tlp": row.tlp,
    }


def detail(session: Session, envelope: dict[str, Any]) -> dict[str, Any]:
    """A card as the API answers it, with who is available now (a withdrawn card: no one)."""
    card = record_view(envelope)
    active = card["state"] == "active"
    row = session.get(ContactRow, uuid.UUID(card["id"])) if active else None
    return {**card, **_availability_view(row)}


@router.get("", response_model=ContactList)
def search(
    api: Api,
    f: Filters,
    limit: Annotated[int, Query(ge=1, le=directory.MAX_RESULTS)] = 200,
) -> dict[str, Any]:
    with api.reading() as session:
        found = directory.search(session, api.node.id, actor=api.actor, filters=f, limit=limit)
        return {"items": [summary(x) for x in found], "filters": f.echo()}


def _save(
    api: ApiCall, save: Callable[..., dict[str, Any]], payload: ContactIn, **fields: Any
) -> dict[str, Any]:
    """Publish a card or a new version of one through `save`, and answer it."""
    with api.transaction() as session:
        env = api.run(
            session,
            save,
            body=payload.card(),
            country=api.node.config.country,
            to=payload.to,
            **fields,
        )
        return detail(session, env)


@router.post("", status_code=201, **_CARD)
def publish(api: Api, payload: ContactIn) -> dict[str, Any]:
    return _save(api, directory.publish, payload, labels=payload.labels())


@router.get("/{contact_id}", **_CARD)
def get_contact(api: Api, contact_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        env = directory.get(session, api.node.id, actor=api.actor, contact_id=contact_id)
        return detail(session, env)


@router.put("/{contact_id}", **_CARD)
def update_contact(api: Api, contact_id: uuid.UUID, payload: ContactIn) -> dict[str, Any]:
    labels = payload.labels_if_given()
    return _save(api, directory.update, payload, contact_id=contact_id, labels=labels)


@router.post("/{contact_id}/withdraw", **_CARD)
def withdraw_contact(api: Api, contact_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(session, directory.withdraw, contact_id=contact_id, reason=payload.reason)
        return detail(session, env)
