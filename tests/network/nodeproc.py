"""Real `corridor` processes on loopback for the network and browser tests.

Everything goes through the CLI (`python -m corridor ...`), exactly as an operator would run
it; servers are polled on /healthz (short timeouts, no fixed sleeps) and always stopped."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import httpx
import psycopg
import pytest

T = TypeVar("T")

PASSWORD = "correct horse battery staple"
STARTUP_TIMEOUT = 60.0
PG_URL = os.environ.get(
    "CORRIDOR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env() -> dict[str, str]:
    """The caller's environment without anything that would point a node elsewhere."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("CORRIDOR_HOME", "CORRIDOR_DATABASE_URL")
    }
    env["COLUMNS"] = "400"  # rich wraps at 80 columns when not on a terminal
    env["PYTHONUNBUFFERED"] = "1"
    return env


def corridor(
    *args: str | os.PathLike[str],
    stdin: str | None = None,
    check: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "corridor", *map(str, args)]
    proc = subprocess.run(
        cmd,
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd[2:])} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


def init_node(
    data_dir: Path,
    *,
    url: str = "http://127.0.0.1:8080",
    database_url: str | None = None,
    admin_email: str = "admin@corridor.test",
    name: str = "Loopback test node",
    org: str = "Test agency",
    country: str = "PK",
) -> str:
    """`corridor init`; returns the administrator's one-time password."""
    args: list[str | os.PathLike[str]] = [
        "init",
        "--data-dir",
        data_dir,
        "--name",
        name,
        "--org",
        org,
        "--country",
        country,
        "--url",
        url,
        "--admin-email",
        admin_email,
    ]
    if database_url:
        args += ["--database-url", database_url]
    out = corridor(*args).stdout
    found = re.search(r"one-time password\s+(\S+)", out)
    assert found, f"no one-time password in the output of corridor init:\n{out}"
    return found.group(1)


def add_users(data_dir: Path, users: Sequence[tuple[str, str]], password: str = PASSWORD) -> None:
    """`corridor user add EMAIL --role ROLE --password-stdin` for each (email, role), run
    side by side (each process spends most of its second importing and hashing)."""
    procs = []
    for email, role in users:
        cmd = [
            sys.executable,
            "-m",
            "corridor",
            "user",
            "add",
            email,
            "--role",
            role,
            "--password-stdin",
            "--data-dir",
            str(data_dir),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
        )
        procs.append((email, proc))
    failures = []
    for email, proc in procs:
        out, err = proc.communicate(password + "\n", timeout=120)
        if proc.returncode != 0:
            failures.append(f"user add {email} exited {proc.returncode}:\n{out}\n{err}")
    assert not failures, "\n".join(failures)


def create_token(data_dir: Path, email: str, scopes: Sequence[str]) -> str:
    args: list[str | os.PathLike[str]] = ["token", "create", email, "--data-dir", data_dir]
    for scope in scopes:
        args += ["--scope", scope]
    token = corridor(*args).stdout.strip().splitlines()[-1].strip()
    assert token.startswith("cor_"), token
    return token


@dataclass
class Server:
    """One `corridor serve` process; output goes to a log file quoted in failures. One web
    process unless a test is about several (dozens of nodes share 2 cores in the suite)."""

    data_dir: Path
    log_path: Path
    port: int = 0
    workers: int = 1
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def start(self, port: int | None = None, *, strict_port: bool = False) -> Server:
        """Start and wait until /healthz answers. `port` is tried first; if another process
        took it (free_port() only finds a port that was free a moment ago), another one,
        unless `strict_port` (a federated node must answer on the URL of its card)."""
        for attempt in range(1 if strict_port else 3):
            self.port = port if (port and attempt == 0) else free_port()
            cmd = [sys.executable, "-m", "corridor", "serve", "--data-dir", str(self.data_dir)]
            cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
            cmd += ["--workers", str(self.workers)]
            with self.log_path.open("ab") as log:
                log.write(f"--- corridor serve on port {self.port}\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=cli_env(),
                    start_new_session=True,
                )
            if self.wait_healthy():
                return self
            if "address already in use" not in self.log_tail(5):
                break
        raise AssertionError(f"corridor serve did not come up:\n{self.log_tail()}")

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """Poll /healthz with short timeouts; False as soon as the process has exited."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=0.5) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    return False
                try:
                    if client.get(self.url + "/healthz").status_code == 200:
                        return True
                except httpx.TransportError:
                    pass
                # The poll interval doubles as a check that the process is still alive.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=0.05)
        self.kill()
        raise AssertionError(f"/healthz did not answer within {timeout}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush, like a power cut of the process."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown), SIGKILL if it does not end in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@contextmanager
def serving(data_dir: Path, log_path: Path | None = None) -> Iterator[Server]:
    server = Server(data_dir, log_path or data_dir.parent / f"serve-{data_dir.name}.log")
    try:
        yield server.start()
    finally:
        server.stop()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_conninfo(dbname: str | None = None) -> str:
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    if dbname:
        head, _, tail = url.partition("://")
        rest = re.sub(r"/[^/?]*(\?|$)", f"/{dbname}\\1", tail, count=1)
        url = f"{head}://{rest}"
    return url


def pg_answers() -> bool:
    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def require_pg() -> None:
    """Skip when PostgreSQL does not answer, except in CI where it must."""
    if pg_answers():
        return
    if os.environ.get("CI") or os.environ.get("CORRIDOR_TEST_DATABASE_URL"):
        pytest.fail(f"PostgreSQL is required here but does not answer at {PG_URL}")
    pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty database; yields its postgresql+psycopg:// URL and drops it afterwards."""
    require_pg()
    dbname = f"corridor_net_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield _pg_conninfo(dbname).replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


# --- Federation: several nodes peered with each other -----------------------------------

