"""Alerts in the web UI: compose (area as text or GeoJSON), the live list, the detail page with
Acknowledge at the recipient and the per-recipient status table at the sender, withdrawal."""

from __future__ import annotations

import re

import pytest

from corridor.cooperation.alerts.pages import parse_area
from corridor.errors import InvalidInput
from corridor.federation import delivery
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login


def _no_inline_code(html: str) -> None:
    # CSP: script-src 'self'; style-src 'self' (no inline scripts, styles or handlers).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_compose_acknowledge_and_status_in_the_ui(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    make_user("liaison_officer", email="lo@a.example")
    web_login(to_a, "lo@a.example")
    form = to_a.get("/alerts/new")
    assert form.status_code == 200 and "Jandarma Van" in form.text
    _no_inline_code(form.text)
    token = csrf_from(form.text)
    fields = {
        "csrf_token": token,
        "to": [b.id],
        "type": "imminent_departure",
        "severity": "urgent",
        "title": "Departure from Çeşme tonight",
        "text": "Two inflatables prepared north of Çeşme, departure expected 02:00.",
        "area": "26.30,38.32\n26.40,38.32\n26.40,38.40\n26.30,38.40",
        "countries": "TR, GR",
        "valid_until": "2099-01-01T06:00",
        "tlp": "AMBER",
        "handling": "H0",
        "purpose": "cooperation",
    }
    r = to_a.post("/alerts/new", data=fields)
    assert r.status_code == 200, r.text
    assert "Departure from Çeşme tonight" in r.text and "Alert sent." in r.text
    assert 'id="alert-status"' in r.text and "pending" in r.text
    assert 'data-area="' in r.text and "&#34;Polygon&#34;" in r.text
    _no_inline_code(r.text)
    aid = r.url.path.rsplit("/", 1)[1]

    # Bad input: the form comes back with the reason and what was typed.
    bad = to_a.post("/alerts/new", data={**fields, "area": "east of Lesbos"})
    assert bad.status_code == 422 and "is not &#39;longitude,latitude&#39;" in bad.text
    assert "Departure from Çeşme tonight" in bad.text
    bad = to_a.post("/alerts/new", data={**fields, "to": ["a" * 26]})
    assert bad.status_code == 422 and "not an approved peer" in bad.text
    bad = to_a.post("/alerts/new", data={**fields, "valid_until": "2001-01-01T00:00"})
    assert bad.status_code == 422 and "in the past" in bad.text
    bad = to_a.post("/alerts/new", data={**fields, "severity": "apocalyptic"})
    assert bad.status_code == 422 and "severity" in bad.text
    # The sharing fields come back as chosen too (TLP:RED needs named recipients).
    bad = to_a.post(
        "/alerts/new",
        data={**fields, "tlp": "RED", "handling": "H3", "handling_note": "Not for the press"},
    )
    assert bad.status_code == 422 and "TLP:RED needs named recipients" in bad.text
    assert f'value="{b.id}" checked' in bad.text and "<option selected>RED</option>" in bad.text
    assert '<option value="H3" selected>' in bad.text and "Not for the press" in bad.text

    # B's list shows it, not yet acknowledged; B opens and acknowledges it.
    delivery.push_to(a, b.id, http=to_b)
    bearer(b, "liaison_officer", "duty@b.example")
    web_login(to_b, "duty@b.example")
    page = to_b.get("/alerts")
    assert page.status_code == 200 and "Departure from Çeşme tonight" in page.text
    assert 'hx-trigger="corridor-record from:body"' in page.text
    assert "Not acknowledged" in page.text and 'href="/alerts"' in page.text
    _no_inline_code(page.text)
    assert "Departure from Çeşme tonight" in to_b.get("/alerts/_list").text
    detail = to_b.get(f"/alerts/{aid}")
    assert "Acknowledge" in detail.text and 'id="alert-status"' not in detail.text
    assert to_b.get(f"/alerts/{aid}/_status").status_code == 404  # only for the sender
    ack = to_b.post(f"/alerts/{aid}/acknowledge", data={"csrf_token": csrf_from(detail.text)})
    assert ack.status_code == 200 and "Acknowledged by" in ack.text
    assert "Acknowledged" in to_b.get("/alerts/_list").text

    # The sender's status table (the live-refreshed fragment) shows B acknowledged.
    delivery.push_to(b, a.id, http=to_a)
    status = to_a.get(f"/alerts/{aid}/_status")
    assert status.status_code == 200
    assert re.search(r'class="progress-acknowledged".*?>acknowledged<', status.text, re.S)
    assert "1 of 1 acknowledged" in to_a.get("/alerts/_list").text

    # Withdrawal from the detail page.
    w = to_a.post(f"/alerts/{aid}/withdraw", data={"csrf_token": token, "reason": "departed"})
    assert "Alert withdrawn" in w.text and "purged on every node" in w.text
    delivery.push_to(a, b.id, http=to_b)
    listing = to_b.get("/alerts/_list").text
    assert "Departure from Çeşme" not in listing and "Withdrawn" in listing


def test_a_viewer_sees_alerts_but_cannot_send_or_acknowledge(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    _a, _b, to_a, _ = pair
    make_user("viewer", email="v@a.example")
    web_login(to_a, "v@a.example")
    page = to_a.get("/alerts")
    assert page.status_code == 200 and 'href="/alerts/new"' not in page.text
    assert to_a.get("/alerts/new").status_code == 403


def test_parse_area() -> None:
    assert parse_area("") is None
    assert parse_area(" 26.95, 37.12 ") == {"type": "Point", "coordinates": [26.95, 37.12]}
    poly = parse_area("1,1; 2,1; 2,2")
    assert poly == {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]}
    feature = '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}'
    assert parse_area(feature) == {"type": "Point", "coordinates": [1.0, 2.0]}
    for bad, why in (
        ("1,1; 2,2", "at least three"),
        ("{not json", "not valid GeoJSON"),
        ("200,1", "out of range"),
        ('{"type": "Circle"}', "unknown geometry type"),
    ):
        with pytest.raises(InvalidInput, match=why):
            parse_area(bad)
