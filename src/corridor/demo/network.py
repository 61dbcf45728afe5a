"""`corridor demo`: the demo nodes of one demo directory started as `corridor serve`
processes, peered, seeded once through their own API, and stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from corridor import clock
from corridor.demo.agencies import Agency, agencies, prepare
from corridor.demo.cooperation import seed_cooperation
from corridor.demo.entities import seed_investigation
from corridor.demo.mapping.guidance import seed_guidance
from corridor.demo.messages import seed_messages
from corridor.demo.protection import seed_protection
from corridor.demo.risk import seed_risk
from corridor.demo.seeding import DemoNodes
from corridor.errors import InvalidInput
from corridor.federation.cards import own_card_chain
from corridor.federation.models import Peer
from corridor.federation.peers import add_peer
from corridor.node.service import open_node
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM

# Each seed runs once per demo directory (a marker file `<name>-seeded`), in this order.
SEEDS: tuple[tuple[str, Callable[[DemoNodes], None]], ...] = (
    ("threads", seed_messages),
    ("investigation", seed_investigation),
    ("cooperation", seed_cooperation),
    ("guidance", seed_guidance),
    ("risk", seed_risk),
    ("protection", seed_protection),
)


def peer_all(data_dirs: list[Path]) -> None:
    """Every demo node imports and approves every other's card (as administrators would,
    after comparing fingerprints by telephone)."""
    nodes = [open_node(d) for d in data_dirs]
    try:
        cards = {}
        for n in nodes:
            with n.db.transaction() as session:
                cards[n.id] = json.dumps(own_card_chain(session, n.id)[-1])
        for n in nodes:
            with n.db.transaction() as session:
                for other_id, card in cards.items():
                    if other_id != n.id and session.get(Peer, other_id) is None:
                        add_peer(session, actor=CLI, own_node_id=n.id, card_file=card, approve=True)
    finally:
        for n in nodes:
            n.close()


def api_token(data_dir: Path, email: str) -> str:
    """A short-lived API token of a demo user, made in the node's store (the seeds write
    through the API, as that user)."""
    node = open_node(data_dir)
    try:
        with node.db.transaction() as session:
            user = security.find_user(session, email)
            secret, _ = security.create_token(
                session,
                actor=SYSTEM,
                user=user,
                name="demo seeding",
                scopes=["read", "write"],
                expires_at=clock.now() + timedelta(hours=1),
            )
        return secret
    finally:
        node.close()


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the node at {url} exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the node at {url} did not answer within {timeout:.0f} s")


@dataclass(frozen=True)
class DemoNode:
    """One running demo node and who may sign in to it."""

    agency: Agency
    url: str
    data_dir: Path
    logins: list[tuple[str, str]]  # (e-mail, role)
    log: Path


class DemoNetwork:
    """The demo nodes of one demo directory. Made, it has checked the directory's port layout
    (no process yet); `start` prepares, peers, starts and seeds the nodes; `wait` returns when
    one of them stops; `stop` stops them all (also after a failed or interrupted start)."""

    def __init__(self, base: Path, *, nodes: int, port: int, reset: bool) -> None:
        if reset and base.exists():
            shutil.rmtree(base)
        base.mkdir(parents=True, exist_ok=True)
        layout_file = base / "demo.json"
        self.base = base
        self.agencies = agencies(nodes)
        layout = {a.slug: port + i for i, a in enumerate(self.agencies)}
        if layout_file.exists():
            old = json.loads(layout_file.read_text())
            if any(slug in old and old[slug] != p for slug, p in layout.items()):
                raise InvalidInput(
                    f"the demo in {base} was created with other ports ({old}); "
                    "use the same --port or --reset"
                )
            layout = {**old, **layout}
        layout_file.write_text(json.dumps(layout))
        self.ports: dict[str, int] = layout
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> list[DemoNode]:
        prepared = [(a, *prepare(self.base, a, self.ports[a.slug])) for a in self.agencies]
        peer_all([d for _, d, _ in prepared])
        started = [self._serve(agency, data_dir, logins) for agency, data_dir, logins in prepared]
        for node, proc in zip(started, self.procs, strict=True):
            wait_healthy(node.url, proc)
        self._seed(started)
        return started

    def _serve(self, agency: Agency, data_dir: Path, logins: list[tuple[str, str]]) -> DemoNode:
        port = self.ports[agency.slug]
        log = self.base / f"{agency.slug}.log"
        # The server holds its own copy of the log's descriptor: ours is closed at once.
        with log.open("ab") as out:
            self.procs.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    [
                        sys.executable,
                        "-m",
                        "corridor",
                        "serve",
                        "--data-dir",
                        str(data_dir),
                        "--port",
                        str(port),
                        "--workers",
                        "1",
                    ],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={**os.environ},
                )
            )
        return DemoNode(agency, f"http://127.0.0.1:{port}", data_dir, logins, log)

    def _seed(self, started: list[DemoNode]) -> None:
        """Each seed once per demo directory, through the nodes' own API."""
        dirs = {n.agency.slug: n.data_dir for n in started}
        nodes = DemoNodes(
            urls={n.agency.slug: n.url for n in started},
            token_for=lambda slug, email: api_token(dirs[slug], email),
            node_ids={
                n.agency.slug: (n.data_dir / "keys" / "node_id").read_text().strip()
                for n in started
            },
            domains={a.slug: a.domain for a in self.agencies},
        )
        for name, seed in SEEDS:
            marker = self.base / f"{name}-seeded"
            if not marker.exists():
                seed(nodes)
                marker.write_text(clock.iso(clock.now()))

    def wait(self) -> None:
        while all(p.poll() is None for p in self.procs):
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
