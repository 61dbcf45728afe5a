"""Offline bundles: the same signed records, carried as a file for links that are down or
air-gapped. A bundle is signed by the sending node and addressed to one node; importing it
goes through the very path of the inbox, so importing twice changes nothing."""

from __future__ import annotations

import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from corridor import clock
from corridor.audit import service as audit
from corridor.canonical import canonical
from corridor.errors import InvalidInput, NotFound, PermissionDenied, SignatureInvalid
from corridor.federation import delivery
from corridor.federation.cards import json_file
from corridor.federation.models import OutboxItem, Peer
from corridor.federation.peers import audit_peer, verification_keys
from corridor.keys import b64u, unb64u
from corridor.node.service import Node
from corridor.records.models import StoredRecord
from corridor.security.principal import Principal

FORMAT = "corridor.bundle/1"
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def export_bundle(node: Node, *, actor: Principal, to: str) -> dict[str, Any]:
    """Everything this node ever queued for `to` (latest versions, tombstones included)."""
    actor.require("node.manage")
    with node.db.transaction() as session:
        if session.get(Peer, to) is None:
            raise NotFound(f"no peer {to!r}")
        rows = session.scalars(
            select(OutboxItem).where(OutboxItem.recipient == to).order_by(OutboxItem.position)
        ).all()
        current = {
            r.id: r.envelope
            for r in session.scalars(
                select(StoredRecord).where(StoredRecord.id.in_({r.record_id for r in rows}))
            )
        }
        audit_peer(session, actor, "bundle.export", to, {"items": len(rows)})
    fields = {
        "format": FORMAT,
        "from": node.id,
        "to": to,
        "created": clock.iso(clock.now()),
        "items": [
            {"position": r.position, "record": current[r.record_id]}
            for r in rows
            if r.record_id in current
        ],
    }
    return {**fields, "sig": b64u(node.keys.sign(canonical(fields)))}


def import_bundle(node: Node, *, actor: Principal, data: bytes) -> dict[str, int]:
    actor.require("node.manage")
    too_large = f"bundles are limited to {MAX_BUNDLE_BYTES} bytes"
    bundle = json_file(data, limit=MAX_BUNDLE_BYTES, too_large=too_large, what="bundle")
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise InvalidInput(f"not a corridor bundle (format {FORMAT})")
    if bundle.get("to") != node.id:
        raise PermissionDenied("this bundle is addressed to another node")
    sender = bundle.get("from")
    if not isinstance(sender, str):
        raise InvalidInput("the bundle names no sender")
    with node.db.transaction() as session:
        keys = verification_keys(session, sender)
    if not keys:
        raise PermissionDenied(f"the bundle comes from {sender!r}, not an approved peer")
    fields = {k: v for k, v in bundle.items() if k != "sig"}
    sig = bundle.get("sig")
    if not isinstance(sig, str):
        raise InvalidInput("the bundle is not signed")
    _verify(fields, sig, keys)
    items = delivery.parse_batch(json.dumps({"items": bundle.get("items")}).encode()).items
    results = delivery.receive_items(node, sender, items)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    audit.append_now(
        node.db,
        actor=actor,
        action="bundle.import",
        object_type="peer",
        object_id=sender,
        detail=counts,
    )
    return counts


def _verify(fields: dict[str, Any], sig: str, keys: list[bytes]) -> None:
    data = canonical(fields)
    for key in keys:
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(unb64u(sig), data)
            return
        except (InvalidSignature, ValueError):
            continue
    raise SignatureInvalid("the bundle's signature does not verify")
