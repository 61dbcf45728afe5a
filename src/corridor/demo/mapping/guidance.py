"""Demo guidance data: routes, national and regional challenges and the four thematic
commitments with members' actions and progress, along the Pakistan → Iran → Türkiye → Greece and
Pakistan → UAE → Libya → Italy routes. Written through the real REST API of the running demo
nodes, so every record is signed, shared and delivered as in daily use.

Everything here is fictional: the places are real, the findings, people and numbers are not.
Dates are relative to today, so the demo always shows recent work, due and overdue milestones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from corridor.demo.mapping.challenges import CHALLENGES, challenge_body
from corridor.demo.mapping.commitments import ACTIONS, COUNTRY, add_action, seed_commitments
from corridor.demo.mapping.routes import seed_routes
from corridor.demo.seeding import DemoApi, DemoNodes

# Who records the guidance data at each agency: the analyst, or the liaison officer where the
# demo agency has no analyst. Both hold "mapping.write".
WRITER = {"bg-bp": "liaison.officer"}


def seed_guidance(nodes: DemoNodes) -> None:
    present = nodes.present
    if not present:
        return
    today = datetime.now(UTC).date()
    with (
        nodes.apis(lambda s: WRITER.get(s, "analyst")) as apis,
        ThreadPoolExecutor(max_workers=len(present)) as pool,
    ):
        coordinator = "it-sco" if "it-sco" in present else present[0]
        routes_at = pool.submit(seed_routes, apis.get("pk-fia"), nodes.others("pk-fia"))
        commitments_at = pool.submit(
            seed_commitments, apis[coordinator], nodes.others(coordinator), present, today
        )
        route_ids = routes_at.result()
        commitment_ids = commitments_at.result()
        work = [
            pool.submit(
                _member,
                apis[s],
                index,
                nodes.others(s),
                route_ids,
                commitment_ids,
                today,
            )
            for index, s in enumerate(present)
        ]
        for w in work:
            w.result()


def _member(
    api: DemoApi,
    index: int,
    to: list[str],
    route_ids: dict[str, str],
    commitment_ids: list[tuple[str, str]],
    today: date,
) -> None:
    """One member's own records: its challenges, its endorsements, its actions and updates."""
    slug = api.slug
    # A challenge may only cite a route its node holds: wait for pk-fia's routes to arrive.
    if slug != "pk-fia":
        for rid in route_ids.values():
            api.wait_for(f"/api/v1/routes/{rid}")
    for c in CHALLENGES.get(slug, ()):
        api.call("POST", "/api/v1/challenges", json=challenge_body(c, to, route_ids, today))
    country = COUNTRY.get(slug, "")
    for t, (theme, cid) in enumerate(commitment_ids):
        api.wait_for(f"/api/v1/commitments/{cid}")
        api.call(
            "POST",
            f"/api/v1/commitments/{cid}/endorse",
            json={"note": f"Endorsed at the ministerial conference (demo, {country})."},
        )
        plans = ACTIONS[theme]
        # Every member takes the first action of each commitment; every other one a second.
        for p, plan in enumerate(plans[: 2 if (index + t) % 2 == 0 else 1]):
            add_action(api, cid, plan, index, t, p, country, today)
