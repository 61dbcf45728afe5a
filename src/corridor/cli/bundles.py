"""`corridor bundle`: records carried as files (links down, air gaps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import DataDir, clear_errors, console, fail, opened
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.security.principal import CLI

app = typer.Typer(help="Records carried as files (links down, air gaps).", no_args_is_help=True)


@app.command("export")
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
    n = len(bundle["items"])
    console.print(
        ngettext(
            "%(n)d record version for %(peer)s written to %(file)s",
            "%(n)d record versions for %(peer)s written to %(file)s",
            n,
        )
        % {"n": n, "peer": to, "file": file},
        highlight=False,
        markup=False,
    )


@app.command("import")
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
        fail(_("cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc})
    with opened(data_dir) as node:
        counts = import_bundle(node, actor=CLI, data=data)
    # Each outcome by its code (stored, duplicate, …), as the bundle's audit entry names it.
    console.print(
        ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or _("empty bundle"),
        highlight=False,
        markup=False,
    )
