"""The mapping service itself: the network view's filters and order, who sees which challenge
(TLP:RED recipients, purpose), withdrawal, changes only by the origin, map tallies and exports."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import pytest

from corridor import clock
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.federation import delivery
from corridor.mapping import geo
from corridor.mapping.challenges import exports
from corridor.mapping.challenges import service as challenges
from corridor.mapping.challenges.records import CHALLENGE
from corridor.mapping.map import service as the_map
from corridor.mapping.routes import service as routes
from corridor.mapping.routes.records import ROUTE
from corridor.records import owned as mapping
from corridor.records.flow import FlowRefused
from corridor.records.labels import Labels
from corridor.security import service as security
from corridor.security.principal import SYSTEM, Principal
from tests.conftest import PASSWORD
from tests.mapping.conftest import EASTERN_ROUTE, challenge


def body(**over: Any) -> dict[str, Any]:
    data = challenge(**over)
    data.pop("tlp", None)  # a label, not part of the body
    return data


def save(node, actor: Principal, labels: Labels | None = None, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    to = over.pop("to", None)
    with node.db.transaction() as session:
        return challenges.save_challenge(
            session,
            node.keys,
            actor=actor,
            body=body(**over),
            labels=labels or Labels(tlp="GREEN"),
            to=to,
        )


def save_route(node, actor: Principal, labels: Labels | None = None, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return routes.save_route(
            session,
            node.keys,
            actor=actor,
            body={**EASTERN_ROUTE, **over},
            labels=labels or Labels(tlp="GREEN"),
        )


def titles(node, actor: Principal, **filters: Any) -> list[str]:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        rows = challenges.list_challenges(
            session, node.id, actor=actor, filters=challenges.Filters(**filters)
        )
        return [r.title for r in rows]


@pytest.fixture
def analyst(make_user) -> Principal:  # type: ignore[no-untyped-def]
    return make_user("analyst")


@pytest.fixture
def four(node, analyst) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Four challenges along the Eastern route and the central Mediterranean."""
    route = save_route(node, analyst)
    ref = route["id"]
    return {
        "route": route,
        "forged": save(
            node,
            analyst,
            title="Forged visas",
            routes=[{"route": ref, "legs": [0]}],
            identified="2026-09-01",
        ),
        "adverts": save(
            node,
            analyst,
            title="Online adverts",
            theme="digital_smuggling",
            severity="critical",
            status="monitoring",
            countries=["TUR"],
            identified="2026-03-01",
        ),
        "boats": save(
            node,
            analyst,
            title="Boat departures",
            theme="border_vulnerabilities",
            severity="low",
            status="resolved",
            countries=["LY", "IT"],
            identified=None,
        ),
        "aegean": save(
            node,
            analyst,
            title="Aegean pushbacks",
            theme="victim_protection",
            severity="high",
            status="being_addressed",
            countries=["GR", "TR"],
            routes=[{"route": ref, "legs": [2]}],
            identified="2026-06-15",
        ),
    }


def test_list_filters_combine_and_order_by_severity(node, analyst, four) -> None:  # type: ignore[no-untyped-def]
    # Most severe first, then by title.
    assert titles(node, analyst) == [
        "Online adverts",
        "Aegean pushbacks",
        "Forged visas",
        "Boat departures",
    ]
    assert titles(node, analyst, themes=("digital_smuggling", "fraudulent_documents")) == [
        "Online adverts",
        "Forged visas",
    ]
    assert titles(node, analyst, severities=("high",)) == ["Aegean pushbacks", "Forged visas"]
    assert titles(node, analyst, statuses=("resolved", "monitoring")) == [
        "Online adverts",
        "Boat departures",
    ]
    assert titles(node, analyst, country="TR") == ["Online adverts", "Aegean pushbacks"]
    assert titles(node, analyst, country="TR", themes=("victim_protection",)) == [
        "Aegean pushbacks"
    ]
    route_id = uuid.UUID(four["route"]["id"])
    assert titles(node, analyst, route=route_id) == ["Aegean pushbacks", "Forged visas"]
    assert titles(node, analyst, route=uuid.uuid4()) == []
    assert len(titles(node, analyst, origin=node.id)) == 4
    assert titles(node, analyst, origin="a" * 26) == []
    # Dates: the day it was identified, else the day of its last change.
    assert titles(node, analyst, until=date(2026, 6, 30)) == ["Online adverts", "Aegean pushbacks"]
    assert titles(node, analyst, since=date(2026, 6, 15), until=date(2026, 9, 1)) == [
        "Aegean pushbacks",
        "Forged visas",
    ]
    today = clock.now().date()
    assert "Boat departures" in titles(node, analyst, since=today)
    assert "Forged visas" not in titles(node, analyst, since=today)


