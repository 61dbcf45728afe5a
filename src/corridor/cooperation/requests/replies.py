"""Replies to a request for assistance: a requested node accepts, declines (with a reason) or
answers (partly or fully) the requests it was asked; each reply goes to the requester only."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from corridor.cooperation.requests.schemas import REPLY_TYPE
from corridor.cooperation.requests.service import attachment_bodies, get_request
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.federation import receipts
from corridor.keys import NodeKeys
from corridor.records import flow
from corridor.records import service as records
from corridor.records.attachments import NewAttachment
from corridor.records.labels import Audience, Labels
from corridor.security.principal import Principal


def answer_labels(
    envelope: dict[str, Any], *, tlp: str | None = None, handling: str | None = None
) -> Labels:
    """The labels of an answer: the request's (records.flow.inherited_labels), with the TLP or
    handling code the person chose instead where given."""
    inherited = flow.inherited_labels(envelope).model_dump(exclude_none=True)
    inherited.pop("expires", None)  # an answer is kept on its own terms
    if tlp:
        inherited["tlp"] = tlp
        if tlp != "RED":
            inherited.pop("recipients", None)
        elif not inherited.get("recipients"):
            # Raised to RED: for the person who asked (they may always read it).
            inherited["recipients"] = [f"user:{envelope['author']}@{envelope['origin']}"]
    if handling:
        inherited["handling"] = handling
    try:
        return Labels.model_validate(inherited)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(e["msg"] for e in exc.errors(include_url=False, include_input=False))
        ) from None


def reply(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    request_id: uuid.UUID,
    kind: str,
    labels: Labels | None = None,
    text: str = "",
    reason: str | None = None,
    answers: list[dict[str, Any]] | None = None,
    partial: bool = False,
    attachments: list[NewAttachment] | None = None,
    tlp: str | None = None,
    handling: str | None = None,
) -> dict[str, Any]:
    """Accept, decline (with a reason) or answer a request this node was asked; the reply goes
    to the requester only. Without `labels` it carries the request's own (RED: to the same
    people), with `tlp` / `handling` raised where given; lower labels are refused."""
    actor.require("records.write")
    envelope = get_request(session, keys, actor=actor, request_id=request_id)
    if labels is None:
        labels = answer_labels(envelope, tlp=tlp, handling=handling)
    if envelope["origin"] == keys.node_id or keys.node_id not in envelope["audience"]["nodes"]:
        raise PermissionDenied("only a node the request was addressed to replies to it")
    body = envelope.get("body")
    if body is None or body.get("withdrawn"):
        raise Conflict("the request was withdrawn by the requester: it takes no more replies")
    answers = list(answers or [])
    for a in answers:
        if not 0 <= int(a["question"]) < len(body.get("questions", [])):
            raise InvalidInput(f"the request has no question {int(a['question']) + 1}")
    reply_body: dict[str, Any] = {
        "request": str(request_id),
        "kind": kind,
        "text": text,
        "answers": answers,
        "partial": partial,
        "attachments": attachment_bodies(attachments or []),
    }
    if reason is not None:
        reply_body["reason"] = reason
    signed = records.create(
        session,
        keys,
        actor=actor,
        type=REPLY_TYPE,
        body=reply_body,
        labels=labels,
        audience=Audience(nodes=[envelope["origin"]]),
        # An answer stays within the request's labels (records.flow).
        sources=[
            dataclasses.replace(
                flow.of_record(envelope, path="reply"), name=envelope["body"]["subject"]
            )
        ],
    )
    if kind == "accept":
        # A person confirmed the request: the requester sees it as acknowledged too.
        receipts.send(session, keys, [envelope], "acknowledged")
    return signed


def reply_envelope(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    request_id: uuid.UUID,
    reply_id: uuid.UUID,
) -> dict[str, Any]:
    envelope = records.get_visible(session, keys.node_id, actor=actor, record_id=reply_id)
    if envelope["type"] != REPLY_TYPE or (envelope.get("body") or {}).get("request") != str(
        request_id
    ):
        raise NotFound(f"no reply {reply_id} to request {request_id}")
    return envelope
