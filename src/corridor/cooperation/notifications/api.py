"""REST API /api/v1/notifications: a user's own notices, marking them read, preferences."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from corridor import clock, i18n
from corridor.cooperation.notifications import service
from corridor.cooperation.notifications.models import Notification
from corridor.cooperation.notifications.schemas import (
    NotificationList,
    NotificationPreferencesRead,
    NotificationsMarkedRead,
    PreferencesIn,
    ReadIn,
)
from corridor.security.models import User
from corridor.security.principal import Principal
from corridor.web.endpoints import Api

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


def item(n: Notification, locale: str) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "kind": n.kind,
        "title": service.render_title(n.title, n.params, locale),
        "link": n.link,
        "urgent": n.urgent,
        "record": {"id": str(n.record_id), "type": n.record_type, "version": n.record_version}
        if n.record_id
        else None,
        "created_at": clock.iso(n.created_at),
        "read_at": clock.iso(n.read_at) if n.read_at else None,
    }


def _locale(session: Session, actor: Principal) -> str:
    user = session.get(User, actor.user_id) if actor.user_id else None
    return (user.locale if user else None) or i18n.DEFAULT


def preferences_out(prefs: list[service.Preference], digest: str, smtp: bool) -> dict[str, Any]:
    return {
        "kinds": {
            p.kind: {"label": p.label, "web": p.web, "email": p.email, "default": not p.explicit}
            for p in prefs
        },
        "digest": digest,
        # Without an SMTP server on this node, e-mail choices are kept but nothing is mailed.
        "email_available": smtp,
    }


@router.get("", response_model=NotificationList)
def list_notifications(
    api: Api,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = 50,
    unread: bool = False,
) -> dict[str, Any]:
    with api.reading() as session:
        rows = service.list_notifications(session, actor=api.actor, limit=limit, unread_only=unread)
        locale = _locale(session, api.actor)
        return {
            "items": [item(n, locale) for n in rows],
            "unread": service.unread_count(session, actor=api.actor),
        }


@router.post("/read", response_model=NotificationsMarkedRead)
def mark_read(api: Api, payload: ReadIn) -> dict[str, Any]:
    with api.transaction() as session:
        changed = service.mark_read(
            session, actor=api.actor, ids=None if payload.all else payload.ids
        )
        return {"marked": changed, "unread": service.unread_count(session, actor=api.actor)}


@router.get("/preferences", response_model=NotificationPreferencesRead)
def get_preferences(api: Api) -> dict[str, Any]:
    with api.reading() as session:
        prefs, digest = service.get_preferences(session, actor=api.actor)
    return preferences_out(prefs, digest, api.node.config.smtp is not None)


@router.put("/preferences", response_model=NotificationPreferencesRead)
def put_preferences(api: Api, payload: PreferencesIn) -> dict[str, Any]:
    with api.transaction() as session:
        service.set_preferences(
            session,
            actor=api.actor,
            kinds={k: (v.web, v.email) for k, v in payload.kinds.items()},
            digest=payload.digest,
        )
        prefs, digest = service.get_preferences(session, actor=api.actor)
    return preferences_out(prefs, digest, api.node.config.smtp is not None)
