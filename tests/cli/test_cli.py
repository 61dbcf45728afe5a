from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from corridor.cli.main import app

runner = CliRunner()


def cli(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input, env={"COLUMNS": "250"})


@pytest.fixture
def data_dir(tmp_path):  # type: ignore[no-untyped-def]
    d = tmp_path / "node"
    r = cli(
        "init",
        "--data-dir",
        str(d),
        "--name",
        "Hellenic Coast Guard",
        "--org",
        "HCG",
        "--country",
        "GRC",
        "--url",
        "http://127.0.0.1:9000",
    )
    assert r.exit_code == 0, r.output
    assert "one-time password" in r.output
    return d


def test_init_twice_refuses(data_dir) -> None:  # type: ignore[no-untyped-def]
    r = cli("init", "--data-dir", str(data_dir), "--name", "X", "--org", "Y", "--country", "TR")
    assert r.exit_code == 2 and "already holds a node" in r.output


def test_data_dir_from_environment(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CORRIDOR_HOME", str(tmp_path / "env-node"))
    assert cli("init", "--name", "X", "--org", "Y", "--country", "TR").exit_code == 0
    r = cli("node", "info")
    assert r.exit_code == 0 and "TR" in r.output


def test_commands_on_a_missing_node_explain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = cli("user", "list", "--data-dir", str(tmp_path / "nothing"))
    assert r.exit_code == 2 and "corridor init" in r.output


def test_user_lifecycle(data_dir) -> None:  # type: ignore[no-untyped-def]
    d = str(data_dir)
    r = cli(
        "user",
        "add",
        "inv@hcg.example",
        "--role",
        "investigator",
        "--password-stdin",
        "--data-dir",
        d,
        input="a long enough password\n",
    )
    assert r.exit_code == 0, r.output
    r = cli("user", "add", "liaison@hcg.example", "--role", "liaison_officer", "--data-dir", d)
    assert r.exit_code == 0 and "one-time password" in r.output
    r = cli("user", "add", "x@hcg.example", "--role", "emperor", "--data-dir", d)
    assert r.exit_code != 0
    r = cli(
        "user",
        "add",
        "y@hcg.example",
        "--role",
        "viewer",
        "--password-stdin",
        "--data-dir",
        d,
        input="short\n",
    )
    assert r.exit_code == 2 and "12 characters" in r.output
    r = cli(
        "user",
        "add",
        "inv@hcg.example",
        "--role",
        "viewer",
        "--password-stdin",
        "--data-dir",
        d,
        input="a long enough password\n",
    )
    assert r.exit_code == 2 and "already exists" in r.output
    users = [
        json.loads(line)
        for line in cli("user", "list", "--json", "--data-dir", d).output.splitlines()
    ]
    assert {u["email"] for u in users} == {
        "admin@localhost",
        "inv@hcg.example",
        "liaison@hcg.example",
    }
    assert cli("user", "disable", "inv@hcg.example", "--data-dir", d).exit_code == 0
    users = [
        json.loads(line)
        for line in cli("user", "list", "--json", "--data-dir", d).output.splitlines()
    ]
    assert next(u for u in users if u["email"] == "inv@hcg.example")["disabled"] is True
    r = cli("user", "disable", "admin@localhost", "--data-dir", d)
    assert r.exit_code == 2 and "last active administrator" in r.output


def test_units_and_tokens(data_dir) -> None:  # type: ignore[no-untyped-def]
    d = str(data_dir)
    assert cli("unit", "add", "Maritime Unit", "--data-dir", d).exit_code == 0
    r = cli(
        "user",
        "add",
        "a@hcg.example",
        "--role",
        "analyst",
        "--unit",
        "Maritime Unit",
        "--password-stdin",
        "--data-dir",
        d,
        input="a long enough password\n",
    )
    assert r.exit_code == 0, r.output
    r = cli(
        "token", "create", "a@hcg.example", "--scope", "read", "--scope", "write", "--data-dir", d
    )
    assert r.exit_code == 0
    token = r.stdout.strip().splitlines()[0]
    assert token.startswith("cor_")
    assert (
        cli("token", "create", "a@hcg.example", "--scope", "root", "--data-dir", d).exit_code != 0
    )
    listing = cli("token", "list", "--json", "--data-dir", d).output
    assert token not in listing
    (row,) = [json.loads(line) for line in listing.splitlines()]
    assert row["user"] == "a@hcg.example" and row["scopes"] == ["read", "write"]
    assert token.startswith(row["prefix"])
    assert cli("token", "revoke", "not-a-uuid", "--data-dir", d).exit_code == 2


def test_audit_verify_detects_tampering(data_dir) -> None:  # type: ignore[no-untyped-def]
    d = str(data_dir)
    r = cli("audit", "verify", "--data-dir", d)
    assert r.exit_code == 0 and "intact" in r.output
    exported = cli("audit", "export", "--data-dir", d).stdout.splitlines()
    assert exported and all(json.loads(line)["hash"] for line in exported)
    with sqlite3.connect(data_dir / "corridor.db") as conn:
        conn.execute("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 2")
    r = cli("audit", "verify", "--data-dir", d)
    assert r.exit_code == 1 and "broken at entry 2" in r.output


def test_db_upgrade_is_idempotent(data_dir) -> None:  # type: ignore[no-untyped-def]
    r = cli("db", "upgrade", "--data-dir", str(data_dir))
    assert r.exit_code == 0 and "migration" in r.output
