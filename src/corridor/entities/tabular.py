"""Reading import files: CSV and XLSX as rows of named cells, FtM JSON lines as entities.

Everything streams: a file is read row by row, never held in memory as a whole. Damaged or
hostile input (wrong encodings, truncated workbooks, binary garbage, huge cells) ends in
``InvalidInput`` for the whole file or in a ``RowError`` for one row, never in another exception.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Literal

import openpyxl
from followthemoney import EntityProxy
from followthemoney.types import registry
from python_calamine import CalamineWorkbook

from corridor.entities.ftm import SUPPORTED, model
from corridor.errors import CorridorError, InvalidInput, TooLarge

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
    """Why one row (or one line of a JSON lines file) cannot be imported."""

    row: int
    column: str | None
    reason: str


# ---------------------------------------------------------------------------------------------
# Formats

_HEAD_BYTES = 64 * 1024
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
    encoding = _bom_encoding(head) or _utf16_without_bom(head)
    # A stray NUL or control byte is left to detect_encoding, which says where it is.
    strays = head.count(b"\x00") + len(_CONTROL.findall(head))
    if encoding is None and strays > max(8, len(head) // 100):
        raise InvalidInput(f"{filename!r} holds binary data, not text or a spreadsheet")
    text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if ext in _FTM_EXTENSIONS or (ext not in _CSV_EXTENSIONS and text.startswith("{")):
        return "ftm"
    return "csv"


def _read_head(path: Source) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(_HEAD_BYTES)


def _file_size(path: Source) -> int:
    try:
        return os.path.getsize(path)
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}") from exc


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise TooLarge(
            f"the file is {size / MiB:.1f} MiB; the limit is {limits.max_file_bytes / MiB:.0f} MiB"
        )


# ---------------------------------------------------------------------------------------------
# Text encodings

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that Windows-1252 leaves undefined; a file holding them is read as Latin-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]{2,}")
_ASCII_BYTES = bytes(range(128))
_SCAN_CHUNK = MiB


def _bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a BOM shows as mostly-ASCII text with every other byte zero."""
    sample = head[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    zero_even = sample[0::2].count(0)
    zero_odd = sample[1::2].count(0)
    if zero_odd > 0.4 * pairs and zero_even < 0.05 * pairs:
        return "utf-16-le"
    if zero_even > 0.4 * pairs and zero_odd < 0.05 * pairs:
        return "utf-16-be"
    return None


def _looks_arabic(sample: bytes) -> bool:
    """Windows-1256 puts Arabic letters on the bytes where Windows-1252 has accented Latin
    letters. Latin text uses those bytes one at a time inside ASCII words (José, Müller);
    Arabic text uses them for whole words, so most of them decode to runs of Arabic letters."""
    high = len(sample) - len(sample.translate(None, _ASCII_BYTES))
    if high == 0:
        return False
    in_words = sum(len(w) for w in _ARABIC_WORD.findall(sample.decode("cp1256")))
    return in_words >= 0.5 * high


def detect_encoding(stream: BinaryIO) -> str:
    """The text encoding of a seekable binary stream, read from its current position to its end
    and left where it was: a BOM (UTF-8, UTF-16, UTF-32), BOM-less UTF-16, UTF-8 (the whole
    file must be valid), else Windows-1256 for Arabic text, else Windows-1252 (Latin-1 when
    the file uses bytes Windows-1252 leaves undefined). A NUL byte refuses the file."""
    start = stream.tell()
    head = stream.read(_HEAD_BYTES)
    stream.seek(start)
    encoding = _bom_encoding(head) or _utf16_without_bom(head)
    if encoding is not None:
        return encoding
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    cp1252_defined = True
    sample = b""
    offset = 0
    try:
        while chunk := stream.read(_SCAN_CHUNK):
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise InvalidInput(
                    f"the file holds a NUL byte at offset {offset + nul}: it is binary data or "
                    "a text encoding that could not be recognised, not CSV text"
                )
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if cp1252_defined and _CP1252_UNDEFINED.search(chunk):
                cp1252_defined = False
            if not sample:
                sample = chunk
            offset += len(chunk)
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    finally:
        stream.seek(start)
    if is_utf8:
        return "utf-8"
    if _looks_arabic(sample):
        return "cp1256"
    return "cp1252" if cp1252_defined else "latin-1"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text payload held in memory (a pasted sample, a small upload): the text without
    BOM and the encoding found by ``detect_encoding``."""
    encoding = detect_encoding(io.BytesIO(data))
    return data.decode(encoding), encoding


# ---------------------------------------------------------------------------------------------
# CSV

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_RECORDS = 50


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's records into the same number (> 1) of fields most
    consistently; quoted fields (with delimiters or newlines inside) are parsed, not counted."""
    best = (0.0, 0, ",")
    for delimiter in DELIMITERS:
        widths = [
            len(r)
            for r in islice(csv.reader(io.StringIO(sample), delimiter=delimiter), _SNIFF_RECORDS)
            if r
        ]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common, delimiter)
        if score[:2] > best[:2]:
            best = score
    return best[2]


@dataclass
class CsvText:
    """An open CSV file: its decoded text stream, encoding and delimiter."""

    stream: io.TextIOBase
    encoding: str
    delimiter: str

    def records(self) -> Iterator[tuple[int, list[str] | str]]:
        """(record number, cells) per record, or (record number, reason) for a record the
        CSV parser cannot read. Records are numbered from 1 as a spreadsheet shows them: a
        quoted newline stays inside its record, a blank line counts as a row."""
        reader = csv.reader(self.stream, delimiter=self.delimiter)
        number = 0
        while True:
            number += 1
            try:
                yield number, next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    limit = csv.field_size_limit()
                    yield number, f"a cell is too long for the CSV reader (over {limit} characters)"
                else:
                    yield number, f"unreadable CSV record: {exc}"
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"the file is not valid {self.encoding} text (near row {number}); "
                    "save it as UTF-8"
                ) from exc


