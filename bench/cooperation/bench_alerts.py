"""Alert fan-out on loopback: real `corridor serve` processes, real signed HTTP.

Node 1 (index 0) sends urgent alerts to the N-1 others through POST /api/v1/alerts; the time of
one alert is from its POST to the moment it is *listed* by GET /api/v1/alerts at every
recipient. Each recipient is watched by a thread that asks its list as soon as the node's
event stream announces an alert (and every 250 ms anyway, so a missed event cannot hide a
delivery); the time counted is the end of the first GET whose answer lists the alert.
Target: p99 < 1 s in a 10-node network.

Usage: python bench/cooperation/bench_alerts.py [--nodes 10] [--alerts 30]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "federation"))
from bench_federation import Net  # noqa: E402

import benchlib  # noqa: E402

AREA = {
    "type": "Polygon",
    "coordinates": [[[26.9, 37.0], [27.3, 37.0], [27.3, 37.3], [26.9, 37.3], [26.9, 37.0]]],
}
POLL_S = 0.25


class Watcher(threading.Thread):
    """One recipient: notes when each awaited alert id is first listed by its API."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.connected = threading.Event()
        self.lock = threading.Lock()
        self.awaited: set[str] = set()
        self.listed: dict[str, float] = {}

    def expect(self, alert_id: str) -> None:
        with self.lock:
            self.awaited.add(alert_id)

    def run(self) -> None:
        threading.Thread(target=self._events, daemon=True).start()
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as c:
            while not self.stop.is_set():
                self.wake.wait(POLL_S)
                self.wake.clear()
                with self.lock:
                    if not self.awaited:
                        continue
                r = c.get("/api/v1/alerts", params={"active": "true", "limit": 1000})
                at = time.perf_counter()
                r.raise_for_status()
                ids = {i["id"] for i in r.json()["items"]}
                with self.lock:
                    for aid in self.awaited & ids:
                        self.listed[aid] = at
                    self.awaited -= ids

    def _events(self) -> None:
        try:
            with (
                httpx.Client(timeout=None) as c,  # noqa: S113 (an event stream: no read timeout)
                c.stream("GET", self.url + "/api/v1/events", headers=self.headers) as r,
            ):
                for line in r.iter_lines():
                    self.connected.set()
                    if line.startswith("data: ") and json.loads(line[6:]).get("type") == "alert":
                        self.wake.set()
                    if self.stop.is_set():
                        return
        except httpx.HTTPError:
            if not self.stop.is_set():
                raise


def run(root: Path, n: int, count: int) -> dict[str, Any]:
    net = Net(root / f"alerts-{n}", n)
    tokens = [net.token(i) for i in range(n)]
    watchers: list[Watcher] = []
    try:
        for i in range(n):
            net.start(i)
        for i in range(n):
            net.wait(i)
        watchers = [Watcher(net.url(i), tokens[i]) for i in range(1, n)]
        for w in watchers:
            w.start()
        for w in watchers:
            if not w.connected.wait(30):
                raise RuntimeError("an event stream did not open in 30 s")
        cpu_before = [net.cpu(i) for i in range(n)]
        all_listed: list[float] = []
        per_recipient: list[float] = []
        post_ms: list[float] = []
        with httpx.Client(
            base_url=net.url(0), timeout=30, headers={"Authorization": f"Bearer {tokens[0]}"}
        ) as c:
            for k in range(count):
                body = {
                    "to": net.ids[1:],
                    "type": "boat_in_distress",
                    "severity": "urgent",
                    "title": f"Boat in distress {k}",
                    "body": "Benchmark alert: about 40 people, engine failure.",
                    "tlp": "AMBER",
                    "area": AREA,
                    "countries": ["GR"],
                }
                # The id is known only from the answer: watchers start asking once it is in,
                # and the clock runs from before the POST.
                t0 = time.perf_counter()
                r = c.post("/api/v1/alerts", json=body)
                post_ms.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
                aid = r.json()["id"]
                for w in watchers:
                    w.expect(aid)
                    w.wake.set()
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    done = [w.listed.get(aid) for w in watchers]
                    if all(d is not None for d in done):
                        break
                    time.sleep(0.005)
                else:
                    got = sum(1 for w in watchers if aid in w.listed)
                    raise RuntimeError(f"alert {k} listed at {got}/{n - 1} recipients in 30 s")
                times = [d - t0 for d in done if d is not None]
                per_recipient.extend(times)
                all_listed.append(max(times))
                time.sleep(0.2)  # alerts are events, not a stream: let the network settle
        cpu_after = [net.cpu(i) for i in range(n)]
        used = [(a - b) / count * 1000 for a, b in zip(cpu_after, cpu_before, strict=True)]
        all_listed.sort()
        per_recipient.sort()
        post_ms.sort()
        return {
            "nodes": n,
            "alerts": count,
            "all_p50_ms": benchlib.percentile(all_listed, 50) * 1000,
            "all_p99_ms": benchlib.percentile(all_listed, 99) * 1000,
            "all_max_ms": all_listed[-1] * 1000,
            "one_p50_ms": benchlib.percentile(per_recipient, 50) * 1000,
            "one_p99_ms": benchlib.percentile(per_recipient, 99) * 1000,
            "post_p50_ms": benchlib.percentile(post_ms, 50),
            "cpu_sender_ms": used[0],
            "cpu_recipient_ms": sum(used[1:]) / (n - 1),
        }
    finally:
        for w in watchers:
            w.stop.set()
            w.wake.set()
        net.stop_all()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=10)
    ap.add_argument("--alerts", type=int, default=30)
    args = ap.parse_args()
    if args.alerts < 20:
        ap.error("--alerts: at least 20 for a p99")
    benchlib.print_machine(None)
    root = Path(tempfile.mkdtemp(prefix="corridor-bench-alerts-"))
    try:
        r = run(root, args.nodes, args.alerts)
        print(
            f"urgent alert to {r['nodes'] - 1} recipients ({r['nodes']} nodes), "
            f"{r['alerts']} alerts: listed at all p50 {r['all_p50_ms']:.0f} ms, "
            f"p99 {r['all_p99_ms']:.0f} ms, max {r['all_max_ms']:.0f} ms; per recipient "
            f"p50 {r['one_p50_ms']:.0f} ms, p99 {r['one_p99_ms']:.0f} ms; POST answered in "
            f"{r['post_p50_ms']:.0f} ms (p50); server CPU per alert: sender "
            f"{r['cpu_sender_ms']:.0f} ms, each recipient {r['cpu_recipient_ms']:.0f} ms  "
            f"[{benchlib.verdict(1000 / max(r['all_p99_ms'], 1e-9), 1)} vs p99 < 1 s]",
            flush=True,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
