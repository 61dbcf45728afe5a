"""Thematic commitments: a commitment, each member's endorsement and actions, progress updates.

A commitment is a record of the node that proposed it; each member signs its own endorsement
and owns its own actions. Progress updates are new versions of the action record, so an update
can only ever come from the node that owns the action. The aggregates are progress.py's."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.keys import NodeKeys
from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.commitments.progress import action_view, commitment_summary
from corridor.mapping.commitments.records import ACTION, COMMITMENT, ENDORSEMENT
from corridor.mapping.commitments.schemas import ActionBody
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.owned import SaveOwn, get_record
from corridor.records.projection import visible
from corridor.security.principal import Principal

# Record a commitment of this node, or (with `record_id`) a new version of one.
save_commitment = SaveOwn(COMMITMENT)


def _commitment(
    session: Session, node_id: str, actor: Principal, commitment_id: uuid.UUID
) -> tuple[CommitmentRow, dict[str, Any]]:
    envelope = get_record(session, node_id, actor=actor, type=COMMITMENT, record_id=commitment_id)
    row = session.get(CommitmentRow, commitment_id)
    if row is None or envelope.get("body") is None:
        raise NotFound(f"commitment {commitment_id} has been withdrawn")
    return row, envelope


def _members_audience(envelope: dict[str, Any]) -> Audience:
    """Who hears about a member's endorsement or action: the commitment's own audience and
    its origin; for a RED commitment, only the nodes of its named people (and its origin)."""
    nodes = {envelope["origin"], *envelope["audience"]["nodes"]}
    labels = envelope.get("labels") or {}
    if labels.get("tlp") == "RED":
        named = {r.partition("@")[2] for r in labels.get("recipients", []) if "@" in r}
        if any("@" not in r for r in labels.get("recipients", [])):
            named = nodes  # a name without a node is read at every node holding it
        nodes &= named | {envelope["origin"]}
    return Audience(nodes=sorted(nodes))


def _member_labels(envelope: dict[str, Any], labels: Labels | None) -> Labels:
    if labels is not None:
        return labels
    # As strict as the commitment (the flow rule allows no less): RED to its named people.
    inherited = flow.inherited_labels(envelope)
    return inherited.model_copy(update={"expires": None})


def endorse(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    commitment_id: uuid.UUID,
    note: str | None = None,
    labels: Labels | None = None,
) -> dict[str, Any]:
    actor.require("mapping.write")
    row, envelope = _commitment(session, keys.node_id, actor, commitment_id)
    mine = session.scalar(
        select(EndorsementRow.id).where(
            EndorsementRow.commitment_id == commitment_id, EndorsementRow.origin == keys.node_id
        )
    )
    if mine is not None:
        raise Conflict("this node has already endorsed the commitment")
    return records.create(
        session,
        keys,
        actor=actor,
        type=ENDORSEMENT,
        body={
            "commitment": str(commitment_id),
            "origin": row.origin,
            "on": clock.now().date().isoformat(),
            **({"note": note} if note else {}),
        },
        labels=_member_labels(envelope, labels),
        audience=_members_audience(envelope),
        sources=[flow.of_record(envelope, path="reply")],
    )


def _check_milestones(commitment: CommitmentRow, body: ActionBody) -> None:
    for m in body.milestones:
        if m.due < commitment.adopted:
            raise InvalidInput(
                f"milestone {m.id!r} is due {m.due}, before the commitment was adopted "
                f"({commitment.adopted})"
            )
        if commitment.ends and m.due > commitment.ends:
            raise InvalidInput(
                f"milestone {m.id!r} is due {m.due}, after the commitment ends ({commitment.ends})"
            )


def _derive(body: dict[str, Any]) -> dict[str, Any]:
    """Milestones are done on the first update that reports them; an indicator's current
    value is the latest reported one."""
    updates = sorted(body.get("updates", []), key=lambda u: u["on"])
    done: dict[str, str] = {}
    current: dict[str, float] = {}
    for u in updates:
        for mid in u.get("milestones_done", []):
            done.setdefault(mid, u["on"])
        current.update(u.get("values", {}))
    for m in body.get("milestones", []):
        if m["id"] in done:
            m["done_on"] = min(done[m["id"]], m.get("done_on") or done[m["id"]])
    for ind in body.get("indicators", []):
        if ind["id"] in current:
            ind["current"] = current[ind["id"]]
    return body


def save_action(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    commitment_id: uuid.UUID,
    fields: dict[str, Any],
    node_country: str,
    labels: Labels | None = None,
    action_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Create or change this node's action under a commitment (title, owner, milestones,
    indicators). Updates already posted are kept."""
    actor.require("mapping.write")
    row, envelope = _commitment(session, keys.node_id, actor, commitment_id)
    body: dict[str, Any] = {
        "country": node_country,
        **fields,
        "commitment": str(commitment_id),
        "commitment_origin": row.origin,
    }
    if action_id is not None:
        existing = _own_action(session, keys, actor, commitment_id, action_id)
        body["updates"] = existing["body"].get("updates", [])
    else:
        body["updates"] = []
    body = _derive(registry.validate_body(ACTION, body))
    _check_milestones(row, ActionBody.model_validate(body))
    if action_id is None:
        return records.create(
            session,
            keys,
            actor=actor,
            type=ACTION,
            body=body,
            labels=_member_labels(envelope, labels),
            audience=_members_audience(envelope),
            sources=[flow.of_record(envelope, path="reply")],
        )
    return records.update(session, keys, actor=actor, record_id=action_id, body=body, labels=labels)


