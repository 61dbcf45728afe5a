"""Creating and opening a node: data directory, keys, store, first administrator, node card."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from corridor import clock, countries
from corridor import db as dbm
from corridor import keys as keymod
from corridor.audit import service as audit
from corridor.config import (
    DEFAULT_URL,
    NodeConfig,
    is_initialised,
    load_config,
    sqlite_url,
    write_config,
)
from corridor.errors import Conflict, InvalidInput
from corridor.keys import NodeMeta
from corridor.modules import load_all
from corridor.records import service as records
from corridor.records.labels import Labels
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.security.roles import Role

SECRET_FILE = "secret.key"
# What happened to a node (this one created, a peer's audit log found forked), by its id.
audit_node = audit.About("node")
CARD_VALIDITY = timedelta(days=730)


@dataclass
class Node:
    config: NodeConfig
    keys: keymod.NodeKeys
    db: dbm.Database
    secret: bytes

    @property
    def id(self) -> str:
        return self.keys.node_id

    @property
    def fingerprint(self) -> str:
        return keymod.fingerprint(self.keys.signing_public)

    def close(self) -> None:
        self.db.dispose()


# Run when a node with a current store is opened, before it serves or works: a module puts
# right what a crash may have left half-done (federation: an interrupted key rotation).
OPEN_HOOKS: list[Callable[[Node], None]] = []


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise InvalidInput("the node URL takes no query or fragment")
    return url.rstrip("/")


@dataclass(frozen=True)
class InitResult:
    node: Node
    admin_email: str
    admin_password: str


def init_node(
    data_dir: Path,
    *,
    name: str,
    org: str,
    country: str,
    url: str = DEFAULT_URL,
    database_url: str | None = None,
    admin_email: str = "admin@localhost",
) -> InitResult:
    """Create a node. Refuses, changing nothing, when a node or other files are already there."""
    if is_initialised(data_dir):
        raise Conflict(f"{data_dir} already holds a node; nothing was changed")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise Conflict(f"{data_dir} is not empty; choose an empty or new directory")
    name, org = name.strip(), org.strip()
    if not name or not org or len(name) > 200 or len(org) > 200:
        raise InvalidInput("--name and --org are required (at most 200 characters)")
    cc = countries.normalise(country)
    url = check_url(url)
    if database_url and not dbm.normalise_url(database_url).startswith(
        ("sqlite", "postgresql+psycopg")
    ):
        raise InvalidInput("--database-url must be sqlite:/// or postgresql+psycopg://")
    load_all()

    created_dir = not data_dir.exists()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    store_url = database_url or sqlite_url(data_dir)
    database: dbm.Database | None = None
    try:
        keys = keymod.generate(data_dir / "keys")
        secret = secrets.token_bytes(32)
        fd = os.open(data_dir / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret)
        dbm.upgrade(store_url)
        if not database_url:
            (data_dir / "corridor.db").chmod(0o600)
        database = dbm.Database(store_url)
        password = security.generate_password()
        with database.transaction() as session:
            if session.scalar(select(NodeMeta).where(NodeMeta.key == "node_id")) is not None:
                raise Conflict("that database already belongs to a node; use an empty one")
            session.add(NodeMeta(key="node_id", value=keys.node_id))
            security.create_user(
                session,
                actor=SYSTEM,
                email=admin_email,
                role=Role.administrator,
                display_name="Administrator",
                password=password,
                must_change_password=True,
            )
            now = clock.now()
            records.create(
                session,
                keys,
                actor=SYSTEM,
                type="node.card",
                body={
                    "name": name,
                    "org": org,
                    "country": cc,
                    "url": url,
                    "signing_key": keymod.b64u(keys.signing_public),
                    "exchange_key": keymod.b64u(keys.exchange_public),
                    "fingerprint": keymod.fingerprint(keys.signing_public),
                    "valid_from": clock.iso(now),
                    "valid_until": clock.iso(now + CARD_VALIDITY),
                },
                labels=Labels(tlp="GREEN", purpose="cooperation"),
            )
            audit_node(session, SYSTEM, "node.init", keys.node_id, {"country": cc})
        write_config(data_dir, name=name, org=org, country=cc, url=url, database_url=database_url)
    except BaseException:
        if database is not None:
            database.dispose()
        _undo_init(data_dir, created_dir)
        raise
    config = load_config(data_dir)
    return InitResult(Node(config, keys, database, secret), admin_email, password)


def _undo_init(data_dir: Path, created_dir: bool) -> None:
    if created_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    for child in data_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


class SchemaOutdated(Conflict):
    title = "Database schema is not current"
    type_slug = "schema-outdated"


def open_node(data_dir: Path, *, check_schema: bool = True) -> Node:
    config = load_config(data_dir)
    load_all()
    keys = keymod.load(config.keys_dir)
    database = dbm.Database(config.database_url)
    if check_schema:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(
            dbm.alembic_config(config.database_url)
        ).get_current_head()
        current = dbm.current_revision(database)
        if current != head:
            database.dispose()
            raise SchemaOutdated(
                f"the store is at migration {current}, the code needs {head}: "
                f"run `corridor db upgrade --data-dir {data_dir}`"
            )
        with database.transaction() as session:
            owner = session.get(NodeMeta, "node_id")
        if owner is None or owner.value != keys.node_id:
            database.dispose()
            raise Conflict("the database belongs to another node than these keys")
    secret = (data_dir / SECRET_FILE).read_bytes()
    node = Node(config, keys, database, secret)
    if check_schema:
        for hook in OPEN_HOOKS:
            hook(node)
    return node
