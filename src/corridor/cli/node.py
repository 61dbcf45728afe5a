"""`corridor init` and the `corridor node` group: creating the node, its identity and keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import DataDir, Output, clear_errors, console, fail, opened
from corridor.config import DEFAULT_URL, resolve_data_dir
from corridor.security.principal import CLI

app = typer.Typer(help="This node's identity.", no_args_is_help=True)


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


@app.command("info")
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


@app.command("card")
@clear_errors
def node_card(
    output: Output = Path("-"),
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


@app.command("rotate-key")
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
