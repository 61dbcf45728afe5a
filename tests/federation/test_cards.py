from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from corridor import clock
from corridor.errors import InvalidInput, SignatureInvalid
from corridor.federation.cards import json_file, parse_card_file, verify_chain, verify_successor
from corridor.keys import b64u, fingerprint, generate
from corridor.records import envelope as env
from tests.federation.conftest import card_text


def rotated(node, tmp_path):  # type: ignore[no-untyped-def]
    """A second card version announcing a new key, signed by the node's current key."""
    v1 = json.loads(card_text(node))
    new = generate(tmp_path / "new-keys")
    fields = {
        **env.unsigned(v1),
        "version": 2,
        "seq": v1["seq"] + 100,
        "ts": clock.iso(clock.now()),
        "body": {
            **v1["body"],
            "signing_key": b64u(new.signing_public),
            "exchange_key": b64u(new.exchange_public),
            "fingerprint": fingerprint(new.signing_public),
        },
    }
    return v1, env.sign(fields, node.keys), new


def test_a_card_is_self_certifying(other_node) -> None:  # type: ignore[no-untyped-def]
    card = verify_chain(parse_card_file(card_text(other_node)))
    assert card.node_id == other_node.id and card.body.country == "TR"
    assert card.body.fingerprint == other_node.fingerprint


def test_a_tampered_card_is_refused(other_node) -> None:  # type: ignore[no-untyped-def]
    card = json.loads(card_text(other_node))
    forged = copy.deepcopy(card)
    forged["body"]["url"] = "https://attacker.example"
    with pytest.raises(SignatureInvalid):
        verify_chain([forged])


def test_a_card_with_someone_elses_key_is_refused(other_node, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # An attacker re-signs the card with their own key but keeps the victim's node id.
    mallory = generate(tmp_path / "mallory")
    card = json.loads(card_text(other_node))
    fields = {
        **env.unsigned(card),
        "origin": mallory.node_id,
        "body": {**card["body"], "signing_key": b64u(mallory.signing_public)},
    }
    resigned = env.sign(fields, mallory)
    resigned["origin"] = other_node.id
    with pytest.raises(SignatureInvalid):
        verify_chain([resigned])


def test_key_rotation_signed_by_the_old_key(other_node, tmp_path) -> None:  # type: ignore[no-untyped-def]
    v1, v2, new = rotated(other_node, tmp_path)
    latest = verify_chain([v1, v2])
    assert latest.version == 2 and latest.signing_key == new.signing_public
    # The same rotation signed by the *new* key is refused.
    forged = env.sign(
        env.unsigned(v2), type(other_node.keys)(new.signing, new.exchange, other_node.id)
    )
    with pytest.raises(SignatureInvalid):
        verify_successor(verify_chain([v1]), forged)


def test_expired_and_malformed_cards(other_node, shift_clock) -> None:  # type: ignore[no-untyped-def]
    text = card_text(other_node)
    for bad in ("", "not json", "[]", "[1]", json.dumps({"type": "node.card"}), "{" * 70000):
        with pytest.raises(InvalidInput):
            verify_chain(parse_card_file(bad))
    shift_clock(timedelta(days=800))
    with pytest.raises(InvalidInput) as exc:
        verify_chain(parse_card_file(text))
    assert "expired" in exc.value.detail


def test_a_file_handed_to_the_node_is_small_json() -> None:
    assert json_file(b'{"a": 1}', limit=10, too_large="too big", what="bundle") == {"a": 1}
    with pytest.raises(InvalidInput, match=r"^too big$"):
        json_file(b'{"a": 100000}', limit=10, too_large="too big", what="bundle")
    with pytest.raises(InvalidInput, match=r"^the bundle is not JSON: "):
        json_file(b"{a", limit=10, too_large="too big", what="bundle")
