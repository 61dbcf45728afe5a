"""What reading an import file yields (rows of named cells, row errors) and what one file may
hold (limits), shared by the readers of each format."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from corridor.errors import InvalidInput, TooLarge

Format = Literal["csv", "xlsx", "ftm"]
Source = str | os.PathLike[str]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one import file may hold. Breaking a file-wide limit refuses the file; a cell over
    ``max_cell_chars`` (or a row with too many cells) only makes its row an error."""

    max_file_bytes: int = 200 * MiB
    """Size of the uploaded file."""
    max_columns: int = 500
    """Named columns in the header row."""
    max_cell_chars: int = 32_768
    """Characters in one cell (Excel's own cell limit is 32,767)."""
    max_rows: int = 2_000_000
    """Data rows (above Excel's 1,048,576 so that any sheet fits); checked while streaming."""
    max_unpacked_bytes: int = 2048 * MiB
    """Uncompressed size of all parts of an XLSX workbook (guards against zip bombs)."""
    max_sheet_in_memory_bytes: int = 128 * MiB
    """XLSX sheets whose XML is at most this big are read by calamine: fast, holding the sheet
    in memory (about 1.6 times this size, some 200 MiB for 340,000 rows of 7 columns). Bigger
    sheets are streamed by openpyxl in constant memory, about 15 times slower."""
    max_line_bytes: int = 16 * MiB
    """One line of an FtM JSON lines file (one entity)."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Row:
    """One data row. ``number`` is the row as a spreadsheet shows it: the header is row 1."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row (or one line of a JSON lines file) cannot be imported, or, when ``kept``,
    why one of its values was set aside while the row was imported (see columns.apply_row)."""

    row: int
    column: str | None
    reason: str
    kept: bool = False


HEAD_BYTES = 64 * 1024


def read_head(path: Source) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def file_size(path: Source) -> int:
    try:
        return os.path.getsize(path)
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}") from exc


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise TooLarge(
            f"the file is {size / MiB:.1f} MiB; the limit is {limits.max_file_bytes / MiB:.0f} MiB"
        )
