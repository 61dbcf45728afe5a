"""`corridor mrz check`: MRZs from standard input or a file, one report each, exit status 1
when any is not valid (2 when there is nothing to check)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli.main import app
from tests.documents import specimens as sp
from tests.documents.specimens import replaced

runner = CliRunner()


def mrz(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["mrz", "check", *args], input=input, env={"COLUMNS": "250"})


def test_one_valid_mrz_from_standard_input() -> None:
    r = mrz(input="\n".join(sp.TD3) + "\n")
    assert r.exit_code == 0, r.output
    assert r.output == "MRZ 1: TD3 valid, expired\n"


def test_a_failing_mrz_names_each_failed_check_and_exits_1() -> None:
    r = mrz("-", input="\n".join(replaced(sp.TD3, 2, 16, "O")))
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0] == "MRZ 1: TD3 INVALID, expired"
    assert lines[1].startswith("  failed birth_date: the check digit is 2 but 74O812 gives")
    assert lines[2].startswith("  failed composite: ")
    assert "  suggestion: line 2, position 16: O → 0 (birth date)" in lines
    assert "    " + sp.TD3[1] in lines


def test_a_file_of_many_mrzs_with_and_without_blank_lines(tmp_path: Path) -> None:
    broken = replaced(sp.TD1, 2, 30, "0")
    text = "\n\n".join("\n".join(m) for m in (sp.TD3, sp.TD1, sp.MRVB))
    # No blank line between these: each is told by its lines' width.
    text += "\n\n" + "\n".join([*sp.TD2, *broken, *sp.MRVA, *sp.TD1_LONG_NUMBER]) + "\n"
    path = tmp_path / "mrzs.txt"
    path.write_text(text)
    r = mrz(str(path))
    assert r.exit_code == 1, r.output
    reports = [line for line in r.output.splitlines() if line.startswith("MRZ ")]
    assert reports == [
        "MRZ 1: TD3 valid, expired",
        "MRZ 2: TD1 valid, expired",
        "MRZ 3: MRVB valid, expired",
        "MRZ 4: TD2 valid, expired",
        "MRZ 5: TD1 INVALID, expired",
        "MRZ 6: MRVA valid, expired",
        "MRZ 7: TD1 valid, expired",
    ]
    assert "  failed composite: " in r.output
    assert r.output.splitlines()[-1] == "7 MRZs, 1 not valid"
    path.write_text("\n\n".join("\n".join(m) for m in sp.ALL.values()))
    assert mrz(str(path)).exit_code == 0


def test_json_lines_carry_the_api_answer(tmp_path: Path) -> None:
    path = tmp_path / "two.txt"
    path.write_text("\n".join(sp.TD3) + "\n\n" + "\n".join(replaced(sp.TD3, 2, 16, "O")))
    r = mrz(str(path), "--json")
    assert r.exit_code == 1
    first, second = (json.loads(line) for line in r.output.splitlines())
    assert (first["mrz"], first["format"], first["valid"], first["expired"]) == (
        1,
        "TD3",
        True,
        True,
    )
    assert first["fields"]["document_number"] == "L898902C3"
    assert second["valid"] is False and second["suggestions"][0]["lines"] == list(sp.TD3)


def test_what_is_not_an_mrz() -> None:
    r = mrz(input="P<UTOERIKSSON<<ANNA<MARIA\n")
    assert r.exit_code == 1
    assert r.output == "MRZ 1: not an MRZ: an MRZ has 2 or 3 lines, not 1\n"
    r = mrz(input="\n\n")
    assert r.exit_code == 2 and "no MRZ found" in r.output
    assert mrz("/nonexistent/mrz.txt").exit_code == 2


def test_foreign_characters_in_a_file_fail_the_characters_check(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(("\n".join(sp.TD3).replace("ANNA", "ANNÄ")).encode("utf-8"))
    r = mrz(str(path))
    assert r.exit_code == 1
    assert "failed characters: line 1, position 19: “Ä” is not an MRZ character" in r.output
