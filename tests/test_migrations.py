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
