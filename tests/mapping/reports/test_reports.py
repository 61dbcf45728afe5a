"""One-click reports (/reports, /reports/view): the network, a country and a route, with the
static map, the challenges by theme, commitment progress and the sources; what the user may
not see stays out; bad scopes answer 400/404 pages; every report is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.mapping.reports import service as reports
from corridor.mapping.reports.service import SEVERITY_COLOURS, InvalidScope, parse_scope
from tests.mapping.conftest import EASTERN_ROUTE, challenge
from tests.web.conftest import web_login

AUTHOR = "author@test.example"
READER = "reader@test.example"


def _day(days: int) -> str:
    return (clock.now().date() + timedelta(days=days)).isoformat()


@pytest.fixture
def world(client, token_for, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A route, challenges in and off it, a TLP:RED challenge for someone else, and a
    commitment with this node's (PK) action that has an overdue milestone."""
    author = token_for("analyst", scopes=("read", "write"), email=AUTHOR)
    make_user("viewer", email=READER)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(path, headers=author, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    route = post("/api/v1/routes", {**EASTERN_ROUTE, "tlp": "GREEN"})
    on_route = post(
        "/api/v1/challenges",
        challenge(
            title="Forged visas on the Quetta leg",
            routes=[{"route": route["id"], "legs": [0]}],
            locations=[
                {"name": "Taftan", "geometry": {"type": "Point", "coordinates": [61.6, 28.96]}}
            ],
            evidence=[{"kind": "link", "title": "Seizures", "url": "https://example.org/s/1"}],
            review_date=_day(-10),
            identified=_day(-100),
        ),
    )
    in_turkey = post(
        "/api/v1/challenges",
        challenge(
            title="Night crossings into Van",
            theme="border_vulnerabilities",
            countries=["TR"],
            severity="critical",
            tlp="AMBER",
        ),
    )
    in_italy = post(
        "/api/v1/challenges",
        challenge(title="Departures to Lampedusa", countries=["IT"], theme="capacity"),
    )
    red = post(
        "/api/v1/challenges",
        challenge(
            title="Informant reports on a Quetta forger",
            countries=["PK"],
            severity="critical",
            tlp="RED",
            recipients=["user:u-someone"],
        ),
    )
    commitment = post(
        "/api/v1/commitments",
        {
            "title": "Detect fraudulent documents",
            "theme": "fraudulent_documents",
            "text": "Members train first-line officers.",
            "adopted": _day(-200),
            "tlp": "GREEN",
        },
    )
    post(f"/api/v1/commitments/{commitment['id']}/endorse", {})
    action = post(
        f"/api/v1/commitments/{commitment['id']}/actions",
        {
            "title": "Document desks at Taftan",
            "owner": "FIA",
            "milestones": [
                {"id": "desks", "title": "Desks equipped", "due": _day(-30)},
                {"id": "training", "title": "Officers trained", "due": _day(60)},
            ],
            "indicators": [{"id": "trained", "name": "Officers", "baseline": 0, "target": 100}],
        },
    )
    return {
        "route": route,
        "on_route": on_route,
        "in_turkey": in_turkey,
        "in_italy": in_italy,
        "red": red,
        "commitment": commitment,
        "action": action,
    }


def _fill(html: str, cc: str) -> str | None:
    m = re.search(rf'<path d="[^"]*" class="country" data-cc="{cc}"(?: fill="([^"]+)")?', html)
    assert m, f"{cc} is not drawn on the map"
    return m.group(1)


def _countries_drawn(html: str) -> int:
    return len(re.findall(r'<path d="[^"]*" class="country"', html))


def _sources(html: str) -> list[str]:
    table = html.split('class="report-sources"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<code class="record-id">([^<]+)</code>', table)


def test_choosing_a_report_needs_a_login_and_offers_countries_and_routes(client, world) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/reports", follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]
    r = client.get("/reports/view?scope=network", follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]
    web_login(client, READER)
    page = client.get("/reports")
    assert page.status_code == 200
    assert 'href="/reports" aria-current="page"' in page.text  # the navigation entry
    for cc, name in (("PK", "Pakistan"), ("TR", "Türkiye"), ("IT", "Italy"), ("IR", "Iran")):
        assert f'<option value="{cc}">' in page.text and name in page.text
    assert f'<option value="{world["route"]["id"]}">' in page.text
    assert 'action="/reports/view"' in page.text
    assert "/static/js/report.js" in page.text


def test_network_report(client, world, node) -> None:  # type: ignore[no-untyped-def]
    web_login(client, READER)
    r = client.get("/reports/view?scope=network")
    assert r.status_code == 200, r.text
    html = r.text
    assert "<h1>Network report</h1>" in html
    # The whole world, with Antarctica left out: nearly every country of the atlas.
    assert _countries_drawn(html) > 200
    assert _fill(html, "PK") == SEVERITY_COLOURS["high"]
    assert _fill(html, "TR") == SEVERITY_COLOURS["critical"]
    assert _fill(html, "FR") is None  # no challenge: plain land
    assert html.count('<polyline class="route"') == len(EASTERN_ROUTE["legs"])
    assert "Boundaries and names shown do not imply official endorsement" in html
    # Challenges by theme, the four thematic areas first, each row with its facts.
    themes = re.findall(r'<h3 class="report-theme">([^<]+)<', html)
    assert [t.strip() for t in themes[:4]] == [
        "Fraudulent documentation",
        "Digitally enabled smuggling",
        "Border vulnerabilities",
        "Victim-centred protection",
    ]
    assert "Capacity and resources" in themes[4]
    for c in ("on_route", "in_turkey", "in_italy"):
        assert f'data-id="{world[c]["id"]}"' in html
    row = html.split(f'data-id="{world["on_route"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Forged visas on the Quetta leg" in row and "Test node (PK)" in row
    assert "overdue" in row  # its review date has passed
    other = html.split(f'data-id="{world["in_turkey"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "overdue" not in other  # no review date
    assert re.search(r'<td class="num">1</td>\s*$', row)  # one piece of evidence
    # The summary table and the chart's data (the same numbers).
    summary = html.split('class="report-summary"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<tfoot>.*<strong>3</strong>", summary, re.S)
    assert 'class="report-chart" data-chart="' in html
    # Commitments: the dashboard with the member's progress and the overdue milestone.
    section = html.split('id="report-commitments"', 1)[1].split('id="report-sources"', 1)[0]
    assert "Detect fraudulent documents" in section
    assert "Desks equipped" in section and 'class="overdue"' in section
    # Sources: every record the report used, with versions and its labels note.
    ids = _sources(html)
    for key in ("on_route", "in_turkey", "in_italy", "route", "commitment", "action"):
        assert world[key]["id"] in ids, key
    assert len(ids) == 7  # + the endorsement
    assert "Contains records up to TLP:AMBER; handle accordingly." in html
    # CSP: no inline script or style in the report.
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    assert re.findall(r'<script src="([^"]+)"', html)[-2:] == [
        "/static/vendor/echarts-6.1.0/echarts.min.js",
        "/static/js/report.js?v=" + html.split("/static/js/report.js?v=", 1)[1].split('"')[0],
    ]


def test_country_report(client, world) -> None:  # type: ignore[no-untyped-def]
    web_login(client, READER)
    r = client.get("/reports/view?scope=country&country=pak")  # alpha-3, any case
    assert r.status_code == 200, r.text
    html = r.text
    assert "Country report: Pakistan" in html
    assert _fill(html, "PK") == SEVERITY_COLOURS["high"]
    assert _fill(html, "IR") == SEVERITY_COLOURS["high"]  # named by the same challenge
    # Cropped to Pakistan and its neighbours, not the world.
    assert 5 < _countries_drawn(html) < 40
    assert 'data-cc="BR"' not in html
    assert f'data-id="{world["on_route"]["id"]}"' in html
    assert f'data-id="{world["in_turkey"]["id"]}"' not in html
    assert f'data-id="{world["in_italy"]["id"]}"' not in html
    # The route through Pakistan is drawn; the scorecard shows this node's action.
    assert '<polyline class="route"' in html
    section = html.split('id="report-commitments"', 1)[1].split('id="report-sources"', 1)[0]
    assert "Document desks at Taftan" in section and "Desks equipped" in section
    assert 'class="overdue"' in section
    ids = _sources(html)
    assert world["on_route"]["id"] in ids and world["action"]["id"] in ids
    assert world["in_turkey"]["id"] not in ids
    assert "Contains records up to TLP:GREEN; handle accordingly." in html


def test_route_report_says_which_challenges_cite_the_route(client, world) -> None:  # type: ignore[no-untyped-def]
    web_login(client, READER)
    r = client.get(f"/reports/view?scope=route&route={world['route']['id']}")
    assert r.status_code == 200, r.text
    html = r.text
    assert "Route report: Pakistan – Iran – Türkiye – Greece" in html
    cites = html.split(f'data-id="{world["on_route"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "on the route" in cites and "legs 1" in cites
    near = html.split(f'data-id="{world["in_turkey"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "in a country of the route" in near
    assert f'data-id="{world["in_italy"]["id"]}"' not in html
    assert _fill(html, "TR") == SEVERITY_COLOURS["critical"]
    assert 'data-cc="BR"' not in html and 'data-cc="GR"' in html
    assert html.count('<polyline class="route"') == len(EASTERN_ROUTE["legs"])
    # The route's countries' scorecards: Pakistan's action; the others say they have none.
    section = html.split('id="report-commitments"', 1)[1].split('id="report-sources"', 1)[0]
    assert "Document desks at Taftan" in section
    assert "No action under a thematic commitment is recorded for Greece." in section


def test_red_challenge_only_in_the_reports_of_those_who_may_see_it(client, world) -> None:  # type: ignore[no-untyped-def]
    web_login(client, READER)
    for query in ("scope=network", "scope=country&country=PK"):
        html = client.get(f"/reports/view?{query}").text
        assert "Informant reports" not in html and world["red"]["id"] not in html
        assert "TLP:RED" not in html
    # Its author sees it, and the labels note says the report now holds a RED record.
    client.cookies.clear()
    web_login(client, AUTHOR)
    html = client.get("/reports/view?scope=country&country=PK").text
    assert "Informant reports on a Quetta forger" in html
    assert world["red"]["id"] in _sources(html)
    assert _fill(html, "PK") == SEVERITY_COLOURS["critical"]
    assert "Contains records up to TLP:RED; handle accordingly." in html


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        ("", 400, "unknown report scope"),
        ("scope=everything", 400, "unknown report scope"),
        ("scope=country", 400, "choose the country"),
        ("scope=country&country=ZZ", 400, "unknown country code"),
        ("scope=country&country=" + "P" * 500, 400, "ISO 3166-1"),
        ("scope=route", 400, "choose the route"),
        ("scope=route&route=not-a-uuid", 400, "is not a route id"),
        ("scope=route&route=0190f0f0-0000-7000-8000-000000000000", 404, "no route"),
    ],
)
def test_bad_scopes_answer_a_clear_page(client, make_user, node, query, status, needle) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email=READER)
    web_login(client, READER)
    r = client.get(f"/reports/view?{query}")
    assert r.status_code == status, r.text
    assert needle in r.text and r.headers["content-type"].startswith("text/html")
    with node.db.reading() as session:
        assert (
            session.scalar(select(AuditEntry).where(AuditEntry.action == "report.generate")) is None
        )


def test_invisible_route_is_not_found(client, world, token_for, node) -> None:  # type: ignore[no-untyped-def]
    """A route its reader may not see (purpose protection; a viewer does not handle it) is
    answered like a route that does not exist."""
    officer = token_for("protection_officer", scopes=("read", "write"))
    r = client.post(
        "/api/v1/routes",
        headers=officer,
        json={**EASTERN_ROUTE, "name": "Referral route", "tlp": "GREEN", "purpose": "protection"},
    )
    assert r.status_code == 201, r.text
    web_login(client, READER)
    assert "Referral route" not in client.get("/reports").text
    r = client.get(f"/reports/view?scope=route&route={r.json()['id']}")
    assert r.status_code == 404 and "no route" in r.text


def test_every_report_is_audited(client, world, node) -> None:  # type: ignore[no-untyped-def]
    web_login(client, READER)
    client.get("/reports/view?scope=network")
    client.get("/reports/view?scope=country&country=TR")
    with node.db.reading() as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "report.generate")
                .order_by(AuditEntry.seq)
            )
        )
    assert [(e.object_type, e.object_id) for e in entries] == [
        ("report", "network"),
        ("report", "country"),
    ]
    assert entries[0].detail == {"count": 7, "challenges": 3}
    assert entries[1].detail["country"] == "TR" and entries[1].detail["challenges"] == 1
    assert all(e.actor.startswith("u-") and e.outcome == "ok" for e in entries)


