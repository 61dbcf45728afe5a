"""The fast import path: mapping in a forked worker while the main process writes, chunks
grouped into transactions, multi-row index inserts on SQLite, the paused cyclic collector, and
the shortcuts in cleaning (numeric dates, statement ids) that must give what FtM gives."""

from __future__ import annotations

import gc
import multiprocessing
import os
import uuid
from typing import Any

import pytest
from followthemoney.types import registry
from sqlalchemy import func, select, text

from corridor.entities import store
from corridor.entities.cases import service as cases
from corridor.entities.cases.schemas import CaseCreate
from corridor.entities.ftm import model
from corridor.entities.imports import columns as mapping
from corridor.entities.imports import runner
from corridor.entities.imports import service as imports
from corridor.entities.imports.models import ImportRun
from corridor.entities.models import Entity, EntityIndex, Statement
from corridor.entities.search import index as search_index
from corridor.entities.search import service as search
from corridor.errors import InvalidInput
from corridor.security.principal import CLI, SYSTEM

HEADER = "Passport,Name,Born,Nationality,Phone\n"
ROWS = [
    "AB1000001,Muhammad Asif Khan,02/03/1984,Pakistan,0300 1234567",
    "AB1000002,Ahmet Yilmaz,15/07/1979,Turkey,+90 532 123 45 67",
    ",,31/02/1990,Pakistan,",  # neither key (passport, name): refused
    "AB1000004,Irfan Ali,01/01/1990,Atlantis,",  # imported, the country kept as typed
    "AB1000005,Zia Ahmadi,05/05/1995,Afghanistan,0700 123 456",
    "AB1000001,Muhammad Asif Khan,02/03/1984,Pakistan,0301 7654321",  # same key as row 2
    "AB1000007,محمد آصف خان,1/1/1980,PK,",
    "AB1000008,Fatima Noor,09/09/1999,Pakistan,",
    "AB1000009,Ali Raza,10/10/1970,Iran,",
    "AB1000010,Omar Farooq,11/11/1981,Syria,",
]
CSV = (HEADER + "\n".join(ROWS) + "\n").encode()
MAPPING = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["Passport"],
            "properties": {
                "name": {"column": "Name"},
                "birthDate": {"column": "Born", "format": "%d/%m/%Y"},
                "nationality": {"column": "Nationality"},
                "passportNumber": {"column": "Passport"},
                "phone": {"column": "Phone"},
            },
        }
    }
}
FTM = b"\n".join(
    [
        b'{"id": "v1", "schema": "Vessel", "properties": {"name": ["Al Amal"]}}',
        b'{"id": "x1", "schema": "Nope", "properties": {}}',
        b'{"id": "a1", "schema": "UserAccount", "properties": {"username": ["@dunki"]}}',
        b'{"id": "p1", "schema": "Person", "properties": {"name": ["Bilal Ahmed"]}}',
    ]
)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 2 rows, transactions of 4: a 10-row file crosses every boundary."""
    monkeypatch.setattr(runner, "CHUNK", 2)
    monkeypatch.setattr(runner, "BATCH", 4)


def _case(node: Any, reference: str) -> uuid.UUID:
    with node.db.transaction() as s:
        return cases.create_case(
            s, actor=SYSTEM, data=CaseCreate(reference=reference, title="Import")
        ).id


def _start(node: Any, case_id: uuid.UUID, content: bytes, filename: str) -> uuid.UUID:
    with node.db.transaction() as s:
        run = imports.upload(
            s, node, actor=CLI, case_ref=str(case_id), filename=filename, content=content
        )
        run_id = run.id
    with node.db.transaction() as s:
        imports.start(
            s,
            node,
            actor=CLI,
            run_id=run_id,
            mapping_data=None if filename.endswith(".jsonl") else MAPPING,
            background=False,
        )
    return run_id


def _import(
    node: Any, case_id: uuid.UUID, content: bytes = CSV, filename: str = "people.csv"
) -> tuple[ImportRun, list[tuple[int, int]]]:
    seen: list[tuple[int, int]] = []
    run = runner.run_import(
        node, _start(node, case_id, content, filename), lambda d, t: seen.append((d, t))
    )
    return run, seen


def _stored(node: Any, case_id: uuid.UUID) -> dict[str, Any]:
    """What an import left, without the ids (they depend on the case)."""
    with node.db.reading() as s:
        ents = list(s.scalars(select(Entity).where(Entity.case_id == case_id)))
        ids = [e.id for e in ents]
        statements = s.scalar(
            select(func.count()).select_from(Statement).where(Statement.entity_id.in_(ids))
        )
        index = s.scalar(
            select(func.count()).select_from(EntityIndex).where(EntityIndex.case_id == case_id)
        )
    return {
        "entities": sorted((e.schema, e.caption, repr(sorted(e.properties.items()))) for e in ents),
        "statements": statements,
        "index": index,
    }


def _fts_in_step(node: Any) -> None:
    """Every index row is in the SQLite full-text index, and nothing else is."""
    if node.db.dialect != "sqlite":
        return
    with node.db.reading() as s:
        rows = s.scalar(text("SELECT count(*) FROM entity_index"))
        docs = s.scalar(text("SELECT count(*) FROM entity_fts_docsize"))
        assert rows == docs
        s.execute(text("INSERT INTO entity_fts(entity_fts) VALUES ('integrity-check')"))


def _summary(run: ImportRun) -> tuple[Any, ...]:
    errors = [(e["row"], e["reason"]) for e in run.errors]
    return run.state, run.rows_total, run.rows_done, run.rows_failed, run.entities, errors


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_and_in_process_imports_store_the_same(
    node, monkeypatch, small_chunks, workers
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", None)
    here, here_progress = _import(node, _case(node, "HERE-1"))
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0)
    # Each worker maps every n-th chunk of the five; the writer takes them in file order.
    monkeypatch.setattr(runner, "_worker_count", lambda: workers)
    forked = os.getpid()
    calls: list[int] = []
    real = runner._prepare_chunk
    monkeypatch.setattr(
        runner, "_prepare_chunk", lambda job, raw: calls.append(1) or real(job, raw)
    )
    worker_case = _case(node, "WORKER-1")
    there, there_progress = _import(node, worker_case)
    assert not calls and os.getpid() == forked  # mapped in the other process, not here
    assert _summary(there) == _summary(here)
    assert there.state == "done" and (there.rows_total, there.rows_failed) == (10, 1), there.errors
    # Row 4 has no key; row 5's Atlantis is kept as typed, the row imported.
    assert [(e["row"], e.get("kept", False)) for e in there.errors] == [(4, False), (5, True)]
    # Progress per transaction of BATCH rows, and the two rows with one key make one entity.
    assert there_progress == here_progress == [(4, 10), (8, 10), (10, 10)]
    assert _stored(node, worker_case) == _stored(node, here.case_id)
    khan = next(e for e in _stored(node, worker_case)["entities"] if "Asif Khan" in e[1])
    assert "+923001234567" in khan[2] and "+923017654321" in khan[2]
    _fts_in_step(node)
    with node.db.reading() as s:
        hits = search.search(
            s,
            actor=SYSTEM,
            node_id="n",
            q="Mohammed Asif Khan",
            case_id=worker_case,
            audit_it=False,
        )
        assert {h.entity.caption for h in hits.items} >= {"Muhammad Asif Khan", "محمد آصف خان"}
    # Again through the worker: nothing changes.
    before = _stored(node, worker_case)
    again, _ = _import(node, worker_case, CSV, "people-again.csv")
    assert again.state == "done" and _stored(node, worker_case) == before


def test_ftm_lines_through_the_worker(node, monkeypatch, small_chunks) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0)
    case_id = _case(node, "FTM-1")
    run, _ = _import(node, case_id, FTM, "seized.ftm.jsonl")
    assert (run.state, run.entities, run.rows_failed) == ("done", 3, 1)
    assert {e[0] for e in _stored(node, case_id)["entities"]} == {
        "Vessel",
        "UserAccount",
        "Person",
    }


def test_a_failing_worker_fails_the_run_and_a_rerun_completes_it(
    node, monkeypatch, small_chunks
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0)
    real = runner._prepare_chunk
    taken = [0]

    def fourth_chunk_fails(job: Any, raw: Any) -> Any:
        taken[0] += 1  # in the worker's memory
        if taken[0] == 4:
            raise RuntimeError("mapping bug")
        return real(job, raw)

    monkeypatch.setattr(runner, "_prepare_chunk", fourth_chunk_fails)
    case_id = _case(node, "FAIL-1")
    run_id = _start(node, case_id, CSV, "people.csv")
    with pytest.raises(runner.WorkerFailed, match="RuntimeError: mapping bug"):
        runner.run_import(node, run_id)
    with node.db.reading() as s:
        run = s.get(ImportRun, run_id)
        assert run is not None and run.state == "running" and run.rows_done == 4
    # The first transaction (rows 2-5: three imported) is stored; the second (chunks 3 and 4)
    # left nothing.
    assert len(_stored(node, case_id)["entities"]) == 3
    assert gc.isenabled()
    # Fixed: running it again resumes and finishes it, as a clean import would have.
    monkeypatch.setattr(runner, "_prepare_chunk", real)
    done = runner.run_import(node, run_id)
    clean_case = _case(node, "CLEAN-1")
    clean, _ = _import(node, clean_case)
    assert _summary(done) == _summary(clean)
    assert _stored(node, case_id) == _stored(node, clean_case)
    _fts_in_step(node)


def test_a_killed_worker_and_a_refused_file(node, monkeypatch, small_chunks) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0)
    real = runner._prepare_chunk
    taken = [0]

    def dies(job: Any, raw: Any) -> Any:
        taken[0] += 1
        if taken[0] == 2:
            os._exit(3)
        return real(job, raw)

    monkeypatch.setattr(runner, "_prepare_chunk", dies)
    run_id = _start(node, _case(node, "KILL-1"), CSV, "people.csv")
    with pytest.raises(runner.WorkerFailed, match="exit code 3"):
        runner.run_import(node, run_id)
    # Domain errors from the worker come back as themselves: before anything is committed they
    # fail the run with their reason, after that they are raised.

    def refuses(job: Any, raw: Any) -> Any:
        raise InvalidInput("the file changed under the import")

    monkeypatch.setattr(runner, "_prepare_chunk", refuses)
    case_id = _case(node, "KILL-2")
    run = runner.run_import(node, _start(node, case_id, CSV, "people.csv"))
    assert (run.state, run.error) == ("failed", "the file changed under the import")
    assert _stored(node, case_id)["entities"] == []

    def refuses_third_chunk(job: Any, raw: Any) -> Any:
        if raw[0][0] == 6:  # rows 6 and 7: the first transaction (rows 2-5) is committed
            raise InvalidInput("the file changed under the import")
        return real(job, raw)

    monkeypatch.setattr(runner, "_prepare_chunk", refuses_third_chunk)
    case_id = _case(node, "KILL-5")
    with pytest.raises(InvalidInput, match="changed under"):
        runner.run_import(node, _start(node, case_id, CSV, "people.csv"))
    assert len(_stored(node, case_id)["entities"]) == 3
    # A file that cannot be read to its end (found by the check this process makes while the
    # worker already maps) fails the run with nothing stored, and the worker is stopped.
    monkeypatch.setattr(runner, "_prepare_chunk", real)

    def unreadable(job: Any) -> int:
        raise InvalidInput("the workbook is damaged after row 5")

    monkeypatch.setattr(runner, "_check_readable", unreadable)
    case_id = _case(node, "KILL-3")
    run, _ = _import(node, case_id)
    assert (run.state, run.error) == ("failed", "the workbook is damaged after row 5")
    assert _stored(node, case_id)["entities"] == []
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("corridor-imp")]


def test_one_of_two_workers_killed_stops_the_import(node, monkeypatch, small_chunks) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(runner, "_worker_count", lambda: 2)
    real = runner._prepare_chunk

    def second_chunk_kills(job: Any, raw: Any) -> Any:
        if raw[0][0] == 4:  # the second chunk (rows 4 and 5), the second worker's first
            os._exit(9)
        return real(job, raw)

    monkeypatch.setattr(runner, "_prepare_chunk", second_chunk_kills)
    case_id = _case(node, "KILL-4")
    run_id = _start(node, case_id, CSV, "people.csv")
    with pytest.raises(runner.WorkerFailed, match="exit code 9"):
        runner.run_import(node, run_id)
    assert _stored(node, case_id)["entities"] == []  # the first transaction never committed
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("corridor-imp")]
    monkeypatch.setattr(runner, "_prepare_chunk", real)
    assert runner.run_import(node, run_id).state == "done"


@pytest.mark.parametrize("forked", [False, True])
def test_files_without_data_rows(node, monkeypatch, forked) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", 0 if forked else None)
    run, seen = _import(node, _case(node, f"EMPTY-{int(forked)}"), HEADER.encode())
    assert (run.state, run.rows_total, run.rows_done, run.entities, seen) == ("done", 0, 0, 0, [])


def test_worker_count_leaves_the_writer_a_core(monkeypatch: pytest.MonkeyPatch) -> None:
    for cpus, workers in ((1, 1), (2, 1), (3, 2), (16, runner.MAX_WORKERS)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid, n=cpus: set(range(n)))
        assert runner._worker_count() == workers


def test_index_rows_in_several_multi_row_inserts(node, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Two rows per INSERT: the chunking by the driver's variable limit is exercised.
    monkeypatch.setattr(search_index, "_sqlite_variable_limit", lambda conn: 25)
    monkeypatch.setattr(runner, "WORKER_MIN_BYTES", None)
    case_id = _case(node, "INDEX-1")
    run, _ = _import(node, case_id)
    assert run.state == "done"
    stored = _stored(node, case_id)
    assert stored["index"] == len(stored["entities"]) == 8
    _fts_in_step(node)
    with node.db.reading() as s:
        hits = search.search(
            s, actor=SYSTEM, node_id="n", q="Omar Farooq", case_id=case_id, audit_it=False
        )
        assert [h.entity.caption for h in hits.items] == ["Omar Farooq"]


def test_the_collector_is_paused_during_imports_and_restored() -> None:
    assert gc.isenabled()
    with runner._collector_paused() as young, runner._collector_paused():
        assert not gc.isenabled()
        young()
    assert gc.isenabled()
    gc.disable()
    try:
        with runner._collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_transactions_group_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH", 5)
    chunks = iter([[(i, [])] * n for i, n in enumerate([2, 2, 2, 3, 1, 1])])
    groups = [[len(c) for c in group] for group in runner._transactions(chunks)]  # type: ignore[arg-type]
    assert groups == [[2, 2, 2], [3, 1, 1]]


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y%m%d"])
def test_numeric_dates_read_as_ftm_reads_them(fmt: str) -> None:
    values = [
        "02/03/1984", "2/3/1984", "31/02/1990", "29/02/2000", "29/02/1900", "00/01/2020",
        "13/13/2020", "1984/03/02", "1984-03-02", "1984-3-2", "02.03.1984", "19840302",
        "02/03/84", "002/03/1984", " 2/03/1984", "٠٢/٠٣/١٩٨٤", "01/01/0999", "31/12/9999",
        "12/31/1999", "1999-12-31", "31.12.1999", "2/3/1984 ", "",
    ]  # fmt: skip
    for value in values:
        assert mapping._clean_date(value, fmt) == registry.date.clean(value, format=fmt), value


def test_statement_ids_are_the_ones_the_store_has_always_used() -> None:
    proxy = model.get_proxy(
        {
            "id": "e1",
            "schema": "Person",
            "properties": {"name": ["Muhammad Asif", "محمد آصف"], "birthDate": ["1984-03-02"]},
        }
    )
    source = store.Source("import", "f" * 64, "people.csv")
    prepared = store.prepare(proxy, source, "PK")
    assert prepared.statements == sorted(
        (store.statement_id("e1", p.name, v, source), p.name, v) for p, v in proxy.itervalues()
    )
    assert prepared.properties == proxy.properties
    assert prepared.terms == search_index.index_row(proxy, "PK")
    keys = set(prepared.terms["keys"].split())
    # The exact keys; the loose keys and letter pairs (q…) serve search's later passes.
    assert {k for k in keys if not k.startswith("q")} == {"mhmd", "asf"}
    assert {"qcmt", "qcasb", "qgmt", "qhm", "qgas"} <= keys
    assert prepared.terms["first_date"] == prepared.terms["last_date"] == "1984-03-02"
