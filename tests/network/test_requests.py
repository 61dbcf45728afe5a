"""A request for assistance between two real `corridor serve` processes on loopback: sent at
A, accepted and answered at B through the API, A sees it answered. Polled with a deadline,
never a fixed sleep."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.network.nodeproc import FedNode, make_federation, stop_all, wait_for

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("requests-pair")]

DELIVERY = 20.0


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FedNode]]:
    net = make_federation(tmp_path_factory.mktemp("rfa"), ["A", "B"], peer_via="cli")
    try:
        yield net
    finally:
        stop_all(net)


def _get(node: FedNode, path: str, **params: Any) -> Any:
    with node.client(timeout=5) as api:
        r = api.get(path, params=params)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return r.json()


def _post(node: FedNode, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    with node.client() as api:
        r = api.post(path, json=body)
    assert r.status_code == status, r.text
    return dict(r.json())


def test_request_round_trip_between_processes(nodes: list[FedNode]) -> None:
    a, b = nodes

    def logs() -> str:
        return a.log_tail() + "\n" + b.log_tail()

    req = _post(
        a,
        "/api/v1/requests",
        {
            "to": [b.node_id],
            "subject": "Passport series TR-U123",
            "urgency": "urgent",
            "body": "Were these passports reported stolen?",
            "tlp": "AMBER",
            "questions": ["Reported stolen?", "Since when?"],
        },
    )
    rid = req["id"]
    assert req["state"] == "sent"

    at_b = wait_for(
        lambda: _get(b, f"/api/v1/requests/{rid}"),
        timeout=DELIVERY,
        what="the request at B",
        context=logs,
    )
    assert at_b["state"] == "delivered" and at_b["questions"] == ["Reported stolen?", "Since when?"]
    wait_for(
        lambda: _get(a, f"/api/v1/requests/{rid}")["state"] == "delivered",
        timeout=DELIVERY,
        what="A sees the request delivered",
        context=logs,
    )

    assert _post(b, f"/api/v1/requests/{rid}/accept", {})["state"] == "accepted"
    wait_for(
        lambda: _get(a, f"/api/v1/requests/{rid}")["state"] == "accepted",
        timeout=DELIVERY,
        what="A sees the request accepted",
        context=logs,
    )
    answer = _post(
        b,
        f"/api/v1/requests/{rid}/reply",
        {
            "text": "Yes, all ten.",
            "answers": [{"question": 0, "text": "Yes"}, {"question": 1, "text": "2026-03-02"}],
        },
    )
    assert answer["state"] == "answered"
    done = wait_for(
        lambda: (lambda d: d if d["state"] == "answered" else None)(
            _get(a, f"/api/v1/requests/{rid}")
        ),
        timeout=DELIVERY,
        what="A sees the request answered",
        context=logs,
    )
    assert [r["kind"] for r in done["replies"]] == ["accept", "answer"]
    assert done["recipients"][0]["delivered_at"] and done["recipients"][0]["answered_at"]
    sent = _get(a, "/api/v1/requests", box="sent", state="answered")["items"]
    assert [i["id"] for i in sent] == [rid]
    overview = _get(a, "/api/v1/requests/overview")
    assert overview["sent"][0]["node"] == b.node_id and overview["sent"][0]["on_time_share"] == 1.0
