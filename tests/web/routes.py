"""The app's route table, flattened: what the route-walking tests iterate over."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, included routers resolved (FastAPI mounts
    them lazily, so `app.routes` alone lists the routers, not their routes)."""
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and ctx.path and ctx.path.startswith("/api/"):
            yield ctx.path, route
