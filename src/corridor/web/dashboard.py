"""The dashboard: what needs the signed-in person now and what changed since their last visit,
as every module reports it (`corridor.work`, named in the manifests), most pressing first; the
node's own facts for its administrators below.

A visit is a sign-in: "since your last visit" counts from the last time the person opened the
dashboard before signing in this time (their first visit looks back a week), until they mark
everything as seen. The work part refreshes itself when something arrives from a partner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock, modules, work
from corridor.audit import service as audit
from corridor.i18n import N_
from corridor.jobs import queue
from corridor.node.service import Node
from corridor.records import registry
from corridor.records.models import StoredRecord
from corridor.security.models import User
from corridor.security.people import People
from corridor.security.principal import Principal
from corridor.web.auth import node_of
from corridor.web.forms import act_form
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, own_label, page

router = APIRouter(include_in_schema=False)

# How far a first visit looks back for what is new.
FIRST_VISIT = timedelta(days=7)


@dataclass(frozen=True)
class Visit:
    last: datetime | None  # the last visit "since" counts from (None: this is the first)
    since: datetime


def _user(session: Session, principal: Principal) -> User | None:
    return session.get(User, principal.user_id) if principal.user_id else None


def _since(user: User | None, now: datetime) -> Visit:
    if user is not None and user.dashboard_since is not None:
        return Visit(user.dashboard_since, user.dashboard_since)
    start = now - FIRST_VISIT
    if user is not None:
        start = max(start, clock.as_utc(user.created_at))
    return Visit(None, start)


def visit(session: Session, principal: Principal, now: datetime) -> Visit:
    """Record that the person opens the dashboard now: at the first look after they signed in
    again, "since" moves to their previous look."""
    user = _user(session, principal)
    if user is None:
        return _since(None, now)
    seen, login = user.dashboard_seen_at, user.last_login_at
    if seen is not None and login is not None and clock.as_utc(login) > clock.as_utc(seen):
        user.dashboard_since = seen
    user.dashboard_seen_at = now
    return _since(user, now)


def _people(session: Session, node_id: str) -> Callable[[str], str]:
    """A handle of this node's people as the pages name them (`security.people`)."""
    people = People(node_id)
    return lambda handle: people.load(session, [handle])(handle).name


def _work(
    session: Session, request: Request, node: Node, principal: Principal, now: datetime, v: Visit
) -> dict[str, Any]:
    ask = work.Ask(
        session=session,
        node_id=node.id,
        actor=principal,
        now=now,
        since=v.since,
        own_label=own_label(request),
        person=_people(session, node.id),
    )
    sections = work.ranked(s for m in modules.work_modules() for s in m.sections(ask))
    return {
        "sections": sections,
        "changes": [c for s in sections for c in s.since if c.n],
        "visit": v,
    }


def _node_facts(session: Session, p: Principal) -> dict[str, object]:
    """What the node's administrators keep an eye on."""
    ctx: dict[str, object] = {}
    if p.has("users.manage") or p.has("jobs.manage"):
        held = session.execute(
            select(StoredRecord.type, StoredRecord.state, func.count())
            .where(StoredRecord.purpose.in_(sorted(p.purposes)))
            .group_by(StoredRecord.type, StoredRecord.state)
        ).all()
        ctx["records"] = [
            {"type": t, "title": registry.get(t).title or t, "state": s, "count": n}
            for t, s, n in held
        ]
    if p.has("users.manage"):
        ctx["user_count"] = session.scalar(select(func.count()).select_from(User))
    if p.has("jobs.manage"):
        ctx["jobs"] = queue.counts(session)
    if p.has("audit.read"):
        recent, _ = audit.search(session, audit.AuditFilter(), limit=8)
        ctx["recent"] = recent
    return ctx


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    now = clock.now()
    # Notices are worded in the reader's language when the sections are made.
    activate_locale(request, auth)
    with node.db.transaction() as session:
        v = visit(session, auth.principal, now)
        ctx = _work(session, request, node, auth.principal, now, v)
        ctx.update(_node_facts(session, auth.principal))
    return page(request, "dashboard.html", ctx)


@router.get("/dashboard/_work", response_class=HTMLResponse)
def work_part(request: Request, auth: PageAuth) -> HTMLResponse:
    """The work part alone, fetched again when something arrives (the visit stays as it is)."""
    node = node_of(request)
    now = clock.now()
    activate_locale(request, auth)
    with node.db.transaction() as session:
        v = _since(_user(session, auth.principal), now)
        ctx = _work(session, request, node, auth.principal, now, v)
    return page(request, "_dashboard_work.html", ctx)


SEEN = N_("Marked as seen: what arrives from now on shows as new.")


@router.post("/dashboard/seen")
def mark_seen(request: Request, auth: PageAuth) -> Response:
    """Everything so far counts as seen: "since your last visit" starts now."""

    def act(session: Session, _node: Node) -> None:
        user = _user(session, auth.principal)
        if user is not None:
            user.dashboard_since = clock.now()

    return act_form(request, auth, act=act, back="/", done=SEEN, permission="account.write")
