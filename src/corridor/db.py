"""The store: one SQLAlchemy model and one Alembic history for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, Uuid, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.expression import Executable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both databases (SQLite keeps naive text, PostgreSQL timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use corridor.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (below) instead of pysqlite's implicit one.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # Only a new, empty database takes it (before WAL mode and the first table): 16 KiB
            # pages cut the writing of an import by a tenth against the default 4 KiB
            # (bench/entities/bench_import.py); existing stores keep their page size.
            cur.execute("PRAGMA page_size=16384")
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a killed process loses no committed transaction.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front: a transaction that reads and then
            # writes (audit, sequences, job claims) can never fail on a stale snapshot.
            # Read-only transactions (Database.reading) run beside writers instead.
            if conn.get_execution_options().get("corridor_read_only"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Engine plus session factory. The request or job that opens a transaction owns it."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(corridor_read_only=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it does not take the write lock, so
        concurrent readers never queue behind writers. Writing in it is a bug (and fails)."""
        with self._readers.begin() as session:
            session.info["read_only"] = True
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def bulk_insert(
    session: Session, table: Any, rows: list[dict[str, Any]], *, ignore_conflicts: bool = False
) -> None:
    """Insert many rows in one driver call, skipping SQLAlchemy's per-row statement machinery
    (it costs more than the database on large imports). Values go through each column type's
    own bind processor, so they are stored exactly as the ORM would store them; a value that
    repeats across rows (the batch's timestamp) is processed once. With `ignore_conflicts`,
    rows whose key exists already are skipped."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    cols = list(rows[0])
    procs = []
    for name in cols:
        proc = table.c[name].type._cached_bind_processor(dialect)
        if proc is not None and isinstance(table.c[name].type, UTCDateTime):
            memo: dict[Any, Any] = {}

            def proc(value: Any, _p: Any = proc, _m: dict[Any, Any] = memo) -> Any:
                if value not in _m:
                    _m[value] = _p(value)
                return _m[value]

        procs.append(proc)
    names = ", ".join(cols)
    if dialect.name == "sqlite":
        marks = ", ".join("?" for _ in cols)
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        # Table and column names come from the model's metadata, never from input.
        sql = f"{verb} INTO {table.name} ({names}) VALUES ({marks})"
    else:
        marks = ", ".join("%s" for _ in cols)
        tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}){tail}"  # noqa: S608
    converted = [(i, p) for i, p in enumerate(procs) if p is not None]
    params = []
    for row in rows:
        values = [row[c] for c in cols]
        for i, p in converted:
            if values[i] is not None:
                values[i] = p(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


class RowInserter:
    """`INSERT INTO table (columns…)` for rows given as tuples in `columns` order, for hot paths
    that write one or a few rows many times a second (records, audit entries) and for bulk
    writers (an import's statements). Like `bulk_insert` (one driver call for all rows, each
    value through its column type's bind processor, so stored exactly as the ORM would store
    it), but the statement text and the processors are prepared once per dialect instead of on
    every call. With `ignore_conflicts`, rows whose key exists already are skipped."""

    def __init__(
        self, table: Any, columns: Sequence[str], *, ignore_conflicts: bool = False
    ) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.ignore_conflicts = ignore_conflicts
        self._plans: weakref.WeakKeyDictionary[Any, tuple[str, list[tuple[int, Any]]]] = (
            weakref.WeakKeyDictionary()
        )

    def _plan(self, dialect: Any) -> tuple[str, list[tuple[int, Any]]]:
        plan = self._plans.get(dialect)
        if plan is None:
            names = ", ".join(self.columns)
            sqlite = dialect.name == "sqlite"
            mark = "?" if sqlite else "%s"
            marks = ", ".join(mark for _ in self.columns)
            verb, tail = "INSERT", ""
            if self.ignore_conflicts and sqlite:
                verb = "INSERT OR IGNORE"
            elif self.ignore_conflicts:
                tail = " ON CONFLICT DO NOTHING"
            # Table and column names come from the model's metadata, never from input.
            sql = f"{verb} INTO {self.table.name} ({names}) VALUES ({marks}){tail}"
            procs = [
                (i, self.table.c[name].type._cached_bind_processor(dialect))
                for i, name in enumerate(self.columns)
            ]
            plan = (sql, [(i, p) for i, p in procs if p is not None])
            self._plans[dialect] = plan
        return plan

    def statement(self, dialect: Any) -> str:
        return self._plan(dialect)[0]

    def params(self, dialect: Any, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The rows' values in their stored form (through the columns' bind processors)."""
        converted = self._plan(dialect)[1]
        params = []
        for row in rows:
            values = list(row)
            for i, proc in converted:
                if values[i] is not None:
                    values[i] = proc(values[i])
            params.append(tuple(values))
        return params

    def __call__(self, session: Session, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        conn = session.connection()
        params = self.params(conn.dialect, rows)
        conn.exec_driver_sql(self.statement(conn.dialect), params if len(params) > 1 else params[0])

    def to_stored(self, session: Session, column: str) -> Callable[[Any], Any]:
        """The conversion `column`'s type applies when binding (identity where none), for
        callers of `stored` that convert a value shared by many rows once."""
        proc = self.table.c[column].type._cached_bind_processor(session.connection().dialect)
        return proc if proc is not None else _same

    def stored(self, session: Session, rows: list[tuple[Any, ...]]) -> None:
        """Rows whose values are in their stored form already (through `to_stored`): a bulk
        writer's rows without a conversion of every value."""
        if rows:
            conn = session.connection()
            conn.exec_driver_sql(self.statement(conn.dialect), rows)


def _same(value: Any) -> Any:
    return value


def insert_pairs(
    session: Session,
    parent: RowInserter,
    parent_rows: Sequence[Sequence[Any]],
    child: RowInserter,
    child_rows: Sequence[Sequence[Any]],
) -> None:
    """Insert rows of two tables, each child row referring to the parent row at the same index
    (a record and its first history entry). On PostgreSQL one statement per pair (a
    data-modifying WITH: half the round trips; the foreign key is checked at the end of the
    statement), elsewhere the parents, then the children."""
    if len(parent_rows) != len(child_rows):
        raise ValueError("insert_pairs needs one child row per parent row")
    if not parent_rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "postgresql":
        parent(session, parent_rows)
        child(session, child_rows)
        return
    sql = f"WITH parent AS ({parent.statement(dialect)}) {child.statement(dialect)}"
    pairs = [
        p + c
        for p, c in zip(
            parent.params(dialect, parent_rows), child.params(dialect, child_rows), strict=True
        )
    ]
    conn.exec_driver_sql(sql, pairs if len(pairs) > 1 else pairs[0])


_DRIVER_SQL: dict[tuple[str, str], str] = {}


def affected(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def driver_sql(session: Session, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Run one SQL statement written with `?` placeholders straight on the driver (no
    compilation), in the session's transaction; `?` becomes `%s` on PostgreSQL. For short,
    constant statements on hot paths; values must already be in their stored form."""
    conn = session.connection()
    name = conn.dialect.name
    text = _DRIVER_SQL.get((name, sql))
    if text is None:
        text = sql if name == "sqlite" else sql.replace("?", "%s")
        _DRIVER_SQL[(name, sql)] = text
    return conn.exec_driver_sql(text, params)


def transaction_state(
    key: str, *, save: Callable[[Session, Any], None], copy: Callable[[Any], Any]
) -> None:
    """Declare `session.info[key]` as state of the current database transaction (for example
    a row locked once and updated in memory, like the audit head): `save(session, state)`
    writes it before every commit, savepoints included; it is forgotten when the outermost
    transaction ends, and when a savepoint rolls back it goes back to what it was when the
    savepoint began (`copy(state)` is taken then). Call once per key, at import."""
    saved_key = f"{key}#savepoints"

    @event.listens_for(Session, "before_commit")
    def _save(session: Session) -> None:
        state = session.info.get(key)
        if state is not None:
            save(session, state)

    @event.listens_for(Session, "after_transaction_create")
    def _remember(session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            state = session.info.get(key)
            saved = session.info.setdefault(saved_key, {})
            saved[transaction] = None if state is None else copy(state)

    @event.listens_for(Session, "after_soft_rollback")
    def _restore(session: Session, previous: SessionTransaction) -> None:
        saved = session.info.get(saved_key) or {}
        boundary: SessionTransaction | None = previous
        while boundary is not None and boundary not in saved:
            boundary = boundary.parent
        state = saved.pop(boundary, None) if boundary is not None else None
        if state is None:
            session.info.pop(key, None)
        else:
            session.info[key] = state

    @event.listens_for(Session, "after_transaction_end")
    def _forget(session: Session, transaction: SessionTransaction) -> None:
        # A savepoint's copy stays until the outermost transaction ends: this event comes
        # before after_soft_rollback, which still needs it.
        if transaction.parent is None:
            session.info.pop(key, None)
            session.info.pop(saved_key, None)


# Created by migrations with database-specific SQL that the models cannot describe: the SQLite
# FTS5 search table (and its shadow tables) and PostgreSQL's full-text and trigram indexes.
DIALECT_SPECIFIC_TABLE_PREFIXES = ("entity_fts",)
DIALECT_SPECIFIC_INDEXES = frozenset({"ix_entity_index_keys_fts", "ix_entity_index_names_trgm"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: leave the dialect-specific search structures out of comparisons."""
    if type_ == "table" and name and name.startswith(DIALECT_SPECIFIC_TABLE_PREFIXES):
        return False
    return not (type_ == "index" and name in DIALECT_SPECIFIC_INDEXES)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
