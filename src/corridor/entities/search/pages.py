"""Search in the web UI: the search page and its live result list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from corridor.entities.access import list_cases, open_case
from corridor.entities.ftm import entity_schemata
from corridor.entities.search.service import Hit, search
from corridor.errors import CorridorError
from corridor.federation.peers import node_names
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page

router = APIRouter(include_in_schema=False)
PageAuth = Annotated[Auth, Depends(page_auth)]


def _search(request: Request, auth: Auth, template: str, **params: str) -> HTMLResponse:
    node = node_of(request)
    hits: list[Hit] = []
    error = None
    with node.db.transaction() as session:
        my_cases = list_cases(session, actor=auth.principal)
        names = node_names(session, node.id, node.config.name)
        if params["q"].strip():
            try:
                case_id = (
                    open_case(session, actor=auth.principal, ref=params["case"]).id
                    if params["case"]
                    else None
                )
                hits = search(
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
