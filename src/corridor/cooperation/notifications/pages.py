"""Notifications in the web UI: the list (open one, mark read), the bell's unread count, and
each user's preferences."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor.cooperation.notifications import service
from corridor.cooperation.notifications.models import Notification
from corridor.errors import NotFound
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, live_list, page, redirect

router = APIRouter(include_in_schema=False, prefix="/notifications")


EMAIL_LABELS = {
    "off": N_("No e-mail"),
    "immediately": N_("E-mail at once"),
    "digest": N_("In the digest"),
}
DIGEST_LABELS = {"hourly": N_("Hourly"), "daily": N_("Daily")}


def _shown(rows: list[Notification]) -> list[dict[str, object]]:
    return [
        {
            "id": n.id,
            "title": service.render_title(n.title, n.params),
            "link": n.link,
            "urgent": n.urgent,
            "created_at": n.created_at,
            "unread": n.read_at is None,
        }
        for n in rows
    ]


def _listing(request: Request, auth: PageAuth) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        rows = service.list_notifications(session, actor=auth.principal, limit=100)
        unread = service.unread_count(session, actor=auth.principal)
    # Titles are translated in the reader's language, before page() activates it.
    activate_locale(request, auth)
    return {"items": _shown(rows), "unread": unread}


live_list(
    router,
    "cooperation/notifications/index.html",
    "cooperation/notifications/_list.html",
    _listing,
)


@router.get("/_badge", response_class=HTMLResponse)
def badge(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        unread = service.unread_count(session, actor=auth.principal)
    return page(request, "cooperation/notifications/_badge.html", {"unread": unread})


@router.post("/read")
def mark_read(
    request: Request, auth: PageAuth, id: Annotated[str, Form(max_length=36)] = ""
) -> Response:
    """One notification (id) or all of them."""
    node = node_of(request)
    try:
        ids = [uuid.UUID(id)] if id else None
    except ValueError:
        return redirect(request, "/notifications", _("No such notification."))
    try:
        with node.db.transaction() as session:
            service.mark_read(session, actor=auth.principal, ids=ids)
    except NotFound:
        return redirect(request, "/notifications", _("No such notification."))
    return redirect(request, "/notifications", None if ids else _("All notifications read."))


@router.post("/{notification_id}/open")
def open_one(request: Request, auth: PageAuth, notification_id: uuid.UUID) -> Response:
    """Mark it read and go where it points (a POST: reading changes state)."""
    node = node_of(request)
    with node.db.transaction() as session:
        target = session.get(Notification, notification_id)
        if target is None or target.user_id != auth.principal.user_id or not target.web:
            return redirect(request, "/notifications", _("No such notification."))
        service.mark_read(session, actor=auth.principal, ids=[notification_id])
        link = target.link
    # Only paths inside this node: a notice never sends the browser elsewhere.
    if not link.startswith("/") or link.startswith("//"):
        link = "/notifications"
    return redirect(request, link)


def _preferences(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        prefs, digest = service.get_preferences(session, actor=auth.principal)
    return page(
        request,
        "cooperation/notifications/preferences.html",
        {
            "prefs": prefs,
            "digest": digest,
            "email_labels": EMAIL_LABELS,
            "digest_labels": DIGEST_LABELS,
            "email_available": node.config.smtp is not None,
            **extra,
        },
        status=status,
    )


@router.get("/preferences", response_class=HTMLResponse)
def preferences(request: Request, auth: PageAuth) -> HTMLResponse:
    return _preferences(request, auth)


@router.post("/preferences", response_class=HTMLResponse)
async def save_preferences(request: Request, auth: PageAuth) -> Response:
    """Fields per kind: web:<kind> (checkbox) and email:<kind> (off | immediately | digest)."""
    form = await request.form()
    kinds: dict[str, tuple[bool, str]] = {}
    for key, value in form.multi_items():
        if key.startswith("email:") and isinstance(value, str):
            kind = key[len("email:") :]
            kinds[kind] = (form.get(f"web:{kind}") == "on", value)
    digest = form.get("digest")

    def save(session: Session, _node: Node) -> None:
        chosen = digest if isinstance(digest, str) and digest else None
        service.set_preferences(session, actor=auth.principal, kinds=kinds, digest=chosen)

    def done(_saved: None) -> tuple[str, str]:
        return "/notifications/preferences", _("Preferences saved.")

    return await run_in_threadpool(
        save_form, request, auth, save=save, done=done, again=partial(_preferences, request, auth)
    )
