"""The Risk Analysis Unit's workbench in the web UI: /risk.

One page per selection (indicator, dataset, route, nationality, country, period as query
parameters, so a view can be bookmarked and sent): the series as a chart with its flagged
anomalies and forecast, its trends, the top nationalities (or routes) of the last twelve
months, downloads (CSV here, PNG from the chart), the source and licence; the datasets and,
for analysts, the import form."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from corridor import formats
from corridor.errors import CorridorError, InvalidInput, NotFound
from corridor.i18n import N_, ngettext
from corridor.i18n import gettext as _
from corridor.records.labels import canonical_tlp
from corridor.risk import service, trends
from corridor.risk.series import Filter, Series
from corridor.risk.sources.common import code_name
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth
from corridor.web.refusals import FormFields, Refusal
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False, prefix="/risk")

INDICATOR_LABELS = {
    "illegal_border_crossings": N_("Illegal border crossings"),
    "dead_and_missing": N_("Dead and missing"),
    "asylum_applications": N_("Asylum applications"),
    "facilitators_detected": N_("Facilitators detected"),
    "false_document_users": N_("False-document users"),
    "refusals_of_entry": N_("Refusals of entry"),
    "illegal_stay": N_("Illegal stay"),
    "returns": N_("Returns"),
    "online_adverts_detected": N_("Online adverts detected"),
}
PERIOD_LABELS = {
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
}
BY_LABELS = {
    "nationality": N_("Nationality"),
    "route": N_("Route"),
    "country": N_("Country"),
    "border_type": N_("Border type"),
    "sex": N_("Sex"),
}
SOURCE_LABELS = {
    "frontex-ibc": N_("Frontex detections (long table, CSV)"),
    "frontex-ibc-wide": N_("Frontex detections (Frontex's own workbook)"),
    "iom-mmp": N_("IOM Missing Migrants (export)"),
    "iom-mmp-2020": N_("IOM Missing Migrants (export of 2020)"),
    "eurostat-asylum": N_("Eurostat first-time asylum applications"),
    "csv": N_("Another table (CSV or XLSX, with a mapping)"),
}
FIELDS = FormFields.of(
    ["file", "source", "dataset", "mapping", "tlp", "purpose"],
    {
        "file": N_("File"),
        "source": N_("Source"),
        "dataset": N_("Dataset"),
        "mapping": N_("Mapping"),
        "tlp": N_("TLP"),
        "purpose": N_("Purpose"),
    },
)
_Q = Annotated[str, Query(max_length=200)]


@dataclass(frozen=True)
class Chosen:
    """A selection as the page's query parameters give it, kept as typed (the filter form
    shows it again)."""

    indicator: str = ""
    dataset: str = ""
    route: str = ""
    nationality: str = ""
    country: str = ""
    period: str = "month"

    def filter(self) -> Filter:
        return Filter.parse(
            indicator=self.indicator,
            dataset=self.dataset,
            route=self.route,
            nationality=self.nationality,
            country=self.country,
        )


def _chosen(
    indicator: _Q = "",
    dataset: _Q = "",
    route: _Q = "",
    nationality: _Q = "",
    country: _Q = "",
    period: Annotated[str, Query(max_length=10)] = "month",
) -> Chosen:
    return Chosen(indicator, dataset, route, nationality, country, period)


Selection = Annotated[Chosen, Depends(_chosen)]


def indicator_label(name: str) -> str:
    label = INDICATOR_LABELS.get(name)
    return _(label) if label else name.replace("_", " ").capitalize()


def _choices(auth: Auth, request: Request) -> dict[str, Any]:
    """The datasets, their indicators, and the recent imports."""
    with node_of(request).db.reading() as session:
        datasets = service.datasets(session, actor=auth.principal)
        imports = service.imports(session, actor=auth.principal, limit=10)
        indicators = sorted({i for d in datasets for i in (d.coverage or {})})
        return {
            "datasets": [
                {
                    "id": d.id,
                    "title": d.title,
                    "rows": d.rows,
                    "licence": d.licence,
                    "coverage": d.coverage,
                    "imported_at": d.imported_at,
                    "tlp": canonical_tlp(d.tlp),
                    "purpose": d.purpose,
                }
                for d in datasets
            ],
            "indicators": indicators,
            "imports": [
                {
                    "id": r.id,
                    "dataset": r.dataset,
                    "file_name": r.file_name,
                    "stored": r.rows_stored,
                    "refused": r.rows_refused,
                    "errors": r.errors[:20],
                    "at": r.finished_at or r.started_at,
                }
                for r in imports
            ],
        }


def _dimension(s: Series, dimension: str) -> list[dict[str, Any]]:
    """The values of a dimension the dataset has for the indicator (the filter's lists, from
    the dataset's coverage: no query), by name."""
    values = s.dataset.coverage.get(s.filter.indicator, {}).get(dimension, [])
    items = [{"key": v, "name": code_name(v) if dimension != "routes" else v} for v in values]
    return sorted(items, key=lambda i: str(i["name"]).casefold())


def _chart(s: Series, found: list[Any], title: str) -> dict[str, Any]:
    labels = [formats.period(p) for p, _v in s.points]
    index = {p: i for i, (p, _v) in enumerate(s.points)}
    chart: dict[str, Any] = {
        "title": title,
        "labels": labels,
        "values": [v for _p, v in s.points],
        "names": {
            "value": title,
            "up": _("Surge"),
            "down": _("Drop"),
            "expected": _("Expected"),
            "forecast": _("Forecast"),
            "interval": _("Forecast interval"),
            "save": _("Save as image"),
        },
        "anomalies": [
            {
                "i": index[a.period],
                "value": a.value,
                "expected": round(a.expected),
                "up": a.score > 0,
            }
            for a in found
        ],
    }
    return chart


def _heat(made: dict[str, Any]) -> dict[str, Any]:
    """Each cell's shade (0–4) by its share of the largest cell, for the eye; numbers stay."""
    peak = max((c for r in made["rows"] for c in r["cells"]), default=0)
    for row in made["rows"]:
        row["heat"] = [min(4, int(5 * c / peak)) if peak and c else 0 for c in row["cells"]]
    return made


# The seasonal pattern as bars (an SVG drawn on the server: no script needed).
_BAR_WIDTH, _BAR_HEIGHT = 28, 72


def _season_bars(season: trends.Seasonality) -> dict[str, Any]:
    top = max(season.high) or 1.0
    bars = []
    for m, (index, low, high) in enumerate(zip(season.index, season.low, season.high, strict=True)):
        height = round(index / top * _BAR_HEIGHT, 1)
        bars.append(
            {
                "month": formats.month_name(m + 1),
                "index": index,
                "low": low,
                "high": high,
                "x": m * _BAR_WIDTH,
                "y": round(_BAR_HEIGHT - height, 1),
                "height": height,
                "y_low": round(_BAR_HEIGHT - low / top * _BAR_HEIGHT, 1),
                "y_high": round(_BAR_HEIGHT - high / top * _BAR_HEIGHT, 1),
            }
        )
    return {
        "years": season.years,
        "bars": bars,
        "width": 12 * _BAR_WIDTH,
        "height": _BAR_HEIGHT,
        "bar": _BAR_WIDTH - 6,
        "average_y": round(_BAR_HEIGHT - 1 / top * _BAR_HEIGHT, 1),
    }


def _forecast_chart(made: Any) -> dict[str, Any]:
    return {
        "labels": [formats.period(p) for p, *_r in made.points],
        "median": [round(v) for _p, v, _lo, _hi in made.points],
        "lower": [round(lo) for _p, _v, lo, _hi in made.points],
        "upper": [round(hi) for _p, _v, _lo, hi in made.points],
    }


def _view(request: Request, auth: Auth, f: Filter, period: str) -> dict[str, Any]:
    """Everything the page shows of one selection; what cannot be computed (a series too
    short for anomalies or a forecast) is said in words instead."""
    out: dict[str, Any] = {"notes": []}
    with node_of(request).db.reading() as session:
        s = service.series(session, actor=auth.principal, filter=f, period=period)
        out["series"] = s
        out["source"] = service.source_of(s.dataset)
        out["trends"] = [t.to_dict() for t in trends.trends(s)]
        found: list[Any] = []
        out["forecasts"] = period in ("month", "quarter") and bool(s.points)
        if out["forecasts"]:
            try:
                _s, found = service.anomalies(
                    session, actor=auth.principal, filter=f, period=period
                )
            except InvalidInput as exc:
                out["notes"].append(exc.detail)
        out["anomalies"] = [a.to_dict() for a in reversed(found)]
        by = "route" if f.route is None and f.nationality else "nationality"
        if f.nationality and f.route:
            by = "country"
        out["breakdown"] = service.breakdown(session, actor=auth.principal, filter=f, by=by)
        season = trends.seasonality(s)
        out["season"] = _season_bars(season) if season else None
        routes = s.dataset.coverage.get(f.indicator, {}).get("routes")
        if f.route is None and f.nationality is None and routes and len(routes) > 1:
            out["matrix"] = _heat(service.matrix(session, actor=auth.principal, filter=f))
        # The map of the routes' flows (and incidents) when the selection spans routes.
        out["flow_map"] = f.route is None and bool(routes)
        out["routes"] = _dimension(s, "routes")
        out["nationalities"] = _dimension(s, "nationalities")
        out["countries"] = _dimension(s, "countries")
    out["chart"] = _chart(s, found, indicator_label(f.indicator))
    return out


@router.get("", response_class=HTMLResponse)
def workbench(request: Request, auth: PageAuth, chosen: Selection) -> HTMLResponse:
    auth.principal.require("risk.read")
    context = _choices(auth, request)
    form = dataclasses.asdict(chosen)
    period = chosen.period
    if not chosen.indicator and context["indicators"]:
        preferred = "illegal_border_crossings"
        form["indicator"] = (
            preferred if preferred in context["indicators"] else context["indicators"][0]
        )
    status = 200
    view = None
    error = None
    if form["indicator"]:
        try:
            f = dataclasses.replace(chosen, indicator=form["indicator"]).filter()
            view = _view(request, auth, f, period if period in PERIOD_LABELS else "month")
        except CorridorError as exc:
            error, status = (
                exc.detail,
                exc.status if isinstance(exc, InvalidInput | NotFound) else 400,
            )
    return _render(
        request,
        auth,
        context,
        status,
        form=form,
        view=view,
        error=error,
        # The selection shown (with the indicator chosen for a bare /risk): what its download,
        # its forecast and its map ask for.
        csv_query=urlencode({k: v for k, v in form.items() if v}),
        share_query=_share_query(view, period),
    )


def _share_query(view: dict[str, Any] | None, period: str) -> str:
    """The link that offers the selection shown to partners (risk.figures): the form of
    /risk/figures/new with the selection and a title filled in."""
    if view is None:
        return ""
    f = view["series"].filter
    parts = [indicator_label(f.indicator), f.route, f.nationality and code_name(f.nationality),
             f.country and code_name(f.country)]  # fmt: skip
    given = {
        "title": " · ".join(str(p) for p in parts if p),
        "indicator": f.indicator,
        "dataset": view["series"].dataset.id,
        "route": f.route,
        "nationality": f.nationality,
        "country": f.country,
        "period": period if period in PERIOD_LABELS else "month",
    }
    return urlencode({k: v for k, v in given.items() if v})


def _render(
    request: Request, auth: Auth, context: dict[str, Any], status: int = 200, **extra: Any
) -> HTMLResponse:
    return page(
        request,
        "risk/workbench.html",
        {
            **context,
            "periods": PERIOD_LABELS,
            "indicator_label": indicator_label,
            "sources": SOURCE_LABELS,
            "code_name": code_name,
            "part_label": lambda item: item.get("name") or item.get("key"),
            "may_import": auth.principal.has("risk.import"),
            "may_share": auth.principal.has("risk.assess"),
            "dataset_tlps": service.DATASET_TLP,
            "import_purposes": sorted(auth.principal.purposes),
            "import_form": {},
            **extra,
        },
        status=status,
        auth=auth,
    )


@router.get("/flows.json")
def flows_json(request: Request, auth: PageAuth, chosen: Selection) -> Response:
    """The map's data for the selection (the same as /api/v1/indicators/flows), fetched by the
    workbench's map after the page, with the page's session."""
    auth.principal.require("risk.read")
    f = chosen.filter()
    with node_of(request).db.reading() as session:
        made = service.flow_map(session, actor=auth.principal, filter=f)
    made.pop("dataset")
    return JSONResponse(
        {**made, "window_text": {k: formats.period(v) for k, v in made["window"].items()}}
    )


@router.get("/forecast", response_class=HTMLResponse)
def forecast_fragment(request: Request, auth: PageAuth, chosen: Selection) -> HTMLResponse:
    """The forecast of the selection with its back-test, loaded after the page (its 37 model
    fits take about a second the first time; the series and anomalies show at once)."""
    auth.principal.require("risk.read")
    made, note = None, None
    try:
        f = chosen.filter()
        with node_of(request).db.reading() as session:
            _s, made = service.forecast(
                session, actor=auth.principal, filter=f, period=chosen.period
            )
    except InvalidInput as exc:
        note = exc.detail
    return page(
        request,
        "risk/_forecast.html",
        {
            "fc": made.to_dict() if made else None,
            "chart": _forecast_chart(made) if made else None,
            "note": note,
        },
        auth=auth,
    )


@router.get("/series.csv")
def series_csv(request: Request, auth: PageAuth, chosen: Selection) -> Response:
    """The series shown, with its trends, as a CSV file; the source and licence on every row
    (a table pasted elsewhere keeps its citation)."""
    auth.principal.require("risk.read")
    period = chosen.period
    with node_of(request).db.reading() as session:
        s = service.series(session, actor=auth.principal, filter=chosen.filter(), period=period)
        source = service.source_of(s.dataset)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["indicator", "dataset", "route", "nationality", "country", "period", "value",
         "change_previous", "change_year", "rolling_year", "source", "licence"]
    )  # fmt: skip
    f = s.filter
    for t in trends.trends(s):
        d = t.to_dict()
        writer.writerow([f.indicator, s.dataset.id, f.route or "", f.nationality or "",
                         f.country or "", d["period"], d["value"], d["change_previous"],
                         d["change_year"], d["rolling_year"], source["citation"],
                         source["licence"]])  # fmt: skip
    name = f"{f.indicator}-{s.dataset.id}-{period}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/imports", response_class=HTMLResponse)
