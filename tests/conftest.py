"""Shared fixtures: a fresh node per test on SQLite and on PostgreSQL (when it answers).

Migrations and `corridor init` run once per backend and test worker (a template); each test
then gets a copy: the data directory is copied, and on PostgreSQL the database is cloned from
the template database."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from corridor import clock
from corridor.federation.cards import own_card_chain
from corridor.federation.peers import add_peer
from corridor.node.service import Node, init_node, open_node
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM
from corridor.security.roles import TOKEN_MAX_DAYS
from corridor.web.app import create_app

# Argon2 at full cost makes every user creation ~50 ms; tests use a cheap setting.
passwords.configure(time_cost=1, memory_cost=1024)

# The collector's own pace (a young collection every 700 allocations) spent a third of the
# suite's time walking what the tests keep for the whole run (modules, templates, the name
# caches, session fixtures). Young collections are rarer here, and after each test, once its
# fixtures are gone, what is left is collected and then frozen out of the collector: later
# collections walk only what later tests make. Frozen objects are never freed, so this runs
# only when no test holds anything (`pytest_runtest_logfinish`, after pytest dropped the
# test's fixture values); what a module- or session-scoped fixture held stays until the end.
# Measured on 439 tests of entities and cooperation: 139 s instead of 170 s, the process at
# 0.7 GB (freezing at each app's start instead kept every test's node: 7 GB per worker).
gc.set_threshold(20_000, 20, 10)


@pytest.hookimpl(trylast=True)
def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    gc.collect()
    gc.freeze()


# The CLI speaks the operator's language ($CORRIDOR_LANG, else the POSIX locale): the suite reads
# its English whatever the machine's locale, in process and in the `corridor` processes it starts.
os.environ["CORRIDOR_LANG"] = "en"

PG_URL = os.environ.get(
    "CORRIDOR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery staple"


def _pg_conninfo(url: str, dbname: str | None = None) -> str:
    url = url.replace("postgresql+psycopg://", "postgresql://")
    if dbname:
        url = re.sub(r"/[^/?]*(\?|$)", f"/{dbname}\\1", url.split("://", 1)[1], count=1)
        url = "postgresql://" + url
    return url


def pg_available() -> bool:
    try:
        with psycopg.connect(_pg_conninfo(PG_URL), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def pg_admin(sql: str) -> None:
    with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(sql)


def pg_db_url(dbname: str) -> str:
    return _pg_conninfo(PG_URL, dbname).replace("postgresql://", "postgresql+psycopg://", 1)


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not pg_available():
        if os.environ.get("CI") or os.environ.get("CORRIDOR_TEST_DATABASE_URL"):
            pytest.fail("PostgreSQL is required here but does not answer at " + PG_URL)
        pytest.skip("PostgreSQL does not answer; SQLite only")
    return request.param


@dataclass
class Template:
    backend: str
    data_dir: Path
    dbname: str | None
    admin_password: str


def _rewrite_db(data_dir: Path, url: str) -> None:
    cfg = data_dir / "node.toml"
    lines = [ln for ln in cfg.read_text().splitlines() if not ln.startswith("database_url")]
    lines.append(f'database_url = "{url}"')
    cfg.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    data_dir = tmp_path_factory.mktemp(f"template-{backend}") / "node"
    dbname = None
    url = None
    if backend == "postgresql":
        dbname = f"corridor_tmpl_{uuid.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{dbname}"')
        url = pg_db_url(dbname)
    result = init_node(
        data_dir, name="Test node", org="Test agency", country="PK", database_url=url
    )
    result.node.close()
    yield Template(backend, data_dir, dbname, result.admin_password)
    if dbname:
        pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@contextmanager
def node_copy(template: Template, data_dir: Path) -> Iterator[Node]:
    """A node of its own made from the template (its files at `data_dir`, on PostgreSQL a
    database copied from the template's), closed and dropped at the end."""
    shutil.copytree(template.data_dir, data_dir)
    dbname = None
    if template.dbname:
        dbname = f"corridor_t_{uuid.uuid4().hex[:12]}"
        pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{template.dbname}"')
        _rewrite_db(data_dir, pg_db_url(dbname))
    n = open_node(data_dir)
    try:
        yield n
    finally:
        n.close()
        if dbname:
            pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def node(template: Template, tmp_path: Path) -> Iterator[Node]:
    with node_copy(template, tmp_path / "node") as n:
        yield n


@pytest.fixture
def make_user(node: Node):  # type: ignore[no-untyped-def]
    """make_user(role, email=None, unit=None) -> principal; password is PASSWORD."""
    counter = iter(range(1, 10_000))

    def make(role: str, email: str | None = None, unit: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
        email = email or f"{role}{next(counter)}@test.example"
        with node.db.transaction() as session:
            unit_obj = None
            if unit:
                try:
                    unit_obj = security.find_unit(session, unit)
                except Exception:
                    unit_obj = security.create_unit(session, actor=SYSTEM, name=unit)
            user = security.create_user(
                session,
                actor=SYSTEM,
                email=email,
                role=role,
                password=PASSWORD,
                unit=unit_obj,
                **kw,
            )  # type: ignore[arg-type]
            return security.principal_for(user, kind="session")

    return make


@pytest.fixture
def shift_clock():  # type: ignore[no-untyped-def]
    """shift_clock(timedelta) moves the node's clock forward; restored after the test."""
    from datetime import UTC, datetime, timedelta

    from corridor import clock

    offset = [timedelta(0)]
    clock.set_clock(lambda: datetime.now(UTC) + offset[0])

    def shift(delta: timedelta) -> None:
        offset[0] += delta

    yield shift
    clock.set_clock(None)


@pytest.fixture
def client(node) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(node), base_url="http://127.0.0.1:8080") as c:
        yield c


@pytest.fixture
def token_for(node, make_user):  # type: ignore[no-untyped-def]
    """token_for(role, scopes=("read",)) -> bearer headers for a new user of that role."""

    def make(role: str, scopes: tuple[str, ...] = ("read",), email: str | None = None):  # type: ignore[no-untyped-def]
        p = make_user(role, email=email)
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            secret, _ = security.create_token(
                session,
                actor=p if role == "administrator" else _system(),
                user=user,
                scopes=list(scopes),
                # The longest life a token may have: tests move the clock by months.
                expires_at=clock.now() + timedelta(days=TOKEN_MAX_DAYS),
            )
        return {"Authorization": f"Bearer {secret}"}

    return make


def _system():  # type: ignore[no-untyped-def]
    from corridor.security.principal import SYSTEM

    return SYSTEM


@pytest.fixture
def other_node(tmp_path) -> Iterator[Node]:  # type: ignore[no-untyped-def]
    result = init_node(
        tmp_path / "other",
        name="Jandarma Van",
        org="Gendarmerie",
        country="TR",
        url="http://127.0.0.1:9002",
    )
    yield result.node
    result.node.close()


def card_text(node: Node) -> str:
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    return json.dumps(chain[0] if len(chain) == 1 else chain)


def peer_all(*nodes: Node) -> None:
    """Every two of the nodes peered mutually (each imports and approves the other's card)."""
    for here in nodes:
        for there in nodes:
            if here is not there:
                with here.db.transaction() as session:
                    add_peer(
                        session,
                        actor=CLI,
                        own_node_id=here.id,
                        card_file=card_text(there),
                        approve=True,
                    )


@pytest.fixture
def pair(node, other_node):  # type: ignore[no-untyped-def]
    """Two nodes that peered mutually; returns (a, b, http_to_a, http_to_b)."""
    peer_all(node, other_node)
    with TestClient(create_app(node)) as to_a, TestClient(create_app(other_node)) as to_b:
        yield node, other_node, to_a, to_b


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `--dist loadgroup` honour `xdist_group` under pytest >= 9.

    pytest-xdist (3.8) marks a grouped test by assigning `item._nodeid = "<id>@<group>"`;
    since pytest 9 `item.nodeid` derives from `item._id`, so the suffix is lost and every test
    is scheduled on its own: a module-scoped federation would be built on both workers and
    its tests would interleave with other modules' (tearing it down and up again)."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: xdist's own assignment works
        return
    for item in items:
        grouped = getattr(item, "_nodeid", None)
        if isinstance(grouped, str) and "@" in grouped and "@" not in item.nodeid:
            item._id = NodeId.parse(grouped)  # type: ignore[attr-defined]
