"""Issue 13's derived paths between three real `corridor serve` processes on loopback (each
with its own job worker): an alert linking a protection case's person reaches only protection
officers; a reply cannot lower what it answers nor reach a node outside its audience; and when
the origin withdraws a message, the reply drawn from it is withdrawn at every node by the
deriving node's own worker. Polled with a deadline, never a fixed sleep."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.network.nodeproc import PASSWORD, FedNode, make_federation, stop_all, wait_for

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("derived-trio")]

DELIVERY = 20.0


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FedNode]]:
    net = make_federation(tmp_path_factory.mktemp("derived"), ["A", "B", "C"])
    try:
        yield net
    finally:
        stop_all(net)


def _person(node: FedNode, role: str) -> httpx.Client:
    """A new user of that role at the node, and a client with their read/write token."""
    email = f"{role}.{len(role)}@{node.label.lower()}.example"
    with node.client(admin=True, timeout=30) as api:
        r = api.post("/api/v1/users", json={"email": email, "role": role, "password": PASSWORD})
        assert r.status_code in (201, 409), r.text
        r = api.post(
            "/api/v1/tokens", json={"user": email, "name": "derived", "scopes": ["read", "write"]}
        )
        assert r.status_code == 201, r.text
        token = r.json()["token"]
    return httpx.Client(base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _ok(r: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.text}"
    return dict(r.json())


def test_alert_with_a_protection_case_person(nodes: list[FedNode]) -> None:
    a, b, _c = nodes
    with _person(a, "protection_officer") as po_a, _person(b, "protection_officer") as po_b:
        case = _ok(po_a.post("/api/v1/cases", json={
            "reference": "PROT-1", "title": "Minors at Van", "purpose": "protection"}))  # fmt: skip
        person = _ok(po_a.post(f"/api/v1/cases/{case['id']}/entities", json={
            "schema": "Person", "properties": {"name": ["Zahra N."]}}))  # fmt: skip
        body = {
            "to": [b.node_id],
            "type": "other",
            "severity": "high",
            "title": "Unaccompanied minor moved by the network",
            "body": "Seen with the group at Van bus station.",
            "entities": [person["id"]],
        }
        refused = po_a.post("/api/v1/alerts", json={**body, "purpose": "cooperation"})
        assert refused.status_code == 422 and "purpose" in refused.json()["detail"]
        sent = _ok(po_a.post("/api/v1/alerts", json={**body, "purpose": "protection"}))
        path = f"/api/v1/alerts/{sent['id']}"
        got = wait_for(
            lambda: po_b.get(path).json() if po_b.get(path).status_code == 200 else None,
            timeout=DELIVERY,
            what="the protection alert at B",
            context=lambda: a.log_tail() + b.log_tail(),
        )
        assert got["entities"][0]["caption"] == "Zahra N."
        with b.client() as liaison_b, b.client(admin=True) as admin_b:
            assert liaison_b.get(path).status_code == 404
            assert admin_b.get(f"/api/v1/records/{sent['id']}").status_code == 404


def test_replies_stay_within_and_go_when_the_message_goes(nodes: list[FedNode]) -> None:
    a, b, c = nodes
    with a.client() as lo_a, b.client() as lo_b, c.client() as lo_c:
        msg = _ok(lo_a.post("/api/v1/messages", json={
            "to": [b.node_id], "subject": "Boat at Ayvalık", "body": "Leaves at 02:00.",
            "tlp": "AMBER", "handling": "H2"}))  # fmt: skip
        wait_for(
            lambda: lo_b.get(f"/api/v1/messages/{msg['id']}").status_code == 200,
            timeout=DELIVERY,
            what="the message at B",
        )
        reply = {
            "subject": "Re: boat",
            "body": "Our patrol is on its way.",
            "in_reply_to": msg["id"],
        }
        lower = lo_b.post("/api/v1/messages", json={**reply, "to": [a.node_id], "tlp": "GREEN"})
        assert lower.status_code == 422 and lower.json()["detail"].startswith("tlp:")
        third = lo_b.post("/api/v1/messages", json={
            **reply, "to": [a.node_id, c.node_id], "tlp": "AMBER", "handling": "H2"})  # fmt: skip
        assert third.status_code == 422 and "third-party rule" in third.json()["detail"]
        answered = _ok(lo_b.post("/api/v1/messages", json={
            **reply, "to": [a.node_id], "tlp": "AMBER", "handling": "H2"}))  # fmt: skip
        path = f"/api/v1/messages/{answered['id']}"
        wait_for(lambda: lo_a.get(path).status_code == 200, timeout=DELIVERY, what="reply at A")
        assert lo_c.get(path).status_code == 404

        # A withdraws its message: B's worker revokes the reply, and A stops showing it.
        _ok(lo_a.post(f"/api/v1/messages/{msg['id']}/revoke", json={"reason": "wrong boat"}), 200)

        def gone_everywhere() -> bool:
            at_b = lo_b.get(path)
            at_a = lo_a.get(path)
            return all(
                r.status_code == 404 or r.json().get("state") == "withdrawn" for r in (at_a, at_b)
            )

        wait_for(
            gone_everywhere,
            timeout=DELIVERY,
            what="the reply withdrawn at A and B",
            context=lambda: a.log_tail() + b.log_tail(),
        )
        with b.client(admin=True) as admin_b:
            record = admin_b.get(f"/api/v1/records/{answered['id']}")
        assert record.status_code == 404 or record.json().get("body") is None
