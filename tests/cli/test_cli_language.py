"""The CLI speaks the operator's language: $CORRIDOR_LANG, else the POSIX locale ($LC_ALL,
$LC_MESSAGES, $LANG), when corridor has that catalogue, else English. What scripts read
(--json) is the same in every language.

The French asserted here is what the catalogue already holds for the MRZ checks' findings
(`corridor mrz check` needs no node), and for the column titles the web pages share."""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from corridor import i18n
from corridor.cli.common import cli_language
from corridor.cli.main import app
from tests.documents import specimens as sp
from tests.documents.specimens import replaced

runner = CliRunner()

# The birth date's check digit misread: line 2, position 16, "0" read as "O".
FAILING = "\n".join(replaced(sp.TD3, 2, 16, "O")) + "\n"
ENGLISH = "the check digit is 2 but 74O812 gives"
FRENCH = "le chiffre de contrôle est 2 mais 74O812 donne"
NO_LOCALE: dict[str, str | None] = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def cli(*args: str, env: dict[str, str | None], input: str | None = None) -> Result:
    """Run the CLI in a context of its own: the language it activates stays there."""
    return contextvars.copy_context().run(
        runner.invoke, app, list(args), input=input, env={"COLUMNS": "250", **env}
    )


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    path = tmp_path / "mrz.txt"
    path.write_text(FAILING, encoding="utf-8")
    return path


def test_the_catalogue_holds_the_french_the_tests_read() -> None:
    assert "fr" in i18n.available()


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"CORRIDOR_LANG": "fr"}, "fr"),
        ({"CORRIDOR_LANG": "fr-FR"}, "fr"),
        ({"LANG": "ur_PK.UTF-8"}, "ur"),
        ({"LANG": "ar_SA.UTF-8@calendar"}, "ar"),
        ({"LC_ALL": "fa_IR", "LANG": "fr_FR.UTF-8"}, "fa"),
        ({"LC_MESSAGES": "tr_TR.UTF-8", "LANG": "el_GR.UTF-8"}, "tr"),
        ({"CORRIDOR_LANG": "it", "LC_ALL": "fr_FR.UTF-8"}, "it"),
        ({"CORRIDOR_LANG": "", "LC_ALL": "", "LANG": "el_GR.UTF-8"}, "el"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "POSIX", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"CORRIDOR_LANG": "xx", "LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_the_language_is_read_from_the_environment(environ: dict[str, str], lang: str) -> None:
    assert cli_language(environ) == lang


def test_corridor_lang_french(failing: Path) -> None:
    r = cli("mrz", "check", str(failing), env={"CORRIDOR_LANG": "fr"})
    assert r.exit_code == 1, r.output
    assert FRENCH in r.output and ENGLISH not in r.output


def test_posix_locale_french_without_corridor_lang(failing: Path) -> None:
    r = cli(
        "mrz",
        "check",
        str(failing),
        env={**NO_LOCALE, "CORRIDOR_LANG": None, "LANG": "fr_FR.UTF-8"},
    )
    assert r.exit_code == 1, r.output
    assert FRENCH in r.output and ENGLISH not in r.output


def test_the_corridor_command_speaks_it_too(failing: Path) -> None:
    """`python -m corridor` (the `corridor` script's `main()`), in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k not in ("CORRIDOR_LANG", *NO_LOCALE)}
    env |= {"LANG": "fr_FR.UTF-8", "COLUMNS": "250"}
    done = subprocess.run(
        [sys.executable, "-m", "corridor", "mrz", "check", str(failing)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert FRENCH in done.stdout and ENGLISH not in done.stdout


def test_a_language_without_a_catalogue_falls_back_to_english(failing: Path) -> None:
    r = cli("mrz", "check", str(failing), env={"CORRIDOR_LANG": "xx"})
    assert r.exit_code == 1, r.output
    assert ENGLISH in r.output and FRENCH not in r.output
    assert r.output.splitlines()[0] == "MRZ 1: TD3 INVALID, expired"


def test_json_is_the_same_in_every_language(failing: Path) -> None:
    outputs = {
        lang: cli("mrz", "check", "--json", str(failing), env={"CORRIDOR_LANG": lang}).stdout
        for lang in ("en", "fr", "ur", "xx")
    }
    assert len(set(outputs.values())) == 1
    (answer,) = (json.loads(line) for line in outputs["fr"].splitlines())
    failed = next(c for c in answer["checks"] if c["name"] == "birth_date")
    assert failed["detail"].startswith(ENGLISH)


def test_table_titles_in_french(tmp_path: Path) -> None:
    d = str(tmp_path / "node")
    made = cli(
        "init",
        "--data-dir",
        d,
        "--name",
        "Gendarmerie",
        "--org",
        "GN",
        "--country",
        "FR",
        env={"CORRIDOR_LANG": "fr"},
    )
    assert made.exit_code == 0, made.output
    english = cli("user", "list", "--data-dir", d, env={"CORRIDOR_LANG": "en"})
    french = cli("user", "list", "--data-dir", d, env={"CORRIDOR_LANG": "fr"})
    assert english.exit_code == french.exit_code == 0
    assert "Role" in english.output and "Unit" in english.output
    assert "Rôle" in french.output and "Unité" in french.output and "Role" not in french.output
    as_json = [
        cli("user", "list", "--json", "--data-dir", d, env={"CORRIDOR_LANG": lang}).stdout
        for lang in ("en", "fr")
    ]
    assert as_json[0] == as_json[1] and "admin@localhost" in as_json[0]


def test_the_language_does_not_outlive_the_command(failing: Path) -> None:
    cli("mrz", "check", str(failing), env={"CORRIDOR_LANG": "fr"})
    assert i18n.gettext("Name") == "Name"
