"""The overview of requests for assistance with 1,000 open requests on one node.

.venv/bin/python bench/cooperation/bench_requests.py [--open 1000] [--closed 200]
    [--partners 4] [--requests 200] [--database-url postgresql+psycopg://...]

One node ("main") and several partner nodes, peered. About 60 % of the open requests are sent
by main to one or two partners, 40 % are received from partners (signed at the partner, pushed
to main through the federation inbox, the receiver's path). Partners accept a fifth of main's
requests and partly answer a tenth; a tenth of all requests are past their deadline. `closed`
more requests are answered or declined, so the response-time statistics have data. Then times,
through the whole ASGI app (authentication, query, state computation, statistics, rendering):

  GET /requests/overview          the HTML page, with a logged-in session
  GET /api/v1/requests/overview   the JSON, with a bearer token

Target (issue 5): overview page p95 < 300 ms; both are judged against it."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fastapi.testclient import TestClient

from benchlib import ScratchPostgres, percentile, print_machine
from corridor import clock
from corridor.cooperation.requests import replies
from corridor.cooperation.requests import service as rfa
from corridor.cooperation.requests.models import RequestRow
from corridor.federation import delivery
from corridor.federation.cards import own_card_chain
from corridor.federation.peers import add_peer
from corridor.node.service import Node, init_node
from corridor.records.labels import Labels
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM, Principal
from corridor.web.app import create_app

TARGET_MS = 300.0
PASSWORD = "correct horse battery staple"
COUNTRIES = ["TR", "GR", "IT", "DE", "FR", "BG", "RS", "HU"]


def officer(node: Node, email: str) -> tuple[Principal, str]:
    with node.db.transaction() as s:
        user = security.create_user(
            s, actor=SYSTEM, email=email, role="liaison_officer", password=PASSWORD
        )
        secret, _ = security.create_token(s, actor=SYSTEM, user=user, scopes=["read", "write"])
        return security.principal_for(user, kind="session"), secret


def peer(a: Node, b: Node) -> None:
    for here, there in ((a, b), (b, a)):
        with there.db.transaction() as s:
            chain = own_card_chain(s, there.id)
        with here.db.transaction() as s:
            add_peer(
                s,
                actor=CLI,
                own_node_id=here.id,
                card_file=json.dumps(chain[0] if len(chain) == 1 else chain),
                approve=True,
            )


def send_many(
    node: Node, actor: Principal, n: int, targets: list[str], rnd: random.Random, tag: str
) -> list[str]:
    ids = []
    for start in range(0, n, 100):
        with node.db.transaction() as s:
            for i in range(start, min(n, start + 100)):
                to = rnd.sample(targets, min(len(targets), rnd.choice((1, 1, 1, 2))))
                urgency = rnd.choice(("urgent", "normal", "normal", "routine"))
                env = rfa.send(
                    s,
                    node.keys,
                    node.config.deadlines,
                    actor=actor,
                    to=to,
                    subject=f"{tag} request {i}: subscriber of a phone number",
                    urgency=urgency,
                    text="Please identify the subscriber. " * 5,
                    labels=Labels(tlp="AMBER"),
                    questions=["Who is the subscriber?", "Since when?"],
                )
                ids.append(env["id"])
    return ids


def reply_many(node: Node, actor: Principal, ids: list[str], kind: str, **kw: Any) -> None:
    for start in range(0, len(ids), 100):
        with node.db.transaction() as s:
            for rid in ids[start : start + 100]:
                replies.reply(
                    s,
                    node.keys,
                    actor=actor,
                    request_id=uuid.UUID(rid),
                    kind=kind,
                    labels=Labels(tlp="AMBER"),
                    **kw,
                )


def drain(src: Node, dst: Node, http: TestClient) -> None:
    while delivery.push_to(src, dst.id, http=http):
        pass


def addressed(node: Node, ids: list[str]) -> list[str]:
    """The requests among ids that this node holds (it was asked)."""
    with node.db.reading() as s:
        have = {str(r.id) for r in s.query(RequestRow).filter(RequestRow.origin != node.id)}
    return [i for i in ids if i in have]


def login(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    r = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def timed(client: TestClient, path: str, n: int, **kw: Any) -> tuple[list[float], int]:
    r = client.get(path, **kw)
    assert r.status_code == 200, r.text[:500]
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path, **kw).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times, len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--open", type=int, default=1000)
    ap.add_argument("--closed", type=int, default=200)
    ap.add_argument("--partners", type=int, default=4)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    print_machine(args.database_url)
    passwords.configure(time_cost=1, memory_cost=1024)
    rnd = random.Random(5)
    tmp = Path(tempfile.mkdtemp(prefix="corridor-bench-rfa-"))
    offset = [timedelta(0)]
    clock.set_clock(lambda: datetime.now(UTC) + offset[0])
    with ScratchPostgres(args.database_url or "") as pg:
        url = pg.create("rfa") if args.database_url else None
        main_node = init_node(
            tmp / "main", name="Main", org="O", country="PK", database_url=url
        ).node
        partners = [
            init_node(tmp / f"p{k}", name=f"Partner {k}", org="O", country=COUNTRIES[k]).node
            for k in range(args.partners)
        ]
        for p in partners:
            peer(main_node, p)
        me, secret = officer(main_node, "lo@main.example")
        them = [officer(p, f"lo@p{k}.example")[0] for k, p in enumerate(partners)]
        total = args.open + args.closed
        n_sent = round(total * 0.6)
        t0 = time.perf_counter()
        # A tenth of the requests are sent "earlier" with short deadlines, so they are overdue now.
        late = total // 10
        offset[0] = -timedelta(days=10)
        sent_ids = send_many(main_node, me, late // 2, [p.id for p in partners], rnd, "Old")
        offset[0] = timedelta(0)
        sent_ids += send_many(
            main_node, me, n_sent - late // 2, [p.id for p in partners], rnd, "Ours"
        )
        received_ids: list[str] = []
        per_partner = (total - n_sent) // len(partners)
        with TestClient(create_app(main_node)) as to_main:
            for k, p in enumerate(partners):
                offset[0] = -timedelta(days=10)
                received_ids += send_many(
                    p, them[k], late // 2 // len(partners), [main_node.id], rnd, "Old"
                )
                offset[0] = timedelta(0)
                received_ids += send_many(
                    p,
                    them[k],
                    per_partner - late // 2 // len(partners),
                    [main_node.id],
                    rnd,
                    "Theirs",
                )
                drain(p, main_node, to_main)
            for k, p in enumerate(partners):
                with TestClient(create_app(p)) as to_p:
                    drain(main_node, p, to_p)
                asked = addressed(p, sent_ids)
                rnd.shuffle(asked)
                fifth, tenth = len(asked) // 5, len(asked) // 10
                closed_share = args.closed * len(asked) // max(1, len(sent_ids))
                reply_many(p, them[k], asked[:fifth], "accept")
                reply_many(
                    p,
                    them[k],
                    asked[fifth : fifth + tenth],
                    "answer",
                    answers=[{"question": 0, "text": "A. B."}],
                    partial=True,
                )
                done = asked[fifth + tenth : fifth + tenth + closed_share]
                reply_many(p, them[k], done[: len(done) * 4 // 5], "answer", text="All answered.")
                reply_many(p, them[k], done[len(done) * 4 // 5 :], "decline", reason="No basis")
                drain(p, main_node, to_main)
            print(f"seeded in {time.perf_counter() - t0:.1f} s")

            with main_node.db.reading() as s:
                items = rfa.list_requests(s, main_node.id, actor=me, box="all", limit=100_000)
            states: dict[str, int] = {}
            for item in items:
                states[item.state] = states.get(item.state, 0) + 1
            open_n = sum(n for st, n in states.items() if st in rfa.OPEN_STATES)
            print(
                f"requests at main: {len(items)}, open {open_n}; "
                f"by state {dict(sorted(states.items()))}"
            )

            api_times, api_bytes = timed(
                to_main,
                "/api/v1/requests/overview",
                args.requests,
                headers={"Authorization": f"Bearer {secret}"},
            )
            login(to_main, "lo@main.example")
            page_times, page_bytes = timed(to_main, "/requests/overview", args.requests)
        main_node.close()
        for p in partners:
            p.close()
    clock.set_clock(None)
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\noverview on {store}: {len(items)} requests ({open_n} open), {args.partners} partners, "
        f"{args.requests} requests each"
    )
    print(f"{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    results = {
        "GET /requests/overview (HTML)": (page_times, page_bytes),
        "GET /api/v1/requests/overview": (api_times, api_bytes),
    }
    for name, (times, size) in results.items():
        print(f"{name:34} {percentile(times, 50):8.1f} {percentile(times, 95):8.1f} {size:9d}")
    worst = max(percentile(t, 95) for t, _ in results.values())
    enough = open_n >= args.open
    verdict = "PASS" if worst < TARGET_MS and enough else "FAIL"
    print(
        f"\n{verdict}: worst p95 {worst:.1f} ms (target < {TARGET_MS:.0f} ms) with {open_n} open "
        f"requests (wanted >= {args.open})"
    )


if __name__ == "__main__":
    main()
