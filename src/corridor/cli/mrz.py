"""`corridor mrz`: machine-readable zones of travel documents, checked on this machine.

A check needs no node: it reads lines and answers, and stores nothing (the API and the page,
which serve people of the node, audit each check)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import AsJson, console, fail

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
            fail(f"cannot read {file}: {exc.strerror or exc}")
    groups = split_text(text)
    if not groups:
        fail("no MRZ found: give two or three lines per MRZ")
    invalid = 0
    for n, lines in enumerate(groups, 1):
        try:
            checked = check_lines(lines)
        except NotAnMrz as exc:
            invalid += 1
            if as_json:
                print(json.dumps({"mrz": n, "error": exc.detail, "lines": lines}))
            else:
                console.print(f"MRZ {n}: not an MRZ: {exc.detail}", highlight=False)
            continue
        mrz = checked.mrz
        invalid += not mrz.valid
        if as_json:
            print(json.dumps({"mrz": n, **checked.to_dict()}, ensure_ascii=False))
            continue
        state = "valid" if mrz.valid else "INVALID"
        expired = ", expired" if mrz.expired else ""
        console.print(f"MRZ {n}: {mrz.format} {state}{expired}", highlight=False, markup=False)
        for c in mrz.failed:
            console.print(f"  failed {c.name}: {c.detail}", highlight=False, markup=False)
        for w in mrz.warnings:
            console.print(f"  warning {w.name}: {w.detail}", highlight=False, markup=False)
        for s in checked.suggestions:
            console.print(f"  suggestion: {s.detail}", highlight=False, markup=False)
            for line in s.lines:
                console.print(f"    {line}", highlight=False, markup=False)
    if len(groups) > 1 and not as_json:
        console.print(f"{len(groups)} MRZs, {invalid} not valid", highlight=False)
    if invalid:
        raise typer.Exit(1)
