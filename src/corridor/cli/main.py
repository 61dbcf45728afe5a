"""`corridor` — run and administer a node. Each command group lives in its own module of this
package; here they are assembled, in the order `corridor --help` lists them."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor import __version__
from corridor.cli import (
    audit,
    bundles,
    db,
    demo,
    entities,
    groups,
    indicators,
    mrz,
    node,
    peers,
    serve,
    tokens,
    units,
    users,
)
from corridor.cli.common import console, use_cli_language

app = typer.Typer(
    help="corridor: a node of the practitioners' network against migrant smuggling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(node.init)
app.command()(serve.serve)
app.command(name="worker")(serve.worker_cmd)
app.command(name="import")(entities.import_cmd)
app.command(name="export")(entities.export_cmd)
app.command()(demo.demo)
app.add_typer(users.app, name="user")
app.add_typer(units.app, name="unit")
app.add_typer(tokens.app, name="token")
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db")
app.add_typer(node.app, name="node")
app.add_typer(peers.app, name="peer")
app.add_typer(bundles.app, name="bundle")
app.add_typer(groups.app, name="group")
app.add_typer(mrz.app, name="mrz")
app.add_typer(indicators.app, name="indicators")


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
    # Before any command runs (whether from `main()`, the `corridor` script, or a test's
    # runner): its messages in the operator's language ($CORRIDOR_LANG, else the POSIX locale).
    use_cli_language()


def main() -> None:
    app()
