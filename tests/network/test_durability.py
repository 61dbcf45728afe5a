"""A node killed mid-work (SIGKILL, no shutdown) loses nothing it acknowledged."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
import pytest

from tests.network.nodeproc import Server, corridor, create_token, init_node

pytestmark = pytest.mark.network

WRITERS = 2
PER_WRITER = 100  # 200 units in all
KILL_AFTER = 60  # acknowledged creations before the kill


def test_acknowledged_writes_survive_sigkill(
    data_dir: Path, database_url: str | None, tmp_path: Path
) -> None:
    init_node(data_dir, database_url=database_url)
    token = create_token(data_dir, "admin@corridor.test", ["read", "write", "admin"])
    headers = {"Authorization": f"Bearer {token}"}
    server = Server(data_dir, tmp_path / "serve.log").start()

    acked: list[str] = []
    attempted: list[str] = []
    unexpected: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def write(writer: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            for i in range(PER_WRITER):
                name = f"unit-{writer}-{i:03d}"
                with lock:
                    attempted.append(name)
                try:
                    r = client.post("/api/v1/units", json={"name": name})
                except httpx.TransportError:
                    return  # the server is gone
                with lock:
                    if r.status_code == 201:
                        acked.append(name)
                        if len(acked) >= KILL_AFTER:
                            enough.set()
                    else:
                        unexpected.append(f"{name}: {r.status_code} {r.text[:200]}")
                        enough.set()
                        return

    threads = [threading.Thread(target=write, args=(w,), daemon=True) for w in range(WRITERS)]
    try:
        for t in threads:
            t.start()
        assert enough.wait(timeout=120), f"writes too slow:\n{server.log_tail()}"
        server.kill()
        for t in threads:
            t.join(timeout=30)
            assert not t.is_alive(), "a writer hung after the server was killed"
    finally:
        server.kill()

    assert not unexpected, unexpected
    assert KILL_AFTER <= len(acked) < WRITERS * PER_WRITER, (
        f"the kill did not land mid-way: {len(acked)} acknowledged"
    )

    server.start()  # same data directory, new process
    try:
        r = httpx.get(server.url + "/api/v1/units", headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        present = {u["name"] for u in r.json()["items"]}
        lost = sorted(set(acked) - present)
        assert not lost, f"{len(lost)} acknowledged unit(s) lost after SIGKILL: {lost[:10]}"
        assert present <= set(attempted), sorted(present - set(attempted))
        # The node keeps working after the crash.
        r = httpx.post(
            server.url + "/api/v1/units", json={"name": "after-restart"}, headers=headers
        )
        assert r.status_code == 201, r.text
    finally:
        server.stop()

    verified = corridor("audit", "verify", "--data-dir", data_dir, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checked = re.search(r"intact: (\d+) entries", verified.stdout)
    assert checked, verified.stdout
    assert int(checked.group(1)) > len(acked)  # one unit.create entry per unit, at least
