"""The course of a page form that changes something through a service, in two kinds:

- `save_form`: a form of its own page (a record created or changed, an endorsement, a progress
  update): save, then redirect with a message; on a refusal, the same form again with the error
  and everything the person typed;
- `act_form`: a form that acts on what a page shows (acknowledge an alert, add a note or a
  member): back to that page with what happened, or with why not (and the browser puts back
  what was typed in the form); `withdraw_form` is the one
  that withdraws the record a page shows, and `withdraw_route` adds that form's route for a
  kind of record.

One helper for each, so the transaction, the language of the messages and what a refusal shows
are decided in one place. A form's own fields are read by `typed` (a form model, kept as typed
even when a value is over its limit or not of its kind: `save_form` then shows the form again
rather than saving); a refusal is worded field by field by web.refusals (each mistake beside
its field, the summary at the top); `parse_time` reads a date-and-time field. The sharing
fields those forms carry are web/sharing.py's, the fields' caps web/params.py's."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, partial
from typing import Any, Protocol, TypeVar, get_args, get_origin

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from corridor.errors import CorridorError, InvalidInput
from corridor.formats import ascii_digits, from_local
from corridor.i18n import gettext
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.security.principal import Principal
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth, Reason
from corridor.web.refusals import FormFields, Refusal, mark
from corridor.web.render import activate_locale, redirect

S = TypeVar("S")  # what the service answers (e.g. the saved record's envelope)
M = TypeVar("M", bound=BaseModel)  # a form model


@dataclass(frozen=True)
class Typed:
    """A form model read from a posted form (`typed`), and what was wrong with its fields."""

    model: type[BaseModel]
    errors: tuple[Mapping[str, Any], ...]


def _typed(request: Request) -> list[Typed]:
    """The form models read from this request's form (the refused ones carry their errors)."""
    read: list[Typed] | None = getattr(request.state, "typed_forms", None)
    if read is None:
        read = request.state.typed_forms = []
    return read


def _many(annotation: object) -> bool:
    """Whether a field takes every value of its name (checkboxes), not the last one."""
    kinds = (list, set, frozenset, tuple)
    return get_origin(annotation) in kinds or any(
        get_origin(a) in kinds for a in get_args(annotation)
    )


_DIGIT_KINDS = (int, float, Decimal, date, datetime, time)


def _counted(annotation: object) -> bool:
    """Whether a field holds a number, date or time: typed in any digits (۱۲, ١٢, 12)."""
    kinds = (annotation, *get_args(annotation))
    return any(isinstance(k, type) and issubclass(k, _DIGIT_KINDS) for k in kinds)


@cache
def typed(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A page form's own fields as a FastAPI dependency:
    `form: Annotated[AlertForm, Depends(typed(AlertForm))]`. The model's fields are read from
    the posted form by their names (aliases) as FastAPI reads a form model (an empty value is
    the field's default); a value the model refuses (over its `max_length`, a number that is
    not one) does not refuse the request: the model comes back as typed and `save_form`, seeing
    its errors, shows the form again with each mistake beside its field and saves nothing.
    Read only by routes that save through `save_form`."""

    async def read(request: Request) -> M:
        posted = await request.form()
        data: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            key = info.alias or name
            if _many(info.annotation):
                values = [v for v in posted.getlist(key) if isinstance(v, str)]
                if values:
                    data[key] = values
            else:
                value = posted.get(key)
                if isinstance(value, str) and value != "":
                    data[key] = ascii_digits(value) if _counted(info.annotation) else value
        try:
            form = model.model_validate(data)
            errors: tuple[Mapping[str, Any], ...] = ()
        except ValidationError as exc:
            # As typed; a required field left empty is shown empty.
            empty = {
                info.alias or name: [] if _many(info.annotation) else ""
                for name, info in model.model_fields.items()
                if info.is_required()
            }
            form = model.model_construct(**{**empty, **data})
            errors = tuple(exc.errors(include_url=False))
        _typed(request).append(Typed(model, errors))
        return form

    read.__name__ = f"typed_{model.__name__}"
    return read


def _form_fields(request: Request, labels: Mapping[str, str] | None = None) -> FormFields:
    """How the posted form names its fields: those of the form models `typed` read, with
    `labels` (field → label, a message id) where the form does not call a field by its name."""
    names = {
        info.alias or name for t in _typed(request) for name, info in t.model.model_fields.items()
    }
    return FormFields.of(names, labels)


def _shown_again(request: Request, again: Again, refusal: Refusal, status: int) -> Response:
    """The form's page again (`again`) with a refusal: its summary as the page's error, and
    each mistake beside its field in the form that posted here."""
    response = again(error=refusal.summary(), status=status)
    if not response.media_type or not response.media_type.startswith("text/html"):
        return response
    html = bytes(response.body).decode()
    marked = mark(html, request.url.path, refusal).encode()
    response.body = marked
    response.headers["content-length"] = str(len(marked))
    return response


def parse_time(text: str, field: str) -> datetime | None:
    """A date and time field (datetime-local), typed in the reader's time zone (the forms say
    which); empty is None. `field`: how the form names it (a message id, translated here)."""
    if not text.strip():
        return None
    try:
        return from_local(text)
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
    page that shows a one-time secret). A form whose own fields (read by `typed`) were refused
    is not saved: it is shown `again` at 422. A `refused` exception (but not a `passed_on` one,
    which goes to the error page) shows the form `again` at `status` (None: the refusal's own
    status). Either way each mistake is said beside its field (`fields`: field → label where the
    form does not call a field by its name; see web.refusals)."""
    activate_locale(request, auth)
    if permission is not None:
        auth.principal.require(permission)
    named = _form_fields(request, fields)
    typed_errors = [e for t in _typed(request) for e in t.errors]
    if typed_errors:
        return _shown_again(request, again, Refusal.of_errors(typed_errors, named), 422)
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            saved = save(session, node)
    except refused as exc:
        if isinstance(exc, passed_on):
            raise
        own = exc.status if isinstance(exc, CorridorError) else 422
        refusal = Refusal.of(exc, named)
        return _shown_again(request, again, refusal, own if status is None else status)
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
        return redirect(request, back, error, refused=True)

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
