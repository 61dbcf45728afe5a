"""`corridor unit`: units."""

from __future__ import annotations

import typer

from corridor.cli.common import DataDir, clear_errors, console, opened
from corridor.cli.common import table as make_table
from corridor.i18n import gettext as _
from corridor.security.principal import CLI

app = typer.Typer(help="Manage units.", no_args_is_help=True)


@app.command("add")
@clear_errors
def unit_add(name: str, description: str = "", data_dir: DataDir = None) -> None:
    """Add a unit."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        unit = security.create_unit(session, actor=CLI, name=name, description=description)
        console.print(
            _("unit %(name)s added, handle %(handle)s")
            % {"name": unit.name, "handle": unit.handle},
            highlight=False,
            markup=False,
        )


@app.command("list")
@clear_errors
def unit_list(data_dir: DataDir = None) -> None:
    """List units."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        table = make_table(_("Name"), _("Handle"), _("Description"))
        for u in security.list_units(session, actor=CLI):
            table.add_row(u.name, u.handle, u.description)
        console.print(table)
