"""REST API of the indicator store: /api/v1/indicators.

`series` and `anomalies` read (a read token may ask them: `risk.read`); `imports` takes a file
of a named source (`risk.import`), the same as `corridor indicators import`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from corridor.errors import InvalidInput, TooLarge
from corridor.records.labels import canonical_tlp
from corridor.risk import anomalies as anomalies_mod
from corridor.risk import service
from corridor.risk.models import Dataset, ImportRun
from corridor.risk.schemas import (
    AnomaliesOut,
    BreakdownOut,
    DatasetList,
    ForecastOut,
    ImportList,
    ImportOut,
    MatrixOut,
    SeasonalityOut,
    SeriesOut,
)
from corridor.risk.series import Filter
from corridor.security.principal import Principal
from corridor.web.auth import api_reader, node_of
from corridor.web.endpoints import Api, answer

router = APIRouter(prefix="/api/v1/indicators", tags=["risk"])
Reader = Annotated[Principal, Depends(api_reader)]
_Text = Annotated[str | None, Query(max_length=200)]


def _filter(
    indicator: Annotated[str, Query(max_length=60)],
    route: _Text = None,
    nationality: _Text = None,
    country: _Text = None,
    border_type: _Text = None,
    sex: _Text = None,
    dataset: _Text = None,
) -> Filter:
    return Filter.parse(
        indicator=indicator,
        route=route,
        nationality=nationality,
        country=country,
        border_type=border_type,
        sex=sex,
        dataset=dataset,
    )


Filtered = Annotated[Filter, Depends(_filter)]


def _filters(f: Filter) -> dict[str, str]:
    return {
        k: v
        for k, v in (
            ("route", f.route),
            ("border_type", f.border_type),
            ("country", f.country),
            ("nationality", f.nationality),
            ("sex", f.sex),
        )
        if v is not None
    }


def _drawn(f: Filter, made: dict[str, Any]) -> Response:
    """An answer drawn from one dataset (a breakdown, a table, a map): the selection, what was
    computed, the dataset's citation and licence."""
    dataset = made.pop("dataset")
    return answer(
        {
            "indicator": f.indicator,
            "dataset": dataset.id,
            "filters": _filters(f),
            **made,
            "source": service.source_of(dataset),
        }
    )


@router.get("/series", response_model=SeriesOut)
def series(
    request: Request, actor: Reader, f: Filtered, period: Annotated[str, Query()] = "month"
) -> Response:
    """The sums of an indicator per period (day, month, quarter, year) over the figures the
    filters select; route names as the source writes them (any case), countries and
    nationalities as ISO codes or English names."""
    with node_of(request).db.reading() as session:
        s = service.series(session, actor=actor, filter=f, period=period)
        return answer(
            {
                "indicator": f.indicator,
                "dataset": s.dataset.id,
                "period": period,
                "filters": _filters(s.filter),
                "items": s.items(),
                "source": service.source_of(s.dataset),
            }
        )


@router.get("/anomalies", response_model=AnomaliesOut)
def anomalies(
    request: Request,
    actor: Reader,
    f: Filtered,
    period: Annotated[str, Query()] = "month",
    threshold: Annotated[float, Query(gt=0, le=100)] = anomalies_mod.THRESHOLD,
    direction: Annotated[str, Query(pattern="^(up|down|both)$")] = "both",
) -> Response:
    """The periods of the series whose value lies far from what its trend and seasonal pattern
    give (robust STL decomposition, modified z-score ≥ threshold): surges (score > 0) and
    drops (score < 0)."""
    with node_of(request).db.reading() as session:
        s, found = service.anomalies(
            session, actor=actor, filter=f, period=period, threshold=threshold,
            direction=direction,
        )  # fmt: skip
        return answer(
            {
                "indicator": f.indicator,
                "dataset": s.dataset.id,
                "period": period,
                "filters": _filters(s.filter),
                "method": "robust STL on square roots, modified z-score",
                "threshold": threshold,
                "items": [a.to_dict() for a in found],
                "source": service.source_of(s.dataset),
            }
        )


@router.get("/forecast", response_model=ForecastOut)
def forecast(
    request: Request,
    actor: Reader,
    f: Filtered,
    period: Annotated[str, Query()] = "month",
    horizon: Annotated[int, Query(ge=1, le=24)] = 6,
    level: Annotated[float, Query(ge=0.5, lt=1)] = 0.8,
) -> Response:
    """The next `horizon` periods: median forecast and interval (ETS on log counts), with the
    back-test of the same method on this series beside the seasonal naive forecast's (MASE)."""
    with node_of(request).db.reading() as session:
        s, made = service.forecast(
            session, actor=actor, filter=f, period=period, horizon=horizon, level=level
        )
        return answer(
            {
                "indicator": f.indicator,
                "dataset": s.dataset.id,
                "period": period,
                "filters": _filters(s.filter),
                **made.to_dict(),
                "source": service.source_of(s.dataset),
            }
        )


