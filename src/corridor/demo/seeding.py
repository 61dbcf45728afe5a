"""What every seed of the demo shares: the running demo nodes it writes to, one demo user's
API session on a node, and dates relative to today.

The seeds write through the REST API of the running nodes, as an officer would, so every
record is signed, delivered and receipted for real."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

DELIVERY_TIMEOUT = 30.0  # seconds a partner's record may take to arrive before we give up


class DemoApi:
    """One demo user's API session on one node."""

    def __init__(self, slug: str, url: str, token: str, timeout: float = 30) -> None:
        self.slug = slug
        self.http = httpx.Client(
            base_url=url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def call(self, method: str, path: str, **kw: Any) -> Any:
        r = self.http.request(method, path, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"demo: {method} {path} at {self.slug}: {r.status_code} {r.text}")
        return r.json() if r.content else None

    def wait_for(self, path: str) -> None:
        """Poll until a partner's record has arrived here (delivery is pushed on commit, so
        this takes a moment, never a fixed sleep)."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        delay = 0.05
        while True:
            r = self.http.get(path)
            if r.status_code == 200:
                return
            if r.status_code != 404 or time.monotonic() > deadline:
                raise RuntimeError(
                    f"demo: {path} did not reach {self.slug}: {r.status_code} {r.text}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def close(self) -> None:
        self.http.close()


@dataclass(frozen=True)
class DemoNodes:
    """The running demo nodes a seed writes to, each map by agency slug. `token_for(slug,
    email)` gives a short-lived API token of that user. An agency that is not running is
    absent, and a seed skips what needs it."""

    urls: dict[str, str]
    token_for: Callable[[str, str], str]
    node_ids: dict[str, str]
    domains: dict[str, str]

    @property
    def present(self) -> list[str]:
        return [s for s in self.urls if s in self.node_ids and s in self.domains]

    def others(self, slug: str) -> list[str]:
        """The node ids of every present agency but `slug`: a seed's usual recipients."""
        return [self.node_ids[s] for s in self.present if s != slug]

    def api(self, slug: str, account: str, timeout: float = 30) -> DemoApi:
        """An API session as `account@<the agency's domain>` (e.g. account="analyst")."""
        token = self.token_for(slug, f"{account}@{self.domains[slug]}")
        return DemoApi(slug, self.urls[slug], token, timeout)

    @contextmanager
    def apis(
        self, account: Callable[[str], str], slugs: Collection[str] | None = None
    ) -> Iterator[dict[str, DemoApi]]:
        """One API session per present agency (or per present one of `slugs`), as the user
        `account(slug)`; all closed at the end. Made one at a time: token_for may open the
        node's store, which is not meant for threads."""
        sessions: dict[str, DemoApi] = {}
        try:
            for slug in self.present:
                if slugs is None or slug in slugs:
                    sessions[slug] = self.api(slug, account(slug))
            yield sessions
        finally:
            for session in sessions.values():
                session.close()


def days_from(today: date, n: int) -> str:
    """The ISO date n days after today (before it when n is negative)."""
    return (today + timedelta(days=n)).isoformat()
