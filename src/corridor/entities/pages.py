"""Cases, entities and search in the web UI (the same services as the API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.entities import cases, search, service
from corridor.entities.api import ctx_of
from corridor.entities.ftm import SUPPORTED, model
from corridor.entities.models import Entity
from corridor.errors import CorridorError, InvalidInput
from corridor.federation.models import Peer
from corridor.federation.peers import node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.records.groups import list_groups
from corridor.records.labels import PURPOSES, Labels
from corridor.web import nav
from corridor.web.auth import Auth, node_of, page_auth, safe_next
from corridor.web.render import page, redirect, templates

router = APIRouter(include_in_schema=False)
PageAuth = Annotated[Auth, Depends(page_auth)]

nav.register(nav.NavEntry("Intelligence", N_("Cases"), "/cases", "entities.read", 10))
nav.register(nav.NavEntry("Intelligence", N_("Search"), "/search", "entities.read", 20))
nav.register(
    nav.NavEntry("Intelligence", N_("From partners"), "/entities/partners", "entities.read", 30)
)

EXPORTS = (("ftm", "FtM JSON"), ("csv", "CSV"), ("gexf", "GEXF"), ("graphml", "GraphML"))


def schema_label(name: str) -> str:
    sch = model.get(name)
    return sch.label if sch is not None else name


def prop_label(schema: str, prop: str) -> str:
    sch = model.get(schema)
    p = sch.get(prop) if sch is not None else None
    return p.label if p is not None else prop


def key_facts(entity: Entity) -> list[tuple[str, str]]:
    sch = model.get(entity.schema)
    if sch is None:
        return []
    out = []
    for name in sch.featured:
        values = (entity.properties or {}).get(name)
        if values and name != "name" and sch.get(name) and sch.get(name).type.name != "entity":
            out.append((sch.get(name).label, ", ".join(values[:3])))
    return out[:4]


def _ends(entity: Entity) -> list[str]:
    """The ids a relation or an interval links (source and target first), in FtM's order."""
    sch = model.get(entity.schema)
    if sch is None:
        return []
    props = entity.properties or {}
    names = [n for n in (sch.source_prop, sch.target_prop) if n is not None]
    names = [p.name for p in names] + [
        p.name
        for p in sch.properties.values()
        if p.type.name == "entity" and p.name not in {x for x in names}
    ]
    return [v for n in names for v in props.get(n, [])[:1]]


def entity_label(entity: Entity, names: dict[str, str]) -> str:
    """What a list shows for an entity: a relation, call or payment without a name of its own
    reads "Associate: Haji Karim → Muhammad Asif Khan" instead of its bare caption."""
    sch = model.get(entity.schema)
    if sch is None or (entity.properties or {}).get("name"):
        return entity.caption
    ends = [names[e] for e in _ends(entity)[:2] if e in names]
    if len(ends) == 2 and (sch.edge or sch.is_a("Interval")):
        return f"{sch.label}: {ends[0]} → {ends[1]} ({entity.caption})"
    return entity.caption


def captions_of(session: Session, entities: list[Entity]) -> dict[str, str]:
    refs = {e for ent in entities for e in _ends(ent)[:2]}
    if not refs:
        return {}
    rows = session.execute(select(Entity.id, Entity.caption).where(Entity.id.in_(sorted(refs))))
    return {eid: caption for eid, caption in rows}


def amount(value: float | None) -> str:
    """An amount with thousands separators and no needless decimals (7,500,000; 2,400.50)."""
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


templates.env.globals.update(
    schema_label=schema_label,
    prop_label=prop_label,
    key_facts=key_facts,
    entity_label=entity_label,
)
templates.env.filters["amount"] = amount


