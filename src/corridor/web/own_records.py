"""The pages that publish, change and withdraw one kind of this node's own records (routes,
challenges, commitments, contact cards): the form, new or an edit of a record, its saving
(web.forms.save_form) and its withdrawal from the record's page (web.forms.withdraw_form), with
the sharing fields of web.sharing.

A module describes its kind with an `OwnRecords` (where its pages are, the template of the form,
the form's own fields, and its service as three functions) and mounts its pages on its router;
only the node that published a record changes or withdraws it, and a withdrawn record is changed
no more."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from corridor.errors import CorridorError, InvalidInput, NotFound, PermissionDenied
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.records import owned
from corridor.records.labels import Labels
from corridor.security.principal import Principal
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form, typed, withdraw_form
from corridor.web.params import PageAuth, Reason
from corridor.web.sharing import Sharing, SharingContext, SharingForm, sharing_page

if TYPE_CHECKING:
    # For the annotation only: federation's pages import the web layer, not the reverse.
    from corridor.federation.models import Peer

Envelope = dict[str, Any]
# Every refusal of a service or of a schema, for a form that shows them all again (with
# `passed_on=(PermissionDenied,)`, a permission refused is still the error page).
REFUSED = (CorridorError, ValidationError)


class RecordFields(Protocol):
    """A form's own fields (e.g. challenges.forms.ChallengeForm): the body they describe."""

    def body(self) -> dict[str, Any]: ...


F = TypeVar("F", bound=RecordFields)


class GetOwn(Protocol):
    """A record of the kind that this person may read (NotFound otherwise)."""

    def __call__(
        self, session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
    ) -> Envelope: ...


class SaveOwn(Protocol):
    """A new record of this node, or (with `record_id`) a new version of one."""

    def __call__(
        self,
        session: Session,
        node: Node,
        *,
        actor: Principal,
        body: dict[str, Any],
        labels: Labels,
        to: list[str],
        record_id: uuid.UUID | None,
    ) -> Envelope: ...


class WithdrawOwn(Protocol):
    """Withdraw one of this node's records (a tombstone every holder purges it on)."""

    def __call__(
        self,
        session: Session,
        keys: NodeKeys,
        *,
        actor: Principal,
        record_id: uuid.UUID,
        reason: str,
    ) -> object: ...


def _prefilled(form: F, request: Request) -> F:
    """A new record's form with the fields its link names (`/risk/figures/new?indicator=…`:
    another page offers to record what it shows); only the form's own text fields, capped."""
    fields = type(form).model_fields  # type: ignore[attr-defined]
    given = {
        k: v[:2000]
        for k, v in request.query_params.items()
        if k in fields and isinstance(getattr(form, k, None), str)
    }
    return form.model_copy(update=given) if given else form  # type: ignore[attr-defined]


def _no_more(_session: Session, _node: Node, _auth: Auth) -> dict[str, Any]:
    return {}


def _nobody(_peers: list[Peer]) -> SharingForm:
    return SharingForm()


