"""Reading import files: CSV and XLSX as rows of named cells (their readers are `text.py` and
`xlsx.py`; FtM JSON lines, read as entities, are `ftm_lines.py`).

Everything streams: a file is read row by row, never held in memory as a whole. Damaged or
hostile input (wrong encodings, truncated workbooks, binary garbage, huge cells) ends in
``InvalidInput`` for the whole file or in a ``RowError`` for one row, never in another exception.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path

from corridor.errors import InvalidInput
from corridor.tabular.csv_text import bom_encoding, open_csv, utf16_without_bom
from corridor.tabular.rows import (
    DEFAULT_LIMITS,
    Format,
    Limits,
    Row,
    RowError,
    Source,
    check_size,
    file_size,
    read_head,
)
from corridor.tabular.xlsx import xlsx_records

_CSV_EXTENSIONS = {".csv", ".tsv", ".tab", ".txt"}
_FTM_EXTENSIONS = {".json", ".jsonl", ".ndjson", ".ijson", ".ftm"}
_XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
_REFUSED = {
    b"\xd0\xcf\x11\xe0": "an old Excel 97-2003 (.xls) or other OLE file: save it as .xlsx or CSV",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def detect_format(filename: str, head: bytes) -> Format:
    """The file's format from its first bytes (at least the first few KiB) and its name.

    Content wins over the extension: a workbook renamed to .csv is still read as XLSX."""
    ext = Path(filename).suffix.lower()
    for magic, what in _REFUSED.items():
        if head.startswith(magic):
            raise InvalidInput(f"{filename!r} is {what}; import takes CSV, XLSX or FtM JSON lines")
    if head.startswith(_ZIP_MAGIC):
        if ext in _XLSX_EXTENSIONS or b"xl/" in head or b"[Content_Types].xml" in head:
            if b"opendocument" in head or b"word/" in head or b"ppt/" in head:
                raise InvalidInput(f"{filename!r} is not an Excel workbook: save it as .xlsx")
            return "xlsx"
        raise InvalidInput(f"{filename!r} is a zip archive, not an Excel workbook (.xlsx)")
    if not head:
        raise InvalidInput(f"{filename!r} is empty")
    if ext in _XLSX_EXTENSIONS:
        raise InvalidInput(f"{filename!r} is not a valid .xlsx workbook (no zip structure)")
    encoding = bom_encoding(head) or utf16_without_bom(head)
    # A stray NUL or control byte is left to detect_encoding, which says where it is.
    strays = head.count(b"\x00") + len(_CONTROL.findall(head))
    if encoding is None and strays > max(8, len(head) // 100):
        raise InvalidInput(f"{filename!r} holds binary data, not text or a spreadsheet")
    text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if ext in _FTM_EXTENSIONS or (ext not in _CSV_EXTENSIONS and text.startswith("{")):
        return "ftm"
    return "csv"


# --- rows with named cells ------------------------------------------------------------------


def _column_label(index: int) -> str:
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(65 + rest) + label
    return label


def _header(cells: list[str], number: int, limits: Limits) -> tuple[int, list[str]]:
    """The number of empty columns before the table (a sheet may start in column C) and the
    column names; empty columns after the last name are not part of the table either."""
    names = [c.strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    first = next(i for i, n in enumerate(names) if n)
    names = names[first:]
    if len(names) > limits.max_columns:
        raise InvalidInput(
            f"the header (row {number}) has {len(names)} columns; the limit is {limits.max_columns}"
        )
    empty = [_column_label(first + i) for i, n in enumerate(names) if not n]
    if empty:
        raise InvalidInput(
            f"the header (row {number}) has no name in column(s) {', '.join(empty)}: "
            "every column with data needs a name"
        )
    long = [n[:40] for n in names if len(n) > limits.max_cell_chars]
    if long:
        raise InvalidInput(f"header names longer than {limits.max_cell_chars} characters: {long}")
    duplicates = sorted(n for n, k in Counter(names).items() if k > 1)
    if duplicates:
        raise InvalidInput(
            f"the header (row {number}) repeats column name(s) {', '.join(map(repr, duplicates))}:"
            " rename them so that each column has its own name"
        )
    return first, names


def _records(
    path: Source, fmt: Format, sheet: str | None, limits: Limits
) -> Iterator[tuple[int, list[str] | str]]:
    if fmt == "ftm":
        raise InvalidInput("an FtM JSON lines file holds entities, not rows: it needs no mapping")
    if fmt == "xlsx":
        yield from xlsx_records(path, sheet, limits)
        return
    if sheet is not None:
        raise InvalidInput("a CSV file has no sheets")
    with open_csv(path, limits=limits) as text:
        yield from text.records()


def records(
    path: Source,
    *,
    format: Format | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[tuple[int, list[str] | str]]:
    """Every row of a CSV or XLSX file as it is, header or not: `(number, cells)`, or
    `(number, reason)` for a CSV record that cannot be read. For layouts whose header is not the
    first row (a title above it, as in published statistics workbooks)."""
    return _records(path, _resolve_format(path, format, limits), sheet, limits)


def _resolve_format(path: Source, fmt: Format | None, limits: Limits) -> Format:
    check_size(file_size(path), limits)
    return fmt or detect_format(os.fspath(path), read_head(path))


def _rows(
    path: Source, fmt: Format | None, sheet: str | None, limits: Limits, *, take_cells: bool = True
) -> Generator[list[str] | Row | RowError]:
    """The header's names first, then each non-blank data row (as an empty row unless
    `take_cells`)."""
    fmt = _resolve_format(path, fmt, limits)
    names: list[str] | None = None
    first = width = count = 0
    for number, cells in _records(path, fmt, sheet, limits):
        if isinstance(cells, str):
            if names is None:
                raise InvalidInput(f"the header (row {number}) cannot be read: {cells}")
            yield RowError(number, None, cells)
            continue
        if not any(c.strip() for c in cells):
            continue
        if names is None:
            first, names = _header(cells, number, limits)
            width = len(names)
            yield names
            continue
        count += 1
        if count > limits.max_rows:
            raise InvalidInput(f"the file has more than {limits.max_rows} data rows")
        if not take_cells:
            yield Row(number, {})
            continue
        if first:
            if any(c.strip() for c in cells[:first]):
                yield RowError(number, None, "the row has data left of the first named column")
                continue
            cells = cells[first:]
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            yield RowError(
                number, None, f"the row has data beyond the last named column ({width} columns)"
            )
            continue
        values: dict[str, str] = {}
        error = None
        for name, cell in zip(names, cells, strict=False):
            if len(cell) > limits.max_cell_chars:
                error = RowError(
                    number,
                    name,
                    f"the cell holds {len(cell)} characters; the limit is {limits.max_cell_chars}",
                )
                break
            values[name] = cell.strip()
        if error is not None:
            yield error
            continue
        for name in names[len(cells) :]:
            values[name] = ""
        yield Row(number, values)
    if names is None:
        raise InvalidInput("the file has no header row (it is empty)")


def read_rows(
    path: Source,
    *,
    format: Format | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Row | RowError]:
    """Every non-blank data row of a CSV or XLSX file (the first worksheet unless ``sheet`` is
    named), streamed. The first non-blank row is the header; cells are keyed by its names and
    stripped of surrounding whitespace, missing cells are "". A row that cannot be read (a cell
    over the limit, data beyond the named columns, a broken CSV record) is a ``RowError``; a
    file that cannot be read at all raises ``InvalidInput`` (``TooLarge`` over the size limit),
    possibly after earlier rows were yielded (``max_rows``, a workbook damaged mid-sheet)."""
    for item in _rows(path, format, sheet, limits):
        if not isinstance(item, list):
            yield item


def count_rows(
    path: Source, *, format: Format | None = None, limits: Limits = DEFAULT_LIMITS
) -> int:
    """How many items `read_rows` yields for a CSV or XLSX file (rows and row errors): the file
    is read to its end with every check that makes it unreadable (``InvalidInput``), but no
    row's cells are taken apart."""
    items = _rows(path, format, None, limits, take_cells=False)
    return sum(1 for item in items if type(item) is not list)


def headers(
    path: Source,
    *,
    format: Format | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[str]:
    """The column names of a CSV or XLSX file (its first non-blank row)."""
    for item in _rows(path, format, sheet, limits):
        if isinstance(item, list):
            return item
    raise InvalidInput("the file has no header row")  # pragma: no cover - _rows raises first


def preview(
    path: Source,
    n: int = 20,
    *,
    format: Format | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[str], list[Row | RowError]]:
    """The column names and the first ``n`` data rows, for the mapping screen."""
    items = _rows(path, format, sheet, limits)
    names: list[str] = []
    rows: list[Row | RowError] = []
    for item in items:
        if isinstance(item, list):
            names = item
        else:
            rows.append(item)
            if len(rows) >= n:
                break
    items.close()
    return names, rows
