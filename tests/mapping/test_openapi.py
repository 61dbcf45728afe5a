"""Every mapping API endpoint declares its answer, and answers what it declares: each JSON
answer below is validated against the schema the OpenAPI document gives for it."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest

from tests.mapping.commitments.test_service import action, commitment, day
from tests.mapping.conftest import EASTERN_ROUTE, challenge

MAPPING_PATHS = re.compile(r"^/api/v1/(map|challenges|routes|commitments)\b")


@pytest.fixture
def document(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/openapi.json").json()


def _operation(document: dict[str, Any], method: str, url: str) -> tuple[str, dict[str, Any]]:
    """The OpenAPI operation serving `url`: its path template matched segment by segment, a
    literal segment ("dashboard") before a parameter."""
    parts = url.split("?")[0].split("/")

    def serves(template: str) -> bool:
        segments = template.split("/")
        return len(segments) == len(parts) and all(
            t == p or t.startswith("{") for t, p in zip(segments, parts, strict=True)
        )

    found = sorted(
        (t for t, item in document["paths"].items() if method in item and serves(t)),
        key=lambda t: t.count("{"),
    )
    assert found, f"no operation for {method.upper()} {url}"
    return found[0], document["paths"][found[0]][method]


def _conforms(document: dict[str, Any], method: str, url: str, answer: Any) -> None:
    template, op = _operation(document, method, url)
    status = str(answer.status_code)
    content = op["responses"][status]["content"]["application/json"]
    schema = {**content["schema"], "components": document["components"]}
    errors = [str(e) for e in jsonschema_rs.validator_for(schema).iter_errors(answer.json())]
    assert not errors, (method.upper(), template, errors[:5])


def test_every_mapping_endpoint_declares_its_answer(document) -> None:  # type: ignore[no-untyped-def]
    ops = [
        (path, method, op)
        for path, item in document["paths"].items()
        if MAPPING_PATHS.match(path)
        for method, op in item.items()
        if method in ("get", "post", "put")
    ]
    assert len(ops) == 25
    for path, method, op in ops:
        ok = next(s for s in op["responses"] if s.startswith("2"))
        content = op["responses"][ok].get("content", {})
        assert content, (method, path)
        if "application/json" in content:
            assert content["application/json"].get("schema"), (method, path)
        else:  # the exports
            assert set(content) <= {"text/csv", "application/geo+json"}, (method, path)


def test_the_answers_match_the_document(client, analyst, document) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, str, Any]] = []

    def call(method: str, url: str, json: Any = None, status: int = 200) -> Any:
        answer = client.request(method, url, headers=analyst, json=json)
        assert answer.status_code == status, (method, url, answer.text)
        calls.append((method, url, answer))
        return answer.json()

    route = call("post", "/api/v1/routes", {**EASTERN_ROUTE, "tlp": "GREEN"}, 201)
    rid = route["id"]
    body = challenge(
        routes=[{"route": rid, "legs": [0, 2]}],
        locations=[{"name": "Taftan", "geometry": {"type": "Point", "coordinates": [61.6, 29]}}],
        evidence=[{"kind": "link", "title": "Seizure report", "url": "https://example.org/r/1"}],
        owner="FIA",
        review_date="2027-01-01",
    )
    cid = call("post", "/api/v1/challenges", body, 201)["id"]
    call("post", "/api/v1/challenges", challenge(title="Sparse", countries=["GR"]), 201)
    call("get", f"/api/v1/challenges/{cid}")
    call("put", f"/api/v1/challenges/{cid}", {**body, "severity": "critical"})
    call("get", "/api/v1/challenges")
    call("get", "/api/v1/challenges?theme=fraudulent_documents&country=PK")
    call("get", "/api/v1/map")
    call("get", f"/api/v1/map?route={rid}&since=2026-01-01")
    call("get", "/api/v1/routes")
    call("get", f"/api/v1/routes/{rid}")
    call("put", f"/api/v1/routes/{rid}", {**EASTERN_ROUTE, "description": None})

    mid = call("post", "/api/v1/commitments", commitment(), 201)["id"]
    call("get", "/api/v1/commitments")
    call("post", f"/api/v1/commitments/{mid}/endorse", {"note": "Yes"}, 201)
    aid = call("post", f"/api/v1/commitments/{mid}/actions", action(), 201)["id"]
    update = {"on": day(-1), "text": "Kits in", "values": {"officers": 10}}
    call("post", f"/api/v1/commitments/{mid}/actions/{aid}/updates", update, 201)
    call("put", f"/api/v1/commitments/{mid}/actions/{aid}", action(title="Kits at Taftan"))
    call("get", f"/api/v1/commitments/{mid}/actions/{aid}")
    call("get", f"/api/v1/commitments/{mid}")
    call("get", "/api/v1/commitments/dashboard")
    call("get", "/api/v1/commitments/scorecard/PK")
    call("put", f"/api/v1/commitments/{mid}", commitment(ends=None))

    # Withdrawn records answer without their bodies.
    call("post", f"/api/v1/challenges/{cid}/withdraw", {"reason": "duplicate"})
    call("get", f"/api/v1/challenges/{cid}")
    call("post", f"/api/v1/routes/{rid}/withdraw", {"reason": "duplicate"})
    call("post", f"/api/v1/commitments/{mid}/withdraw", {"reason": "duplicate"})

    for method, url, answer in calls:
        _conforms(document, method, url, answer)
    answered = {_operation(document, m, u)[0] + " " + m for m, u, _ in calls}
    assert len(answered) == 23  # every JSON endpoint
