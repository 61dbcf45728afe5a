"""The route tables are built at start-up, not by the first requests (the first partner's push
would wait for them: up to a second of CPU)."""

from __future__ import annotations

import pytest
from fastapi import routing
from fastapi.testclient import TestClient

from corridor.web.app import create_app

Effective = getattr(routing, "_EffectiveRouteContext", None)


@pytest.mark.skipif(Effective is None, reason="this FastAPI builds its routes eagerly")
def test_no_route_is_built_by_a_request(node, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    built: list[str] = []
    original = Effective.from_api_route  # type: ignore[union-attr]

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(str(kwargs.get("original_route", args[0] if args else "")))
        return original(*args, **kwargs)

    monkeypatch.setattr(Effective, "from_api_route", staticmethod(counting))
    with TestClient(create_app(node, run_worker=False)) as client:
        assert built, "nothing was built at start-up"
        at_start = len(built)
        for path in ("/healthz", "/login", "/api/v1/alerts", "/federation/v1/feed", "/nowhere"):
            client.get(path)
        client.post("/federation/v1/inbox", content=b"{}")
    assert len(built) == at_start
