"""Directory pages: the search form and its results, a card's detail, the publish / edit /
withdraw form with its plain-text fields, and who may change what (a partner's card is
read-only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor import clock
from corridor.cooperation.directory.forms import (
    channels_text,
    hours_text,
    parse_channels,
    parse_hours,
    parse_languages,
    parse_rota,
    rota_text,
)
from corridor.cooperation.directory.models import ContactRow
from corridor.errors import InvalidInput
from corridor.federation import delivery
from corridor.records.models import StoredRecord
from tests.cooperation.test_directory import card
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login

API = "/api/v1/directory"


def sign_in(client: TestClient, make_user, role: str) -> str:  # type: ignore[no-untyped-def]
    """Sign a new user of `role` in on `client`; returns the CSRF token of their session."""
    email = f"{role}.{uuid.uuid4().hex[:8]}@pages.example"
    make_user(role, email=email)
    r = web_login(client, email)
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/account").text)


def stored(node) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return (
            session.scalar(
                select(func.count()).select_from(StoredRecord).where(StoredRecord.type == "contact")
            )
            or 0
        )


def form(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "person",
        "name": "Ömer Yılmaz",
        "role": "Liaison officer",
        "unit": "Jandarma Van",
        "country": "TR",
        "languages": "tr, EN",
        "expertise": ["maritime", "liaison"],
        "timezone": "Europe/Istanbul",
        "hours": "mon-fri 08:30-17:30\nsat 09:00-13:00",
        "rota": "2030-01-07T17:30Z | 2030-01-08T05:30Z | Sgt. Demir | +90 432 555 0101",
        "channels": "phone | +90 432 555 0100 | desk\nsignal | @omer.van",
        "notes": "Turkish and English.",
        "active": "1",
        "tlp": "GREEN",
        "handling": "H0",
        "purpose": "cooperation",
    }
    data.update(over)
    return data


# --- the plain-text parsers ---------------------------------------------------------------------


def test_hours_parse_and_show_back() -> None:
    hours = parse_hours("mon-fri 8:00-17:00\n\nsat, sun 09:00-13:00\nfri-mon 22:00-06:00")
    assert hours == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "17:00"},
        {"days": ["sat", "sun"], "from": "09:00", "to": "13:00"},
        {"days": ["mon", "fri", "sat", "sun"], "from": "22:00", "to": "06:00"},
    ]
    # Shown back in the week's order, consecutive days as a run.
    assert hours_text(hours).splitlines() == [
        "mon-fri 08:00-17:00",
        "sat-sun 09:00-13:00",
        "mon,fri-sun 22:00-06:00",
    ]
    with pytest.raises(InvalidInput, match="line 2"):
        parse_hours("mon 08:00-12:00\nsomeday 08:00-12:00")
    with pytest.raises(InvalidInput, match="line 1"):
        parse_hours("mon from eight")


def test_rota_channels_and_languages_parse_and_show_back() -> None:
    rota = parse_rota("2030-01-07 08:00 | 2030-01-07T20:00Z | Sgt. Demir | +90 432 555 0101")
    assert rota == [
        {
            "from": "2030-01-07T08:00:00Z",
            "to": "2030-01-07T20:00:00Z",
            "name": "Sgt. Demir",
            "phone": "+90 432 555 0101",
        }
    ]
    assert parse_rota(rota_text(rota)) == rota
    with pytest.raises(InvalidInput, match="line 1"):
        parse_rota("tomorrow | later | me")
    with pytest.raises(InvalidInput, match="line 1"):
        parse_rota("2030-01-07T08:00Z | Sgt. Demir")
    channels = parse_channels("Phone | +90 432 555 0100 | desk\nSIENA | FIA-PK\nI-24/7 | NCB")
    assert [c["kind"] for c in channels] == ["phone", "sienna", "i24_7"]
    assert parse_channels(channels_text(channels)) == channels
    with pytest.raises(InvalidInput, match="pigeon"):
        parse_channels("pigeon | loft 3")
    assert parse_languages("ur, EN; fa ur") == ["ur", "en", "fa"]
    with pytest.raises(InvalidInput, match="english"):
        parse_languages("english")


# --- pages --------------------------------------------------------------------------------------


def test_pages_need_a_session(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/directory", "/directory/new"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


def test_search_page_lists_and_filters(client, make_user, node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    # Monday 03:30Z: 08:30 in Karachi. The clock moves first: API tokens live at most a year.
    shift_clock(datetime(2030, 1, 7, 3, 30, tzinfo=UTC) - clock.now())
    officer = bearer(node, "liaison_officer", "liaison@fia.example")[0]
    for body in (
        card(),
        card(
            name="Eleni Papadopoulou",
            country="GR",
            languages=["el"],
            expertise=["maritime"],
            availability={
                "timezone": "Europe/Athens",
                "hours": [{"days": ["mon"], "from": "08:00", "to": "17:00"}],
            },
        ),
        card(name="Old desk", active=False),
    ):
        assert client.post(API, headers=officer, json=body).status_code == 201
    sign_in(client, make_user, "viewer")
    page = client.get("/directory")
    assert page.status_code == 200
    text = page.text
    assert "Inspector Ayesha Malik" in text and "Eleni Papadopoulou" in text
    assert "Old desk" not in text
    assert 'href="/directory"' in text and "Directory" in text  # navigation entry
    assert "Publish a contact card" not in text  # a viewer does not write
    assert 'hx-trigger="corridor-record from:body"' in text
    # Available now first; Athens (05:30) is not.
    assert text.index("Inspector Ayesha Malik") < text.index("Eleni Papadopoulou")
    assert "Available now" in text and "Not available now" in text

    only = client.get("/directory", params={"expertise": "maritime", "available_now": "1"}).text
    assert "Eleni Papadopoulou" not in only and "No contact point matches." in only
    greek = client.get("/directory/_results", params={"country": "grc", "language": "el"})
    assert greek.status_code == 200 and "<html" not in greek.text
    assert "Eleni Papadopoulou" in greek.text and "Inspector Ayesha Malik" not in greek.text
    # Mistakes are reported on the page, not as a failed request.
    bad = client.get("/directory", params={"country": "ZZ", "language": "klingon"})
    assert bad.status_code == 200 and "unknown country code" in bad.text
    assert "klingon" in bad.text
    # The own-cards view includes inactive ones.
    ours = client.get("/directory", params={"origin": node.id}).text
    assert "Old desk" in ours


def test_publish_edit_and_withdraw_through_the_form(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, make_user, "liaison_officer")
    page = client.get("/directory/new")
    assert page.status_code == 200 and 'value="PK"' in page.text  # the node's country
    assert 'list="directory-timezones"' in page.text and "Asia/Karachi" in page.text

    r = client.post("/directory/new", data={**form(), "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    cid = r.headers["location"].rsplit("/", 1)[1]
    detail = client.get(f"/directory/{cid}")
    assert detail.status_code == 200
    text = detail.text
    assert "Ömer Yılmaz" in text and "Jandarma Van" in text and "Türkiye" in text
    assert "Turkish" in text and "English" in text and "Maritime" in text
    assert "+904325550100" in text and "@omer.van" in text
    assert "mon-fri 08:30-17:30; sat 09:00-13:00 (Europe/Istanbul) + rota" in text
    assert f"/directory/{cid}/edit" in text and f"/directory/{cid}/withdraw" in text

    edit = client.get(f"/directory/{cid}/edit").text
    assert "mon-fri 08:30-17:30" in edit and "signal | @omer.van" in edit
    r = client.post(
        f"/directory/{cid}/edit",
        data={
            **form(name="Ömer Yılmaz (Van)", always="1", hours="", timezone=""),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    api_user = bearer(node, "liaison_officer", "api@fia.example")[0]
    got = client.get(f"{API}/{cid}", headers=api_user).json()
    assert got["version"] == 2 and got["name"] == "Ömer Yılmaz (Van)"
    assert got["availability"]["always"] is True and got["available_now"] is True

    r = client.post(
        f"/directory/{cid}/withdraw",
        data={"csrf_token": token, "reason": "retired"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    gone = client.get(f"/directory/{cid}").text
    assert "Withdrawn contact card" in gone and "Ömer" not in gone
    assert client.get(f"/directory/{cid}/edit").status_code == 404


@pytest.mark.parametrize(
    "over,message",
    [
        ({"languages": "english"}, "english"),
        ({"hours": "mon-fri 08:00-17:00", "timezone": ""}, "time zone"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"country": "ZZ"}, "ZZ"),
        ({"rota": "2030-01-07T17:30Z | 2030-01-07T05:30Z | Sgt. Demir"}, "end after it starts"),
        ({"channels": "phone | call me"}, "phone number"),
        ({"name": "x" * 201}, "Name"),
        ({"tlp": "RED"}, "TLP:RED needs named recipients"),
    ],
)
def test_form_errors_are_shown_and_store_nothing(client, make_user, node, over, message) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client, make_user, "liaison_officer")
    r = client.post("/directory/new", data={**form(**over), "csrf_token": token})
    assert r.status_code == 422, r.text
    assert message in r.text and 'role="alert"' in r.text
    # The form comes back as typed.
    assert "Jandarma Van" in r.text
    assert stored(node) == 0


def test_viewer_cannot_write(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    officer = bearer(node, "liaison_officer", "liaison@fia.example")[0]
    cid = client.post(API, headers=officer, json=card()).json()["id"]
    token = sign_in(client, make_user, "viewer")
    assert client.get("/directory/new").status_code == 403
    assert client.post("/directory/new", data={**form(), "csrf_token": token}).status_code == 403
    detail = client.get(f"/directory/{cid}").text
    assert "Inspector Ayesha Malik" in detail and f"/directory/{cid}/edit" not in detail
    r = client.post(f"/directory/{cid}/withdraw", data={"csrf_token": token, "reason": "x"})
    assert r.status_code == 403
    assert client.get(f"{API}/{cid}", headers=officer).json()["state"] == "active"


def test_partner_card_is_read_only_and_its_withdrawal_shows(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "liaison@a.example")
    cid = to_a.post(API, headers=ha, json=card()).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    email = "officer@b.example"
    bearer(b, "liaison_officer", email)
    assert web_login(to_b, email).status_code == 303
    token = csrf_from(to_b.get("/account").text)

    listed = to_b.get("/directory").text
    assert "Inspector Ayesha Malik" in listed and "Test node (PK)" in listed
    detail = to_b.get(f"/directory/{cid}").text
    assert "Inspector Ayesha Malik" in detail and f"/directory/{cid}/edit" not in detail
    assert to_b.get(f"/directory/{cid}/edit").status_code == 403
    r = to_b.post(f"/directory/{cid}/edit", data={**form(), "csrf_token": token})
    assert r.status_code == 403
    with b.db.reading() as session:
        assert session.get(ContactRow, uuid.UUID(cid)).name == "Inspector Ayesha Malik"  # type: ignore[union-attr]

    to_a.post(f"{API}/{cid}/withdraw", headers=ha, json={"reason": "moved"})
    delivery.push_to(a, b.id, http=to_b)
    assert "Inspector Ayesha Malik" not in to_b.get("/directory").text
    assert "Withdrawn contact card" in to_b.get(f"/directory/{cid}").text


def test_new_card_form_ticks_every_approved_peer(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b = pair
    email = "officer@a.example"
    bearer(a, "liaison_officer", email)
    assert web_login(to_a, email).status_code == 303
    page = to_a.get("/directory/new").text
    assert f'value="{b.id}" checked' in page
    token = csrf_from(page)
    r = to_a.post(
        "/directory/new", data={**form(), "to": [b.id], "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    cid = r.headers["location"].rsplit("/", 1)[1]
    with a.db.reading() as session:
        env = session.get(StoredRecord, uuid.UUID(cid)).envelope  # type: ignore[union-attr]
    assert env["audience"]["nodes"] == [b.id]
    # Unticking every partner keeps the card on this node.
    r = to_a.post(
        "/directory/new", data={**form(name="Local"), "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    with a.db.reading() as session:
        local = session.get(StoredRecord, uuid.UUID(r.headers["location"].rsplit("/", 1)[1]))
        assert local is not None and local.envelope["audience"]["nodes"] == []
