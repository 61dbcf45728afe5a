"""Reading CSV text: its encoding (BOMs, UTF-16, UTF-8, Windows-1256 for Arabic, Windows-1252),
its delimiter, and its records, streamed."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO

from corridor.errors import InvalidInput
from corridor.tabular.rows import (
    DEFAULT_LIMITS,
    HEAD_BYTES,
    Limits,
    MiB,
    Source,
    check_size,
    file_size,
)

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


def bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def utf16_without_bom(head: bytes) -> str | None:
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
    head = stream.read(HEAD_BYTES)
    stream.seek(start)
    encoding = bom_encoding(head) or utf16_without_bom(head)
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


# --- CSV -----------------------------------------------------------------------------------

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
        check_size(file_size(source), limits)
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
        head = source.read(HEAD_BYTES)
        source.seek(start)
        sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
        if len(head) == HEAD_BYTES:
            sample = sample[: max(sample.rfind("\n"), 0)]
        delimiter = sniff_delimiter(sample)
    elif delimiter not in DELIMITERS:
        raise InvalidInput(f"delimiter must be one of {', '.join(map(repr, DELIMITERS))}")
    stream = io.TextIOWrapper(source, encoding=encoding, newline="")
    try:
        yield CsvText(stream, encoding, delimiter)
    finally:
        stream.detach()
