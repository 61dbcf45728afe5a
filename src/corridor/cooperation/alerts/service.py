"""Sending, listing, reading, acknowledging and withdrawing alerts.

The sender's view of an alert includes, per recipient node, how far it got: pending (no
delivered receipt yet, e.g. the node is down: it gets the alert by push or pull on return),
delivered, read, acknowledged, each with its time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.alerts.records import ALERT
from corridor.entities import flows
from corridor.entities import service as entities
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.federation import receipts
from corridor.federation.peers import require_approved
from corridor.keys import NodeKeys
from corridor.mapping.routes.service import link_route
from corridor.records import flow
from corridor.records import service as records
from corridor.records.labels import Labels, addressed, audience_for
from corridor.records.projection import visible
from corridor.security.principal import Principal

# Most advanced first: the status a recipient row shows.
PROGRESS = ("acknowledged", "read", "delivered")


@dataclass(frozen=True)
class NewAlert:
    type: str
    severity: str
    title: str
    text: str
    area: dict[str, Any] | None = None
    route: uuid.UUID | None = None
    countries: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # ids of entities this node holds
    valid_until: datetime | None = None


def _check_recipients(session: Session, to: list[str], own_id: str) -> None:
    audience = addressed(to, whom="partner node")
    if own_id in audience.nodes:
        raise InvalidInput("to: an alert goes to partners, not to this node itself")
    require_approved(session, audience.nodes)


def _linked_entities(
    session: Session,
    actor: Principal,
    node_id: str,
    region: str,
    ids: tuple[str, ...],
    labels: Labels,
    nodes: list[str],
) -> tuple[list[dict[str, Any]], list[flow.Source]]:
    """References to entities this node holds, as the flow rule lets them go: the caption is
    made of the statements that may go to the alert's audience, and each entity is a source."""
    ctx = entities.Context(node_id=node_id, region=region)
    found = []
    for i, eid in enumerate(dict.fromkeys(ids)):
        try:
            found.append(entities.load(session, actor=actor, ctx=ctx, entity_id=eid))
        except (NotFound, PermissionDenied):
            raise InvalidInput(f"entities[{i}]: no entity {eid!r} that you can see here") from None
    drawn = flows.draw(
        session,
        found,
        node_id=node_id,
        path="link",
        labels=labels,
        audience=nodes,
        author=actor.handle,
    )
    refs = [
        {"id": d.entity.id, "schema": d.entity.schema, "caption": d.proxy.caption[:500]}
        for d in drawn
    ]
    return refs, [s for d in drawn for s in d.sources]


def send(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    region: str,
    to: list[str],
    alert: NewAlert,
    labels: Labels,
) -> dict[str, Any]:
    """Sign and queue an alert to approved peers and/or sharing groups; nothing is stored when
    anything is wrong."""
    actor.require("records.write")
    _check_recipients(session, to, keys.node_id)
    if alert.valid_until is not None:
        if alert.valid_until <= clock.now():
            raise InvalidInput("valid_until is in the past")
        if labels.expires is not None and labels.expires != alert.valid_until:
            raise InvalidInput("give valid_until or expires, not two different times")
        labels = labels.model_copy(update={"expires": clock.as_utc(alert.valid_until)})
    body: dict[str, Any] = {
        "type": alert.type,
        "severity": alert.severity,
        "title": alert.title,
        "text": alert.text,
        "countries": list(alert.countries),
    }
    if alert.area is not None:
        body["area"] = alert.area
    audience = audience_for(to)
    nodes = records.audience_nodes(session, audience, origin=keys.node_id)
    sources: list[flow.Source] = []
    if alert.route is not None:
        sources.append(link_route(session, keys.node_id, actor, alert.route, where="route")[1])
        body["route"] = str(alert.route)
    if alert.entities:
        refs, drawn = _linked_entities(
            session, actor, keys.node_id, region, alert.entities, labels, nodes
        )
        body["entities"] = refs
        sources.extend(drawn)
    return records.create(
        session,
        keys,
        actor=actor,
        type=ALERT,
        body=body,
        labels=labels,
        audience=audience,
        sources=sources,
    )


@dataclass(frozen=True)
class Listed:
    row: AlertRow
    state: str  # active | expired | withdrawn


def state_of(row: AlertRow, now: datetime) -> str:
    if row.state == "active" and row.valid_until is not None and row.valid_until <= now:
        return "expired"  # the retention job purges it within minutes
    return row.state