def test_visibility_by_red_recipients_and_purpose(node, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user("analyst")
    named = make_user("analyst")
    in_unit = make_user("investigator", unit="Maritime unit")
    other = make_user("analyst")
    viewer = make_user("viewer")
    protection = make_user("protection_officer")
    red = save(
        node,
        author,
        Labels(
            tlp="RED",
            recipients=[f"user:{named.handle}", f"unit:{in_unit.unit_handle}@{node.id}"],
        ),
        title="Corrupt official at the crossing",
    )
    enforcement = save(
        node, author, Labels(tlp="AMBER", purpose="enforcement"), title="Smuggler network"
    )
    victims = save(
        node,
        protection,
        Labels(tlp="AMBER", purpose="protection"),
        title="Unaccompanied minors in Van",
        theme="victim_protection",
    )
    everyone = save(node, author, title="Visa fraud")

    def sees(actor: Principal) -> set[str]:
        return set(titles(node, actor))

    assert sees(author) == {"Corrupt official at the crossing", "Smuggler network", "Visa fraud"}
    assert "Corrupt official at the crossing" in sees(named)
    assert "Corrupt official at the crossing" in sees(in_unit)
    assert sees(other) == {"Smuggler network", "Visa fraud"}
    # Viewers see neither enforcement nor protection data; protection officers see theirs only.
    assert sees(viewer) == {"Visa fraud"}
    assert sees(protection) == {"Unaccompanied minors in Van", "Visa fraud"}
    assert "Unaccompanied minors in Van" not in sees(author)

    with node.db.transaction() as session:
        for actor, env in ((other, red), (viewer, enforcement), (author, victims)):
            with pytest.raises(NotFound):
                mapping.get_record(
                    session,
                    node.id,
                    actor=actor,
                    type=CHALLENGE,
                    record_id=uuid.UUID(env["id"]),
                )
        got = mapping.get_record(
            session, node.id, actor=named, type=CHALLENGE, record_id=uuid.UUID(red["id"])
        )
        assert got["body"]["title"] == "Corrupt official at the crossing"
        # A record is only found as its own type.
        with pytest.raises(NotFound):
            mapping.get_record(
                session, node.id, actor=author, type=ROUTE, record_id=uuid.UUID(everyone["id"])
            )
    # The map is built from the same check: no tally betrays a challenge one may not see.
    with node.db.reading() as session:
        data = the_map.map_data(session, node.id, actor=other)
    assert data["countries"]["PK"]["count"] == 2
    assert {c["title"] for c in data["challenges"]} == {"Smuggler network", "Visa fraud"}
    # A user may not write data of a purpose their role may not see.
    with pytest.raises(PermissionDenied):
        save(node, author, Labels(tlp="GREEN", purpose="protection"))


def test_a_red_route_is_no_reference_for_those_who_cannot_see_it(node, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user("analyst")
    other = make_user("analyst")
    hidden = save_route(node, author, Labels(tlp="RED", recipients=[f"user:{author.handle}"]))
    with pytest.raises(InvalidInput, match="no route"):
        save(node, other, routes=[{"route": hidden["id"], "legs": [0]}])
    with pytest.raises(InvalidInput, match="has 3 legs; no leg 5"):
        save(node, author, routes=[{"route": hidden["id"], "legs": [0, 5]}])
    with pytest.raises(InvalidInput, match="no route"):
        save(node, author, routes=[{"route": str(uuid.uuid4()), "legs": []}])
    assert titles(node, author) == []
    # The route is RED: a challenge citing it is RED for the same people (the flow rule).
    with pytest.raises(FlowRefused, match="tlp: 'Pakistan"):
        save(node, author, routes=[{"route": hidden["id"], "legs": [2, 0, 2]}])
    red = Labels(tlp="RED", recipients=[f"user:{author.handle}"])
    saved = save(node, author, red, routes=[{"route": hidden["id"], "legs": [2, 0, 2]}])
    assert saved["body"]["routes"] == [{"route": hidden["id"], "legs": [0, 2]}]
    widened = Labels(tlp="RED", recipients=[f"user:{author.handle}", f"user:{other.handle}"])
    with pytest.raises(FlowRefused, match="recipients"):
        save(node, author, widened, routes=[{"route": hidden["id"], "legs": [0]}])


def test_route_stops_need_a_point_where_the_map_has_no_outline(node, analyst) -> None:  # type: ignore[no-untyped-def]
    legs = [{"from": {"country": "GI", "hub": "Gibraltar"}, "to": {"country": "MA"}}]
    with pytest.raises(InvalidInput, match="GI has no outline on the map"):
        save_route(node, analyst, name="Strait", legs=legs)
    legs[0]["from"]["point"] = [-5.35, 36.14]
    route = save_route(node, analyst, name="Strait", legs=legs)
    with node.db.reading() as session:
        (row,) = routes.list_routes(session, node.id, actor=analyst)
        view = routes.route_view(row)
    assert route["body"]["legs"][0]["mode"] == "land"
    # The stop without a point is drawn at its country's representative point.
    assert view["legs"][0]["to"]["point"] == list(geo.countries()["MA"].point)
    assert view["countries"] == ["GI", "MA"]


def test_update_keeps_labels_and_audience_unless_given(node, analyst) -> None:  # type: ignore[no-untyped-def]
    first = save(node, analyst, Labels(tlp="AMBER", handling="H2"))
    with node.db.transaction() as session:
        second = challenges.save_challenge(
            session,
            node.keys,
            actor=analyst,
            body=body(severity="critical"),
            record_id=uuid.UUID(first["id"]),
        )
    assert second["version"] == 2 and second["id"] == first["id"]
    assert second["labels"]["tlp"] == "AMBER" and second["labels"]["handling"] == "H2"
    assert second["audience"] == first["audience"]
    with node.db.reading() as session:
        (row,) = challenges.list_challenges(session, node.id, actor=analyst)
    assert row.severity == "critical" and row.version == 2


def test_withdraw(node, analyst, make_user) -> None:  # type: ignore[no-untyped-def]
    env = save(node, analyst)
    rid = uuid.UUID(env["id"])
    viewer = make_user("viewer")
    with node.db.transaction() as session, pytest.raises(PermissionDenied):
        mapping.withdraw(
            session, node.keys, actor=viewer, type=CHALLENGE, record_id=rid, reason="no"
        )
    with node.db.transaction() as session, pytest.raises(NotFound):
        mapping.withdraw(session, node.keys, actor=analyst, type=ROUTE, record_id=rid, reason="x")
    with node.db.transaction() as session, pytest.raises(InvalidInput, match="needs a reason"):
        mapping.withdraw(
            session, node.keys, actor=analyst, type=CHALLENGE, record_id=rid, reason="  "
        )
    assert titles(node, analyst) == ["Forged Schengen visas sold in Quetta"]

    with node.db.transaction() as session:
        gone = mapping.withdraw(
            session, node.keys, actor=analyst, type=CHALLENGE, record_id=rid, reason="duplicate"
        )
    assert gone["version"] == 2 and gone["body"] is None
    assert gone["tombstone"] == {"reason": "duplicate"}
    assert titles(node, analyst) == []
    with node.db.transaction() as session:
        kept = mapping.get_record(session, node.id, actor=analyst, type=CHALLENGE, record_id=rid)
        assert kept["body"] is None
    with node.db.transaction() as session, pytest.raises(Conflict):
        mapping.withdraw(
            session, node.keys, actor=analyst, type=CHALLENGE, record_id=rid, reason="again"
        )
    with node.db.transaction() as session, pytest.raises(Conflict):
        challenges.save_challenge(session, node.keys, actor=analyst, body=body(), record_id=rid)


def _partner_user(node, role: str, email: str) -> Principal:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        user = security.create_user(
            session, actor=SYSTEM, email=email, role=role, password=PASSWORD
        )
        return security.principal_for(user, kind="session")


def test_only_the_origin_changes_or_withdraws(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _to_a, to_b = pair
    author = _partner_user(a, "analyst", "analyst@a.example")
    receiver = _partner_user(b, "analyst", "analyst@b.example")
    with a.db.transaction() as session:
        route = routes.save_route(
            session,
            a.keys,
            actor=author,
            body=EASTERN_ROUTE,
            labels=Labels(tlp="GREEN"),
            to=[b.id],
        )
    env = save(a, author, to=[b.id], routes=[{"route": route["id"], "legs": [1]}])
    delivery.push_to(a, b.id, http=to_b)
    assert titles(b, receiver) == ["Forged Schengen visas sold in Quetta"]

    rid = uuid.UUID(env["id"])
    with b.db.transaction() as session, pytest.raises(PermissionDenied, match="only the node"):
        challenges.save_challenge(
            session,
            b.keys,
            actor=receiver,
            body=body(status="resolved"),
            record_id=rid,
        )
    with b.db.transaction() as session, pytest.raises(PermissionDenied, match="only the node"):
        mapping.withdraw(session, b.keys, actor=receiver, type=CHALLENGE, record_id=rid, reason="x")
    with b.db.transaction() as session, pytest.raises(PermissionDenied, match="only the node"):
        routes.save_route(
            session,
            b.keys,
            actor=receiver,
            body={**EASTERN_ROUTE, "name": "Renamed"},
            record_id=uuid.UUID(route["id"]),
        )
    with b.db.reading() as session:
        (row,) = challenges.list_challenges(session, b.id, actor=receiver)
        assert row.version == 1 and row.status == "open" and row.origin == a.id
        assert [r.name for r in routes.list_routes(session, b.id, actor=receiver)] == [
            EASTERN_ROUTE["name"]
        ]
    # The receiver may cite the partner's route in a challenge of its own.
    own = save(b, receiver, title="Van crossings", routes=[{"route": route["id"], "legs": [1]}])
    assert own["origin"] == b.id
    assert set(titles(b, receiver, route=uuid.UUID(route["id"]))) == {
        "Forged Schengen visas sold in Quetta",
        "Van crossings",
    }
    assert titles(b, receiver, origin=a.id) == ["Forged Schengen visas sold in Quetta"]


def test_map_data_tallies(node, analyst, four) -> None:  # type: ignore[no-untyped-def]
    spare = save_route(node, analyst, name="Pakistan – Libya – Italy")
    with node.db.reading() as session:
        data = the_map.map_data(session, node.id, actor=analyst)
        fraud = the_map.map_data(
            session,
            node.id,
            actor=analyst,
            filters=challenges.Filters(themes=("fraudulent_documents",)),
        )
        one_route = the_map.map_data(
            session,
            node.id,
            actor=analyst,
            filters=challenges.Filters(route=uuid.UUID(four["route"]["id"])),
        )
    assert data["countries"]["TR"] == {
        "count": 2,
        "max_severity": "critical",
        "themes": {"digital_smuggling": 1, "victim_protection": 1},
    }
    assert data["countries"]["PK"] == {
        "count": 1,
        "max_severity": "high",
        "themes": {"fraudulent_documents": 1},
    }
    assert data["countries"]["LY"]["max_severity"] == "low"
    assert set(data["countries"]) == {"PK", "IR", "TR", "GR", "LY", "IT"}
    per_route = {r["id"]: r["challenges"] for r in data["routes"]}
    assert per_route == {four["route"]["id"]: 2, spare["id"]: 0}
    assert len(data["challenges"]) == 4 and data["filters"]["theme"] == []

    assert set(fraud["countries"]) == {"PK", "IR"}
    assert [c["title"] for c in fraud["challenges"]] == ["Forged visas"]
    assert fraud["filters"]["theme"] == ["fraudulent_documents"]
    # Filtering by a route keeps only that route and the challenges on it.
    assert [r["id"] for r in one_route["routes"]] == [four["route"]["id"]]
    assert {c["title"] for c in one_route["challenges"]} == {"Forged visas", "Aegean pushbacks"}
    assert one_route["routes"][0]["legs"][0]["from"]["point"] == [66.99, 30.18]


def test_exports(node, analyst) -> None:  # type: ignore[no-untyped-def]
    route = save_route(node, analyst)
    save(
        node,
        analyst,
        title='=HYPERLINK("https://evil.example")',
        owner="@unit",
        routes=[{"route": route["id"], "legs": [0]}],
        locations=[{"name": "Taftan", "geometry": {"type": "Point", "coordinates": [61.6, 28.96]}}],
    )
    save(
        node,
        analyst,
        title="Two places",
        countries=["TR"],
        locations=[
            {"name": "Van", "geometry": {"type": "Point", "coordinates": [43.38, 38.49]}},
            {
                "name": "Border",
                "geometry": {"type": "LineString", "coordinates": [[44.0, 39.0], [44.2, 39.4]]},
            },
        ],
    )
    save(node, analyst, title="Nowhere drawn", countries=["GR", "IT"], severity="low")
    with node.db.reading() as session:
        rows = challenges.list_challenges(session, node.id, actor=analyst)
        drawn = routes.list_routes(session, node.id, actor=analyst)
    names = {str(r.id): r.name for r in drawn}

    table = list(csv.reader(io.StringIO(exports.export_csv(rows, names))))
    assert tuple(table[0]) == exports.CSV_COLUMNS
    by_title = {r[1]: dict(zip(exports.CSV_COLUMNS, r, strict=True)) for r in table[1:]}
    # A cell a spreadsheet would run as a formula is defused.
    evil = by_title['\'=HYPERLINK("https://evil.example")']
    assert evil["owner"] == "'@unit" and evil["countries"] == "PK IR"
    assert evil["routes"] == EASTERN_ROUTE["name"] and evil["locations"] == "1"
    assert by_title["Two places"]["locations"] == "2"
    assert len(table) == 4

    collection = exports.export_geojson(rows, drawn)
    assert collection["type"] == "FeatureCollection"
    features = {
        f["properties"].get("title") or f["properties"]["name"]: f for f in collection["features"]
    }
    assert features['=HYPERLINK("https://evil.example")']["geometry"] == {
        "type": "Point",
        "coordinates": [61.6, 28.96],
    }
    assert features["Two places"]["geometry"]["type"] == "GeometryCollection"
    assert len(features["Two places"]["geometry"]["geometries"]) == 2
    known = geo.countries()
    assert features["Nowhere drawn"]["geometry"] == {
        "type": "MultiPoint",
        "coordinates": [list(known["GR"].point), list(known["IT"].point)],
    }
    assert "locations" not in features["Nowhere drawn"]["properties"]
    assert features["Nowhere drawn"]["properties"]["kind"] == "challenge"
    drawn = features[EASTERN_ROUTE["name"]]
    assert drawn["properties"]["kind"] == "route"
    assert drawn["geometry"]["type"] == "MultiLineString"
    assert drawn["geometry"]["coordinates"][2] == [[28.98, 41.01], [26.3, 41.1]]
