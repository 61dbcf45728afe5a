"""The dashboard: the node at a glance for whoever signs in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from corridor.audit import service as audit
from corridor.jobs import queue
from corridor.records import registry
from corridor.records.models import StoredRecord
from corridor.security.models import User
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, auth: Annotated[Auth, Depends(page_auth)]) -> HTMLResponse:
    node = node_of(request)
    p = auth.principal
    ctx: dict[str, object] = {}
    with node.db.transaction() as session:
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
    return page(request, "dashboard.html", ctx)
