"""Real time across agencies: a message sent from node A appears at node B's open inbox
without a reload (server-sent events), and reading it there sends A a read receipt.

Two real `corridor serve` processes on loopback, set up the operator's way (init, card, peer
add --approve, user add, token create, then serve), and Chromium signed in at B."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Session
from tests.browser.pages import at, sign_in
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

SUBJECT = "Boat in distress off Farmakonisi"
TEXT = "About 40 people on a rubber boat, engine failure, 3 nm east of Farmakonisi."
ARRIVAL_S = 5.0  # from A's POST to the subject in B's open list
RECEIPT_S = 10.0
COUNTRIES = ("GR", "TR")

# Installed on B's inbox before the message is sent: note (in wall-clock milliseconds, the
# clock Python's time.time() reads) when the subject and the toast first appear.
ARRIVAL_PROBE = """(subject) => {
  window.__marker = 1;
  window.__arrived = {};
  const note = () => {
    const list = document.getElementById("message-list");
    if (!window.__arrived.row && list && list.textContent.includes(subject)) {
      window.__arrived.row = Date.now();
    }
    if (!window.__arrived.toast && document.querySelector(".toast")) {
      window.__arrived.toast = Date.now();
    }
  };
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true});
  return performance.timeOrigin;
}"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FedNode, FedNode]]:
    """A and B, set up the operator's way before their first start: init with the URL each
    is served on, cards exchanged and approved both ways, a liaison officer on each (PASSWORD)
    and a read+write API token for A's; then both serve.

    Only the CLI runs the order needs are sequential (each is a second or two of imports)."""
    root = tmp_path_factory.mktemp("realtime")
    a, b = (FedNode(label, root / f"node-{label}", free_port()) for label in "AB")
    nodes = (a, b)

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

    def peer(node: FedNode, other: FedNode) -> None:
        node.cli("peer", "add", other.card_path, "--approve")

    def officer(node: FedNode) -> None:
        add_users(node.data_dir, [(LIAISON, "liaison_officer")])
        if node is a:
            node.token = create_token(node.data_dir, LIAISON, ["read", "write"])

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(init, nodes, COUNTRIES))
            officers = [pool.submit(officer, n) for n in nodes]
            list(pool.map(card, nodes))
            list(pool.map(peer, nodes, reversed(nodes)))
            for f in officers:
                f.result()
            list(pool.map(FedNode.start, nodes))
        yield a, b
    finally:
        stop_all(nodes)


def _logs(*nodes: FedNode) -> Callable[[], str]:
    return lambda: "\n".join(n.log_tail() for n in nodes)


def _same_document(page: Page, time_origin: float) -> bool:
    return bool(
        page.evaluate(
            "(t) => window.__marker === 1 && performance.timeOrigin === t"
            " && performance.getEntriesByType('navigation').length === 1",
            time_origin,
        )
    )


def test_message_from_a_appears_live_at_b_and_a_gets_the_read_receipt(
    pair: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, b = pair
    assert json.loads(b.card_path.read_text(encoding="utf-8"))["origin"] == b.node_id
    s = open_session_at(b.url)
    page = s.page
    sign_in(page, LIAISON, PASSWORD)

    # B's inbox, empty; the page subscribes to B's event stream as it loads.
    with page.expect_response(lambda r: urlsplit(r.url).path == "/api/v1/events") as stream:
        page.goto("/messages")
    assert stream.value.status == 200
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    received = page.get_by_role("navigation", name="Boxes").get_by_role("link", name="Received")
    expect(received).to_have_attribute("aria-current", "page")
    listing = page.locator("#message-list")
    expect(listing).to_contain_text("No messages.")
    time_origin = page.evaluate(ARRIVAL_PROBE, SUBJECT)
    refreshes: list[Request] = []
    page.on(
        "request",
        lambda r: refreshes.append(r) if urlsplit(r.url).path == "/messages/_list" else None,
    )

    # A's liaison officer sends through A's API.
    sent_at = time.time()
    with a.client() as api:
        r = api.post(
            "/api/v1/messages",
            json={"to": [b.node_id], "subject": SUBJECT, "body": TEXT, "tlp": "AMBER"},
        )
    post_ms = (time.time() - sent_at) * 1000
    assert r.status_code == 201, r.text
    message_id = r.json()["id"]

    # It shows up in B's open list within seconds, in the same document.
    link = listing.get_by_role("link", name=SUBJECT, exact=True)
    try:
        expect(link).to_be_visible(timeout=ARRIVAL_S * 1000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{_logs(a, b)()}") from None
    expect(listing).not_to_contain_text("No messages.")
    expect(listing.get_by_role("row", name=SUBJECT)).to_contain_text("Node A (GR)")
    toast = page.locator(".toast")
    expect(toast).to_have_count(1)
    expect(toast).to_have_text("New message")
    expect(toast).to_have_attribute("href", f"/messages/{message_id}")
    arrived: dict[str, Any] = page.evaluate("window.__arrived")
    assert _same_document(page, time_origin), "B's page was reloaded"
    assert refreshes and all(q.headers.get("hx-request") == "true" for q in refreshes), (
        "the list was not refreshed in place by HTMX"
    )
    row_ms = arrived["row"] - sent_at * 1000
    toast_ms = arrived["toast"] - sent_at * 1000
    print(
        f"\nA's POST -> subject in B's list: {row_ms:.0f} ms "
        f"(POST answered in {post_ms:.0f} ms; toast at {toast_ms:.0f} ms)"
    )
    assert row_ms <= ARRIVAL_S * 1000

    # Opening it at B sends A a read receipt.
    link.click()
    expect(page).to_have_url(at(f"/messages/{message_id}"))
    thread = page.locator(f"#m-{message_id}")
    expect(thread.get_by_role("heading", name=SUBJECT)).to_be_visible()
    expect(thread).to_contain_text(TEXT)
    expect(thread).to_contain_text("Node A")

    def read_receipt() -> dict[str, Any] | None:
        with a.client(timeout=5) as api:
            got = api.get(f"/api/v1/messages/{message_id}")
        assert got.status_code == 200, got.text
        receipt = got.json()["receipts"].get(b.node_id, {})
        return receipt if "read" in receipt else None

    receipt = wait_for(
        read_receipt,
        timeout=RECEIPT_S,
        interval=0.1,
        what="A to show B's read receipt",
        context=_logs(a, b),
    )
    assert set(receipt) == {"delivered", "read"}, receipt
    assert receipt["delivered"] <= receipt["read"], receipt

    # Every request stayed on B, no console error, no CSP violation (checked again, for all
    # of the context's pages, by open_session_at after the test).
    assert not s.watch.problems(), "\n".join(s.watch.problems())
    assert any(urlsplit(u).path == "/api/v1/events" for u in s.watch.requests)
