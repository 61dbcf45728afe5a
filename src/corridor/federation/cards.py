"""Node cards: the self-signed identity a node hands to its peers, and key rotation.

A first card is self-certifying: its origin is the node id derived from the signing key in
its body, and that key signed it. A rotation is a new card version signed by the previous key;
a card signed by anything else is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import InvalidInput, SignatureInvalid
from corridor.keys import node_id_for, unb64u
from corridor.node.records import NodeCardBody
from corridor.records import envelope as env
from corridor.records.models import RecordVersion, StoredRecord

MAX_CARD_BYTES = 64 * 1024


@dataclass(frozen=True)
class VerifiedCard:
    node_id: str
    version: int
    body: NodeCardBody
    envelope: dict[str, Any]

    @property
    def signing_key(self) -> bytes:
        return unb64u(self.body.signing_key)


def json_file(data: str | bytes, *, limit: int, too_large: str, what: str) -> Any:
    """A file an administrator hands the node (a card, a bundle): at most `limit` bytes (else
    InvalidInput(`too_large`)) of JSON (else "the `what` is not JSON")."""
    if len(data) > limit:
        raise InvalidInput(too_large)
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the {what} is not JSON: {exc}") from None


def parse_card_file(text: str | bytes) -> list[dict[str, Any]]:
    """A card file holds one card envelope, or the chain of versions (oldest first)."""
    too_large = f"a card file is at most {MAX_CARD_BYTES} bytes"
    data = json_file(text, limit=MAX_CARD_BYTES, too_large=too_large, what="card")
    chain = data if isinstance(data, list) else [data]
    if not chain or not all(isinstance(c, dict) for c in chain):
        raise InvalidInput("a card file holds a card object or a list of card versions")
    return chain


def _check(envelope: dict[str, Any]) -> tuple[env.Envelope, NodeCardBody]:
    parsed = env.parse(envelope)
    if parsed.type != "node.card" or parsed.body is None:
        raise InvalidInput("this is not a node card")
    return parsed, env.validated(NodeCardBody, parsed.body, "invalid node card")


def verify_chain(chain: list[dict[str, Any]]) -> VerifiedCard:
    """Verify a card from its first version on; returns the latest."""
    parsed, body = _check(chain[0])
    key = unb64u(body.signing_key)
    if parsed.origin != node_id_for(key):
        raise SignatureInvalid("the first card's node id does not derive from its signing key")
    env.verify(chain[0], key)
    current = VerifiedCard(parsed.origin, parsed.version, body, chain[0])
    for nxt in chain[1:]:
        current = verify_successor(current, nxt)
    if current.body.valid_until <= clock.now():
        raise InvalidInput(f"the card of {current.node_id} expired on {current.body.valid_until}")
    return current


def verify_successor(known: VerifiedCard, envelope: dict[str, Any]) -> VerifiedCard:
    """A newer card version must be signed by the key of the version we hold."""
    parsed, body = _check(envelope)
    if parsed.origin != known.node_id or str(parsed.id) != known.envelope["id"]:
        raise SignatureInvalid("this card belongs to another node")
    if parsed.version <= known.version:
        raise InvalidInput(f"card version {parsed.version} is not newer than {known.version}")
    env.verify(envelope, known.signing_key)
    return VerifiedCard(parsed.origin, parsed.version, body, envelope)


def own_card_chain(session: Session, node_id: str) -> list[dict[str, Any]]:
    row = session.scalar(
        select(StoredRecord).where(
            StoredRecord.type == "node.card",
            StoredRecord.origin == node_id,
            StoredRecord.state == "active",
        )
    )
    if row is None:
        raise InvalidInput("this node has no card; was it created with `corridor init`?")
    versions = session.scalars(
        select(RecordVersion)
        .where(RecordVersion.record_id == row.id)
        .order_by(RecordVersion.version)
    ).all()
    return [v.envelope for v in versions]
