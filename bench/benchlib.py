"""Shared helpers for the benchmarks: machine details, percentiles, scratch PostgreSQL databases."""

from __future__ import annotations

import contextlib
import inspect
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (held together while chosen, so no two are the same)."""
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def cpu_mhz() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("cpu MHz"):
            return line.split(":", 1)[1].strip()
    return "?"


def ram_gib() -> str:
    m = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    return f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else "unknown"


def os_name() -> str:
    m = re.search(r'PRETTY_NAME="([^"]+)"', _read("/etc/os-release"))
    name = m.group(1) if m else platform.system()
    return f"{name}, kernel {platform.release()}"


def pg_conninfo(url: str, dbname: str | None = None) -> str:
    """A libpq URL from a SQLAlchemy one, optionally naming another database."""
    url = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", url)
    if dbname:
        rest = url.split("://", 1)[1]
        rest = re.sub(r"/[^/?]*(\?|$)", f"/{dbname}\\1", rest, count=1)
        if "/" not in rest.split("?", 1)[0]:
            rest = rest.replace("?", f"/{dbname}?", 1) if "?" in rest else f"{rest}/{dbname}"
        url = "postgresql://" + rest
    return url


def pg_version(url: str = DEFAULT_PG_URL) -> str | None:
    try:
        import psycopg

        with psycopg.connect(pg_conninfo(url), connect_timeout=2) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:
        return None


class ScratchPostgres:
    """Creates uniquely named databases on a server and drops them all on exit."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.names: list[str] = []

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(pg_conninfo(self.url), autocommit=True) as conn:
            conn.execute(sql)

    def create(self, tag: str) -> str:
        name = f"corridor_bench_{tag}_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return pg_conninfo(self.url, name).replace("postgresql://", "postgresql+psycopg://", 1)

    def __enter__(self) -> ScratchPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.names:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def package_versions(names: Sequence[str]) -> str:
    out = []
    for n in names:
        try:
            out.append(f"{n} {metadata.version(n)}")
        except metadata.PackageNotFoundError:
            out.append(f"{n} -")
    return ", ".join(out)


def _cpu_times() -> tuple[int, int]:
    fields = [int(x) for x in _read("/proc/stat").splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields), idle


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of all cores busy over `seconds` (others' work, measured before we start)."""
    try:
        total0, idle0 = _cpu_times()
        time.sleep(seconds)
        total1, idle1 = _cpu_times()
    except (IndexError, ValueError):
        return float("nan")
    dt = total1 - total0
    return 1 - (idle1 - idle0) / dt if dt else 0.0


def load_line() -> str:
    busy = cpu_busy()
    load = " ".join(_read("/proc/loadavg").split()[:3])
    warn = "  << other work is running: figures will be low" if busy > 0.15 else ""
    return f"load        loadavg {load}; {busy:.0%} of all cores busy just before start{warn}"


def _git(*args: str) -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.run(
        ["git", "-C", here, *args], capture_output=True, text=True, timeout=5, check=False
    ).stdout.strip()


def machine_lines(pg_url: str | None = DEFAULT_PG_URL) -> list[str]:
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    pg = pg_version(pg_url) if pg_url else None
    git = "-"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = _git("log", "-1", "--format=%h %cs %s")[:60] or "no commit yet"
        if _git("status", "--porcelain", "--", ":/src"):
            git += " (+ uncommitted changes in src/)"
    return [
        f"date        {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
        f"cpu         {cpu_model()} @ {cpu_mhz()} MHz, {cores} cores ({usable} usable)",
        f"ram         {ram_gib()}",
        f"os          {os_name()}",
        f"python      {sys.version.split()[0]} ({platform.python_implementation()})",
        f"sqlite      {sqlite3.sqlite_version}",
        f"postgresql  {pg or ('not used' if pg_url is None else 'not reachable')}",
        "packages    "
        + package_versions(
            ["sqlalchemy", "cryptography", "rfc8785", "pydantic", "fastapi", "uvicorn", "httpx"]
        ),
        f"git         {git}",
        load_line(),
    ]


def print_machine(pg_url: str | None = DEFAULT_PG_URL) -> None:
    print("== machine")
    for line in machine_lines(pg_url):
        print("  " + line)
    print()


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def ingest_key_lookup(ingest: Callable[..., Any], keys: dict[str, bytes]) -> dict[str, Any]:
    """The key-lookup keyword of records.service.ingest, whichever form this version takes:
    `public_keys_for` (origin -> list of keys, current and earlier) or `public_key_for`."""
    params = inspect.signature(ingest).parameters
    if "public_keys_for" in params:
        return {"public_keys_for": lambda origin: [keys[origin]] if origin in keys else []}
    return {"public_key_for": keys.get}


def verdict(value: float, target: float) -> str:
    return "PASS" if value >= target else "FAIL"