@dataclass(frozen=True)
class OwnRecords(Generic[F]):
    """The pages of one kind of this node's records: the form (new, or an edit of a record),
    its saving, its withdrawal. `blank` makes the new form's own fields, `of_body` a record's;
    `context` adds what the template shows besides (a vocabulary, the routes to cite);
    `addressed` whom a new record goes to (no one ticked, or every approved peer). `peers`
    are federation.peers.approved_peers (passed in: the federation's pages import the web
    layer, not the reverse). The messages are message ids, translated when shown."""

    path: str  # "/challenges": the form posts to <path>/new or <path>/<id>/edit
    template: str
    permission: str  # who may write them ("mapping.write", "records.write")
    get: GetOwn
    save: SaveOwn
    withdrawal: WithdrawOwn
    peers: Callable[[Session], list[Peer]]
    blank: Callable[[Node], F]
    of_body: Callable[[dict[str, Any]], F]
    recorded: str  # "Challenge recorded."
    updated: str  # "Challenge updated (version %(v)d)."
    withdrawn: str  # "Withdrawn: every partner node that holds it purges it."
    gone: str  # why a withdrawn record is not changed
    not_ours: str  # why a partner's record is not changed
    context: Callable[[Session, Node, Auth], dict[str, Any]] = _no_more
    addressed: Callable[[list[Peer]], SharingForm] = _nobody
    # What the form shows again rather than the error page (see web.forms.save_form), and how
    # it names the fields of the body in an error (field → label, a message id).
    refused: tuple[type[Exception], ...] = (InvalidInput, ValidationError)
    passed_on: tuple[type[Exception], ...] = ()
    fields: Mapping[str, str] | None = None

    def owned(self, envelope: Envelope, node_id: str) -> None:
        """Refuse to change a withdrawn record or a partner's."""
        if envelope.get("body") is None:
            raise NotFound(_(self.gone))
        if envelope["origin"] != node_id:
            raise PermissionDenied(_(self.not_ours))

    def can_edit(self, envelope: Envelope, node_id: str, auth: Auth) -> bool:
        """Whether a record's page offers to change and withdraw it."""
        return (
            envelope["origin"] == node_id
            and envelope.get("body") is not None
            and auth.principal.has(self.permission)
        )

    def page(
        self,
        request: Request,
        auth: Auth,
        *,
        envelope: Envelope | None = None,
        form: F | None = None,
        share: SharingForm | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        """The form: empty, the record's (`envelope`), or as typed with an `error`."""
        node = node_of(request)
        action = f"{self.path}/{envelope['id']}/edit" if envelope else f"{self.path}/new"

        def shown(offered: SharingContext) -> dict[str, Any]:
            context = {"record": envelope, "error": error, "action": action, "home": self.path}
            if form is not None and share is not None:
                return {**context, "form": form, "share": share}
            if envelope is None:
                return {
                    **context,
                    "form": _prefilled(self.blank(node), request),
                    "share": self.addressed(offered["peers"]),
                }
            shared = SharingForm.of_record(envelope, offered["groups"])
            return {**context, "form": self.of_body(envelope["body"]), "share": shared}

        return sharing_page(
            request,
            auth,
            self.template,
            peers=self.peers,
            read=self.context,
            shown=shown,
            status=status,
        )

    def new(self, request: Request, auth: Auth) -> HTMLResponse:
        auth.principal.require(self.permission)
        return self.page(request, auth)

    def edit(self, request: Request, auth: Auth, record_id: uuid.UUID) -> HTMLResponse:
        """The form of one of this node's records, still active."""
        auth.principal.require(self.permission)
        node = node_of(request)
        with node.db.transaction() as session:
            envelope = self.get(session, node.id, actor=auth.principal, record_id=record_id)
        self.owned(envelope, node.id)
        return self.page(request, auth, envelope=envelope)

    def posted(
        self,
        request: Request,
        auth: Auth,
        record_id: uuid.UUID | None,
        form: F,
        share: SharingForm,
    ) -> Response:
        """Record the posted form as a new record, or (with `record_id`) a new version; then to
        the record's page with what happened, or the form again with the error and all that
        was typed."""

        loaded: Envelope | None = None  # the record an edit changes

        def saved(session: Session, node: Node) -> Envelope:
            nonlocal loaded
            if record_id is not None:
                envelope = self.get(session, node.id, actor=auth.principal, record_id=record_id)
                # A partner's record is refused before its form is even read.
                self.owned(envelope, node.id)
                loaded = envelope
            return self.save(
                session,
                node,
                actor=auth.principal,
                body=form.body(),
                labels=share.labels(before=loaded["labels"] if loaded else None),
                to=share.addressed(),
                record_id=record_id,
            )

        def done(envelope: Envelope) -> tuple[str, str]:
            version = {"v": envelope["version"]}
            message = _(self.recorded) if record_id is None else _(self.updated) % version
            return f"{self.path}/{envelope['id']}", message

        def again(*, error: str, status: int) -> Response:
            envelope = loaded
            if envelope is None and record_id is not None:
                # Refused before the save read it (a field over its limit): the edit's record.
                node = node_of(request)
                with node.db.transaction() as session:
                    envelope = self.get(session, node.id, actor=auth.principal, record_id=record_id)
                self.owned(envelope, node.id)
            return self.page(
                request, auth, envelope=envelope, form=form, share=share, error=error, status=status
            )

        return save_form(
            request,
            auth,
            permission=self.permission,
            save=saved,
            done=done,
            again=again,
            refused=self.refused,
            passed_on=self.passed_on,
            status=422,
            fields=self.fields,
        )

    def withdraw(self, request: Request, auth: Auth, record_id: uuid.UUID, reason: str) -> Response:
        """Withdraw one of this node's records from its page."""
        return withdraw_form(
            request,
            auth,
            partial(self.withdrawal, record_id=record_id),
            reason=reason,
            back=f"{self.path}/{record_id}",
            done=self.withdrawn,
            permission=self.permission,
        )

    def mount_new(self, router: APIRouter, fields: type[F]) -> None:
        """Add `<path>/new` to `router` (before a route of its own that takes any `<path>/<x>`):
        the form of a new record, and where it posts (`fields` read as a form model, with the
        sharing fields)."""
        at = self.path.removeprefix(router.prefix)

        def new(request: Request, auth: PageAuth) -> HTMLResponse:
            return self.new(request, auth)

        def create(request: Request, auth: PageAuth, form: F, share: Sharing) -> Response:
            return self.posted(request, auth, None, form, share)

        _posts(create, fields)
        router.get(f"{at}/new", response_class=HTMLResponse)(new)
        router.post(f"{at}/new", response_class=HTMLResponse)(create)

    def mount(self, router: APIRouter, fields: type[F]) -> None:
        """Add every page to `router`: `<path>/new` (see `mount_new`), `<path>/<id>/edit` (the
        form of a record, and where it posts) and `<path>/<id>/withdraw`."""
        self.mount_new(router, fields)
        at = self.path.removeprefix(router.prefix)

        def edit(request: Request, auth: PageAuth, record_id: uuid.UUID) -> HTMLResponse:
            return self.edit(request, auth, record_id)

        def update(
            request: Request, auth: PageAuth, record_id: uuid.UUID, form: F, share: Sharing
        ) -> Response:
            return self.posted(request, auth, record_id, form, share)

        def withdraw(
            request: Request, auth: PageAuth, record_id: uuid.UUID, reason: Reason = ""
        ) -> Response:
            return self.withdraw(request, auth, record_id, reason)

        _posts(update, fields)
        router.get(f"{at}/{{record_id}}/edit", response_class=HTMLResponse)(edit)
        router.post(f"{at}/{{record_id}}/edit", response_class=HTMLResponse)(update)
        router.post(f"{at}/{{record_id}}/withdraw")(withdraw)


def _posts(endpoint: Callable[..., Response], fields: type[RecordFields]) -> None:
    """What FastAPI reads the form an `endpoint` receives as: `fields`, a form model read by
    web.forms.typed (set here, where the kind is known, since the endpoint is written once for
    every kind)."""
    endpoint.__annotations__["form"] = Annotated[fields, Depends(typed(fields))]


def node_owned(
    record_type: str,
    save: owned.SaveOwn,
    *,
    permission: str,
    peers: Callable[[Session], list[Peer]],
) -> dict[str, Any]:
    """The arguments of an `OwnRecords` over a node-owned record type (records.owned) besides
    its place, form and messages: written by `save`, read and withdrawn by records.owned, by
    the roles holding `permission`; `peers` as for OwnRecords."""

    def get(
        session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
    ) -> dict[str, Any]:
        return owned.get_record(
            session, node_id, actor=actor, type=record_type, record_id=record_id
        )

    def saved(session: Session, node: Node, **fields: Any) -> dict[str, Any]:
        return save(session, node.keys, **fields)

    return {
        "permission": permission,
        "get": get,
        "save": saved,
        "withdrawal": partial(owned.withdraw, type=record_type),
        "peers": peers,
        "withdrawn": N_("Withdrawn: every partner node that holds it purges it."),
        "gone": N_("it was withdrawn by the node that recorded it"),
        "not_ours": N_("only the node that recorded it may change it"),
    }
