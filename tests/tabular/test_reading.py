"""Reading import files: formats, encodings, delimiters, limits, XLSX cells, FtM JSON lines."""

from __future__ import annotations

import codecs
import io
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from corridor.entities.imports import ftm_lines
from corridor.errors import InvalidInput, TooLarge
from corridor.tabular import csv_text, xlsx
from corridor.tabular import reading as tabular
from corridor.tabular.reading import read_rows
from corridor.tabular.rows import Limits, Row, RowError
from tests.shared_data import LINKAGE

DATA = LINKAGE

PEOPLE = [
    {"name": "Muhammad Asif Khan", "city": "Quetta", "phone": "+923001234567"},
    {"name": "محمد آصف خان", "city": "كويتا", "phone": "0300 1234567"},
    {"name": "José Müller-Ñúñez", "city": "Zürich; Genève", "phone": "+41 44 000 00 00"},
]


def write_csv_text(path: Path, text: str, encoding: str, bom: bytes = b"") -> Path:
    path.write_bytes(bom + text.encode(encoding))
    return path


def people_csv(delimiter: str = ",") -> str:
    lines = [delimiter.join(["name", "city", "phone"])]
    for p in PEOPLE:
        lines.append(delimiter.join(f'"{p[k]}"' for k in ("name", "city", "phone")))
    return "\r\n".join(lines) + "\r\n"


def values(rows: list[Row | RowError]) -> list[dict[str, str]]:
    assert all(isinstance(r, Row) for r in rows), rows
    return [r.values for r in rows if isinstance(r, Row)]


# -- formats ---------------------------------------------------------------------------------


def test_detect_format_by_content_and_extension(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "book.xlsx")
    head = (tmp_path / "book.xlsx").read_bytes()[:4096]
    assert tabular.detect_format("book.xlsx", head) == "xlsx"
    assert tabular.detect_format("renamed.csv", head) == "xlsx"
    assert tabular.detect_format("people.csv", b"name,phone\nA,1\n") == "csv"
    assert tabular.detect_format("people", b"name;phone\nA;1\n") == "csv"
    line = b'{"id": "a", "schema": "Person", "properties": {}}\n'
    assert tabular.detect_format("entities.json", line) == "ftm"
    assert tabular.detect_format("export", codecs.BOM_UTF8 + line) == "ftm"
    assert tabular.detect_format("utf16.csv", "a,b\n".encode("utf-16")) == "csv"


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "97-2003"),
        ("scan.pdf", b"%PDF-1.7\n", "PDF"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n", "PNG"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 26 + b"data/file.txt", "zip archive"),
        ("fake.xlsx", b"name,phone\n", "not a valid .xlsx"),
        ("garbage.csv", bytes(range(256)) * 4, "binary"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_detect_format_refuses_other_files(name: str, head: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        tabular.detect_format(name, head)


# -- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
    ],
)
def test_unicode_encodings_are_read(
    tmp_path: Path, encoding: str, bom: bytes, detected: str
) -> None:
    path = write_csv_text(tmp_path / "people.csv", people_csv(), encoding, bom)
    with open(path, "rb") as fh:
        assert csv_text.detect_encoding(fh) == detected
    assert values(list(read_rows(path))) == PEOPLE


def test_windows_1256_arabic_decodes_to_arabic(tmp_path: Path) -> None:
    text = "الاسم;المدينة\r\nمحمد آصف خان;كويتا\r\nعلي حسن;بغداد\r\nفاطمة الزهراء;القاهرة\r\n"
    path = write_csv_text(tmp_path / "arabic.csv", text, "cp1256")
    assert values(list(read_rows(path))) == [
        {"الاسم": "محمد آصف خان", "المدينة": "كويتا"},
        {"الاسم": "علي حسن", "المدينة": "بغداد"},
        {"الاسم": "فاطمة الزهراء", "المدينة": "القاهرة"},
    ]


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data not found at {DATA}")
def test_windows_1256_with_real_arabic_names(tmp_path: Path) -> None:
    """Every Arabic name of the Google transliteration data that Windows-1256 can encode,
    written as a Windows-1256 CSV, comes back letter for letter."""
    names = []
    with open(DATA / "arabic-latin-names-train.tsv", encoding="utf-8") as fh:
        for line in fh:
            arabic, latin = line.rstrip("\n").split("\t")
            try:
                line.encode("cp1256")
            except UnicodeEncodeError:
                continue
            names.append((arabic, latin))
    assert len(names) > 10_000
    text = "arabic,latin\n" + "".join(f"{a},{b}\n" for a, b in names)
    path = write_csv_text(tmp_path / "names.csv", text, "cp1256")
    rows = values(list(read_rows(path)))
    assert [(r["arabic"], r["latin"]) for r in rows] == names


def test_windows_1252_latin_text_is_not_taken_for_arabic(tmp_path: Path) -> None:
    text = "name,city\nJosé Müller,Zürich\nFrançois Lefèvre,Besançon\nÅsa Öberg,Göteborg\n"
    path = write_csv_text(tmp_path / "latin.csv", text, "cp1252")
    rows = values(list(read_rows(path)))
    assert rows[0] == {"name": "José Müller", "city": "Zürich"}
    assert rows[2] == {"name": "Åsa Öberg", "city": "Göteborg"}


def test_latin_1_fallback_for_bytes_windows_1252_lacks(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in Windows-1252: only Latin-1 reads them.
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"name,code\nRen\xe9,A\x81B\x8d\n")
    with open(path, "rb") as fh:
        assert csv_text.detect_encoding(fh) == "latin-1"
    assert values(list(read_rows(path))) == [{"name": "René", "code": "A\x81B\x8d"}]


def test_decode_text_in_memory() -> None:
    assert csv_text.decode_text(codecs.BOM_UTF8 + "محمد".encode()) == ("محمد", "utf-8-sig")
    assert csv_text.decode_text("خان حسن".encode("cp1256")) == ("خان حسن", "cp1256")
    assert csv_text.decode_text("Niño".encode("cp1252")) == ("Niño", "cp1252")


def test_nul_byte_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"name,phone\nAli,123\nBad\x00Row,456\n")
    with pytest.raises(InvalidInput, match="NUL byte at offset 22"):
        list(read_rows(path))


