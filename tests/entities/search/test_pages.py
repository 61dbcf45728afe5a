"""The search page: each hit with its case or origin node, key facts and why it matched; facets
that count only what the reader may see and narrow the search."""

from __future__ import annotations

import html
import re

from tests.entities.partners import login_at, share_call_and_payment


def facet(page: str, name: str, value: str) -> tuple[str, int]:
    """The link of one facet value and its count."""
    m = re.search(
        rf'<a href="([^"]+)" class="facet-value[^"]*"[^>]*data-facet="{name}" data-value="{value}">'
        r'.*?<span class="count"><bdi>(\d+)</bdi>',
        page,
        re.S,
    )
    assert m, f"no facet {name}={value}"
    return html.unescape(m.group(1)), int(m.group(2))


def facet_values(page: str, name: str) -> set[str]:
    return set(re.findall(rf'data-facet="{name}" data-value="([^"]+)"', page))


def test_hits_show_case_origin_key_facts_and_facets_that_narrow(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    share_call_and_payment(a, b, to_a, to_b)
    c, csrf = login_at(b, email="inv1@b.example")
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "JAN-2026-7", "title": "Van"})
    case_url = str(r.url.path)
    r = c.post(
        f"{case_url}/entities",
        data={
            "csrf_token": csrf,
            "schema": "Person",
            "name": "Tariq Mehmood",
            "more": "nationality: tr\nbirthDate: 1979-11-20",
        },
    )
    assert r.status_code == 200, r.text

    page = c.get("/search", params={"q": "Tariq Mehmood"}).text
    assert "2 results" in page
    # Our own hit names its case, linked; the partner's names its node and country.
    assert f'Case <a href="{case_url}"><bdi>JAN-2026-7</bdi></a>' in page
    assert "From <bdi>Test node</bdi> (Pakistan)" in page
    # Key facts: nationality by name, birth date formatted, the passport number.
    assert "<bdi>Pakistan</bdi>" in page and "<bdi>Türkiye</bdi>" in page
    assert "<bdi>Mar 2, 1984</bdi>" in page and "<bdi>Nov 20, 1979</bdi>" in page
    assert "Passport number</span> <bdi>AB1234567</bdi>" in page
    assert 'class="why muted">Why:' in page  # why it matched is kept
    # Facets count the hits by type, country, case and origin.
    assert facet(page, "schema", "Person")[1] == 2
    assert facet(page, "country", "pk")[1] == 1 and facet(page, "country", "tr")[1] == 1
    assert facet(page, "origin", a.id)[1] == 1 and facet(page, "origin", b.id)[1] == 1
    case_id = case_url.rsplit("/", 1)[1]
    assert facet_values(page, "case") == {case_id}
    assert re.search(r'data-facet="case" data-value="[^"]+"><bdi>JAN-2026-7</bdi>', page)

    # A facet's link narrows the search to it, and the form shows the filter chosen.
    href, _ = facet(page, "origin", a.id)
    assert href.startswith("/search?") and f"origin={a.id}" in href
    narrowed = c.get(href).text
    assert "1 result" in narrowed and "From <bdi>Test node</bdi>" in narrowed
    assert "JAN-2026-7</bdi></a>" not in narrowed
    assert f'<option value="{a.id}" selected>' in narrowed
    # ... and the chosen value's link leads back to all of them.
    back, count = facet(narrowed, "origin", a.id)
    assert count == 1 and "origin=" not in back
    assert "2 results" in c.get(back).text
    # The live result list narrows the same way.
    part = c.get("/search/_results", params={"q": "Tariq Mehmood", "country": "tr"}).text
    assert "1 result" in part and "JAN-2026-7" in part
    own = c.get("/search/_results", params={"q": "Tariq Mehmood", "origin": b.id}).text
    assert "1 result" in own and "JAN-2026-7" in own and "Test node" not in own.split("<ol")[1]

    # A colleague outside the case sees neither its hit nor its count.
    other, _ = login_at(b, email="inv2@b.example")
    page = other.get("/search", params={"q": "Tariq Mehmood"}).text
    assert "1 result" in page and "JAN-2026-7" not in page
    assert facet_values(page, "case") == set() and facet_values(page, "origin") == {a.id}
    assert facet(page, "schema", "Person")[1] == 1 and facet_values(page, "country") == {"pk"}


def test_interval_hits_read_with_their_dates(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    share_call_and_payment(a, b, to_a, to_b)
    c, csrf = login_at(b)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "JAN-2026-8", "title": "Trips"})
    case_url = str(r.url.path)
    r = c.post(
        f"{case_url}/entities",
        data={
            "csrf_token": csrf,
            "schema": "Trip",
            "name": "Crossing to Van",
            "more": "startDate: 2026-05-04\nendDate: 2026-05-09",
        },
    )
    assert r.status_code == 200, r.text
    # An event or trip found by its name reads with when it happened, in the reader's dates.
    page = c.get("/search", params={"q": "Crossing to Van"}).text
    assert "<bdi>Crossing to Van, May 4, 2026 – May 9, 2026</bdi>" in page
    assert facet(page, "schema", "Trip")[1] == 1
    # A passport number finds the partner's person (a selector hit, explained by the value).
    page = c.get("/search", params={"q": "AB 1234567"}).text
    assert "<mark>AB1234567</mark>" in page and "Tariq Mehmood" in page
    # The origin filter offers this node and its partners by name and country.
    assert re.search(rf'<option value="{a.id}">Test node \(Pakistan\)</option>', page)
    assert re.search(rf'<option value="{b.id}">this node: Jandarma Van \(Türkiye\)</option>', page)
