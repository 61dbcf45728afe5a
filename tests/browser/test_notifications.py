"""Notifications in the browser across two real nodes: a message sent from A shows at B as a
toast, in the bell's count and in the open notifications list without a reload; opening it
marks it read and sends A a read receipt, which A's author is notified of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Session
from tests.browser.pages import at, sign_in
from tests.browser.test_realtime import _logs, _same_document, pair  # noqa: F401 - fixture
from tests.network.nodeproc import LIAISON, PASSWORD, FedNode, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MARK = """() => { window.__marker = 1; return performance.timeOrigin; }"""


def test_notice_arrives_live_and_the_author_hears_it_was_read(
    pair: tuple[FedNode, FedNode],  # noqa: F811
    open_session_at: Callable[..., Session],
) -> None:
    a, b = pair
    s = open_session_at(b.url)
    page = s.page
    sign_in(page, LIAISON, PASSWORD)
    page.goto("/notifications")
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    listing = page.locator("#notification-list")
    bell = page.locator("#notification-bell")
    expect(bell).to_have_text("Notifications")  # no count yet
    time_origin = page.evaluate(MARK)

    with a.client() as api:
        r = api.post(
            "/api/v1/messages",
            json={"to": [b.node_id], "subject": "Secret subject", "body": "x", "tlp": "AMBER"},
        )
    assert r.status_code == 201, r.text
    message_id = r.json()["id"]

    toast = page.locator(".toast")
    try:
        expect(toast).to_have_text("New message", timeout=5000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{_logs(a, b)()}") from None
    expect(toast).to_have_attribute("href", f"/messages/{message_id}")
    expect(bell.locator(".bell-count")).to_have_text("1")
    expect(listing).to_contain_text("1 unread")
    expect(listing.get_by_role("button", name="New message")).to_be_visible()
    expect(listing).not_to_contain_text("Secret subject")
    assert _same_document(page, time_origin), "B's page was reloaded"

    listing.get_by_role("button", name="New message").click()
    expect(page).to_have_url(at(f"/messages/{message_id}"))
    expect(page.locator("#notification-bell .bell-count")).to_have_count(0)

    def author_told() -> list[dict[str, Any]] | None:
        with a.client(timeout=5) as api:
            got = api.get("/api/v1/notifications").json()
        items = [i for i in got["items"] if i["kind"] == "receipt.read"]
        return items or None

    (told,) = wait_for(
        author_told, timeout=10, what="A's author to be told of the read", context=_logs(a, b)
    )
    assert told["title"] == "Node B (TR) read your message"
    assert told["link"] == f"/messages/{message_id}"
    assert not s.watch.problems(), "\n".join(s.watch.problems())
