"""The monthly risk analysis in the web UI: /risk/report (the page, printable), /risk/report.pdf
(the same as a PDF made on the server) and the analyst's narrative (/risk/report/notes)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from corridor import formats
from corridor.i18n import gettext as _
from corridor.mapping.reports.svg import svg_map
from corridor.risk.pages import indicator_label
from corridor.risk.reports import pdf
from corridor.risk.reports import service as reports
from corridor.risk.sources.common import code_name
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, own_label, page, redirect

router = APIRouter(include_in_schema=False, prefix="/risk/report")
_Q = Annotated[str, Query(max_length=60)]


def _context(
    request: Request, auth: Auth, indicator: str, dataset: str, month: str
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        r = reports.monthly(
            session, actor=auth.principal, indicator=indicator or "illegal_border_crossings",
            dataset=dataset or None, month=month or None,
        )  # fmt: skip
        note = reports.note_of(session, r)
    labels = [formats.period(m) for m in r.labels]
    charted = [(f.route, f.values) for f in r.routes[: reports.CHARTED]]
    incidents = r.incidents
    figure = None
    if incidents and incidents["points"]:
        lons = [p[0] for p in incidents["points"]]
        lats = [p[1] for p in incidents["points"]]
        box = (min(lons) - 2, min(lats) - 2, max(lons) + 2, max(lats) + 2)
        figure = svg_map(points=incidents["points"], bbox=box, width=720,
                         title=_("Incidents of the month"))  # fmt: skip
    query = urlencode({"indicator": r.indicator, "dataset": r.dataset.id, "month": r.month})
    return {
        "r": r,
        "note": note,
        "title": indicator_label(r.indicator),
        "chart": reports.line_chart(labels, charted),
        "map_svg": figure,
        "code_name": code_name,
        "own_label": own_label(request),
        "query": query,
        "may_write": auth.principal.has("risk.assess"),
    }


@router.get("", response_class=HTMLResponse)
def report_page(
    request: Request, auth: PageAuth, indicator: _Q = "", dataset: _Q = "", month: _Q = ""
) -> HTMLResponse:
    auth.principal.require("risk.read")
    activate_locale(request, auth)
    context = _context(request, auth, indicator, dataset, month)
    return page(request, "risk/report.html", context, auth=auth)


@router.get(".pdf")
def report_pdf(
    request: Request, auth: PageAuth, indicator: _Q = "", dataset: _Q = "", month: _Q = ""
) -> Response:
    """The same report as a PDF document, drawn on the server."""
    auth.principal.require("risk.read")
    activate_locale(request, auth)
    context = _context(request, auth, indicator, dataset, month)
    html = page(request, "risk/report_pdf.html", context, auth=auth).body
    document = pdf.render(bytes(html).decode())
    r = context["r"]
    name = f"risk-{r.indicator}-{r.month}.pdf"
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/notes")
def save_notes(
    request: Request,
    auth: PageAuth,
    indicator: Annotated[str, Form(max_length=60)],
    dataset: Annotated[str, Form(max_length=60)],
    month: Annotated[str, Form(max_length=10)],
    summary: Annotated[str, Form(max_length=20_000)] = "",
    outlook: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    auth.principal.require("risk.assess")
    node = node_of(request)
    with node.db.transaction() as session:
        reports.save_note(
            session, actor=auth.principal, dataset=dataset, indicator=indicator, period=month,
            summary=summary, outlook=outlook,
        )  # fmt: skip
    query = urlencode({"indicator": indicator, "dataset": dataset, "month": month})
    return redirect(request, f"/risk/report?{query}", flash=_("Narrative saved."))
