"""Entities in the web UI (the same services as the API): an entity's page and edit form, the
entities from partners; and what every page of the module shows an entity with (labels, key
facts, relation captions: template globals)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.entities import captions as reading
from corridor.entities import service as entities
from corridor.entities.access import member_role
from corridor.entities.ftm import model
from corridor.entities.models import Entity
from corridor.entities.service import context_of
from corridor.errors import InvalidInput
from corridor.federation.peers import approved_peers
from corridor.i18n import gettext as _
from corridor.i18n import pgettext
from corridor.node.service import Node
from corridor.records.groups import list_groups
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form, typed
from corridor.web.params import PageAuth
from corridor.web.render import page, templates

router = APIRouter(include_in_schema=False)


def schema_label(name: str) -> str:
    """A schema's label in the reader's language (our catalogue: `ftm_labels`)."""
    sch = model.get(name)
    return pgettext("entity", str(sch.label)) if sch is not None else name


def prop_label(schema: str, prop: str) -> str:
    sch = model.get(schema)
    p = sch.get(prop) if sch is not None else None
    return pgettext("entity", str(p.label)) if p is not None else prop


@pass_context
def key_facts(ctx: Context, entity: Entity, identifiers: bool = False) -> list[tuple[str, str]]:
    """The entity's key facts in the reader's language (`captions.key_facts`)."""
    return reading.key_facts(entity, ctx.get("lang") or "en", identifiers=identifiers)


@pass_context
def entity_label(ctx: Context, entity: Entity, names: dict[str, str]) -> str:
    """What a list shows for an entity (`captions.label`): a relation, call or payment without
    a name of its own reads "Associate: Haji Karim → Muhammad Asif Khan" instead of its bare
    caption; `names` are the captions of what it links (`captions_of`)."""
    return reading.label(entity, names, ctx.get("lang") or "en")


@pass_context
def prop_value(ctx: Context, schema: str, prop: str, value: str) -> str:
    """A stated value as the reader reads it (a country by its name, not its code)."""
    return reading.prop_value(schema, prop, value, ctx.get("lang") or "en")


@pass_context
def country_label(ctx: Context, code: str) -> str:
    """A country code ("pk", "TR") by its name in the reader's language."""
    return reading.country(code, ctx.get("lang") or "en") if code else ""


def captions_of(session: Session, entities: list[Entity]) -> dict[str, str]:
    return reading.captions_of(session, entities)


@pass_context
def amount(ctx: Context, value: float | None) -> str:
    """An amount in the reader's conventions, no needless decimals (7,500,000; 2,400.50)."""
    return "" if value is None else reading.number(value, ctx.get("lang") or "en")


templates.env.globals.update(
    schema_label=schema_label,
    prop_label=prop_label,
    key_facts=key_facts,
    entity_label=entity_label,
    prop_value=prop_value,
    country_label=country_label,
)
templates.env.filters["amount"] = amount


def parse_lines(schema: str, text: str, *, field: str = "more") -> dict[str, list[str]]:
    """`property: value` lines (name or label of the property, any case) into FtM properties;
    a mistake names the form's field of the lines (`field`), or of the type (`schema`)."""
    sch = model.get(schema)
    if sch is None:
        raise InvalidInput(f"schema: unknown entity type {schema!r}")
    by_label = {p.label.lower(): p.name for p in sch.properties.values()}
    by_name = {p.name.lower(): p.name for p in sch.properties.values()}
    props: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not value.strip():
            raise InvalidInput(
                _("%(field)s, line %(n)d: write property: value") % {"field": field, "n": number}
            )
        name = by_name.get(key.strip().lower()) or by_label.get(key.strip().lower())
        if name is None:
            raise InvalidInput(
                _("%(field)s, line %(n)d: %(type)s has no property %(prop)s")
                % {"field": field, "n": number, "type": sch.label, "prop": key.strip()}
            )
        props.setdefault(name, []).append(value.strip())
    return props


def edit_text(entity: Entity) -> str:
    return "\n".join(
        f"{prop}: {v}" for prop, values in sorted((entity.properties or {}).items()) for v in values
    )


# --- entities ---------------------------------------------------------------------------------


