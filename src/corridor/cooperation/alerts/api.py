"""REST API /api/v1/alerts: send, list, read, acknowledge and withdraw alerts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.alerts import service as alerts
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.alerts.records import AlertType, Severity
from corridor.cooperation.alerts.schemas import AlertCreate, AlertList, AlertRead
from corridor.cooperation.schemas import when
from corridor.errors import NotFound
from corridor.federation.schemas import receipts_view
from corridor.records.schemas import WithdrawIn, sent_view
from corridor.web.endpoints import Api, only_set

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
# Some fields are only in some answers (the sender's view, a withdrawn alert's reason).
_ALERT = only_set(AlertRead)


def summary(item: alerts.Listed, node_id: str, acks: dict[uuid.UUID, set[str]]) -> dict[str, Any]:
    row: AlertRow = item.row
    out: dict[str, Any] = {
        "id": str(row.id),
        "from": row.origin,
        "author": row.author,
        "to": row.audience,
        "type": row.type,
        "severity": row.severity,
        "title": row.title if item.state == "active" else None,
        "countries": row.countries,
        "area": row.area,
        "route": str(row.route_id) if row.route_id else None,
        "entities": row.entities,
        "tlp": row.tlp,
        "sent_at": clock.iso(row.sent_at),
        "valid_until": when(row.valid_until),
        "state": item.state,
    }
    if row.origin == node_id:
        out["acknowledged_by"] = sorted(acks.get(row.id, set()))
    else:
        out["acknowledged_at"] = when(row.acknowledged_at)
    return out


def detail(
    envelope: dict[str, Any],
    row: AlertRow,
    node_id: str,
    recipients: dict[str, dict[str, Any]] | None,
) -> dict[str, Any]:
    body = envelope.get("body") or {}
    out: dict[str, Any] = {
        **sent_view(envelope, clock.iso(row.sent_at)),
        "state": alerts.state_of(row, clock.now()),
        "type": row.type,
        "severity": row.severity,
        "title": body.get("title"),
        "text": body.get("text"),
        "body": body.get("text"),  # deprecated: the same as text
        "area": body.get("area"),
        "route": body.get("route"),
        "countries": body.get("countries", []),
        "entities": body.get("entities", []),
        "valid_until": envelope["labels"].get("expires"),
    }
    if envelope.get("tombstone"):
        out["reason"] = envelope["tombstone"].get("reason")
    if recipients is not None:
        out["recipients"] = receipts_view(recipients)
        out["recipient_status"] = {node: alerts.progress(st) for node, st in recipients.items()}
    if envelope["origin"] != node_id:
        out["acknowledged"] = (
            {"by": row.acknowledged_by, "at": clock.iso(row.acknowledged_at)}
            if row.acknowledged_at
            else None
        )
    return out


def _answer(
    session: Session, node_id: str, envelope: dict[str, Any], row: AlertRow | None = None
) -> dict[str, Any]:
    """The alert as its reader sees it (its sender also how far each recipient got), read in
    the transaction that signed this version: `row`, its projection, is read here if not given."""
    if row is None:
        row = session.get(AlertRow, uuid.UUID(envelope["id"]))
        if row is None:
            raise NotFound(f"no alert {envelope['id']}")
    own = envelope["origin"] == node_id
    return detail(envelope, row, node_id, alerts.recipients(session, envelope) if own else None)


@router.post("", status_code=201, **_ALERT)
def create_alert(api: Api, payload: AlertCreate) -> dict[str, Any]:
    new = alerts.NewAlert(
        type=payload.type,
        severity=payload.severity,
        title=payload.title,
        text=payload.text,
        area=payload.area,
        route=payload.route,
        countries=tuple(payload.countries),
        entities=tuple(e if isinstance(e, str) else e.id for e in payload.entities),
        valid_until=payload.valid_until,
    )
    with api.transaction() as session:
        env = api.run(
            session,
            alerts.send,
            region=api.node.config.country,
            to=payload.to,
            alert=new,
            labels=payload.labels(),
        )
        return _answer(session, api.node.id, env)


@router.get("", **only_set(AlertList))
def list_alerts(
    api: Api,
    type: Annotated[list[AlertType] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    with api.reading() as session:
        items = alerts.list_alerts(
            session,
            api.node.id,
            actor=api.actor,
            types=tuple(type or ()),
            severities=tuple(severity or ()),
            active=active,
            limit=limit,
        )
        own = [i.row.id for i in items if i.row.origin == api.node.id]
        acks = alerts.acknowledgements(session, own)
        return {"items": [summary(i, api.node.id, acks) for i in items]}


@router.get("/{alert_id}", **_ALERT)
def get_alert(api: Api, alert_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        env, row = api.run(session, alerts.read, alert_id=alert_id)
        return _answer(session, api.node.id, env, row)


@router.post("/{alert_id}/acknowledge", **_ALERT)
def acknowledge_alert(api: Api, alert_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        env, row = api.run(session, alerts.acknowledge, alert_id=alert_id)
        return _answer(session, api.node.id, env, row)


@router.post("/{alert_id}/withdraw", **_ALERT)
def withdraw_alert(api: Api, alert_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(session, alerts.withdraw, alert_id=alert_id, reason=payload.reason)
        return _answer(session, api.node.id, env)
