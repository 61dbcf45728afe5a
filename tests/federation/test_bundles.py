from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import InvalidInput, PermissionDenied, SignatureInvalid
from corridor.federation.bundles import export_bundle, import_bundle
from corridor.records.models import StoredRecord
from corridor.security.principal import CLI
from tests.federation.conftest import note


def origin_records(node, origin: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return {
            str(r.id): r.version
            for r in session.scalars(select(StoredRecord).where(StoredRecord.origin == origin))
        }


def test_a_bundle_carries_records_and_importing_twice_changes_nothing(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    ids = [note(a, [b.id], f"air-gapped {i}")["id"] for i in range(3)]
    data = json.dumps(export_bundle(a, actor=CLI, to=b.id)).encode()
    assert import_bundle(b, actor=CLI, data=data) == {"stored": 3}
    assert set(origin_records(b, a.id)) >= set(ids)
    assert import_bundle(b, actor=CLI, data=data) == {"duplicate": 3}


def test_forged_or_misaddressed_bundles_are_refused(pair, other_node) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    note(a, [b.id])
    bundle = export_bundle(a, actor=CLI, to=b.id)
    tampered = json.loads(json.dumps(bundle))
    tampered["items"][0]["record"]["body"]["text"] = "changed"
    with pytest.raises(SignatureInvalid):
        import_bundle(b, actor=CLI, data=json.dumps(tampered).encode())
    with pytest.raises(PermissionDenied):
        import_bundle(a, actor=CLI, data=json.dumps(bundle).encode())  # not for A
    for junk in (b"", b"[]", b'{"format": "other"}'):
        with pytest.raises(InvalidInput):
            import_bundle(b, actor=CLI, data=junk)
    assert origin_records(b, a.id) == {}


def test_bundle_cli(pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    note(a, [b.id])
    runner = CliRunner()
    f = tmp_path / "to-b.bundle"
    r = runner.invoke(
        app, ["bundle", "export", str(f), "--to", b.id, "--data-dir", str(a.config.data_dir)]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["bundle", "import", str(f), "--data-dir", str(b.config.data_dir)])
    assert r.exit_code == 0 and "1 stored" in r.output
    r = runner.invoke(
        app, ["bundle", "import", str(tmp_path / "missing"), "--data-dir", str(b.config.data_dir)]
    )
    assert r.exit_code == 2