def parse_lines(schema: str, text: str) -> dict[str, list[str]]:
    """`property: value` lines (name or label of the property, any case) into FtM properties."""
    sch = model.get(schema)
    if sch is None:
        raise InvalidInput(f"unknown entity type {schema!r}")
    by_label = {p.label.lower(): p.name for p in sch.properties.values()}
    by_name = {p.name.lower(): p.name for p in sch.properties.values()}
    props: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not value.strip():
            raise InvalidInput(_("line %(n)d: write property: value") % {"n": number})
        name = by_name.get(key.strip().lower()) or by_label.get(key.strip().lower())
        if name is None:
            raise InvalidInput(
                _("line %(n)d: %(type)s has no property %(prop)s")
                % {"n": number, "type": sch.label, "prop": key.strip()}
            )
        props.setdefault(name, []).append(value.strip())
    return props


def edit_text(entity: Entity) -> str:
    return "\n".join(
        f"{prop}: {v}" for prop, values in sorted((entity.properties or {}).items()) for v in values
    )


def entity_schemata() -> list[str]:
    return [s for s in SUPPORTED if model.get(s) is not None]


# --- cases ------------------------------------------------------------------------------------


def _cases_page(request: Request, auth: Auth, *, status: int = 200, **extra: Any) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        items = cases.list_cases(session, actor=auth.principal)
    purposes = [p for p in PURPOSES if p in auth.principal.purposes and p != "cooperation"]
    return page(
        request,
        "entities/cases.html",
        {
            "items": items,
            "purposes": purposes,
            "default_purpose": "protection" if purposes == ["protection"] else "enforcement",
            "form": extra.pop("form", {}),
            **extra,
        },
        status=status,
    )


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, auth: PageAuth) -> HTMLResponse:
    return _cases_page(request, auth)


