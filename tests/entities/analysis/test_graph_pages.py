"""The graph page of a case: its legend, what the script is told, and the side panel's facts of
one entity (a read, audited; only of an entity of that case, for a member of it)."""

from __future__ import annotations

import re

from corridor.audit import service as audit
from tests.entities.test_pages import login


def case_with_two(c, csrf):  # type: ignore[no-untyped-def]
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-G1", "title": "T"})
    case_url = str(r.url.path)
    ids = []
    for more in ("nationality: pk\nbirthDate: 1984-03-02", "nationality: ir"):
        r = c.post(
            f"{case_url}/entities",
            data={"csrf_token": csrf, "schema": "Person", "name": "Asif Khan", "more": more},
        )
        ids.append(str(r.url.path).rsplit("/", 1)[1])
    return case_url, ids


def test_graph_page_has_a_legend_of_every_type_it_can_draw(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    case_url, _ = case_with_two(c, csrf)
    page = c.get(f"{case_url}/graph").text
    assert "/static/css/graph.css" in page
    assert f'data-facts="{case_url}/graph/_node/"' in page
    assert 'data-case-tlp="AMBER"' in page
    # One entry per type, hidden until such a node is drawn (the script shows them with counts).
    for schema in ("Person", "Company", "BankAccount", "Passport", "MobileDevice", "Vessel"):
        assert re.search(rf'<li data-legend-schema="{schema}" hidden>', page), schema
    assert 'data-legend-selector="phone"' in page and "Phone number" in page
    # Relations are lines, not nodes: no legend entry of their own.
    assert 'data-legend-schema="Payment"' not in page
    # Only labels stricter than the case's AMBER get an outer ring.
    assert re.findall(r'data-legend-tlp="([^"]+)"', page) == ["AMBER+STRICT", "RED"]
    assert "data-graph-list" in page and "data-tnetwork=" in page


def test_node_facts_for_the_side_panel(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    case_url, (asif, reza) = case_with_two(c, csrf)
    r = c.get(f"{case_url}/graph/_node/{asif}")
    assert r.status_code == 200
    assert "<html" not in r.text  # a fragment for the panel
    # In the reader's conventions, as every list of key facts shows a date (captions.py).
    assert "Birth date" in r.text and "Mar 2, 1984" in r.text
    assert "TLP:AMBER" in r.text and "stricter than the case" not in r.text
    with node.db.reading() as s:
        entries, _ = audit.search(s, audit.AuditFilter(action="entity.read"))
    assert asif in {e.object_id for e in entries}
    # Only an entity of this case, only for a member of it.
    assert c.get(f"{case_url}/graph/_node/nobody").status_code == 404
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-G2", "title": "T"})
    other_url = str(r.url.path)
    assert c.get(f"{other_url}/graph/_node/{reza}").status_code == 404
    stranger, _ = login(node, make_user)
    assert stranger.get(f"{case_url}/graph/_node/{asif}").status_code == 404
