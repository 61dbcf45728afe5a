"""The `entities` record type: an entity, or an extract of a case, shared with partner nodes.

On a receiving node the entities are stored under the partner's namespace (`<origin>.<id>`, so a
partner's ids never collide with ours or another partner's), with statements whose source is the
partner node, outside any case: the "from partners" view. Revocation or expiry removes them."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.entities import store
from corridor.entities.ftm import model, parse_entity
from corridor.entities.models import Entity
from corridor.errors import InvalidInput
from corridor.keys import own_node_id
from corridor.records.flow import Flow
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

ENTITIES_TYPE = "entities"
MAX_SHARED_ENTITIES = 2000


class SharedEntities(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    # The sharer's case reference, so a reply can name it; never the case's content.
    case_reference: str | None = Field(default=None, max_length=80)
    entities: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_SHARED_ENTITIES)

    @field_validator("entities")
    @classmethod
    def _valid_entities(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for i, data in enumerate(value):
            try:
                proxy = parse_entity(data)
            except InvalidInput as exc:
                raise ValueError(f"entities[{i}]: {exc}") from None
            out.append(proxy.to_dict())
        return out


def partner_id(origin: str, entity_id: str) -> str:
    return f"{origin}.{entity_id}"


def _project(session: Session, envelope: dict[str, Any]) -> None:
    origin = envelope["origin"]
    if origin == own_node_id(session):
        return  # the sharer's own entities stay in its case
    labels = envelope["labels"]
    record_id = uuid.UUID(envelope["id"])
    proxies = []
    for data in envelope["body"]["entities"]:
        proxy = model.get_proxy(data)
        proxy.id = partner_id(origin, data["id"])
        for prop in proxy.schema.properties.values():
            if prop.type.name == "entity" and proxy.has(prop, quiet=True):
                proxy.set(prop, [partner_id(origin, v) for v in proxy.get(prop)])
        proxies.append(proxy)
    # A new version replaces what the partner said before: its earlier statements go.
    old = list(session.scalars(select(Entity.id).where(Entity.record_id == record_id)))
    if old:
        store.delete_entities(session, old)
    store.write(
        session,
        proxies=proxies,
        source=store.Source("partner", origin, envelope["body"]["title"]),
        tlp=labels["tlp"],
        purpose=labels.get("purpose", "cooperation"),
        case_id=None,
        origin=origin,
        record_id=record_id,
    )


def _purge(session: Session, envelope: dict[str, Any]) -> None:
    ids = list(
        session.scalars(select(Entity.id).where(Entity.record_id == uuid.UUID(envelope["id"])))
    )
    if ids:
        store.delete_entities(session, ids)


register(
    RecordType(
        name=ENTITIES_TYPE,
        body=SharedEntities,
        # Entities of a case (its compartment), and of our own entities merged with a
        # partner's only our statements (the partner's are never passed on).
        flow=Flow(embeds=("share", "merge"), editors=("node.manage",)),
        project=_project,
        purge=_purge,
        sensitive=True,
        title="Shared entities",
    )
)
