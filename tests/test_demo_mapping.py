"""The demo's guidance data (routes, challenges, commitments, actions) written through the REST
API of real demo nodes: every agency of the demo runs as `corridor serve`, peered as `corridor
demo` peers them, and seed_guidance fills them exactly as `corridor demo` will."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from corridor.demo.agencies import AGENCIES, prepare
from corridor.demo.mapping.challenges import CHALLENGES
from corridor.demo.mapping.commitments import COMMITMENTS
from corridor.demo.mapping.guidance import seed_guidance
from corridor.demo.mapping.routes import ROUTES
from corridor.demo.network import api_token, peer_all
from corridor.demo.seeding import DemoNodes
from tests.network.nodeproc import Server, free_port

# One module-scoped demo network: its tests run on one worker, in this order.
pytestmark = [pytest.mark.network, pytest.mark.xdist_group("demo_mapping")]


@dataclass
class Demo:
    urls: dict[str, str]
    dirs: dict[str, Path]
    node_ids: dict[str, str]
    domains: dict[str, str]
    tokens: dict[tuple[str, str], str]
    seconds: float = 0.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """All five demo agencies, seeded once for the module's tests."""
    base = tmp_path_factory.mktemp("demo")
    ports = {a.slug: free_port() for a in AGENCIES}
    # One after the other: Alembic's migration context is process-global, not thread-safe.
    prepared = [(a, prepare(base, a, ports[a.slug])[0]) for a in AGENCIES]
    peer_all([d for _, d in prepared])
    servers = {a.slug: Server(d, base / f"{a.slug}.log") for a, d in prepared}
    try:
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            list(pool.map(lambda s: servers[s].start(ports[s], strict_port=True), servers))
        dirs = {a.slug: d for a, d in prepared}
        # Tokens are made before the clock starts (corridor demo makes them by opening each
        # node's store); what is timed is the seeding over the API.
        seeded = Demo(
            urls={s: srv.url for s, srv in servers.items()},
            dirs=dirs,
            node_ids={s: (d / "keys" / "node_id").read_text().strip() for s, d in dirs.items()},
            domains={a.slug: a.domain for a in AGENCIES},
            tokens={
                (a.slug, f"{role}@{a.domain}"): api_token(dirs[a.slug], f"{role}@{a.domain}")
                for a in AGENCIES
                for role in ("analyst", "liaison.officer")
                if any(p[0] == role.replace(".", "_") for p in a.people)
            },
        )
        start = time.monotonic()
        seed_guidance(
            DemoNodes(
                seeded.urls,
                lambda slug, email: seeded.tokens[(slug, email)],
                seeded.node_ids,
                seeded.domains,
            )
        )
        seeded.seconds = time.monotonic() - start
        yield seeded
    finally:
        for srv in servers.values():
            srv.stop()


