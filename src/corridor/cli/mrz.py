"""`corridor mrz`: machine-readable zones of travel documents, checked on this machine.

A check needs no node: it reads lines and answers, and stores nothing (the API and the page,
which serve people of the node, audit each check)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import AsJson, console, fail, in_english
from corridor.i18n import gettext as _
from corridor.i18n import ngettext

app = typer.Typer(help="Machine-readable zones (MRZ) of travel documents.", no_args_is_help=True)


@app.command("check")
def mrz_check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A file of MRZs, one after the other (blank lines between them are optional); "
            "none or '-': standard input.",
            show_default=False,
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Check MRZs (ICAO Doc 9303: TD1, TD2, TD3, MRV-A, MRV-B): per MRZ its format, whether it
    is valid and expired, each failed check, warnings and suggested corrections. Exits 1 when
    any MRZ is not valid."""
    from corridor.documents.mrz.parser import NotAnMrz
    from corridor.documents.mrz.service import check_lines, split_text

    if file is None or str(file) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = file.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            fail(
                _("cannot read %(file)s: %(reason)s")
                % {"file": file, "reason": exc.strerror or exc}
            )
    groups = split_text(text)
    if not groups:
        fail(_("no MRZ found: give two or three lines per MRZ"))
    invalid = 0
    for n, lines in enumerate(groups, 1):
        try:
            checked = check_lines(lines)
        except NotAnMrz as exc:
            invalid += 1
            if as_json:
                print(json.dumps({"mrz": n, "error": exc.detail, "lines": lines}))
            else:
                console.print(
                    _("MRZ %(n)d: not an MRZ: %(reason)s") % {"n": n, "reason": exc.detail},
                    highlight=False,
                    markup=False,
                )
            continue
        mrz = checked.mrz
        invalid += not mrz.valid
        if as_json:  # what scripts read: the same in every language (the API's English)
            answer = in_english(checked.to_dict)
            print(json.dumps({"mrz": n, **answer}, ensure_ascii=False))
            continue
        # The format and each check's name are codes (Doc 9303's, the API's), not words.
        said = {"n": n, "format": mrz.format}
        if mrz.valid:
            state = (
                _("MRZ %(n)d: %(format)s valid, expired")
                if mrz.expired
                else _("MRZ %(n)d: %(format)s valid")
            )
        else:
            state = (
                _("MRZ %(n)d: %(format)s INVALID, expired")
                if mrz.expired
                else _("MRZ %(n)d: %(format)s INVALID")
            )
        console.print(state % said, highlight=False, markup=False)
        for c in mrz.failed:
            failed = _("failed %(check)s: %(detail)s") % {"check": c.name, "detail": c.detail}
            console.print(f"  {failed}", highlight=False, markup=False)
        for w in mrz.warnings:
            warning = _("warning %(check)s: %(detail)s") % {"check": w.name, "detail": w.detail}
            console.print(f"  {warning}", highlight=False, markup=False)
        for s in checked.suggestions:
            suggestion = _("suggestion: %(detail)s") % {"detail": s.detail}
            console.print(f"  {suggestion}", highlight=False, markup=False)
            for line in s.lines:
                console.print(f"    {line}", highlight=False, markup=False)
    if len(groups) > 1 and not as_json:
        console.print(
            ngettext(
                "%(n)d MRZ, %(invalid)d not valid", "%(n)d MRZs, %(invalid)d not valid", len(groups)
            )
            % {"n": len(groups), "invalid": invalid},
            highlight=False,
        )
    if invalid:
        raise typer.Exit(1)