def _own_action(
    session: Session,
    keys: NodeKeys,
    actor: Principal,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
) -> dict[str, Any]:
    envelope = get_record(session, keys.node_id, actor=actor, type=ACTION, record_id=action_id)
    body = envelope.get("body")
    if body is None or body["commitment"] != str(commitment_id):
        raise NotFound(f"no action {action_id} under commitment {commitment_id}")
    if envelope["origin"] != keys.node_id:
        raise PermissionDenied(
            "only the node that owns the action reports progress on it or changes it"
        )
    return envelope


def post_update(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    on: date,
    text: str,
    values: dict[str, float] | None = None,
    milestones_done: list[str] | None = None,
    evidence: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    actor.require("mapping.write")
    row, _ = _commitment(session, keys.node_id, actor, commitment_id)
    envelope = _own_action(session, keys, actor, commitment_id, action_id)
    if on > clock.now().date():
        raise InvalidInput(f"an update cannot be dated in the future ({on})")
    if on < row.adopted:
        raise InvalidInput(
            f"an update dated {on} is before the commitment was adopted ({row.adopted})"
        )
    body = dict(envelope["body"])
    body["updates"] = [
        *body.get("updates", []),
        {
            "id": str(uuid.uuid4()),
            "on": on.isoformat(),
            "text": text,
            "values": values or {},
            "milestones_done": milestones_done or [],
            "evidence": evidence or [],
            "author": actor.handle,
        },
    ]
    body = _derive(registry.validate_body(ACTION, body))
    return records.update(session, keys, actor=actor, record_id=action_id, body=body)


def commitment_detail(
    session: Session, node_id: str, *, actor: Principal, commitment_id: uuid.UUID
) -> dict[str, Any]:
    row, envelope = _commitment(session, node_id, actor, commitment_id)
    today = clock.now().date()
    endorsements = [
        e
        for e in session.scalars(
            select(EndorsementRow).where(EndorsementRow.commitment_id == row.id)
        )
        if visible(actor, e, node_id)
    ]
    actions = [
        action_view(a, today)
        for a in session.scalars(select(ActionRow).where(ActionRow.commitment_id == row.id))
        if visible(actor, a, node_id)
    ]
    actions.sort(key=lambda a: (a["country"], a["title"].lower()))
    return {
        **commitment_summary(row, endorsements, actions),
        "text": envelope["body"]["text"],
        "labels": envelope["labels"],
        "version": envelope["version"],
        "endorsements": [
            {"id": str(e.id), "origin": e.origin, "on": e.endorsed_on.isoformat(), "note": e.note}
            for e in sorted(endorsements, key=lambda e: e.endorsed_on)
        ],
        "action_items": actions,
    }


def action_updates(
    session: Session, node_id: str, *, actor: Principal, action_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The updates of one action, newest first (read from its record)."""
    envelope = get_record(session, node_id, actor=actor, type=ACTION, record_id=action_id)
    body = envelope.get("body") or {}
    return sorted(body.get("updates", []), key=lambda u: u["on"], reverse=True)
