"""One real `corridor serve` per session, driven by Debian's Chromium through Playwright.

Every page a test opens is watched: each request must stay on the node's own origin, and the
console must show no error, no uncaught exception and no Content-Security-Policy violation.
A test that expects an error response (401, 403, 423) says so with `watch.allow(...)`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.network.nodeproc import PASSWORD, Server, add_users, free_port, init_node

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)  # signing in hashes with full-cost Argon2

# Runs before any page script, outside the page's CSP (injected by the browser itself).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


CALL_FAILED = pytest.StashKey[bool]()


@dataclass(frozen=True)
class LiveNode:
    url: str
    data_dir: Path
    admin_email: str
    admin_one_time_password: str
    admin: str  # an administrator with PASSWORD, no forced change
    investigator: str
    lockout: str  # an investigator reserved for the lockout test
    password: str = PASSWORD


@pytest.fixture(scope="session")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    root = tmp_path_factory.mktemp("browser")
    data_dir = root / "node"
    port = free_port()
    one_time = init_node(
        data_dir,
        url=f"http://127.0.0.1:{port}",
        admin_email="admin@corridor.test",
        name="Browser test node",
    )
    users = {
        "admin": "ops@corridor.test",
        "investigator": "investigator@corridor.test",
        "lockout": "lockout@corridor.test",
    }
    server = Server(data_dir, root / "serve.log")
    try:
        # Add the users while the server starts: both spend a second or two importing.
        with ThreadPoolExecutor(max_workers=1) as pool:
            added = pool.submit(
                add_users,
                data_dir,
                [
                    (users["admin"], "administrator"),
                    (users["investigator"], "investigator"),
                    (users["lockout"], "investigator"),
                ],
            )
            server.start(port)
            added.result()
        yield LiveNode(
            url=server.url,
            data_dir=data_dir,
            admin_email="admin@corridor.test",
            admin_one_time_password=one_time,
            **users,
        )
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright, live_node: LiveNode) -> Iterator[Browser]:
    yield from _launch(playwright)


def _launch(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required here (make chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (make chromium)")
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@dataclass
class Watch:
    """What the browser did in one context: requests, console errors, CSP violations."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Tolerate console errors matching `pattern` (e.g. an expected 401 response)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        text = f"{msg.text} ({msg.location.get('url', '')})"
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.csp.append(text)
        elif not any(p.search(text) for p in self.allowed):
            self.errors.append(text)

    def foreign_requests(self) -> list[str]:
        own = self.origin + "/"
        return [u for u in self.requests if not (u.startswith(own) or u.startswith("data:"))]

    def problems(self) -> list[str]:
        out = [f"request left the node: {u}" for u in self.foreign_requests()]
        out += [f"CSP violation: {c}" for c in self.csp]
        out += [f"console error: {e}" for e in self.errors]
        return out


@dataclass
class Session:
    context: BrowserContext
    page: Page
    watch: Watch


@pytest.fixture
def open_session(
    request: pytest.FixtureRequest, browser: Browser, live_node: LiveNode
) -> Iterator[Callable[..., Session]]:
    """open_session(**context_options) -> Session: a fresh, watched browser context.

    After the test, the watch must be clean (checked here, so no test can forget); when the
    test itself failed, its own report says enough."""
    sessions: list[Session] = []

    def open_(**options: Any) -> Session:
        s = watched_session(browser, live_node.url, **options)
        sessions.append(s)
        return s

    yield open_
    _check_sessions(request, sessions)


def _check_sessions(request: pytest.FixtureRequest, sessions: list[Session]) -> None:
    """Close every context; unless the test already failed, fail on what the watch saw."""
    problems = []
    for s in sessions:
        problems += s.watch.problems()
        s.context.close()
    if not request.node.stash.get(CALL_FAILED, False):
        assert not problems, "\n".join(problems)


# --- Sessions on any node (e.g. the federated pair of test_realtime) ----------------------


def watched_session(browser: Browser, origin: str, **options: Any) -> Session:
    """A fresh browser context on `origin`, watched exactly like open_session's."""
    context = browser.new_context(base_url=origin, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_REPORTER)
    watch = Watch(origin)
    context.on("request", lambda r: watch.requests.append(r.url))
    context.on("console", watch.on_console)
    context.on("weberror", lambda e: watch.errors.append(f"uncaught: {e.error}"))
    return Session(context, context.new_page(), watch)


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """The same Chromium as `browser`, without starting live_node (for tests that run their
    own nodes)."""
    yield from _launch(playwright)


@pytest.fixture
def open_session_at(
    request: pytest.FixtureRequest, chromium: Browser
) -> Iterator[Callable[..., Session]]:
    """open_session_at(origin, **context_options) -> Session: open_session for a node other
    than live_node (its requests must stay on `origin`); checked after the test the same way."""
    sessions: list[Session] = []

    def open_(origin: str, **options: Any) -> Session:
        s = watched_session(chromium, origin, **options)
        sessions.append(s)
        return s

    yield open_
    _check_sessions(request, sessions)
