"""Housekeeping every node runs: retention of records, expired sessions, old finished jobs,
nonces of federation requests whose signatures have expired."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from corridor import clock
from corridor.jobs.queue import handler, prune_done
from corridor.node.service import Node
from corridor.records import service as records
from corridor.security.models import WebSession
from corridor.security.principal import SYSTEM


@handler("records.retention", every=timedelta(minutes=5), at_start=True)
def retention(node: Node, payload: dict[str, Any]) -> None:
    while True:
        with node.db.transaction() as session:
            if records.expire_due(session, node.keys, actor=SYSTEM) == 0:
                return


@handler(records.CASCADE_JOB)
def cascade(node: Node, payload: dict[str, Any]) -> None:
    """Revoke this node's records derived from a record that was revoked or expired (flow
    rule): their tombstones purge the derived copies at every recipient. Until this runs,
    `records.flow.hidden` keeps them from every reader."""
    with node.db.transaction() as session:
        records.revoke_derived(session, node.keys, [uuid.UUID(i) for i in payload["ids"]])


@handler("node.housekeeping", every=timedelta(hours=1))
def housekeeping(node: Node, payload: dict[str, Any]) -> None:
    with node.db.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= clock.now()))
        prune_done(session, older_than=timedelta(days=7))