def test_invalid_utf8_late_in_file_switches_whole_file_encoding(tmp_path: Path) -> None:
    """The encoding is decided over the whole file, not just its head."""
    path = tmp_path / "late.csv"
    head = "name\n" + ("A" * 999 + "\n") * 1_100  # beyond the head sample and the first chunk
    path.write_bytes(head.encode() + "Zoë\n".encode("cp1252"))
    rows = values(list(read_rows(path)))
    assert rows[-1] == {"name": "Zoë"}


# -- CSV structure ---------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = people_csv(delimiter).replace("Quetta", "Quetta, Balochistan; PK|\nline two")
    path = write_csv_text(tmp_path / "people.csv", text, "utf-8")
    rows = values(list(read_rows(path)))
    assert rows[0]["city"] == "Quetta, Balochistan; PK|\nline two"
    assert rows[1:] == PEOPLE[1:]


def test_row_numbers_are_what_a_spreadsheet_shows(tmp_path: Path) -> None:
    text = 'name,notes\nA,"two\nlines"\n\nB,x\n   ,  \nC,y\n'
    path = write_csv_text(tmp_path / "rows.csv", text, "utf-8")
    rows = list(read_rows(path))
    assert [(r.number, r.values["name"]) for r in rows if isinstance(r, Row)] == [
        (2, "A"),
        (4, "B"),
        (6, "C"),
    ]


def test_short_rows_get_empty_cells_and_trailing_empty_cells_are_ignored(tmp_path: Path) -> None:
    path = write_csv_text(tmp_path / "ragged.csv", "a,b,c,,\n1\n1,2,3,,\n", "utf-8")
    assert values(list(read_rows(path))) == [
        {"a": "1", "b": "", "c": ""},
        {"a": "1", "b": "2", "c": "3"},
    ]


def test_data_beyond_named_columns_is_a_row_error(tmp_path: Path) -> None:
    path = write_csv_text(tmp_path / "wide.csv", "a,b\n1,2\n1,2,3\n4,5\n", "utf-8")
    rows = list(read_rows(path))
    assert isinstance(rows[1], RowError) and rows[1].row == 3
    assert "beyond the last named column" in rows[1].reason
    assert [r.values for r in rows if isinstance(r, Row)] == [
        {"a": "1", "b": "2"},
        {"a": "4", "b": "5"},
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("name,phone,name\n", "repeats column name.*'name'"),
        ("name, phone ,phone\n", "repeats column name.*'phone'"),
        ("name,,phone\n", r"no name in column\(s\) B"),
    ],
)
def test_bad_headers_refuse_the_file(tmp_path: Path, header: str, message: str) -> None:
    path = write_csv_text(tmp_path / "h.csv", header + "a,b,c\n", "utf-8")
    with pytest.raises(InvalidInput, match=message):
        list(read_rows(path))
    with pytest.raises(InvalidInput, match=message):
        tabular.headers(path)


