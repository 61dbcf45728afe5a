"""Login (password, then TOTP when enabled) and logout."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from corridor import clock
from corridor.config import Limits
from corridor.i18n import gettext as _
from corridor.security import service as security
from corridor.security.models import User
from corridor.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Auth,
    client_ip,
    node_of,
    page_auth,
    safe_next,
)
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)
PENDING_MAX_AGE = 300


def _pending(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(node_of(request).secret, salt="login-totp")


def _login_form(
    request: Request, *, error: str | None = None, status: int = 200, next_path: str = "/"
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = page(
        request,
        "login.html",
        {"login_csrf": token, "error": error, "next": safe_next(next_path)},
        status=status,
    )
    resp.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=node_of(request).config.secure_cookies,
        max_age=3600,
    )
    return resp


def _expired(request: Request, sent: str, next_path: str) -> Response | None:
    """The sign-in form again when the posted CSRF token is not the cookie's (the form is
    older than its cookie, or came from elsewhere); None when it is."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if cookie and sent and secrets.compare_digest(cookie, sent):
        return None
    error = _("Your session expired. Please sign in again.")
    return _login_form(request, error=error, status=403, next_path=next_path)


def _totp_form(
    request: Request, pending: str, csrf: str, next_path: str, error: str | None = None
) -> HTMLResponse:
    """The second step: the code of the authenticator app, for the user `pending` names."""
    context = {"pending": pending, "login_csrf": csrf, "next": safe_next(next_path)}
    return page(
        request, "login_totp.html", {**context, "error": error}, status=401 if error else 200
    )


def _start_session(request: Request, user_id: uuid.UUID, next_path: str) -> Response:
    node = node_of(request)

    def work() -> tuple[str, bool]:
        with node.db.transaction() as session:
            user = session.get(User, user_id)
            assert user is not None
            cookie, _ws = security.complete_login(session, user=user, ip=client_ip(request))
            return cookie, user.must_change_password

    cookie, must_change = work()
    target = "/account/password" if must_change else safe_next(next_path)
    resp = RedirectResponse(target, status_code=303)
    limits = Limits()
    resp.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=node.config.secure_cookies,
        max_age=limits.session_max_hours * 3600,
    )
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if request.cookies.get(SESSION_COOKIE):
        node = node_of(request)
        with node.db.transaction() as session:
            found = security.session_principal(
                session, cookie=request.cookies[SESSION_COOKIE], ip=client_ip(request)
            )
        if found is not None:
            return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next_path=next)


class SignIn(BaseModel):
    """What both steps of the sign-in post: the form's CSRF token, the page to go to after."""

    csrf_token: Annotated[str, Form(max_length=100)] = ""
    next: Annotated[str, Form(max_length=2000)] = "/"


class Password(SignIn):
    email: Annotated[str, Form(max_length=320)] = ""
    password: Annotated[str, Form(max_length=1024)] = ""


class Code(SignIn):
    pending: Annotated[str, Form(max_length=500)] = ""  # who signs in (signed, short-lived)
    code: Annotated[str, Form(max_length=20)] = ""


@router.post("/login")
def login(request: Request, form: Annotated[Password, Form()]) -> Response:
    expired = _expired(request, form.csrf_token, form.next)
    if expired is not None:
        return expired
    node = node_of(request)
    with node.db.transaction() as session:
        outcome = security.authenticate(
            session, email=form.email, password=form.password, ip=client_ip(request)
        )
        user = outcome.user
        totp = bool(user and user.totp_enabled)
        user_id = user.id if user else None
    if outcome.reason == "locked":
        error = _(
            "Too many failed attempts. The account is locked for a while; "
            "try again later or ask an administrator."
        )
        return _login_form(request, status=423, next_path=form.next, error=error)
    if user_id is None:
        error = _("E-mail or password is wrong.")
        return _login_form(request, error=error, status=401, next_path=form.next)
    if totp:
        pending = _pending(request).dumps({"uid": str(user_id)})
        return _totp_form(request, pending, form.csrf_token, form.next)
    return _start_session(request, user_id, form.next)


@router.post("/login/totp")
def login_totp(request: Request, form: Annotated[Code, Form()]) -> Response:
    expired = _expired(request, form.csrf_token, form.next)
    if expired is not None:
        return expired
    try:
        uid = uuid.UUID(_pending(request).loads(form.pending, max_age=PENDING_MAX_AGE)["uid"])
    except (BadSignature, KeyError, ValueError, TypeError):
        error = _("The sign-in took too long. Please start again.")
        return _login_form(request, error=error, status=401, next_path=form.next)
    node = node_of(request)
    with node.db.transaction() as session:
        user = session.get(User, uid)
        ok = bool(
            user
            and not user.disabled
            and user.totp_enabled
            and not (user.locked_until and user.locked_until > clock.now())
            and security.totp_verify_login(
                session, user=user, code=form.code, ip=client_ip(request)
            )
        )
    if not ok:
        error = _("That code is not valid.")
        return _totp_form(request, form.pending, form.csrf_token, form.next, error)
    return _start_session(request, uid, form.next)


@router.post("/logout")
async def logout(request: Request, auth: Annotated[Auth, Depends(page_auth)]) -> Response:
    node = node_of(request)

    def work() -> None:
        with node.db.transaction() as session:
            security.logout(
                session, cookie=request.cookies.get(SESSION_COOKIE, ""), actor=auth.principal
            )

    await run_in_threadpool(work)
    resp = redirect(request, "/login", _("You are signed out."))
    resp.delete_cookie(SESSION_COOKIE)
    return resp
