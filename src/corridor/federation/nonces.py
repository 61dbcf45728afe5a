"""The nonces of accepted signed federation requests (see transport): a request is accepted
once. A table, not memory: every web process of the node, on either store, must see the
nonces the others accepted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corridor import clock
from corridor.db import Database, affected
from corridor.federation.models import SeenNonce
from corridor.jobs.queue import handler

if TYPE_CHECKING:
    from corridor.node.service import Node


def claim(db: Database, origin: str, nonce: str, expires_at: datetime) -> bool:
    """Record the nonce in a transaction of its own; False if `origin` used it already.

    One insert and no look-up first: two processes receiving the same request at once
    cannot both pass a check before either writes; the primary key lets one insert commit
    and fails the other (on PostgreSQL the second waits for the first to commit)."""
    try:
        with db.transaction() as session:
            session.execute(
                insert(SeenNonce).values(origin=origin, nonce=nonce, expires_at=expires_at)
            )
    except IntegrityError:
        return False
    return True


def prune(session: Session) -> int:
    """Forget nonces whose requests can no longer verify (their signature is too old)."""
    return affected(session, delete(SeenNonce).where(SeenNonce.expires_at <= clock.now()))


@handler("federation.nonces", every=timedelta(hours=1))
def prune_job(node: Node, payload: dict[str, Any]) -> None:
    with node.db.transaction() as session:
        prune(session)
