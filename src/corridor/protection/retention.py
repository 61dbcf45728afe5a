"""The compartment's retention timer: people past their time are purged (and what was sent
about them withdrawn everywhere) within minutes of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from corridor.jobs.queue import handler
from corridor.node.service import Node
from corridor.protection import service
from corridor.security.principal import SYSTEM

JOB = "protection.retention"


@handler(JOB, every=timedelta(minutes=5), at_start=True)
def retention(node: Node, payload: dict[str, Any]) -> None:
    while True:
        with node.db.transaction() as session:
            if service.purge_due(session, node.keys, actor=SYSTEM) == 0:
                return
