"""Real time: server-sent events from the node to its users' browsers (and API clients).

Events say only that something arrived (type, id, origin), never its content, and each
subscriber is sent only what its labels allow it to see. Published after the transaction that
stored the record commits."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from corridor.records import service as records
from corridor.records.policy import can_see
from corridor.security.principal import Principal

KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 200


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )


class Broker:
    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.loop: asyncio.AbstractEventLoop | None = None
        self.subscribers: set[Subscriber] = set()

    def publish(self, payload: dict[str, Any], envelope: dict[str, Any]) -> None:
        """Thread-safe: called from request threads and the worker."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, payload, envelope)

    def _dispatch(self, payload: dict[str, Any], envelope: dict[str, Any]) -> None:
        for sub in list(self.subscribers):
            if can_see(sub.principal, envelope, self.node_id):
                # A stalled client misses events; the page refreshes its lists on reconnect.
                with contextlib.suppress(asyncio.QueueFull):
                    sub.queue.put_nowait(payload)

    async def stream(self, principal: Principal, is_disconnected: Any) -> AsyncIterator[str]:
        self.loop = asyncio.get_running_loop()
        sub = Subscriber(principal)
        self.subscribers.add(sub)
        try:
            yield ": connected\n\n"
            while not await is_disconnected():
                try:
                    item = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: {item['event']}\ndata: {json.dumps(item)}\n\n"
        finally:
            self.subscribers.discard(sub)


_BROKERS: dict[str, Broker] = {}
_LOCK = threading.Lock()


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def broker_for(engine: Engine, node_id: str) -> Broker:
    """One broker per store (several nodes may share a process in tests)."""
    with _LOCK:
        return _BROKERS.setdefault(_key(engine), Broker(node_id))


def _on_received(session: Session, envelope: dict[str, Any]) -> None:
    session.info.setdefault("events", []).append(envelope)


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop("events", None)
    if not pending or session.bind is None:
        return
    broker = _BROKERS.get(_key(session.get_bind()))
    if broker is None:
        return
    for env in pending:
        body = env.get("body") or {}
        payload = {
            "event": "record",
            "type": env["type"],
            "id": env["id"],
            "version": env["version"],
            "origin": env["origin"],
            "state": "withdrawn" if env.get("tombstone") or env.get("purged") else "active",
        }
        if env["type"] == "receipt":
            payload["about"] = [i.get("record_id") for i in body.get("items", [])]
        broker.publish(payload, env)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop("events", None)


records.RECEIVED_HOOKS.append(_on_received)
