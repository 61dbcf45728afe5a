"""corridor.signals: news for every process of a node (Unix datagrams in the data directory),
and what rides on it: server-sent events with their label filtering, job wake-ups, and
`corridor serve --workers N`."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from corridor import events, signals
from corridor.records.policy import can_see
from corridor.security.principal import Principal
from corridor.security.roles import Role

WAIT = 10.0  # seconds before a test gives up waiting for news that should come at once


class Inbox:
    """A handler that collects what it is given and lets a test wait for it."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.calls = 0
        self._cond = threading.Condition()

    def __call__(self, items: list[Any]) -> None:
        with self._cond:
            self.items.extend(items)
            self.calls += 1
            self._cond.notify_all()

    def wait_for(self, n: int) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.items) >= n, timeout=WAIT), self.items
            return list(self.items)

    def wait_calls(self, n: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.calls >= n, timeout=WAIT), self.calls


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[signals.Channel, signals.Channel]]:
    """Two channels on one data directory: what two processes of one node hold."""
    a, b = signals.Channel("a"), signals.Channel("b")
    a.attach(tmp_path)
    b.attach(tmp_path)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def test_news_reaches_the_other_process_and_this_one_once(
    pair: tuple[signals.Channel, signals.Channel],
) -> None:
    a, b = pair
    at_a, at_b = Inbox(), Inbox()
    a.subscribe("t", at_a)
    b.subscribe("t", at_b)
    a.send("t", [{"n": 1}, {"n": 2}])
    assert at_b.wait_for(2) == [{"n": 1}, {"n": 2}]
    assert at_a.items == [{"n": 1}, {"n": 2}]  # handed over directly, not by a datagram
    b.send("t", [{"n": 3}])
    assert at_a.wait_for(3)[-1] == {"n": 3}
    assert at_b.items[-1] == {"n": 3} and len(at_b.items) == 3
    assert at_a.calls == 2  # nothing came twice


def test_other_topics_are_not_delivered(pair: tuple[signals.Channel, signals.Channel]) -> None:
    a, b = pair
    wanted, other = Inbox(), Inbox()
    b.subscribe("wanted", wanted)
    b.subscribe("other", other)
    a.send("unrelated", [1])
    a.send("wanted", [2])
    assert wanted.wait_for(1) == [2]
    assert other.items == []


def test_without_a_data_directory_news_stays_in_the_process() -> None:
    ch = signals.Channel("local")
    got = Inbox()
    ch.subscribe("t", got)
    ch.send("t", ["x"])
    assert got.items == ["x"] and not ch.listening


def test_a_socket_left_by_a_killed_process_is_removed(
    pair: tuple[signals.Channel, signals.Channel], tmp_path: Path
) -> None:
    a, b = pair
    got = Inbox()
    b.subscribe("t", got)
    directory = tmp_path.joinpath(*signals.RUN_DIR)
    dead = directory / "999999-deadbeef"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(dead))
    s.close()  # closed without unlinking, as after SIGKILL
    assert dead.exists()
    a.send("t", ["still delivered"])
    assert got.wait_for(1) == ["still delivered"]
    assert not dead.exists()


def test_close_removes_the_socket_and_stops_listening(tmp_path: Path) -> None:
    ch = signals.Channel("c")
    ch.attach(tmp_path)
    ch.subscribe("t", Inbox())
    directory = tmp_path.joinpath(*signals.RUN_DIR)
    assert ch.listening and len(os.listdir(directory)) == 1
    assert (directory.stat().st_mode & 0o777) == 0o700
    ch.close()
    assert not ch.listening and os.listdir(directory) == []


