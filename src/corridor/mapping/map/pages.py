"""The map page (/map): every member's challenges by country, the routes, drawn locations.

The page itself carries only the filter form, the vocabularies' translated labels and the
TopoJSON id → alpha-2 table; the browser fetches the outlines (a static, cached file) and
`/api/v1/map` in parallel, both preloaded from the page's head, and draws them with Leaflet
(static/js/map.js). Filters live in the query string, so a filtered map can be bookmarked: the
form is pre-filled from it here, and the script keeps it in step as the user changes them."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from corridor.federation.peers import node_names
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.mapping import geo
from corridor.mapping.challenges.schemas import SEVERITIES, STATUSES
from corridor.mapping.routes.schemas import MODES
from corridor.mapping.routes.service import list_routes
from corridor.mapping.schemas import THEMATIC_AREAS, THEME_ORDER, THEMES
from corridor.web.auth import node_of
from corridor.web.params import PageAuth
from corridor.web.render import own_label, page

router = APIRouter(include_in_schema=False)


SCALES = ("count", "severity")


def _picked(params: QueryParams, name: str, allowed: tuple[str, ...]) -> list[str]:
    """The ticked values of a repeatable filter. Absent means every value (a filter left alone);
    an empty value alone means none (the user unticked them all, see map.js); unknown values are
    dropped, so a bookmark naming a retired value still opens the map."""
    values = params.getlist(name)
    if values and not any(values):
        return []
    # In the vocabulary's order, as the form lists them and map.js writes them.
    return [v for v in allowed if v in values] or list(allowed)


def _api_query(selected: dict[str, Any], vocabularies: dict[str, tuple[str, ...]]) -> str:
    """The /api/v1 filter query of the selection, for the export links and the preload of the
    map data. It must be the very URL map.js asks for (its apiQuery(): same order, all-ticked
    left out), or the browser fetches the data twice."""
    pairs: list[tuple[str, str]] = []
    for name, allowed in vocabularies.items():
        if 0 < len(selected[name]) < len(allowed):
            pairs += [(name, v) for v in selected[name]]
    pairs += [(k, selected[k]) for k in ("route", "origin", "since", "until") if selected[k]]
    return urlencode(pairs)


def _day(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def _one_of(value: str | None, allowed: dict[str, str]) -> str:
    return value if value in allowed else ""


def _messages_json() -> str:
    """What map.js shows, translated here (the script has no catalogue of its own); called by
    the template, once page() has activated the reader's language."""
    messages = {
        "loading": _("Loading the map…"),
        "failed": _("The map data could not be loaded. Try again in a moment."),
        # The script fills in {n}; it has only the singular and a plural form ("many").
        "count_one": ngettext("{n} challenge", "{n} challenges", 1),
        "count_other": ngettext("{n} challenge", "{n} challenges", 5),
        "none": _("No challenges"),
        "nomatch": _("No challenge matches the filters here."),
        "hint": _("Select a country, a route or a location on the map to list its challenges."),
        "countries": _("Countries with challenges"),
        "country": _("Challenges in {name}"),
        "route": _("Route: {name}"),
        "location": _("Location: {name}"),
        "legs": _("Legs"),
        "scale_count": _("Challenges per country"),
        "scale_severity": _("Highest severity"),
        "title": _("Challenges along the routes"),
        "generated": _("Generated {when}"),
        "filters": _("Filters: {filters}"),
        "allfilters": _("none (every challenge this node holds)"),
        "png_failed": _("The image could not be made."),
        "theme": _("Theme"),
        "severity": _("Severity"),
        "status": _("Status"),
        "member": _("Member"),
        "from": _("From"),
        "until": _("Until"),
        "unnamed": _("Unnamed location"),
        "clear": _("Clear the selection"),
    }
    return json.dumps(messages, ensure_ascii=False, separators=(",", ":"))


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, auth: PageAuth) -> HTMLResponse:
    actor = auth.principal
    actor.require("records.read")
    node = node_of(request)
    with node.db.reading() as session:
        routes = [(str(r.id), r.name) for r in list_routes(session, node.id, actor=actor)]
        names = node_names(session, node.id, own_label(request))
    q = request.query_params
    route = q.get("route") or ""
    try:
        route = str(uuid.UUID(route)) if route else ""
    except ValueError:
        route = ""
    if route not in {rid for rid, _name in routes}:
        route = ""
    vocabularies = {
        "theme": THEME_ORDER,
        "severity": tuple(SEVERITIES),
        "status": tuple(STATUSES),
    }
    selected: dict[str, Any] = {
        **{name: _picked(q, name, allowed) for name, allowed in vocabularies.items()},
        "route": route,
        "origin": _one_of(q.get("origin"), names),
        "since": _day(q.get("since")),
        "until": _day(q.get("until")),
        "scale": q.get("scale") if q.get("scale") in SCALES else "count",
    }
    # Own node first, then the partners by name.
    members = sorted(names.items(), key=lambda kv: (kv[0] != node.id, kv[1].lower()))

    def labels_json() -> str:
        # Called by the template, once page() has activated the reader's language.
        labels: dict[str, Any] = {
            "themes": {k: _(THEMES[k]) for k in THEME_ORDER},
            "severities": {k: _(v) for k, v in SEVERITIES.items()},
            "statuses": {k: _(v) for k, v in STATUSES.items()},
            "modes": {k: _(v) for k, v in MODES.items()},
            "origins": names,
            "countries": {cc: c.name for cc, c in geo.countries().items()},
        }
        return json.dumps(labels, ensure_ascii=False, separators=(",", ":"))

    return page(
        request,
        "mapping/map.html",
        {
            "topo_ids": geo.alpha2_by_topo_id_json(),
            "labels_json": labels_json,
            "messages_json": _messages_json,
            "themes": [(k, THEMES[k], k in THEMATIC_AREAS) for k in THEME_ORDER],
            "severities": SEVERITIES,
            "statuses": STATUSES,
            "routes": routes,
            "members": members,
            "selected": selected,
            "disclaimer": geo.DISCLAIMER,
            "api_query": _api_query(selected, vocabularies),
        },
    )
