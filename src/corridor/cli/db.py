"""`corridor db`: the database schema."""

from __future__ import annotations

import typer

from corridor.cli.common import DataDir, clear_errors, console, opened
from corridor.config import resolve_data_dir
from corridor.i18n import gettext as _

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
@clear_errors
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply database migrations (idempotent)."""
    from corridor import db
    from corridor.config import load_config

    cfg = load_config(resolve_data_dir(data_dir))
    db.upgrade(cfg.database_url)
    with opened(data_dir) as node:
        console.print(
            _("store at migration %(revision)s") % {"revision": db.current_revision(node.db)},
            highlight=False,
        )
