"""The node's ASGI application: UI, REST API and (later) the federation endpoint."""

from __future__ import annotations

import gc
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from corridor import __version__, modules, processes, signals
from corridor.audit import service as audit
from corridor.errors import CorridorError, PermissionDenied
from corridor.jobs.worker import Worker
from corridor.node.service import Node, open_node
from corridor.security.principal import Principal
from corridor.web import problems
from corridor.web.auth import (
    LoginRequired,
    PasswordChangeRequired,
    client_ip,
    login_redirect_target,
    safe_next,
)
from corridor.web.middleware import (
    AccessLogMiddleware,
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
)
from corridor.web.refusals import Refusal
from corridor.web.render import page, redirect

log = logging.getLogger("corridor.web")
STATIC_DIR = Path(__file__).parent / "static"
# `corridor serve --workers N` tells each web process (started afresh by uvicorn) its node.
SERVE_DATA_DIR_ENV = "CORRIDOR_SERVE_DATA_DIR"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/federation/"))


def _error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return page(request, "error.html", {"title": title, "detail": detail}, status=status)


def _referring_page(request: Request) -> str | None:
    """The page of this node a form was posted from (its path and query), if the browser said
    and it is a page one can go back to (not the answer to another form)."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or safe_next(referer.path) != referer.path:
        return None
    scope = {"type": "http", "method": "GET", "path": referer.path, "root_path": ""}
    if not any(r.matches(scope)[0] is Match.FULL for r in request.app.router.routes):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _warm_routes(app: FastAPI) -> None:
    """FastAPI builds each included router's table of routes (dependants, type adapters) on the
    first request that walks it: up to a second of CPU that the first partner's push or the
    first user would wait for. A path that matches nothing walks them all, now."""
    scope: dict[str, Any] = {
        "type": "http",
        "path": "/.corridor-warm-up",
        "method": "GET",
        "headers": [],
        "query_string": b"",
        "root_path": "",
    }
    for route in app.router.routes:
        route.matches(dict(scope))


def _document_problems(app: FastAPI) -> None:
    """Every operation's error answers in the OpenAPI document, added to what FastAPI
    generates (it regenerates the document when routes change, so this runs each time)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return problems.document_problems(generate())

    app.openapi = openapi  # type: ignore[method-assign]


_heap_frozen = False


def _freeze_the_loaded_heap() -> None:
    """Everything loaded when the first app starts (modules, the FtM model, templates) lives
    as long as the process: frozen out of the collector, a full collection no longer walks it,
    which took 150-200 ms in one request out of ten on a 1 MB map answer (bench/mapping).
    Once per process: frozen objects are never collected, so freezing again at each app's
    start would keep every earlier app and node for good (the test suite, which starts apps
    one after the other, grew to 7 GB per worker)."""
    global _heap_frozen
    if _heap_frozen:
        return
    _heap_frozen = True
    gc.collect()
    gc.freeze()


def create_app(node: Node, *, run_worker: bool = False) -> FastAPI:
    worker = Worker(node) if run_worker else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        _warm_routes(_app)
        _freeze_the_loaded_heap()
        # Hear the other processes of the node (events for our subscribers, job wake-ups).
        channel = signals.attach(node.db.engine, node.config.data_dir)
        if worker is not None:
            worker.start_thread()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            channel.close()

    app = FastAPI(
        title=f"corridor node API ({node.config.name})",
        version=__version__,
        description="REST API of a corridor node. Authenticate with `Authorization: Bearer "
        "<token>` (create tokens with `corridor token create` or on your account page). "
        "Errors are RFC 9457 problem details.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI would load assets from a CDN; nothing leaves the node
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.node = node
    _document_problems(app)

    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> Response:
        if isinstance(exc, PermissionDenied):
            auth = getattr(request.state, "auth", None)
            actor = (
                auth.principal
                if auth
                else Principal(kind="session", handle="anonymous", ip=client_ip(request))
            )
            await run_in_threadpool(
                audit.append_now,
                node.db,
                actor=actor,
                action="access.denied",
                outcome="denied",
                detail={"path": request.url.path[:200], "method": request.method},
            )
        if _is_api(request):
            return problems.from_error(request, exc)
        return _error_page(request, exc.status, exc.title, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return problems.from_validation(request, exc)
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # A page's address names what it shows: one that names nothing this node could
            # hold (a malformed id) is not found, like an unknown one.
            return _error_page(request, 404, "Not found", "")
        said = Refusal.of(exc).summary()
        back = _referring_page(request)
        if request.method not in ("GET", "HEAD") and back is not None:
            # A form a page acts with (its own fields read one by one, not a form model, which
            # comes back as typed): back to that page with why not, as act_form does (the
            # browser puts back what was typed).
            return redirect(request, back, said, refused=True)
        return _error_page(request, 422, "Invalid input", said)

    @app.exception_handler(ValidationError)
    async def model_error(request: Request, exc: ValidationError) -> Response:
        # Built inside a service (labels combined from several fields, for example).
        errors: list[dict[str, Any]] = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        if _is_api(request):
            return problems.problem(
                422,
                "Invalid input",
                "; ".join(str(e["msg"]) for e in errors),
                slug="invalid-input",
                instance=request.url.path,
                errors=errors,
            )
        return _error_page(request, 422, "Invalid input", Refusal.of(exc).summary())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return problems.from_http(request, exc)
        return _error_page(request, exc.status_code, str(exc.detail), "")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_redirect_target(exc.next_path), status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> Response:
        return problems.problem(
            400,
            "Malformed JSON",
            "the JSON is nested too deeply",
            slug="malformed-json",
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _is_api(request):
            return problems.problem(
                500,
                "Internal error",
                "the node could not complete the request; nothing was stored",
                slug="internal",
            )
        return _error_page(request, 500, "Internal error", "")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "node": node.id}

    for module in modules.routers():
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_middleware(SecurityHeadersMiddleware, https=node.config.secure_cookies)
    limits = node.config.limits
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=limits.max_body_bytes,
        larger={b.path: getattr(limits, b.limit) + b.extra for b in modules.body_limits()},
    )
    app.add_middleware(AccessLogMiddleware)
    return app


def _die_with_supervisor() -> None:
    """A web process must not outlive its supervisor: killed with SIGKILL, the supervisor
    cannot stop its children, which would keep the port. SIGTERM: uvicorn's graceful stop."""
    processes.die_with_parent(signal.SIGTERM)
    processes.watch_parent(signal.SIGTERM)


def web_process_app() -> FastAPI:
    """App factory for each web process of `corridor serve --workers N`: uvicorn starts the
    processes afresh (spawn) and calls this in each. The supervisor has checked the node and
    runs the job worker; here only the web application runs."""
    from corridor.logs import setup_logging

    setup_logging()
    _die_with_supervisor()
    node = open_node(Path(os.environ[SERVE_DATA_DIR_ENV]), check_schema=False)
    return create_app(node, run_worker=False)
