"""Each person's language, time zone and second calendar: `PATCH /api/v1/me`, the profile's
form, the header's switch (signed in or not), and pages that follow them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from corridor.audit.models import AuditEntry
from corridor.security import service as security
from corridor.web.app import create_app
from corridor.web.forms import parse_time
from corridor.web.params import PageAuth
from tests.web.conftest import csrf_from, web_login


def test_a_person_sets_their_language_and_time_zone_through_the_api(
    node, client, token_for
) -> None:  # type: ignore[no-untyped-def]
    headers = token_for("investigator", scopes=("read", "write"), email="reader@test.example")
    r = client.patch(
        "/api/v1/me", json={"language": "ur", "time_zone": "Asia/Karachi"}, headers=headers
    )
    assert r.status_code == 200, r.text
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["language"], me["time_zone"], me["calendar"]) == ("ur", "Asia/Karachi", None)
    # Left out: unchanged; null: back to the default.
    r = client.patch("/api/v1/me", json={"calendar": "hijri"}, headers=headers)
    assert r.json()["language"] == "ur" and r.json()["calendar"] == "hijri"
    r = client.patch("/api/v1/me", json={"language": None}, headers=headers)
    assert r.json()["language"] is None and r.json()["time_zone"] == "Asia/Karachi"
    with node.db.reading() as session:
        entries = session.query(AuditEntry).filter_by(object_type="user", object_id=me["handle"])
        actions = [a.action for a in entries]
    assert actions.count("user.reading") == 3


def test_what_the_api_refuses_names_the_field_and_changes_nothing(client, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = token_for("investigator", scopes=("read", "write"))
    for body, field in (
        ({"language": "xx"}, "language"),
        ({"time_zone": "Mars/Olympus", "language": "ur"}, "time_zone"),
        ({"calendar": "mayan"}, "calendar"),
        ({"language": "u" * 17}, "language"),
        ({"time_zone": 5}, "time_zone"),
        ({"colour": "blue"}, "colour"),
    ):
        r = client.patch("/api/v1/me", json=body, headers=headers)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text, (body, r.text)
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["language"], me["time_zone"], me["calendar"]) == (None, None, None)
    reader = token_for("investigator", scopes=("read",))
    assert client.patch("/api/v1/me", json={"language": "ur"}, headers=reader).status_code == 403


def test_pages_follow_the_profile_in_language_direction_zone_and_calendar(  # type: ignore[no-untyped-def]
    node, client, make_user
) -> None:
    make_user("investigator", email="profile@test.example")
    assert web_login(client, "profile@test.example").status_code == 303
    page = client.get("/account").text
    assert '<html lang="en" dir="ltr">' in page
    r = client.post(
        "/account/locale",
        data={
            "csrf_token": csrf_from(page),
            "locale": "ur",
            "time_zone": "Asia/Karachi",
            "calendar": "hijri",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/account").text
    assert '<html lang="ur" dir="rtl">' in page
    assert '<option translate="no" value="Asia/Karachi" selected>' in page
    assert '<option value="hijri" selected>' in page
    assert "GMT +05:00" in page and "هـ)" in page  # now, in Karachi, with the Hijri date
    # A zone not in the list: refused in words, nothing changed.
    r = client.post(
        "/account/locale",
        data={"csrf_token": csrf_from(page), "locale": "fr", "time_zone": "Asia/Nowhere"},
    )
    assert '<html lang="ur" dir="rtl">' in r.text
    with node.db.reading() as session:
        user = security.find_user(session, "profile@test.example")
        assert (user.locale, user.time_zone, user.calendar) == ("ur", "Asia/Karachi", "hijri")


def test_the_header_switch_works_before_and_after_signing_in(node, client, make_user) -> None:  # type: ignore[no-untyped-def]
    # Before: a cookie, from this node's own pages only.
    page = client.get("/login", headers={"accept-language": "de, en;q=0.5"}).text
    assert '<html lang="en"' in page and 'action="/language"' in page
    r = client.post("/language", data={"lang": "fr", "next": "/login"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert '<html lang="fr" dir="ltr">' in client.get("/login").text
    forged = client.post(
        "/language", data={"lang": "ur"}, headers={"origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    assert (
        client.post(
            "/language", data={"lang": "xx", "next": "//evil.example"}, follow_redirects=False
        ).headers["location"]
        == "/"
    )
    # After: saved to the profile; a form post needs the session's CSRF token.
    make_user("liaison_officer", email="switch@test.example")
    assert web_login(client, "switch@test.example").status_code == 303
    assert client.post("/language", data={"lang": "ur", "next": "/"}).status_code == 403
    page = client.get("/").text
    r = client.post(
        "/language",
        data={"lang": "ur", "next": "/alerts", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/alerts"
    with node.db.reading() as session:
        assert security.find_user(session, "switch@test.example").locale == "ur"
    fresh = TestClient(client.app, base_url="http://127.0.0.1:8080")
    assert web_login(fresh, "switch@test.example").status_code == 303
    assert '<html lang="ur" dir="rtl">' in fresh.get("/").text  # another browser, same person


def test_a_route_parses_what_was_typed_in_the_readers_zone(node, make_user) -> None:  # type: ignore[no-untyped-def]
    """The reader is active from the moment the session is known: a form's deadline, read
    before any page renders, is in the person's time zone."""
    router = APIRouter()

    @router.get("/_typed")
    def typed(auth: PageAuth, at: str) -> PlainTextResponse:
        moment = parse_time(at, "Deadline")
        return PlainTextResponse(moment.isoformat() if moment else "")

    make_user("investigator", email="zone@test.example")
    app = create_app(node)
    app.include_router(router)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert web_login(client, "zone@test.example").status_code == 303
        page = client.get("/account").text
        client.post(
            "/account/locale",
            data={"csrf_token": csrf_from(page), "time_zone": "Asia/Karachi"},
        )
        r = client.get("/_typed", params={"at": "2026-12-07T15:05"})
        assert r.status_code == 200, (r.status_code, r.text[r.text.find("<main") :][:1200])
        assert r.text == "2026-12-07T10:05:00+00:00"