def test_huge_cells_are_row_errors_not_crashes(tmp_path: Path) -> None:
    big = "x" * 100_000
    bigger = "y" * 200_000  # above the csv module's own field limit
    text = f'name,notes\nA,ok\nB,{big}\nC,"{bigger}"\nD,fine\n'
    path = write_csv_text(tmp_path / "big.csv", text, "utf-8")
    rows = list(read_rows(path))
    errors = [r for r in rows if isinstance(r, RowError)]
    # Row 4 is refused by the csv module's field limit or by ours, whichever is lower.
    assert [e.row for e in errors] == [3, 4]
    assert errors[0].column == "notes"
    assert "100000 characters; the limit is 32768" in errors[0].reason
    assert [r.values["name"] for r in rows if isinstance(r, Row)] == ["A", "D"]


def test_limits(tmp_path: Path) -> None:
    path = write_csv_text(tmp_path / "l.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n", "utf-8")
    with pytest.raises(InvalidInput, match="more than 2 data rows"):
        list(read_rows(path, limits=Limits(max_rows=2)))
    with pytest.raises(InvalidInput, match="3 columns; the limit is 2"):
        list(read_rows(path, limits=Limits(max_columns=2)))
    with pytest.raises(TooLarge, match="limit"):
        list(read_rows(path, limits=Limits(max_file_bytes=10)))
    path = write_csv_text(tmp_path / "c.csv", "a,b\n1,22\n3,4\n", "utf-8")
    rows = list(read_rows(path, limits=Limits(max_cell_chars=1)))
    assert rows == [
        RowError(2, "b", "the cell holds 2 characters; the limit is 1"),
        Row(3, {"a": "3", "b": "4"}),
    ]


def test_count_rows_counts_what_read_rows_yields_and_refuses_what_it_refuses(
    tmp_path: Path,
) -> None:
    big = "y" * 200_000
    text = f'name,notes\nA,"two\nlines"\n\nB,x,extra\nC,"{big}"\n   ,  \nD,y\n'
    path = write_csv_text(tmp_path / "mixed.csv", text, "utf-8")
    assert tabular.count_rows(path) == len(list(read_rows(path))) == 4
    limited = Limits(max_cell_chars=5)
    assert tabular.count_rows(path, limits=limited) == len(list(read_rows(path, limits=limited)))
    path = write_csv_text(tmp_path / "l.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n", "utf-8")
    with pytest.raises(InvalidInput, match="more than 2 data rows"):
        tabular.count_rows(path, limits=Limits(max_rows=2))
    with pytest.raises(InvalidInput, match="no header row"):
        tabular.count_rows(write_csv_text(tmp_path / "e.csv", "\n\n", "utf-8"))
    (tmp_path / "nul.csv").write_bytes(b"name\nok\nb\x00ad\n")
    with pytest.raises(InvalidInput):
        list(read_rows(tmp_path / "nul.csv"))
    with pytest.raises(InvalidInput):
        tabular.count_rows(tmp_path / "nul.csv")


def test_headers_and_preview(tmp_path: Path) -> None:
    text = "name,phone\n" + "".join(f"P{i},{i}\n" for i in range(100))
    path = write_csv_text(tmp_path / "p.csv", text, "utf-8")
    assert tabular.headers(path) == ["name", "phone"]
    names, rows = tabular.preview(path, n=5)
    assert names == ["name", "phone"]
    assert [r.number for r in rows] == [2, 3, 4, 5, 6]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = write_csv_text(tmp_path / "e.csv", "\n\n", "utf-8")
    with pytest.raises(InvalidInput, match="no header row"):
        list(read_rows(empty))
    with pytest.raises(InvalidInput, match="cannot read the file"):
        list(read_rows(tmp_path / "absent.csv"))