@router.get("/breakdown", response_model=BreakdownOut)
def breakdown(
    request: Request,
    actor: Reader,
    f: Filtered,
    by: Annotated[str, Query(max_length=20)] = "nationality",
    months: Annotated[int, Query(ge=1, le=120)] = 12,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Response:
    """The top nationalities (or routes, countries, border types, sexes) of the selection over
    the last `months` months the dataset covers, with shares and the change on the window
    before; the rest summed as one item."""
    with node_of(request).db.reading() as session:
        made = service.breakdown(session, actor=actor, filter=f, by=by, months=months, top=top)
        return _drawn(f, made)


@router.get("/matrix", response_model=MatrixOut)
def matrix(
    request: Request,
    actor: Reader,
    f: Filtered,
    rows: Annotated[str, Query(max_length=20)] = "route",
    columns: Annotated[str, Query(max_length=20)] = "nationality",
    months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> Response:
    """A two-way breakdown over the last `months` months the dataset covers (route ×
    nationality by default): the ten largest rows and eight largest columns with each cell's
    sum, the rest of each summed as "others"."""
    with node_of(request).db.reading() as session:
        made = service.matrix(
            session, actor=actor, filter=f, rows=rows, columns=columns, months=months
        )
        return _drawn(f, made)


@router.get("/seasonality", response_model=SeasonalityOut)
def seasonality(request: Request, actor: Reader, f: Filtered) -> Response:
    """The seasonal pattern of the monthly series: per calendar month, its mean ratio to an
    average month of the same year over the last five full years (1.0: an average month), with
    the lowest and highest ratio of those years. Empty without a full year of months."""
    with node_of(request).db.reading() as session:
        s, season = service.seasonality(session, actor=actor, filter=f)
        made = season.to_dict() if season else {"years": [], "items": []}
        return answer(
            {
                "indicator": f.indicator,
                "dataset": s.dataset.id,
                "filters": _filters(s.filter),
                **made,
                "source": service.source_of(s.dataset),
            }
        )


@router.get("/flows")
def flows(
    request: Request,
    actor: Reader,
    f: Filtered,
    months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> Response:
    """The map of flows and incidents: each route's sum over the last `months` months the
    dataset covers (with the months before and the change), the lines the map draws it along
    (latitude, longitude; none for a route without a sketch), and the deaths and disappearances
    recorded in the same months with their places ([lat, lon, value, route], the largest first)."""
    with node_of(request).db.reading() as session:
        made = service.flow_map(session, actor=actor, filter=f, months=months)
        return _drawn(f, made)


def dataset_view(d: Dataset) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "citation": d.source,
        "licence": d.licence,
        "url": d.url,
        "rows": d.rows,
        "coverage": d.coverage,
        "imported_at": d.imported_at,
        "tlp": canonical_tlp(d.tlp),
        "purpose": d.purpose,
    }


def import_view(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "dataset": run.dataset,
        "source": run.source,
        "file_name": run.file_name,
        "rows_stored": run.rows_stored,
        "rows_refused": run.rows_refused,
        "errors": run.errors,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


@router.get("/datasets", response_model=DatasetList)
def datasets(request: Request, actor: Reader) -> Response:
    with node_of(request).db.reading() as session:
        items = [dataset_view(d) for d in service.datasets(session, actor=actor)]
    return answer({"items": items})


@router.get("/imports", response_model=ImportList)
def imports(request: Request, actor: Reader) -> Response:
    with node_of(request).db.reading() as session:
        items = [import_view(r) for r in service.imports(session, actor=actor)]
    return answer({"items": items})


@router.post("/imports", status_code=201, response_model=ImportOut)
async def import_file(
    api: Api,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(max_length=40)],
    mapping: Annotated[str | None, Form(max_length=100_000)] = None,
    dataset: Annotated[str | None, Form(max_length=60)] = None,
    tlp: Annotated[str | None, Form(max_length=30)] = None,
    purpose: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    """Import a file of a named source (frontex-ibc, frontex-ibc-wide, iom-mmp, iom-mmp-2020,
    eurostat-asylum, or csv with a mapping): per-row errors in the answer; importing the same
    file again changes nothing."""
    api.actor.require("risk.import")
    parsed = None
    if mapping and mapping.strip():
        try:
            parsed = json.loads(mapping)
        except ValueError:
            raise InvalidInput("mapping: not valid JSON", field="mapping") from None
    limit = api.node.config.limits.max_import_bytes
    suffix = Path(file.filename or "upload.csv").suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as spool:
        size = 0
        while chunk := await file.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"file: over the limit of {limit // (1024 * 1024)} MiB")
            spool.write(chunk)
        spool.flush()

        def work() -> dict[str, Any]:
            with api.transaction() as session:
                run = service.import_file(
                    session,
                    actor=api.actor,
                    path=Path(spool.name),
                    source=source,
                    file_name=file.filename or "upload",
                    mapping=parsed,
                    dataset=dataset,
                    tlp=tlp,
                    purpose=purpose,
                )
                return import_view(run)

        view = await run_in_threadpool(work)
    return answer(view, status=201)
