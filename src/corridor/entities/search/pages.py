"""Search in the web UI: the search page and its live result list. Each hit shows its case (own
entities) or the node it came from (partners'), its key facts and why it matched; the hits
found are counted by type, country, case and origin (facets), each count a link that narrows
the search to it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from corridor.entities import captions
from corridor.entities.access import list_cases, open_case
from corridor.entities.ftm import entity_schemata
from corridor.entities.search.service import FACETS, Hit, search
from corridor.errors import CorridorError
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page

router = APIRouter(include_in_schema=False)
PageAuth = Annotated[Auth, Depends(page_auth)]
# How many values of a facet the page shows (the most frequent).
FACET_VALUES = 12


def _search(request: Request, auth: Auth, template: str, **params: str) -> HTMLResponse:
    node = node_of(request)
    hits: list[Hit] = []
    found = 0
    facets: dict[str, list[tuple[str, int]]] = {}
    error = None
    with node.db.transaction() as session:
        my_cases = list_cases(session, actor=auth.principal)
        origins = captions.origins(
            session,
            actor=auth.principal,
            node_id=node.id,
            own=(node.config.name, node.config.country),
        )
        if params["q"].strip():
            try:
                case_id = (
                    open_case(session, actor=auth.principal, ref=params["case"]).id
                    if params["case"]
                    else None
                )
                result = search(
                    session,
                    actor=auth.principal,
                    node_id=node.id,
                    q=params["q"],
                    schema=params["schema"] or None,
                    case_id=case_id,
                    country=params["country"] or None,
                    date_from=params["date_from"] or None,
                    date_to=params["date_to"] or None,
                    origin=params["origin"] or None,
                    limit=50,
                    default_region=node.config.country,
                )
                hits, found, facets = result.items, result.found, result.facets
            except CorridorError as exc:
                error = exc.detail
        names = captions.captions_of(session, [h.entity for h in hits])
    return page(
        request,
        template,
        {
            "hits": hits,
            "found": found,
            "facets": _facet_links(facets, params),
            "error": error,
            "cases": my_cases,
            "case_refs": {str(c.id): c.reference for c in my_cases},
            "names": names,
            "origins": origins,
            "own_node": node.id,
            "schemata": entity_schemata(),
            **params,
        },
    )


def _facet_links(
    facets: dict[str, list[tuple[str, int]]], params: dict[str, str]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each facet's values with their count and the search narrowed to the value (or, for the
    value chosen already, the search without it)."""
    out = []
    for name in FACETS:
        values = []
        for value, count in facets.get(name, [])[:FACET_VALUES]:
            active = params[name].strip().lower() == value.lower()
            narrowed = {**params, name: "" if active else value}
            query = urlencode({k: v for k, v in narrowed.items() if v})
            values.append(
                {"value": value, "count": count, "href": f"/search?{query}", "active": active}
            )
        if values:
            out.append((name, values))
    return out


SearchParam = Annotated[str, Query(max_length=200)]


def search_form(
    q: SearchParam = "",
    schema: SearchParam = "",
    case: SearchParam = "",
    country: SearchParam = "",
    date_from: SearchParam = "",
    date_to: SearchParam = "",
    origin: Annotated[str, Query(max_length=64)] = "",
) -> dict[str, str]:
    return {
        "q": q,
        "schema": schema,
        "case": case,
        "country": country,
        "date_from": date_from,
        "date_to": date_to,
        "origin": origin,
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
