"""The sources of indicator figures an analyst can import (`corridor indicators import FILE
--source NAME`), each with the dataset it fills and the citation and licence that go with
every chart and report drawn from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.risk.sources import eurostat, frontex, iom, mapped
from corridor.risk.sources.common import Items


@dataclass(frozen=True)
class Source:
    name: str
    # The dataset its figures go to (both Frontex layouts fill one: same figures, same keys).
    dataset: str
    title: str
    citation: str
    licence: str
    url: str
    read: Callable[[Path, dict[str, Any] | None], Items]


_FRONTEX = dict(
    dataset="frontex-ibc",
    title="Frontex: monthly detections of illegal border crossings",
    citation="European Border and Coast Guard Agency (Frontex), Migratory Map: monthly "
    "detections of illegal border-crossing. Detections, not persons.",
    licence="Frontex: reuse with acknowledgement of the source",
    url="https://www.frontex.europa.eu/what-we-do/monitoring-and-risk-analysis/migratory-map/",
)
_IOM = dict(
    title="IOM Missing Migrants Project: dead and missing",
    citation="IOM's Missing Migrants Project",
    licence="CC BY 4.0",
    url="https://missingmigrants.iom.int/downloads",
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("frontex-ibc", read=lambda p, _m: frontex.read_long(p), **_FRONTEX),
        Source("frontex-ibc-wide", read=lambda p, _m: frontex.read_wide(p), **_FRONTEX),
        Source("iom-mmp", dataset="iom-mmp", read=lambda p, _m: iom.read(p), **_IOM),
        Source(
            "iom-mmp-2020",
            dataset="iom-mmp-2020",
            read=lambda p, _m: iom.read(p),
            **{**_IOM, "title": _IOM["title"] + " (export of January 2020)"},
        ),
        Source(
            "eurostat-asylum",
            dataset="eurostat-asylum",
            title="Eurostat: first-time asylum applications",
            citation="Eurostat, asylum applicants by citizenship, age and sex "
            "(migr_asyappctza), first-time applicants",
            licence="CC BY 4.0 (Eurostat)",
            url="https://ec.europa.eu/eurostat/databrowser/view/migr_asyappctza/default/table",
            read=lambda p, _m: eurostat.read(p),
        ),
        Source(
            "csv",
            dataset="",
            title="",
            citation="",
            licence="",
            url="",
            read=mapped.read,
        ),
    )
}