def test_open_csv_on_a_stream_with_given_encoding_and_delimiter() -> None:
    raw = io.BytesIO("a|b\n1|ü\n".encode("cp1252"))
    with csv_text.open_csv(raw, encoding="cp1252") as text:
        assert text.delimiter == "|"
        assert list(text.records()) == [(1, ["a", "b"]), (2, ["1", "ü"])]
    raw.seek(0)
    with (
        pytest.raises(InvalidInput, match="not valid utf-8 text"),
        csv_text.open_csv(raw, delimiter=";", encoding="utf-8") as text,
    ):
        list(text.records())
    with pytest.raises(InvalidInput, match="unknown text encoding"):
        csv_text.open_csv(io.BytesIO(b"a"), encoding="klingon").__enter__()
    with pytest.raises(InvalidInput, match="delimiter must be one of"):
        csv_text.open_csv(io.BytesIO(b"a"), delimiter=":").__enter__()


# -- XLSX ------------------------------------------------------------------------------------


@pytest.fixture(params=["calamine", "openpyxl"])
def xlsx_limits(request: pytest.FixtureRequest) -> Limits:
    """Small sheets are read by calamine, big ones streamed by openpyxl: test both readers."""
    return Limits() if request.param == "calamine" else Limits(max_sheet_in_memory_bytes=0)


def make_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "People"
    ws.append([])  # a blank first row: the header is the first non-blank one
    ws.append(["name", "phone", "passport", "dob", "seen", "amount", "flag"])
    ws.append(["Muhammad Asif Khan", 923001234567, "AB1234567", date(1990, 4, 3), None, 1.5, True])
    ws.append([])
    ws.append(
        [
            "محمد آصف خان",
            3.001234567e9,
            12345678,
            datetime(1988, 1, 2),
            datetime(2024, 5, 6, 7, 8),
            2,
            None,
        ]
    )
    other = wb.create_sheet("Phones")
    other.append(["number"])
    other.append(["+306941234567"])
    wb.save(path)
    return path


def test_xlsx_cells_keep_identifiers_and_dates(tmp_path: Path, xlsx_limits: Limits) -> None:
    path = make_workbook(tmp_path / "people.xlsx")
    rows = list(read_rows(path, limits=xlsx_limits))
    assert [r.number for r in rows] == [3, 5]
    assert values(rows) == [
        {
            "name": "Muhammad Asif Khan",
            "phone": "923001234567",
            "passport": "AB1234567",
            "dob": "1990-04-03",
            "seen": "",
            "amount": "1.5",
            "flag": "TRUE",
        },
        {
            "name": "محمد آصف خان",
            "phone": "3001234567",
            "passport": "12345678",
            "dob": "1988-01-02",
            "seen": "2024-05-06T07:08:00",
            "amount": "2",
            "flag": "",
        },
    ]


def test_xlsx_sheets(tmp_path: Path, xlsx_limits: Limits) -> None:
    path = make_workbook(tmp_path / "people.xlsx")
    assert xlsx.sheets(path) == ["People", "Phones"]
    assert values(list(read_rows(path, sheet="Phones", limits=xlsx_limits))) == [
        {"number": "+306941234567"}
    ]
    assert tabular.headers(path, sheet="Phones", limits=xlsx_limits) == ["number"]
    with pytest.raises(InvalidInput, match="no sheet named 'Calls'; the workbook has People"):
        list(read_rows(path, sheet="Calls", limits=xlsx_limits))


def test_truncated_xlsx_is_invalid_input(tmp_path: Path, xlsx_limits: Limits) -> None:
    data = make_workbook(tmp_path / "full.xlsx").read_bytes()
    for size in (len(data) // 2, len(data) - 30, 100):
        cut = tmp_path / f"cut{size}.xlsx"
        cut.write_bytes(data[:size])
        with pytest.raises(InvalidInput, match="damaged or truncated"):
            list(read_rows(cut, limits=xlsx_limits))


def test_xlsx_with_garbage_parts_is_invalid_input(tmp_path: Path, xlsx_limits: Limits) -> None:
    import zipfile

    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "\x00\x01")
    with pytest.raises(InvalidInput, match="cannot be read"):
        list(read_rows(path, limits=xlsx_limits))


