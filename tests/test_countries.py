"""Country codes and names: one module for the node, the map, the directory and alerts, with
Kosovo's user-assigned XK accepted everywhere, `corridor init` included."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from corridor import countries
from corridor.cli.main import app
from corridor.config import load_config
from corridor.errors import InvalidInput
from corridor.node.service import init_node


@pytest.mark.parametrize(
    ("value", "code"),
    [("pk", "PK"), ("PAK", "PK"), (" gr ", "GR"), ("grc", "GR"), ("XK", "XK"), ("xkx", "XK")],
)
def test_alpha2_and_alpha3_in_any_case(value: str, code: str) -> None:
    assert countries.normalise(value) == code
    assert countries.is_country(value)


@pytest.mark.parametrize("value", ["ZZ", "", "   ", "Pakistan", "P K", "AA", "ÅL", "XKK", "XA"])
def test_anything_else_is_refused_by_its_value(value: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        countries.normalise(value)
    if value.strip():
        assert repr(value) in exc.value.detail
    assert not countries.is_country(value)


def test_non_text_and_long_values_are_refused_briefly() -> None:
    with pytest.raises(InvalidInput, match="586"):
        countries.normalise(586)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as exc:
        countries.normalise("x" * 10_000)
    assert len(exc.value.detail) < 200


def test_names_prefer_common_names_and_name_kosovo() -> None:
    assert countries.country_name("IR") == "Iran"
    assert countries.country_name("syr") == "Syria"
    assert countries.country_name("PAK") == "Pakistan"
    assert countries.country_name("XK") == "Kosovo"
    with pytest.raises(InvalidInput):
        countries.country_name("ZZ")


def test_names_in_the_readers_language() -> None:
    assert countries.country_name("DE", "fr") == "Allemagne"
    assert countries.country_name("XK", "ar") == "كوسوفو"
    assert countries.country_name("GR", "el") == "Ελλάδα"
    # A language CLDR does not know reads the English name.
    assert countries.country_name("IR", "zz") == "Iran"


class _Place(BaseModel):
    country: countries.CountryCode


def test_a_model_field_normalises_and_names_the_bad_code() -> None:
    assert _Place(country="xkx").country == "XK"
    with pytest.raises(ValidationError, match="unknown country code 'ZZ'"):
        _Place(country="ZZ")
    assert countries.field_values(["pk", "PAK", "ir"]) == ["PK", "IR"]


def test_a_kosovar_node_can_be_created(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = init_node(tmp_path / "xk", name="Kosovo Police", org="KP", country="xkx")
    try:
        assert result.node.config.country == "XK"
    finally:
        result.node.close()


def _cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_corridor_init_takes_xk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = str(tmp_path / "node")
    r = _cli(
        "init", "--data-dir", target, "--name", "Kosovo Police", "--org", "KP", "--country", "XK"
    )
    assert r.exit_code == 0, r.output
    assert load_config(tmp_path / "node").country == "XK"
    info = _cli("node", "info", "--data-dir", target)
    assert info.exit_code == 0 and "XK" in info.output
    other = str(tmp_path / "other")
    bad = _cli("init", "--data-dir", other, "--name", "X", "--org", "Y", "--country", "Kosovo")
    assert bad.exit_code == 2 and "unknown country code" in bad.output
