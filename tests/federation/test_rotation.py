from __future__ import annotations

import json
import stat

from corridor import keys as keymod
from corridor.federation import delivery, rotation
from corridor.federation.bundles import export_bundle, import_bundle
from corridor.federation.models import Peer
from corridor.node.service import open_node
from corridor.security.principal import CLI
from tests.federation.conftest import note


def test_rotation_keeps_the_id_and_peers_follow(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    before = note(a, [b.id], "signed with the old key")
    old_public, old_id = a.keys.signing_public, a.id
    card = rotation.rotate(a, actor=CLI)
    assert a.id == old_id and a.keys.signing_public != old_public
    assert card["version"] == 2 and card["audience"]["nodes"] == [b.id]
    retired = list(a.config.keys_dir.glob("signing.key.retired-*"))
    assert len(retired) == 1 and stat.S_IMODE(retired[0].stat().st_mode) == 0o600
    # B learns the new key from A's card chain, checked against the key it held.
    assert rotation.refresh_card(b, a.id, http=to_a)
    with b.db.transaction() as session:
        peer = session.get(Peer, a.id)
        assert peer is not None and peer.card_version == 2
        assert keymod.unb64u(peer.signing_key) == a.keys.signing_public
    after = note(a, [b.id], "signed with the new key")
    assert delivery.push_to(a, b.id, http=to_b) == 3  # old record, new card, new record
    # A bundle of records signed before and after the rotation verifies at B.
    data = json.dumps(export_bundle(a, actor=CLI, to=b.id)).encode()
    assert set(import_bundle(b, actor=CLI, data=data)) == {"duplicate"}
    assert before["id"] != after["id"]


def test_a_pushed_rotated_card_updates_the_peer(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _to_b = pair
    old_keys = a.keys
    rotation.rotate(a, actor=CLI)
    # Deliver the new card signed by the old key as the receiver's inbox would see it.
    delivery.receive_items(
        b,
        a.id,
        delivery.parse_batch(
            json.dumps(
                {"items": [{"position": 1, "record": json.loads(json.dumps(_latest_card(a)))}]}
            ).encode()
        ).items,
    )
    with b.db.transaction() as session:
        peer = session.get(Peer, a.id)
        assert peer is not None and peer.card_version == 2
        assert keymod.unb64u(peer.past_keys[0]) == old_keys.signing_public


def _latest_card(node):  # type: ignore[no-untyped-def]
    from corridor.federation.cards import own_card_chain

    with node.db.transaction() as session:
        return own_card_chain(session, node.id)[-1]


def test_an_interrupted_rotation_is_finished_or_dropped(other_node) -> None:  # type: ignore[no-untyped-def]
    keys_dir = other_node.config.keys_dir
    keymod.write_pending(keys_dir, other_node.id)  # crash before the new card committed
    data_dir = other_node.config.data_dir
    other_node.close()
    reopened = open_node(data_dir)
    try:
        assert keymod.pending_public(keys_dir) is None
        assert reopened.keys.signing_public == other_node.keys.signing_public
    finally:
        reopened.close()


def test_rotate_key_cli(other_node) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from corridor.cli.main import app

    d = str(other_node.config.data_dir)
    other_node.close()
    r = CliRunner().invoke(app, ["node", "rotate-key", "--yes", "--data-dir", d])
    assert r.exit_code == 0 and "card version 2" in r.output
    card = json.loads(CliRunner().invoke(app, ["node", "card", "--data-dir", d]).stdout)
    assert [c["version"] for c in card] == [1, 2]  # the chain a new peer needs
