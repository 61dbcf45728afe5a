"""Key rotation: a new card version, signed by the old key, announces the new key; peers
accept it because they can check it against the key they hold (and fetch it themselves when
a request signed by the new key reaches them first)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from corridor import clock
from corridor import keys as keymod
from corridor.errors import InvalidInput
from corridor.federation import transport
from corridor.federation.cards import MAX_CARD_BYTES, own_card_chain, parse_card_file
from corridor.federation.models import Peer
from corridor.federation.peers import update_card
from corridor.node.service import CARD_VALIDITY, OPEN_HOOKS, Node
from corridor.records import service as records
from corridor.records.labels import Audience
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM, Principal

REFRESH_INTERVAL = timedelta(minutes=1)
_last_refresh: dict[tuple[str, str], float] = {}


def rotate(node: Node, *, actor: Principal) -> dict[str, Any]:
    """Replace this node's keys. The node id stays; every approved peer is sent the new card."""
    actor.require("node.manage")
    keys_dir = node.config.keys_dir
    new = keymod.write_pending(keys_dir, node.id)
    now = clock.now()
    with node.db.transaction() as session:
        card = session.scalar(
            select(StoredRecord).where(
                StoredRecord.type == "node.card",
                StoredRecord.origin == node.id,
                StoredRecord.state == "active",
            )
        )
        if card is None:
            raise InvalidInput("this node has no card")
        peers = list(session.scalars(select(Peer.node_id).where(Peer.state == "approved")))
        body = {
            **card.envelope["body"],
            "signing_key": keymod.b64u(new.signing_public),
            "exchange_key": keymod.b64u(new.exchange_public),
            "fingerprint": keymod.fingerprint(new.signing_public),
            "valid_from": clock.iso(now),
            "valid_until": clock.iso(now + CARD_VALIDITY),
        }
        # Signed with the old key: that is what lets peers trust the new one.
        signed = records.update(
            session,
            node.keys,
            actor=actor,
            record_id=card.id,
            body=body,
            audience=Audience(nodes=peers),
        )
    keymod.commit_pending(keys_dir, now.strftime("%Y%m%dT%H%M%SZ"))
    node.keys = keymod.load(keys_dir)
    return signed


def finish_interrupted(node: Node) -> None:
    """After a crash mid-rotation: use the pending keys if the new card was committed."""
    pending = keymod.pending_public(node.config.keys_dir)
    if pending is None:
        return
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    if chain[-1]["body"]["signing_key"] == keymod.b64u(pending):
        keymod.commit_pending(node.config.keys_dir, clock.now().strftime("%Y%m%dT%H%M%SZ"))
        node.keys = keymod.load(node.config.keys_dir)
    else:
        keymod.drop_pending(node.config.keys_dir)


def refresh_card(node: Node, peer_id: str, *, http: httpx.Client | None = None) -> bool:
    """Fetch a peer's card chain from its URL and accept newer versions signed by the key we
    hold. At most once a minute per peer; returns whether the card changed."""
    key = (node.id, peer_id)
    now = clock.now().timestamp()
    if now - _last_refresh.get(key, 0.0) < REFRESH_INTERVAL.total_seconds():
        return False
    _last_refresh[key] = now
    with node.db.transaction() as session:
        peer = session.get(Peer, peer_id)
        if peer is None or peer.state != "approved":
            return False
        url = peer.url + "/federation/v1/card"
    http = http or transport.shared_client()
    try:
        resp = http.get(url)
    except httpx.HTTPError:
        return False
    if resp.status_code != 200 or len(resp.content) > MAX_CARD_BYTES:
        return False
    chain = parse_card_file(resp.content)
    with node.db.transaction() as session:
        peer = session.get(Peer, peer_id, with_for_update=True)
        if peer is None:
            return False
        return update_card(session, actor=SYSTEM, peer=peer, chain=chain)


def _on_card_received(session: Any, envelope: dict[str, Any]) -> None:
    """A rotated card pushed by a peer updates the peer's keys at once."""
    if envelope.get("type") != "node.card" or envelope.get("body") is None:
        return
    peer = session.get(Peer, envelope["origin"], with_for_update=True)
    if peer is not None and envelope["version"] > peer.card_version:
        update_card(session, actor=SYSTEM, peer=peer, chain=[envelope])


records.RECEIVED_HOOKS.append(_on_card_received)


OPEN_HOOKS.append(finish_interrupted)
