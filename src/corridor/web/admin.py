"""Administration pages: users, units, the audit log and the node itself."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor import db as dbm
from corridor.audit import service as audit
from corridor.errors import InvalidInput, NotFound
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.node.service import Node
from corridor.records.models import StoredRecord
from corridor.schemas import MAX_INT64
from corridor.security import service as security
from corridor.security.models import Unit
from corridor.security.principal import Principal
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form, typed
from corridor.web.params import Description, Name, PageAuth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False, prefix="/admin")
S = TypeVar("S")  # what a form's service answers


# --- users -------------------------------------------------------------------------------


def _users_page(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    with node_of(request).db.transaction() as session:
        users = security.list_users(session, actor=auth.principal)
        units = security.list_units(session, actor=auth.principal)
    return page(
        request, "admin/users.html", {"users": users, "units": units, **extra}, status=status
    )


# What other modules show on the node page, as template variables (federation: the audit
# log's witnesses); the web layer builds on the modules, not the other way round.
NODE_FACTS: list[Callable[[Session, str], dict[str, Any]]] = []


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, auth: PageAuth) -> HTMLResponse:
    return _users_page(request, auth)


def _saved(
    request: Request,
    auth: Auth,
    save: Callable[[Session, Node], S],
    done: Callable[[S], tuple[str, str] | Response],
    again: Callable[..., HTMLResponse],
) -> Response:
    """An administration form: saved, or its page (`again`) with why not, at the refusal's
    status."""
    return save_form(request, auth, save=save, done=done, again=partial(again, request, auth))


class UserForm(BaseModel):
    """What an administrator sets of a user: the name shown, the role (none: unchanged), the
    unit (none: no unit)."""

    display_name: Name = ""
    role: Annotated[str, Form(max_length=40)] = ""
    unit: Annotated[str, Form(max_length=64)] = ""

    def unit_of(self, session: Session) -> Unit | None:
        """The unit chosen (one that is gone is a mistake in the form, not a missing page)."""
        try:
            return security.find_unit(session, self.unit) if self.unit else None
        except NotFound:
            raise InvalidInput(_("unit: no such unit")) from None


class NewUser(UserForm):
    email: Annotated[str, Form(min_length=1, max_length=320)]
    role: Annotated[str, Form(max_length=40)] = "viewer"


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request, auth: PageAuth, form: Annotated[NewUser, Depends(typed(NewUser))]
) -> Response:
    password = security.generate_password()

    def save(session: Session, _node: Node) -> str:
        user = security.create_user(
            session,
            actor=auth.principal,
            email=form.email,
            role=form.role,
            password=password,
            display_name=form.display_name,
            unit=form.unit_of(session),
            must_change_password=True,
        )
        return user.email

    def done(created: str) -> Response:
        # The one-time password is shown once, on this page: no redirect.
        return _users_page(request, auth, created=created, one_time_password=password)

    return _saved(request, auth, save, done, partial(_users_page, form=form))


def _user_page(
    request: Request, auth: Auth, *, handle: str, status: int = 200, **extra: object
) -> HTMLResponse:
    with node_of(request).db.transaction() as session:
        auth.principal.require("users.manage")
        user = security.find_user(session, handle)
        units = security.list_units(session, actor=auth.principal)
        tokens = security.list_tokens(session, actor=auth.principal, user=user)
        locked = bool(user.locked_until and user.locked_until > clock.now())
    return page(
        request,
        "admin/user.html",
        {"user": user, "units": units, "tokens": tokens, "locked": locked, **extra},
        status=status,
    )


@router.get("/users/{handle}", response_class=HTMLResponse)
def user_detail(request: Request, auth: PageAuth, handle: str) -> HTMLResponse:
    return _user_page(request, auth, handle=handle)


@router.post("/users/{handle}", response_class=HTMLResponse)
def user_update(
    request: Request,
    auth: PageAuth,
    handle: str,
    form: Annotated[UserForm, Depends(typed(UserForm))],
) -> Response:
    def save(session: Session, _node: Node) -> None:
        security.update_user(
            session,
            actor=auth.principal,
            user=security.find_user(session, handle),
            role=form.role or None,
            unit=form.unit_of(session),
            display_name=form.display_name,
        )

    def done(_saved: None) -> tuple[str, str]:
        return f"/admin/users/{handle}", _("Saved.")

    return _saved(request, auth, save, done, partial(_user_page, handle=handle, form=form))


USER_ACTIONS = {
    "disable": N_("Account disabled; its sessions ended."),
    "enable": N_("Account enabled."),
    "reset-password": "",
    "totp-off": N_("Two-factor authentication turned off for this account."),
}


@router.post("/users/{handle}/{action}", response_class=HTMLResponse)
def user_action(request: Request, auth: PageAuth, handle: str, action: str) -> Response:
    def save(session: Session, _node: Node) -> str | None:
        """The new one-time password of a reset; None for the other actions."""
        user = security.find_user(session, handle)
        if action not in USER_ACTIONS:
            raise InvalidInput(f"unknown action {action!r}")
        if action == "reset-password":
            return security.reset_password(session, actor=auth.principal, user=user)
        if action == "totp-off":
            security.totp_disable(session, actor=auth.principal, user=user)
        else:
            security.update_user(
                session, actor=auth.principal, user=user, disabled=action == "disable"
            )
        return None

    def done(password: str | None) -> tuple[str, str] | Response:
        if password is not None:
            return _user_page(request, auth, handle=handle, one_time_password=password)
        return f"/admin/users/{handle}", _(USER_ACTIONS[action])

    return _saved(request, auth, save, done, partial(_user_page, handle=handle))


# --- units -------------------------------------------------------------------------------


def _units_page(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    with node_of(request).db.transaction() as session:
        auth.principal.require("users.manage")
        units = security.list_units(session, actor=auth.principal)
        members = {u.id: 0 for u in units}
        for user in security.list_users(session, actor=auth.principal):
            if user.unit_id in members:
                members[user.unit_id] += 1
    return page(
        request, "admin/units.html", {"units": units, "members": members, **extra}, status=status
    )


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, auth: PageAuth) -> HTMLResponse:
    return _units_page(request, auth)


class UnitForm(BaseModel):
    """A new unit, as typed."""

    name: Annotated[str, Form(min_length=1, max_length=200)]
    description: Description = ""


@router.post("/units", response_class=HTMLResponse)
def create_unit(
    request: Request, auth: PageAuth, form: Annotated[UnitForm, Depends(typed(UnitForm))]
) -> Response:
    def save(session: Session, _node: Node) -> object:
        return security.create_unit(
            session, actor=auth.principal, name=form.name, description=form.description
        )

    def done(_unit: object) -> tuple[str, str]:
        return "/admin/units", _("Unit created.")

    return _saved(request, auth, save, done, partial(_units_page, form=form))


# --- audit -------------------------------------------------------------------------------


def parse_filter(
    action: str | None, actor: str | None, outcome: str | None, since: str | None, until: str | None
) -> audit.AuditFilter:
    def day(value: str | None) -> datetime | None:
        if not value:
            return None
        try:
            return clock.parse(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)") from None

    return audit.AuditFilter(
        action=action or None,
        actor=actor or None,
        outcome=outcome or None,
        since=day(since),
        until=day(until),
    )


class AuditQuery(BaseModel):
    """The audit log's filters, as the page's query string has them."""

    action: Annotated[str | None, Query(max_length=80)] = None
    actor: Annotated[str | None, Query(max_length=80)] = None
    outcome: Annotated[str | None, Query(max_length=16)] = None
    since: Annotated[str | None, Query(max_length=32)] = None
    until: Annotated[str | None, Query(max_length=32)] = None

    def filter(self) -> audit.AuditFilter:
        return parse_filter(self.action, self.actor, self.outcome, self.since, self.until)


Filters = Annotated[AuditQuery, Query()]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    auth: PageAuth,
    q: Filters,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
) -> HTMLResponse:
    auth.principal.require("audit.read")
    try:
        f = q.filter()
    except InvalidInput as exc:
        return page(
            request,
            "admin/audit.html",
            {"error": exc.detail, "entries": [], "total": 0, "q": request.query_params},
            status=422,
        )
    with node_of(request).db.transaction() as session:
        entries, total = audit.search(session, f, limit=50, before_seq=before)
        audit.append(
            session, actor=auth.principal, action="audit.read", detail={"count": len(entries)}
        )
    template = "admin/_audit_rows.html" if request.headers.get("hx-request") else "admin/audit.html"
    return page(request, template, {"entries": entries, "total": total, "q": request.query_params})


@router.get("/audit/export")
def audit_export(
    request: Request,
    auth: PageAuth,
    q: Filters,
    format: Annotated[str, Query(pattern="^(csv|jsonl)$")] = "jsonl",
) -> Response:
    auth.principal.require("audit.read")
    return export_response(node_of(request), auth.principal, q.filter(), format)


def export_response(
    node: Node, actor: Principal, f: audit.AuditFilter, fmt: str
) -> StreamingResponse:
    with node.db.transaction() as session:
        audit.append(session, actor=actor, action="audit.export", detail={"format": fmt})

    def rows() -> Iterator[str]:
        with node.db.sessions() as session:
            it = audit.iter_export(session, f)
            if fmt == "jsonl":
                for row in it:
                    yield json.dumps(row, ensure_ascii=False) + "\n"
                return
            buf = io.StringIO()
            writer = None
            for row in it:
                if writer is None:
                    writer = csv.DictWriter(buf, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(
                    {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                )
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()

    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    media = "application/x-ndjson" if fmt == "jsonl" else "text/csv"
    return StreamingResponse(
        rows(),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="corridor-audit-{stamp}.{fmt}"'},
    )


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("audit.read")
    with node_of(request).db.transaction() as session:
        result = audit.verify(session)
        audit.append(
            session,
            actor=auth.principal,
            action="audit.verify",
            outcome="ok" if result.ok else "error",
            detail={"checked": result.checked},
        )
    return page(request, "admin/_audit_verify.html", {"result": result})


# --- node --------------------------------------------------------------------------------


@router.get("/node", response_class=HTMLResponse)
def node_page(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("node.manage")
    node = node_of(request)
    with node.db.transaction() as session:
        counts = queue.counts(session)
        dead = list(
            session.scalars(
                select(Job).where(Job.state == "dead").order_by(Job.updated_at.desc()).limit(20)
            )
        )
        card = session.scalar(
            select(StoredRecord).where(
                StoredRecord.type == "node.card",
                StoredRecord.origin == node.id,
                StoredRecord.state == "active",
            )
        )
        records_held = session.scalar(select(func.count()).select_from(StoredRecord))
        added = {k: v for facts in NODE_FACTS for k, v in facts(session, node.id).items()}
    revision = dbm.current_revision(node.db)
    store = node.db.engine.url.render_as_string(hide_password=True)
    return page(
        request,
        "admin/node.html",
        {
            "card": card.envelope if card else None,
            "counts": counts,
            "dead": dead,
            "revision": revision,
            "store": store,
            "dialect": node.db.dialect,
            "limits": node.config.limits,
            "records_held": records_held,
            **added,
        },
    )


@router.post("/jobs/{job_id}/retry")
def retry_job(request: Request, auth: PageAuth, job_id: uuid.UUID) -> Response:
    auth.principal.require("jobs.manage")
    with node_of(request).db.transaction() as session:
        queue.retry_dead(session, job_id)
        audit.append(
            session,
            actor=auth.principal,
            action="job.retry",
            object_type="job",
            object_id=str(job_id),
        )
    return redirect(request, "/admin/node", _("Job queued again."))
