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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `--dist loadgroup` group these tests under pytest >= 9.

    pytest-xdist (3.8) marks a grouped test by assigning `item._nodeid = "<id>@<group>"`;
    since pytest 9 `item.nodeid` derives from `item._id`, so the suffix is lost and every test
    is scheduled on its own: a module-scoped federation would be built on both workers and
    its tests would interleave with other modules' (tearing it down and up again)."""
    if not config.getvalue("loadgroup"):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: xdist's own assignment works
        return
    here = Path(__file__).parent
    for item in items:
        grouped = getattr(item, "_nodeid", None)
        if (
            isinstance(grouped, str)
            and "@" in grouped
            and "@" not in item.nodeid
            and here in item.path.parents
        ):
            item._id = NodeId.parse(grouped)  # type: ignore[attr-defined]