LIAISON = "liaison@corridor.test"


def wait_for(
    condition: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    context: Callable[[], str] | None = None,
) -> T:
    """Poll `condition` until it returns something truthy (which is returned); fail with
    `what` (and the output of `context`, e.g. server logs) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except (httpx.TransportError, AssertionError) as exc:
            last_error = exc
        if time.monotonic() >= deadline:
            detail = f"\nlast error: {last_error!r}" if last_error else ""
            extra = f"\n{context()}" if context else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{detail}{extra}")
        time.sleep(interval)


@dataclass
class FedNode:
    """One node of a test federation: its identity, its tokens and its server process.

    The port is chosen before `corridor init`, because the URL in the node's card is where
    its peers reach it; the node is always restarted on that same port."""

    label: str
    data_dir: Path
    port: int
    node_id: str = ""
    card_path: Path = field(default_factory=Path)
    token: str = ""  # liaison officer, scopes read + write
    admin_token: str = ""  # administrator, scopes read + write + admin
    server: Server | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return (
            self.server is not None
            and self.server.proc is not None
            and (self.server.proc.poll() is None)
        )

    def cli(
        self, *args: str | os.PathLike[str], check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return corridor(*args, "--data-dir", self.data_dir, check=check)

    def start(self) -> FedNode:
        if self.server is None:
            self.server = Server(self.data_dir, self.data_dir.parent / f"serve-{self.label}.log")
        if not self.running:
            self.server.start(self.port, strict_port=True)
        return self

    def stop(self) -> None:
        """SIGTERM (graceful)."""
        if self.server is not None:
            self.server.stop()

    def kill(self) -> None:
        """SIGKILL (no shutdown at all)."""
        if self.server is not None:
            self.server.kill()

    def log_tail(self, lines: int = 30) -> str:
        if self.server is None:
            return f"--- {self.label}: never started"
        return f"--- {self.label} ({self.url}) log:\n{self.server.log_tail(lines)}"

    def client(self, *, admin: bool = False, timeout: float = 10) -> httpx.Client:
        token = self.admin_token if admin else self.token
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )


def _init_identity(node: FedNode, country: str, *, card_via_cli: bool) -> None:
    """`corridor init` with the node's future URL and an administrator's token; with
    `card_via_cli`, also `corridor node card -o FILE` (the node id is the card's origin)."""
    init_node(
        node.data_dir,
        url=node.url,
        name=f"Node {node.label}",
        org=f"Agency {node.label}",
        country=country,
    )
    node.admin_token = create_token(
        node.data_dir, "admin@corridor.test", ["read", "write", "admin"]
    )
    if card_via_cli:
        node.card_path = node.data_dir.parent / f"card-{node.label}.json"
        node.cli("node", "card", "-o", node.card_path)
        node.node_id = str(json.loads(node.card_path.read_text(encoding="utf-8"))["origin"])


def _peer_via_cli(node: FedNode, peers: Sequence[FedNode]) -> None:
    """What an operator does before the first start: import and approve each peer's card."""
    for peer in peers:
        node.cli("peer", "add", peer.card_path, "--approve")


def _check(r: httpx.Response, status: int) -> httpx.Response:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r


def _peer_via_api(nodes: Sequence[FedNode]) -> None:
    """The same through the REST API of the running nodes (an administrator's token)."""
    cards: dict[str, object] = {}
    for node in nodes:
        with node.client(admin=True) as api:
            card = _check(api.get("/api/v1/node/card"), 200).json()
        node.node_id = str(card["origin"])
        cards[node.label] = card
    for node in nodes:
        with node.client(admin=True, timeout=30) as api:
            for peer in nodes:
                if peer is not node:
                    body = {"card": cards[peer.label], "approve": True}
                    _check(api.post("/api/v1/peers", json=body), 201)


def _add_liaison(node: FedNode) -> None:
    """A liaison officer with a read/write token (through the API: no CLI start-up cost)."""
    with node.client(admin=True, timeout=30) as api:
        user = {"email": LIAISON, "role": "liaison_officer", "password": PASSWORD}
        _check(api.post("/api/v1/users", json=user), 201)
        tok = {"user": LIAISON, "name": "federation tests", "scopes": ["read", "write"]}
        node.token = _check(api.post("/api/v1/tokens", json=tok), 201).json()["token"]


def make_federation(
    root: Path, labels: Sequence[str], *, peer_via: Literal["api", "cli"] = "api"
) -> list[FedNode]:
    """One running node per label under `root`, every pair peered (both sides, approved),
    each with a liaison officer's and an administrator's token.

    Always by CLI: `corridor init` (with the URL peers will use) and an administrator's
    token. peer_via="cli": `corridor node card` and `corridor peer add --approve` before the
    first start, as an operator would; "api": the same through the REST API once the nodes
    run (each CLI run costs a second or more of imports). The liaison officer and their
    token are created through the API in both cases."""
    countries = ["PK", "TR", "GR", "IT", "DE", "FR"]
    nodes = [FedNode(label, root / f"node-{label}", free_port()) for label in labels]
    cli = peer_via == "cli"
    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        try:
            list(
                pool.map(
                    lambda n, c: _init_identity(n, c, card_via_cli=cli),
                    nodes,
                    countries[: len(nodes)],
                )
            )
            if cli:
                list(pool.map(lambda n: _peer_via_cli(n, [p for p in nodes if p is not n]), nodes))
            list(pool.map(FedNode.start, nodes))
            if not cli:
                _peer_via_api(nodes)
            list(pool.map(_add_liaison, nodes))
        except BaseException:
            stop_all(nodes)
            raise
    return nodes


def stop_all(nodes: Sequence[FedNode]) -> None:
    for node in nodes:
        with contextlib.suppress(Exception):
            node.stop()
