"""A node with the real published data imported once per module (tests/shared_data.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.node.service import Node
from corridor.risk import service
from corridor.security.principal import CLI, Principal
from corridor.security.roles import Role
from tests.conftest import Template, node_copy
from tests.shared_data import SHARED_DATA

FILES = {
    "frontex-ibc": SHARED_DATA / "frontex-ibc-monthly.csv",
    "iom-mmp": SHARED_DATA / "iom-missing-migrants.csv",
    "iom-mmp-2020": SHARED_DATA / "iom-missing-migrants-export-2020.csv",
    "eurostat-asylum": SHARED_DATA / "eurostat-asylum-applications.csv",
}
ANALYST = Principal(kind="session", handle="analyst", role=Role.analyst)


def import_file(node: Node, path: Path, source: str, **kw: object) -> object:
    with node.db.transaction() as session:
        return service.import_file(session, actor=CLI, path=path, source=source, **kw)


@pytest.fixture(scope="module")
def loaded(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    missing = [str(p) for p in FILES.values() if not p.is_file()]
    if missing:
        pytest.skip(f"shared data not found: {', '.join(missing)}")
    with node_copy(template, tmp_path_factory.mktemp("risk") / "node") as node:
        for source, path in FILES.items():
            import_file(node, path, source)
        yield node
