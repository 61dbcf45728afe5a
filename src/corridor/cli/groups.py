"""`corridor group`: sharing groups owned by this node."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.common import DataDir, clear_errors, console, opened
from corridor.cli.common import table as make_table
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
    console.print(
        f"group {name} {group['id']} with {len(group['body']['members'])} members", highlight=False
    )


@app.command("list")
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
