"""`corridor` — run and administer a node."""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor import __version__, clock
from corridor.cli.common import DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
from corridor.config import DEFAULT_URL, is_initialised, load_config, resolve_data_dir
from corridor.logs import setup_logging
from corridor.security.principal import CLI
from corridor.security.roles import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS

if TYPE_CHECKING:
    import httpx

    from corridor.node.service import Node

app = typer.Typer(
    help="corridor: a node of the practitioners' network against migrant smuggling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
unit_app = typer.Typer(help="Manage units.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="Check and export the audit log.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
node_app = typer.Typer(help="This node's identity.", no_args_is_help=True)
peer_app = typer.Typer(help="Peering with other nodes.", no_args_is_help=True)
bundle_app = typer.Typer(
    help="Records carried as files (links down, air gaps).", no_args_is_help=True
)
group_app = typer.Typer(help="Sharing groups owned by this node.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(unit_app, name="unit")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(node_app, name="node")
app.add_typer(peer_app, name="peer")
app.add_typer(bundle_app, name="bundle")
app.add_typer(group_app, name="group")


def _version(value: bool) -> None:
    if value:
        console.print(f"corridor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Every command takes --data-dir DIR (default: $CORRIDOR_HOME, else ./corridor-data)."""


# --- node lifecycle ----------------------------------------------------------------------


@app.command()
@clear_errors
def init(
    name: Annotated[str, typer.Option(help="Node name, e.g. 'FIA Anti-Human Smuggling Circle'.")],
    org: Annotated[str, typer.Option(help="Organisation running the node.")],
    country: Annotated[
        str,
        typer.Option(help="ISO 3166-1 country code (alpha-2 or alpha-3), or XK for Kosovo."),
    ],
    url: Annotated[
        str, typer.Option(help="Base URL peers will use to reach this node.")
    ] = DEFAULT_URL,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL URL (postgresql+psycopg://user@host/db); default: SQLite in data dir."
        ),
    ] = None,
    admin_email: Annotated[
        str, typer.Option(help="E-mail of the first administrator.")
    ] = "admin@localhost",
    data_dir: DataDir = None,
) -> None:
    """Create a node: keys, store, migrations, first administrator."""
    from corridor.node.service import init_node

    target = resolve_data_dir(data_dir)
    result = init_node(
        target,
        name=name,
        org=org,
        country=country,
        url=url,
        database_url=database_url,
        admin_email=admin_email,
    )
    node = result.node
    console.print(f"[green]Node created[/] in {target}")
    console.print(f"  node id      {node.id}")
    console.print(f"  fingerprint  {node.fingerprint}")
    console.print(f"  store        {node.db.dialect}")
    console.print(f"  administrator {result.admin_email}")
    console.print(
        f"  one-time password [bold]{result.admin_password}[/] "
        "(shown once; it must be changed at first sign-in)"
    )
    node.close()


def default_workers() -> int:
    """Web processes by default: one per CPU this process may use, at most 4 (each is one
    Python interpreter; more would mostly add memory and SQLite lock waits)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


@app.command()
@clear_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    worker: Annotated[bool, typer.Option(help="Run the job worker in this process.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Web processes (default: the usable CPUs, at most 4). With more than one, "
            "a supervisor process runs the job worker and restarts web processes that die; "
            "1 serves everything from this one process.",
            show_default=False,
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option(help="PEM certificate (chain) to serve HTTPS directly.")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the web UI and the API (and, by default, run the worker in-process)."""
    import uvicorn

    from corridor.cli.startup import check_port, check_store
    from corridor.jobs.worker import Worker
    from corridor.node.service import open_node
    from corridor.web.app import SERVE_DATA_DIR_ENV, create_app

    if (tls_cert is None) != (tls_key is None):
        fail("--tls-cert and --tls-key go together")
    for f in (tls_cert, tls_key):
        if f is not None and not f.is_file():
            fail(f"{f} is not a readable file")
    setup_logging()
    target = resolve_data_dir(data_dir)
    # Before anything binds or opens: a leftover process holding either is named at once.
    check_port(host, port)
    if is_initialised(target):
        check_store(load_config(target).database_url)
    node = open_node(target)
    processes = workers or default_workers()
    console.print(
        f"corridor node [bold]{node.config.name}[/] on {'https' if tls_cert else 'http'}://"
        f"{host}:{port}/ (login: /login; {processes} web process{'es' if processes > 1 else ''})",
        highlight=False,
    )
    options = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_config": None,
        "server_header": False,
        "proxy_headers": False,
        "timeout_graceful_shutdown": 3,  # open event streams must not hold a shutdown
        "ssl_certfile": str(tls_cert) if tls_cert else None,
        "ssl_keyfile": str(tls_key) if tls_key else None,
    }
    if processes == 1:
        uvicorn.run(create_app(node, run_worker=worker), **options)  # type: ignore[arg-type]
        return
    # uvicorn starts each web process afresh and calls the factory there; this process
    # supervises them and runs the one job worker (claims are safe with several, but one
    # worker per node keeps polling and lock waits down). It tells the web processes about
    # queued jobs and they tell it, through corridor.signals.
    os.environ[SERVE_DATA_DIR_ENV] = str(node.config.data_dir)
    job_worker = Worker(node) if worker else None
    thread = job_worker.start_thread() if job_worker is not None else None
    try:
        uvicorn.run(
            "corridor.web.app:web_process_app",
            factory=True,
            workers=processes,
            **options,  # type: ignore[arg-type]
        )
    finally:
        if job_worker is not None and thread is not None:
            job_worker.stop()
            thread.join(timeout=5)  # let a running job settle its state
        node.close()


@app.command(name="worker")
@clear_errors
def worker_cmd(
    once: Annotated[bool, typer.Option(help="Run what is due now, then exit.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Drain the job queue (a separate process in production; several are safe on PostgreSQL)."""
    from corridor.jobs.worker import Worker

    setup_logging()
    with opened(data_dir) as node:
        w = Worker(node)
        if once:
            console.print(f"{w.run_pending()} job(s) run")
            return
        try:
            w.run_forever()
        except KeyboardInterrupt:
            w.stop()


@db_app.command("upgrade")
@clear_errors
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply database migrations (idempotent)."""
    from corridor import db
    from corridor.config import load_config

    cfg = load_config(resolve_data_dir(data_dir))
    db.upgrade(cfg.database_url)
    with opened(data_dir) as node:
        console.print(f"store at migration {db.current_revision(node.db)}")


@node_app.command("info")
@clear_errors
def node_info(data_dir: DataDir = None) -> None:
    """Show this node's identity."""
    with opened(data_dir) as node:
        c = node.config
        for k, v in (
            ("id", node.id),
            ("fingerprint", node.fingerprint),
            ("name", c.name),
            ("org", c.org),
            ("country", c.country),
            ("url", c.url),
            ("store", node.db.dialect),
        ):
            console.print(f"{k:12} {v}", highlight=False)


@node_app.command("card")
@clear_errors
def node_card(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write ('-' = stdout).")
    ] = Path("-"),
    data_dir: DataDir = None,
) -> None:
    """Print this node's self-signed card, to give to a peer's administrator."""
    from corridor.federation.cards import own_card_chain

    with opened(data_dir) as node, node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
        fingerprint = node.fingerprint
    text = json.dumps(chain[0] if len(chain) == 1 else chain, indent=2, ensure_ascii=False)
    if str(output) == "-":
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    sys.stderr.write(f"fingerprint {fingerprint}: tell it to the peer by another channel\n")


@node_app.command("rotate-key")
@clear_errors
def node_rotate_key(
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Replace the node's keys; approved peers receive the new card (signed by the old key)."""
    import httpx

    from corridor.federation.rotation import rotate

    if not yes:
        typer.confirm("Rotate this node's keys now?", abort=True)
    with opened(data_dir) as node:
        try:  # a running server keeps the old key in memory: it must be stopped first
            running = httpx.get(f"{node.config.url}/healthz", timeout=2).json().get("node")
        except (httpx.HTTPError, ValueError):
            running = None
        if running == node.id:
            fail(f"the node is running at {node.config.url}: stop it, rotate, start it again")
        card = rotate(node, actor=CLI)
        console.print(
            f"new key fingerprint {card['body']['fingerprint']}; card version "
            f"{card['version']} queued for {len(card['audience']['nodes'])} peer(s)",
            highlight=False,
        )


# --- peers -------------------------------------------------------------------------------


@peer_app.command("add")
@clear_errors
def peer_add(
    card_file: Annotated[Path | None, typer.Argument(help="The peer's card file.")] = None,
    url: Annotated[str | None, typer.Option(help="Fetch the card from the peer's URL.")] = None,
    fingerprint: Annotated[
        str | None, typer.Option(help="With --url: the fingerprint the peer told you.")
    ] = None,
    approve: Annotated[bool, typer.Option(help="Approve at once (fingerprint checked).")] = False,
    data_dir: DataDir = None,
) -> None:
    """Import a peer's card (file, or --url with --fingerprint); approve now or later."""
    from corridor.federation import peers as peering

    if (card_file is None) == (url is None):
        fail("give a card file or --url (with --fingerprint)")
    if url is not None:
        if not fingerprint:
            fail("--url needs --fingerprint, as told by the peer's administrator")
        text = peering.fetch_card(url, fingerprint or "")
    else:
        assert card_file is not None
        try:
            text = card_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {card_file}: {exc}")
    with opened(data_dir) as node, node.db.transaction() as session:
        peer = peering.add_peer(
            session, actor=CLI, own_node_id=node.id, card_file=text, approve=approve
        )
        console.print(
            f"peer {peer.name} ({peer.country}) {peer.node_id}: {peer.state}", highlight=False
        )
        console.print(f"fingerprint {peer.fingerprint}", highlight=False)
        if peer.state != "approved":
            console.print(
                "compare the fingerprint with the peer's administrator, then run "
                f"`corridor peer approve {peer.node_id}`",
                highlight=False,
            )


def _peer_state(node_id: str, state: str, data_dir: Path | None) -> None:
    from corridor.federation import peers as peering

    with opened(data_dir) as node, node.db.transaction() as session:
        peer = peering.set_state(session, actor=CLI, node_id=node_id, state=state)
        console.print(f"peer {peer.name} {peer.node_id}: {peer.state}", highlight=False)


@peer_app.command("approve")
@clear_errors
def peer_approve(node_id: str, data_dir: DataDir = None) -> None:
    """Approve a peer after comparing its fingerprint out of band."""
    _peer_state(node_id, "approved", data_dir)


@peer_app.command("suspend")
@clear_errors
def peer_suspend(node_id: str, data_dir: DataDir = None) -> None:
    """Stop all traffic with a peer (approve again to resume)."""
    _peer_state(node_id, "suspended", data_dir)


@peer_app.command("list")
@clear_errors
def peer_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List peers and their state."""
    from corridor.federation import peers as peering

    with opened(data_dir) as node, node.db.transaction() as session:
        rows = [
            {
                "node_id": p.node_id,
                "name": p.name,
                "country": p.country,
                "url": p.url,
                "state": p.state,
                "fingerprint": p.fingerprint,
                "last_contact": clock.iso(p.last_contact_at) if p.last_contact_at else None,
                "last_error": p.last_error,
            }
            for p in peering.list_peers(session, actor=CLI)
        ]
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    table = make_table("node id", "name", "country", "state", "last contact", "last error")
    for r in rows:
        table.add_row(
            r["node_id"],
            r["name"],
            r["country"],
            r["state"],
            r["last_contact"] or "",
            r["last_error"] or "",
        )
    console.print(table)


# --- bundles and groups ------------------------------------------------------------------


@bundle_app.command("export")
@clear_errors
def bundle_export(
    file: Annotated[Path, typer.Argument(help="Bundle file to write.")],
    to: Annotated[str, typer.Option("--to", help="Node id of the peer it is for.")],
    data_dir: DataDir = None,
) -> None:
    """Write every record queued for a peer into a signed bundle file."""
    from corridor.federation.bundles import export_bundle

    with opened(data_dir) as node:
        bundle = export_bundle(node, actor=CLI, to=to)
    file.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    console.print(
        f"{len(bundle['items'])} record version(s) for {to} written to {file}", highlight=False
    )


@bundle_app.command("import")
@clear_errors
def bundle_import(
    file: Annotated[Path, typer.Argument(help="Bundle file from a peer.")],
    data_dir: DataDir = None,
) -> None:
    """Import a peer's bundle (checks its signature and every record; idempotent)."""
    from corridor.federation.bundles import import_bundle

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    with opened(data_dir) as node:
        counts = import_bundle(node, actor=CLI, data=data)
    console.print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "empty bundle")


@group_app.command("add")
@clear_errors
def group_add(
    name: str,
    member: Annotated[list[str], typer.Option(help="Member node id (repeatable).")],
    description: str = "",
    data_dir: DataDir = None,
) -> None:
    """Create a sharing group of peers (this node is always a member)."""
    from corridor.federation.groups import create_group

    with opened(data_dir) as node, node.db.transaction() as session:
        group = create_group(
            session, node.keys, actor=CLI, name=name, description=description, members=member
        )
    console.print(
        f"group {name} {group['id']} with {len(group['body']['members'])} members", highlight=False
    )


@group_app.command("list")
@clear_errors
def group_list(data_dir: DataDir = None) -> None:
    """List the sharing groups this node knows (own and received)."""
    from corridor.records.groups import list_groups

    with opened(data_dir) as node, node.db.transaction() as session:
        table = make_table("id", "name", "owner", "members")
        for g in list_groups(session):
            body = g.envelope["body"]
            table.add_row(
                str(g.id),
                body["name"],
                "this node" if g.origin == node.id else g.origin,
                ", ".join(body["members"]),
            )
        console.print(table)


# --- users, units, tokens ----------------------------------------------------------------


class RoleName(StrEnum):
    administrator = "administrator"
    analyst = "analyst"
    investigator = "investigator"
    liaison_officer = "liaison_officer"
    protection_officer = "protection_officer"
    viewer = "viewer"


@user_app.command("add")
@clear_errors
def user_add(
    email: str,
    role: Annotated[RoleName, typer.Option(help="Role of the new user.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    unit: Annotated[str | None, typer.Option(help="Unit name or handle.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (first line)."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a user. Without --password-stdin a one-time password is printed once."""
    from corridor.security import service as security

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("no password on standard input")
    one_time = password is None
    if password is None:
        password = security.generate_password()
    with opened(data_dir) as node, node.db.transaction() as session:
        unit_obj = security.find_unit(session, unit) if unit else None
        user = security.create_user(
            session,
            actor=CLI,
            email=email,
            role=role.value,
            password=password,
            display_name=name,
            unit=unit_obj,
            must_change_password=one_time,
        )
        console.print(
            f"user {user.email} ({user.role}) added, handle {user.handle}", highlight=False
        )
    if one_time:
        console.print(f"one-time password [bold]{password}[/] (shown once; change at sign-in)")


@user_app.command("list")
@clear_errors
def user_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List users."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        users = security.list_users(session, actor=CLI)
        if as_json:
            for u in users:
                print(
                    json.dumps(
                        {
                            "email": u.email,
                            "handle": u.handle,
                            "role": u.role,
                            "unit": u.unit.name if u.unit else None,
                            "disabled": u.disabled,
                            "totp": u.totp_enabled,
                        }
                    )
                )
            return
        table = make_table("e-mail", "name", "role", "unit", "2FA", "status", "handle")
        for u in users:
            table.add_row(
                u.email,
                u.display_name,
                u.role,
                u.unit.name if u.unit else "",
                "on" if u.totp_enabled else "off",
                "disabled" if u.disabled else "active",
                u.handle,
            )
        console.print(table)


def _set_disabled(email: str, data_dir: Path | None, disabled: bool) -> None:
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        security.update_user(session, actor=CLI, user=user, disabled=disabled)
        console.print(f"user {user.email} {'disabled' if disabled else 'enabled'}")


@user_app.command("disable")
@clear_errors
def user_disable(email: str, data_dir: DataDir = None) -> None:
    """Disable a user (ends their sessions; their tokens stop working)."""
    _set_disabled(email, data_dir, True)


@user_app.command("enable")
@clear_errors
def user_enable(email: str, data_dir: DataDir = None) -> None:
    """Enable a disabled user."""
    _set_disabled(email, data_dir, False)


@user_app.command("reset-password")
@clear_errors
def user_reset_password(email: str, data_dir: DataDir = None) -> None:
    """Print a new one-time password (also lifts a lockout)."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        password = security.reset_password(session, actor=CLI, user=user)
        console.print(f"one-time password for {user.email}: [bold]{password}[/] (shown once)")


@unit_app.command("add")
@clear_errors
def unit_add(name: str, description: str = "", data_dir: DataDir = None) -> None:
    """Add a unit."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        unit = security.create_unit(session, actor=CLI, name=name, description=description)
        console.print(f"unit {unit.name} added, handle {unit.handle}", highlight=False)


@unit_app.command("list")
@clear_errors
def unit_list(data_dir: DataDir = None) -> None:
    """List units."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        table = make_table("name", "handle", "description")
        for u in security.list_units(session, actor=CLI):
            table.add_row(u.name, u.handle, u.description)
        console.print(table)


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


@token_app.command("create")
@clear_errors
def token_create(
    email: str,
    scope: Annotated[
        list[Scope] | None, typer.Option(help="read, write, admin (repeatable).")
    ] = None,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_days: Annotated[
        int, typer.Option(help=f"Days until it expires (at most {TOKEN_MAX_DAYS}).")
    ] = TOKEN_DEFAULT_DAYS,
    data_dir: DataDir = None,
) -> None:
    """Create an API token for a user; the token is printed once."""
    from corridor.security import service as security

    if not 1 <= expires_days <= TOKEN_MAX_DAYS:
        fail(f"--expires-days must be between 1 and {TOKEN_MAX_DAYS}")
    expires = clock.now() + timedelta(days=expires_days)
    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        secret, tok = security.create_token(
            session,
            actor=CLI,
            user=user,
            name=name,
            scopes=[s.value for s in scope] if scope else ["read"],
            expires_at=expires,
        )
    print(secret)
    sys.stderr.write(f"token {tok.id} ({', '.join(tok.scopes)}) for {email}; shown once\n")


@token_app.command("list")
@clear_errors
def token_list(
    email: Annotated[str | None, typer.Argument()] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List API tokens (of one user, or all); never the secrets."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email) if email else None
        rows = [
            {
                "id": str(t.id),
                "user": t.user.email,
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes,
                "expires": clock.iso(t.expires_at) if t.expires_at else None,
                "state": "revoked" if t.revoked_at else "active",
            }
            for t in security.list_tokens(session, actor=CLI, user=user)
        ]
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return
    table = make_table("id", "user", "name", "prefix", "scopes", "expires", "state")
    for row in rows:
        table.add_row(*(",".join(v) if isinstance(v, list) else str(v or "") for v in row.values()))
    console.print(table)


@token_app.command("revoke")
@clear_errors
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke an API token by id."""
    from corridor.security import service as security

    try:
        tid = uuid.UUID(token_id)
    except ValueError:
        fail(f"{token_id!r} is not a token id")
    with opened(data_dir) as node, node.db.transaction() as session:
        security.revoke_token(session, actor=CLI, token_id=tid)
    console.print(f"token {token_id} revoked")


# --- audit -------------------------------------------------------------------------------


@audit_app.command("verify")
@clear_errors
def audit_verify(
    peers: Annotated[
        bool,
        typer.Option(
            "--peers",
            help="Also check the chain against the checkpoints of it that peers hold.",
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Check the hash chain; exits 1 and names the first broken entry if any. With --peers,
    also asks each approved peer for the audit heads this node signed for it and exits 1 if
    any no longer matches the local chain (a rewritten log)."""
    from corridor.audit import service as audit

    with opened(data_dir) as node:
        with node.db.transaction() as session:
            result = audit.verify(session)
        if result.ok:
            console.print(f"audit log intact: {result.checked} entries checked")
        else:
            console.print(
                f"[bold red]audit log broken at entry {result.broken_seq}[/]: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        witnessed = _audit_verify_peers(node) if peers else True
    if not (result.ok and witnessed):
        raise typer.Exit(1)


def _audit_verify_peers(node: Node, http: httpx.Client | None = None) -> bool:
    """Print one line per peer; False when a checkpoint contradicts the local chain."""
    from corridor.audit import checkpoints
    from corridor.federation import transport

    if http is None:
        with transport.client() as client:
            reports = checkpoints.verify_with_peers(node, http=client)
    else:
        reports = checkpoints.verify_with_peers(node, http=http)
    if not reports:
        console.print("no approved peer holds checkpoints of this log")
    for r in reports:
        who = f"{r.name} ({r.peer})"
        if not r.reachable:
            console.print(f"[yellow]{who}: not reachable[/] ({r.error[:200]})")
            continue
        invalid = f", {r.invalid} not signed by this node (ignored)" if r.invalid else ""
        if not r.mismatches:
            console.print(f"{who}: {r.checked} checkpoints match{invalid}")
            continue
        seqs = ", ".join(str(m.seq) for m in r.mismatches[:20])
        more = f" and {len(r.mismatches) - 20} more" if len(r.mismatches) > 20 else ""
        console.print(
            f"[bold red]{who}: {len(r.mismatches)} of {r.checked} checkpoints do not match "
            f"the local chain[/] (entries {seqs}{more}){invalid}: the log was rewritten"
        )
    return not any(r.mismatches for r in reports)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@audit_app.command("export")
@clear_errors
def audit_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write ('-' = stdout).")
    ] = Path("-"),
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.jsonl,
    data_dir: DataDir = None,
) -> None:
    """Export the whole audit log (JSON lines or CSV), with each entry's hash."""
    import csv

    from corridor.audit import service as audit

    with opened(data_dir) as node:
        with node.db.transaction() as session:
            audit.append(session, actor=CLI, action="audit.export", detail={"format": fmt.value})
        out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8", newline="")
        try:
            with node.db.sessions() as session:
                writer = None
                for row in audit.iter_export(session, audit.AuditFilter()):
                    if fmt is ExportFormat.jsonl:
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
                        continue
                    if writer is None:
                        writer = csv.DictWriter(out, fieldnames=list(row))
                        writer.writeheader()
                    writer.writerow(
                        {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                    )
        finally:
            if out is not sys.stdout:
                out.close()


# --- entities: import and export -----------------------------------------------------------


@app.command(name="import")
@clear_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or FtM JSON lines file.")],
    case: Annotated[str, typer.Option("--case", help="Case id or reference.")],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            help="Mapping of columns to properties: a JSON file, or the name of a saved mapping. "
            "Without it a CSV/XLSX file is mapped by its column names (printed first).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Import a file into a case: bad rows are reported with their reason, good rows kept;
    importing the same file again changes nothing."""
    from rich.progress import Progress

    from corridor.entities import imports
    from corridor.entities import mapping as mapping_mod

    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    with opened(data_dir) as node:
        with node.db.transaction() as session:
            run = imports.upload(
                session, node, actor=CLI, case_ref=case, filename=file.name, content=content
            )
            run_id, fmt = run.id, run.format
        chosen = None
        if fmt != "ftm":
            if mapping and Path(mapping).is_file():
                chosen = json.loads(Path(mapping).read_text(encoding="utf-8"))
            elif mapping:
                with node.db.reading() as session:
                    chosen = imports.find_mapping(session, mapping)
            else:
                with node.db.reading() as session:
                    p = imports.preview(session, node, actor=CLI, run_id=run_id)
                chosen = p.suggested
                console.print("No --mapping given; mapping by column names:", highlight=False)
                console.print_json(json.dumps(chosen, ensure_ascii=False))
            mapping_mod.parse_mapping(chosen or {})
        with node.db.transaction() as session:
            imports.start(
                session, node, actor=CLI, run_id=run_id, mapping_data=chosen, background=False
            )
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = imports.run_import(node, run_id, progress)
    if run.state != "done":
        fail(f"import failed, nothing stored: {run.error}")
    console.print(
        f"{run.rows_done} row(s) read, {run.entities} entit(y/ies) stored, "
        f"{run.rows_failed} row(s) refused",
        highlight=False,
    )
    for err in run.errors[:50]:
        where = f"row {err['row']}" + (f", column {err['column']}" if err.get("column") else "")
        console.print(f"  {where}: {err['reason']}", highlight=False)
    if len(run.errors) > 50:
        console.print(f"  … and {len(run.errors) - 50} more (see the import in the UI)")


@app.command(name="export")
@clear_errors
def export_cmd(
    case: Annotated[str, typer.Option("--case", help="Case id or reference.")],
    fmt: Annotated[
        str, typer.Option("--format", help="ftm (JSON lines), csv, gexf or graphml.")
    ] = "ftm",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a case's entities (audited) for another tool or an air-gapped transfer."""
    from corridor.entities import analysis

    with opened(data_dir) as node, node.db.transaction() as session:
        _case, chunks = analysis.export_case(session, actor=CLI, case_ref=case, fmt=fmt)
        data = b"".join(chunks)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        console.print(f"{len(data)} bytes written to {out}", highlight=False)


# --- demo --------------------------------------------------------------------------------


@app.command()
@clear_errors
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo nodes live.")] = Path(
        "corridor-demo"
    ),
    nodes: Annotated[
        int, typer.Option(help="How many agencies' nodes to start (peered).", min=1, max=5)
    ] = 3,
    port: Annotated[int, typer.Option(help="Port of the first node; the next ones follow.")] = 8080,
    reset: Annotated[bool, typer.Option(help="Delete the demo data and seed it anew.")] = False,
) -> None:
    """Start demo nodes with synthetic seed data and print their URLs and logins."""
    from corridor.demo import run_demo

    run_demo(directory.resolve(), nodes=nodes, port=port, reset=reset)


def main() -> None:
    app()
