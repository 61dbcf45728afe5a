"""`corridor init` and the `corridor node` group: creating the node, its identity and keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor.cli.common import DataDir, Output, clear_errors, console, fail, opened
from corridor.config import DEFAULT_URL, resolve_data_dir
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
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
    created = _("Node created in %(dir)s") % {"dir": target}
    console.print(f"[green]{escape(created)}[/]", highlight=False)
    _print_fields(
        (
            (_("Node id"), node.id),
            (_("Fingerprint"), node.fingerprint),
            (_("Store"), node.db.dialect),
            (_("Administrator"), result.admin_email),
        ),
        indent="  ",
    )
    # Scripts find the password after "one-time password" (tests/network/nodeproc.py).
    once = escape(
        _("one-time password %(password)s (shown once; it must be changed at first sign-in)")
    )
    console.print(
        "  " + once % {"password": f"[bold]{escape(result.admin_password)}[/]"}, highlight=False
    )
    node.close()


def _print_fields(fields: tuple[tuple[str, str], ...], indent: str = "") -> None:
    """Label and value per line, the values aligned (labels are in the reader's language)."""
    width = max(len(label) for label, _value in fields)
    for label, value in fields:
        console.print(f"{indent}{label:{width}} {value}", highlight=False, markup=False)


@app.command("info")
@clear_errors
def node_info(data_dir: DataDir = None) -> None:
    """Show this node's identity."""
    with opened(data_dir) as node:
        c = node.config
        _print_fields(
            (
                (_("Node id"), node.id),
                (_("Fingerprint"), node.fingerprint),
                (_("Name"), c.name),
                (_("Organisation"), c.org),
                (_("Country"), c.country),
                (_("URL"), c.url),
                (_("Store"), node.db.dialect),
            )
        )


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
    told = _("fingerprint %(fingerprint)s: tell it to the peer by another channel")
    sys.stderr.write(told % {"fingerprint": fingerprint} + "\n")


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
        typer.confirm(_("Rotate this node's keys now?"), abort=True)
    with opened(data_dir) as node:
        try:  # a running server keeps the old key in memory: it must be stopped first
            running = httpx.get(f"{node.config.url}/healthz", timeout=2).json().get("node")
        except (httpx.HTTPError, ValueError):
            running = None
        if running == node.id:
            fail(
                _("the node is running at %(url)s: stop it, rotate, start it again")
                % {"url": node.config.url}
            )
        card = rotate(node, actor=CLI)
        peers = len(card["audience"]["nodes"])
        console.print(
            ngettext(
                "new key fingerprint %(fingerprint)s; card version %(version)s queued for "
                "%(n)d peer",
                "new key fingerprint %(fingerprint)s; card version %(version)s queued for "
                "%(n)d peers",
                peers,
            )
            % {"fingerprint": card["body"]["fingerprint"], "version": card["version"], "n": peers},
            highlight=False,
        )
