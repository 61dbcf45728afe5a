"""`corridor import` and `corridor export` on the command line (the operator's tools)."""

from __future__ import annotations

import json

from corridor.entities.cases import service as cases
from corridor.entities.cases.schemas import CaseCreate
from corridor.node.service import open_node
from corridor.security.principal import SYSTEM
from tests.cli.test_cli import cli, data_dir  # noqa: F401 - fixture

CSV = "Name,Date of birth,Mobile\nMuhammad Asif Khan,1984-03-02,210 123 4567\nNo date,yesterday,\n"


def make_case(path) -> None:  # type: ignore[no-untyped-def]
    node = open_node(path)
    with node.db.transaction() as s:
        cases.create_case(s, actor=SYSTEM, data=CaseCreate(reference="HCG-1", title="T"))
    node.close()


def test_import_reports_rows_and_is_idempotent(data_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    make_case(data_dir)
    f = tmp_path / "list.csv"
    f.write_text(CSV, encoding="utf-8")
    r = cli("import", str(f), "--case", "HCG-1", "--data-dir", str(data_dir))
    assert r.exit_code == 0, r.output
    assert "mapping by column names" in r.output
    # The row with a date that is no date is imported, the value kept as typed.
    assert "2 rows read, 2 entities stored, 0 rows refused, 1 value kept as typed" in r.output
    assert "row 3, column Date of birth: 'yesterday' is not a date" in r.output
    again = cli("import", str(f), "--case", "HCG-1", "--data-dir", str(data_dir))
    assert again.exit_code == 0 and "2 entities stored" in again.output
    m = tmp_path / "m.json"
    m.write_text(
        json.dumps(
            {
                "entities": {
                    "p": {
                        "schema": "Person",
                        "keys": ["Nope"],
                        "properties": {"name": {"column": "Nope"}},
                    }
                }
            }
        )
    )
    bad = cli("import", str(f), "--case", "HCG-1", "--mapping", str(m), "--data-dir", str(data_dir))
    assert bad.exit_code != 0 and "Nope" in bad.output
    missing = cli("import", str(f), "--case", "NO-SUCH", "--data-dir", str(data_dir))
    assert missing.exit_code != 0 and "no case" in missing.output
    r = cli("export", "--case", "HCG-1", "--format", "ftm", "--data-dir", str(data_dir))
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    # The node is Greek: the national number was read in the Greek plan.
    phones = [x["properties"].get("phone") for x in lines]
    assert sorted(phones, key=str) == [None, ["+302101234567"]]  # the other row has none
