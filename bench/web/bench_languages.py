"""What reading corridor in another language costs: CPU per page rendered in English, Urdu,
Persian (Persian digits, the Solar Hijri calendar beside dates) and Arabic (the Hijri calendar),
and CPU per value formatted (`corridor.formats`).

    .venv/bin/python bench/web/bench_languages.py [--rounds 30] [--json PATH]

An in-process node on SQLite in a temporary directory (the app through Starlette's TestClient:
no HTTP, so the figure is the node's own work per page), one investigator whose profile is
switched between the languages; each page is fetched `--rounds` times per language after one
warm-up fetch, and the CPU time of this process per page is reported (median of the rounds).
The languages should cost about the same as English: catalogues are compiled once per process,
formats are cached per locale."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

import benchlib
from corridor import formats
from corridor.node.service import init_node
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.web.app import create_app

PASSWORD = "bench horse battery staple"
PAGES = ("/", "/alerts", "/requests", "/cases", "/map", "/account", "/documents/mrz")
READERS = (
    ("en", None, None),
    ("ur", "Asia/Karachi", None),
    ("fa", "Asia/Tehran", "jalali"),
    ("ar", "Asia/Riyadh", "hijri"),
)


def _csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def pages(rounds: int) -> dict[str, dict[str, float]]:
    passwords.configure(time_cost=1, memory_cost=1024)  # sign-in is not what is measured
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(
            Path(tmp) / "node",
            name="Bench node",
            org="Bench agency",
            country="PK",
            url="http://127.0.0.1:8080",
            admin_email="admin@bench.example",
        ).node
        with node.db.transaction() as session:
            security.create_user(
                session,
                actor=SYSTEM,
                email="reader@bench.example",
                role="investigator",
                password=PASSWORD,
            )
        with TestClient(create_app(node), base_url="http://127.0.0.1:8080") as client:
            login = client.get("/login").text
            client.post(
                "/login",
                data={
                    "email": "reader@bench.example",
                    "password": PASSWORD,
                    "csrf_token": _csrf(login),
                    "next": "/",
                },
            )
            for lang, zone, calendar in READERS:
                csrf = _csrf(client.get("/account").text)
                client.post(
                    "/account/locale",
                    data={
                        "csrf_token": csrf,
                        "locale": lang,
                        "time_zone": zone or "",
                        "calendar": calendar or "",
                    },
                )
                per_page: dict[str, float] = {}
                for path in PAGES:
                    assert client.get(path).status_code == 200, (lang, path)  # warm-up
                    times = []
                    for _ in range(rounds):
                        start = time.process_time()
                        r = client.get(path)
                        times.append(time.process_time() - start)
                        assert f'lang="{lang}"' in r.text[:200], (lang, path)
                    per_page[path] = statistics.median(times) * 1000
                out[lang] = per_page
        node.close()
    return out


def values(n: int = 20_000) -> dict[str, float]:
    """CPU µs per formatted value, for a reader who chose Persian and the Solar Hijri calendar
    (the most work: digits, a second calendar) and for an English reader."""
    moment = datetime(2026, 12, 7, 10, 5, tzinfo=UTC)
    out = {}
    for label, reader in (
        ("en", formats.Reader()),
        ("fa+jalali", formats.Reader("fa", "Asia/Tehran", "jalali")),
        ("ar+hijri", formats.Reader("ar", "Asia/Riyadh", "hijri")),
    ):
        for name, call in (
            ("when", lambda r=reader: formats.when(moment, r)),
            ("day", lambda r=reader: formats.day(date(2026, 12, 7), r)),
            ("number", lambda r=reader: formats.number(1234567.5, r, digits=1)),
        ):
            call()
            start = time.process_time()
            for _ in range(n):
                call()
            out[f"{name} {label}"] = (time.process_time() - start) / n * 1e6
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-machine", action="store_true")
    args = ap.parse_args()
    if not args.no_machine:
        benchlib.print_machine(pg_url=None)
    rendered = pages(args.rounds)
    print(f"CPU ms per page (median of {args.rounds}), in-process, SQLite:")
    print(f"{'page':18}" + "".join(f"{lang:>9}" for lang in rendered))
    for path in PAGES:
        print(f"{path:18}" + "".join(f"{rendered[lang][path]:9.1f}" for lang in rendered))
    formatted = values()
    print("CPU µs per formatted value:")
    for name, us in formatted.items():
        print(f"  {name:22} {us:7.1f}")
    if args.json:
        args.json.write_text(json.dumps({"pages_ms": rendered, "values_us": formatted}, indent=1))


if __name__ == "__main__":
    main()
