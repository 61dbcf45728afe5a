"""A peer whose audit log contradicts what it signed before (`audit.checkpoints`) is announced
to this node's administrators at once: it is evidence that someone rewrote that log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.audit.models import AuditCheckpoint
from corridor.cooperation.notifications import registry, service
from corridor.cooperation.notifications.registry import Notice
from corridor.federation import checkpoints
from corridor.federation.models import Peer
from corridor.i18n import N_
from corridor.keys import own_node_id
from corridor.security.models import User
from corridor.security.roles import Role

KIND = "audit.fork"
TITLE = N_("The audit log of {node} contradicts what it signed before")

registry.register_kinds({KIND: N_("A peer's audit log was rewritten")}, urgent_kinds=(KIND,))


def _announce(session: Session, row: AuditCheckpoint, earlier: AuditCheckpoint) -> None:
    node_id = own_node_id(session)
    if node_id is None:
        return
    admins = session.scalars(
        select(User.handle).where(User.role == Role.administrator, User.disabled.is_(False))
    ).all()
    peer = session.get(Peer, row.origin)
    name = f"{peer.name} ({peer.country})" if peer is not None else row.origin
    service.notify(
        session,
        node_id=node_id,
        notice=Notice(
            kind=KIND,
            title=TITLE,
            link="/admin/node#audit-witnesses",
            urgent=True,
            params={"node": name},
        ),
        handles=admins,
    )


checkpoints.FORK_HOOKS.append(_announce)
