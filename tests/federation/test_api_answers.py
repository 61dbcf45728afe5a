"""The peering API's answers (/api/v1/node/card, peers, sharing groups) are what the OpenAPI
document says they are; the node's card is answered as signed, byte for byte."""

from __future__ import annotations

import json

from corridor.federation.cards import own_card_chain
from corridor.records.envelope import verify
from tests.federation.conftest import card_text
from tests.web.test_api_answers import assert_documented


def test_every_peering_answer_matches_its_response_model(
    client, token_for, node, other_node
) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").json()
    h = token_for("administrator", ("read", "write", "admin"))
    card = client.get("/api/v1/node/card", headers=h)
    imported = client.post(
        "/api/v1/peers", headers=h, json={"card": json.loads(card_text(other_node))}
    )
    approved = client.post(
        f"/api/v1/peers/{other_node.id}/state", headers=h, json={"state": "approved"}
    )
    assert_documented(document, card, imported, approved, client.get("/api/v1/peers", headers=h))
    with node.db.reading() as session:
        assert card.json() == own_card_chain(session, node.id)[0]
    verify(card.json(), node.keys.signing_public)


def test_group_answers_match_their_response_models(pair, token_for) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    h = token_for("administrator", ("read", "write", "admin"))
    document = to_a.get("/api/v1/openapi.json").json()
    created = to_a.post("/api/v1/groups", headers=h, json={"name": "Aegean", "members": [b.id]})
    gid = created.json()["id"]
    changed = to_a.put(f"/api/v1/groups/{gid}/members", headers=h, json={"members": []})
    listed = to_a.get("/api/v1/groups", headers=h)
    assert_documented(document, created, changed, listed)
    assert listed.json() == {
        "items": [
            {
                "id": gid,
                "version": 2,
                "owner": a.id,
                "own": True,
                "name": "Aegean",
                "description": "",
                "members": [a.id],
            }
        ]
    }
