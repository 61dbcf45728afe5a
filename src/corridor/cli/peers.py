"""`corridor peer`: peering with other nodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corridor import clock, formats
from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
from corridor.i18n import gettext as _
from corridor.security.principal import CLI

app = typer.Typer(help="Peering with other nodes.", no_args_is_help=True)


@app.command("add")
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
        fail(_("give a card file or --url (with --fingerprint)"))
    if url is not None:
        if not fingerprint:
            fail(_("--url needs --fingerprint, as told by the peer's administrator"))
        text = peering.fetch_card(url, fingerprint or "")
    else:
        assert card_file is not None
        try:
            text = card_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(_("cannot read %(file)s: %(reason)s") % {"file": card_file, "reason": exc})
    with opened(data_dir) as node, node.db.transaction() as session:
        peer = peering.add_peer(
            session, actor=CLI, own_node_id=node.id, card_file=text, approve=approve
        )
        # A peer's state is the code `corridor peer approve|suspend` and the API use.
        console.print(
            _("peer %(name)s (%(country)s) %(node)s: %(state)s")
            % {
                "name": peer.name,
                "country": peer.country,
                "node": peer.node_id,
                "state": peer.state,
            },
            highlight=False,
            markup=False,
        )
        console.print(
            _("fingerprint %(fingerprint)s") % {"fingerprint": peer.fingerprint},
            highlight=False,
            markup=False,
        )
        if peer.state != "approved":
            console.print(
                _("compare the fingerprint with the peer's administrator, then run %(command)s")
                % {"command": f"`corridor peer approve {peer.node_id}`"},
                highlight=False,
                markup=False,
            )


def _peer_state(node_id: str, state: str, data_dir: Path | None) -> None:
    from corridor.federation import peers as peering

    with opened(data_dir) as node, node.db.transaction() as session:
        peer = peering.set_state(session, actor=CLI, node_id=node_id, state=state)
        console.print(
            _("peer %(name)s %(node)s: %(state)s")
            % {"name": peer.name, "node": peer.node_id, "state": peer.state},
            highlight=False,
            markup=False,
        )


@app.command("approve")
@clear_errors
def peer_approve(node_id: str, data_dir: DataDir = None) -> None:
    """Approve a peer after comparing its fingerprint out of band."""
    _peer_state(node_id, "approved", data_dir)


@app.command("suspend")
@clear_errors
def peer_suspend(node_id: str, data_dir: DataDir = None) -> None:
    """Stop all traffic with a peer (approve again to resume)."""
    _peer_state(node_id, "suspended", data_dir)


@app.command("list")
@clear_errors
def peer_list(
    as_json: AsJson = False,
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
    table = make_table(
        _("Node id"), _("Name"), _("Country"), _("State"), _("Last contact"), _("Last error")
    )
    for r in rows:
        table.add_row(
            r["node_id"],
            r["name"],
            r["country"],
            r["state"],
            formats.when(r["last_contact"]),
            r["last_error"] or "",
        )
    console.print(table)
