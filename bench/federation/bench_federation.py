"""Federation benchmarks on loopback: real `corridor serve` processes, real signed HTTP.

1. fan-out: one node sends messages to N-1 peers; time from POST to the message being
   announced (server-sent event) at every recipient. Networks of 3, 10 and 30 nodes.
   Target: visible at all 30 with p99 < 1 s.
2. ingest: signed inbox batches posted as fast as one node takes them (SQLite).
   Target: >= 1,000 records/s.
3. catch-up: 100,000 records queued for a node while it is down; time until it holds them
   all after it starts. Target: < 2 min.

Usage: python bench/federation/bench_federation.py [--sizes 3,10,30] [--messages 20]
       [--ingest 20000] [--catchup 100000] [--only fanout,ingest,catchup]
"""

from __future__ import annotations

import argparse
import json
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import func, select

import benchlib
from corridor.federation import transport
from corridor.federation.cards import own_card_chain
from corridor.federation.delivery import serve_feed
from corridor.federation.peers import add_peer
from corridor.messages.records import MESSAGE_TYPE
from corridor.node.service import Node, init_node, open_node
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM

PASSWORD = "benchmark password 2026"


class Net:
    """N initialised nodes in a scratch directory; node 0 is peered with every other."""

    def __init__(self, root: Path, n: int) -> None:
        self.root = root
        self.ports = benchlib.free_ports(n)
        self.dirs = [root / f"n{i}" for i in range(n)]
        self.ids: list[str] = []
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * n
        for i, (d, p) in enumerate(zip(self.dirs, self.ports, strict=True)):
            res = init_node(
                d, name=f"Bench node {i}", org="Bench", country="GR", url=f"http://127.0.0.1:{p}"
            )
            self.ids.append(res.node.id)
            res.node.close()
        cards = {}
        for d in self.dirs:
            node = open_node(d)
            with node.db.transaction() as s:
                cards[node.id] = json.dumps(own_card_chain(s, node.id)[-1])
            node.close()
        for i, d in enumerate(self.dirs):
            node = open_node(d)
            with node.db.transaction() as s:
                others = self.ids[1:] if i == 0 else [self.ids[0]]
                for other in others:
                    add_peer(
                        s, actor=CLI, own_node_id=node.id, card_file=cards[other], approve=True
                    )
            node.close()

    def token(self, i: int, email: str = "lo@bench.example") -> str:
        node = open_node(self.dirs[i])
        try:
            with node.db.transaction() as s:
                try:
                    user = security.find_user(s, email)
                except Exception:
                    user = security.create_user(
                        s, actor=SYSTEM, email=email, role="liaison_officer", password=PASSWORD
                    )
                secret, _ = security.create_token(
                    s, actor=SYSTEM, user=user, scopes=["read", "write"]
                )
            return secret
        finally:
            node.close()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def start(self, i: int) -> None:
        log = (self.root / f"n{i}.log").open("ab")
        self.procs[i] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "corridor",
                "serve",
                "--data-dir",
                str(self.dirs[i]),
                "--port",
                str(self.ports[i]),
                "--workers",
                "1",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, i: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url(i) + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"node {i} did not start; see {self.root / f'n{i}.log'}")

    def cpu(self, i: int) -> float:
        """CPU seconds node i's server has used so far."""
        proc = self.procs[i]
        return benchlib.process_cpu_seconds(proc.pid) if proc is not None else 0.0

    def stop_all(self) -> None:
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            if p is not None:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()


# --- 1. fan-out ---------------------------------------------------------------------------


