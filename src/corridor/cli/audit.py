"""`corridor audit`: checking and exporting the audit log."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from corridor.cli.common import DataDir, Output, clear_errors, console, opened
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.security.principal import CLI

if TYPE_CHECKING:
    import httpx

    from corridor.node.service import Node

app = typer.Typer(help="Check and export the audit log.", no_args_is_help=True)


@app.command("verify")
@clear_errors
def audit_verify(
    peers: Annotated[
        bool,
        typer.Option(
            "--peers",
            help="Also check the chain against the checkpoints of it that peers hold.",
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Check the hash chain; exits 1 and names the first broken entry if any. With --peers,
    also asks each approved peer for the audit heads this node signed for it and exits 1 if
    any no longer matches the local chain (a rewritten log)."""
    from corridor.audit import service as audit

    with opened(data_dir) as node:
        with node.db.transaction() as session:
            result = audit.verify(session)
        if result.ok:
            console.print(
                ngettext(
                    "audit log intact: %(n)d entry checked",
                    "audit log intact: %(n)d entries checked",
                    result.checked,
                )
                % {"n": result.checked},
                highlight=False,
            )
        else:
            broken = _("audit log broken at entry %(seq)s") % {"seq": result.broken_seq}
            before = ngettext(
                "%(n)d entry verified before it",
                "%(n)d entries verified before it",
                result.checked,
            ) % {"n": result.checked}
            console.print(
                f"[bold red]{escape(broken)}[/]: {escape(str(result.reason))} ({escape(before)})",
                highlight=False,
            )
        witnessed = _audit_verify_peers(node) if peers else True
    if not (result.ok and witnessed):
        raise typer.Exit(1)


def _audit_verify_peers(node: Node, http: httpx.Client | None = None) -> bool:
    """Print one line per peer; False when a checkpoint contradicts the local chain."""
    from corridor.federation import checkpoints, transport

    if http is None:
        with transport.client() as client:
            reports = checkpoints.verify_with_peers(node, http=client)
    else:
        reports = checkpoints.verify_with_peers(node, http=http)
    if not reports:
        console.print(_("no approved peer holds checkpoints of this log"), highlight=False)
    for r in reports:
        who = f"{r.name} ({r.peer})"
        if not r.reachable:
            unreachable = _("%(peer)s: not reachable") % {"peer": who}
            console.print(
                f"[yellow]{escape(unreachable)}[/] ({escape(r.error[:200])})", highlight=False
            )
            continue
        invalid = (
            ", "
            + ngettext(
                "%(n)d not signed by this node (ignored)",
                "%(n)d not signed by this node (ignored)",
                r.invalid,
            )
            % {"n": r.invalid}
            if r.invalid
            else ""
        )
        if not r.mismatches:
            # English keeps its plural for one (scripts and tests read "1 checkpoints match").
            match = ngettext(
                "%(peer)s: %(n)d checkpoints match",
                "%(peer)s: %(n)d checkpoints match",
                r.checked,
            ) % {"peer": who, "n": r.checked}
            console.print(escape(match + invalid), highlight=False)
            continue
        seqs = ", ".join(str(m.seq) for m in r.mismatches[:20])
        if len(r.mismatches) > 20:
            seqs = _("%(entries)s and %(n)d more") % {
                "entries": seqs,
                "n": len(r.mismatches) - 20,
            }
        mismatch = ngettext(
            "%(peer)s: %(n)d of %(checked)d checkpoints do not match the local chain",
            "%(peer)s: %(n)d of %(checked)d checkpoints do not match the local chain",
            len(r.mismatches),
        ) % {"peer": who, "n": len(r.mismatches), "checked": r.checked}
        entries = _("entries %(seqs)s") % {"seqs": seqs}
        rewritten = _("the log was rewritten")
        console.print(
            f"[bold red]{escape(mismatch)}[/] ({escape(entries)}){escape(invalid)}: "
            f"{escape(rewritten)}",
            highlight=False,
        )
    return not any(r.mismatches for r in reports)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command("export")
@clear_errors
def audit_export(
    output: Output = Path("-"),
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.jsonl,
    data_dir: DataDir = None,
) -> None:
    """Export the whole audit log (JSON lines or CSV), with each entry's hash."""
    import csv

    from corridor.audit import service as audit

    with opened(data_dir) as node:
        with node.db.transaction() as session:
            audit.append(session, actor=CLI, action="audit.export", detail={"format": fmt.value})
        out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8", newline="")
        try:
            with node.db.sessions() as session:
                writer = None
                for row in audit.iter_export(session, audit.AuditFilter()):
                    if fmt is ExportFormat.jsonl:
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
                        continue
                    if writer is None:
                        writer = csv.DictWriter(out, fieldnames=list(row))
                        writer.writeheader()
                    writer.writerow(
                        {k: json.dumps(v) if isinstance(v, dict) else v for k, v in row.items()}
                    )
        finally:
            if out is not sys.stdout:
                out.close()
