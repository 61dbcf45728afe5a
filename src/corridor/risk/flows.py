"""Maps of flows and incidents: each route's sum over a window drawn along the route, and the
deaths and disappearances recorded in the same window at the places the source gives.

The routes are Frontex's: their lines below are sketches of where the crossings of each route
happen (from the departure coasts and borders to the EU's external border), for a map at the
scale of the Mediterranean, not itineraries. A route without a sketch is listed, not drawn."""

from __future__ import annotations

from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from corridor.errors import NotFound
from corridor.risk import breakdown
from corridor.risk.models import IndicatorRow, Rollup
from corridor.risk.series import Filter, choose_dataset, number

# Route (as Frontex writes it, case-folded) -> lines of (latitude, longitude).
ROUTE_LINES: dict[str, list[list[tuple[float, float]]]] = {
    "eastern mediterranean route": [
        [(41.01, 28.98), (38.42, 27.14), (39.10, 26.55), (37.98, 23.73)],
        [(41.68, 26.56), (41.12, 25.40)],  # Edirne to the Evros
    ],
    "central mediterranean route": [
        [(32.89, 13.19), (35.50, 12.60), (37.50, 14.30)],  # Tripolitania, Lampedusa, Sicily
        [(34.74, 10.76), (35.50, 12.60)],  # Sfax
    ],
    "western mediterranean route": [
        [(35.70, -0.63), (36.84, -2.46)],  # Oran to Almería
        [(35.77, -5.80), (36.01, -5.60)],  # Tangier to Tarifa
    ],
    "western african route": [[(14.69, -17.44), (20.93, -17.04), (23.70, -15.93), (27.96, -15.58)]],
    "western balkan route": [[(40.64, 22.94), (41.99, 21.43), (44.79, 20.45), (46.25, 20.15)]],
    "eastern borders route": [
        [(53.90, 27.56), (53.13, 23.60)],  # Belarus to Podlasie
        [(53.90, 27.56), (54.63, 25.28)],  # Belarus to Lithuania
        [(50.45, 30.52), (50.05, 23.95)],  # Ukraine to Poland
    ],
    "black sea route": [[(41.28, 31.42), (44.17, 28.64)]],
    "circular route from albania to greece": [[(41.33, 19.82), (39.91, 20.35), (39.66, 20.85)]],
}
# The incidents a map shows at most (the largest first): IOM records a few thousand a year.
MAX_INCIDENTS = 5_000
_t = IndicatorRow.__table__.c
_r = Rollup.__table__.c


def lines_of(route: str | None) -> list[list[tuple[float, float]]]:
    return ROUTE_LINES.get((route or "").casefold(), [])


def flow_map(session: Session, f: Filter, *, months: int = 12) -> dict[str, Any]:
    """The routes of the selection over the last `months` months its dataset covers (with the
    change on the months before) and the incidents of the same months."""
    made = breakdown.breakdown(session, f, by="route", months=months, top=100)
    routes = [
        {
            "route": item["key"],
            "value": item["value"],
            "previous": item["previous"],
            "change": item["change"],
            "lines": lines_of(item["key"]),
        }
        for item in made["items"]
        if item.get("key") is not None and not item.get("others")
    ]
    return {
        "dataset": made["dataset"],
        "window": made["window"],
        "routes": routes,
        "incidents": incidents(session, made["window"], purposes=f.purposes),
    }


def incidents(
    session: Session, window: dict[str, str], *, purposes: frozenset[str] | None
) -> dict[str, Any] | None:
    """Deaths and disappearances with a place, recorded in the window (months "YYYY-MM"), from
    the fullest dataset of them this reader may read; None without one."""
    try:
        ds = choose_dataset(session, Filter("dead_and_missing", purposes=purposes))
    except NotFound:
        return None
    first, last = window["from"], window["to"]
    start = int(first[:4]) * 12 + int(first[5:7]) - 1
    end = int(last[:4]) * 12 + int(last[5:7]) - 1

    def within(c: Any) -> tuple[Any, ...]:
        index = c.year * 12 + func.coalesce(c.month, 1) - 1
        # The years bound the index's range; the months inside them are filtered after.
        years = (c.year >= start // 12, c.year <= end // 12)
        return (c.dataset == ds.id, c.indicator == "dead_and_missing", *years,
                index >= start, index <= end)  # fmt: skip

    # The sums from the rollup (its `figures` counts the incidents); the places from the
    # figures that have one (a partial index holds only those).
    total, count = session.execute(
        select(func.sum(_r.value), func.sum(_r.figures)).where(*within(_r))
    ).one()
    placed = session.execute(
        select(_t.lat, _t.lon, _t.value, _t.route)
        .where(*within(_t), _t.aggregate.is_(False), _t.lat.is_not(None), _t.lon.is_not(None))
        .order_by(desc(_t.value))
        .limit(MAX_INCIDENTS)
    ).all()
    return {
        "dataset": ds.id,
        "title": ds.title,
        "licence": ds.licence,
        "total": number(total or 0),
        "count": int(count or 0),
        "points": [
            [round(lat, 4), round(lon, 4), number(value), route]
            for lat, lon, value, route in placed
        ],
    }