def test_what_a_form_stores_is_the_same_whatever_the_language(node, client, make_user) -> None:  # type: ignore[no-untyped-def]
    """Records stay language-neutral: a case opened from the Urdu page holds the codes an
    English page would have sent (purpose, handling), never the words shown for them."""
    make_user("investigator", email="urdu-case@test.example")
    assert web_login(client, "urdu-case@test.example").status_code == 303
    page = client.get("/account").text
    client.post("/account/locale", data={"csrf_token": csrf_from(page), "locale": "ur"})
    cases = client.get("/cases").text
    assert '<option value="risk-analysis"' in cases and "Risk analysis" not in cases
    r = client.post(
        "/cases",
        data={
            "csrf_token": csrf_from(cases),
            "reference": "UR-2026-1",
            "title": "کوئٹہ سے وان",
            "tlp": "AMBER",
            "purpose": "risk-analysis",
            "handling": "H1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[-500:]
    case = client.get("/api/v1/cases/UR-2026-1", headers={"X-CSRF-Token": csrf_from(cases)}).json()
    assert (case["purpose"], case["handling"], case["tlp"]) == ("risk-analysis", "H1", "AMBER")


def test_the_graph_names_links_in_the_pages_language_and_in_english_for_a_token(  # type: ignore[no-untyped-def]
    client, token_for
) -> None:
    """The graph the case page draws (its own call, with the session) names each kind of link
    in the reader's language; a script with a token reads the same graph in English."""
    headers = token_for("investigator", scopes=("read", "write"), email="graph-fr@test.example")
    case = client.post(
        "/api/v1/cases", json={"reference": "FR-GRAPH-1", "title": "x"}, headers=headers
    ).json()["id"]

    def ent(schema: str, **props: list[str]) -> str:
        r = client.post(
            f"/api/v1/cases/{case}/entities",
            json={"schema": schema, "properties": props},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    owner = ent("Person", name=["Gul Zaman"])
    boat = ent("Vessel", name=["Sea Star"])
    ent("Ownership", owner=[owner], asset=[boat])
    client.patch("/api/v1/me", json={"language": "fr"}, headers=headers)

    def labels(**kw: object) -> set[str]:
        r = client.get(f"/api/v1/cases/{case}/graph", **kw)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        return {e["data"]["label"] for e in r.json()["edges"]}

    assert labels(headers=headers) == {"owns"}
    assert web_login(client, "graph-fr@test.example").status_code == 303
    assert labels() == {"détient"}
