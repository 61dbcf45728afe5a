"""Route × nationality tables and the seasonal pattern: sums checked by hand, the rest summed
as "others", the pattern of a series whose summers are known, bad parameters named, and both
on the workbench."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from corridor.node.service import Node
from corridor.risk import breakdown, trends
from corridor.risk.series import Filter, series
from tests.entities.partners import login_at
from tests.entities.test_api import bearer
from tests.risk.conftest import import_file
from tests.risk.test_pages import _detections

# Two routes, four nationalities, the last year of the dataset and one before it.
ROWS = [
    ("Central Mediterranean Route", "BGD", "2024-03", 100),
    ("Central Mediterranean Route", "BGD", "2024-11", 50),
    ("Central Mediterranean Route", "TUN", "2024-05", 70),
    ("Central Mediterranean Route", "EGY", "2024-06", 5),
    ("Eastern Mediterranean Route", "SYR", "2024-07", 90),
    ("Eastern Mediterranean Route", "AFG", "2024-12", 40),
    ("Eastern Mediterranean Route", "BGD", "2024-01", 1),
    ("Eastern Mediterranean Route", "SYR", "2023-12", 999),  # before the twelve months
]


def _crossings(tmp_path: Path) -> Path:
    lines = ["route,border_type,nationality_iso3,month,detections"]
    lines += [f"{r},sea,{n},{m},{v}" for r, n, m, v in ROWS]
    path = tmp_path / "crossings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_crosstab_sums_the_twelve_months(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    import_file(node, _crossings(tmp_path), "frontex-ibc")
    analyst, _ = bearer(node, "viewer", "viewer@a.example")
    r = client.get(
        "/api/v1/indicators/matrix",
        headers=analyst,
        params={"indicator": "illegal_border_crossings"},
    )
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["window"] == {"from": "2024-01", "to": "2024-12"}
    assert m["total"] == 356
    assert [c["key"] for c in m["columns"]] == ["BGD", "SYR", "TUN", "AFG", "EGY"]
    cells = {row["key"]: dict(zip([c["key"] for c in m["columns"]], row["cells"], strict=True))
             for row in m["rows"]}  # fmt: skip
    assert cells["Central Mediterranean Route"] == {"BGD": 150, "SYR": 0, "TUN": 70, "AFG": 0,
                                                    "EGY": 5}  # fmt: skip
    assert cells["Eastern Mediterranean Route"]["SYR"] == 90  # 2023's 999 left out
    assert [row["total"] for row in m["rows"]] == [225, 131]
    # The smallest columns summed as one.
    with node.db.reading() as session:
        small = breakdown.matrix(session, Filter("illegal_border_crossings"), top_columns=2)
    assert [c["key"] for c in small["columns"]] == ["BGD", "SYR", None]
    assert small["columns"][-1] == {"key": None, "name": None, "total": 115, "others": 3}
    assert small["rows"][0]["cells"] == [150, 0, 75]
    # Bad parameters are named.
    for params, field in (({"rows": "nationality"}, "columns"), ({"rows": "colour"}, "rows"),
                          ({"months": "0"}, "months")):  # fmt: skip
        r = client.get(
            "/api/v1/indicators/matrix",
            headers=analyst,
            params={"indicator": "illegal_border_crossings", **params},
        )
        assert r.status_code == 422, r.text
        body = r.json()
        assert field in (body.get("field") or str(body["errors"][0]["loc"])), body


def test_the_seasonal_pattern_shows_the_summers(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")  # summers (June–September) high
    with node.db.reading() as session:
        s = series(session, Filter("illegal_border_crossings"), "month")
        yearly = series(session, Filter("illegal_border_crossings"), "year")
    season = trends.seasonality(s)
    assert season is not None and season.years == [2020, 2021, 2022, 2023, 2024]
    summer, winter = season.index[6], season.index[0]
    assert summer > 1.4 > 1 > 0.8 > winter
    assert season.high[6] > summer  # 2023's surge of July
    assert abs(sum(season.index) - 12) < 1e-9  # ratios to the mean month of each year
    assert trends.seasonality(yearly) is None
    viewer, _ = bearer(node, "viewer", "viewer@a.example")
    r = client.get(
        "/api/v1/indicators/seasonality",
        headers=viewer,
        params={"indicator": "illegal_border_crossings", "route": "Central Mediterranean Route"},
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["month"] for i in items] == list(range(1, 13))
    assert items[6]["index"] == round(summer, 3)


def test_the_workbench_shows_both(node: Node, tmp_path: Path) -> None:
    import_file(node, _crossings(tmp_path), "frontex-ibc")
    import_file(node, _detections(tmp_path), "frontex-ibc")
    c, csrf = login_at(node, "viewer")
    page = c.get("/risk", params={"indicator": "illegal_border_crossings"})
    assert page.status_code == 200
    assert "Routes and nationalities" in page.text and 'class="risk-crosstab"' in page.text
    assert "Seasonal pattern" in page.text and "<svg" in page.text
    # One route chosen: its nationalities are the breakdown; no table of routes.
    one = c.get("/risk", params={"indicator": "illegal_border_crossings",
                                 "route": "Eastern Mediterranean Route"})  # fmt: skip
    assert one.status_code == 200 and 'class="risk-crosstab"' not in one.text
    # In Arabic the months are Arabic and the bars run from the right.
    c.post("/account/locale", data={"csrf_token": csrf, "locale": "ar", "time_zone": "UTC"})
    ar = c.get("/risk", params={"indicator": "illegal_border_crossings"}).text
    assert '<html lang="ar" dir="rtl">' in ar and ">يوليو<" in ar


def _incidents(tmp_path: Path) -> Path:
    lines = ["indicator,period,value,route,lat,lon"]
    lines += [
        "dead_and_missing,2024-06-02,12,Central Mediterranean,34.1,12.2",
        "dead_and_missing,2024-08-19,3,Central Mediterranean,35.4,12.5",
        "dead_and_missing,2024-09-01,1,Eastern Mediterranean,",
        "dead_and_missing,2023-01-05,40,Central Mediterranean,33.0,13.0",  # before the months
    ]
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_flow_map_draws_routes_and_places_incidents(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    import_file(node, _crossings(tmp_path), "frontex-ibc")
    import_file(node, _incidents(tmp_path), "csv", dataset="incidents")
    viewer, _ = bearer(node, "viewer", "viewer@a.example")
    r = client.get(
        "/api/v1/indicators/flows", headers=viewer, params={"indicator": "illegal_border_crossings"}
    )
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["window"] == {"from": "2024-01", "to": "2024-12"}
    assert [(x["route"], x["value"]) for x in made["routes"]] == [
        ("Central Mediterranean Route", 225),
        ("Eastern Mediterranean Route", 131),
    ]
    assert all(x["lines"] and len(x["lines"][0]) >= 2 for x in made["routes"])
    lat, lon = made["routes"][0]["lines"][0][-1]
    assert 36 < lat < 39 and 12 < lon < 16  # Central Mediterranean ends in Sicily
    incidents = made["incidents"]
    assert (incidents["total"], incidents["count"]) == (16, 3)  # 2023's left out, unplaced counted
    assert incidents["points"] == [[34.1, 12.2, 12, "Central Mediterranean"],
                                   [35.4, 12.5, 3, "Central Mediterranean"]]  # fmt: skip
    # The page draws it after loading (its data with the session).
    c, _csrf = login_at(node, "viewer")
    page = c.get("/risk", params={"indicator": "illegal_border_crossings"}).text
    assert 'id="risk-map"' in page and "/static/js/risk_map.js" in page
    data = c.get("/risk/flows.json", params={"indicator": "illegal_border_crossings"}).json()
    assert data["routes"] == made["routes"] and data["window_text"]["from"]
    assert c.get("/risk/flows.json", params={"indicator": "nope"}).status_code == 404
    bad = c.get("/risk/flows.json", params={"indicator": "illegal_border_crossings",
                                            "nationality": "Atlantis"})  # fmt: skip
    assert bad.status_code == 422 and "Atlantis" in bad.text
    one = c.get("/risk", params={"indicator": "illegal_border_crossings",
                                 "route": "Eastern Mediterranean Route"}).text  # fmt: skip
    assert 'id="risk-map"' not in one