def test_parse_scope_and_country_box() -> None:
    assert parse_scope("network", "PK", "x") == reports.Scope("network")
    assert parse_scope(" country ", "grc", None) == reports.Scope("country", country="GR")
    with pytest.raises(InvalidScope) as exc:
        parse_scope("route", None, "x" * 5000)
    assert len(exc.value.detail) < 80
    # Greece with its islands (Crete, Lesvos), France without French Guiana; a crossing point
    # on an island the atlas does not draw (Lampedusa) widens Italy's frame.
    lon0, lat0, lon1, lat1 = reports.country_box("GR")  # type: ignore[misc]
    assert lon0 < 20.5 and lon1 > 27.5 and lat0 < 35.0 and lat1 > 41.5
    lon0, lat0, lon1, lat1 = reports.country_box("FR")  # type: ignore[misc]
    assert lon0 > -10 and lat0 > 38  # Corsica in, Guiana (-54°, 4°N) out
    assert reports.country_box("IT")[1] > 35.5  # type: ignore[index]
    assert reports.country_box("IT", near=[(12.6, 35.5), (-70.0, 10.0)])[1] < 35.5  # type: ignore[index]
    assert reports.country_box("IT", near=[(-70.0, 10.0)]) == reports.country_box("IT")
    assert reports.country_box("GP") is None  # no outline of its own at 1:50m: the world
