"""Messages in the web UI: inbox and sent, a thread with receipts, compose and reply."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from corridor import clock
from corridor.errors import CorridorError, InvalidInput
from corridor.federation import receipts
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import gettext as _
from corridor.messages import service as messages
from corridor.records.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, read_uploads
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page, redirect
from corridor.web.sharing import SharingForm, sharing_context, sharing_fields

router = APIRouter(include_in_schema=False, prefix="/messages")
PageAuth = Annotated[Auth, Depends(page_auth)]


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request, auth: PageAuth, box: Annotated[str, Query(pattern="^(inbox|sent)$")] = "inbox"
) -> HTMLResponse:
    return _list(request, auth, box, "messages/index.html")


@router.get("/_list", response_class=HTMLResponse)
def inbox_rows(
    request: Request, auth: PageAuth, box: Annotated[str, Query(pattern="^(inbox|sent)$")] = "inbox"
) -> HTMLResponse:
    return _list(request, auth, box, "messages/_list.html")


def _list(request: Request, auth: Auth, box: str, template: str) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        items = messages.list_messages(session, node.id, actor=auth.principal, box=box, limit=100)
        names = node_names(session, node.id, f"{node.config.name} ({node.config.country})")
    return page(request, template, {"items": items, "box": box, "names": names})


def _compose(
    request: Request,
    auth: Auth,
    *,
    status: int = 200,
    form: SharingForm | None = None,
    typed: dict[str, str] | None = None,
    **extra: object,
) -> HTMLResponse:
    """The compose form, empty or as the person filled it (`form`, `typed`) after a refusal."""
    node = node_of(request)
    with node.db.transaction() as session:
        offered = sharing_context(session, auth, approved_peers(session))
    return page(
        request,
        "messages/compose.html",
        {
            **offered,
            "form": form or SharingForm(tlp="AMBER"),
            "typed": typed or {},
            "max_files": MAX_ATTACHMENTS,
            "max_file_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
            **extra,
        },
        status=status,
    )


@router.get("/new", response_class=HTMLResponse)
def compose(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.write")
    return _compose(request, auth)


@router.post("/new", response_class=HTMLResponse)
async def send(
    request: Request,
    auth: PageAuth,
    sharing: Annotated[SharingForm, Depends(sharing_fields(default_tlp="AMBER"))],
    subject: Annotated[str, Form(max_length=300)] = "",
    text: Annotated[str, Form(max_length=100_000)] = "",
    source: Annotated[str, Form(max_length=1)] = "",
    # One digit, read as an int below ("x" raised ValueError: 500).
    information: Annotated[str, Form(pattern="^[1-4]?$")] = "",
    expires: Annotated[str, Form(max_length=10)] = "",
    in_reply_to: Annotated[str, Form(max_length=36)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    attachments = await read_uploads(files or [], MAX_ATTACHMENT_BYTES)
    node = node_of(request)

    def work() -> str:
        evaluation = (
            {"source": source, "information": int(information)} if source and information else None
        )
        try:
            expiry = clock.parse(expires) if expires else None
        except ValueError:
            raise InvalidInput(f"expires: {expires!r} is not a date and time") from None
        labels = sharing.labels(evaluation=evaluation, expires=expiry)
        with node.db.transaction() as session:
            env = messages.send(
                session,
                node.keys,
                actor=auth.principal,
                to=sharing.addressed(),
                subject=subject,
                text=text,
                labels=labels,
                attachments=attachments,
                in_reply_to=uuid.UUID(in_reply_to) if in_reply_to else None,
            )
            return str(env["body"].get("thread") or env["id"])

    try:
        thread = await run_in_threadpool(work)
    except (CorridorError, ValidationError) as exc:
        detail = (
            exc.detail
            if isinstance(exc, CorridorError)
            else "; ".join(e["msg"] for e in exc.errors(include_input=False))
        )
        if in_reply_to:
            return redirect(request, f"/messages/{in_reply_to}", detail)
        typed = {
            "subject": subject,
            "text": text,
            "source": source,
            "information": information,
            "expires": expires,
        }
        return await run_in_threadpool(
            partial(_compose, request, auth, status=422, error=detail, form=sharing, typed=typed)
        )
    return redirect(request, f"/messages/{thread}", _("Message sent."))


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
        names = node_names(session, node.id, f"{node.config.name} ({node.config.country})")
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


@router.post("/{message_id}/revoke")
def revoke(
    request: Request,
    auth: PageAuth,
    message_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            messages.withdraw(
                session,
                node.keys,
                actor=auth.principal,
                message_id=message_id,
                reason=reason or "withdrawn by the sender",
            )
    except CorridorError as exc:
        return redirect(request, f"/messages/{message_id}", exc.detail)
    return redirect(
        request, f"/messages/{message_id}", _("Message withdrawn: every recipient node purges it.")
    )
