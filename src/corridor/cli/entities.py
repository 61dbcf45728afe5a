"""`corridor import` and `corridor export`: a case's entities in and out as files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor.cli.common import DataDir, clear_errors, console, fail, opened
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.security.principal import CLI


@clear_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or FtM JSON lines file.")],
    case: Annotated[str, typer.Option("--case", help="Case id or reference.")],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            help="Mapping of columns to properties: a JSON file, or the name of a saved mapping. "
            "Without it a CSV/XLSX file is mapped by its column names (printed first).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Import a file into a case: bad rows are reported with their reason, good rows kept;
    importing the same file again changes nothing."""
    from rich.progress import Progress

    from corridor.entities.imports import columns as mapping_mod
    from corridor.entities.imports import runner
    from corridor.entities.imports import service as imports

    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(_("cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc})
    with opened(data_dir) as node:
        with node.db.transaction() as session:
            run = imports.upload(
                session, node, actor=CLI, case_ref=case, filename=file.name, content=content
            )
            run_id, fmt = run.id, run.format
        chosen = None
        if fmt != "ftm":
            if mapping and Path(mapping).is_file():
                chosen = json.loads(Path(mapping).read_text(encoding="utf-8"))
            elif mapping:
                with node.db.reading() as session:
                    chosen = imports.find_mapping(session, mapping)
            else:
                with node.db.reading() as session:
                    p = imports.preview(session, node, actor=CLI, run_id=run_id)
                chosen = p.suggested
                console.print(
                    _("No --mapping given; mapping by column names:"),
                    highlight=False,
                    markup=False,
                )
                console.print_json(json.dumps(chosen, ensure_ascii=False))
            mapping_mod.parse_mapping(chosen or {})
        with node.db.transaction() as session:
            imports.start(
                session, node, actor=CLI, run_id=run_id, mapping_data=chosen, background=False
            )
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(escape(_("importing %(file)s") % {"file": file.name}), total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            run = runner.run_import(node, run_id, progress)
    if run.state != "done":
        fail(_("import failed, nothing stored: %(error)s") % {"error": run.error})
    kept = sum(1 for err in run.errors if err.get("kept"))
    # One sentence in four parts, each counted in its own plural form, joined by commas.
    console.print(
        ", ".join(
            (
                ngettext("%(n)d row read", "%(n)d rows read", run.rows_done) % {"n": run.rows_done},
                ngettext("%(n)d entity stored", "%(n)d entities stored", run.entities)
                % {"n": run.entities},
                ngettext("%(n)d row refused", "%(n)d rows refused", run.rows_failed)
                % {"n": run.rows_failed},
                ngettext("%(n)d value kept as typed", "%(n)d values kept as typed", kept)
                % {"n": kept},
            )
        ),
        highlight=False,
        markup=False,
    )
    for err in run.errors[:50]:
        if err.get("column"):
            where = _("row %(row)s, column %(column)s") % {
                "row": err["row"],
                "column": err["column"],
            }
        else:
            where = _("row %(row)s") % {"row": err["row"]}
        console.print(f"  {where}: {err['reason']}", highlight=False, markup=False)
    if len(run.errors) > 50:
        more = _("… and %(n)d more (see the import in the UI)") % {"n": len(run.errors) - 50}
        console.print(f"  {more}", highlight=False, markup=False)


@clear_errors
def export_cmd(
    case: Annotated[str, typer.Option("--case", help="Case id or reference.")],
    fmt: Annotated[
        str, typer.Option("--format", help="ftm (JSON lines), csv, gexf or graphml.")
    ] = "ftm",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a case's entities (audited) for another tool or an air-gapped transfer."""
    from corridor.entities.analysis import service as analysis

    with opened(data_dir) as node, node.db.transaction() as session:
        _case, chunks = analysis.export_case(session, actor=CLI, case_ref=case, fmt=fmt)
        data = b"".join(chunks)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        console.print(
            ngettext("%(n)d byte written to %(file)s", "%(n)d bytes written to %(file)s", len(data))
            % {"n": len(data), "file": out},
            highlight=False,
            markup=False,
        )
