"""Thematic commitments: endorsements, members' actions with milestones and indicators,
progress updates, and the aggregates the coordinator and each member look at.

A commitment is a record of the node that proposed it; each member signs its own endorsement
and owns its own actions. Progress updates are new versions of the action record, so an update
can only ever come from the node that owns the action."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.mapping.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.records import ACTION, COMMITMENT, ENDORSEMENT
from corridor.mapping.schemas import THEMES, ActionBody, Indicator
from corridor.mapping.service import get_record, visible_rows, write_own
from corridor.node.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.projection import visible
from corridor.security.principal import Principal


def save_commitment(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    body: dict[str, Any],
    labels: Labels | None = None,
    to: list[str] | None = None,
    commitment_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    body = registry.validate_body(COMMITMENT, body)
    return write_own(
        session,
        keys,
        actor=actor,
        type=COMMITMENT,
        body=body,
        labels=labels,
        to=to,
        record_id=commitment_id,
    )


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


# --- progress ---------------------------------------------------------------------------------


def action_progress(row: ActionRow, today: date) -> dict[str, Any]:
    milestones = row.milestones
    done = [m for m in milestones if m.get("done_on")]
    overdue = [
        m for m in milestones if not m.get("done_on") and date.fromisoformat(m["due"]) < today
    ]
    attainments = [
        a
        for a in (Indicator.model_validate(i).attainment() for i in row.indicators)
        if a is not None
    ]
    parts = []
    if milestones:
        parts.append(len(done) / len(milestones))
    if attainments:
        parts.append(sum(attainments) / len(attainments))
    return {
        "milestones_total": len(milestones),
        "milestones_done": len(done),
        "overdue": [{"id": m["id"], "title": m["title"], "due": m["due"]} for m in overdue],
        "attainment": round(sum(attainments) / len(attainments), 3) if attainments else None,
        "progress": round(sum(parts) / len(parts), 3) if parts else None,
    }


def action_view(row: ActionRow, today: date) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "commitment": str(row.commitment_id),
        "origin": row.origin,
        "country": row.country,
        "title": row.title,
        "owner": row.owner,
        "milestones": row.milestones,
        "indicators": row.indicators,
        "updates": row.updates,
        "last_update": row.last_update.isoformat() if row.last_update else None,
        "updated_at": clock.iso(row.updated_at),
        **action_progress(row, today),
    }


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def commitment_summary(
    row: CommitmentRow, endorsements: list[EndorsementRow], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "theme": row.theme,
        "origin": row.origin,
        "adopted": row.adopted.isoformat(),
        "ends": row.ends.isoformat() if row.ends else None,
        "countries": row.countries,
        "tlp": row.tlp,
        "updated_at": clock.iso(row.updated_at),
        "endorsed_by": sorted(e.origin for e in endorsements),
        "actions": len(actions),
        "progress": _mean([a["progress"] for a in actions]),
        "overdue": sum(len(a["overdue"]) for a in actions),
    }


class Portfolio:
    """Every commitment, endorsement and action this user may see, loaded once."""

    def __init__(self, session: Session, node_id: str, actor: Principal) -> None:
        self.today = clock.now().date()
        self.commitments: list[CommitmentRow] = sorted(
            visible_rows(session, CommitmentRow, node_id, actor),
            key=lambda c: (list(THEMES).index(c.theme), c.title.lower()),
        )
        self.endorsements: dict[uuid.UUID, list[EndorsementRow]] = defaultdict(list)
        for e in visible_rows(session, EndorsementRow, node_id, actor):
            self.endorsements[e.commitment_id].append(e)
        self.actions: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for a in visible_rows(session, ActionRow, node_id, actor):
            self.actions[a.commitment_id].append(action_view(a, self.today))
        for acts in self.actions.values():
            acts.sort(key=lambda a: (a["country"], a["title"].lower()))

    def summaries(self, theme: str | None = None) -> list[dict[str, Any]]:
        return [
            commitment_summary(c, self.endorsements[c.id], self.actions[c.id])
            for c in self.commitments
            if theme is None or c.theme == theme
        ]

    def dashboard(self, country_of: dict[str, str]) -> dict[str, Any]:
        """Progress per theme and per member, and every overdue milestone."""
        by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_member: dict[str, list[dict[str, Any]]] = defaultdict(list)
        overdue: list[dict[str, Any]] = []
        for c in self.commitments:
            for a in self.actions[c.id]:
                by_theme[c.theme].append(a)
                by_member[a["origin"]].append(a)
                for m in a["overdue"]:
                    overdue.append(
                        {
                            **m,
                            "action": a["id"],
                            "action_title": a["title"],
                            "commitment": str(c.id),
                            "commitment_title": c.title,
                            "origin": a["origin"],
                            "country": a["country"],
                        }
                    )
        overdue.sort(key=lambda m: m["due"])
        return {
            "generated_at": clock.iso(clock.now()),
            "commitments": len(self.commitments),
            "themes": [
                {
                    "theme": t,
                    "commitments": sum(1 for c in self.commitments if c.theme == t),
                    "actions": len(by_theme[t]),
                    "progress": _mean([a["progress"] for a in by_theme[t]]),
                    "overdue": sum(len(a["overdue"]) for a in by_theme[t]),
                }
                for t in THEMES
                if any(c.theme == t for c in self.commitments)
            ],
            "members": sorted(
                (
                    {
                        "origin": origin,
                        "country": country_of.get(origin) or acts[0]["country"],
                        "actions": len(acts),
                        "progress": _mean([a["progress"] for a in acts]),
                        "milestones_done": sum(a["milestones_done"] for a in acts),
                        "milestones_total": sum(a["milestones_total"] for a in acts),
                        "overdue": sum(len(a["overdue"]) for a in acts),
                        "endorsements": sum(
                            1 for es in self.endorsements.values() for e in es if e.origin == origin
                        ),
                    }
                    for origin, acts in by_member.items()
                ),
                key=lambda m: m["country"],
            ),
            "overdue": overdue,
        }

    def scorecard(self, country: str) -> dict[str, Any]:
        """One country's actions under every commitment, with their progress."""
        rows = []
        for c in self.commitments:
            acts = [a for a in self.actions[c.id] if a["country"] == country]
            if acts:
                rows.append(
                    {
                        "commitment": commitment_summary(
                            c, self.endorsements[c.id], self.actions[c.id]
                        ),
                        "actions": acts,
                        "progress": _mean([a["progress"] for a in acts]),
                    }
                )
        acts = [a for r in rows for a in r["actions"]]
        return {
            "country": country,
            "generated_at": clock.iso(clock.now()),
            "commitments": rows,
            "actions": len(acts),
            "progress": _mean([a["progress"] for a in acts]),
            "milestones_done": sum(a["milestones_done"] for a in acts),
            "milestones_total": sum(a["milestones_total"] for a in acts),
            "overdue": sum(len(a["overdue"]) for a in acts),
        }


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
