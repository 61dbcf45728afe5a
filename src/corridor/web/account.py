"""A user's own account: password, language, second factor, API tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from corridor import clock, i18n
from corridor.errors import CorridorError
from corridor.i18n import gettext as _
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.roles import SCOPES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)


def _account_page(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        user = security.find_user(session, auth.principal.handle)
        tokens = security.list_tokens(session, actor=auth.principal, user=user)
        unit = user.unit.name if user.unit else None
    languages = [(code, i18n.language_name(code)) for code in i18n.available()]
    return page(
        request,
        "account/account.html",
        {
            "tokens": tokens,
            "unit": unit,
            "languages": languages,
            "scopes": SCOPES,
            "token_days": (TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS),
            **extra,
        },
        status=status,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, auth: PageAuth) -> HTMLResponse:
    return _account_page(request, auth)


@router.post("/account/locale")
def set_locale(
    request: Request, auth: PageAuth, locale: Annotated[str, Form(max_length=16)] = ""
) -> Response:
    if locale and locale not in i18n.available():
        return redirect(request, "/account", _("That language is not available."))
    with node_of(request).db.transaction() as session:
        user = security.find_user(session, auth.principal.handle)
        user.locale = locale or None
    return redirect(request, "/account", _("Language saved."))


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, auth: PageAuth) -> HTMLResponse:
    return page(request, "account/password.html")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    auth: PageAuth,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    if new != confirm:
        return page(
            request,
            "account/password.html",
            {"error": _("The two new passwords differ.")},
            status=422,
        )
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            user = security.find_user(session, auth.principal.handle)
            security.change_password(
                session,
                actor=auth.principal,
                user=user,
                current=current,
                new=new,
                keep_session=auth.session_id,
            )
    except CorridorError as exc:
        return page(request, "account/password.html", {"error": exc.detail}, status=exc.status)
    return redirect(request, "/", _("Password changed."))


@router.post("/account/totp/begin", response_class=HTMLResponse)
def totp_begin(request: Request, auth: PageAuth) -> Response:
    with node_of(request).db.transaction() as session:
        user = security.find_user(session, auth.principal.handle)
        uri = security.totp_begin(session, actor=auth.principal, user=user)
        secret = user.totp_secret
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1b2a3a")
    return page(request, "account/totp.html", {"qr": qr, "secret": secret})


@router.post("/account/totp/confirm", response_class=HTMLResponse)
def totp_confirm(
    request: Request, auth: PageAuth, code: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    try:
        with node_of(request).db.transaction() as session:
            user = security.find_user(session, auth.principal.handle)
            security.totp_confirm(session, actor=auth.principal, user=user, code=code)
    except CorridorError as exc:
        return _account_page(request, auth, status=exc.status, error=exc.detail)
    return redirect(request, "/account", _("Two-factor authentication is on."))


@router.post("/account/totp/disable")
def totp_disable(
    request: Request, auth: PageAuth, password: Annotated[str, Form(max_length=1024)] = ""
) -> Response:
    with node_of(request).db.transaction() as session:
        user = security.find_user(session, auth.principal.handle)
        if not passwords.verify(user.password_hash, password):
            return redirect(request, "/account", _("The password is wrong."))
        security.totp_disable(session, actor=auth.principal, user=user)
    return redirect(request, "/account", _("Two-factor authentication is off."))


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    auth: PageAuth,
    name: Annotated[str, Form(max_length=200)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    days: Annotated[int, Form(ge=1, le=TOKEN_MAX_DAYS)] = TOKEN_DEFAULT_DAYS,
) -> Response:
    expires = clock.now() + timedelta(days=days)
    try:
        with node_of(request).db.transaction() as session:
            user = security.find_user(session, auth.principal.handle)
            secret, tok = security.create_token(
                session,
                actor=auth.principal,
                user=user,
                name=name,
                scopes=scopes or ["read"],
                expires_at=expires,
            )
    except CorridorError as exc:
        return _account_page(request, auth, status=exc.status, error=exc.detail)
    return _account_page(request, auth, new_token=secret, new_token_name=tok.name)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, auth: PageAuth, token_id: uuid.UUID) -> Response:
    with node_of(request).db.transaction() as session:
        security.revoke_token(session, actor=auth.principal, token_id=token_id)
    return redirect(request, "/account", _("Token revoked."))