def _api(demo: Demo, slug: str) -> httpx.Client:
    domain = demo.domains[slug]
    token = demo.tokens[(slug, f"analyst@{domain}")]
    return httpx.Client(
        base_url=demo.urls[slug], headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _wait(check, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll until check() returns something truthy: deliveries to a node are asynchronous."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_the_greek_node_sees_every_members_challenges_and_both_routes(demo: Demo) -> None:
    ids = demo.node_ids
    with _api(demo, "gr-hcg") as gr:

        def complete() -> dict | None:  # type: ignore[type-arg]
            data = gr.get("/api/v1/map").json()
            expected = sum(len(c) for c in CHALLENGES.values())
            return data if len(data["challenges"]) == expected else None

        data = _wait(complete)
        assert data is not None, "not every demo challenge reached the Greek node"
        origins = {c["origin"] for c in data["challenges"]}
        assert {ids["pk-fia"], ids["tr-jandarma"], ids["gr-hcg"]} <= origins
        assert origins == set(ids.values())
        assert sorted(r["name"] for r in data["routes"]) == sorted(
            r["name"] for r in ROUTES.values()
        )
        # Challenges cite the routes (and their legs), so the routes carry counts on the map.
        assert all(r["challenges"] > 0 for r in data["routes"])
        themes = {c["theme"] for c in data["challenges"]}
        assert {
            "fraudulent_documents",
            "digital_smuggling",
            "border_vulnerabilities",
            "victim_protection",
        } <= themes
        assert {c["tlp"] for c in data["challenges"]} == {"GREEN", "AMBER"}
        assert any(
            c["locations"] and c["locations"][0]["geometry"]["type"] == "LineString"
            for c in data["challenges"]
        )
        assert all(
            "(demo)" in (gr.get(f"/api/v1/challenges/{c['id']}").json()["description"])
            for c in data["challenges"][:5]
        )


def test_the_dashboard_has_endorsements_actions_and_overdue_milestones(demo: Demo) -> None:
    members = len(demo.urls)
    with _api(demo, "gr-hcg") as gr:

        def complete() -> dict | None:  # type: ignore[type-arg]
            d = gr.get("/api/v1/commitments/dashboard").json()
            # Delivery between five busy nodes takes a moment: wait for every endorsement.
            full = len(d["members"]) == members and all(
                m["endorsements"] == len(COMMITMENTS) for m in d["members"]
            )
            return d if full else None

        dashboard = _wait(complete)
        assert dashboard is not None, gr.get("/api/v1/commitments/dashboard").text
        assert dashboard["commitments"] == len(COMMITMENTS)
        assert [t["theme"] for t in dashboard["themes"]] == [c["theme"] for c in COMMITMENTS]
        assert dashboard["overdue"], "no overdue milestone in the demo"
        for m in dashboard["members"]:
            # Every member endorsed the four commitments and acts on each of them.
            assert m["endorsements"] == len(COMMITMENTS)
            assert len(COMMITMENTS) <= m["actions"] <= 2 * len(COMMITMENTS)
            assert 0 < m["milestones_done"] < m["milestones_total"]
            assert m["progress"] is not None and 0 < m["progress"] < 1
        # The commitments were proposed by the Italian node (present in a five-node demo).
        items = gr.get("/api/v1/commitments").json()["items"]
        assert {c["origin"] for c in items} == {demo.node_ids["it-sco"]}
        assert all(sorted(c["endorsed_by"]) == sorted(demo.node_ids.values()) for c in items)
        # Progress updates carry evidence links and moved the indicators.
        detail = gr.get(f"/api/v1/commitments/{items[0]['id']}").json()
        action = detail["action_items"][0]
        updates = gr.get(f"/api/v1/commitments/{items[0]['id']}/actions/{action['id']}").json()[
            "updates"
        ]
        with_evidence = [u for u in updates if u["evidence"]]
        assert with_evidence and with_evidence[0]["evidence"][0]["url"].startswith(
            "https://example.org/"
        )


def test_without_the_routes_owner_challenges_are_recorded_without_route_refs(
    demo: Demo,
) -> None:
    """Any agency may be absent: without pk-fia there are no routes, and the others' challenges
    drop their route references instead of failing."""
    present = ["tr-jandarma", "gr-hcg"]
    # A second seeding on two of the nodes; the first one's records stay, new ones are added.
    with _api(demo, "tr-jandarma") as tr:
        before = len(tr.get("/api/v1/challenges").json()["items"])
    seed_guidance(
        DemoNodes(
            {s: demo.urls[s] for s in present},
            lambda slug, email: demo.tokens[(slug, email)],
            {s: demo.node_ids[s] for s in present},
            {s: demo.domains[s] for s in present},
        )
    )
    with _api(demo, "tr-jandarma") as tr:
        items = tr.get("/api/v1/challenges").json()["items"]
        mine = [c for c in items if c["origin"] == demo.node_ids["tr-jandarma"]]
        assert len(items) >= before + len(CHALLENGES["tr-jandarma"])
        newest = sorted(mine, key=lambda c: c["updated_at"])[-len(CHALLENGES["tr-jandarma"]) :]
        assert all(c["routes"] == [] for c in newest)
