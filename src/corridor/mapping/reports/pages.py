"""Reports in the web UI: /reports to choose the scope, /reports/view for the printable report
(HTML that the browser prints or saves as PDF; no PDF library on the server).

Every report generated is audited once (who, which scope, how many records it contains)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from corridor import countries
from corridor.audit import service as audit
from corridor.federation.peers import node_countries, node_names
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping.challenges.schemas import SEVERITIES, STATUSES, TRENDS
from corridor.mapping.reports import service as reports
from corridor.mapping.reports import svg
from corridor.mapping.schemas import THEMES
from corridor.web.auth import node_of
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, own_label, page

router = APIRouter(include_in_schema=False, prefix="/reports")


@router.get("", response_class=HTMLResponse)
def choose(request: Request, auth: PageAuth) -> HTMLResponse:
    actor = auth.principal
    actor.require("records.read")
    node = node_of(request)
    with node.db.reading() as session:
        choices = reports.scope_choices(session, node.id, actor=actor)
    return page(request, "mapping/reports.html", {"scopes": reports.SCOPES, **choices})


@router.get("/view", response_class=HTMLResponse)
def view(
    request: Request,
    auth: PageAuth,
    scope: str | None = None,
    country: str | None = None,
    route: str | None = None,
) -> HTMLResponse:
    actor = auth.principal
    actor.require("records.read")
    # The parameters are checked here rather than by FastAPI so that a bad link answers with
    # a plain 400 page that says what is wrong.
    parsed = reports.parse_scope(scope, country, route)
    node = node_of(request)
    # The map's title and note and the chart's labels are built before the page is rendered:
    # switch to the reader's language first (page() would only do it at rendering).
    activate_locale(request, auth)
    with node.db.reading() as session:
        names = node_names(session, node.id, own_label(request))
        country_of = node_countries(session, node.id, node.config.country)
        report = reports.build_report(
            session, node.id, actor=actor, scope=parsed, names=names, country_of=country_of
        )
    heading = _heading(report)
    # svg_map escapes its title and note and accepts only CSS colours as fills; everything
    # else in the markup is numbers and atlas codes: trusted server output.
    svg = Markup(  # noqa: S704
        reports.static_map(
            report.map,
            title=_("Challenges by highest severity: %(scope)s") % {"scope": heading},
            note=_(geo.DISCLAIMER),
        )
    )
    response = page(
        request,
        "mapping/report.html",
        {
            "report": report,
            "heading": heading,
            "map_svg": svg,
            "legend": _legend(report),
            "disclaimer": geo.DISCLAIMER,
            "chart_json": json.dumps(_chart(report), ensure_ascii=False, separators=(",", ":")),
            "own_label": own_label(request),
            "themes": THEMES,
            "severities": SEVERITIES,
            "trends": TRENDS,
            "statuses": STATUSES,
            "source_types": reports.SOURCE_TYPES,
            "country_name": countries.country_name,
            "names": names,
        },
    )
    # Audited once the report is rendered: a report that failed was never shown.
    with node.db.transaction() as session:
        audit.append(
            session,
            actor=actor,
            action="report.generate",
            object_type="report",
            object_id=parsed.kind,
            detail={
                "count": report.count,
                "challenges": len(report.challenges),
                **({"country": parsed.country} if parsed.country else {}),
                **({"route": str(parsed.route)} if parsed.route else {}),
            },
        )
    return response


def _heading(report: reports.Report) -> str:
    if report.scope.kind == "country":
        return _("Country report: %(name)s") % {"name": report.subject}
    if report.scope.kind == "route":
        return _("Route report: %(name)s") % {"name": report.subject}
    return _("Network report")


def _legend(report: reports.Report) -> list[dict[str, str]]:
    """The map's key: the severity fills present on the map, plain land, routes, places."""
    used = set(report.map.fills.values())
    out = [
        {"kind": "fill", "colour": colour, "label": _(SEVERITIES[s])}
        for s, colour in reports.SEVERITY_COLOURS.items()
        if colour in used
    ]
    out.append({"kind": "fill", "colour": svg.LAND, "label": _("No challenge in scope")})
    if report.map.lines:
        out.append({"kind": "line", "colour": svg.ROUTE, "label": _("Route")})
    if report.map.points:
        out.append({"kind": "point", "colour": svg.ROUTE, "label": _("Hub or location")})
    return out


def _chart(report: reports.Report) -> dict[str, Any]:
    """Challenges per theme, stacked by severity, for report.js (the table shows the same)."""
    summary = report.summary
    return {
        "categories": [_(THEMES[r["theme"]]) for r in summary["rows"]],
        "series": [
            {
                "name": _(SEVERITIES[s]),
                "colour": reports.SEVERITY_COLOURS[s],
                "data": [r["counts"][i] for r in summary["rows"]],
            }
            for i, s in enumerate(summary["severities"])
        ],
    }
