"""An urgent alert across three agencies: sent from node A through its API, it appears at B and
at C without a reload, with a visible (urgent) notification and on the live map; B acknowledges
it in the UI and A's alert shows B acknowledged (C: delivered).

Three real `corridor serve` processes on loopback, set up the operator's way (init, card, peer
add --approve, user add, token create, then serve), and Chromium signed in at B and at C."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Session
from tests.browser.pages import at, sign_in, submit
from tests.network.nodeproc import (
    LIAISON,
    PASSWORD,
    FedNode,
    add_users,
    create_token,
    free_port,
    init_node,
    stop_all,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TITLE = "Boat in distress off Farmakonisi"
TEXT = "About 40 people on a rubber boat, engine failure, 3 nm east of Farmakonisi."
AREA = {
    "type": "Polygon",
    "coordinates": [[[26.9, 37.0], [27.3, 37.0], [27.3, 37.3], [26.9, 37.3], [26.9, 37.0]]],
}
ARRIVAL_S = 5.0
RECEIPT_S = 10.0
COUNTRIES = ("IT", "GR", "TR")


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FedNode, FedNode, FedNode]]:
    """A, B and C: init with the URL each is served on, cards exchanged and approved between
    every pair, a liaison officer on each (PASSWORD) and a read+write API token for A's."""
    root = tmp_path_factory.mktemp("alerts")
    nodes = tuple(FedNode(label, root / f"node-{label}", free_port()) for label in "ABC")
    a = nodes[0]

    def init(node: FedNode, country: str) -> None:
        init_node(
            node.data_dir,
            url=node.url,
            name=f"Node {node.label}",
            org=f"Agency {node.label}",
            country=country,
        )

    def card(node: FedNode) -> None:
        node.card_path = root / f"card-{node.label}.json"
        node.cli("node", "card", "-o", node.card_path)
        node.node_id = (node.data_dir / "keys" / "node_id").read_text(encoding="ascii").strip()

    def peer(node: FedNode) -> None:
        for other in nodes:
            if other is not node:
                node.cli("peer", "add", other.card_path, "--approve")

    def officer(node: FedNode) -> None:
        add_users(node.data_dir, [(LIAISON, "liaison_officer")])
        if node is a:
            node.token = create_token(node.data_dir, LIAISON, ["read", "write"])

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(init, nodes, COUNTRIES))
            officers = [pool.submit(officer, n) for n in nodes]
            list(pool.map(card, nodes))
            list(pool.map(peer, nodes))
            for f in officers:
                f.result()
            list(pool.map(FedNode.start, nodes))
        yield nodes  # type: ignore[misc]
    finally:
        stop_all(nodes)


def _logs(*nodes: FedNode) -> Callable[[], str]:
    return lambda: "\n".join(n.log_tail() for n in nodes)


def _open_alerts(page: Page) -> float:
    """Open /alerts, wait for the map, mark the document (to prove there is no reload)."""
    page.goto("/alerts")
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    expect(page.locator("#alert-list")).to_contain_text("No alerts.")
    expect(page.locator("#alert-map")).to_have_attribute("data-state", "ready")
    expect(page.locator("#alert-map")).to_have_attribute("data-count", "0")
    return float(page.evaluate("() => { window.__marker = 1; return performance.timeOrigin; }"))


def _same_document(page: Page, time_origin: float) -> bool:
    return bool(
        page.evaluate(
            "(t) => window.__marker === 1 && performance.timeOrigin === t",
            time_origin,
        )
    )


def test_urgent_alert_reaches_b_and_c_live_and_b_acknowledges(
    trio: tuple[FedNode, FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, b, c = trio
    sessions = {n.label: open_session_at(n.url) for n in (b, c)}
    origins: dict[str, float] = {}
    for label, s in sessions.items():
        sign_in(s.page, LIAISON, PASSWORD)
        origins[label] = _open_alerts(s.page)

    sent_at = time.time()
    with a.client() as api:
        r = api.post(
            "/api/v1/alerts",
            json={
                "to": [b.node_id, c.node_id],
                "type": "boat_in_distress",
                "severity": "urgent",
                "title": TITLE,
                "body": TEXT,
                "tlp": "AMBER",
                "area": AREA,
                "countries": ["GR"],
            },
        )
    assert r.status_code == 201, r.text
    alert_id = r.json()["id"]

    arrival: dict[str, float] = {}
    for label, s in sessions.items():
        page = s.page
        link = page.locator("#alert-list").get_by_role("link", name=TITLE, exact=True)
        try:
            expect(link).to_be_visible(timeout=ARRIVAL_S * 1000)
        except AssertionError as exc:
            raise AssertionError(f"{label}: {exc}\n{_logs(a, b, c)()}") from None
        arrival[label] = time.time() - sent_at
        notice = page.locator(f'.alert-notice[data-alert="{alert_id}"]')
        expect(notice).to_be_visible()
        expect(notice).to_have_class("alert-notice alert-notice--urgent")
        expect(notice).to_contain_text("URGENT alert")
        expect(notice.get_by_role("link", name=TITLE)).to_have_attribute(
            "href", f"/alerts/{alert_id}"
        )
        expect(page.locator("#alert-map")).to_have_attribute("data-count", "1")
        expect(page.locator("#alert-map path.alert-area")).to_have_count(1)
        expect(page.locator("#alert-list")).to_contain_text("Not acknowledged")
        assert _same_document(page, origins[label]), f"{label}'s page was reloaded"
    print(
        "\nA's POST -> alert listed at "
        + ", ".join(f"{k}: {v * 1000:.0f} ms" for k, v in arrival.items())
    )

    # B opens it from the notification and acknowledges it in the UI.
    page_b = sessions["B"].page
    page_b.locator(f'.alert-notice[data-alert="{alert_id}"]').get_by_role("link").click()
    expect(page_b).to_have_url(at(f"/alerts/{alert_id}"))
    expect(page_b.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page_b.locator(f"#alert-{alert_id}")).to_contain_text(TEXT)
    expect(page_b.locator("#alert-area-map")).to_have_attribute("data-state", "ready")
    submit(
        page_b, page_b.get_by_role("button", name="Acknowledge"), f"/alerts/{alert_id}/acknowledge"
    )
    expect(page_b.locator(".acked")).to_contain_text("Acknowledged by")

    def statuses() -> dict[str, Any] | None:
        with a.client(timeout=5) as api:
            got = api.get(f"/api/v1/alerts/{alert_id}")
        assert got.status_code == 200, got.text
        st = got.json()["recipient_status"]
        return got.json() if st == {b.node_id: "acknowledged", c.node_id: "delivered"} else None

    got = wait_for(
        statuses,
        timeout=RECEIPT_S,
        what="A to show B acknowledged and C delivered",
        context=_logs(a, b, c),
    )
    times = got["recipients"][b.node_id]
    assert times["delivered"] <= times["read"] <= times["acknowledged"], times
    for s in sessions.values():
        assert not s.watch.problems(), "\n".join(s.watch.problems())
