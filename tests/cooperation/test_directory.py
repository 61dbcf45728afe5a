"""The directory of contact points: publish cards, search the network ("who for X in country Y,
now?"), availability across time zones and duty rotas, updates and withdrawals that propagate to
partners, only the origin changes a card, and bad input stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from corridor import clock
from corridor.cooperation.directory.models import ContactRow
from corridor.federation import delivery
from corridor.records.models import StoredRecord
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from tests.entities.test_api import bearer

API = "/api/v1/directory"
# A Monday in winter: Karachi is UTC+5, Athens UTC+2, London UTC+0 (no daylight saving).
MONDAY_0330Z = datetime(2030, 1, 7, 3, 30, tzinfo=UTC)


def card(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "person",
        "name": "Inspector Ayesha Malik",
        "role": "Duty officer",
        "unit": "FIA Anti-Human Smuggling Circle Quetta",
        "languages": ["ur", "en"],
        "expertise": ["document_fraud", "investigations"],
        "availability": {
            "timezone": "Asia/Karachi",
            "hours": [
                {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "17:00"}
            ],
        },
        "channels": [
            {"kind": "phone", "value": "+92 81 920 1234", "note": "desk"},
            {"kind": "email", "value": "ahsc.quetta@fia.example"},
        ],
        "notes": "Urdu, Pashto on request.",
    }
    body.update(over)
    return body


def count(node, model=StoredRecord) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        q = select(func.count()).select_from(model)
        if model is StoredRecord:
            q = q.where(StoredRecord.type == "contact")
        return session.scalar(q) or 0


def renewed_token(node, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        user = security.find_user(session, email)
        secret, _ = security.create_token(
            session, actor=SYSTEM, user=user, scopes=["read", "write"]
        )
    return {"Authorization": f"Bearer {secret}"}


def at(shift_clock, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Move the node's clock to `when` (plus the few milliseconds the test takes)."""
    shift_clock(when - clock.now())


