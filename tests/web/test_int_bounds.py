"""Every integer in a path or query string is bounded: 2^63 (one above what a store holds)
and -1 answer 422 naming the parameter, never 500. Walks the app's route table, API and
pages, so a parameter added later without bounds fails here."""

from __future__ import annotations

import uuid

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from corridor.web.app import create_app
from tests.web.conftest import csrf_from, web_login

TOO_BIG = 2**63
VALUES = (TOO_BIG, -1)


def _is_int(annotation: object) -> bool:
    return annotation is int or annotation == (int | None)


def _example(annotation: object) -> str:
    if annotation is uuid.UUID:
        return str(uuid.uuid4())
    return "1" if _is_int(annotation) else "x"


def int_params(app) -> list[tuple[str, str, APIRoute, str, str]]:  # type: ignore[no-untyped-def]
    """(method, path, route, parameter, where) for every int path/query parameter."""
    out = []
    for ctx_path, route in _all_routes(app):
        method = sorted(route.methods)[0]
        for where, params in (
            ("path", route.dependant.path_params),
            ("query", route.dependant.query_params),
        ):
            for p in params:
                if _is_int(p.field_info.annotation):
                    out.append((method, ctx_path, route, p.alias or p.name, where))
    return out


def _all_routes(app):  # type: ignore[no-untyped-def]
    from fastapi.routing import iter_route_contexts

    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.path:
            yield ctx.path, ctx.original_route


def _url(path: str, route: APIRoute, name: str, where: str, value: int) -> str:
    url = path
    for p in route.dependant.path_params:
        got = str(value) if (where == "path" and p.name == name) else None
        url = url.replace("{" + p.name + "}", got or _example(p.field_info.annotation))
    return url + (f"?{name}={value}" if where == "query" else "")


def test_the_walk_finds_int_parameters(node) -> None:  # type: ignore[no-untyped-def]
    found = {(path, name) for _, path, _, name, _ in int_params(create_app(node))}
    assert ("/api/v1/entities", "offset") in found
    assert ("/api/v1/entities/candidates/{candidate_id}/decision", "candidate_id") in found
    assert ("/admin/audit", "before") in found


def test_every_int_parameter_is_bounded(node, token_for, make_user) -> None:  # type: ignore[no-untyped-def]
    api = token_for("administrator", ("read", "write", "admin"))
    worker = token_for("investigator", ("read", "write"))
    make_user("investigator", email="pages@test.example")
    # A 500 is an answer here, not an exception raised into the test.
    client = TestClient(create_app(node), raise_server_exceptions=False)
    pages = TestClient(
        create_app(node), base_url="http://127.0.0.1:8080", raise_server_exceptions=False
    )
    assert web_login(pages, "pages@test.example").status_code == 303
    csrf = csrf_from(pages.get("/account").text)
    failures = []
    for method, path, route, name, where in int_params(create_app(node)):
        for value in VALUES:
            url = _url(path, route, name, where, value)
            if path.startswith("/api/"):
                for headers in (api, worker):
                    resp = client.request(method, url, headers=headers, json={})
                    body = resp.json() if resp.status_code == 422 else {}
                    named = any(e["loc"][-1] == name for e in body.get("errors", []))
                    if resp.status_code != 422 or not named:
                        failures.append(f"{method} {url} -> {resp.status_code} {resp.text[:200]}")
            else:
                resp = pages.request(method, url, headers={"X-CSRF-Token": csrf})
                if resp.status_code >= 500:
                    failures.append(f"{method} {url} -> {resp.status_code}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("value", [TOO_BIG, -1, "1e400"])
def test_the_reported_cases_answer_422(client, token_for, value) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write"))
    resp = client.get(f"/api/v1/entities?offset={value}", headers=h)
    assert resp.status_code == 422 and resp.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert resp.json()["errors"][0]["loc"] == ["query", "offset"]
    resp = client.post(
        f"/api/v1/entities/candidates/{value}/decision", headers=h, json={"decision": "same"}
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["loc"] == ["path", "candidate_id"]
