"""Messages in the web UI: inbox and sent, a thread with receipts, compose and reply."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor.federation import receipts
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.messages import service as messages
from corridor.node.service import Node
from corridor.records.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, read_uploads
from corridor.records.labels import Labels
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, parse_time, typed, withdraw_route
from corridor.web.params import PageAuth, Title
from corridor.web.render import live_list, own_label, page
from corridor.web.sharing import AmberSharing, ComposePage, SharingForm

router = APIRouter(include_in_schema=False, prefix="/messages")


def _listing(
    request: Request, auth: PageAuth, box: Annotated[str, Query(pattern="^(inbox|sent)$")] = "inbox"
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        items = messages.list_messages(session, node.id, actor=auth.principal, box=box, limit=100)
        names = node_names(session, node.id, own_label(request))
    return {"items": items, "box": box, "names": names}


live_list(router, "messages/index.html", "messages/_list.html", _listing)


class MessageForm(BaseModel):
    """The message form's own fields, as typed (its sharing fields are a SharingForm)."""

    subject: Title = ""
    text: Annotated[str, Form(max_length=100_000)] = ""
    source: Annotated[str, Form(max_length=1)] = ""
    # One digit, read as an int below ("x" raised ValueError: 500).
    information: Annotated[str, Form(pattern="^[1-4]?$")] = ""
    expires: Annotated[str, Form(max_length=10)] = ""
    in_reply_to: Annotated[str, Form(max_length=36)] = ""

    def labels(self, share: SharingForm) -> Labels:
        """The sharing fields' labels with the evaluation and the expiry this form adds."""
        evaluation = (
            {"source": self.source, "information": int(self.information)}
            if self.source and self.information
            else None
        )
        return share.labels(evaluation=evaluation, expires=parse_time(self.expires, N_("expires")))


def _compose_context(_session: Session, _node: Node, _auth: Auth) -> dict[str, Any]:
    return {"max_files": MAX_ATTACHMENTS, "max_file_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}


COMPOSE = ComposePage("messages/compose.html", MessageForm, approved_peers, _compose_context)


COMPOSE.mount(router)


@router.post("/new", response_class=HTMLResponse)
async def send(
    request: Request,
    auth: PageAuth,
    form: Annotated[MessageForm, Depends(typed(MessageForm))],
    share: AmberSharing,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    attachments = await read_uploads(files or [], MAX_ATTACHMENT_BYTES)
    reply_to = uuid.UUID(form.in_reply_to) if form.in_reply_to else None

    def save(session: Session, node: Node) -> dict[str, Any]:
        return messages.send(
            session,
            node.keys,
            actor=auth.principal,
            to=share.addressed(),
            subject=form.subject,
            text=form.text,
            labels=form.labels(share),
            attachments=attachments,
            in_reply_to=reply_to,
        )

    def done(env: dict[str, Any]) -> tuple[str, str]:
        return f"/messages/{env['body'].get('thread') or env['id']}", _("Message sent.")

    if reply_to is not None:
        # A reply is written on its thread and goes back there, sent or refused.
        back = f"/messages/{reply_to}"
        sent = N_("Message sent.")
        return await run_in_threadpool(act_form, request, auth, act=save, back=back, done=sent)
    return await run_in_threadpool(COMPOSE.posted, request, auth, form, share, save=save, done=done)


@router.get("/{message_id}", response_class=HTMLResponse)
def thread(request: Request, auth: PageAuth, message_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        first = messages.read(session, node.keys, actor=auth.principal, message_id=message_id)
        thread_id = uuid.UUID((first.get("body") or {}).get("thread") or first["id"])
        listed = messages.list_messages(
            session, node.id, actor=auth.principal, box="all", thread=thread_id, limit=200
        )
        shown = []
        for item in listed:
            env = messages.read(
                session, node.keys, actor=auth.principal, message_id=item.message.id
            )
            shown.append({"env": env, "receipts": receipts.statuses(session, item.message.id)})
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "messages/thread.html",
        {
            "items": shown,
            "names": names,
            "thread_id": thread_id,
            "reply_to": shown[-1]["env"]["id"] if shown else str(message_id),
        },
    )


WITHDRAWN = N_("Message withdrawn: every recipient node purges it.")
withdraw_route(
    router, messages.withdraw, "message_id", WITHDRAWN, "withdrawn by the sender", path="revoke"
)
