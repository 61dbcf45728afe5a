from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from corridor.audit.models import AuditEntry
from corridor.errors import InvalidInput, NotFound, PermissionDenied, SignatureInvalid
from corridor.federation import peers as peering
from corridor.federation.models import Peer
from corridor.keys import unb64u
from corridor.security.principal import CLI
from tests.federation.conftest import card_text
from tests.federation.test_cards import rotated


def add(node, text, **kw):  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        peer = peering.add_peer(session, actor=CLI, own_node_id=node.id, card_file=text, **kw)
        return peer.node_id, peer.state


def test_import_then_approve(node, other_node) -> None:  # type: ignore[no-untyped-def]
    node_id, state = add(node, card_text(other_node))
    assert node_id == other_node.id and state == "pending"
    with node.db.transaction() as session:
        assert peering.verification_keys(session, node_id) == []  # not approved: no traffic
        peering.set_state(session, actor=CLI, node_id=node_id, state="approved")
    with node.db.transaction() as session:
        assert peering.verification_keys(session, node_id) == [other_node.keys.signing_public]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == node_id)
        ).all()
    assert actions == ["peer.add", "peer.approve"]


def test_reimport_is_refused_unless_newer(node, other_node) -> None:  # type: ignore[no-untyped-def]
    add(node, card_text(other_node), approve=True)
    with node.db.transaction() as session:  # the very same card: nothing to do
        peering.add_peer(session, actor=CLI, own_node_id=node.id, card_file=card_text(other_node))
    with pytest.raises(InvalidInput):
        add(node, card_text(node))  # our own card


def test_rotation_keeps_the_old_key_for_old_records(node, other_node, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add(node, card_text(other_node), approve=True)
    _, v2, new = rotated(other_node, tmp_path)
    add(node, json.dumps(v2))
    with node.db.transaction() as session:
        peer = session.get(Peer, other_node.id)
        assert peer is not None and peer.card_version == 2 and peer.state == "approved"
        assert peering.verification_keys(session, other_node.id) == [
            new.signing_public,
            other_node.keys.signing_public,
        ]
        assert unb64u(peer.signing_key) == new.signing_public


def test_a_forged_update_changes_nothing(node, other_node, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add(node, card_text(other_node), approve=True)
    _, v2, _new = rotated(other_node, tmp_path)
    v2["body"]["url"] = "https://attacker.example"
    with pytest.raises(SignatureInvalid):
        add(node, json.dumps(v2))
    with node.db.transaction() as session:
        peer = session.get(Peer, other_node.id)
        assert peer is not None and peer.card_version == 1 and "attacker" not in peer.url


def test_only_administrators_peer(node, other_node, make_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied), node.db.transaction() as session:
        peering.add_peer(
            session,
            actor=make_user("liaison_officer"),
            own_node_id=node.id,
            card_file=card_text(other_node),
        )
    with node.db.transaction() as session:
        assert session.get(Peer, other_node.id) is None


def test_unknown_peer_state_and_node(node) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound), node.db.transaction() as session:
        peering.set_state(session, actor=CLI, node_id="a" * 26, state="approved")
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        peering.set_state(session, actor=CLI, node_id="a" * 26, state="friends")
