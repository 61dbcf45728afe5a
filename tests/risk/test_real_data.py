"""The quality checks of the risk workbench on the real published data (../shared/data):
totals equal the sources', the anomaly detector flags the surges analysts know, forecasts beat
the seasonal naive forecast in the back-test, and importing again changes nothing."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from corridor.node.service import Node
from corridor.risk import service
from corridor.risk.models import Dataset
from corridor.risk.series import Filter
from corridor.risk.sources.common import code_name
from corridor.web.app import create_app
from tests.risk.conftest import ANALYST, FILES, import_file

pytestmark = pytest.mark.xdist_group("risk-real")


def _frontex_totals() -> Counter[tuple[str, str]]:
    totals: Counter[tuple[str, str]] = Counter()
    with FILES["frontex-ibc"].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            totals[row["route"], row["month"][:4]] += int(row["detections"])
    return totals


def _series(node: Node, period: str = "year", **filters: str) -> dict[str, float]:
    with node.db.reading() as session:
        s = service.series(session, actor=ANALYST, filter=Filter.parse(**filters), period=period)
        return {p: v for p, v in s.points}


def test_frontex_totals_per_route_and_year_equal_the_source(loaded: Node) -> None:
    totals = _frontex_totals()
    routes = {route for route, _ in totals}
    assert len(routes) == 9
    for route in routes:
        got = _series(loaded, indicator="illegal_border_crossings", route=route)
        expected = {year: n for (r, year), n in totals.items() if r == route}
        assert {y: v for y, v in got.items() if v} == expected, route
    everything = _series(loaded, indicator="illegal_border_crossings")
    assert sum(everything.values()) == 4_966_869
    assert everything["2015"] == sum(n for (_, y), n in totals.items() if y == "2015")


def test_iom_and_eurostat_totals_equal_the_source(loaded: Node) -> None:
    dead: Counter[str] = Counter()
    with FILES["iom-mmp"].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            dead[row["date"][:4]] += float(row["dead_and_missing"] or 0)
    got = _series(loaded, indicator="dead_and_missing")
    assert got == pytest.approx(dict(dead))
    asylum: Counter[str] = Counter()
    eu27: Counter[str] = Counter()
    with FILES["eurostat-asylum"].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            (eu27 if row["destination_iso3"] == "EU27" else asylum)[row["year"]] += int(
                row["applications"]
            )
    # The EU27 rows are totals of the member states: left out of a sum, used when named.
    assert _series(loaded, indicator="asylum_applications") == dict(asylum)
    assert _series(loaded, indicator="asylum_applications", country="EU27") == dict(eu27)
    # A nationality by alpha-2 code, alpha-3 code or English name.
    by_code = _series(loaded, indicator="asylum_applications", nationality="AF")
    assert by_code == _series(loaded, indicator="asylum_applications", nationality="Afghanistan")
    assert by_code == _series(loaded, indicator="asylum_applications", nationality="afg")


def test_series_api_answers_as_the_issue_names_it(loaded: Node) -> None:
    with TestClient(create_app(loaded), base_url="http://127.0.0.1:8080") as client:
        from tests.risk.test_api import login_headers

        headers = login_headers(loaded, client, "viewer")
        r = client.get(
            "/api/v1/indicators/series",
            params={
                "indicator": "illegal_border_crossings",
                "route": "Eastern Mediterranean Route",
                "period": "year",
            },
            headers=headers,
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert {"period": "2015", "value": 885386} in body["items"]
        assert body["dataset"] == "frontex-ibc"
        assert "Frontex" in body["source"]["citation"]
        r = client.get(
            "/api/v1/indicators/anomalies",
            params={
                "indicator": "illegal_border_crossings",
                "route": "Eastern Mediterranean Route",
            },
            headers=headers,
        )
        assert r.status_code == 200, r.text
        surges = [a for a in r.json()["items"] if a["period"].startswith("2015") and a["score"] > 0]
        assert surges and all(a["value"] > a["expected"] for a in surges)
        assert set(surges[0]) == {"period", "value", "expected", "score"}


@pytest.mark.parametrize(
    ("route", "year"),
    [
        ("Eastern Mediterranean Route", "2015"),
        ("Western Balkan Route", "2015"),
        ("Central Mediterranean Route", "2023"),
    ],
)
def test_anomalies_flag_the_surges_analysts_know(loaded: Node, route: str, year: str) -> None:
    with loaded.db.reading() as session:
        _, found = service.anomalies(
            session,
            actor=ANALYST,
            filter=Filter.parse(indicator="illegal_border_crossings", route=route),
        )
    surges = [a.period for a in found if a.period.startswith(year) and a.score > 0]
    assert len(surges) >= 3, (route, [a.to_dict() for a in found])
    # Not everything is flagged: three months in four are not, either way.
    assert len(found) < 196 / 4


def test_forecasts_beat_the_seasonal_naive_forecast_in_the_back_test(loaded: Node) -> None:
    routes = [
        "Eastern Mediterranean Route",
        "Central Mediterranean Route",
        "Western Mediterranean Route",
        "Western Balkan Route",
    ]
    with loaded.db.reading() as session:
        for route in routes:
            _, made = service.forecast(
                session,
                actor=ANALYST,
                filter=Filter.parse(indicator="illegal_border_crossings", route=route),
            )
            test = made.backtest
            assert test["origins"] == 36 and test["horizon"] == 6
            assert test["mase"] < test["mase_seasonal_naive"], (route, test)
            for _, value, lower, upper in made.points:
                assert lower <= value <= upper


def test_one_series_one_dataset(loaded: Node) -> None:
    # IOM's two exports overlap (2014-2020): the dataset with more figures is the default,
    # the other is asked for by name, never both added up.
    main = _series(loaded, indicator="dead_and_missing")
    old = _series(loaded, indicator="dead_and_missing", dataset="iom-mmp-2020")
    assert set(old) <= {str(y) for y in range(2014, 2021)}
    assert main["2016"] != old["2016"] + main["2016"]
    with loaded.db.reading() as session:
        dataset = session.get(Dataset, "iom-mmp")
        assert dataset is not None and dataset.licence == "CC BY 4.0"
        assert dataset.coverage["dead_and_missing"]["finest"] == "day"


def _wide_workbook(path: Path) -> None:
    """Frontex's own layout, made from the long table: a title row, the header on row 2, a
    column per month (JAN2009 …), nationalities as English names."""
    cells: dict[tuple[str, str, str], dict[str, int]] = {}
    months: set[str] = set()
    with FILES["frontex-ibc"].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (
                row["route"],
                row["border_type"].capitalize(),
                code_name(row["nationality_iso3"]),
            )
            cells.setdefault(key, {})[row["month"]] = int(row["detections"])
            months.add(row["month"])
    order = sorted(months)
    names = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Detections_of_IBC")
    sheet.append(["Monthly detections of illegal border-crossings, by route and nationality"])
    sheet.append(
        ["Route", "Border type or inland", "Nationality"]
        + [names[int(m[5:]) - 1] + m[:4] for m in order]
    )
    for (route, border, nationality), values in sorted(cells.items()):
        sheet.append([route, border, nationality] + [values.get(m, 0) for m in order])
    book.save(path)


def test_the_wide_workbook_gives_the_same_figures_and_importing_again_changes_nothing(
    loaded: Node, tmp_path: Path
) -> None:
    before = _series(
        loaded, "month", indicator="illegal_border_crossings", route="Western Balkan Route"
    )
    with loaded.db.reading() as session:
        rows = session.get(Dataset, "frontex-ibc").rows  # type: ignore[union-attr]
    assert rows == 34_273
    wide = tmp_path / "Monthly_detections_of_IBC.xlsx"
    _wide_workbook(wide)
    run = import_file(loaded, wide, "frontex-ibc-wide")
    assert run.rows_refused == 0, run.errors  # type: ignore[attr-defined]
    assert run.rows_stored == 34_273  # type: ignore[attr-defined]
    run = import_file(loaded, FILES["frontex-ibc"], "frontex-ibc")
    with loaded.db.reading() as session:
        assert session.get(Dataset, "frontex-ibc").rows == 34_273  # type: ignore[union-attr]
    after = _series(
        loaded, "month", indicator="illegal_border_crossings", route="Western Balkan Route"
    )
    assert after == before


def test_the_crosstab_the_map_and_the_seasons_agree_with_the_series(loaded: Node) -> None:
    """On the Frontex and IOM data: the routes × nationalities table and the map's routes sum
    to each route's series over the same months; the map's incidents to IOM's series; the
    Central Mediterranean crossings peak in summer and ebb in winter."""
    f = Filter("illegal_border_crossings", "frontex-ibc")
    with loaded.db.reading() as session:
        table = service.matrix(session, actor=ANALYST, filter=f)
        flows = service.flow_map(session, actor=ANALYST, filter=f)
        window = table["window"]
        assert flows["window"] == window
        months = [p for p, _v in service.series(session, actor=ANALYST, filter=f).points
                  if window["from"] <= p <= window["to"]]  # fmt: skip
        assert len(months) == 12
        by_route = {}
        for route in [r["route"] for r in flows["routes"]]:
            s = service.series(session, actor=ANALYST, filter=Filter(f.indicator, f.dataset, route))
            by_route[route] = sum(v for p, v in s.points if p in months)
        assert {r["route"]: r["value"] for r in flows["routes"]} == by_route
        assert all(r["lines"] for r in flows["routes"] if r["route"] != "Other")
        rows = {r["key"]: r["total"] for r in table["rows"] if not r.get("others")}
        assert rows == {k: v for k, v in by_route.items() if k in rows}
        assert (
            sum(sum(r["cells"]) for r in table["rows"]) == table["total"] == sum(by_route.values())
        )
        dead = service.series(session, actor=ANALYST, filter=Filter("dead_and_missing"))
        assert flows["incidents"]["total"] == sum(v for p, v in dead.points if p in months)
        assert flows["incidents"]["points"]  # IOM places its incidents
        _s, season = service.seasonality(
            session,
            actor=ANALYST,
            filter=Filter(f.indicator, f.dataset, "Central Mediterranean Route"),
        )
    assert season is not None and len(season.years) == 5
    summer, winter = season.index[6:9], season.index[0:2]
    assert min(summer) > 1 > max(winter), season
