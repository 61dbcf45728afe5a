"""The monthly risk analysis: the page, the analyst's narrative, the PDF made on the server."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.node.service import Node
from corridor.risk.reports import pdf
from tests.entities.partners import login_at
from tests.risk.conftest import import_file
from tests.risk.test_pages import _detections


def _incidents(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "indicator,period,value,route,lat,lon\n"
        "dead_and_missing,2024-12-03,41,Central Mediterranean Route,35.1,12.4\n"
        "dead_and_missing,2024-12-19,6,Central Mediterranean Route,34.2,11.9\n"
        "dead_and_missing,2024-11-02,3,Eastern Mediterranean Route,36.8,27.1\n",
        encoding="utf-8",
    )
    return path


def test_the_monthly_report_with_its_narrative_and_pdf(node: Node, tmp_path: Path) -> None:
    import_file(node, _detections(tmp_path), "frontex-ibc")
    import_file(node, _incidents(tmp_path), "csv", dataset="incidents")
    c, csrf = login_at(node, "analyst")
    r = c.get("/risk/report")
    assert r.status_code == 200, r.text[-2000:]
    assert "Monthly risk analysis" in r.text and "Dec 2024" in r.text
    assert "Central Mediterranean Route" in r.text and "<polyline" in r.text
    assert "Dead and missing in the month" in r.text and "corridor-map" in r.text
    assert "Frontex" in r.text  # the source and its licence in the footer
    narrative = "Departures from Libya fell after the storms; watch Zuwara."
    r = c.post(
        "/risk/report/notes",
        data={
            "csrf_token": csrf,
            "indicator": "illegal_border_crossings",
            "dataset": "frontex-ibc",
            "month": "2024-12",
            "summary": narrative,
            "outlook": "A rise is likely in spring.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert narrative in page.text and "A rise is likely in spring." in page.text
    r = c.get("/risk/report.pdf?month=2024-12")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and len(r.content) > 10_000
    # An earlier month of the data; a month outside it is refused, naming the field.
    assert "Jul 2023" in c.get("/risk/report?month=2023-07").text
    r = c.get("/risk/report?month=2031-01")
    assert r.status_code == 422 and "month" in r.text
    # A viewer reads the report (the narrative too) but writes no narrative.
    v, v_csrf = login_at(node, "viewer")
    r = v.get("/risk/report?month=2024-12")
    assert r.status_code == 200 and 'action="/risk/report/notes"' not in r.text
    assert narrative in r.text
    r = v.post(
        "/risk/report/notes",
        data={"csrf_token": v_csrf, "indicator": "illegal_border_crossings",
              "dataset": "frontex-ibc", "month": "2024-12", "summary": "x"},
    )  # fmt: skip
    assert r.status_code == 403


def test_the_pdf_loads_only_the_package_files() -> None:
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/risk.css">'
        '<link rel="stylesheet" href="https://example.org/evil.css"></head>'
        '<body><img src="/static/../../../etc/passwd"><p>ok</p></body></html>'
    )
    document = pdf.render(html)
    assert document.startswith(b"%PDF")
    for bad in ("https://example.org/evil.css", pdf.BASE + "static/../../../etc/passwd"):
        try:
            pdf._fetch(bad)
        except ValueError as exc:
            assert re.search("static", str(exc))
        else:  # pragma: no cover
            raise AssertionError(f"{bad} was fetched")
