"""Who inside this node may see a stored record: TLP 2.0 and purpose limitation.

The same check guards showing, exporting and (later) matching, on the origin and on receivers."""

from __future__ import annotations

from typing import Any

from corridor.security.principal import Principal


def recipient_matches(recipient: str, actor: Principal, node_id: str) -> bool:
    who, _, node = recipient.partition("@")
    if node and node != node_id:
        return False
    kind, _, handle = who.partition(":")
    if kind == "user":
        return handle == actor.handle
    return kind == "unit" and actor.unit_handle is not None and handle == actor.unit_handle


def can_see(actor: Principal, envelope: dict[str, Any], node_id: str) -> bool:
    if actor.kind == "system":
        return True
    labels = envelope.get("labels") or {}
    if labels.get("purpose", "cooperation") not in actor.purposes:
        return False
    if labels.get("tlp") == "RED":
        if envelope.get("origin") == node_id and envelope.get("author") == actor.handle:
            return True
        return any(recipient_matches(r, actor, node_id) for r in labels.get("recipients", []))
    # CLEAR, GREEN, AMBER, AMBER+STRICT: every authorised user of a node in the audience.
    return True
