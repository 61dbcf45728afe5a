"""The importers, one layout each, on small files written the way the sources write them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import InvalidInput
from corridor.node.service import Node
from corridor.risk import service
from corridor.risk.models import Dataset, IndicatorRow
from corridor.risk.sources import SOURCES, eurostat, frontex, iom, mapped
from corridor.risk.sources.common import Figure, country_code
from corridor.security.principal import CLI
from corridor.tabular.rows import RowError


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _split(items: object) -> tuple[list[Figure], list[RowError]]:
    figures = [i for i in items if isinstance(i, Figure)]  # type: ignore[attr-defined]
    errors = [i for i in items if isinstance(i, RowError)]  # type: ignore[attr-defined]
    return figures, errors


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Syria", "SYR"),
        ("Syrian Arab Republic", "SYR"),
        ("Türkiye", "TUR"),
        ("Côte d'Ivoire", "CIV"),
        ("Kosovo*", "XKX"),
        ("Not specified", "OOO"),
        ("Unspecified sub-Saharan nationals", "OOS"),
        ("Stateless", "STL"),
        ("pak", "PAK"),
        ("AF", "AFG"),
        ("Congo (Democratic Republic of the)", "COD"),
        ("Iran (Islamic Republic of)", "IRN"),
    ],
)
def test_countries_by_code_or_english_name(name: str, code: str) -> None:
    assert country_code(name, "nationality") == code


def test_an_unknown_country_names_the_column() -> None:
    with pytest.raises(ValueError, match="Citizenship: 'Narnia'"):
        country_code("Narnia", "Citizenship")


def test_the_wide_layout_as_csv_with_a_title_above(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "ibc.csv",
        "Detections of illegal border-crossings,,,,\n"
        "Route,Border type or inland,Nationality,JAN2009,FEB2009\n"
        "Eastern Mediterranean Route,Sea,Syria,10,0\n"
        "Eastern Mediterranean Route,Land,Narnia,1,2\n"
        "Western Balkan Route,Land,Kosovo*,,5\n"
        "Western Balkan Route,Land,Albania,x,5\n",
    )
    figures, errors = _split(list(frontex.read_wide(path)))
    assert [(f.route, f.border_type, f.nationality, f.month, f.value) for f in figures] == [
        ("Eastern Mediterranean Route", "sea", "SYR", 1, 10.0),
        ("Western Balkan Route", "land", "XKX", 2, 5.0),
        ("Western Balkan Route", "land", "ALB", 2, 5.0),
    ]
    assert [(e.row, e.column) for e in errors] == [(4, "Nationality"), (6, "JAN2009")]


def test_the_wide_layout_needs_its_header(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Route"):
        list(frontex.read_wide(_write(tmp_path, "x.csv", "a,b\n1,2\n")))


def test_iom_current_export(tmp_path: Path) -> None:
    header = (
        "Main ID,Incident ID,Incident Type,Region of Incident,Incident Date,Incident Year,Month,"
        "Number of Dead,Minimum Estimated Number of Missing,Total Number of Dead and Missing,"
        "Number of Survivors,Number of Females,Number of Males,Number of Children,"
        "Country of Origin,Region of Origin,Cause of Death,Country of Incident,Migration Route,"
        "Location of Incident,Coordinates,UNSD Geographical Grouping,Information Source,URL,"
        "Source Quality\n"
    )
    rows = (
        "2023.MMP001,2023.MMP001,Incident,Mediterranean,2023-06-14,2023,Jun,82,500,582,104,,,,"
        '"Pakistan,Syrian Arab Republic,Egypt",Southern Asia,Drowning,Greece,'
        'Central Mediterranean Route,Off Pylos,"36.9, 21.1",Southern Europe,'
        "Hellenic Coast Guard,,5\n"
        "2023.MMP002,2023.MMP002,Incident,Europe,2023-07-01,2023,Jul,1,,1,,,1,,Afghanistan,"
        'Southern Asia,Violence,Atlantis,,Evros,"41.5, 26.5",Southern Europe,,,3\n'
        "2023.MMP003,2023.MMP003,Incident,Europe,not a date,2023,Jul,1,,1,,,,,,,,,,,,,,,\n"
    )
    figures, errors = _split(list(iom.read(_write(tmp_path, "mmp.csv", header + rows))))
    pylos, evros = figures
    assert (pylos.value, pylos.country, pylos.nationality, pylos.lat, pylos.lon) == (
        582.0, "GRC", None, 36.9, 21.1,
    )  # fmt: skip
    assert pylos.detail == {
        "id": "2023.MMP001",
        "incident_type": "Incident",
        "cause": "Drowning",
        "survivors": 104.0,
        "location": "Off Pylos",
        "region": "Mediterranean",
        "origins": ["PAK", "SYR", "EGY"],
    }
    assert (evros.country, evros.nationality) == (None, "AFG")
    assert [(e.row, e.column, e.kept) for e in errors] == [
        (3, "Country of Incident", True),
        (4, "Incident Date", False),
    ]


def test_iom_export_of_2020(tmp_path: Path) -> None:
    text = (
        '"Web ID","Region of Incident","Reported Date","Reported Year","Reported Month",'
        '"Number Dead","Minimum Estimated Number of Missing","Total Dead and Missing",'
        '"Number of Survivors","Number of Females","Number of Males","Number of Children",'
        '"Cause of Death","Location Description","Information Source","Location Coordinates",'
        '"Migration Route","URL","UNSD Geographical Grouping","Source Quality"\n'
        '"52799","Mediterranean","January 25, 2020","2020","Jan","","5","5","1","","","",'
        '"Presumed drowning","Off Mersin, Turkey","Turkish Coast Guard",'
        '"36.751170397979, 34.646668995149","Eastern Mediterranean","","Uncategorized","5"\n'
        '"52800","Mediterranean","January 26, 2020","2020","Jan","2","","2","","","","",'
        '"Drowning","Somewhere","","37, 999","","","",""\n'
    )
    figures, errors = _split(list(iom.read(_write(tmp_path, "old.csv", text))))
    first, second = figures
    assert (first.year, first.month, first.day, first.value) == (2020, 1, 25, 5.0)
    assert (first.route, round(first.lat or 0, 2), round(first.lon or 0, 2)) == (
        "Eastern Mediterranean", 36.75, 34.65,
    )  # fmt: skip
    assert (second.lat, second.lon) == (None, None)
    assert [(e.row, e.column, e.kept) for e in errors] == [(3, "Location Coordinates", True)]
    assert first.key() != second.key()


def test_eurostat_sdmx_download(tmp_path: Path) -> None:
    text = (
        "DATAFLOW,LAST UPDATE,freq,unit,citizen,sex,applicant,age,geo,TIME_PERIOD,OBS_VALUE,"
        "OBS_FLAG\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,AF,F,FRST,TOTAL,EL,2023,1200,\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,AF,T,FRST,TOTAL,EL,2023,4000,\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,AF,F,NASY_APP,TOTAL,EL,2023,1300,\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,AF,F,FRST,Y_LT14,EL,2023,300,\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,TOTAL,F,FRST,TOTAL,EU27_2020,2023,90000,\n"
        "ESTAT:MIGR_ASYAPPCTZA(1.0),01/01/25,A,PER,SY,M,FRST,TOTAL,DE,2023,:,\n"
    )
    figures, errors = _split(list(eurostat.read(_write(tmp_path, "estat.csv", text))))
    assert errors == []
    assert [(f.country, f.nationality, f.sex, f.value, f.aggregate) for f in figures] == [
        ("GRC", "AFG", "female", 1200.0, False),
        ("GRC", "AFG", None, 4000.0, True),
        ("EU27", "TOTAL", "female", 90000.0, True),
    ]


def test_a_mapping_names_what_is_wrong(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.csv", "when,n\n2024-01,3\n")
    with pytest.raises(InvalidInput, match="mapping: unknown field"):
        list(mapped.read(path, {"colour": "n"}))
    with pytest.raises(InvalidInput, match="no column for indicator"):
        list(mapped.read(path, {"period": "when", "value": "n"}))
    with pytest.raises(InvalidInput, match=r"mapping\.route: the file has no column 'Route'"):
        list(mapped.read(path, {"indicator": "returns", "period": "when", "value": "n",
                                "route": "Route"}))  # fmt: skip
    figures, _ = _split(
        list(mapped.read(path, {"indicator": "Returns", "period": "when", "value": "n"}))
    )
    assert [(f.indicator, f.year, f.month, f.value) for f in figures] == [("returns", 2024, 1, 3)]


def test_periods_a_mapped_table_may_use(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "p.csv",
        "indicator,period,value\nx_y,2024,1\nx_y,SEP2024,1\nx_y,2024-09-02,1\nx_y,2024-W37,1\n",
    )
    figures, errors = _split(list(mapped.read(path, None)))
    assert errors == []
    assert [(f.year, f.month, f.day) for f in figures] == [
        (2024, None, None), (2024, 9, None), (2024, 9, 2), (2024, 9, 9),
    ]  # fmt: skip


def test_repeated_rows_are_refused_naming_the_first(node: Node, tmp_path: Path) -> None:
    path = _write(
        tmp_path, "r.csv", "indicator,period,value\nreturns,2024-01,3\nreturns,2024-01,4\n"
    )
    with node.db.transaction() as session:
        run = service.import_file(session, actor=CLI, path=path, source="csv")
    assert run.rows_stored == 1
    assert run.errors[0]["row"] == 3 and "repeats row 2" in run.errors[0]["error"]


def test_an_unreadable_file_stores_nothing(
    node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, _mapping: object):  # type: ignore[no-untyped-def]
        for month in range(1, 13):
            yield Figure("returns", 2024, 1.0, month=month, row=month + 1)
        raise InvalidInput("the workbook is damaged after row 13")

    monkeypatch.setitem(
        SOURCES, "csv", SOURCES["csv"].__class__(**{**SOURCES["csv"].__dict__, "read": broken})
    )
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        service.import_file(session, actor=CLI, path=tmp_path / "any.csv", source="csv")
    with node.db.reading() as session:
        assert session.query(IndicatorRow).count() == 0
        assert session.query(Dataset).count() == 0


def test_the_cli_imports_and_reports(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "detections.csv"
    path.write_text(
        "route,border_type,nationality_iso3,month,detections\n"
        "Eastern Mediterranean Route,sea,SYR,2015-09,100\n"
        "Eastern Mediterranean Route,sea,SYR,2015-13,1\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = [
        "indicators",
        "import",
        str(path),
        "--source",
        "frontex-ibc",
        "--data-dir",
        str(node.config.data_dir),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 figure stored, 1 row refused (dataset frontex-ibc)" in result.output
    assert "row 3: month: '2015-13' is not a month" in result.output
    result = runner.invoke(app, [a if a != "frontex-ibc" else "frontex" for a in args])
    assert result.exit_code != 0 and "source" in result.output
    # Labels: the dataset's TLP and purpose set at import (the operator may choose any
    # purpose); a RED dataset or an unknown purpose is refused by name, nothing changed.
    result = runner.invoke(app, [*args, "--tlp", "tlp:amber", "--purpose", "enforcement"])
    assert result.exit_code == 0, result.output
    with node.db.reading() as session:
        ds = session.get(Dataset, "frontex-ibc")
        assert ds is not None and (ds.tlp, ds.purpose) == ("AMBER", "enforcement")
    for bad, field in ((["--tlp", "red"], "tlp"), (["--purpose", "gossip"], "purpose")):
        result = runner.invoke(app, [*args, *bad])
        assert result.exit_code != 0 and field in result.output, result.output
    with node.db.reading() as session:
        ds = session.get(Dataset, "frontex-ibc")
        assert ds is not None and (ds.tlp, ds.purpose) == ("AMBER", "enforcement")
