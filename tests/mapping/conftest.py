"""Fixtures for the mapping module: a route along the Eastern Mediterranean corridor and an
analyst who records challenges."""

from __future__ import annotations

import pytest

EASTERN_ROUTE = {
    "name": "Pakistan – Iran – Türkiye – Greece",
    "description": "Overland via Balochistan and Sistan-Baluchestan, Van, Istanbul, Evros.",
    "legs": [
        {
            "from": {"country": "PK", "hub": "Quetta", "point": [66.99, 30.18]},
            "to": {"country": "IR", "hub": "Zahedan", "point": [60.86, 29.49]},
            "mode": "land",
        },
        {
            "from": {"country": "IR", "hub": "Zahedan", "point": [60.86, 29.49]},
            "to": {"country": "TR", "hub": "Van", "point": [43.38, 38.49]},
            "mode": "land",
        },
        {
            "from": {"country": "TR", "hub": "Istanbul", "point": [28.98, 41.01]},
            "to": {"country": "GR", "hub": "Evros", "point": [26.3, 41.1]},
            "mode": "land",
        },
    ],
}


def challenge(**over):  # type: ignore[no-untyped-def]
    body = {
        "title": "Forged Schengen visas sold in Quetta",
        "description": "Print shops produce counterfeit visa vignettes.",
        "theme": "fraudulent_documents",
        "countries": ["PK", "IR"],
        "severity": "high",
        "trend": "increasing",
        "status": "open",
        "identified": "2026-09-01",
        "tlp": "GREEN",
    }
    body.update(over)
    return body


@pytest.fixture
def analyst(token_for):  # type: ignore[no-untyped-def]
    return token_for("analyst", scopes=("read", "write"))


@pytest.fixture
def route(client, analyst):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/routes", headers=analyst, json={**EASTERN_ROUTE, "tlp": "GREEN"})
    assert r.status_code == 201, r.text
    return r.json()