def test_long_data_directory_paths_work(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    a, b = signals.Channel("a"), signals.Channel("b")
    a.attach(deep)
    b.attach(deep)
    try:
        got = Inbox()
        b.subscribe("t", got)
        a.send("t", [1])
        assert got.wait_for(1) == [1]
    finally:
        a.close()
        b.close()


def test_large_news_is_split_into_datagrams_within_the_limit() -> None:
    items = [{"i": i, "pad": "x" * 1000} for i in range(300)]
    datagrams = list(signals._pack("t", items))
    assert len(datagrams) > 1
    assert all(len(d) <= signals.MAX_DATAGRAM for d in datagrams)
    out = [item for d in datagrams for item in signals._unpack(d)[1]]
    assert out == items
    # An item that cannot fit is dropped, not sent truncated.
    assert signals._unpack(next(signals._pack("t", [{"pad": "x" * 70_000}, 1])))[1] == [1]
    assert list(signals._pack("jobs", [])) == [b'{"t":"jobs","i":[]}']


def test_malformed_datagrams_are_ignored(
    pair: tuple[signals.Channel, signals.Channel], tmp_path: Path
) -> None:
    _, b = pair
    got = Inbox()
    b.subscribe("t", got)
    directory = tmp_path.joinpath(*signals.RUN_DIR)
    (name,) = os.listdir(directory)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        for junk in (b"not json", b"[1]", b'{"t": 1, "i": []}', b'{"t": "t", "i": 5}'):
            s.sendto(junk, str(directory / name))
        s.sendto(b'{"t":"t","i":["good"]}', str(directory / name))
    assert got.wait_for(1) == ["good"]


# --- two real processes ------------------------------------------------------------------

ECHO = """
import sys, threading
from pathlib import Path
from corridor import signals

ch = signals.Channel("child").attach(Path(sys.argv[1]))
done = threading.Event()

def echo(items):
    ch.send("pong", [{"seen": items, "pid": __import__("os").getpid()}])
    done.set()

ch.subscribe("ping", echo)
print("ready", flush=True)
done.wait(30)
ch.close()
"""


def test_two_real_processes_hear_each_other(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", ECHO, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    here = signals.Channel("parent")
    here.attach(tmp_path)
    try:
        pongs = Inbox()
        here.subscribe("pong", pongs)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        here.send("ping", [{"hello": "child"}])
        (pong,) = pongs.wait_for(1)
        assert pong == {"seen": [{"hello": "child"}], "pid": child.pid}
        assert child.wait(timeout=WAIT) == 0, child.stderr.read() if child.stderr else ""
    finally:
        here.close()
        if child.poll() is None:
            child.kill()
            child.wait()


# --- server-sent events ------------------------------------------------------------------

NODE = "a" * 26
PEER = "b" * 26


def _principal(handle: str, role: Role = Role.investigator, unit: str | None = None) -> Principal:
    return Principal(kind="token", handle=handle, role=role, unit_handle=unit)


def _envelope(**labels: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "message",
        "version": 1,
        "origin": PEER,
        "author": "sender",
        "seq": 7,
        "labels": {"handling": "H0", "forward": "none", **labels},
        "audience": {"nodes": [NODE], "groups": []},
        "body": {"subject": "secret subject"},
        "sig": "x",
    }


class Recording(dict[str, Any]):
    """An envelope that notes which of its keys (and its labels' keys) are read."""

    def __init__(self, data: dict[str, Any], seen: set[str], prefix: str = "") -> None:
        super().__init__(data)
        self.seen, self.prefix = seen, prefix

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(self.prefix + key)
        value = super().get(key, default)
        if isinstance(value, dict):
            return Recording(value, self.seen, f"{self.prefix}{key}.")
        return value

    def __getitem__(self, key: str) -> Any:
        return self.get(key)


@pytest.mark.parametrize(
    "labels",
    [
        {"tlp": "GREEN", "purpose": "cooperation"},
        {"tlp": "RED", "purpose": "enforcement", "recipients": ["user:ana"]},
        {"tlp": "AMBER", "purpose": "protection"},
    ],
)
def test_the_audience_carries_everything_the_visibility_check_reads(
    labels: dict[str, Any],
) -> None:
    """If can_see starts reading another field, events would be filtered on a partial
    envelope in other processes: this fails first."""
    env = _envelope(**labels)
    kept = events.audience(env)
    assert "body" not in kept and "body" not in json.dumps(kept)
    for who in (_principal("ana"), _principal("sender"), _principal("bob", Role.viewer)):
        seen: set[str] = set()
        full = can_see(who, Recording(env, seen), NODE)
        assert full == can_see(who, kept, NODE)
        for key in seen:
            head, _, tail = key.partition(".")
            assert head in kept and (not tail or tail in kept[head] or tail not in env[head]), key


def test_events_from_another_process_reach_only_those_who_may_see_them(tmp_path: Path) -> None:
    """A broker listening on one channel; the record is stored in 'another process'."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    here = signals.channel(engine).attach(tmp_path)
    there = signals.Channel("elsewhere").attach(tmp_path)
    broker = events.Broker(NODE, engine)
    ana, bob = events.Subscriber(_principal("ana")), events.Subscriber(_principal("bob"))

    async def scenario() -> list[dict[str, Any]]:
        broker.loop = asyncio.get_running_loop()
        broker._listen()
        broker.subscribers.update({ana, bob})
        red = _envelope(tlp="RED", purpose="cooperation", recipients=["user:ana"])
        green = _envelope(tlp="GREEN", purpose="cooperation")
        items = [{"event": events._event(e), "audience": events.audience(e)} for e in (red, green)]
        await asyncio.to_thread(there.send, events.TOPIC, items)
        got = [await asyncio.wait_for(ana.queue.get(), WAIT) for _ in range(2)]
        got.append(await asyncio.wait_for(bob.queue.get(), WAIT))
        assert bob.queue.empty()  # bob was not told about the RED record
        return got

    try:
        # A thread of its own: a test run before in this worker (Playwright's sync API) may
        # have left an event loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            ana_1, ana_2, bob_1 = pool.submit(asyncio.run, scenario()).result()
        assert [ana_1["state"], ana_2["state"]] == ["active", "active"]
        assert bob_1["id"] == ana_2["id"] != ana_1["id"]
        assert "body" not in ana_1 and "subject" not in json.dumps(ana_1)
    finally:
        signals.channel(engine).unsubscribe(events.TOPIC, broker._on_signal)
        here.close()
        there.close()
        engine.dispose()


# --- corridor serve --workers 2 ---------------------------------------------------------


def _until(condition: Any, timeout: float = WAIT) -> bool:
    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return True
        done.wait(0.01)
    return False


@pytest.mark.network
def test_serve_with_two_web_processes(tmp_path: Path) -> None:
    """Both web processes answer with the usual headers, the supervisor runs the job worker
    (listening for wake-ups), an event stream's process listens for events, and SIGTERM
    stops every process and removes their sockets."""
    from tests.network.nodeproc import Server as NodeServer
    from tests.network.nodeproc import create_token, init_node

    data_dir = tmp_path / "node"
    init_node(data_dir)
    token = create_token(data_dir, "admin@corridor.test", ["read", "admin"])
    headers = {"Authorization": f"Bearer {token}"}
    directory = data_dir.joinpath(*signals.RUN_DIR)
    server = NodeServer(data_dir, tmp_path / "serve.log", workers=2)
    server.start()
    assert server.proc is not None
    supervisor = server.proc.pid
    try:
        # Web processes start one after the other, each importing the whole application.
        assert _until(lambda: len(_children(supervisor)) == 2, 60), server.log_tail()
        children = _children(supervisor)
        assert _until(lambda: _listeners(directory) == {supervisor}, 60), server.log_tail()
        for _ in range(6):  # fresh connections, served by either process
            r = httpx.get(server.url + "/api/v1/users", headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            assert r.headers["x-frame-options"] == "DENY"
        with httpx.stream("GET", server.url + "/api/v1/events", headers=headers, timeout=30) as r:
            assert r.status_code == 200
            assert next(r.iter_lines()).startswith(": connected")
            assert _until(lambda: len(_listeners(directory)) == 2), _listeners(directory)
            streaming = _listeners(directory) - {supervisor}
            assert len(streaming) == 1 and streaming <= set(children)
    finally:
        server.stop()
    assert server.proc.returncode == 0, server.log_tail()
    assert os.listdir(directory) == []
    assert not any(_alive(pid) for pid in children)


def _listeners(directory: Path) -> set[int]:
    return {int(name.split("-")[0]) for name in os.listdir(directory)}


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid and "spawn_main" in _cmdline(int(entry)):
                out.append(int(entry))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return stat[0] != "Z"


def test_serve_workers_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli.main import app
    from corridor.cli.serve import default_workers

    assert 1 <= default_workers() <= 4
    r = CliRunner().invoke(app, ["serve", "--workers", "0", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2 and "--workers" in r.output