@contextmanager
def open_csv(
    source: Source | BinaryIO,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[CsvText]:
    """Open a CSV file (a path or a seekable binary stream, read from its current position) with
    its encoding and delimiter detected unless given."""
    if isinstance(source, str | os.PathLike):
        _check_size(_file_size(source), limits)
        with (
            open(source, "rb") as fh,
            open_csv(fh, encoding=encoding, delimiter=delimiter, limits=limits) as text,
        ):
            yield text
        return
    if encoding is None:
        encoding = detect_encoding(source)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(f"unknown text encoding {encoding!r}") from None
    if delimiter is None:
        start = source.tell()
        head = source.read(_HEAD_BYTES)
        source.seek(start)
        sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
        if len(head) == _HEAD_BYTES:
            sample = sample[: max(sample.rfind("\n"), 0)]
        delimiter = sniff_delimiter(sample)
    elif delimiter not in DELIMITERS:
        raise InvalidInput(f"delimiter must be one of {', '.join(map(repr, DELIMITERS))}")
    stream = io.TextIOWrapper(source, encoding=encoding, newline="")  # type: ignore[arg-type]
    try:
        yield CsvText(stream, encoding, delimiter)
    finally:
        stream.detach()


# ---------------------------------------------------------------------------------------------
# XLSX


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
    _check_size(_file_size(path), limits)
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


def _xlsx_records(
    path: Source, sheet: str | None, limits: Limits
) -> Iterator[tuple[int, list[str]]]:
    if _largest_sheet(path, limits) <= limits.max_sheet_in_memory_bytes:
        return _calamine_records(path, sheet)
    return _openpyxl_records(path, sheet)


# ---------------------------------------------------------------------------------------------
# Rows with named cells


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
        yield from _xlsx_records(path, sheet, limits)
        return
    if sheet is not None:
        raise InvalidInput("a CSV file has no sheets")
    with open_csv(path, limits=limits) as text:
        yield from text.records()


def _resolve_format(path: Source, fmt: Format | None, limits: Limits) -> Format:
    _check_size(_file_size(path), limits)
    return fmt or detect_format(os.fspath(path), _read_head(path))


def _rows(
    path: Source, fmt: Format | None, sheet: str | None, limits: Limits, *, take_cells: bool = True
) -> Iterator[list[str] | Row | RowError]:
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


# ---------------------------------------------------------------------------------------------
# FtM JSON lines


def _entity_from_json(
    data: object, number: int, schemata: Collection[str]
) -> EntityProxy | RowError:
    if not isinstance(data, dict):
        return RowError(number, None, "the line is not a JSON object")
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None or schema.name not in schemata:
        return RowError(
            number, "schema", f"unknown schema {schema_name!r}; known: {', '.join(schemata)}"
        )
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return RowError(number, "id", "the entity has no id")
    if registry.entity.clean(entity_id) is None:
        # FtM signs the id into the case's namespace and drops one it does not accept (only
        # punctuation, say): the entity would have no id when it is stored, and the whole
        # import failed there. Refused here, it is this one line.
        return RowError(
            number,
            "id",
            f"{entity_id[:80]!r} is not an entity id: letters, digits, '.' and '-', "
            "beginning and ending with a letter or digit",
        )
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        return RowError(number, "properties", "properties must be an object of value lists")
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, values in properties.items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            return RowError(number, name, f"{schema.name} has no property {name!r}")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return RowError(number, name, "property values must be a list of strings")
        for value in values:
            cleaned = prop.type.clean(value, proxy=proxy)
            if cleaned is None:
                return RowError(
                    number, name, f"{value[:80]!r} is not a valid {prop.type.name} for {name}"
                )
            if proxy.unsafe_add(prop, cleaned, cleaned=True) is None:
                return RowError(number, name, f"the values of {name} exceed FtM's size limit")
    return proxy


def read_ftm(
    path: Source,
    *,
    limits: Limits = DEFAULT_LIMITS,
    schemata: Collection[str] = SUPPORTED,
) -> Iterator[tuple[int, EntityProxy | RowError]]:
    """(line number, entity or error) for each non-blank line of an FtM JSON lines file (UTF-8).
    Every property value is validated and normalised by its FtM type: an unknown schema (or one
    outside ``schemata``), an unknown property or an invalid value makes the line an error."""
    _check_size(_file_size(path), limits)
    with open(path, "rb") as fh:
        number = 0
        while True:
            line = fh.readline(limits.max_line_bytes + 1)
            if not line:
                return
            number += 1
            if len(line) > limits.max_line_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = fh.readline(limits.max_line_bytes)
                yield (
                    number,
                    RowError(
                        number, None, f"the line is longer than {limits.max_line_bytes} bytes"
                    ),
                )
                continue
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except UnicodeDecodeError:
                yield number, RowError(number, None, "the line is not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield number, RowError(number, None, f"invalid JSON: {exc.msg} at {exc.colno}")
                continue
            try:
                yield number, _entity_from_json(data, number, schemata)
            except CorridorError:
                raise
            # FtM's cleaners raise their own errors on odd values (e.g. bad phone hints).
            except Exception as exc:
                yield number, RowError(number, None, f"invalid entity: {exc}")
