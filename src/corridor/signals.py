"""Tell every process of this node at once: small datagrams over Unix sockets.

One node may run as several processes on one machine: `corridor serve --workers N` (N web
processes plus a supervisor that runs the job worker) and `corridor worker`. Some news must
reach all of them without delay: a record was stored (the users it concerns may be connected
to any web process), a job was queued (the worker sleeps until told, else it polls every 2 s).

A process that listens binds a Unix datagram socket in `<data dir>/run/signals/`; a process
with news hands it to its own handlers directly and sends one datagram per commit to every
other socket there. Nothing polls: each listener has a thread blocked in recv(). The
directory is private to the node's OS user (mode 0700, inside the 0700 data directory), so no
other local user can send. A socket left by a killed process refuses datagrams and is removed
by the next sender.

Delivery is best effort, like a wake-up: a listener whose queue stays full (a stopped
process) misses the news after a short wait instead of stalling the sender. What must not be
lost (records, jobs, their state) lives in the store; the news only says "look now".
Processes on another machine (a `corridor worker` on another host with PostgreSQL) are not
reached: they fall back to their poll interval."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("corridor.signals")

Handler = Callable[[list[Any]], None]

RUN_DIR = ("run", "signals")
# Linux queues at most net.unix.max_dgram_qlen (often 10) datagrams per socket and each must
# fit the sender's buffer (208 KiB by default): news is packed into few datagrams of at most
# this size. The largest item sent today, a record event with 200 TLP:RED recipients or a
# receipt about 1,000 records, stays below 50 KB.
MAX_DATAGRAM = 64 * 1024
# How long a sender waits for a listener whose queue is full before dropping the news.
SEND_TIMEOUT = 0.25
# sun_path holds 108 bytes on Linux (104 on macOS); longer paths go through /proc/self/fd.
_PATH_LIMIT = 100
_SUPPORTED = hasattr(socket, "AF_UNIX") and sys.platform != "win32"


def _pack(topic: str, items: list[Any]) -> Iterator[bytes]:
    """Split the items over as few datagrams as the size limit allows."""
    head = json.dumps({"t": topic, "i": []}, separators=(",", ":")).encode()[:-2]
    parts: list[bytes] = []
    size = len(head) + 2
    for item in items:
        part = json.dumps(item, separators=(",", ":")).encode()
        if len(head) + len(part) + 2 > MAX_DATAGRAM:
            log.warning("signal item on %r of %d bytes is too large; not sent", topic, len(part))
            continue
        if parts and size + len(part) + 1 > MAX_DATAGRAM:
            yield head + b",".join(parts) + b"]}"
            parts, size = [], len(head) + 2
        parts.append(part)
        size += len(part) + 1
    if parts or not items:
        yield head + b",".join(parts) + b"]}"


def _unpack(data: bytes) -> tuple[str, list[Any]]:
    msg = json.loads(data)
    if not isinstance(msg, dict) or not isinstance(msg.get("t"), str):
        raise ValueError("not a signal")
    items = msg.get("i")
    if not isinstance(items, list):
        raise ValueError("not a signal")
    return msg["t"], items


class Channel:
    """The processes of one node (one store). Handlers run in the listener thread, or in the
    sender's thread for news from this process: they must be quick and thread-safe."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.directory: Path | None = None
        self._attached = 0
        self._dir_fd: int | None = None
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._name: str | None = None
        self._thread: threading.Thread | None = None
        self._peers: dict[str, socket.socket] = {}

    # --- joining and leaving ---------------------------------------------------------------

    def attach(self, data_dir: Path) -> Channel:
        """Reach the other processes of the node in `data_dir` (counted: `close` undoes one)."""
        with self._lock:
            self._attached += 1
            if self.directory is not None or not _SUPPORTED:
                return self
            directory = data_dir.joinpath(*RUN_DIR)
            try:
                for d in (directory.parent, directory):
                    d.mkdir(mode=0o700, exist_ok=True)
                    os.chmod(d, 0o700)  # mkdir's mode is filtered by the umask
                if len(str(directory)) + 20 > _PATH_LIMIT:
                    self._dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                log.exception("no signals directory in %s: only this process hears", data_dir)
                return self
            self.directory = directory
            if self._handlers:
                self._listen()
        return self

    def close(self) -> None:
        """Undo one `attach`; the last one stops listening and removes this process's socket."""
        with self._lock:
            self._attached = max(0, self._attached - 1)
            if self._attached or self.directory is None:
                return
            sock, name, thread = self._sock, self._name, self._thread
            self._sock = self._name = self._thread = None
            peers, self._peers = self._peers, {}
            address = self._address(name) if name else None
            dir_fd, self._dir_fd = self._dir_fd, None
            directory, self.directory = self.directory, None
        for peer in peers.values():
            peer.close()
        if sock is not None and address is not None and name is not None:
            # An empty datagram wakes our own listener thread, which then sees it must stop.
            with (
                contextlib.suppress(OSError),
                socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s,
            ):
                s.sendto(b"", address)
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=2)
            sock.close()
            with contextlib.suppress(OSError):
                (directory / name).unlink()
        if dir_fd is not None:
            os.close(dir_fd)

    def subscribe(self, topic: str, handler: Handler) -> None:
        with self._lock:
            self._handlers.setdefault(topic, []).append(handler)
            if self.directory is not None and self._sock is None:
                self._listen()

    def unsubscribe(self, topic: str, handler: Handler) -> None:
        with self._lock:
            handlers = self._handlers.get(topic, [])
            if handler in handlers:
                handlers.remove(handler)

    @property
    def listening(self) -> bool:
        return self._sock is not None

    # --- sending ---------------------------------------------------------------------------

    def send(self, topic: str, items: Iterable[Any] = ()) -> None:
        """Hand the items (JSON values) to this process's handlers, then to every other
        process's. Never raises: it runs after commits."""
        items = list(items)
        self._dispatch(topic, items)
        if self.directory is None:
            return
        try:
            peers = self._current_peers()
            for datagram in _pack(topic, items) if peers else ():
                for name, peer in peers:
                    self._send_one(name, peer, datagram)
        except Exception:
            # Senders run after commits: news that cannot go out must not fail the request.
            log.exception("signal on %r not sent to the other processes", topic)

    def _current_peers(self) -> list[tuple[str, socket.socket]]:
        """The other processes' sockets, connected once each (a connected datagram socket
        waits for room in the listener's queue instead of failing at once)."""
        directory = self.directory
        if directory is None:
            return []
        try:
            names = {n for n in os.listdir(directory) if not n.startswith(".")}
        except OSError:
            return []
        names.discard(self._name or "")
        with self._lock:
            for gone in set(self._peers) - names:
                self._peers.pop(gone).close()
            for name in names - set(self._peers):
                peer = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                peer.settimeout(SEND_TIMEOUT)
                try:
                    peer.connect(self._address(name))
                except OSError as exc:
                    peer.close()
                    self._forget(name, exc)
                    continue
                self._peers[name] = peer
            return list(self._peers.items())

    def _send_one(self, name: str, peer: socket.socket, datagram: bytes) -> None:
        try:
            peer.send(datagram)
        except (TimeoutError, BlockingIOError):
            log.warning("process %s did not take a signal within %.2f s", name, SEND_TIMEOUT)
        except OSError as exc:
            with self._lock:
                if self._peers.get(name) is peer:
                    del self._peers[name]
            peer.close()
            self._forget(name, exc)

    def _forget(self, name: str, exc: OSError) -> None:
        """A socket nobody listens on any more (its process was killed): remove it."""
        if isinstance(exc, ConnectionRefusedError) and self.directory is not None:
            with contextlib.suppress(OSError):
                (self.directory / name).unlink()

    # --- receiving -------------------------------------------------------------------------

    def _address(self, name: str) -> str:
        assert self.directory is not None
        if self._dir_fd is not None:
            return f"/proc/self/fd/{self._dir_fd}/{name}"
        return str(self.directory / name)

    def _listen(self) -> None:
        """Bind this process's socket and start its listener thread (caller holds the lock)."""
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self._address(name))
        except OSError:
            sock.close()
            log.exception(
                "cannot listen for signals in %s; this process hears only itself", self.directory
            )
            return
        self._sock, self._name = sock, name
        self._thread = threading.Thread(
            target=self._receive, args=(sock,), name="corridor-signals", daemon=True
        )
        self._thread.start()

    def _receive(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(MAX_DATAGRAM + 1)
            except OSError:
                return
            if not data:
                if self._sock is not sock:
                    return
                continue
            try:
                topic, items = _unpack(data)
            except ValueError:
                log.warning("malformed signal of %d bytes ignored", len(data))
                continue
            self._dispatch(topic, items)

    def _dispatch(self, topic: str, items: list[Any]) -> None:
        for handler in list(self._handlers.get(topic, ())):
            try:
                handler(items)
            except Exception:
                log.exception("signal handler for %r failed", topic)


_CHANNELS: dict[str, Channel] = {}
_CHANNELS_LOCK = threading.Lock()


def _key(bind: Engine | Connection) -> str:
    return bind.engine.url.render_as_string(hide_password=False)


def channel(engine: Engine | Connection) -> Channel:
    """The channel of the node whose store this is (several nodes may share a process in
    tests). Until a process attaches it to the data directory, news stays in the process."""
    with _CHANNELS_LOCK:
        key = _key(engine)
        found = _CHANNELS.get(key)
        if found is None:
            found = _CHANNELS[key] = Channel(key)
        return found


def attach(engine: Engine, data_dir: Path) -> Channel:
    return channel(engine).attach(data_dir)