def list_alerts(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    types: tuple[str, ...] = (),
    severities: tuple[str, ...] = (),
    active: bool | None = None,
    limit: int = 200,
) -> list[Listed]:
    """Active alerts first (most severe, newest first), then the others, newest first.

    Two queries, each stopping once `limit` visible rows are found: the inactive history can
    grow without slowing the list of active alerts."""
    actor.require("records.read")
    now = clock.now()
    base = select(AlertRow).where(AlertRow.purpose.in_(sorted(actor.purposes)))
    if types:
        base = base.where(AlertRow.type.in_(types))
    if severities:
        base = base.where(AlertRow.severity.in_(severities))
    live = (AlertRow.state == "active") & (
        AlertRow.valid_until.is_(None) | (AlertRow.valid_until > now)
    )
    queries = []
    if active is not False:
        queries.append(base.where(live).order_by(AlertRow.severity_rank, AlertRow.sent_at.desc()))
    if active is not True:
        queries.append(base.where(~live).order_by(AlertRow.sent_at.desc()))
    out: list[Listed] = []
    for q in queries:
        result = session.scalars(q.execution_options(yield_per=500))
        try:
            for row in result:
                if len(out) == limit:
                    break
                if visible(actor, row, node_id):
                    out.append(Listed(row, state_of(row, now)))
        finally:
            result.close()  # a server-side cursor on PostgreSQL, left early
    # What draws on a case (linked entities) is listed to the case's members only.
    hidden = flow.hidden(session, actor, [item.row.id for item in out])
    return [item for item in out if item.row.id not in hidden]


def read(
    session: Session, keys: NodeKeys, *, actor: Principal, alert_id: uuid.UUID
) -> tuple[dict[str, Any], AlertRow]:
    """The alert (audited read); the first read at a recipient node sends a read receipt."""
    envelope = records.get_of_type(
        session, keys.node_id, actor=actor, record_id=alert_id, type=ALERT
    )
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return receipts.opened(session, keys, envelope), row


def acknowledge(
    session: Session, keys: NodeKeys, *, actor: Principal, alert_id: uuid.UUID
) -> tuple[dict[str, Any], AlertRow]:
    """A person at a recipient node confirms the alert: the origin gets an acknowledged
    receipt (and a read one if it had none). Acknowledging again changes nothing."""
    actor.require("records.write")
    envelope, row = read(session, keys, actor=actor, alert_id=alert_id)
    if envelope["origin"] == keys.node_id:
        raise Conflict("the sending node does not acknowledge its own alert")
    if envelope.get("body") is None or state_of(row, clock.now()) != "active":
        raise Conflict(f"this alert is {state_of(row, clock.now())}: nothing to acknowledge")
    if receipts.send(session, keys, [envelope], "acknowledged"):
        row.acknowledged_by = actor.handle
        row.acknowledged_at = clock.now()
        detail = {"origin": envelope["origin"]}
        records.audit_record(session, actor, "alert.acknowledge", ALERT, alert_id, detail)
    return envelope, row


def withdraw(
    session: Session, keys: NodeKeys, *, actor: Principal, alert_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    envelope = records.get_of_type(
        session, keys.node_id, actor=actor, record_id=alert_id, type=ALERT
    )
    if envelope["origin"] != keys.node_id:
        raise PermissionDenied("only the sending node withdraws an alert")
    # Who may (its author or an administrator) is the records core's rule, checked there.
    return records.revoke(session, keys, actor=actor, record_id=alert_id, reason=reason)


def recipients(session: Session, envelope: dict[str, Any]) -> dict[str, dict[str, datetime]]:
    """node id -> {status: when} for every node the alert was addressed to ({} = pending)."""
    got = receipts.statuses(session, uuid.UUID(envelope["id"]))
    return {n: got.get(n, {}) for n in envelope["audience"]["nodes"]}


def progress(statuses: dict[str, datetime]) -> str:
    return next((s for s in PROGRESS if s in statuses), "pending")


def acknowledgements(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """alert id -> nodes that acknowledged it (for the sender's list), in one query."""
    out: dict[uuid.UUID, set[str]] = {}
    if not ids:
        return out
    q = select(receipts.Receipt.record_id, receipts.Receipt.node_id).where(
        receipts.Receipt.record_id.in_(ids), receipts.Receipt.status == "acknowledged"
    )
    for rid, node in session.execute(q):
        out.setdefault(rid, set()).add(node)
    return out
