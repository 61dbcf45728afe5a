"""What the mapping page modules share (challenges/, commitments/, map/ and reports/ each have a
`pages.py` with its router): the pages that record, change and withdraw this node's routes,
challenges and commitments (`OwnForms`), on top of web.forms and web.sharing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput, NotFound, PermissionDenied
from corridor.federation.peers import approved_peers
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import service as mapping
from corridor.node.service import Node
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, save_form
from corridor.web.render import page
from corridor.web.sharing import SharingContext, SharingForm, sharing_context

Envelope = dict[str, Any]


def sharing(session: Session, auth: Auth) -> SharingContext:
    """What a mapping form offers to share with (any approved peer, any group)."""
    return sharing_context(session, auth, approved_peers(session))


def owned(envelope: Envelope, node_id: str) -> None:
    """Refuse to change a withdrawn record or a partner's."""
    if envelope.get("body") is None:
        raise NotFound(_("it was withdrawn by the node that recorded it"))
    if envelope["origin"] != node_id:
        raise PermissionDenied(_("only the node that recorded it may change it"))


def own_record(request: Request, auth: Auth, *, type: str, record_id: uuid.UUID) -> Envelope:
    """The record an edit form shows: one of this node's, still active."""
    auth.principal.require("mapping.write")
    node = node_of(request)
    with node.db.transaction() as session:
        envelope = mapping.get_record(
            session, node.id, actor=auth.principal, type=type, record_id=record_id
        )
    owned(envelope, node.id)
    return envelope


class RecordFields(Protocol):
    """A form's own fields (challenges.forms.ChallengeForm, routes.forms.RouteForm)."""

    def body(self) -> dict[str, Any]: ...


F = TypeVar("F", bound=RecordFields)


@dataclass(frozen=True)
class OwnForms(Generic[F]):
    """The pages that record, change and withdraw one kind of this node's records: the form
    (new, or an edit of a record), its saving, its withdrawal. `fields` makes the form's own
    fields (empty, or `of_body` of a record); `context` adds what the template shows besides
    (a vocabulary, the routes to cite)."""

    record_type: str
    path: str  # "/challenges": the form posts to <path>/new or <path>/<id>/edit
    template: str
    save: mapping.SaveOwn
    said: tuple[str, str]  # message ids: recorded; updated (version %(v)d)
    fields: Callable[[], F]
    of_body: Callable[[dict[str, Any]], F]
    context: Callable[[Session, Node, Auth], dict[str, Any]]
    # What the form shows again rather than the error page (see web.forms.save_form).
    refused: tuple[type[Exception], ...] = (InvalidInput,)
    passed_on: tuple[type[Exception], ...] = ()

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
        with node.db.reading() as session:
            shared = sharing(session, auth)
            extra = self.context(session, node, auth)
        if form is None or share is None:
            form = self.of_body(envelope["body"]) if envelope else self.fields()
            share = SharingForm.of_record(envelope, shared["groups"]) if envelope else SharingForm()
        action = f"{self.path}/{envelope['id']}/edit" if envelope else f"{self.path}/new"
        return page(
            request,
            self.template,
            {
                "record": envelope,
                "form": form,
                "share": share,
                "error": error,
                "action": action,
                **shared,
                **extra,
            },
            status=status,
        )

    def new(self, request: Request, auth: Auth) -> HTMLResponse:
        auth.principal.require("mapping.write")
        return self.page(request, auth)

    def edit(self, request: Request, auth: Auth, record_id: uuid.UUID) -> HTMLResponse:
        return self.page(
            request,
            auth,
            envelope=own_record(request, auth, type=self.record_type, record_id=record_id),
        )

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

        def load(session: Session, node: Node) -> Envelope | None:
            if record_id is None:
                return None
            envelope = mapping.get_record(
                session, node.id, actor=auth.principal, type=self.record_type, record_id=record_id
            )
            # A partner's record is refused before its form is even read.
            owned(envelope, node.id)
            return envelope

        def saved(session: Session, node: Node, envelope: Envelope | None) -> Envelope:
            body = form.body()
            return self.save(
                session,
                node.keys,
                actor=auth.principal,
                body=body,
                labels=share.labels(before=envelope["labels"] if envelope else None),
                to=share.addressed(),
                record_id=record_id,
            )

        def done(envelope: Envelope) -> tuple[str, str]:
            recorded, updated = self.said
            message = _(recorded) if record_id is None else _(updated) % {"v": envelope["version"]}
            return f"{self.path}/{envelope['id']}", message

        def again(envelope: Envelope | None, error: str, status: int) -> Response:
            return self.page(
                request, auth, envelope=envelope, form=form, share=share, error=error, status=status
            )

        return save_form(
            request,
            auth,
            permission="mapping.write",
            load=load,
            save=saved,
            done=done,
            again=again,
            refused=self.refused,
            passed_on=self.passed_on,
        )

    def withdraw(self, request: Request, auth: Auth, record_id: uuid.UUID, reason: str) -> Response:
        """Withdraw one of this node's records from its page."""

        def withdraw(session: Session, node: Node) -> object:
            return mapping.withdraw(
                session,
                node.keys,
                actor=auth.principal,
                type=self.record_type,
                record_id=record_id,
                reason=reason,
            )

        return act_form(
            request,
            auth,
            permission="mapping.write",
            act=withdraw,
            back=f"{self.path}/{record_id}",
            done=N_("Withdrawn: every partner node that holds it purges it."),
        )
