"""Indicator figures shared as records (`risk.figures`): the node computes the sums from its
store (a client's figures are never taken), only sums per month or coarser leave, the dataset's
labels bind the record's (the flow rule along `export`), partners receive, versions recompute,
withdrawal purges; a dataset labelled for a purpose is read only by those working for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.node.service import Node
from tests.entities.partners import login_at
from tests.entities.test_api import bearer
from tests.risk.conftest import import_file
from tests.risk.test_pages import _detections

EMR = "Central Mediterranean Route"


def _share(client: TestClient, headers: dict[str, str], **given: object):  # type: ignore[no-untyped-def]
    body = {
        "title": "Central Mediterranean, monthly",
        "selection": {"indicator": "illegal_border_crossings",
                      "route": "central mediterranean route", "since": "2023-01",
                      "until": "2023-12"},
        "tlp": "GREEN",
        **given,
    }  # fmt: skip
    return client.post("/api/v1/risk/figures", headers=headers, json=body)


@pytest.fixture
def stocked(pair, tmp_path: Path):  # type: ignore[no-untyped-def]
    import_file(pair[0], _detections(tmp_path), "frontex-ibc")
    return pair


def test_figures_are_computed_shared_recomputed_and_withdrawn(stocked) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = stocked
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    hb, _ = bearer(b, "viewer", "viewer@b.example")
    # Figures are the node's own sums: a client sending some is refused by name.
    forged = _share(to_a, ha, items=[{"period": "2023-01", "value": 1}])
    assert forged.status_code == 422 and forged.json()["errors"][0]["loc"] == ["body", "items"]
    r = _share(to_a, ha, to=[b.id], selection={
        "indicator": "illegal_border_crossings", "route": "central mediterranean route",
        "since": "2023-01", "until": "2023-12", "by": "nationality"})  # fmt: skip
    assert r.status_code == 201, r.text
    shared = r.json()
    # The node's own sums, the route as the source writes it, the dataset cited.
    assert shared["selection"]["route"] == EMR
    assert shared["selection"]["dataset"] == "frontex-ibc"
    items = shared["items"]
    assert [i["period"] for i in items] == [f"2023-{m:02d}" for m in range(1, 13)]
    series = to_a.get(
        "/api/v1/indicators/series",
        headers=ha,
        params={"indicator": "illegal_border_crossings", "route": EMR},
    ).json()["items"]
    assert items == [p for p in series if p["period"].startswith("2023")]
    assert shared["source"]["licence"]
    parts = shared["breakdown"]["items"]
    assert [p["key"] for p in parts] == ["BGD", "PAK", "SYR"]
    assert shared["breakdown"]["window"] == {"from": "2023-01", "to": "2023-12"}

    delivery.push_to(a, b.id, http=to_b)
    listed = to_b.get("/api/v1/risk/figures", headers=hb).json()["items"]
    assert [(f["id"], f["origin"], f["first"], f["last"]) for f in listed] == [
        (shared["id"], a.id, "2023-01", "2023-12")
    ]
    got = to_b.get(f"/api/v1/risk/figures/{shared['id']}", headers=hb).json()
    assert got["items"] == items
    page = login_at(b, "viewer")[0].get(f"/risk/figures/{shared['id']}")
    assert page.status_code == 200 and 'id="risk-chart"' in page.text
    assert "Bangladesh" in page.text and "Central Mediterranean, monthly" in page.text

    # Only the origin changes them; a new version recomputes from the store as it is now.
    r = to_b.put(f"/api/v1/risk/figures/{shared['id']}", headers=hb, json={
        "title": "x", "selection": {"indicator": "illegal_border_crossings"}})  # fmt: skip
    assert r.status_code == 403
    r = to_a.put(
        f"/api/v1/risk/figures/{shared['id']}",
        headers=ha,
        json={"title": "Central Mediterranean, 2024", "selection": {
            "indicator": "illegal_border_crossings", "route": EMR, "period": "quarter",
            "since": "2024-Q1"}},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert [i["period"] for i in r.json()["items"]] == [f"2024-Q{q}" for q in range(1, 5)]
    assert r.json()["version"] == 2 and r.json()["labels"]["tlp"] == "GREEN"
    delivery.push_to(a, b.id, http=to_b)
    assert to_b.get(f"/api/v1/risk/figures/{shared['id']}", headers=hb).json()["version"] == 2
    to_a.post(f"/api/v1/risk/figures/{shared['id']}/withdraw", headers=ha, json={"reason": "old"})
    delivery.push_to(a, b.id, http=to_b)
    assert to_b.get("/api/v1/risk/figures", headers=hb).json()["items"] == []


def test_the_dataset_labels_bind_the_figures(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc", tlp="amber", purpose="risk-analysis")
    analyst, _ = bearer(node, "analyst", "analyst@a.example")
    r = _share(client, analyst)  # GREEN from an AMBER dataset
    assert r.status_code == 422 and r.json()["field"] == "tlp", r.text
    assert "AMBER" in r.json()["detail"]
    r = _share(client, analyst, purpose="cooperation", tlp="AMBER")
    assert r.status_code == 422 and r.json()["field"] == "purpose", r.text
    r = _share(client, analyst, tlp="AMBER")
    assert r.status_code == 201, r.text
    assert r.json()["labels"]["tlp"] == "AMBER"
    datasets = client.get("/api/v1/indicators/datasets", headers=analyst).json()["items"]
    assert [(d["tlp"], d["purpose"]) for d in datasets] == [("AMBER", "risk-analysis")]


def test_a_dataset_for_enforcement_is_not_there_for_the_viewer(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc", purpose="enforcement")
    analyst, _ = bearer(node, "analyst", "analyst@a.example")
    viewer, _ = bearer(node, "viewer", "viewer@a.example")
    query = {"indicator": "illegal_border_crossings", "route": EMR}
    assert client.get("/api/v1/indicators/series", headers=analyst, params=query).status_code == 200
    r = client.get("/api/v1/indicators/series", headers=viewer, params=query)
    assert r.status_code == 404, r.text
    assert client.get("/api/v1/indicators/datasets", headers=viewer).json()["items"] == []
    assert client.get("/api/v1/indicators/imports", headers=viewer).json()["items"] == []
    # An analyst labels a dataset only for a purpose they work for.
    r = client.post(
        "/api/v1/indicators/imports",
        headers=analyst,
        files={"file": ("d.csv", _detections(tmp_path).read_bytes(), "text/csv")},
        data={"source": "frontex-ibc", "dataset": "other", "purpose": "protection"},
    )
    assert r.status_code == 422 and r.json()["field"] == "purpose", r.text
    assert client.get("/api/v1/indicators/datasets", headers=analyst).json()["items"][0]["id"] == (
        "frontex-ibc"
    )
    # Figures of it may only be for enforcement.
    assert _share(client, analyst, tlp="AMBER").json()["field"] == "purpose"
    r = _share(client, analyst, tlp="AMBER", purpose="enforcement")
    assert r.status_code == 201, r.text
    assert client.get("/api/v1/risk/figures", headers=viewer).json()["items"] == []


@pytest.mark.parametrize(
    ("selection", "field"),
    [
        ({"indicator": "illegal_border_crossings", "period": "day"}, "selection.period"),
        ({"indicator": "illegal_border_crossings", "since": "2023"}, "selection"),
        ({"indicator": "illegal_border_crossings", "since": "2024-01", "until": "2023-01"},
         "selection"),
        ({"indicator": "illegal_border_crossings", "nationality": "Atlantis"},
         "selection.nationality"),
        ({"indicator": "illegal_border_crossings", "dataset": "nope"}, "selection.dataset"),
        ({"indicator": "illegal_border_crossings", "since": "2031-01"}, "selection.since"),
        ({"indicator": "no_such_indicator"}, "selection.indicator"),
    ],
)  # fmt: skip
def test_a_bad_selection_is_refused_by_name(
    node: Node, client: TestClient, tmp_path: Path, selection: dict[str, str], field: str
) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")
    analyst, _ = bearer(node, "analyst", "analyst@a.example")
    r = _share(client, analyst, selection=selection)
    assert r.status_code == 422, r.text
    problem = r.json()
    named = problem.get("field") or ".".join(map(str, problem["errors"][0]["loc"][1:]))
    assert named.startswith(field), problem
    viewer, _ = bearer(node, "viewer", "viewer@a.example")
    assert _share(client, viewer).status_code == 403
    assert client.get("/api/v1/risk/figures", headers=analyst).json()["items"] == []


def test_the_workbench_offers_its_selection_and_the_form_keeps_what_was_typed(
    node: Node, tmp_path: Path
) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")
    c, csrf = login_at(node, "analyst")
    page = c.get("/risk", params={"indicator": "illegal_border_crossings", "route": EMR})
    assert "/risk/figures/new?" in page.text
    link = page.text.split('href="/risk/figures/new?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    form = c.get(f"/risk/figures/new?{link}")
    assert form.status_code == 200
    assert f'value="{EMR}"' in form.text and "Illegal border crossings" in form.text
    fields = {"csrf_token": csrf, "title": "Mine", "indicator": "illegal_border_crossings",
              "route": EMR, "period": "month", "since": "2023-13", "tlp": "CLEAR",
              "purpose": "risk-analysis"}  # fmt: skip
    r = c.post("/risk/figures/new", data=fields)
    assert r.status_code == 422 and 'value="2023-13"' in r.text and "From" in r.text
    r = c.post("/risk/figures/new", data={**fields, "since": "2023-06", "by": "nationality"},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    shown = c.get(r.headers["location"])
    assert shown.status_code == 200 and "Pakistan" in shown.text
    assert "Mine" in c.get("/risk/figures").text
    viewer = login_at(node, "viewer")[0]
    assert "/risk/figures/new" not in viewer.get("/risk", params={"route": EMR}).text
    assert viewer.get("/risk/figures/new").status_code == 403


def test_a_breakdown_of_many_parts_sums_the_rest(
    node: Node, client: TestClient, tmp_path: Path
) -> None:
    codes = ["AFG", "BGD", "EGY", "ERI", "IRQ", "MAR", "PAK", "SDN", "SYR", "TUN", "TUR", "YEM"]
    rows = ["route,border_type,nationality_iso3,month,detections"]
    rows += [f"{EMR},sea,{c},2024-0{1 + i % 9},{100 - i}" for i, c in enumerate(codes)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(node, path, "frontex-ibc")
    analyst, _ = bearer(node, "analyst", "analyst@a.example")
    r = _share(client, analyst, selection={"indicator": "illegal_border_crossings",
                                           "by": "nationality"})  # fmt: skip
    assert r.status_code == 201, r.text
    parts = r.json()["breakdown"]["items"]
    assert len(parts) == 11 and parts[-1]["others"] == 2 and parts[-1].get("key") is None
    assert parts[-1]["value"] == 90 + 89
    page = login_at(node, "analyst")[0].get(f"/risk/figures/{r.json()['id']}")
    assert page.status_code == 200 and "2 others" in page.text
