"""`corridor serve` as a process: refusing a missing node, refusing oversized bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.network.nodeproc import corridor, create_token, free_port, init_node, serving

pytestmark = pytest.mark.network

MIB = 1024 * 1024


@pytest.mark.parametrize("state", ["empty", "missing"])
def test_serve_refuses_an_uninitialised_data_dir(tmp_path: Path, state: str) -> None:
    target = tmp_path / "not-a-node"
    if state == "empty":
        target.mkdir()
    port = free_port()
    result = corridor(
        "serve",
        "--data-dir",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        check=False,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "corridor init" in output, output
    assert "Traceback" not in output, output
    # Nothing was created, and nothing listens on the port.
    assert (list(target.iterdir()) == []) if state == "empty" else not target.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """One running node for the body-limit tests: (base URL, admin token headers)."""
    data_dir = tmp_path_factory.mktemp("limits") / "node"
    init_node(data_dir)
    token = create_token(data_dir, "admin@corridor.test", ["read", "write", "admin"])
    with serving(data_dir) as server:
        yield server.url, {"Authorization": f"Bearer {token}"}


def _assert_too_large(r: httpx.Response) -> None:
    assert r.status_code == 413, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 413
    assert problem["title"]
    assert str(MIB) in problem["detail"]  # says what the limit is


def _assert_still_healthy(base: str, headers: dict[str, str], name: str) -> None:
    assert httpx.get(base + "/healthz", timeout=5).status_code == 200
    r = httpx.post(base + "/api/v1/units", json={"name": name}, headers=headers, timeout=10)
    assert r.status_code == 201, r.text


def test_oversized_body_gets_413_and_the_node_stays_healthy(
    node: tuple[str, dict[str, str]],
) -> None:
    base, headers = node
    body = json.dumps({"name": "x" * (2 * MIB)}).encode()
    r = httpx.post(
        base + "/api/v1/units",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )
    _assert_too_large(r)
    _assert_still_healthy(base, headers, "after a big body")
    units = httpx.get(base + "/api/v1/units", headers=headers, timeout=10).json()["items"]
    assert all(len(u["name"]) < 1000 for u in units)


def test_oversized_chunked_body_gets_413(node: tuple[str, dict[str, str]]) -> None:
    base, headers = node

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(32):
            yield b"x" * (64 * 1024)
        yield b'"}'

    r = httpx.post(
        base + "/api/v1/units",
        content=chunks(),  # no Content-Length: Transfer-Encoding: chunked
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )
    try:
        _assert_too_large(r)
    finally:
        _assert_still_healthy(base, headers, "after a big chunked body")
