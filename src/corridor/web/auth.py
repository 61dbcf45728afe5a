"""Who is calling: bearer token (API) or session cookie (UI, with CSRF), resolved per request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from corridor import formats, i18n
from corridor.errors import PermissionDenied, Unauthenticated
from corridor.security import service as security
from corridor.security.models import User, WebSession
from corridor.security.principal import Principal

if TYPE_CHECKING:
    from corridor.node.service import Node

SESSION_COOKIE = "corridor_session"
LOGIN_CSRF_COOKIE = "corridor_login_csrf"
LANG_COOKIE = "corridor_lang"  # the header's language switch, before sign-in
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages a user who must change a one-time password may still reach.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/logout"})


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PasswordChangeRequired(Exception):
    pass


@dataclass(frozen=True)
class Auth:
    principal: Principal
    via: str  # "session" | "token"
    csrf: str | None
    email: str
    display_name: str
    must_change_password: bool
    totp_enabled: bool
    locale: str | None
    session_id: str | None = None
    time_zone: str | None = None
    calendar: str | None = None  # hash of the session cookie, never the cookie


def node_of(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _auth(principal: Principal, via: str, user: User, ws: WebSession | None = None) -> Auth:
    return Auth(
        principal,
        via,
        ws.csrf_token if ws else None,
        user.email,
        user.display_name,
        user.must_change_password,
        user.totp_enabled,
        user.locale,
        ws.id if ws else None,
        user.time_zone,
        user.calendar,
    )


def _resolve(request: Request) -> Auth | None:
    """Checks run in a read-only transaction (no queueing behind writers); the once-a-minute
    record of activity, or ending an expired session, in a short write of its own."""
    node = node_of(request)
    ip = client_ip(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        with node.db.reading() as session:
            tok = security.check_token(session, secret=secret.strip())
            if tok is None:
                raise Unauthenticated("the API token is unknown, revoked or expired")
            principal = security.principal_for_token(tok, ip=ip)
            auth, due, token_id = (
                _auth(principal, "token", tok.user),
                security.token_touch_due(tok),
                tok.id,
            )
        if due:
            with node.db.transaction() as session:
                security.touch_token(session, token_id)
        return auth
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    with node.db.reading() as session:
        found = security.check_session(session, cookie=cookie)
        if found is None:
            return None
        ws, user = found
        result = (
            None
            if user is None
            else _auth(security.principal_for(user, kind="session", ip=ip), "session", user, ws)
        )
        due = user is None or security.session_touch_due(ws)
        session_id = ws.id
    if due:
        with node.db.transaction() as session:
            security.touch_session(session, session_id, end=result is None)
    return result


def _same_origin(request: Request) -> bool:
    # Browsers say where a request comes from; refuse anything another site started.
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not sent by a browser cross-site form post
    own = {f"{request.url.scheme}://{request.url.netloc}"}
    configured = urlsplit(node_of(request).config.url)
    own.add(f"{configured.scheme}://{configured.netloc}")
    return origin in own


async def _check_csrf(request: Request, auth: Auth, *, allow_form: bool) -> None:
    if auth.via != "session" or request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise PermissionDenied("cross-origin request refused")
    sent = request.headers.get("x-csrf-token")
    if sent is None and allow_form:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not auth.csrf or not secrets.compare_digest(sent, auth.csrf):
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")


async def _api_auth(request: Request) -> Auth:
    auth = await run_in_threadpool(_resolve, request)
    if auth is None:
        raise Unauthenticated("authenticate with 'Authorization: Bearer <token>'")
    request.state.auth = auth  # before any refusal, so the denial is audited with its actor
    await _check_csrf(request, auth, allow_form=False)
    if auth.via == "session":  # the pages' own calls: the words they show in the page's language
        use_reader(request, auth)
    return auth


async def api_principal(request: Request) -> Principal:
    """Dependency for /api/v1: bearer token, or the UI's session plus X-CSRF-Token. A request
    that may change state (any method but GET/HEAD/OPTIONS) needs a credential that may
    write: FastAPI solves this dependency before it reads the body, so a read-only token is
    refused (403) on every such route, whatever permission the route itself checks."""
    auth = await _api_auth(request)
    if request.method not in SAFE_METHODS:
        auth.principal.require_write()
    return auth.principal


async def api_reader(request: Request) -> Principal:
    """Like `api_principal`, for the few POST routes that only compute an answer from their
    body and change nothing (the body is too large or structured for a query string)."""
    return (await _api_auth(request)).principal


async def page_auth(request: Request) -> Auth:
    """Dependency for UI pages: a session (tokens are for the API), CSRF on every form post."""
    if request.headers.get("authorization"):
        raise Unauthenticated("the web UI uses a session; API tokens are for /api/v1")
    auth = await run_in_threadpool(_resolve, request)
    if auth is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method in SAFE_METHODS else "/")
    await _check_csrf(request, auth, allow_form=True)
    if auth.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired
    request.state.auth = auth
    use_reader(request, auth)
    return auth


async def optional_page_auth(request: Request) -> Auth | None:
    """For the few pages anyone may post to (the header's language switch): the session when
    there is one, with its CSRF check; otherwise nothing, but only from this node's own pages."""
    auth = await run_in_threadpool(_resolve, request)
    if auth is None or auth.via != "session":
        if not _same_origin(request):
            raise PermissionDenied("cross-origin request refused")
        return None
    await _check_csrf(request, auth, allow_form=True)
    request.state.auth = auth
    return auth


def use_reader(request: Request, auth: Auth | None) -> formats.Reader:
    """The reader's language (their choice, else the header's switch for someone not signed in,
    else the browser's Accept-Language), time zone and calendar, active for what follows: the
    page, and before it what the route parses (a deadline typed in the reader's time) and words."""
    chosen = auth.locale if auth else request.cookies.get(LANG_COOKIE)
    lang = i18n.negotiate(request.headers.get("accept-language"), chosen)
    reader = formats.Reader(
        lang,
        (auth.time_zone if auth else None) or formats.DEFAULT_ZONE,
        auth.calendar if auth else None,
    )
    i18n.activate(lang)
    formats.activate(reader)
    return reader


def login_redirect_target(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="")


def safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