@router.post("/cases", response_class=HTMLResponse)
def case_create(
    request: Request,
    auth: PageAuth,
    reference: Annotated[str, Form(max_length=80)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    summary: Annotated[str, Form(max_length=20_000)] = "",
    tlp: Annotated[str, Form(max_length=16)] = "AMBER",
    purpose: Annotated[str, Form(max_length=32)] = "enforcement",
    handling: Annotated[str, Form(max_length=4)] = "H0",
) -> Response:
    node = node_of(request)
    form = {"reference": reference, "title": title, "summary": summary}
    try:
        data = cases.CaseCreate(
            reference=reference,
            title=title,
            summary=summary,
            tlp=tlp,
            purpose=purpose,
            handling=handling,
        )
        with node.db.transaction() as session:
            case = cases.create_case(session, actor=auth.principal, data=data)
            case_id = case.id
    except (CorridorError, ValidationError) as exc:
        return _cases_page(request, auth, status=422, error=error_text(exc), form=form)
    return redirect(request, f"/cases/{case_id}", _("Case opened."))


def error_text(exc: Exception) -> str:
    if isinstance(exc, CorridorError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
    return str(exc)


def _case_page(
    request: Request,
    auth: Auth,
    ref: str,
    *,
    schema: str | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case, rows, total = service.list_in_case(
            session, actor=auth.principal, case_ref=ref, schema=schema, limit=500
        )
        role = cases.member_role(session, auth.principal, case)
        schema_counts = list(
            session.execute(
                select(Entity.schema, func.count())
                .where(Entity.case_id == case.id, Entity.merged_into.is_(None))
                .group_by(Entity.schema)
                .order_by(Entity.schema)
            )
        )
        members = cases.members(session, case)
        names = captions_of(session, rows)
        peers = list(session.scalars(select(Peer).where(Peer.state == "approved")))
        groups = list_groups(session)
    return page(
        request,
        "entities/case.html",
        {
            "case": case,
            "entities": rows,
            "names": names,
            "total": total,
            "role": role,
            "members": members,
            "schema": schema,
            "schema_counts": schema_counts,
            "schemata": entity_schemata(),
            "exports": EXPORTS,
            "can_write": role in ("owner", "member") and case.status == "open",
            "can_share": role is not None
            and auth.principal.has("entities.write")
            and bool(peers or groups),
            "peers": peers,
            "groups": groups,
            "form": extra.pop("form", {}),
            **extra,
        },
        status=status,
    )


@router.post("/cases/{ref}/share")
def case_share(
    request: Request,
    auth: PageAuth,
    ref: str,
    entities: Annotated[list[str] | None, Form()] = None,
    to: Annotated[list[str] | None, Form()] = None,
    title: Annotated[str, Form(max_length=300)] = "",
    tlp: Annotated[str, Form(max_length=16)] = "AMBER",
    handling: Annotated[str, Form(max_length=4)] = "H0",
    with_related: Annotated[str, Form(max_length=1)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Share entities of the case (the selected rows, or one entity from its page)."""
    node = node_of(request)
    back = safe_next(back) if back else f"/cases/{ref}"
    try:
        with node.db.transaction() as session:
            case = cases.open_case(session, actor=auth.principal, ref=ref)
            labels = Labels(
                tlp=tlp,
                handling=handling,  # type: ignore[arg-type]
                purpose=case.purpose,
                forward="none",
            )  # type: ignore[arg-type]
            env = service.share(
                session,
                node.keys,
                actor=auth.principal,
                ctx=ctx_of(node),
                entity_ids=entities or [],
                to=to or [],
                labels=labels,
                title=title or case.title,
                with_related=bool(with_related),
            )
    except (CorridorError, ValidationError) as exc:
        return redirect(request, back, error_text(exc))
    return redirect(
        request,
        back,
        _("%(n)d entities shared as a signed record.") % {"n": len(env["body"]["entities"])},
    )


@router.get("/cases/{ref}", response_class=HTMLResponse)
def case_view(
    request: Request, auth: PageAuth, ref: str, schema: str | None = None
) -> HTMLResponse:
    return _case_page(request, auth, ref, schema=schema or None)


@router.post("/cases/{ref}/members")
def case_member(
    request: Request,
    auth: PageAuth,
    ref: str,
    kind: Annotated[str, Form(max_length=8)] = "user",
    handle: Annotated[str, Form(max_length=40)] = "",
    role: Annotated[str, Form(max_length=8)] = "member",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            cases.add_member(
                session,
                actor=auth.principal,
                case_ref=ref,
                kind=kind,  # type: ignore[arg-type]
                handle=handle.strip(),
                role=role,
            )  # type: ignore[arg-type]
    except CorridorError as exc:
        return redirect(request, f"/cases/{ref}", exc.detail)
    return redirect(request, f"/cases/{ref}", _("Member added."))


@router.post("/cases/{ref}/entities", response_class=HTMLResponse)
def case_add_entity(
    request: Request,
    auth: PageAuth,
    ref: str,
    entity_schema: Annotated[str, Form(alias="schema", max_length=64)] = "Person",
    name: Annotated[str, Form(max_length=500)] = "",
    more: Annotated[str, Form(max_length=20_000)] = "",
    tlp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    node = node_of(request)
    schema = entity_schema
    try:
        props = parse_lines(schema, more)
        if name.strip():
            props.setdefault("name", []).insert(0, name.strip())
        with node.db.transaction() as session:
            entity = service.create(
                session,
                actor=auth.principal,
                ctx=ctx_of(node),
                case_ref=ref,
                data={"schema": schema, "properties": props},
                tlp=tlp or None,
            )
            eid = entity.id
    except CorridorError as exc:
        form = {"schema": schema, "name": name, "more": more}
        return _case_page(request, auth, ref, status=422, error=exc.detail, form=form)
    return redirect(request, f"/entities/{eid}", _("Entity added."))


# --- entities ---------------------------------------------------------------------------------


@router.get("/entities/partners", response_class=HTMLResponse)
def partners(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        rows = service.list_from_partners(
            session, actor=auth.principal, ctx=ctx_of(node), limit=500
        )
    return page(request, "entities/partners.html", {"entities": rows})


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_view(
    request: Request, auth: PageAuth, entity_id: str, as_of: str | None = None
) -> HTMLResponse:
    node = node_of(request)
    ctx = ctx_of(node)
    with node.db.transaction() as session:
        entity, case, rows = service.read(
            session, actor=auth.principal, ctx=ctx, entity_id=entity_id
        )
        sch = model[entity.schema]
        entity_props = {p.name for p in sch.properties.values() if p.type.name == "entity"}
        refs = {s.value for s in rows if s.prop in entity_props}
        related = list(_related(session, entity, refs))
        captions = {e.id: e.caption for e in related}
        role = cases.member_role(session, auth.principal, case) if case else None
        can_write = role in ("owner", "member") and case is not None and case.status == "open"
        peers = list(session.scalars(select(Peer).where(Peer.state == "approved")))
        groups = list_groups(session)
        origin_name = node_names(session, node.id, node.config.name).get(entity.origin or "", "")
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
            "edit_text": edit_text(entity),
            "origin_name": origin_name,
            "merged_here": merged_here,
        },
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


@router.post("/entities/{entity_id}/edit")
def entity_edit(
    request: Request,
    auth: PageAuth,
    entity_id: str,
    more: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            entity, _case = service.load(
                session, actor=auth.principal, ctx=ctx_of(node), entity_id=entity_id, write=True
            )
            props = parse_lines(entity.schema, more)
            service.update(
                session,
                actor=auth.principal,
                ctx=ctx_of(node),
                entity_id=entity_id,
                data={"schema": entity.schema, "properties": props},
            )
    except CorridorError as exc:
        return redirect(request, f"/entities/{entity_id}", exc.detail)
    return redirect(request, f"/entities/{entity_id}", _("Saved."))


# --- search -----------------------------------------------------------------------------------


def _search(request: Request, auth: Auth, template: str, **params: str) -> HTMLResponse:
    node = node_of(request)
    hits: list[search.Hit] = []
    error = None
    with node.db.transaction() as session:
        my_cases = cases.list_cases(session, actor=auth.principal)
        names = node_names(session, node.id, node.config.name)
        if params["q"].strip():
            try:
                case_id = (
                    cases.open_case(session, actor=auth.principal, ref=params["case"]).id
                    if params["case"]
                    else None
                )
                hits = search.search(
                    session,
                    actor=auth.principal,
                    node_id=node.id,
                    q=params["q"],
                    schema=params["schema"] or None,
                    case_id=case_id,
                    country=params["country"] or None,
                    date_from=params["date_from"] or None,
                    date_to=params["date_to"] or None,
                    limit=50,
                    default_region=node.config.country,
                ).items
            except CorridorError as exc:
                error = exc.detail
    return page(
        request,
        template,
        {
            "hits": hits,
            "error": error,
            "cases": my_cases,
            "names": names,
            "schemata": entity_schemata(),
            **params,
        },
    )


SearchParam = Annotated[str, Query(max_length=200)]


def search_form(
    q: SearchParam = "",
    schema: SearchParam = "",
    case: SearchParam = "",
    country: SearchParam = "",
    date_from: SearchParam = "",
    date_to: SearchParam = "",
) -> dict[str, str]:
    return {
        "q": q,
        "schema": schema,
        "case": case,
        "country": country,
        "date_from": date_from,
        "date_to": date_to,
    }


SearchForm = Annotated[dict[str, str], Depends(search_form)]


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, auth: PageAuth, form: SearchForm) -> HTMLResponse:
    auth.principal.require("entities.read")
    return _search(request, auth, "entities/search.html", **form)


@router.get("/search/_results", response_class=HTMLResponse)
def search_results(request: Request, auth: PageAuth, form: SearchForm) -> HTMLResponse:
    """The result list alone, for the live search (HTMX) while the user types."""
    auth.principal.require("entities.read")
    return _search(request, auth, "entities/_results.html", **form)
