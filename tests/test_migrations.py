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


def _typed_table(name: str, row: dict[str, object]):  # type: ignore[no-untyped-def]
    """A table clause for `row`, each column typed as its value (for inserting and reading
    rows the same way on both stores, whatever revision the store is at)."""
    import uuid as uuid_mod
    from datetime import datetime

    import sqlalchemy as sa

    def type_of(value: object) -> object:
        if isinstance(value, uuid_mod.UUID):
            return sa.Uuid()
        if isinstance(value, dict | list):
            return sa.JSON()
        if isinstance(value, datetime):
            return dbm.UTCDateTime(timezone=True)
        if isinstance(value, bool):
            return sa.Boolean()
        return sa.Integer() if isinstance(value, int) else sa.String()

    return sa.table(name, *(sa.column(k, type_of(v)) for k, v in row.items()))  # type: ignore[arg-type]


def test_0017_moves_the_label_columns_and_keeps_the_data(backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Messages, requests and replies take the `Labelled` columns: the nodes addressed move to
    `audience`, the TLP:RED recipients to `recipients`, version and time are filled from the
    records; a draft's `body` becomes `text`; the downgrade gives back the old columns and
    names with their data."""
    import uuid as uuid_mod
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from alembic import command

    from tests.conftest import pg_admin, pg_db_url

    dbname = None
    if backend == "postgresql":
        dbname = f"corridor_m17_{uuid_mod.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{dbname}"')
        url = pg_db_url(dbname)
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    a, b = "a" * 26, "b" * 26
    sent = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
    changed = datetime(2026, 11, 12, 8, 0, tzinfo=UTC)
    red = [f"user:lo@{b}"]
    msg, req, rep, draft = (uuid_mod.uuid4() for _ in range(4))
    labelled = {"origin": a, "author": "lo", "tlp": "RED", "purpose": "cooperation"}

    def record(rid: uuid_mod.UUID, type_: str, version: int) -> dict[str, object]:
        labels = {"tlp": "RED", "purpose": "cooperation", "recipients": red}
        ts = changed.isoformat().replace("+00:00", "Z")
        return {
            **labelled,
            "id": rid,
            "type": type_,
            "version": version,
            "seq": version,
            "state": "active",
            "envelope": {"id": str(rid), "version": version, "ts": ts, "labels": labels},
            "stored_at": sent,
        }

    rows = {
        "records": [record(msg, "message", 1), record(req, "rfa", 2), record(rep, "rfa.reply", 3)],
        "messages": [
            {
                **labelled,
                "id": msg,
                "thread_id": msg,
                "subject": "Boat leaving",
                "recipients": [b],
                "attachments": 1,
                "sent_at": sent,
                "revoked": False,
            }
        ],
        "rfa_requests": [
            {
                **labelled,
                "id": req,
                "subject": "Passports",
                "urgency": "normal",
                "deadline": changed,
                "sent_at": sent,
                "recipients": [b],
                "questions": 2,
                "label_recipients": red,
                "version": 2,
            }
        ],
        "rfa_replies": [
            {
                **labelled,
                "origin": b,
                "id": rep,
                "request_id": req,
                "kind": "accept",
                "partial": False,
                "sent_at": sent,
                "label_recipients": red,
            }
        ],
        "rfa_drafts": [
            {
                "id": draft,
                "author": "lo",
                "subject": "Half written",
                "payload": {"subject": "Half written", "body": "Who owns", "to": [b]},
                "created_at": sent,
                "updated_at": changed,
            }
        ],
    }

    def stored(table: str, row: dict[str, object]) -> dict[str, object]:
        t = _typed_table(table, row)
        with engine.connect() as conn:
            got = conn.execute(sa.select(t).where(t.c.id == row["id"])).one()
        return dict(got._mapping)

    try:
        dbm.upgrade(url, "0016")
        engine = dbm.make_engine(url)
        with engine.begin() as conn:
            for table, items in rows.items():
                conn.execute(_typed_table(table, items[0]).insert(), items)
        engine.dispose()

        dbm.upgrade(url, "0017")
        engine = dbm.make_engine(url)
        message = {**rows["messages"][0], "audience": [b], "recipients": red}
        message.update(version=1, updated_at=changed)
        assert stored("messages", message) == message
        request = {**rows["rfa_requests"][0], "audience": [b], "recipients": red}
        del request["label_recipients"]
        request["updated_at"] = changed
        assert stored("rfa_requests", request) == request
        reply = {**rows["rfa_replies"][0], "recipients": red, "version": 3, "updated_at": changed}
        del reply["label_recipients"]
        assert stored("rfa_replies", reply) == reply
        saved = {**rows["rfa_drafts"][0]}
        saved["payload"] = {"subject": "Half written", "text": "Who owns", "to": [b]}
        assert stored("rfa_drafts", saved) == saved
        engine.dispose()

        command.downgrade(dbm.alembic_config(url), "0016")
        engine = dbm.make_engine(url)
        for table in rows:
            assert stored(table, rows[table][0]) == rows[table][0]
        engine.dispose()
    finally:
        if dbname:
            pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def test_0018_adds_and_removes_the_dashboard_visits(backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two empty columns on users (the dashboard's memory of visits); the downgrade removes them
    and keeps the users."""
    import uuid as uuid_mod
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from alembic import command
    from sqlalchemy import inspect

    from tests.conftest import pg_admin, pg_db_url

    dbname = None
    if backend == "postgresql":
        dbname = f"corridor_m18_{uuid_mod.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{dbname}"')
        url = pg_db_url(dbname)
    else:
        url = f"sqlite:///{tmp_path / 'store.db'}"
    at = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
    user = {
        "id": uuid_mod.uuid4(),
        "email": "lo@test.example",
        "display_name": "Ayşe Demir",
        "handle": "u-lo",
        "role": "liaison_officer",
        "password_hash": "x",
        "must_change_password": False,
        "disabled": False,
        "failed_logins": 0,
        "totp_enabled": False,
        "created_at": at,
    }
    try:
        dbm.upgrade(url, "0017")
        engine = dbm.make_engine(url)
        with engine.begin() as conn:
            conn.execute(_typed_table("users", user).insert(), [user])
        engine.dispose()

        dbm.upgrade(url, "0018")
        engine = dbm.make_engine(url)
        columns = {c["name"]: c for c in inspect(engine).get_columns("users")}
        assert columns["dashboard_seen_at"]["nullable"] and columns["dashboard_since"]["nullable"]
        t = _typed_table("users", {**user, "dashboard_seen_at": at, "dashboard_since": at})
        with engine.connect() as conn:
            got = conn.execute(sa.select(t).where(t.c.id == user["id"])).one()._mapping
        assert dict(got) == {**user, "dashboard_seen_at": None, "dashboard_since": None}
        engine.dispose()

        command.downgrade(dbm.alembic_config(url), "0017")
        engine = dbm.make_engine(url)
        names = {c["name"] for c in inspect(engine).get_columns("users")}
        assert not names & {"dashboard_seen_at", "dashboard_since"}
        t = _typed_table("users", user)
        with engine.connect() as conn:
            assert dict(conn.execute(sa.select(t)).one()._mapping) == user
        engine.dispose()
    finally:
        if dbname:
            pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
