"""`corridor group`: sharing groups owned by this node."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.common import DataDir, clear_errors, console, opened
from corridor.cli.common import table as make_table
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.security.principal import CLI

app = typer.Typer(help="Sharing groups owned by this node.", no_args_is_help=True)


@app.command("add")
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
    n = len(group["body"]["members"])
    console.print(
        ngettext(
            "group %(name)s %(id)s with %(n)d member",
            "group %(name)s %(id)s with %(n)d members",
            n,
        )
        % {"name": name, "id": group["id"], "n": n},
        highlight=False,
        markup=False,
    )


@app.command("list")
@clear_errors
def group_list(data_dir: DataDir = None) -> None:
    """List the sharing groups this node knows (own and received)."""
    from corridor.records.groups import list_groups

    with opened(data_dir) as node, node.db.transaction() as session:
        table = make_table(_("Id"), _("Name"), _("Owner"), _("Members"))
        for g in list_groups(session):
            body = g.envelope["body"]
            table.add_row(
                str(g.id),
                body["name"],
                _("this node") if g.origin == node.id else g.origin,
                ", ".join(body["members"]),
            )
        console.print(table)
