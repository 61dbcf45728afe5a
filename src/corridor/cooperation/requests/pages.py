"""Requests for assistance in the web UI: received and sent lists with the deadline clock,
drafts, compose, a request with its replies and the forms to accept, decline or answer, and
the overview by partner."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor import clock, formats
from corridor.cooperation.requests import overview as stats
from corridor.cooperation.requests import replies
from corridor.cooperation.requests import service as rfa
from corridor.cooperation.requests.schemas import URGENCIES, DraftIn, EntityLink
from corridor.errors import InvalidInput, NotFound
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    NewAttachment,
    read_uploads,
)
from corridor.security.principal import Principal
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, parse_time, typed, withdraw_route
from corridor.web.params import PageAuth, Title
from corridor.web.render import live_list, own_label, page, redirect
from corridor.web.sharing import AmberSharing, AmberSharingForm, ComposePage, SharingForm

router = APIRouter(include_in_schema=False, prefix="/requests")
# Without a box, the one with work; a state shows only the requests in it.
Box = Annotated[str | None, Query(pattern="^(received|sent|drafts)$")]
State = Annotated[str | None, Query(pattern=f"^({'|'.join(rfa.STATES)})$")]


STATE_LABELS = {
    "draft": N_("draft"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "accepted": N_("accepted"),
    "partially_answered": N_("partially answered"),
    "answered": N_("answered"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "overdue": N_("overdue"),
}
URGENCY_LABELS = {"urgent": N_("urgent"), "normal": N_("normal"), "routine": N_("routine")}


def _common() -> dict[str, Any]:
    return {"state_labels": STATE_LABELS, "urgency_labels": URGENCY_LABELS, "now": clock.now()}


def _box_with_work(session: Session, node_id: str, actor: Principal) -> str:
    """Received while any request there is open, else sent when this node sent any."""
    received = rfa.list_requests(session, node_id, actor=actor, box="received", limit=500)
    if any(i.state in rfa.OPEN_STATES for i in received):
        return "received"
    sent = rfa.list_requests(session, node_id, actor=actor, box="sent", limit=1)
    return "sent" if sent else "received"


def _listing(
    request: Request, auth: PageAuth, box: Box = None, state: State = None
) -> dict[str, Any]:
    """The box asked for, or the one with work (`_box_with_work`); with `state`, only the
    requests in that state (the dashboard's counts link to the overdue ones)."""
    node = node_of(request)
    with node.db.reading() as session:
        box = box or _box_with_work(session, node.id, auth.principal)
        drafts = rfa.list_drafts(session, actor=auth.principal) if box == "drafts" else []
        items = (
            []
            if box == "drafts"
            else rfa.list_requests(
                session, node.id, actor=auth.principal, box=box, state=state, limit=500
            )
        )
        names = node_names(session, node.id, own_label(request))
    return {
        "items": items,
        "drafts": drafts,
        "box": box,
        "state": state,
        "names": names,
        **_common(),
    }


live_list(router, "cooperation/requests/index.html", "cooperation/requests/_list.html", _listing)


@router.get("/overview", response_class=HTMLResponse)
def overview(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        data = stats.overview(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return page(
        request, "cooperation/requests/overview.html", {"data": data, "names": names, **_common()}
    )


# ---- compose and drafts ---------------------------------------------------------------------


class RequestForm(BaseModel):
    """The request form's own fields, as typed (its sharing fields are a SharingForm)."""

    subject: Title = ""
    urgency: Annotated[str, Form(max_length=16)] = "normal"
    deadline: Annotated[str, Form(max_length=40)] = ""
    legal_basis: Annotated[str, Form(max_length=1000)] = ""
    questions: Annotated[str, Form(max_length=100_000)] = ""
    entities: Annotated[str, Form(max_length=50_000)] = ""
    text: Annotated[str, Form(max_length=100_000)] = ""

    @classmethod
    def of_draft(cls, payload: dict[str, Any]) -> RequestForm:
        entities = (
            " | ".join([e["id"], e["schema"], e.get("caption", "")])
            for e in payload.get("entities", [])
        )
        return cls.model_validate(
            {
                **payload,
                "questions": "\n".join(payload.get("questions", [])),
                "entities": "\n".join(entities),
                "deadline": formats.local_input(payload.get("deadline")),
            }
        )

    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]

    def entity_links(self) -> list[dict[str, Any]]:
        """One entity a line: `id | schema | caption` (caption optional)."""
        out = []
        for n, line in enumerate(self.entities.splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2:
                raise InvalidInput(
                    _("Entities, line %(n)d: write id | schema | caption") % {"n": n}
                )
            try:
                link = EntityLink.model_validate(
                    {"id": parts[0], "schema": parts[1], "caption": " | ".join(parts[2:])}
                )
            except ValidationError as exc:
                msg = "; ".join(e["msg"] for e in exc.errors(include_input=False))
                raise InvalidInput(_("Entities, line %(n)d: %(m)s") % {"n": n, "m": msg}) from None
            out.append(link.model_dump(mode="json", by_alias=True))
        return out

    def draft(self, share: SharingForm) -> DraftIn:
        """The form as a draft: anything may still be missing."""
        return DraftIn(
            to=share.addressed(),
            subject=self.subject,
            urgency=self.urgency,
            text=self.text,
            deadline=parse_time(self.deadline, N_("Deadline")),
            legal_basis=self.legal_basis,
            questions=self.question_list(),
            entities=[EntityLink.model_validate(e) for e in self.entity_links()],
            tlp=share.tlp,
            handling=share.handling,
            purpose=share.purpose,
        )


def _compose_context(_session: Session, node: Node, _auth: Auth) -> dict[str, Any]:
    return {
        "urgencies": URGENCIES,
        "hours": {u: node.config.deadlines.hours(u) for u in URGENCIES},
        "max_files": MAX_ATTACHMENTS,
        "max_file_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        **_common(),
    }


COMPOSE = ComposePage(
    "cooperation/requests/compose.html", RequestForm, approved_peers, _compose_context
)


COMPOSE.mount(router)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def edit_draft(request: Request, auth: PageAuth, draft_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("records.write")
    node = node_of(request)
    with node.db.reading() as session:
        payload = rfa.get_draft(session, actor=auth.principal, draft_id=draft_id).payload
    share = AmberSharingForm(
        to=set(payload.get("to", [])),
        tlp=payload.get("tlp", "AMBER"),
        handling=payload.get("handling", "H0"),
        purpose=payload.get("purpose", "cooperation"),
    )
    form = RequestForm.of_draft(payload)
    return COMPOSE.page(request, auth, form=form, share=share, draft_id=draft_id)


@router.post("/new", response_class=HTMLResponse)
async def send(
    request: Request,
    auth: PageAuth,
    form: Annotated[RequestForm, Depends(typed(RequestForm))],
    share: AmberSharing,
    action: Annotated[str, Form(pattern="^(send|draft)$")] = "send",
    draft_id: Annotated[str, Form(max_length=36)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    attachments = await read_uploads(files or [], MAX_ATTACHMENT_BYTES)
    try:
        existing = uuid.UUID(draft_id) if draft_id else None
    except ValueError:
        raise NotFound(_("no such draft")) from None

    def save(session: Session, node: Node) -> str:
        """The page of what was saved: the draft, or the request sent (its draft deleted)."""
        if action == "draft":
            draft = form.draft(share)
            row = rfa.save_draft(session, actor=auth.principal, draft=draft, draft_id=existing)
            return f"/requests/drafts/{row.id}"
        env = rfa.send(
            session,
            node.keys,
            node.config.deadlines,
            actor=auth.principal,
            to=share.addressed(),
            subject=form.subject,
            urgency=form.urgency,
            text=form.text,
            labels=share.labels(),
            deadline=parse_time(form.deadline, N_("Deadline")),
            legal_basis=form.legal_basis,
            questions=form.question_list(),
            entities=form.entity_links(),
            attachments=attachments,
        )
        if existing is not None:
            rfa.delete_draft(session, actor=auth.principal, draft_id=existing)
        return f"/requests/{env['id']}"

    def done(target: str) -> tuple[str, str]:
        return target, _("Draft saved.") if action == "draft" else _("Request sent.")

    return await run_in_threadpool(
        COMPOSE.posted,
        request,
        auth,
        form,
        share,
        save=save,
        done=done,
        shown={"draft_id": existing},
    )


@router.post("/drafts/{draft_id}/delete")
def delete_draft(request: Request, auth: PageAuth, draft_id: uuid.UUID) -> Response:
    node = node_of(request)
    with node.db.transaction() as session:
        rfa.delete_draft(session, actor=auth.principal, draft_id=draft_id)
    return redirect(request, "/requests?box=drafts", _("Draft deleted."))


# ---- one request ----------------------------------------------------------------------------


@router.get("/{request_id}", response_class=HTMLResponse)
def show(request: Request, auth: PageAuth, request_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        d = rfa.detail(session, node.keys, actor=auth.principal, request_id=request_id)
        names = node_names(session, node.id, own_label(request))
    env = d.envelope
    body = env.get("body") or {}
    questions = body.get("questions", [])
    can_reply = (
        env["origin"] != node.id
        and node.id in env["audience"]["nodes"]
        and bool(body)
        and not body.get("withdrawn")
        and auth.principal.has("records.write")
    )
    return page(
        request,
        "cooperation/requests/request.html",
        {
            "d": d,
            "env": env,
            "b": body,
            "row": d.listed.request,
            "questions": questions,
            "names": names,
            "mine": env["origin"] == node.id,
            "can_reply": can_reply,
            "can_withdraw": env["origin"] == node.id
            and bool(body)
            and not body.get("withdrawn")
            and (env["author"] == auth.principal.handle or auth.principal.has("node.manage")),
            **_common(),
        },
    )


REPLIED = {
    "accept": N_("You accepted the request."),
    "decline": N_("You declined the request."),
    "answer": N_("Your answer was sent."),
}


def _reply_form(
    request: Request,
    auth: Auth,
    request_id: uuid.UUID,
    *,
    kind: str,
    text: str = "",
    reason: str | None = None,
    answers: list[dict[str, Any]] | None = None,
    partial_answer: bool = False,
    tlp: str | None = None,
    handling: str | None = None,
    attachments: list[NewAttachment] | None = None,
) -> Response:
    def act(session: Session, node: Node) -> object:
        return replies.reply(
            session,
            node.keys,
            actor=auth.principal,
            request_id=request_id,
            kind=kind,
            labels=None,  # the request's own, raised where the form says so
            tlp=tlp,
            handling=handling,
            text=text,
            reason=reason,
            answers=answers,
            partial=partial_answer,
            attachments=attachments,
        )

    return act_form(request, auth, act=act, back=f"/requests/{request_id}", done=REPLIED[kind])


@router.post("/{request_id}/accept")
def accept(
    request: Request,
    auth: PageAuth,
    request_id: uuid.UUID,
    text: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    return _reply_form(request, auth, request_id, kind="accept", text=text)


@router.post("/{request_id}/decline")
def decline(
    request: Request,
    auth: PageAuth,
    request_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not reason.strip():
        return redirect(request, f"/requests/{request_id}", _("A decline states its reason."))
    return _reply_form(request, auth, request_id, kind="decline", reason=reason)


@router.post("/{request_id}/reply")
async def answer(request: Request, auth: PageAuth, request_id: uuid.UUID) -> Response:
    # The number of answer fields follows the request's questions: read the form as a whole.
    form = await request.form()
    answers = []
    for key, value in form.multi_items():
        if key.startswith("answer-") and isinstance(value, str) and value.strip():
            try:
                index = int(key.removeprefix("answer-"))
            except ValueError:
                continue
            answers.append({"question": index, "text": value.strip()[:20_000]})
    attachments = await read_uploads(form.getlist("files"), MAX_ATTACHMENT_BYTES)
    text = str(form.get("text", ""))[:100_000]
    return await run_in_threadpool(
        partial(
            _reply_form,
            request,
            auth,
            request_id,
            kind="answer",
            text=text,
            answers=answers,
            partial_answer=form.get("partial") == "1",
            # Not given: the request's own labels (the form offers only those or stricter).
            tlp=str(form["tlp"]) if form.get("tlp") else None,
            handling=str(form["handling"]) if form.get("handling") else None,
            attachments=attachments,
        )
    )


WITHDRAWN = N_("Request withdrawn: the requested nodes are told.")
withdraw_route(router, rfa.withdraw, "request_id", WITHDRAWN)
