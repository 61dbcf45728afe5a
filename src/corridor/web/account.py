"""A user's own account: password, language, second factor, API tokens."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Annotated, TypeVar

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from corridor import clock, formats, i18n
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.models import User
from corridor.security.roles import SCOPES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from corridor.web.auth import LANG_COOKIE, Auth, node_of, optional_page_auth, safe_next
from corridor.web.forms import act_form, save_form, typed
from corridor.web.params import Checked, Name, PageAuth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)
S = TypeVar("S")  # what a form's service answers


def _account_page(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        user = security.find_user(session, auth.principal.handle)
        tokens = security.list_tokens(session, actor=auth.principal, user=user)
        unit = user.unit.name if user.unit else None
    return page(
        request,
        "account/account.html",
        {
            "tokens": tokens,
            "unit": unit,
            "zones": formats.zones(),
            "calendars": (("hijri", N_("Hijri (Umm al-Qura)")), ("jalali", N_("Solar Hijri"))),
            "scopes": SCOPES,
            "token_days": (TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS),
            "now": clock.now(),
            **extra,
        },
        status=status,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, auth: PageAuth) -> HTMLResponse:
    return _account_page(request, auth)


class Reading(BaseModel):
    """The profile's "Language and time" form; empty values return to the defaults."""

    locale: str = Field(default="", max_length=16)
    time_zone: str = Field(default="", max_length=64)
    calendar: str = Field(default="", max_length=16)


@router.post("/account/locale")
def set_locale(request: Request, auth: PageAuth, form: Annotated[Reading, Form()]) -> Response:
    try:
        with node_of(request).db.transaction() as session:
            user = security.find_user(session, auth.principal.handle)
            security.set_reading(
                session,
                actor=auth.principal,
                user=user,
                language=form.locale or None,
                time_zone=form.time_zone or None,
                calendar=form.calendar or None,
            )
    except InvalidInput as refused:
        field = refused.detail.split(":", 1)[0]
        return redirect(request, "/account", _(READING_REFUSED.get(field, READING_REFUSED[""])))
    return redirect(request, "/account", _("Language and time saved."))


READING_REFUSED = {
    "language": N_("That language is not available."),
    "time_zone": N_("That time zone is not known; choose one from the list."),
    "": N_("That calendar is not offered."),
}


@router.post("/language")
def switch_language(
    request: Request,
    auth: Annotated[Auth | None, Depends(optional_page_auth)],
    lang: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The header's language switch: saved to the person's profile when they are signed in, in
    a cookie before they sign in (the login page)."""
    back = safe_next(next)
    if lang and lang not in i18n.available():
        return redirect(request, back, _("That language is not available."))
    if auth is not None:
        with node_of(request).db.transaction() as session:
            user = security.find_user(session, auth.principal.handle)
            security.set_reading(session, actor=auth.principal, user=user, language=lang or None)
    resp = redirect(request, back)
    if lang:
        resp.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=node_of(request).config.secure_cookies,
        )
    else:
        resp.delete_cookie(LANG_COOKIE)
    return resp


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, auth: PageAuth) -> HTMLResponse:
    return page(request, "account/password.html")


def _on_account(
    request: Request,
    auth: Auth,
    save: Callable[[Session, User], S],
    done: Callable[[S], tuple[str, str] | Response],
    form: BaseModel | None = None,
) -> Response:
    """A form of the account page, on the signed-in user's own account: saved, or the page
    again with why not (and the `form` as typed), at the refusal's status."""

    def saved(session: Session, _node: Node) -> S:
        return save(session, security.find_user(session, auth.principal.handle))

    again = partial(_account_page, request, auth, form=form)
    return save_form(request, auth, save=saved, done=done, again=again)


# A password field (never shown back).
Password = Annotated[str, Form(min_length=1, max_length=1024)]


class PasswordForm(BaseModel):
    """A change of one's password (what was typed is never shown back)."""

    current: Password
    new: Password
    confirm: Password


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, auth: PageAuth, form: Annotated[PasswordForm, Depends(typed(PasswordForm))]
) -> Response:
    def save(session: Session, _node: Node) -> None:
        if form.new != form.confirm:
            raise InvalidInput(_("The two new passwords differ."))
        user = security.find_user(session, auth.principal.handle)
        security.change_password(
            session,
            actor=auth.principal,
            user=user,
            current=form.current,
            new=form.new,
            keep_session=auth.session_id,
        )

    def again(*, error: str, status: int) -> Response:
        return page(request, "account/password.html", {"error": error}, status=status)

    def done(_saved: None) -> tuple[str, str]:
        return "/", _("Password changed.")

    return save_form(request, auth, save=save, done=done, again=again)


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
    def save(session: Session, user: User) -> None:
        security.totp_confirm(session, actor=auth.principal, user=user, code=code)

    def done(_saved: None) -> tuple[str, str]:
        return "/account", _("Two-factor authentication is on.")

    return _on_account(request, auth, save, done)


@router.post("/account/totp/disable")
def totp_disable(
    request: Request, auth: PageAuth, password: Annotated[str, Form(max_length=1024)] = ""
) -> Response:
    def act(session: Session, _node: Node) -> None:
        user = security.find_user(session, auth.principal.handle)
        if not passwords.verify(user.password_hash, password):
            raise InvalidInput(_("The password is wrong."))
        security.totp_disable(session, actor=auth.principal, user=user)

    done = N_("Two-factor authentication is off.")
    return act_form(request, auth, act=act, back="/account", done=done)


class TokenForm(BaseModel):
    """A new API token, as typed."""

    name: Name = ""
    scopes: Checked = None
    days: Annotated[int, Form(ge=1, le=TOKEN_MAX_DAYS)] = TOKEN_DEFAULT_DAYS


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, auth: PageAuth, form: Annotated[TokenForm, Depends(typed(TokenForm))]
) -> Response:
    def save(session: Session, user: User) -> tuple[str, str]:
        secret, token = security.create_token(
            session,
            actor=auth.principal,
            user=user,
            name=form.name,
            scopes=form.scopes or ["read"],
            expires_at=clock.now() + timedelta(days=form.days),
        )
        return secret, token.name

    def done(created: tuple[str, str]) -> Response:
        # The secret is shown once, on this page: no redirect.
        secret, token_name = created
        return _account_page(request, auth, new_token=secret, new_token_name=token_name)

    return _on_account(request, auth, save, done, form)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, auth: PageAuth, token_id: uuid.UUID) -> Response:
    with node_of(request).db.transaction() as session:
        security.revoke_token(session, actor=auth.principal, token_id=token_id)
    return redirect(request, "/account", _("Token revoked."))
