"""`corridor audit`: checking and exporting the audit log."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import DataDir, Output, clear_errors, console, opened
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
            console.print(f"audit log intact: {result.checked} entries checked")
        else:
            console.print(
                f"[bold red]audit log broken at entry {result.broken_seq}[/]: {result.reason} "
                f"({result.checked} entries verified before it)"
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
        console.print("no approved peer holds checkpoints of this log")
    for r in reports:
        who = f"{r.name} ({r.peer})"
        if not r.reachable:
            console.print(f"[yellow]{who}: not reachable[/] ({r.error[:200]})")
            continue
        invalid = f", {r.invalid} not signed by this node (ignored)" if r.invalid else ""
        if not r.mismatches:
            console.print(f"{who}: {r.checked} checkpoints match{invalid}")
            continue
        seqs = ", ".join(str(m.seq) for m in r.mismatches[:20])
        more = f" and {len(r.mismatches) - 20} more" if len(r.mismatches) > 20 else ""
        console.print(
            f"[bold red]{who}: {len(r.mismatches)} of {r.checked} checkpoints do not match "
            f"the local chain[/] (entries {seqs}{more}){invalid}: the log was rewritten"
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
