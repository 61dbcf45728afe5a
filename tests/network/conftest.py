"""Fixtures for tests that start real `corridor serve` processes on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.network.nodeproc import fresh_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (SQLite in the data directory) or the URL of a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "node"


def pytest_configure(config: pytest.Config) -> None:
    # Registered by pytest-xdist, but the suite also runs with `-p no:xdist`.
    config.addinivalue_line("markers", "xdist_group(name): run the group on one xdist worker")
