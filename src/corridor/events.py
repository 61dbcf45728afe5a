"""Real time: server-sent events from the node to its users' browsers (and API clients).

Events say only that something arrived (type, id, origin), never its content, and each
subscriber is sent only what its labels allow it to see. Published after the transaction that
stored the record commits, to the subscribers of every process of the node (`corridor serve
--workers N`): the event travels with its audience, the part of the envelope that `can_see`
reads (origin, author, TLP, purpose, recipients), and each process filters for its own
subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from corridor import signals
from corridor.records import service as records
from corridor.records.policy import can_see
from corridor.security.principal import Principal

KEEPALIVE_SECONDS = 15.0
QUEUE_SIZE = 200
TOPIC = "events"


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue[dict[str, Any]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )


def audience(envelope: dict[str, Any]) -> dict[str, Any]:
    """What `can_see` reads of an envelope, and no more: it decides who is told, in any
    process, without the record's content crossing process boundaries."""
    labels = envelope.get("labels") or {}
    return {
        "origin": envelope.get("origin"),
        "author": envelope.get("author"),
        "labels": {k: labels[k] for k in ("tlp", "purpose", "recipients") if k in labels},
    }


def publish(
    engine: Engine | Connection, events: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    """Announce (event, envelope) pairs to the subscribers of every process of this node.
    Thread-safe: called after commits in request threads and the worker."""
    items = [{"event": payload, "audience": audience(env)} for payload, env in events]
    if items:
        signals.channel(engine).send(TOPIC, items)


class Broker:
    """This process's subscribers to one node's events."""

    def __init__(self, node_id: str, engine: Engine) -> None:
        self.node_id = node_id
        self.engine = engine
        self.loop: asyncio.AbstractEventLoop | None = None
        self.subscribers: set[Subscriber] = set()
        self._listening = False

    def publish(self, payload: dict[str, Any], envelope: dict[str, Any]) -> None:
        """Thread-safe: called from request threads and the worker."""
        publish(self.engine, [(payload, envelope)])

    def _on_signal(self, items: list[Any]) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, items)

    def _dispatch(self, items: list[Any]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            payload, seen_by = item.get("event"), item.get("audience")
            if not isinstance(payload, dict) or not isinstance(seen_by, dict):
                continue
            for sub in list(self.subscribers):
                if can_see(sub.principal, seen_by, self.node_id):
                    # A stalled client misses events; the page refreshes its lists on reconnect.
                    with contextlib.suppress(asyncio.QueueFull):
                        sub.queue.put_nowait(payload)

    def _listen(self) -> None:
        if not self._listening:
            self._listening = True
            signals.channel(self.engine).subscribe(TOPIC, self._on_signal)

    async def stream(self, principal: Principal, is_disconnected: Any) -> AsyncIterator[str]:
        self.loop = asyncio.get_running_loop()
        self._listen()
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
        key = _key(engine)
        found = _BROKERS.get(key)
        if found is None:
            found = _BROKERS[key] = Broker(node_id, engine)
        return found


def _on_received(session: Session, envelope: dict[str, Any]) -> None:
    session.info.setdefault("events", []).append(envelope)


def _event(env: dict[str, Any]) -> dict[str, Any]:
    payload = {
        "event": "record",
        "type": env["type"],
        "id": env["id"],
        "version": env["version"],
        "origin": env["origin"],
        "state": "withdrawn" if env.get("tombstone") or env.get("purged") else "active",
    }
    if env["type"] == "receipt":
        body = env.get("body") or {}
        payload["about"] = [i.get("record_id") for i in body.get("items", [])]
    return payload


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop("events", None)
    if not pending or session.bind is None:
        return
    publish(session.get_bind(), [(_event(env), env) for env in pending])


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop("events", None)


records.RECEIVED_HOOKS.append(_on_received)
