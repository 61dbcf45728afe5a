"""No process of `corridor serve` outlives it, and a start that finds a leftover holder (of the
port, or of the SQLite store's lock) says which and exits instead of hanging."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from tests.network.nodeproc import (
    Server,
    cli_env,
    corridor,
    create_token,
    free_port,
    init_node,
    wait_for,
)

pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc"),
]

ADMIN = "admin@corridor.test"
INVESTIGATOR = "inv@corridor.test"
ROWS = 60_000  # mapped and written for several seconds on two cores
MAPPING = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["Passport"],
            "properties": {
                "name": {"column": "Name"},
                "birthDate": {"column": "Born", "format": "%d/%m/%Y"},
                "nationality": {"column": "Nationality"},
                "passportNumber": {"column": "Passport"},
            },
        }
    }
}


def big_csv() -> bytes:
    lines = ["Name,Born,Nationality,Passport"]
    lines += [
        f"Person {i} Khan,{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 50},Pakistan,AB{i:07d}"
        for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) from /proc, None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "node"
    init_node(data_dir)
    return data_dir


def _investigator_token(server: Server, admin_token: str) -> str:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
    ) as api:
        user = {"email": INVESTIGATOR, "role": "investigator", "password": "x" * 16 + "Aa1!"}
        r = api.post("/api/v1/users", json=user)
        assert r.status_code == 201, r.text
        tok = {"user": INVESTIGATOR, "name": "import", "scopes": ["read", "write"]}
        r = api.post("/api/v1/tokens", json=tok)
        assert r.status_code == 201, r.text
        return str(r.json()["token"])


def _start_large_import(server: Server, token: str) -> None:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        case = {"reference": "FIA-2026-777", "title": "A large seizure"}
        r = api.post("/api/v1/cases", json=case)
        assert r.status_code == 201, r.text
        r = api.post(
            f"/api/v1/cases/{r.json()['id']}/imports",
            files={"file": ("seized.csv", big_csv())},
            data={"mapping": json.dumps(MAPPING)},
        )
        assert r.status_code == 202 and r.json()["state"] == "queued", r.text


@pytest.mark.parametrize("workers", [1, 2])
def test_no_process_outlives_a_killed_serve(node_dir: Path, workers: int) -> None:
    admin_token = create_token(node_dir, ADMIN, ["read", "write", "admin"])
    server = Server(node_dir, node_dir.parent / "serve.log", workers=workers).start()
    assert server.proc is not None
    serve_pid = server.proc.pid
    before: set[int] = set()
    try:
        _start_large_import(server, _investigator_token(server, admin_token))
        # The import's forked helpers run the serve command line (spawned web processes
        # do not): wait until they are at work, then kill the server under them.
        own = cmdline(serve_pid)

        def forked_helpers() -> set[int]:
            return {p for p in descendants(serve_pid) if cmdline(p) == own}

        wait_for(forked_helpers, timeout=60, what="the import's helper processes")
        before = descendants(serve_pid)
        os.kill(serve_pid, signal.SIGKILL)
        server.proc.wait(10)
        wait_for(
            lambda: not any(alive(p) for p in before),
            timeout=10,
            what=f"the processes of the killed server to end: {sorted(before)}",
            context=lambda: "\n".join(f"{p}: {cmdline(p)!r}" for p in sorted(before) if alive(p)),
        )
        # Nothing holds the port or the store: the node starts again where it was.
        server.start(server.port, strict_port=True)
        assert httpx.get(server.url + "/healthz", timeout=5).json()["status"] == "ok"
    finally:
        server.stop()
        # A failed test must not leave them running (orphans are no one's descendants).
        for pid in before | descendants(serve_pid):
            if alive(pid) and b"python" in cmdline(pid):
                os.kill(pid, signal.SIGKILL)


def _serve_fails(node_dir: Path, port: int) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = corridor(
        "serve",
        "--data-dir",
        node_dir,
        "--port",
        str(port),
        "--workers",
        "1",
        check=False,
        timeout=60,
    )
    return result, time.monotonic() - started


def test_a_start_names_the_holder_of_its_port(node_dir: Path) -> None:
    port = free_port()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys\n"
            "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
            "print('listening', flush=True); sys.stdin.read()",
            str(port),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "listening"
        result, took = _serve_fails(node_dir, port)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert f"port {port} on 127.0.0.1 is already in use by process {holder.pid}" in message
    assert took < 20, f"took {took:.1f} s"


LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.read()
    """
)


def test_a_start_names_the_holder_of_the_store_lock(node_dir: Path) -> None:
    store = node_dir / "corridor.db"
    assert store.is_file()
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        result, took = _serve_fails(node_dir, free_port())
    finally:
        locker.kill()
        locker.wait()
    assert result.returncode != 0
    message = " ".join(result.stderr.split())
    assert f"the store {store} is locked by process {locker.pid}" in message, message
    assert took < 20, f"took {took:.1f} s"