def fanout(root: Path, n: int, messages: int) -> dict[str, Any]:
    net = Net(root / f"fanout-{n}", n)
    tokens = [net.token(i) for i in range(n)]
    try:
        for i in range(n):
            net.start(i)
        for i in range(n):
            net.wait(i)
        arrivals: queue.Queue[tuple[int, str, float]] = queue.Queue()
        ready = threading.Barrier(n)  # n-1 listeners + this thread
        stop = threading.Event()

        def listen(i: int) -> None:
            try:
                _listen(i)
            except httpx.HTTPError:
                if not stop.is_set():
                    raise  # a stream cut before the end is a real failure

        def _listen(i: int) -> None:
            with (
                httpx.Client(timeout=None) as c,  # noqa: S113 (an event stream: no read timeout)
                c.stream(
                    "GET",
                    net.url(i) + "/api/v1/events",
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                ) as r,
            ):
                first = True
                for line in r.iter_lines():
                    if first:
                        first = False
                        ready.wait()
                    if line.startswith("data: "):
                        ev = json.loads(line[6:])
                        if ev.get("type") == "message":
                            arrivals.put((i, ev["id"], time.perf_counter()))
                    if stop.is_set():
                        return

        threads = [threading.Thread(target=listen, args=(i,), daemon=True) for i in range(1, n)]
        for t in threads:
            t.start()
        ready.wait(timeout=60)
        per_recipient: list[float] = []
        all_visible: list[float] = []
        cpu_before = [net.cpu(i) for i in range(n)]
        with httpx.Client(
            base_url=net.url(0), timeout=30, headers={"Authorization": f"Bearer {tokens[0]}"}
        ) as c:
            for k in range(messages):
                t0 = time.perf_counter()
                r = c.post(
                    "/api/v1/messages",
                    json={
                        "to": net.ids[1:],
                        "subject": f"Fan-out {k}",
                        "body": "Benchmark message",
                        "tlp": "AMBER",
                    },
                )
                r.raise_for_status()
                mid = r.json()["id"]
                seen: dict[int, float] = {}
                deadline = time.monotonic() + 30
                while len(seen) < n - 1 and time.monotonic() < deadline:
                    try:
                        i, rid, at = arrivals.get(timeout=1)
                    except queue.Empty:
                        continue
                    if rid == mid:
                        seen[i] = at - t0
                if len(seen) < n - 1:
                    raise RuntimeError(f"message {k} reached {len(seen)}/{n - 1} peers in 30 s")
                per_recipient.extend(seen.values())
                all_visible.append(max(seen.values()))
                time.sleep(0.2)
        used = [(net.cpu(i) - b) / messages * 1000 for i, b in enumerate(cpu_before)]
        stop.set()
        per_recipient.sort()
        all_visible.sort()
        return {
            "nodes": n,
            "messages": messages,
            "all_p50_ms": benchlib.percentile(all_visible, 50) * 1000,
            "all_p99_ms": benchlib.percentile(all_visible, 99) * 1000,
            "all_max_ms": all_visible[-1] * 1000,
            "one_p50_ms": benchlib.percentile(per_recipient, 50) * 1000,
            "one_p99_ms": benchlib.percentile(per_recipient, 99) * 1000,
            "cpu_sender_ms": used[0],
            "cpu_recipient_ms": sum(used[1:]) / (n - 1),
        }
    finally:
        net.stop_all()


# --- 2. ingest ----------------------------------------------------------------------------


def queue_records(node: Node, to: str, count: int, batch: int = 500) -> float:
    """Create message records for `to` in the sender's store; returns records/s."""
    t0 = time.perf_counter()
    done = 0
    while done < count:
        k = min(batch, count - done)
        with node.db.transaction() as s:
            for j in range(k):
                records.create(
                    s,
                    node.keys,
                    actor=SYSTEM,
                    type=MESSAGE_TYPE,
                    body={"subject": f"Record {done + j}", "text": "x" * 400},
                    labels=Labels(tlp="AMBER", handling="H0"),
                    audience=Audience(nodes=[to]),
                )
        done += k
    return count / (time.perf_counter() - t0)


def held(node: Node, origin: str) -> int:
    with node.db.transaction() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(StoredRecord)
                .where(StoredRecord.origin == origin, StoredRecord.type == MESSAGE_TYPE)
            )
            or 0
        )


