"""Challenge and route pages: the network view, the forms with their plain-text fields, detail
pages, and who may change what (a partner's challenge is read-only)."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.federation import delivery
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.routes.models import RouteRow
from corridor.records.models import StoredRecord
from tests.entities.test_api import bearer
from tests.mapping.conftest import EASTERN_ROUTE, challenge
from tests.web.conftest import csrf_from, web_login


def sign_in(client: TestClient, make_user, role: str) -> str:  # type: ignore[no-untyped-def]
    """Sign a new user of `role` in on `client`; returns the CSRF token of their session."""
    email = f"{role}.{uuid.uuid4().hex[:8]}@pages.example"
    make_user(role, email=email)
    r = web_login(client, email)
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/account").text)


def stored(node, model) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def stored_records(node, type_: str) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return (
            session.scalar(
                select(func.count()).select_from(StoredRecord).where(StoredRecord.type == type_)
            )
            or 0
        )


def form(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Forged Schengen visas sold in Quetta",
        "description": "Print shops produce counterfeit visa vignettes.",
        "theme": "fraudulent_documents",
        "countries": "PK, irn",
        "regions": "Balochistan, Sistan-Baluchestan",
        "locations": "Taftan crossing | 61.6,28.96\nBorder fence, Mirjaveh | 61.4,29.0; 61.5,29.1",
        "severity": "high",
        "trend": "increasing",
        "status": "open",
        "evidence": "Seizure report | https://example.org/r/1\nCase file | FIA-2026-014",
        "owner": "FIA Anti-Human-Trafficking Circle",
        "identified": "2026-01-10",
        "review_date": "2026-02-01",
        "tlp": "GREEN",
        "handling": "H0",
        "purpose": "cooperation",
    }
    data.update(over)
    return data


def test_pages_need_a_session(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/challenges", "/challenges/new", "/routes", "/routes/new"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    # A bearer token is for the API, not the pages.
    r = client.get("/challenges", headers={"Authorization": "Bearer x"}, follow_redirects=False)
    assert r.status_code == 401


def test_viewer_reads_list_and_detail_but_cannot_write(  # type: ignore[no-untyped-def]
    client, make_user, analyst, route, node
) -> None:
    created = client.post(
        "/api/v1/challenges",
        headers=analyst,
        json=challenge(routes=[{"route": route["id"], "legs": [1]}], review_date="2026-10-01"),
    ).json()
    token = sign_in(client, make_user, "viewer")
    page = client.get("/challenges")
    assert page.status_code == 200
    text = page.text
    assert "Forged Schengen visas sold in Quetta" in text
    assert "Pakistan, Iran" in text and "Fraudulent documentation" in text
    assert "Test node (PK)" in text and EASTERN_ROUTE["name"] in text
    assert "Record a challenge" not in text
    assert "/api/v1/challenges/export.csv" in text and "/api/v1/challenges/export.geojson" in text
    # The navigation offers both pages under Guidance.
    assert 'href="/challenges"' in text and 'href="/routes"' in text

    detail = client.get(f"/challenges/{created['id']}")
    assert detail.status_code == 200
    assert "1: Zahedan → Van" in detail.text and 'href="/map?country=PK"' in detail.text
    assert "TLP:GREEN" in detail.text
    assert f"/challenges/{created['id']}/edit" not in detail.text
    assert f"/challenges/{created['id']}/withdraw" not in detail.text

    routes = client.get("/routes").text
    assert "Pakistan → Iran → Türkiye → Greece" in routes and "Record a route" not in routes
    route_page = client.get(f"/routes/{route['id']}").text
    assert "Quetta" in route_page and "Forged Schengen visas sold in Quetta" in route_page

    assert client.get("/challenges/new").status_code == 403
    assert client.get(f"/challenges/{created['id']}/edit").status_code == 403
    before = stored(node, ChallengeRow)
    r = client.post("/challenges/new", data={**form(), "csrf_token": token})
    assert r.status_code == 403
    r = client.post("/routes/new", data={"csrf_token": token, "name": "x", "stops": "PK\nIR"})
    assert r.status_code == 403
    r = client.post(
        f"/challenges/{created['id']}/withdraw", data={"csrf_token": token, "reason": "no"}
    )
    assert r.status_code == 403 and "does not allow mapping.write" in r.text
    assert stored(node, ChallengeRow) == before
    assert client.get(f"/api/v1/challenges/{created['id']}", headers=analyst).json()["version"] == 1


def test_filters_narrow_the_list_and_carry_over_to_map_and_exports(  # type: ignore[no-untyped-def]
    client, make_user, analyst, route
) -> None:
    client.post(
        "/api/v1/challenges",
        headers=analyst,
        json=challenge(routes=[{"route": route["id"], "legs": []}], identified="2026-01-05"),
    )
    client.post(
        "/api/v1/challenges",
        headers=analyst,
        json=challenge(
            title="Smuggling adverts on messaging apps",
            theme="digital_smuggling",
            countries=["TR"],
            severity="medium",
            identified="2026-03-01",
        ),
    )
    sign_in(client, make_user, "viewer")
    everything = client.get("/challenges").text
    assert "2 challenges" in everything

    narrowed = client.get("/challenges?theme=digital_smuggling&country=TUR").text
    assert "1 challenge" in narrowed and "Smuggling adverts" in narrowed
    assert "Forged Schengen" not in narrowed
    assert 'href="/map?theme=digital_smuggling&amp;country=TR"' in narrowed
    assert "/api/v1/challenges/export.csv?theme=digital_smuggling&amp;country=TR" in narrowed
    csv = client.get("/api/v1/challenges/export.csv?theme=digital_smuggling&country=TR").text
    assert "Smuggling adverts" in csv and "Forged Schengen" not in csv

    on_route = client.get(f"/challenges?route={route['id']}").text
    assert "Forged Schengen" in on_route and "Smuggling adverts" not in on_route
    by_date = client.get("/challenges?since=2026-02-01&until=2026-12-31").text
    assert "Smuggling adverts" in by_date and "Forged Schengen" not in by_date

    # A bad filter is reported; the others still apply.
    bad = client.get("/challenges?theme=piracy&country=XZ&severity=medium").text
    assert "unknown value &#39;piracy&#39;" in bad and "&#39;XZ&#39;" in bad
    assert "Smuggling adverts" in bad and "Forged Schengen" not in bad


def test_analyst_records_edits_and_withdraws_through_the_forms(  # type: ignore[no-untyped-def]
    client, make_user, node
) -> None:
    token = sign_in(client, make_user, "analyst")
    assert "Record a challenge" in client.get("/challenges").text

    # A route through its form: stops one per line, a gap where no leg joins them.
    new_route = client.get("/routes/new")
    assert new_route.status_code == 200
    r = client.post(
        "/routes/new",
        data={
            "csrf_token": csrf_from(new_route.text),
            "name": "Pakistan – Iran – Türkiye – Greece",
            "description": "Overland, then across the Evros.",
            "stops": "PK | Quetta | 66.99,30.18\nIR | Zahedan | 60.86,29.49 | land | pickups\n"
            "TR | Van | 43.38,38.49\n---\nTR | Istanbul | | land\nGR | Evros | 26.3,41.1",
            "tlp": "GREEN",
            "handling": "H0",
            "purpose": "cooperation",
        },
    )
    assert r.status_code == 200 and "Route recorded." in r.text
    route_id = r.url.path.rsplit("/", 1)[1]
    assert "Zahedan" in r.text and "pickups" in r.text
    with node.db.reading() as session:
        row = session.get(RouteRow, uuid.UUID(route_id))
        assert row is not None and len(row.legs) == 3
        assert row.countries == ["PK", "IR", "TR", "GR"]
        assert row.legs[2]["from"] == {"country": "TR", "hub": "Istanbul"}

    # A challenge on two of its legs, with locations, evidence and a review date.
    new = client.get("/challenges/new")
    assert "0: Quetta → Zahedan" in new.text and "2: Istanbul → Evros" in new.text
    r = client.post(
        "/challenges/new",
        data={
            **form(evidence=f"Route record | {route_id}\nSeizure report | https://example.org/r/1"),
            "csrf_token": token,
            "leg": [f"{route_id}:0", f"{route_id}:2"],
        },
    )
    assert r.status_code == 200 and "Challenge recorded." in r.text, r.text[-2000:]
    cid = r.url.path.rsplit("/", 1)[1]
    detail = r.text
    assert "Pakistan" in detail and "Iran" in detail and "Balochistan" in detail
    assert "0: Quetta → Zahedan; 2: Istanbul → Evros" in detail
    assert "Taftan crossing" in detail and "61.6,28.96" in detail
    assert "61.4,29; 61.5,29.1" in detail  # the border section, a line
    assert re.search(
        r'<a href="https://example.org/r/1" target="_blank" rel="noopener noreferrer">', detail
    )
    assert f'<a href="/routes/{route_id}">Route record</a>' in detail
    assert "FIA Anti-Human-Trafficking Circle" in detail and "Version</dt><dd>1" in detail
    api = client.get(f"/api/v1/challenges/{cid}").json()
    assert api["countries"] == ["PK", "IR"]
    assert api["routes"] == [{"route": route_id, "legs": [0, 2]}]
    assert api["locations"][1]["geometry"] == {
        "type": "LineString",
        "coordinates": [[61.4, 29.0], [61.5, 29.1]],
    }
    assert api["evidence"][0] == {"kind": "record", "title": "Route record", "ref": route_id}

    # A review date in the past is highlighted in the list.
    assert "review due" in client.get("/challenges").text
    # The route lists the challenge that cites it.
    assert "Forged Schengen visas sold in Quetta" in client.get(f"/routes/{route_id}").text

    # Edit: the form shows the record back in its plain-text format.
    edit = client.get(f"/challenges/{cid}/edit")
    assert edit.status_code == 200
    assert "Taftan crossing | 61.6,28.96" in edit.text
    assert "Border fence, Mirjaveh | 61.4,29; 61.5,29.1" in edit.text
    assert "Seizure report | https://example.org/r/1" in edit.text
    assert f'value="{route_id}:2" checked' in edit.text
    r = client.post(
        f"/challenges/{cid}/edit",
        data={
            **form(severity="critical", status="being_addressed", review_date="2099-01-01"),
            "csrf_token": token,
            "route": [route_id],
        },
    )
    assert r.status_code == 200 and "Challenge updated (version 2)." in r.text
    api = client.get(f"/api/v1/challenges/{cid}").json()
    assert api["version"] == 2 and api["severity"] == "critical"
    assert api["routes"] == [{"route": route_id, "legs": []}]
    assert "the whole route" in r.text
    assert "review due" not in client.get("/challenges").text

    # The route's own edit form round-trips its stops, gap included.
    route_edit = client.get(f"/routes/{route_id}/edit").text
    assert "TR | Van | 43.38,38.49\n---\nTR | Istanbul | | land" in route_edit

    # Withdraw, with a reason.
    r = client.post(f"/challenges/{cid}/withdraw", data={"csrf_token": token, "reason": "merged"})
    assert r.status_code == 200 and "Withdrawn challenge" in r.text and "merged" in r.text
    assert "Forged Schengen" not in client.get("/challenges").text
    assert client.get(f"/challenges/{cid}/edit").status_code == 404
    r = client.post(f"/routes/{route_id}/withdraw", data={"csrf_token": token, "reason": "old"})
    assert "Withdrawn route" in r.text
    assert stored(node, ChallengeRow) == 0 and stored(node, RouteRow) == 0


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"countries": "PK, XZ"}, "Countries: unknown country code &#39;XZ&#39;"),
        ({"countries": " , "}, "Countries: name at least one country code"),
        (
            {"locations": "Taftan crossing 61.6,28.96"},
            "Locations and border sections, line 1: write Name | lon,lat",
        ),
        (
            {"locations": "Taftan | 61.6,28.96\nFence | 61.4,29.0; north"},
            "Locations and border sections, line 2: &#39;north&#39; is not a position lon,lat",
        ),
        (
            {"locations": "Far away | 200,10"},
            "Locations and border sections, line 1: coordinates: longitude 200.0 out of range",
        ),
        ({"evidence": "Seizure report"}, "Evidence, line 1: give a URL or a reference"),
        ({"evidence": "Seizure report | "}, "Evidence, line 1: give a URL or a reference"),
        ({"evidence": "Report | https://x.example/a b"}, "Evidence, line 1: a URL has no spaces"),
        ({"identified": "2026-05-01", "review_date": "2026-04-01"}, "review date comes before"),
        ({"title": ""}, "Title: required"),
        ({"theme": "piracy"}, "Theme: not one of the choices offered"),
        ({"tlp": "RED"}, "TLP:RED needs named recipients"),
    ],
)
def test_bad_form_input_is_shown_with_the_input_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    client, make_user, node, over, message
) -> None:
    token = sign_in(client, make_user, "analyst")
    r = client.post("/challenges/new", data={**form(**over), "csrf_token": token})
    assert r.status_code == 422
    assert message in r.text, re.findall(r'class="error"[^>]*>([^<]*)<', r.text)
    # What was typed is still there to correct.
    assert 'value="FIA Anti-Human-Trafficking Circle"' in r.text
    assert "Seizure report" in r.text or "evidence" not in over
    assert stored(node, ChallengeRow) == 0 and stored_records(node, "challenge") == 0


def test_bad_route_form_and_bad_legs_are_refused(  # type: ignore[no-untyped-def]
    client, make_user, node, analyst, route
) -> None:
    token = sign_in(client, make_user, "analyst")
    for stops, message in (
        ("PK | Quetta\nXZ | Nowhere", "Stops, line 2: unknown country code &#39;XZ&#39;"),
        ("PK | Quetta", "Stops, line 1: a stop needs a next stop"),
        ("PK | Quetta | 66.99,30.18 | camel\nIR", "Stops, line 1: unknown mode &#39;camel&#39;"),
        ("PK | Quetta | 66.99;30.18\nIR", "Stops, line 1: &#39;66.99;30.18&#39; is not a position"),
        ("PK\n---\nIR\nTR", "Stops, line 1: a stop needs a next stop"),
        ("", "Stops: a route needs at least two stops"),
    ):
        r = client.post(
            "/routes/new",
            data={"csrf_token": token, "name": "Test route", "stops": stops, "tlp": "GREEN"},
        )
        assert r.status_code == 422 and message in r.text, (stops, r.text[-1500:])
        assert 'value="Test route"' in r.text
    # A stop in a country without an outline needs its point.
    r = client.post("/routes/new", data={"csrf_token": token, "name": "Islands", "stops": "GP\nFR"})
    assert r.status_code == 422 and "Stops, line 1: Guadeloupe has no outline on the map" in r.text
    assert stored(node, RouteRow) == 1  # the fixture's route only

    # A leg the route does not have is refused by the service; nothing stored.
    r = client.post(
        "/challenges/new", data={**form(), "csrf_token": token, "leg": [f"{route['id']}:7"]}
    )
    assert r.status_code == 422 and "no leg 7" in r.text
    r = client.post("/challenges/new", data={**form(), "csrf_token": token, "leg": ["x:1"]})
    assert r.status_code == 422 and "not a route id" in r.text
    assert stored(node, ChallengeRow) == 0


def test_partner_challenge_is_listed_with_its_member_and_read_only(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    route = to_a.post(
        "/api/v1/routes", headers=ha, json={**EASTERN_ROUTE, "tlp": "GREEN", "to": [b.id]}
    ).json()
    shared = to_a.post(
        "/api/v1/challenges",
        headers=ha,
        json=challenge(to=[b.id], routes=[{"route": route["id"], "legs": [0]}]),
    ).json()
    delivery.push_to(a, b.id, http=to_b)

    bearer(b, "analyst", "analyst@b.example")
    assert web_login(to_b, "analyst@b.example").status_code == 303
    listed = to_b.get("/challenges").text
    assert "Forged Schengen visas sold in Quetta" in listed
    assert "Test node (PK)" in listed  # the partner's name, from its card
    assert f'<option value="{a.id}"' in listed  # and it is offered as a member filter
    assert "Forged Schengen" in to_b.get(f"/challenges?origin={a.id}").text
    assert "Forged Schengen" not in to_b.get(f"/challenges?origin={b.id}").text

    detail = to_b.get(f"/challenges/{shared['id']}")
    assert detail.status_code == 200
    assert "Recorded by partner node" in detail.text and "Test node (PK)" in detail.text
    assert f"/challenges/{shared['id']}/edit" not in detail.text
    assert f"/challenges/{shared['id']}/withdraw" not in detail.text
    assert "0: Quetta → Zahedan" in detail.text  # the partner's route arrived too
    assert to_b.get(f"/challenges/{shared['id']}/edit").status_code == 403
    token = csrf_from(to_b.get("/challenges/new").text)
    r = to_b.post(f"/challenges/{shared['id']}/edit", data={**form(), "csrf_token": token})
    assert r.status_code == 403 and "only the node that recorded it" in r.text
    r = to_b.post(f"/challenges/{shared['id']}/withdraw", data={"csrf_token": token, "reason": "x"})
    assert "only the node that recorded it" in r.text
    assert to_b.get(f"/api/v1/challenges/{shared['id']}").json()["state"] == "active"

    # The partner's route is read-only as well, and the list counts the challenge on it.
    routes = to_b.get("/routes").text
    assert "Test node (PK)" in routes and f'href="/challenges?route={route["id"]}">1<' in routes
    assert f"/routes/{route['id']}/edit" not in to_b.get(f"/routes/{route['id']}").text

    # b's own users see who the partners are when sharing their own challenge.
    assert "Test node" in to_b.get("/challenges/new").text


# --- the plain-text formats -------------------------------------------------------------------
