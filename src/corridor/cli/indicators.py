"""`corridor indicators`: the risk analysts' indicator store from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.i18n import gettext as _
from corridor.i18n import ngettext
from corridor.security.principal import CLI

app = typer.Typer(
    help="Indicators for risk analysis (Frontex, IOM, Eurostat, …).", no_args_is_help=True
)


@app.command("import")
@clear_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help="The file (CSV or XLSX) to import.")],
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="frontex-ibc, frontex-ibc-wide, iom-mmp, iom-mmp-2020, eurostat-asylum or csv.",
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="For --source csv: a JSON file naming the column of each field (indicator, "
            "period, value, route, country, nationality, …); without it, columns by those names.",
        ),
    ] = None,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="The dataset to import into.")
    ] = None,
    tlp: Annotated[
        str | None,
        typer.Option(
            "--tlp",
            help="The dataset's TLP (CLEAR, GREEN, AMBER, AMBER+STRICT): every figure shared "
            "from it carries it. A new dataset is CLEAR.",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help="Who reads the dataset here and what its shared figures may serve "
            "(risk-analysis, enforcement, protection, cooperation). A new dataset is "
            "risk-analysis.",
        ),
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Import a file of indicator figures: each row that cannot be read is listed with its
    reason and the others stored; importing the same file again changes nothing."""
    from corridor.risk import service

    if not file.is_file():
        fail(_("cannot read %(file)s: %(reason)s") % {"file": file, "reason": _("no such file")})
    spec = None
    if mapping is not None:
        try:
            spec = json.loads(mapping.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(
                _("cannot read the mapping %(file)s: %(reason)s") % {"file": mapping, "reason": exc}
            )
    with opened(data_dir) as node, node.db.transaction() as session:
        run = service.import_file(
            session,
            actor=CLI,
            path=file,
            source=source,
            mapping=spec,
            dataset=dataset,
            tlp=tlp,
            purpose=purpose,
        )
        stored, refused, errors, ds = run.rows_stored, run.rows_refused, run.errors, run.dataset
    if as_json:
        print(
            json.dumps(
                {"dataset": ds, "stored": stored, "refused": refused, "errors": errors},
                ensure_ascii=False,
            )
        )
        return
    console.print(
        ", ".join(
            (
                ngettext("%(num)d figure stored", "%(num)d figures stored", stored)
                % {"num": stored},
                ngettext("%(num)d row refused", "%(num)d rows refused", refused) % {"num": refused},
            )
        )
        + " "
        + _("(dataset %(dataset)s)") % {"dataset": ds},
        highlight=False,
        markup=False,
    )
    for err in errors[:50]:
        where = _("row %(row)s") % {"row": err["row"]}
        note = _(" (value set aside, row kept)") if err.get("kept") else ""
        console.print(f"  {where}: {err['error']}{note}", highlight=False, markup=False)
    if len(errors) > 50:
        more = _("… and %(n)d more") % {"n": len(errors) - 50}
        console.print(f"  {more}", highlight=False, markup=False)


@app.command("datasets")
@clear_errors
def datasets_cmd(data_dir: DataDir = None) -> None:
    """The datasets imported: figures, periods covered, source and licence."""
    from sqlalchemy import select

    from corridor.risk.models import Dataset

    with opened(data_dir) as node, node.db.reading() as session:
        for d in session.scalars(select(Dataset).order_by(Dataset.id)):
            cover = ", ".join(
                f"{name} {'-'.join(map(str, c['first'][:2]))}…{'-'.join(map(str, c['last'][:2]))}"
                for name, c in sorted((d.coverage or {}).items())
            )
            console.print(f"{d.id}\t{d.rows}\t{cover}\t{d.licence}", highlight=False, markup=False)
