"""The course of a page form that changes something through a service, in two kinds:

- `save_form`: a form of its own page (a record created or changed, an endorsement, a progress
  update): save, then redirect with a message; on a refusal, the same form again with the error
  and everything the person typed;
- `act_form`: a form that acts on what a page shows (acknowledge an alert, add a note or a
  member): back to that page with what happened, or with why not; `withdraw_form` is the one
  that withdraws the record a page shows, and `withdraw_route` adds that form's route for a
  kind of record.

One helper for each, so the transaction, the language of the messages and what a refusal shows
are decided in one place; `error_text` words a refusal, `parse_time` reads a date-and-time
field. The sharing fields those forms carry are web/sharing.py's, the fields' caps
web/params.py's."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import CorridorError, InvalidInput
from corridor.i18n import gettext
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.security.principal import Principal
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth, Reason
from corridor.web.render import activate_locale, redirect

S = TypeVar("S")  # what the service answers (e.g. the saved record's envelope)


def error_text(exc: Exception, fields: Mapping[str, str] | None = None) -> str:
    """A refusal as one line a person can act on: a validation's field errors ("Countries:
    unknown country code 'ZZ'"), each field named as the form names it (`fields`: field →
    label, translated here), rather than only "invalid body"; else the error's own detail."""
    errors: list[Mapping[str, Any]]
    if isinstance(exc, ValidationError):
        errors = list(exc.errors(include_url=False, include_context=False, include_input=False))
        detail = ""
    elif isinstance(exc, CorridorError):
        errors = list(exc.extra.get("errors") or [])
        detail = exc.detail
    else:
        return str(exc)
    parts = []
    for e in errors:
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        loc = [str(p) for p in e.get("loc", ())]
        if loc and fields and loc[0] in fields:
            rest = ".".join(loc[1:])
            name = gettext(fields[loc[0]]) + (f" {rest}" if rest else "")
        else:
            name = ".".join(loc)
        parts.append(f"{name}: {msg}" if name else msg)
    return "; ".join(parts) or detail


def parse_time(text: str, field: str) -> datetime | None:
    """A date and time field (datetime-local, read as UTC: the forms say so); empty is None.
    `field`: how the form names it (a message id, translated here)."""
    if not text.strip():
        return None
    try:
        return clock.parse(text.strip())
    except ValueError:
        raise InvalidInput(
            gettext("%(field)s: %(value)r is not a date and time")
            % {"field": gettext(field), "value": text}
        ) from None


class Again(Protocol):
    """The form's page again, showing why the form was refused, at that status: e.g.
    `partial(a_page, request, auth)` of a page function taking `error` and `status`."""

    def __call__(self, *, error: str, status: int) -> Response: ...


def save_form(
    request: Request,
    auth: Auth,
    *,
    save: Callable[[Session, Node], S],
    done: Callable[[S], tuple[str, str] | Response],
    again: Again,
    permission: str | None = None,
    refused: tuple[type[Exception], ...] = (CorridorError, ValidationError),
    passed_on: tuple[type[Exception], ...] = (),
    status: int | None = None,
    fields: Mapping[str, str] | None = None,
) -> Response:
    """Run a posted form in one transaction: `save` turns the form into what the service takes
    and saves it (an edit reads what it changes first, and refuses what this node may not
    change before the form is even read); `done` names the page to go to and the message to
    show there (built after the commit, in the reader's language), or is the answer itself (a
    page that shows a one-time secret). A `refused` exception (but not a `passed_on` one, which
    goes to the error page) shows the form `again` with its `error_text` (`fields`: how the
    form names the fields), at `status` (None: the refusal's own status)."""
    activate_locale(request, auth)
    if permission is not None:
        auth.principal.require(permission)
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            saved = save(session, node)
    except refused as exc:
        if isinstance(exc, passed_on):
            raise
        own = exc.status if isinstance(exc, CorridorError) else 422
        return again(error=error_text(exc, fields), status=own if status is None else status)
    after = done(saved)
    if isinstance(after, Response):
        return after
    path, message = after
    return redirect(request, path, message)


def act_form(
    request: Request,
    auth: Auth,
    *,
    act: Callable[[Session, Node], S],
    back: str,
    done: str | Callable[[S], str | None],
    permission: str | None = None,
) -> Response:
    """A form posted from a page that acts on what the page shows: `act` runs in one
    transaction, then back to the page with `done` (a message id, translated here, or the
    message made from what `act` answers) or with why not: a refusal (a partner's record, one
    withdrawn already, a mistake in what was typed) is told on the page rather than shown as an
    error page."""

    def told(result: S) -> tuple[str, str]:
        return back, gettext(done) if isinstance(done, str) else (done(result) or "")

    def refused(*, error: str, status: int) -> Response:
        return redirect(request, back, error)

    return save_form(request, auth, permission=permission, save=act, done=told, again=refused)


class Withdrawal(Protocol):
    """A service that withdraws one record, bound to it (e.g. `partial(alerts.withdraw,
    alert_id=…)`): every service that writes records takes the session, this node's keys and
    the person acting."""

    def __call__(
        self, session: Session, keys: NodeKeys, *, actor: Principal, reason: str
    ) -> object: ...


def withdraw_form(
    request: Request,
    auth: Auth,
    withdraw: Withdrawal,
    *,
    reason: str,
    back: str,
    done: str,
    permission: str | None = None,
) -> Response:
    """The record a page shows, withdrawn from it (`reason`: what its tombstone says): back to
    the page with `done` (a message id) or with why not (a partner's record, one withdrawn
    already)."""

    def act(session: Session, node: Node) -> object:
        return withdraw(session, node.keys, actor=auth.principal, reason=reason)

    return act_form(request, auth, act=act, back=back, done=done, permission=permission)


def withdraw_route(
    router: APIRouter,
    withdraw: Callable[..., object],
    key: str,
    done: str,
    default_reason: str = "",
    *,
    path: str = "withdraw",
) -> None:
    """Add `POST <prefix>/<id>/<path>` to `router`: the record whose page is `<prefix>/<id>`
    withdrawn from that page by `withdraw` (its service, which takes the record's id as `key`),
    through `withdraw_form`; `default_reason` is what the tombstone says when the person gives
    no reason."""

    def withdrawn(
        request: Request, auth: PageAuth, record_id: uuid.UUID, reason: Reason = ""
    ) -> Response:
        bound = partial(withdraw, **{key: record_id})
        back = f"{router.prefix}/{record_id}"
        return withdraw_form(
            request, auth, bound, reason=reason or default_reason, back=back, done=done
        )

    router.post(f"/{{record_id}}/{path}")(withdrawn)
