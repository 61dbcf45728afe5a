"""The OpenAPI document lists every operation's error answers as RFC 9457 problems, and what
the API answers matches it."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@pytest.fixture
def document(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/openapi.json").json()


def operations(doc: dict[str, Any]):  # type: ignore[no-untyped-def]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_every_operation_lists_its_error_answers(document) -> None:  # type: ignore[no-untyped-def]
    ops = list(operations(document))
    assert len(ops) > 100
    missing = []
    for path, method, op in ops:
        expected = {"400", "401", "403", "404", "422", "500"}
        if method in ("post", "put", "patch", "delete"):
            expected.add("409")
        if "requestBody" in op:
            expected.add("413")
        for status in sorted(expected):
            answer = op["responses"].get(status, {})
            schema = answer.get("content", {}).get(PROBLEM, {}).get("schema")
            if schema != {"$ref": "#/components/schemas/Problem"} or not answer.get("description"):
                missing.append(f"{method.upper()} {path} {status}")
            if set(answer.get("content", {})) - {PROBLEM}:
                missing.append(f"{method.upper()} {path} {status}: not only problem+json")
    assert missing == [], "\n".join(missing)
    # FastAPI's own validation schema is gone: the API never answers it.
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_problem_schema_is_rfc_9457_plus_field_errors(document) -> None:  # type: ignore[no-untyped-def]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem.get("additionalProperties") is True
    field = document["components"]["schemas"]["ProblemFieldError"]
    assert set(field["properties"]) == {"loc", "msg", "type"}


def test_answers_match_the_problem_schema(client, token_for, document) -> None:  # type: ignore[no-untyped-def]
    schema = {"$ref": "#/components/schemas/Problem", "components": document["components"]}
    h = token_for("viewer", ("read", "write"))
    read_only = token_for("viewer")
    json_type = {**h, "content-type": "application/json"}
    answers = [
        client.get("/api/v1/me"),  # 401
        client.post("/api/v1/cases", headers=read_only, json={}),  # 403
        client.get("/api/v1/records/00000000-0000-0000-0000-000000000000", headers=h),  # 404
        client.get("/api/v1/records?limit=0", headers=h),  # 422 with errors
        client.post("/api/v1/tokens", headers=json_type, content=b"{"),  # 400
    ]
    assert [a.status_code for a in answers] == [401, 403, 404, 422, 400]
    for answer in answers:
        assert answer.headers["content-type"].startswith(PROBLEM)
        jsonschema_rs.validator_for(schema).validate(answer.json())
