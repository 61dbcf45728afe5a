"""The course of a page form that changes something through a service: save, then redirect
with a message; on a refusal, the same form again with the error and everything the person typed.

One helper for every such form (a record created or changed, a withdrawal, an endorsement, a
progress update), so the transaction, the language of the messages and what a refusal shows are
decided in one place. The sharing fields those forms carry are web/sharing.py's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from corridor.errors import CorridorError, InvalidInput
from corridor.i18n import gettext
from corridor.node.service import Node
from corridor.web.auth import Auth, node_of
from corridor.web.render import activate_locale, redirect

E = TypeVar("E")  # what the form changes, read in the transaction (e.g. a record's envelope)
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


def save_form(
    request: Request,
    auth: Auth,
    *,
    save: Callable[[Session, Node, E | None], S],
    done: Callable[[S], tuple[str, str]],
    again: Callable[[E | None, str, int], Response],
    load: Callable[[Session, Node], E] | None = None,
    permission: str | None = None,
    refused: tuple[type[Exception], ...] = (InvalidInput,),
    passed_on: tuple[type[Exception], ...] = (),
    status: int | None = 422,
    fields: Mapping[str, str] | None = None,
) -> Response:
    """Run a posted form in one transaction. `load` reads what an edit changes (and refuses,
    before the form is even read, what this node may not change); `save` turns the form into
    what the service takes and saves it; `done` names the page to go to and the message to show
    there (built after the commit, in the reader's language). A `refused` exception (but not a
    `passed_on` one, which goes to the error page) shows the form `again` with its `error_text`
    (`fields`: how the form names the fields), at `status` (None: the error's own status)."""
    activate_locale(request, auth)
    if permission is not None:
        auth.principal.require(permission)
    node = node_of(request)
    loaded: E | None = None
    try:
        with node.db.transaction() as session:
            if load is not None:
                loaded = load(session, node)
            saved = save(session, node, loaded)
    except refused as exc:
        if isinstance(exc, passed_on):
            raise
        own = exc.status if isinstance(exc, CorridorError) else 422
        return again(loaded, error_text(exc, fields), own if status is None else status)
    path, message = done(saved)
    return redirect(request, path, message)


def withdraw_form(
    request: Request,
    auth: Auth,
    *,
    withdraw: Callable[[Session, Node], object],
    back: str,
    done: str,
    permission: str | None = None,
) -> Response:
    """A withdrawal posted from a record's page: back to that page with `done` (a message id,
    translated here) or with why not (a partner's record, one withdrawn already): a refusal is
    told on the page rather than shown as an error page."""

    def saved(session: Session, node: Node, _loaded: None) -> object:
        return withdraw(session, node)

    def refused(_loaded: None, error: str, _status: int) -> Response:
        return redirect(request, back, error)

    return save_form(
        request,
        auth,
        permission=permission,
        save=saved,
        done=lambda _saved: (back, gettext(done)),
        again=refused,
        refused=(CorridorError,),
    )
