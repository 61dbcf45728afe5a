"""Administration of peers in the UI: import a card, compare the fingerprint, approve."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor.errors import InvalidInput
from corridor.federation import checkpoints
from corridor.federation import groups as sharing
from corridor.federation import peers as peering
from corridor.federation.cards import MAX_CARD_BYTES, own_card_chain
from corridor.federation.models import OutboxItem
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records import groups
from corridor.records.models import StoredRecord
from corridor.web import admin
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form, typed
from corridor.web.params import Checked, Description, PageAuth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False, prefix="/admin/peers")


def _peers_page(
    request: Request, auth: Auth, *, status: int = 200, **extra: object
) -> HTMLResponse:
    auth.principal.require("node.manage")
    node = node_of(request)
    with node.db.transaction() as session:
        peers = peering.list_peers(session, actor=auth.principal)
        pending = dict(
            session.execute(
                select(OutboxItem.recipient, func.count())
                .where(OutboxItem.state == "pending")
                .group_by(OutboxItem.recipient)
            ).all()
        )
        chain = own_card_chain(session, node.id)
        known_groups = [g.envelope for g in groups.list_groups(session)]
    own = json.dumps(chain[0] if len(chain) == 1 else chain, indent=2, ensure_ascii=False)
    return page(
        request,
        "federation/peers.html",
        {"peers": peers, "pending": pending, "own_card": own, "groups": known_groups, **extra},
        status=status,
    )


@router.get("", response_class=HTMLResponse)
def peers(request: Request, auth: PageAuth) -> HTMLResponse:
    return _peers_page(request, auth)


def _saved_here(
    request: Request,
    auth: Auth,
    save: Callable[[Session, Node], object],
    done: Callable[[object], tuple[str, str]],
    status: int | None = None,
    **typed_in: Any,
) -> Response:
    """A form of the peers page: saved, or the page again with why not (at the refusal's own
    status unless `status`) and what was typed in it (`form`: a new group, `card`)."""

    again = partial(_peers_page, request, auth, **typed_in)
    return save_form(request, auth, save=save, done=done, again=again, status=status)


@router.post("", response_class=HTMLResponse)
async def import_card(
    request: Request,
    auth: PageAuth,
    card: Annotated[str, Form(max_length=MAX_CARD_BYTES)] = "",
    card_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    text = card
    if card_file is not None and card_file.filename:
        raw = await card_file.read(MAX_CARD_BYTES + 1)
        text = raw.decode("utf-8", errors="replace")

    def save(session: Session, node: Node) -> str:
        if not text.strip():
            raise InvalidInput(_("Paste the peer's card or choose its file."))
        peer = peering.add_peer(session, actor=auth.principal, own_node_id=node.id, card_file=text)
        return peer.node_id

    def done(node_id: object) -> tuple[str, str]:
        return f"/admin/peers#peer-{node_id}", _(
            "Card imported. Compare the fingerprint with the peer's administrator before approving."
        )

    return await run_in_threadpool(_saved_here, request, auth, save, done, card=card)


class GroupForm(BaseModel):
    """A new sharing group, as typed."""

    name: Annotated[str, Form(min_length=1, max_length=200)]
    description: Description = ""
    members: Checked = None


@router.post("/groups", response_class=HTMLResponse)
def create_group(
    request: Request, auth: PageAuth, form: Annotated[GroupForm, Depends(typed(GroupForm))]
) -> Response:
    def save(session: Session, node: Node) -> object:
        return sharing.create_group(
            session,
            node.keys,
            actor=auth.principal,
            name=form.name,
            description=form.description,
            members=form.members or [],
        )

    done = _groups_saved(N_("Sharing group created."))
    return _saved_here(request, auth, save, done, 422, form=form)


@router.post("/groups/{group_id}/members", response_class=HTMLResponse)
def group_members(
    request: Request, auth: PageAuth, group_id: uuid.UUID, members: Checked = None
) -> Response:
    def save(session: Session, node: Node) -> object:
        return sharing.set_members(
            session, node.keys, actor=auth.principal, group_id=group_id, members=members or []
        )

    return _saved_here(request, auth, save, _groups_saved(N_("Members saved.")))


def _groups_saved(message: str) -> Callable[[object], tuple[str, str]]:
    return lambda _saved: ("/admin/peers#groups", _(message))


@router.get("/{node_id}", response_class=HTMLResponse)
def peer_detail(request: Request, auth: PageAuth, node_id: str) -> HTMLResponse:
    """Delivery to one peer: queue depth, last contact and error, state of each version."""
    auth.principal.require("node.manage")
    node = node_of(request)
    with node.db.transaction() as session:
        peer = peering.get_peer(session, node_id)
        counts = dict(
            session.execute(
                select(OutboxItem.state, func.count())
                .where(OutboxItem.recipient == node_id)
                .group_by(OutboxItem.state)
            ).all()
        )
        rows = session.execute(
            select(OutboxItem, StoredRecord.type)
            .join(StoredRecord, StoredRecord.id == OutboxItem.record_id)
            .where(OutboxItem.recipient == node_id)
            .order_by(OutboxItem.position.desc())
            .limit(100)
        ).all()
    return page(request, "federation/peer.html", {"peer": peer, "counts": counts, "rows": rows})


@router.post("/{node_id}/{action}")
def peer_action(request: Request, auth: PageAuth, node_id: str, action: str) -> Response:
    states = {"approve": "approved", "suspend": "suspended"}
    if action not in states:
        raise InvalidInput(f"unknown action {action!r}")
    with node_of(request).db.transaction() as session:
        peering.set_state(session, actor=auth.principal, node_id=node_id, state=states[action])
    message = _("Peer approved.") if action == "approve" else _("Peer suspended.")
    return redirect(request, "/admin/peers", message)


def _witnesses(session: Session, node_id: str) -> dict[str, Any]:
    return {
        "forks": checkpoints.forks(session),
        "witnessed": checkpoints.held_counts(session, node_id),
    }


admin.NODE_FACTS.append(_witnesses)