@router.get("/entities/partners", response_class=HTMLResponse)
def partners(request: Request, auth: PageAuth) -> HTMLResponse:
    """What partners shared, each with the node it came from (by name and country) and
    relations by what they link."""
    node = node_of(request)
    with node.db.transaction() as session:
        rows = entities.list_from_partners(
            session, actor=auth.principal, ctx=context_of(node), limit=500
        )
        names = reading.captions_of(session, rows)
        known = reading.origins(
            session,
            actor=auth.principal,
            node_id=node.id,
            own=(node.config.name, node.config.country),
        )
    origins = {e.origin: reading.origin_of(known, e.origin) for e in rows if e.origin}
    return page(
        request, "entities/partners.html", {"entities": rows, "names": names, "origins": origins}
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_view(
    request: Request, auth: PageAuth, entity_id: str, as_of: str | None = None
) -> HTMLResponse:
    return _entity_page(request, auth, entity_id, as_of=as_of)


def _entity_page(
    request: Request,
    auth: Auth,
    entity_id: str,
    *,
    as_of: str | None = None,
    edited: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The entity's page; with `edited` (its editor as typed) and `error` after a refusal."""
    node = node_of(request)
    ctx = context_of(node)
    with node.db.transaction() as session:
        entity, case, rows = entities.read(
            session, actor=auth.principal, ctx=ctx, entity_id=entity_id
        )
        sch = model[entity.schema]
        entity_props = {p.name for p in sch.properties.values() if p.type.name == "entity"}
        refs = {s.value for s in rows if s.prop in entity_props}
        related = list(_related(session, entity, refs))
        captions = {e.id: e.caption for e in related}
        role = member_role(session, auth.principal, case) if case else None
        can_write = role in ("owner", "member") and case is not None and case.status == "open"
        peers = approved_peers(session)
        groups = list_groups(session)
        known = reading.origins(
            session,
            actor=auth.principal,
            node_id=node.id,
            own=(node.config.name, node.config.country),
        )
        origin = reading.origin_of(known, entity.origin) if entity.origin else None
        merged_here = list(session.scalars(select(Entity).where(Entity.merged_into == entity.id)))
    shown = [s for s in rows if not as_of or s.source == as_of]
    return page(
        request,
        "entities/entity.html",
        {
            "entity": entity,
            "case": case,
            "statements": shown,
            "sources": sorted({s.source for s in rows}),
            "as_of": as_of,
            "entity_props": entity_props,
            "captions": captions,
            "related": related,
            "can_write": can_write,
            "can_share": case is not None
            and auth.principal.has("entities.write")
            and role is not None
            and bool(peers),
            "peers": peers,
            "groups": groups,
            "edit_text": edit_text(entity) if edited is None else edited,
            "origin": origin,
            "merged_here": merged_here,
            "error": error,
        },
        status=status,
    )


def _related(session: Session, entity: Entity, refs: set[str]) -> list[Entity]:
    """Entities it points to, and those in the same case (or from the same partner) that point
    to it (a passport's holder, the calls of a phone owner, relations)."""
    out: dict[str, Entity] = {}
    if refs:
        for e in session.scalars(select(Entity).where(Entity.id.in_(sorted(refs)))):
            if e.case_id == entity.case_id and e.origin == entity.origin:
                out[e.id] = e
    scope = (
        Entity.case_id == entity.case_id
        if entity.case_id is not None
        else Entity.record_id == entity.record_id
    )
    # A JSON text match keeps this portable; the scope is one case, so it stays small.
    candidates = session.scalars(
        select(Entity)
        .where(scope, Entity.id != entity.id, Entity.merged_into.is_(None))
        .limit(5000)
    )
    for e in candidates:
        for prop, values in (e.properties or {}).items():
            p = model[e.schema].get(prop)
            if p is not None and p.type.name == "entity" and entity.id in values:
                out[e.id] = e
                break
    return list(out.values())


class EntityEdit(BaseModel):
    """The entity's editor, as typed: one `property: value` a line."""

    more: Annotated[str, Form(max_length=50_000)] = ""


@router.post("/entities/{entity_id}/edit", response_class=HTMLResponse)
def entity_edit(
    request: Request,
    auth: PageAuth,
    entity_id: str,
    form: Annotated[EntityEdit, Depends(typed(EntityEdit))],
) -> Response:
    def save(session: Session, node: Node) -> object:
        ctx = context_of(node)
        entity, _case = entities.load(
            session, actor=auth.principal, ctx=ctx, entity_id=entity_id, write=True
        )
        data = {"schema": entity.schema, "properties": parse_lines(entity.schema, form.more)}
        return entities.update(
            session, actor=auth.principal, ctx=ctx, entity_id=entity_id, data=data
        )

    def done(_saved: object) -> tuple[str, str]:
        return f"/entities/{entity_id}", _("Saved.")

    # Refused: the page again, the editor as typed, the mistake beside it.
    again = partial(_entity_page, request, auth, entity_id, edited=form.more)
    return save_form(request, auth, save=save, done=done, again=again)
