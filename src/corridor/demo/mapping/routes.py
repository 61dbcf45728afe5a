"""The demo's two smuggling routes, Pakistan → Iran → Türkiye → Greece and Pakistan → UAE →
Libya → Italy, recorded by pk-fia for every partner. The places are real, the notes fictional."""

from __future__ import annotations

from typing import Any

from corridor.demo.seeding import DemoApi

EASTERN = "eastern"
CENTRAL = "central"

# (lon, lat) of the hubs; the points are approximate and only serve to draw the routes.
QUETTA = {"country": "PK", "hub": "Quetta", "point": [66.99, 30.18]}
ZAHEDAN = {"country": "IR", "hub": "Zahedan (via Taftan)", "point": [60.86, 29.49]}
VAN = {"country": "TR", "hub": "Van", "point": [43.38, 38.49]}
ISTANBUL = {"country": "TR", "hub": "Istanbul", "point": [28.98, 41.01]}
EVROS = {"country": "GR", "hub": "Evros (from Edirne)", "point": [26.29, 40.94]}
AYVALIK = {"country": "TR", "hub": "Ayvalık coast", "point": [26.69, 39.32]}
LESVOS = {"country": "GR", "hub": "Lesvos", "point": [26.3, 39.2]}
LAHORE = {"country": "PK", "hub": "Lahore / Karachi", "point": [74.35, 31.55]}
DUBAI = {"country": "AE", "hub": "Dubai", "point": [55.27, 25.2]}
BENGHAZI = {"country": "LY", "hub": "Benghazi", "point": [20.07, 32.12]}
TOBRUK = {"country": "LY", "hub": "Tobruk", "point": [23.96, 32.08]}
ZUWARA = {"country": "LY", "hub": "Zuwara", "point": [12.08, 32.93]}
SICILY = {"country": "IT", "hub": "Sicily (Augusta)", "point": [15.22, 37.23]}
LAMPEDUSA = {"country": "IT", "hub": "Lampedusa", "point": [12.6, 35.5]}


def _leg(start: dict[str, Any], end: dict[str, Any], mode: str, note: str) -> dict[str, Any]:
    return {"from": start, "to": end, "mode": mode, "note": note}


ROUTES: dict[str, dict[str, Any]] = {
    EASTERN: {
        "name": "Pakistan – Iran – Türkiye – Greece",
        "description": "Overland from Balochistan through Sistan-Baluchestan to Van, on to "
        "Istanbul, then across the Evros or by sea to the Aegean islands. Fictional demo data.",
        "legs": [
            _leg(QUETTA, ZAHEDAN, "land", "Pick-ups to Taftan, on foot across the border."),
            _leg(ZAHEDAN, VAN, "land", "Buses and lorries to Urmia, on foot into Van province."),
            _leg(VAN, ISTANBUL, "land", "Long-distance coaches with forged travel permits."),
            _leg(ISTANBUL, EVROS, "land", "Taxis to Edirne, crossings of the river at night."),
            _leg(AYVALIK, LESVOS, "sea", "Inflatable boats from the coast north of Ayvalık."),
        ],
    },
    CENTRAL: {
        "name": "Pakistan – UAE – Libya – Italy",
        "description": "Flights from Lahore or Karachi through Dubai to Benghazi on visit "
        "visas, then by sea from eastern or western Libya to Italy. Fictional demo data.",
        "legs": [
            _leg(LAHORE, DUBAI, "air", "Visit visas bought as a package with the ticket."),
            _leg(DUBAI, BENGHAZI, "air", "Charter and scheduled flights into eastern Libya."),
            _leg(BENGHAZI, TOBRUK, "land", "Held in warehouses until a boat is full."),
            _leg(TOBRUK, SICILY, "sea", "Large fishing boats with several hundred people."),
            _leg(BENGHAZI, ZUWARA, "land", "Transfers across Libya by road."),
            _leg(ZUWARA, LAMPEDUSA, "sea", "Small metal boats from the western coast."),
        ],
    },
}


def seed_routes(pk: DemoApi | None, to: list[str]) -> dict[str, str]:
    """The two routes, by pk-fia (when it runs); returns their ids by route key."""
    if pk is None:
        return {}
    return {
        key: str(pk.call("POST", "/api/v1/routes", json={**route, "tlp": "GREEN", "to": to})["id"])
        for key, route in ROUTES.items()
    }