def test_xlsx_huge_cell_and_duplicate_header(tmp_path: Path, xlsx_limits: Limits) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["name", "notes"])
    wb.active.append(["A", "x" * 5_000])
    wb.active.append(["B", "ok"])
    wb.save(tmp_path / "big.xlsx")
    # openpyxl itself cuts cells to Excel's 32,767 characters, so the test lowers the limit.
    rows = list(read_rows(tmp_path / "big.xlsx", limits=replace(xlsx_limits, max_cell_chars=1_000)))
    assert isinstance(rows[0], RowError) and (rows[0].row, rows[0].column) == (2, "notes")
    assert values(rows[1:]) == [{"name": "B", "notes": "ok"}]
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "DOB", "Name"])
    wb.save(tmp_path / "dup.xlsx")
    with pytest.raises(InvalidInput, match="repeats column name"):
        tabular.headers(tmp_path / "dup.xlsx", limits=xlsx_limits)


def test_xlsx_table_may_start_right_of_column_a(tmp_path: Path, xlsx_limits: Limits) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "name", "phone"
    ws["C4"], ws["D4"] = "Ali", "+923001234567"
    ws["A5"], ws["C5"] = "stray", "Omar"
    ws["C6"], ws["E6"] = "Huda", "beyond"
    ws["C7"] = "Sara"
    wb.save(tmp_path / "offset.xlsx")
    rows = list(read_rows(tmp_path / "offset.xlsx", limits=xlsx_limits))
    assert rows == [
        Row(4, {"name": "Ali", "phone": "+923001234567"}),
        RowError(5, None, "the row has data left of the first named column"),
        RowError(6, None, "the row has data beyond the last named column (2 columns)"),
        Row(7, {"name": "Sara", "phone": ""}),
    ]
    wb = openpyxl.Workbook()
    wb.active.append([None, "name", None, "phone"])
    wb.save(tmp_path / "gap.xlsx")
    with pytest.raises(InvalidInput, match=r"no name in column\(s\) C"):
        tabular.headers(tmp_path / "gap.xlsx", limits=xlsx_limits)


# -- FtM JSON lines --------------------------------------------------------------------------


def test_read_ftm_with_per_line_errors(tmp_path: Path) -> None:
    good = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["Ali Hassan"], "phone": ["+923001234567"], "nationality": ["PK"]},
    }
    lines = [
        json.dumps(good, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": "x", "schema": "Spaceship", "properties": {}}),
        json.dumps({"id": "y", "schema": "Person", "properties": {"wingspan": ["3"]}}),
        json.dumps({"id": "z", "schema": "Person", "properties": {"phone": ["0300 1234567"]}}),
        json.dumps({"schema": "Person", "properties": {}}),
        "[1, 2]",
        json.dumps({"id": "m", "schema": "MobileDevice", "properties": {"imeiNumber": ["35"]}}),
    ]
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(codecs.BOM_UTF8 + "\n".join(lines).encode() + b"\n\xff\xfe\n")
    results = list(ftm_lines.read_ftm(path))
    assert [n for n, _ in results] == [1, 3, 4, 5, 6, 7, 8, 9, 10]
    first = results[0][1]
    assert not isinstance(first, RowError)
    assert first.to_dict()["properties"] == {
        "name": ["Ali Hassan"],
        "phone": ["+923001234567"],
        "nationality": ["pk"],
    }
    errors = {n: e for n, e in results if isinstance(e, RowError)}
    assert "invalid JSON" in errors[3].reason
    assert errors[4].column == "schema" and "Spaceship" in errors[4].reason
    assert errors[5].column == "wingspan"
    assert errors[6].column == "phone" and "not a valid phone" in errors[6].reason
    assert errors[7].column == "id"
    assert "not a JSON object" in errors[8].reason
    assert "not valid UTF-8" in errors[10].reason
    assert results[7][1].schema.name == "MobileDevice"  # type: ignore[union-attr]


def test_read_ftm_long_line_is_an_error_and_reading_goes_on(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "schema": "Person", "properties": {"name": ["A" * 500]}})
    ok = json.dumps({"id": "b", "schema": "Person", "properties": {"name": ["B"]}})
    path = tmp_path / "long.jsonl"
    path.write_text(line + "\n" + ok + "\n", encoding="utf-8")
    results = list(ftm_lines.read_ftm(path, limits=Limits(max_line_bytes=100)))
    assert isinstance(results[0][1], RowError) and "longer than 100 bytes" in results[0][1].reason
    assert results[1][0] == 2 and not isinstance(results[1][1], RowError)


def test_read_rows_refuses_ftm_files(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"id": "a", "schema": "Person"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="needs no mapping"):
        list(read_rows(path))