def ingest(root: Path, count: int) -> dict[str, Any]:
    """Signed batches of 500 posted to node 1's inbox by two clients at once."""
    net = Net(root / "ingest", 2)
    sender = open_node(net.dirs[0])
    try:
        create_rate = queue_records(sender, net.ids[1], count)
        pages = []
        since = 0
        while True:
            page = serve_feed(sender, net.ids[1], since, 500)
            if not page["items"]:
                break
            pages.append(json.dumps({"items": page["items"]}, separators=(",", ":")).encode())
            since = page["next"]
        net.start(1)
        net.wait(1)
        url = net.url(1) + "/federation/v1/inbox"
        t0 = time.perf_counter()

        def post(body: bytes) -> int:
            with httpx.Client(timeout=120) as c:
                r = transport.send(c, "POST", url, sender.keys, to=net.ids[1], body=body)
                r.raise_for_status()
                return sum(1 for x in r.json()["results"] if x["outcome"] == "stored")

        with ThreadPoolExecutor(2) as pool:
            stored = sum(pool.map(post, pages))
        elapsed = time.perf_counter() - t0
        return {
            "records": count,
            "stored": stored,
            "seconds": elapsed,
            "ingest_per_s": stored / elapsed,
            "create_per_s": create_rate,
        }
    finally:
        sender.close()
        net.stop_all()


# --- 3. catch-up --------------------------------------------------------------------------


def catchup(root: Path, count: int) -> dict[str, Any]:
    net = Net(root / "catchup", 2)
    sender = open_node(net.dirs[0])
    try:
        create_rate = queue_records(sender, net.ids[1], count)
    finally:
        sender.close()
    try:
        net.start(0)
        net.wait(0)
        t0 = time.perf_counter()
        net.start(1)  # comes back after the "outage": pulls at start, and A pushes
        receiver = open_node(net.dirs[1], check_schema=False)
        try:
            last_report = 0.0
            while True:
                n = held(receiver, net.ids[0])
                elapsed = time.perf_counter() - t0
                if n >= count:
                    break
                if elapsed - last_report > 10:
                    print(f"    catch-up: {n:,}/{count:,} after {elapsed:.0f} s", flush=True)
                    last_report = elapsed
                if elapsed > 900:
                    raise RuntimeError(f"catch-up stalled at {n}/{count}")
                time.sleep(0.5)
        finally:
            receiver.close()
        return {
            "records": count,
            "seconds": elapsed,
            "per_s": count / elapsed,
            "create_per_s": create_rate,
        }
    finally:
        net.stop_all()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3,10,30")
    ap.add_argument("--messages", type=int, default=20)
    ap.add_argument("--ingest", type=int, default=20_000)
    ap.add_argument("--catchup", type=int, default=100_000)
    ap.add_argument("--only", default="fanout,ingest,catchup")
    args = ap.parse_args()
    only = set(args.only.split(","))
    benchlib.print_machine(None)
    root = Path(tempfile.mkdtemp(prefix="corridor-bench-fed-"))
    try:
        if "fanout" in only:
            for n in (int(x) for x in args.sizes.split(",")):
                r = fanout(root, n, args.messages)
                print(
                    f"fan-out {n:>2} nodes, {r['messages']} messages: visible at all "
                    f"p50 {r['all_p50_ms']:.0f} ms, p99 {r['all_p99_ms']:.0f} ms, "
                    f"max {r['all_max_ms']:.0f} ms; per recipient p50 "
                    f"{r['one_p50_ms']:.0f} ms, p99 {r['one_p99_ms']:.0f} ms; server CPU "
                    f"per message: sender {r['cpu_sender_ms']:.0f} ms, each recipient "
                    f"{r['cpu_recipient_ms']:.0f} ms  "
                    f"[{benchlib.verdict(1000 / max(r['all_p99_ms'], 1e-9), 1)}"
                    f" vs p99 < 1 s]",
                    flush=True,
                )
        if "ingest" in only:
            r = ingest(root, args.ingest)
            print(
                f"ingest: {r['stored']:,} records in {r['seconds']:.1f} s = "
                f"{r['ingest_per_s']:,.0f} records/s "
                f"[{benchlib.verdict(r['ingest_per_s'], 1000)} vs >= 1,000/s]; "
                f"(sender created them at {r['create_per_s']:,.0f}/s)",
                flush=True,
            )
        if "catchup" in only:
            r = catchup(root, args.catchup)
            print(
                f"catch-up: {r['records']:,} records in {r['seconds']:.1f} s "
                f"({r['per_s']:,.0f}/s) [{benchlib.verdict(120 / r['seconds'], 1)}"
                f" vs < 2 min]; (queued at {r['create_per_s']:,.0f}/s)",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
