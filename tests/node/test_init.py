from __future__ import annotations

import stat

import pytest

from corridor.config import load_config
from corridor.errors import Conflict, InvalidInput
from corridor.node.service import SchemaOutdated, init_node, open_node


def test_init_creates_a_private_node(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "pk"
    result = init_node(
        target,
        name="FIA",
        org="Federal Investigation Agency",
        country="PAK",
        url="https://corridor.fia.example/",
    )
    try:
        node = result.node
        assert node.config.country == "PK"
        assert node.config.url == "https://corridor.fia.example"
        assert len(node.id) == 26 and len(node.fingerprint.split()) == 10
        for f in (
            "keys/signing.key",
            "keys/exchange.key",
            "secret.key",
            "node.toml",
            "corridor.db",
        ):
            mode = stat.S_IMODE((target / f).stat().st_mode)
            assert mode & 0o077 == 0, f"{f} is readable by others ({oct(mode)})"
        assert len(result.admin_password) >= 12
    finally:
        result.node.close()
    reopened = open_node(target)
    assert reopened.id == result.node.id
    reopened.close()


def test_reinit_refuses_and_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "node"
    init_node(target, name="A", org="B", country="GR").node.close()
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    with pytest.raises(Conflict):
        init_node(target, name="Other", org="Other", country="TR")
    after = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert before == after
    assert load_config(target).name == "A"


def test_init_refuses_a_non_empty_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "stuff.txt").write_text("mine")
    with pytest.raises(Conflict):
        init_node(tmp_path, name="A", org="B", country="GR")
    assert [p.name for p in tmp_path.iterdir()] == ["stuff.txt"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"country": "XX"},
        {"country": "Greece"},
        {"name": " "},
        {"url": "ftp://x"},
        {"url": "http://host/?q=1"},
        {"database_url": "mysql://x"},
    ],
)
def test_init_rejects_bad_input_and_leaves_nothing(tmp_path, kwargs) -> None:  # type: ignore[no-untyped-def]
    args = {"name": "A", "org": "B", "country": "GR", **kwargs}
    with pytest.raises(InvalidInput):
        init_node(tmp_path / "n", **args)
    assert not (tmp_path / "n").exists()


def test_failed_init_cleans_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        init_node(tmp_path / "n", name="A", org="B", country="GR", admin_email="not-an-email")
    assert not (tmp_path / "n").exists()


def test_open_refuses_an_outdated_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    target = tmp_path / "n"
    init_node(target, name="A", org="B", country="GR").node.close()
    node = open_node(target)
    with node.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    node.close()
    with pytest.raises(SchemaOutdated) as exc:
        open_node(target)
    assert "corridor db upgrade" in exc.value.detail


def test_open_refuses_another_nodes_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a", tmp_path / "b"
    init_node(a, name="A", org="A", country="GR").node.close()
    init_node(b, name="B", org="B", country="TR").node.close()
    (a / "corridor.db").replace(tmp_path / "a.db")
    (b / "corridor.db").rename(a / "corridor.db")
    with pytest.raises(Conflict):
        open_node(a)
