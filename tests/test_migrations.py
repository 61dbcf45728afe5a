"""The Alembic history builds exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from corridor import db as dbm
from corridor.models import Base


def test_migrations_match_the_models(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": dbm.include_object}
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_store_is_at_head(node) -> None:  # type: ignore[no-untyped-def]
    head = ScriptDirectory.from_config(dbm.alembic_config(node.db.url)).get_current_head()
    assert dbm.current_revision(node.db) == head
    dbm.upgrade(node.db.url)  # idempotent
    assert dbm.current_revision(node.db) == head


def test_sqlite_runs_in_wal_mode(node) -> None:  # type: ignore[no-untyped-def]
    if node.db.dialect != "sqlite":
        return
    with node.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 16384


def test_0013_stores_statements_in_written_order_and_keeps_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    url = f"sqlite:///{tmp_path / 'store.db'}"
    dbm.upgrade(url, "0012")
    engine = dbm.make_engine(url)
    rows = [
        (
            f"e{i % 3}",
            f"s{i:02d}",
            "name",
            f"Name {i}",
            None,
            "import",
            "f" * 64,
            "p.csv",
            "AMBER",
            f"2026-11-{10 + i:02d} 10:00:00.000000",
            None,
        )
        for i in range(12)
    ]

    def table_sql() -> str:
        with engine.connect() as conn:
            return str(
                conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_schema WHERE name = 'statements'"
                ).scalar()
            )

    def stored() -> list[tuple[object, ...]]:
        with engine.connect() as conn:
            return sorted(
                tuple(r) for r in conn.exec_driver_sql("SELECT * FROM statements").fetchall()
            )

    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
    assert "WITHOUT ROWID" in table_sql()
    dbm.upgrade(url, "0013")
    assert "WITHOUT ROWID" not in table_sql()
    assert stored() == sorted(rows)
    with engine.begin() as conn:  # the key still refuses a second copy of a statement
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows[:2]
        )
    assert stored() == sorted(rows)
    command.downgrade(dbm.alembic_config(url), "0012")
    assert "WITHOUT ROWID" in table_sql()
    assert stored() == sorted(rows)
    engine.dispose()


def test_0015_adds_and_removes_the_nonce_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import inspect

    url = f"sqlite:///{tmp_path / 'store.db'}"
    dbm.upgrade(url, "0015")
    engine = dbm.make_engine(url)
    assert inspect(engine).get_pk_constraint("federation_nonces")["constrained_columns"] == [
        "origin",
        "nonce",
    ]
    engine.dispose()
    command.downgrade(dbm.alembic_config(url), "0014")
    engine = dbm.make_engine(url)
    assert "federation_nonces" not in inspect(engine).get_table_names()
    assert "record_sources" in inspect(engine).get_table_names()
    engine.dispose()
    command.downgrade(dbm.alembic_config(url), "0013")
    engine = dbm.make_engine(url)
    assert "record_sources" not in inspect(engine).get_table_names()
    engine.dispose()


def test_0016_adds_and_removes_the_checkpoint_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import inspect

    url = f"sqlite:///{tmp_path / 'store.db'}"
    dbm.upgrade(url, "0016")
    engine = dbm.make_engine(url)
    assert inspect(engine).get_pk_constraint("audit_checkpoints")["constrained_columns"] == [
        "record_id"
    ]
    indexes = {i["name"] for i in inspect(engine).get_indexes("audit_checkpoints")}
    assert {"ix_audit_checkpoints_origin_seq", "ix_audit_checkpoints_origin_signed_at"} <= indexes
    engine.dispose()
    command.downgrade(dbm.alembic_config(url), "0015")
    engine = dbm.make_engine(url)
    assert "audit_checkpoints" not in inspect(engine).get_table_names()
    assert "federation_nonces" in inspect(engine).get_table_names()
    engine.dispose()
