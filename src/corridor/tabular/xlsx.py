"""Reading XLSX workbooks: calamine for sheets that fit in memory, openpyxl streaming for the
others; cells as the text a user typed."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import openpyxl
from python_calamine import CalamineWorkbook

from corridor.errors import CorridorError, InvalidInput, TooLarge
from corridor.tabular.rows import (
    DEFAULT_LIMITS,
    Limits,
    MiB,
    Source,
    check_size,
    file_size,
)


def _cell_text(value: object) -> str:
    """A cell as the text a user typed: identifiers stored as numbers keep their digits
    (3001234567, not 3001234567.0 or 3.001234567E9), dates become ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _largest_sheet(path: Source, limits: Limits) -> int:
    """Check the workbook's zip structure and unpacked size; the size of its largest sheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(
            f"the workbook is damaged or truncated (not a readable zip: {exc})"
        ) from exc
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise TooLarge(
            f"the workbook unpacks to {unpacked / MiB:.0f} MiB; "
            f"the limit is {limits.max_unpacked_bytes / MiB:.0f} MiB"
        )
    sheets = [i.file_size for i in infos if i.filename.startswith("xl/worksheets/")]
    return max(sheets, default=0)


def _pick_sheet(names: list[str], sheet: str | None) -> str:
    if not names:
        raise InvalidInput("the workbook has no worksheet")
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise InvalidInput(f"no sheet named {sheet!r}; the workbook has {', '.join(names)}")
    return sheet


def _unreadable(exc: Exception) -> InvalidInput:
    return InvalidInput(f"the workbook cannot be read: {type(exc).__name__}: {exc}")


def sheets(path: Source, *, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """The worksheet names of an XLSX workbook, in order."""
    check_size(file_size(path), limits)
    _largest_sheet(path, limits)
    try:
        workbook = CalamineWorkbook.from_path(os.fspath(path))
    # The readers raise whatever their zip and XML layers raise on a damaged workbook.
    except Exception as exc:
        raise _unreadable(exc) from exc
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def _calamine_records(path: Source, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """calamine (Rust) reads a sheet about 15 times faster than openpyxl, holding its cells in
    memory (about 1.6 times the sheet's XML size) while rows are converted one at a time."""
    try:
        workbook = CalamineWorkbook.from_path(os.fspath(path))
        worksheet = workbook.get_sheet_by_name(_pick_sheet(list(workbook.sheet_names), sheet))
    except CorridorError:
        raise
    except Exception as exc:  # see sheets()
        raise _unreadable(exc) from exc
    try:
        if worksheet.start is None:
            return
        # Rows count from the sheet's first row, columns from its first used column.
        pad = [""] * worksheet.start[1]
        for number, values in enumerate(worksheet.iter_rows(), start=1):
            yield number, pad + [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _openpyxl_records(path: Source, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """openpyxl's read-only mode streams the sheet's XML: constant memory, for big sheets."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        worksheet = workbook[_pick_sheet(list(workbook.sheetnames), sheet)]
    except CorridorError:
        raise
    except Exception as exc:  # see sheets()
        raise _unreadable(exc) from exc
    try:
        # Stored dimensions are often wrong (written by other tools); read what is there.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # see sheets(): damaged sheet XML mid-stream
                raise InvalidInput(
                    f"the workbook is damaged after row {number}: {type(exc).__name__}: {exc}"
                ) from exc
            number += 1
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def xlsx_records(
    path: Source, sheet: str | None, limits: Limits
) -> Iterator[tuple[int, list[str]]]:
    if _largest_sheet(path, limits) <= limits.max_sheet_in_memory_bytes:
        return _calamine_records(path, sheet)
    return _openpyxl_records(path, sheet)
