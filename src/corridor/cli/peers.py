"""`corridor peer`: peering with other nodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corridor import clock
from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
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
