"""Authenticated REST API read throughput against a real `corridor serve` process on 127.0.0.1.

    .venv/bin/python bench/bench_api.py [--requests 3000] [--clients 8] [--wrk-seconds 10]
                                        [--workers N]

Sets up a node with the CLI (`corridor init`, `user add`, `token create`), seeds 24 more users
in 3 units and 24 peers' node cards in-process, starts `corridor serve` (as deployed: its
default number of web processes, one per usable CPU up to 4, and the job worker in the
supervisor; `--workers N` passes N on, `--workers 1` is one process with the worker thread),
waits until every web process has started, and loads two endpoints with a bounded number of
requests from N keep-alive httpx clients (threads), then, if `wrk` is installed, for a fixed
time with wrk as a second opinion. Server CPU is the user + system time of all its processes:

  GET /api/v1/users            administrator token (read + admin): a list of 27 users
  GET /api/v1/records?limit=20 investigator token (read): the server knows only the core record
                               types (a type registered in this process would be unknown to it),
                               so the records are node cards: the node's own plus 24 peers' cards
                               signed by synthetic peer keys and received with records.ingest;
                               the page holds 20 of those 25

Target: >= 500 requests/s for a 20-item list (both endpoints are judged against it)."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

import benchlib

TARGET_RPS = 500.0
PASSWORD = "bench horse battery staple"
SEED_USERS = 24
SEED_PEER_CARDS = 24
ROLES = ("analyst", "investigator", "liaison_officer", "protection_officer", "viewer")


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "corridor", *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"corridor {' '.join(args)} failed: {proc.stderr or proc.stdout}")
    return proc.stdout


def setup_node(data_dir: Path, database_url: str | None) -> dict[str, str]:
    init = ["init", "--name", "Bench node", "--org", "Bench agency", "--country", "PK"]
    if database_url:
        init += ["--database-url", database_url]
    cli(data_dir, *init)
    cli(
        data_dir,
        "user",
        "add",
        "inv@bench.example",
        "--role",
        "investigator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    cli(
        data_dir,
        "user",
        "add",
        "ops@bench.example",
        "--role",
        "administrator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    inv = cli(data_dir, "token", "create", "inv@bench.example", "--scope", "read")
    ops = cli(
        data_dir, "token", "create", "ops@bench.example", "--scope", "read", "--scope", "admin"
    )
    seed_users(data_dir)
    return {"investigator": inv.strip().splitlines()[-1], "admin": ops.strip().splitlines()[-1]}


def seed_users(data_dir: Path) -> None:
    """24 users in 3 units and 24 peers' node cards, in-process on the same data dir.

    The server process knows only the core record types, so the records are node cards: each
    signed by a synthetic peer's own key and received with records.ingest, as federation will."""
    from corridor import clock
    from corridor import keys as keymod
    from corridor.ids import uuid7
    from corridor.node.service import open_node
    from corridor.records import envelope as env_mod
    from corridor.records import service as records
    from corridor.security import passwords
    from corridor.security import service as security
    from corridor.security.principal import SYSTEM

    passwords.configure(time_cost=1, memory_cost=1024)  # reads never hash a password
    node = open_node(data_dir)
    try:
        with node.db.transaction() as session:
            units = [
                security.create_unit(session, actor=SYSTEM, name=f"Bench unit {u}")
                for u in ("North", "Coast", "Airport")
            ]
            for i in range(SEED_USERS):
                security.create_user(
                    session,
                    actor=SYSTEM,
                    email=f"user{i:02d}@bench.example",
                    role=ROLES[i % len(ROLES)],
                    password=PASSWORD,
                    display_name=f"Bench User {i:02d}",
                    unit=units[i % len(units)] if i % 4 else None,
                )
        now = clock.now()
        peers: dict[str, bytes] = {}
        with node.db.transaction() as session:
            for i in range(SEED_PEER_CARDS):
                peer = keymod.generate(data_dir.parent / "peers" / f"peer{i:02d}")
                peers[peer.node_id] = peer.signing_public
                fields = {
                    "id": str(uuid7()),
                    "type": "node.card",
                    "version": 1,
                    "origin": peer.node_id,
                    "author": "system",
                    "seq": 1,
                    "ts": clock.iso(now),
                    "labels": {"tlp": "GREEN", "purpose": "cooperation"},
                    "audience": {"nodes": [node.id], "groups": []},
                    "body": {
                        "name": f"Peer node {i:02d}",
                        "org": f"Peer agency {i:02d}",
                        "country": ("GR", "TR", "IR", "IT", "DE", "AE")[i % 6],
                        "url": f"https://peer{i:02d}.example",
                        "signing_key": keymod.b64u(peer.signing_public),
                        "exchange_key": keymod.b64u(peer.exchange_public),
                        "fingerprint": keymod.fingerprint(peer.signing_public),
                        "valid_from": clock.iso(now),
                        "valid_until": clock.iso(now + timedelta(days=365)),
                    },
                }
                outcome = records.ingest(
                    session,
                    envelope=env_mod.sign(fields, peer),
                    **benchlib.ingest_key_lookup(records.ingest, peers),
                    addressed_to_us=lambda e: node.id in e["audience"]["nodes"],
                    actor=SYSTEM,
                )
                assert outcome.outcome == "stored", outcome
    finally:
        node.close()


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: [0] state, [1] parent pid, [11] utime, [12] stime."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, log_path: Path, workers: int | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("wb")
        cmd = [
            sys.executable,
            "-m",
            "corridor",
            "serve",
            "--data-dir",
            str(data_dir),
            "--port",
            str(self.port),
        ]
        if workers:
            cmd += ["--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {log_path}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not answer within 60 s; see {log_path}")
            time.sleep(0.2)

    def wait_processes(self, timeout: float = 120) -> int:
        """Wait until every web process has started (they start one after another, each
        importing the whole application); returns how many there are."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.log.flush()
            text = self.log_path.read_text(errors="replace")
            m = re.search(r"; (\d+) web process", text)
            expected = int(m.group(1)) if m else 1
            if text.count("Application startup complete.") >= expected:
                return expected
            time.sleep(0.2)
        raise RuntimeError(f"web processes did not all start; see {self.log_path}")

    def processes(self) -> list[int]:
        """The server's processes: the one started, and its web processes with --workers N."""
        pids = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat_fields(int(entry))
                if stat and int(stat[1]) == self.proc.pid:
                    pids.append(int(entry))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far (all their threads)."""
        total = 0.0
        for pid in self.processes():
            fields = _stat_fields(pid)
            if fields is None:
                return float("nan")
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def load(server: Server, path: str, token: str, total: int, clients: int) -> dict[str, Any]:
    """`total` GETs from `clients` threads, each with its own keep-alive connection."""
    base = server.base
    counter = itertools.count()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def worker(k: int) -> None:
        mine = latencies[k]
        with httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        ) as client:
            client.get("/healthz")  # open the connection before the clock starts
            barrier.wait()
            while next(counter) < total:
                t = time.perf_counter()
                r = client.get(path)
                mine.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    cpu0 = server.cpu_seconds()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    server_cpu = server.cpu_seconds() - cpu0
    lat = sorted(x for chunk in latencies for x in chunk)
    return {
        "requests": len(lat),
        "clients": clients,
        "seconds": elapsed,
        "rps": len(lat) / elapsed,
        "p50_ms": benchlib.percentile(lat, 50) * 1000,
        "p95_ms": benchlib.percentile(lat, 95) * 1000,
        "p99_ms": benchlib.percentile(lat, 99) * 1000,
        "max_ms": lat[-1] * 1000,
        "server_cpu_ms_per_request": server_cpu / max(1, len(lat)) * 1000,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def _wrk_ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def run_wrk(
    server: Server, path: str, token: str, seconds: int, connections: int
) -> dict[str, Any] | None:
    wrk = shutil.which("wrk")
    if not wrk:
        return None
    url = server.base + path
    cpu0 = server.cpu_seconds()
    proc = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=False,
    )
    server_cpu = server.cpu_seconds() - cpu0
    out = proc.stdout
    res: dict[str, Any] = {"connections": connections, "seconds": seconds}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else float("nan")
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+(\S+)", out, re.M)
        res[f"p{p}_ms"] = _wrk_ms(m.group(1)) if m else float("nan")
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    res["server_cpu_ms_per_request"] = server_cpu / max(1, res["requests"]) * 1000
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    res["socket_errors"] = m.group(1).strip() if m else ""
    return res


def fmt(label: str, r: dict[str, Any]) -> str:
    errs = f"   {r['errors']} errors: {r['first_error']}" if r["errors"] else ""
    return (
        f"  {label:44s} {r['rps']:7.0f} req/s   p50 {r['p50_ms']:6.1f} ms   "
        f"p95 {r['p95_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms   max {r['max_ms']:6.1f} ms   "
        f"server CPU {r['server_cpu_ms_per_request']:.1f} ms/req{errs}"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"httpx": {}, "wrk": {}}
    url = args.database_url if args.database_url and args.database_url.startswith("postg") else None
    scratch = benchlib.ScratchPostgres(url) if url else None
    tmp = Path(tempfile.mkdtemp(prefix="corridor-bench-api-"))
    server: Server | None = None
    try:
        t = time.perf_counter()
        db_url = scratch.create("api") if scratch else None
        tokens = setup_node(tmp / "node", db_url)
        print(
            f"== api: node set up with the CLI in {time.perf_counter() - t:.1f} s "
            f"({'postgresql' if db_url else 'sqlite'}); starting `corridor serve`"
            + (f" --workers {args.workers}" if args.workers else " (default workers)")
        )
        server = Server(tmp / "node", tmp / "server.log", args.workers)
        results["web_processes"] = server.wait_processes()
        print(f"  {results['web_processes']} web process(es); pids {server.processes()}")
        endpoints = (
            ("users", "/api/v1/users", tokens["admin"]),
            ("records", "/api/v1/records?limit=20", tokens["investigator"]),
        )
        for name, path, token in endpoints:
            r = httpx.get(server.base + path, headers={"Authorization": f"Bearer {token}"})
            r.raise_for_status()
            items = len(r.json()["items"])
            results[f"{name}_items"] = items
            results[f"{name}_bytes"] = len(r.content)
            print(f"  GET {path}: 200, {items} items, {len(r.content)} bytes")
        print()

        for name, path, token in endpoints:
            print(f"== api: GET {path} ({results[f'{name}_items']} items)")
            load(server, path, token, 200, args.clients)  # warm-up
            one = load(server, path, token, max(200, args.requests // 6), 1)
            print(fmt(f"httpx, 1 client, {one['requests']} requests", one))
            many = load(server, path, token, args.requests, args.clients)
            print(fmt(f"httpx, {args.clients} clients, {many['requests']} requests", many))
            results["httpx"][name] = {"1": one, str(args.clients): many}
            if args.wrk_seconds > 0:
                w = run_wrk(server, path, token, args.wrk_seconds, args.clients)
                if w is None:
                    print("  wrk: not installed (apt-get install -y wrk), skipped")
                else:
                    results["wrk"][name] = w
                    bad = f"   non-2xx {w['non_2xx']}" if w["non_2xx"] else ""
                    sock = f"   socket errors: {w['socket_errors']}" if w["socket_errors"] else ""
                    print(
                        f"  {'wrk, ' + str(args.clients) + ' connections, ':27s}"
                        f"{w['seconds']} s ({w['requests']:6d} req) {w['rps']:7.0f} req/s   "
                        f"p50 {w['p50_ms']:6.1f} ms   p90 {w['p90_ms']:6.1f} ms   "
                        f"p99 {w['p99_ms']:6.1f} ms   "
                        f"server CPU {w['server_cpu_ms_per_request']:.1f} ms/req{bad}{sock}"
                    )
            print()
    finally:
        if server:
            server.stop()
        if args.keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if scratch:
            scratch.__exit__(None, None, None)
    return results


def summary(res: dict[str, Any], clients: int) -> list[tuple[str, str, str, str]]:
    rows = []
    users = res["httpx"]["users"][str(clients)]
    rows.append(
        (
            f"GET /api/v1/users ({res['users_items']} items), httpx x{clients}",
            f"{users['rps']:,.0f} req/s, p99 {users['p99_ms']:.0f} ms",
            f">= {TARGET_RPS:,.0f}/s",
            benchlib.verdict(users["rps"], TARGET_RPS),
        )
    )
    if "users" in res["wrk"]:
        w = res["wrk"]["users"]
        rows.append(
            (
                f"GET /api/v1/users ({res['users_items']} items), wrk x{clients}",
                f"{w['rps']:,.0f} req/s, p99 {w['p99_ms']:.0f} ms",
                f">= {TARGET_RPS:,.0f}/s",
                benchlib.verdict(w["rps"], TARGET_RPS),
            )
        )
    rec = res["httpx"]["records"][str(clients)]
    rows.append(
        (
            f"GET /api/v1/records ({res['records_items']} items), httpx x{clients}",
            f"{rec['rps']:,.0f} req/s, p99 {rec['p99_ms']:.0f} ms",
            f">= {TARGET_RPS:,.0f}/s",
            benchlib.verdict(rec["rps"], TARGET_RPS),
        )
    )
    if "records" in res["wrk"]:
        w = res["wrk"]["records"]
        rows.append(
            (
                f"GET /api/v1/records ({res['records_items']} items), wrk x{clients}",
                f"{w['rps']:,.0f} req/s, p99 {w['p99_ms']:.0f} ms",
                f">= {TARGET_RPS:,.0f}/s",
                benchlib.verdict(w["rps"], TARGET_RPS),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--requests", type=int, default=3000, help="requests per loaded run (3000)")
    p.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    p.add_argument("--wrk-seconds", type=int, default=10, help="wrk run length, 0 = skip (10)")
    p.add_argument("--database-url", default=None, help="PostgreSQL server URL (scratch db)")
    p.add_argument(
        "--workers", type=int, default=None, help="corridor serve --workers (default: its own)"
    )
    p.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    p.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    p.add_argument("--no-machine", action="store_true", help="do not print machine details")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 64 or args.requests < 100 or not 0 <= args.wrk_seconds <= 15:
        p.error("--clients 1..64, --requests >= 100, --wrk-seconds 0..15")
    if not args.no_machine:
        benchlib.print_machine()
    os.environ.pop("CORRIDOR_HOME", None)
    started = time.perf_counter()
    res = run(args)
    res["summary"] = summary(res, args.clients)
    print("== api: summary")
    for name, value, target, verdict in res["summary"]:
        print(f"  {name:44s} {value:>24s}   target {target:>8s}   {verdict}")
    print(f"  (benchmark took {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