def names(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return [i["name"] for i in resp.json()["items"]]


@pytest.fixture
def officer(node):  # type: ignore[no-untyped-def]
    return bearer(node, "liaison_officer", "liaison@fia.example")[0]


def test_publish_with_defaults_and_read_back(node, client, officer) -> None:  # type: ignore[no-untyped-def]
    r = client.post(API, headers=officer, json=card())
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["version"] == 1 and got["origin"] == node.id and got["state"] == "active"
    # The node's country, TLP:GREEN, purpose cooperation; no peers yet: nobody else.
    assert got["country"] == "PK"
    assert got["labels"]["tlp"] == "GREEN" and got["labels"]["purpose"] == "cooperation"
    assert got["audience"]["nodes"] == []
    # Normalised on the way in: phone in E.164, expertise and languages kept in a fixed order.
    assert got["channels"][0]["value"] == "+92819201234"
    assert got["expertise"] == ["document_fraud", "investigations"]
    assert got["languages"] == ["ur", "en"]
    assert got["availability"]["hours"][0]["from"] == "08:00"

    again = client.get(f"{API}/{got['id']}", headers=officer).json()
    assert again["name"] == "Inspector Ayesha Malik" and again["availability_summary"].startswith(
        "mon-fri 08:00-17:00 (Asia/Karachi)"
    )
    items = client.get(API, headers=officer).json()["items"]
    assert [i["id"] for i in items] == [got["id"]]
    assert count(node) == 1 and count(node, ContactRow) == 1


def test_country_alpha3_and_explicit_labels(client, officer) -> None:  # type: ignore[no-untyped-def]
    r = client.post(API, headers=officer, json=card(country="irn", tlp="AMBER", kind="unit"))
    assert r.status_code == 201, r.text
    assert r.json()["country"] == "IR" and r.json()["labels"]["tlp"] == "AMBER"


def test_search_filters(node, client, officer) -> None:  # type: ignore[no-untyped-def]
    for body in (
        card(name="Ömer Yılmaz", country="TR", languages=["tr", "en"], expertise=["maritime"]),
        card(name="Eleni Papadopoulou", country="GR", languages=["el"], expertise=["maritime"]),
        card(name="Ayesha Malik", languages=["ur"], expertise=["financial"], unit="FIA Lahore"),
        card(name="100% Desk", kind="unit", country="GR", languages=["en"], expertise=["online"]),
        card(name="Retired officer", active=False, expertise=["maritime"]),
    ):
        assert client.post(API, headers=officer, json=body).status_code == 201

    def search(**params: Any) -> list[str]:
        return sorted(names(client.get(API, headers=officer, params=params)))

    assert search(expertise="maritime") == ["Eleni Papadopoulou", "Ömer Yılmaz"]
    # Any of the values of one filter, all of the filters.
    assert search(expertise=["maritime", "online"], country="GR") == [
        "100% Desk",
        "Eleni Papadopoulou",
    ]
    assert search(country="TUR") == ["Ömer Yılmaz"]
    assert search(language="EN") == ["100% Desk", "Ömer Yılmaz"]
    assert search(language="el", expertise="financial") == []
    # Text in name, unit or role, folded beyond ASCII; LIKE wildcards are taken literally.
    assert search(q="ömer") == ["Ömer Yılmaz"]
    assert search(q="lahore") == ["Ayesha Malik"]
    assert search(q="100%") == ["100% Desk"]
    assert search(q="%") == ["100% Desk"]
    assert search(kind="unit") == ["100% Desk"]
    # Inactive cards only when asked for.
    assert "Retired officer" not in search()
    assert "Retired officer" in search(include_inactive="true")
    assert search(origin=node.id, expertise="financial") == ["Ayesha Malik"]


@pytest.mark.parametrize(
    "params",
    [
        {"expertise": "smuggling"},
        {"language": "english"},
        {"language": "xq"},
        {"country": "ZZ"},
        {"origin": "not-a-node"},
        {"limit": "0"},
        {"kind": "team"},
    ],
)
def test_search_refuses_bad_filters(client, officer, params) -> None:  # type: ignore[no-untyped-def]
    r = client.get(API, headers=officer, params=params)
    assert r.status_code in (400, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_available_now_across_time_zones_and_rota(node, client, officer, shift_clock) -> None:  # type: ignore[no-untyped-def]
    at(shift_clock, MONDAY_0330Z)
    # Years later: every API token has expired by then; the officer makes a new one.
    officer = renewed_token(node, "liaison@fia.example")
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    rota_start = MONDAY_0330Z.replace(hour=12, minute=0)
    for body in (
        card(name="Karachi desk"),  # 08:00-17:00 Asia/Karachi = 03:00-12:00Z
        card(
            name="Athens desk",
            country="GR",
            availability={
                "timezone": "Europe/Athens",
                "hours": [{"days": weekdays, "from": "08:00", "to": "17:00"}],
            },
        ),
        card(
            name="London night shift",
            country="GB",
            availability={
                "timezone": "Europe/London",
                "hours": [{"days": ["sun"], "from": "22:00", "to": "06:00"}],
            },
        ),
        card(
            name="Rota desk",
            country="TR",
            availability={
                "rota": [
                    {
                        "from": clock.iso(rota_start),
                        "to": clock.iso(rota_start + timedelta(hours=8)),
                        "name": "Sgt. Demir",
                        "phone": "+90 432 555 0101",
                    }
                ]
            },
        ),
        card(name="Always desk", country="AF", availability={"always": True}),
        card(name="Switched off", country="AE", availability={"always": True}, active=False),
    ):
        r = client.post(API, headers=officer, json=body)
        assert r.status_code == 201, r.text

    # Monday 03:30Z: 08:30 in Karachi, 05:30 in Athens, 03:30 in London (Sunday's night shift).
    everyone = client.get(API, headers=officer).json()["items"]
    assert [(i["name"], i["available_now"]) for i in everyone] == [
        # available now first, then by country and name
        ("Always desk", True),
        ("London night shift", True),
        ("Karachi desk", True),
        ("Athens desk", False),
        ("Rota desk", False),
    ]
    assert sorted(names(client.get(API, headers=officer, params={"available_now": "true"}))) == [
        "Always desk",
        "Karachi desk",
        "London night shift",
    ]

    # Monday 12:30Z: Karachi closed (17:30), Athens open (14:30), Sgt. Demir on duty.
    at(shift_clock, MONDAY_0330Z + timedelta(hours=9))
    now = client.get(API, headers=officer, params={"available_now": "true"}).json()["items"]
    assert [i["name"] for i in now] == ["Always desk", "Athens desk", "Rota desk"]
    rota = next(i for i in now if i["name"] == "Rota desk")
    assert rota["available_why"] == "rota"
    assert [s["name"] for s in rota["on_duty"]] == ["Sgt. Demir"]
    assert rota["on_duty"][0]["phone"] == "+904325550101"

    # Monday 20:00Z: the shift ended exactly then; Athens closed (22:00 local).
    at(shift_clock, rota_start + timedelta(hours=8, seconds=1))
    assert names(client.get(API, headers=officer, params={"available_now": "true"})) == [
        "Always desk"
    ]
    # Saturday: the weekday desk in Karachi is closed at 10:00 local.
    at(shift_clock, MONDAY_0330Z + timedelta(days=5, hours=1, minutes=30))
    got = names(client.get(API, headers=officer, params={"available_now": "1", "country": "PK"}))
    assert got == []


def test_update_and_withdrawal_propagate_and_only_the_origin_changes_a_card(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "liaison_officer", "liaison@a.example")
    hb, _ = bearer(b, "liaison_officer", "liaison@b.example")

    # Default audience: every approved peer.
    r = to_a.post(API, headers=ha, json=card())
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["audience"]["nodes"] == [b.id]
    cid = first["id"]
    delivery.push_to(a, b.id, http=to_b)
    seen = to_b.get(API, headers=hb, params={"country": "PK"}).json()["items"]
    assert [(i["id"], i["origin"], i["version"]) for i in seen] == [(cid, a.id, 1)]

    # The partner cannot change or withdraw it; its own cards are its own.
    r = to_b.put(f"{API}/{cid}", headers=hb, json=card(name="Hijacked"))
    assert r.status_code == 403, r.text
    r = to_b.post(f"{API}/{cid}/withdraw", headers=hb, json={"reason": "not yours"})
    assert r.status_code == 403
    assert to_b.get(f"{API}/{cid}", headers=hb).json()["name"] == "Inspector Ayesha Malik"
    own = to_b.post(
        API, headers=hb, json=card(name="Van desk", country="TR", expertise=["liaison"])
    )
    assert own.status_code == 201 and own.json()["audience"]["nodes"] == [a.id]

    # An update by the origin: a new version that replaces the partner's copy.
    r = to_a.put(
        f"{API}/{cid}",
        headers=ha,
        json=card(expertise=["maritime"], availability={"always": True}),
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert r.json()["labels"]["tlp"] == "GREEN"  # labels unchanged when not given
    delivery.push_to(a, b.id, http=to_b)
    got = to_b.get(f"{API}/{cid}", headers=hb).json()
    assert got["version"] == 2 and got["expertise"] == ["maritime"] and got["available_now"]
    assert to_b.get(API, headers=hb, params={"expertise": "document_fraud"}).json()["items"] == []
    maritime = to_b.get(API, headers=hb, params={"expertise": "maritime"}).json()["items"]
    assert [i["id"] for i in maritime] == [cid]

    # Withdrawal propagates: purged from the partner's directory and store.
    r = to_a.post(f"{API}/{cid}/withdraw", headers=ha, json={"reason": "moved to Islamabad"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    delivery.push_to(a, b.id, http=to_b)
    assert cid not in {i["id"] for i in to_b.get(API, headers=hb).json()["items"]}
    gone = to_b.get(f"{API}/{cid}", headers=hb).json()
    assert gone["state"] == "withdrawn" and "name" not in gone
    with b.db.reading() as session:
        assert session.get(ContactRow, __import__("uuid").UUID(cid)) is None
        stored = session.get(StoredRecord, __import__("uuid").UUID(cid))
        assert stored is not None and stored.envelope["body"] is None
    # A withdrawn card can no longer be changed, even by its origin.
    assert to_a.put(f"{API}/{cid}", headers=ha, json=card()).status_code == 404


def test_explicit_audience_must_be_approved_peers(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b = pair
    ha, _ = bearer(a, "liaison_officer", "liaison@a.example")
    r = to_a.post(API, headers=ha, json=card(to=["a" * 26]))
    assert r.status_code in (400, 422) and "not an approved peer" in r.text
    r = to_a.post(API, headers=ha, json=card(to=["somebody"]))
    assert r.status_code in (400, 422)
    assert count(a) == 0 and count(a, ContactRow) == 0
    r = to_a.post(API, headers=ha, json=card(to=[b.id]))
    assert r.status_code == 201 and r.json()["audience"]["nodes"] == [b.id]
    local = to_a.post(API, headers=ha, json=card(to=[]))
    assert local.status_code == 201 and local.json()["audience"]["nodes"] == []


BAD_CARDS: list[tuple[str, dict[str, Any]]] = [
    ("unknown expertise", card(expertise=["smuggling"])),
    ("language name", card(languages=["english"])),
    ("unknown language", card(languages=["xq"])),
    ("three-letter language", card(languages=["urd"])),
    ("unknown time zone", card(availability={"timezone": "Mars/Olympus", "hours": []})),
    (
        "hours without time zone",
        card(availability={"hours": [{"days": ["mon"], "from": "08:00", "to": "17:00"}]}),
    ),
    (
        "24/7 with hours",
        card(
            availability={
                "always": True,
                "timezone": "UTC",
                "hours": [{"days": ["mon"], "from": "08:00", "to": "17:00"}],
            }
        ),
    ),
    (
        "bad hour",
        card(
            availability={
                "timezone": "UTC",
                "hours": [{"days": ["mon"], "from": "8am", "to": "17:00"}],
            }
        ),
    ),
    (
        "unknown day",
        card(
            availability={
                "timezone": "UTC",
                "hours": [{"days": ["monday"], "from": "08:00", "to": "17:00"}],
            }
        ),
    ),
    ("unknown country", card(country="ZZ")),
    ("country name", card(country="Pakistan")),
    (
        "rota to before from",
        card(
            availability={
                "rota": [
                    {"from": "2030-01-07T12:00:00Z", "to": "2030-01-07T08:00:00Z", "name": "X"}
                ]
            }
        ),
    ),
    (
        "rota without time zone",
        card(availability={"rota": [{"from": "2030-01-07T12:00", "to": "2030-01-07T18:00"}]}),
    ),
    ("bad phone", card(channels=[{"kind": "phone", "value": "call me"}])),
    ("bad e-mail", card(channels=[{"kind": "email", "value": "nobody"}])),
    ("unknown channel", card(channels=[{"kind": "pigeon", "value": "loft 3"}])),
    ("oversized notes", card(notes="x" * 5001)),
    ("oversized name", card(name="x" * 201)),
    ("too many channels", card(channels=[{"kind": "other", "value": "x"}] * 21)),
    ("unknown field", card(nickname="Ayi")),
    ("unknown kind", card(kind="team")),
    ("RED without recipients", card(tlp="RED")),
]


@pytest.mark.parametrize("what,body", BAD_CARDS, ids=[w for w, _ in BAD_CARDS])
def test_bad_cards_store_nothing(node, client, officer, what, body) -> None:  # type: ignore[no-untyped-def]
    r = client.post(API, headers=officer, json=body)
    assert r.status_code in (400, 422), f"{what}: {r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert count(node) == 0 and count(node, ContactRow) == 0


def test_bad_update_keeps_the_card(node, client, officer) -> None:  # type: ignore[no-untyped-def]
    cid = client.post(API, headers=officer, json=card()).json()["id"]
    for _what, body in BAD_CARDS[:5]:
        assert client.put(f"{API}/{cid}", headers=officer, json=body).status_code in (400, 422)
    got = client.get(f"{API}/{cid}", headers=officer).json()
    assert got["version"] == 1 and got["expertise"] == ["document_fraud", "investigations"]
    r = client.post(f"{API}/{cid}/withdraw", headers=officer, json={"reason": ""})
    assert r.status_code == 422
    assert client.get(f"{API}/{cid}", headers=officer).json()["state"] == "active"


def test_permissions(node, client, officer, token_for) -> None:  # type: ignore[no-untyped-def]
    viewer = token_for("viewer")
    assert client.post(API, headers=viewer, json=card()).status_code == 403
    cid = client.post(API, headers=officer, json=card()).json()["id"]
    assert client.get(API, headers=viewer).json()["items"][0]["id"] == cid
    assert client.put(f"{API}/{cid}", headers=viewer, json=card()).status_code == 403
    assert client.get(API).status_code == 401
    # A protection card is never shown to enforcement roles.
    protection = bearer(node, "protection_officer", "protect@fia.example")[0]
    r = client.post(API, headers=protection, json=card(name="Shelter desk", purpose="protection"))
    assert r.status_code == 201, r.text
    investigator = bearer(node, "investigator", "inv@fia.example")[0]
    assert names(client.get(API, headers=investigator)) == ["Inspector Ayesha Malik"]
    assert client.get(f"{API}/{r.json()['id']}", headers=investigator).status_code == 404
    assert "Shelter desk" in names(client.get(API, headers=protection))
