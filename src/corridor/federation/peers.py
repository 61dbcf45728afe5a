"""Peering: importing a partner's card, approval by an administrator, suspension."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.errors import Conflict, InvalidInput, NotFound, UnknownRecipient
from corridor.federation.cards import (
    MAX_CARD_BYTES,
    VerifiedCard,
    parse_card_file,
    verify_chain,
    verify_successor,
)
from corridor.federation.models import Peer
from corridor.keys import fingerprint as key_fingerprint
from corridor.keys import unb64u
from corridor.node.records import NodeCardBody
from corridor.security.principal import Principal

STATES = ("pending", "approved", "suspended")
# What was done with a peer (added, approved, sent a bundle), named by its node id.
audit_peer = audit.About("peer")


def _known_card(peer: Peer) -> VerifiedCard:
    return VerifiedCard(
        peer.node_id, peer.card_version, NodeCardBody.model_validate(peer.card["body"]), peer.card
    )


def _apply(peer: Peer, card: VerifiedCard) -> None:
    b = card.body
    if peer.signing_key and peer.signing_key != b.signing_key:
        peer.past_keys = [*peer.past_keys, peer.signing_key]
    peer.name, peer.org, peer.country, peer.url = b.name, b.org, b.country, b.url.rstrip("/")
    peer.signing_key, peer.exchange_key, peer.fingerprint = (
        b.signing_key,
        b.exchange_key,
        b.fingerprint,
    )
    peer.card, peer.card_version, peer.valid_until = card.envelope, card.version, b.valid_until


def add_peer(
    session: Session,
    *,
    actor: Principal,
    own_node_id: str,
    card_file: str | bytes,
    approve: bool = False,
) -> Peer:
    """Import a peer's card (or a newer version of it). Approval may follow later."""
    actor.require("node.manage")
    chain = parse_card_file(card_file)
    origin = chain[-1].get("origin")
    peer = session.get(Peer, origin, with_for_update=True) if isinstance(origin, str) else None
    if peer is not None:
        # Known peer: newer versions must be signed by the key we hold (rotation rule).
        update_card(session, actor=actor, peer=peer, chain=chain)
        action = "peer.update"
    else:
        card = verify_chain(chain)
        if card.node_id == own_node_id:
            raise InvalidInput("that is this node's own card")
        peer = Peer(
            node_id=card.node_id,
            signing_key="",
            past_keys=[],
            state="pending",
            added_at=clock.now(),
            received_position=0,
        )
        _apply(peer, card)
        session.add(peer)
        action = "peer.add"
    if approve and peer.state != "approved":
        _set_state(peer, "approved", actor)
    session.flush()
    detail = {"state": peer.state, "card_version": peer.card_version}
    audit_peer(session, actor, action, peer.node_id, detail)
    return peer


def update_card(
    session: Session, *, actor: Principal, peer: Peer, chain: list[dict[str, Any]]
) -> bool:
    """Accept newer card versions of a known peer (renames, new URL, key rotation)."""
    known = _known_card(peer)
    newer = [c for c in chain if isinstance(c.get("version"), int) and c["version"] > known.version]
    if not newer:
        if chain[-1] == peer.card:
            return False  # the very card we hold
        raise Conflict(
            f"peer {peer.node_id} is already known with card version "
            f"{known.version}; nothing newer in this card"
        )
    for envelope in sorted(newer, key=lambda c: c["version"]):
        known = verify_successor(known, envelope)
    if known.body.valid_until <= clock.now():
        raise InvalidInput(f"the card of {peer.node_id} expired on {known.body.valid_until}")
    _apply(peer, known)
    return True


def fetch_card(url: str, fingerprint: str, *, timeout: float = 10.0) -> str:
    """Fetch a card from a peer's URL; refuse it unless the fingerprint given out of band
    matches (normalised: case and spaces do not matter)."""
    want = "".join(fingerprint.split()).upper()
    if len(want) != 40:
        raise InvalidInput("the fingerprint has 40 hexadecimal digits (10 groups of 4)")
    try:
        resp = httpx.get(url.rstrip("/") + "/federation/v1/card", timeout=timeout)
    except httpx.HTTPError as exc:
        raise InvalidInput(f"could not fetch the card from {url}: {exc}") from None
    if resp.status_code != 200 or len(resp.content) > MAX_CARD_BYTES:
        raise InvalidInput(f"{url} did not serve a card (HTTP {resp.status_code})")
    card = verify_chain(parse_card_file(resp.content))
    got = "".join(card.body.fingerprint.split()).upper()
    real = "".join(key_fingerprint(card.signing_key).split())
    if got != real or real != want:
        raise InvalidInput(
            f"fingerprint mismatch: the card at {url} has {card.body.fingerprint}; "
            "do not peer until you have checked with its administrator"
        )
    return resp.text


def _set_state(peer: Peer, state: str, actor: Principal) -> None:
    peer.state = state
    if state == "approved":
        peer.approved_at = clock.now()
        peer.approved_by = actor.handle


def set_state(session: Session, *, actor: Principal, node_id: str, state: str) -> Peer:
    actor.require("node.manage")
    if state not in STATES:
        raise InvalidInput(f"unknown peer state {state!r}")
    peer = get_peer(session, node_id)
    _set_state(peer, state, actor)
    audit_peer(session, actor, f"peer.{'approve' if state == 'approved' else state}", node_id)
    return peer


def get_peer(session: Session, node_id: str) -> Peer:
    peer = session.get(Peer, node_id.strip())
    if peer is None:
        raise NotFound(f"no peer {node_id!r}")
    return peer


def list_peers(session: Session, *, actor: Principal) -> list[Peer]:
    actor.require("account.self")
    return list(session.scalars(select(Peer).order_by(Peer.country, Peer.name)))


def verification_keys(session: Session, node_id: str, *, approved_only: bool = True) -> list[bytes]:
    """Keys that may have signed a record of this origin: current first, then past ones."""
    peer = session.get(Peer, node_id)
    if peer is None or (approved_only and peer.state != "approved"):
        return []
    return [unb64u(peer.signing_key), *(unb64u(k) for k in reversed(peer.past_keys))]


def node_names(session: Session, node_id: str, own: str) -> dict[str, str]:
    """Display names of this node and its peers, by node id ("Name (CC)" for peers)."""
    names = {p.node_id: f"{p.name} ({p.country})" for p in session.scalars(select(Peer))}
    names[node_id] = own
    return names


def node_countries(session: Session, node_id: str, own: str) -> dict[str, str]:
    """ISO alpha-2 country of this node and of each peer, by node id (from their cards)."""
    countries = {p.node_id: p.country.upper() for p in session.scalars(select(Peer))}
    countries[node_id] = own.upper()
    return countries


def require_approved(session: Session, node_ids: list[str], *, field: str = "to") -> None:
    """Refuse, before anything is written, to address a node that is not an approved peer."""
    wanted = list(dict.fromkeys(node_ids))
    approved = set(
        session.scalars(
            select(Peer.node_id).where(Peer.node_id.in_(wanted), Peer.state == "approved")
        )
    )
    unknown = [n for n in wanted if n not in approved]
    if unknown:
        raise UnknownRecipient(
            f"{field}: {', '.join(unknown)} is not an approved peer of this node; peer with "
            f"{'it' if len(unknown) == 1 else 'them'} first",
            unknown=unknown,
        )


def approved_peers(session: Session) -> list[Peer]:
    """The peers a record can be addressed to, as forms list them (by country, then name)."""
    return list(
        session.scalars(
            select(Peer).where(Peer.state == "approved").order_by(Peer.country, Peer.name)
        )
    )