async def import_page(
    request: Request,
    auth: PageAuth,
    file: Annotated[UploadFile | None, File()] = None,
    source: Annotated[str, Form(max_length=40)] = "",
    dataset: Annotated[str, Form(max_length=60)] = "",
    mapping: Annotated[str, Form(max_length=100_000)] = "",
    tlp: Annotated[str, Form(max_length=30)] = "",
    purpose: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    auth.principal.require("risk.import")
    node = node_of(request)
    form = {"source": source, "dataset": dataset, "mapping": mapping, "tlp": tlp,
            "purpose": purpose}  # fmt: skip
    try:
        if file is None or not file.filename:
            raise InvalidInput(_("File: choose the file to import"), field="file")
        spec = None
        if mapping.strip():
            try:
                spec = json.loads(mapping)
            except ValueError:
                raise InvalidInput(_("Mapping: not valid JSON"), field="mapping") from None
        limit = node.config.limits.max_import_bytes
        with tempfile.NamedTemporaryFile(suffix=Path(file.filename).suffix[:10]) as spool:
            size = 0
            while chunk := await file.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(_("File: larger than the limit"), field="file")
                spool.write(chunk)
            spool.flush()
            with node.db.transaction() as session:
                run = service.import_file(
                    session, actor=auth.principal, path=Path(spool.name), source=source,
                    file_name=file.filename, mapping=spec, dataset=dataset.strip() or None,
                    tlp=tlp or None, purpose=purpose or None,
                )  # fmt: skip
                stored, refused, ds = run.rows_stored, run.rows_refused, run.dataset
    except InvalidInput as exc:
        return _render(
            request,
            auth,
            _choices(auth, request),
            422,
            form={"indicator": "", "period": "month"},
            view=None,
            import_form=form,
            import_error=Refusal.of(exc, FIELDS).summary(),
        )
    message = (
        ngettext("%(num)d figure stored", "%(num)d figures stored", stored) % {"num": stored}
        + ", "
        + ngettext("%(num)d row refused", "%(num)d rows refused", refused) % {"num": refused}
        + " "
        + _("(dataset %(dataset)s)") % {"dataset": ds}
    )
    return redirect(request, "/risk#imports", flash=message)
