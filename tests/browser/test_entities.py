"""Search and the link graph in Chromium: a person written in Arabic script is found by a Latin
spelling with the match highlighted; the case graph renders, expands, filters, saves and exports
a PNG, with every request on the node's own origin and no CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode
from tests.browser.pages import sign_in
from tests.network.nodeproc import create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def investigation(live_node: LiveNode) -> Iterator[dict[str, str]]:
    token = create_token(live_node.data_dir, live_node.investigator, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:

        def ent(cid: str, schema: str, **props: list[str]) -> str:
            r = api.post(
                f"/api/v1/cases/{cid}/entities", json={"schema": schema, "properties": props}
            )
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        r = api.post(
            "/api/v1/cases", json={"reference": "BROWSER-1", "title": "Gujrat–Van network (test)"}
        )
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        khan = ent(cid, "Person", name=["محمد آصف خان"], nationality=["pk"])
        karim = ent(cid, "Person", name=["Haji Karim"])
        reza = ent(cid, "Person", name=["Reza Ahmadi"], phone=["+989151234567"])
        gul = ent(cid, "Person", name=["Gul Wali"], phone=["+989151234567"])
        ent(cid, "Associate", person=[karim], associate=[khan])
        ent(cid, "Associate", person=[khan], associate=[reza])
        ent(
            cid,
            "Payment",
            payer=[khan],
            beneficiary=[reza],
            amount=["2400"],
            currency=["EUR"],
            date=["2026-05-06"],
        )
        ent(cid, "Vessel", name=["Deniz Yildizi"], flag=["tr"])
        yield {"case": cid, "khan": khan, "karim": karim, "reza": reza, "gul": gul}


def test_search_finds_arabic_script_by_latin_spelling(
    open_session, live_node, investigation
) -> None:  # type: ignore[no-untyped-def]
    s = open_session()
    sign_in(s.page, live_node.investigator, live_node.password)
    s.page.goto("/search")
    s.page.get_by_label("Name, phone, document or account number").fill("Mohammed Asif Khan")
    results = s.page.locator("#results")
    # Live search (HTMX) fills the results while typing; no submit needed.
    expect(results.get_by_role("link", name="محمد آصف خان")).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    results.get_by_role("link", name="محمد آصف خان").click()
    expect(s.page.get_by_role("heading", name="محمد آصف خان")).to_be_visible()
    expect(s.page.get_by_text("Properties and their sources")).to_be_visible()


def test_graph_renders_expands_filters_saves_and_exports(
    open_session, live_node, investigation
) -> None:  # type: ignore[no-untyped-def]
    s = open_session(accept_downloads=True)
    sign_in(s.page, live_node.investigator, live_node.password)
    page = s.page
    # Start from one person: their neighbourhood only.
    page.goto(f"/cases/{investigation['case']}/graph?seed={investigation['reza']}")
    graph = page.locator("#graph")
    page.wait_for_function(
        "() => { const g = document.getElementById('graph');"
        " return g.cy && g.cy.nodes().length > 1; }"
    )
    first = page.evaluate("() => document.getElementById('graph').cy.nodes().length")
    assert (
        page.evaluate(
            "id => document.getElementById('graph').cy.getElementById(id).length",
            investigation["khan"],
        )
        == 1
    )
    assert (
        page.evaluate(
            "id => document.getElementById('graph').cy.getElementById(id).length",
            investigation["karim"],
        )
        == 0
    )
    # Expand the organiser's contact: Haji Karim comes in.
    page.evaluate(
        "id => { const cy = document.getElementById('graph').cy;"
        " cy.nodes().unselect(); cy.getElementById(id).select(); }",
        investigation["khan"],
    )
    page.get_by_role("button", name="Expand selected").click()
    page.wait_for_function(
        "id => document.getElementById('graph').cy.getElementById(id).length === 1",
        arg=investigation["karim"],
    )
    assert page.evaluate("() => document.getElementById('graph').cy.nodes().length") > first
    # The shared phone of Reza and Gul shows as a selector node linking them.
    assert (
        page.evaluate(
            "() => document.getElementById('graph').cy.nodes()"
            ".filter(n => n.data('kind') === 'phone').length"
        )
        >= 1
    )
    # Filter to persons: the others are hidden.
    page.locator("[data-graph-filter]").select_option("Person")
    page.wait_for_function(
        "() => document.getElementById('graph').cy.nodes('.filtered').length > 0"
    )
    # Selecting a node shows it in the side panel with a link to the entity.
    page.evaluate(
        "id => document.getElementById('graph').cy.getElementById(id).emit('tap')",
        investigation["khan"],
    )
    expect(page.locator("#graph-details")).to_contain_text("محمد آصف خان")
    # Save the chart of the case, then export a PNG.
    with page.expect_response(
        lambda r: r.url.endswith("/charts") and r.request.method == "POST"
    ) as saved:
        page.get_by_role("button", name="Save chart").click()
    assert saved.value.status == 201
    with page.expect_download() as download:
        page.get_by_role("button", name="Export PNG").click()
    assert download.value.suggested_filename.endswith(".png")
    expect(graph).to_be_visible()
