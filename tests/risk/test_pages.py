"""/risk: the workbench page, its forecast fragment, its CSV and its import form."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.node.service import Node
from corridor.risk.models import Dataset
from tests.entities.partners import login_at
from tests.risk.conftest import import_file


def _detections(tmp_path: Path) -> Path:
    """Six years of one route: a summer high every year, a surge in the summer of 2023."""
    rows = ["route,border_type,nationality_iso3,month,detections"]
    for year in range(2019, 2025):
        for month in range(1, 13):
            base = 800 + 700 * (month in (6, 7, 8, 9)) + 60 * (year - 2019)
            surge = 4 if (year, month) in ((2023, 7), (2023, 8)) else 1
            for nat, share in (("BGD", 0.5), ("PAK", 0.3), ("SYR", 0.2)):
                rows.append(f"Central Mediterranean Route,sea,{nat},{year}-{month:02d},"
                            f"{int(base * share * surge)}")  # fmt: skip
    path = tmp_path / "detections.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_workbench_shows_a_selection(node: Node, tmp_path: Path) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")
    c, _csrf = login_at(node, "viewer")
    query = "indicator=illegal_border_crossings&route=central+mediterranean+route&nationality=PK"
    r = c.get(f"/risk?{query}")
    assert r.status_code == 200, r.text
    assert "Central Mediterranean Route" in r.text and "Pakistan" in r.text
    chart = re.search(r"data-chart='([^']+)'", r.text)
    assert chart and '"anomalies"' in chart.group(1)
    # The 2023 surge is listed, in the reader's month names.
    assert "Jul 2023" in r.text and "surge" in r.text
    assert 'hx-get="/risk/forecast?' in r.text
    assert "Frontex" in r.text and "Licence" in r.text
    # The route's nationalities open the route narrowed to each (drill-down).
    route = c.get("/risk?indicator=illegal_border_crossings&route=Central+Mediterranean+Route")
    drill = re.search(r'href="(/risk\?[^"]*nationality=BGD)"', route.text)
    assert drill, route.text
    narrowed = c.get(drill.group(1).replace("&amp;", "&"))
    assert narrowed.status_code == 200 and "Bangladesh" in narrowed.text
    assert '<option value="BGD" selected' in narrowed.text
    # A viewer reads; only an analyst imports.
    assert 'action="/risk/imports"' not in r.text
    r = c.get(f"/risk/forecast?{query}")
    assert r.status_code == 200 and "data-forecast=" in r.text and "Back-test" in r.text
    r = c.get(f"/risk/series.csv?{query}&period=year")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0].startswith("indicator,dataset,route,nationality,country,period,value")
    assert lines[1].startswith(
        "illegal_border_crossings,frontex-ibc,Central Mediterranean Route,PAK,,2019,"
    )
    assert len(lines) == 7


def test_a_bad_selection_is_told_on_the_page(node: Node, tmp_path: Path) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")
    c, _csrf = login_at(node, "analyst")
    r = c.get("/risk?indicator=illegal_border_crossings&nationality=Atlantis")
    assert r.status_code == 422 and "Atlantis" in r.text
    r = c.get("/risk?indicator=returns")
    assert r.status_code == 404 and "import" in r.text


def test_roles_without_risk_analysis_are_refused(node: Node) -> None:
    c, _csrf = login_at(node, "liaison_officer")
    assert c.get("/risk").status_code == 403
    assert c.get("/risk/series.csv?indicator=returns").status_code == 403


def test_an_analyst_imports_on_the_page(node: Node, tmp_path: Path) -> None:
    c, csrf = login_at(node, "analyst")
    r = c.get("/risk")
    assert r.status_code == 200 and "No indicators on this node yet" in r.text
    mapping = '{"indicator": "refusals_of_entry", "period": "Month", "value": "Count"}'
    r = c.post(
        "/risk/imports",
        data={"csrf_token": csrf, "source": "csv", "mapping": mapping, "dataset": "fia"},
        files={"file": ("refusals.csv", b"Month,Count\n2024-01,5\n", "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = c.get("/risk")
    assert "1 figure stored, 0 rows refused (dataset fia)" in r.text
    assert "Refusals of entry" in r.text
    # A mistake keeps what was typed and says which field.
    bad = '{"indicator": "x_y", "period": "When", "value": "Count"}'
    r = c.post(
        "/risk/imports",
        data={"csrf_token": csrf, "source": "csv", "mapping": bad, "dataset": "fia"},
        files={"file": ("refusals.csv", b"Month,Count\n2024-01,5\n", "text/csv")},
    )
    assert r.status_code == 422
    assert "When" in r.text and "x_y" in r.text  # the message and the mapping as typed
    # Labels chosen on the form; a purpose the analyst does not work for is refused by name.
    labelled = {"csrf_token": csrf, "source": "csv", "mapping": mapping, "dataset": "fia",
                "tlp": "AMBER", "purpose": "protection"}  # fmt: skip
    one = {"file": ("refusals.csv", b"Month,Count\n2024-01,5\n", "text/csv")}
    r = c.post("/risk/imports", data=labelled, files=one)
    assert r.status_code == 422 and "Purpose" in r.text
    assert '<option value="AMBER" selected>' in r.text
    r = c.post("/risk/imports", data={**labelled, "purpose": "enforcement"}, files=one,
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    with node.db.reading() as session:
        ds = session.get(Dataset, "fia")
        assert ds is not None and (ds.tlp, ds.purpose) == ("AMBER", "enforcement")
    r = c.post(
        "/risk/imports",
        data={"source": "csv"},
        files={"file": ("refusals.csv", b"Month,Count\n", "text/csv")},
    )
    assert r.status_code == 403  # no CSRF token
