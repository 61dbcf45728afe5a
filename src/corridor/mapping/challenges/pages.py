"""Challenges and routes in the web UI: the network view, detail pages and the forms that record,
change and withdraw them (the same services as the REST API).

The route pages are here rather than in routes/: a route's page lists the challenges along it
and a challenge's page the routes it cites, so one page module serves both without the two
sub-packages importing each other. The forms' text formats are challenges/forms.py's and
routes/forms.py's."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from corridor import clock, countries
from corridor.federation.peers import node_names
from corridor.i18n import N_
from corridor.mapping.challenges import service as challenges
from corridor.mapping.challenges.forms import ChallengeForm, is_uuid, list_filters, location_view
from corridor.mapping.challenges.records import CHALLENGE
from corridor.mapping.challenges.schemas import SEVERITIES, STATUSES, TRENDS
from corridor.mapping.pages import mapping_records
from corridor.mapping.routes import service as routes
from corridor.mapping.routes.forms import GAP, RouteForm, leg_label
from corridor.mapping.routes.records import ROUTE
from corridor.mapping.routes.schemas import MODES, RouteBody
from corridor.mapping.schemas import THEMES
from corridor.node.service import Node
from corridor.records.owned import get_record
from corridor.web.auth import Auth, node_of
from corridor.web.own_records import OwnRecords
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, own_label, page

router = APIRouter(include_in_schema=False)


GEOMETRY_LABELS: dict[str, str] = {
    "Point": N_("Point"),
    "MultiPoint": N_("Points"),
    "LineString": N_("Line"),
    "MultiLineString": N_("Lines"),
    "Polygon": N_("Area"),
}
EVIDENCE_LABELS: dict[str, str] = {
    "alert": N_("Alert"),
    "indicator": N_("Indicator"),
    "document": N_("Document"),
    "record": N_("Record"),
    "link": N_("Link"),
}


def _vocabularies() -> dict[str, Any]:
    return {
        "themes": THEMES,
        "severities": SEVERITIES,
        "trends": TRENDS,
        "statuses": STATUSES,
        "modes": MODES,
        "geometry_labels": GEOMETRY_LABELS,
        "evidence_labels": EVIDENCE_LABELS,
        "country_name": countries.country_name,
        "leg_label": leg_label,
    }


# --- the network view of challenges -------------------------------------------------------------


@router.get("/challenges", response_class=HTMLResponse)
def challenge_list(
    request: Request,
    auth: PageAuth,
    theme: Annotated[list[str] | None, Query(max_length=20)] = None,
    severity: Annotated[list[str] | None, Query(max_length=10)] = None,
    status: Annotated[list[str] | None, Query(max_length=10)] = None,
    route: Annotated[str, Query(max_length=64)] = "",
    country: Annotated[str, Query(max_length=64)] = "",
    origin: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
    until: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    activate_locale(request, auth)
    f, errors, chosen = list_filters(
        theme or [], severity or [], status or [], route, country, origin, since, until
    )
    node = node_of(request)
    with node.db.reading() as session:
        rows = challenges.list_challenges(session, node.id, actor=auth.principal, filters=f)
        drawn = routes.list_routes(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    members = sorted(
        {node.id, *(r.origin for r in rows), *names}, key=lambda n: (n != node.id, names.get(n, n))
    )
    return page(
        request,
        "mapping/challenges/list.html",
        {
            "items": rows,
            "routes": drawn,
            "route_names": {str(r.id): r.name for r in drawn},
            "names": names,
            "members": members,
            "chosen": chosen,
            "errors": errors,
            "today": clock.now().date(),
            **_vocabularies(),
        },
    )


# --- one challenge ------------------------------------------------------------------------------


def _challenge_context(session: Session, node: Node, auth: Auth) -> dict[str, Any]:
    # The routes a challenge can cite, with their legs.
    return {"routes": routes.list_routes(session, node.id, actor=auth.principal), **_vocabularies()}


CHALLENGE_FORMS = OwnRecords(
    path="/challenges",
    template="mapping/challenges/form.html",
    blank=lambda _node: ChallengeForm(),
    of_body=ChallengeForm.of_body,
    recorded=N_("Challenge recorded."),
    updated=N_("Challenge updated (version %(v)d)."),
    context=_challenge_context,
    **mapping_records(CHALLENGE, challenges.save_challenge),
)
CHALLENGE_FORMS.mount(router, ChallengeForm)


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse)
def challenge_detail(request: Request, auth: PageAuth, challenge_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    actor = auth.principal
    with node.db.transaction() as session:
        env = get_record(session, node.id, actor=actor, type=CHALLENGE, record_id=challenge_id)
        body = env.get("body") or {}
        cited = []
        for ref in body.get("routes", []):
            row = routes.visible_route(session, node.id, actor, ref["route"])
            cited.append(
                {
                    "id": ref["route"],
                    "name": row.name if row else None,
                    "legs": [
                        leg_label(i, row.legs[i]) if row and i < len(row.legs) else str(i)
                        for i in ref.get("legs", [])
                    ],
                }
            )
        evidence = []
        for e in body.get("evidence", []):
            href = None
            ref = e.get("ref")
            if ref and is_uuid(ref):
                if challenges.visible_challenge(session, node.id, actor, ref):
                    href = f"/challenges/{ref}"
                elif routes.visible_route(session, node.id, actor, ref):
                    href = f"/routes/{ref}"
            evidence.append({**e, "href": href})
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "mapping/challenges/detail.html",
        {
            "e": env,
            "b": body,
            "routes": cited,
            "evidence": evidence,
            "locations": [location_view(loc) for loc in body.get("locations", [])],
            "names": names,
            "own": env["origin"] == node.id,
            "can_edit": CHALLENGE_FORMS.can_edit(env, node.id, auth),
            "home": CHALLENGE_FORMS.path,
            "map_query": urlencode({"country": body["countries"][0]}) if body else "",
            "today": clock.now().date().isoformat(),
            **_vocabularies(),
        },
    )


# --- routes -------------------------------------------------------------------------------------


@router.get("/routes", response_class=HTMLResponse)
def route_list(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        drawn = routes.list_routes(session, node.id, actor=auth.principal)
        rows = challenges.list_challenges(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    counts: Counter[str] = Counter(ref["route"] for c in rows for ref in c.routes)
    return page(
        request,
        "mapping/routes/list.html",
        {"items": drawn, "counts": counts, "names": names, **_vocabularies()},
    )


ROUTE_FORMS = OwnRecords(
    path="/routes",
    template="mapping/routes/form.html",
    blank=lambda _node: RouteForm(),
    of_body=RouteForm.of_body,
    recorded=N_("Route recorded."),
    updated=N_("Route updated (version %(v)d)."),
    context=lambda _session, _node, _auth: {"gap": GAP, **_vocabularies()},
    **mapping_records(ROUTE, routes.save_route),
)
ROUTE_FORMS.mount(router, RouteForm)


@router.get("/routes/{route_id}", response_class=HTMLResponse)
def route_detail(request: Request, auth: PageAuth, route_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        env = get_record(session, node.id, actor=auth.principal, type=ROUTE, record_id=route_id)
        body = env.get("body") or {}
        citing = (
            challenges.list_challenges(
                session,
                node.id,
                actor=auth.principal,
                filters=challenges.Filters(route=route_id),
            )
            if body
            else []
        )
        names = node_names(session, node.id, own_label(request))
    legs = body.get("legs", [])
    cited = []
    for c in citing:
        ref = next(r for r in c.routes if r["route"] == str(route_id))
        cited.append(
            {
                "row": c,
                "legs": [leg_label(i, legs[i]) for i in ref.get("legs", []) if i < len(legs)],
            }
        )
    return page(
        request,
        "mapping/routes/detail.html",
        {
            "e": env,
            "b": body,
            "legs": legs,
            "countries": RouteBody.model_validate(body).countries() if body else [],
            "challenges": cited,
            "names": names,
            "own": env["origin"] == node.id,
            "can_edit": ROUTE_FORMS.can_edit(env, node.id, auth),
            "home": ROUTE_FORMS.path,
            **_vocabularies(),
        },
    )
