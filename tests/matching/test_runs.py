"""Runs: a list parsed line by line (errors name the line), a whole case checked, and a
watched case's new entities checked automatically, the owner told of the hits."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from corridor.config import MatchingLimits
from corridor.cooperation.notifications.models import Notification
from corridor.errors import InvalidInput
from corridor.matching import runs
from corridor.matching.models import CheckRun
from corridor.security import service as security
from corridor.security.principal import principal_for
from tests.entities.partners import add
from tests.entities.test_api import bearer
from tests.matching.test_check import PHONE


def test_lines_are_read_and_mistakes_named_by_line() -> None:
    got = runs.parse_lines(f"phone, {PHONE}\nTariq Mehmood; 1984\n\ndocument\tAB1234567\tPK")
    assert got == [
        {"type": "phone", "value": PHONE},
        {"type": "name", "value": "Tariq Mehmood", "birth_year": 1984},
        {"type": "document", "value": "AB1234567", "country": "PK"},
    ]
    with pytest.raises(InvalidInput, match="line 2: 'xyz' is neither"):
        runs.parse_lines("phone, 1\nname, Ali Khan, xyz")
    with pytest.raises(InvalidInput, match="line 1: give a value"):
        runs.parse_lines("phone,")


def test_a_watched_case_checks_its_new_entities(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    b, to_b, hb = b_calls_a["b"], b_calls_a["to_b"], b_calls_a["hb"]
    case = to_b.post("/api/v1/cases", headers=hb, json={"reference": "JV-1", "title": "Van"}).json()
    with b.db.transaction() as s:
        user = security.find_user(s, "inv@b.example")
        runs.watch(s, actor=principal_for(user, kind="session"), ref=case["id"], on=True)
    assert runs.check_watched(b) == 0  # nothing new yet
    add(to_b, hb, case["id"], "Person", name=["T. Mehmood"], phone=["+92 300 1234567"])
    assert runs.check_watched(b) == 1
    with b.db.reading() as s:
        run = s.scalars(select(CheckRun)).one()
    runs.run_chunks(b, run.id)
    with b.db.reading() as s:
        run = s.get(CheckRun, run.id)
        assert run.state == "done" and run.kind == "new" and run.hits == 1
        told = s.scalars(select(Notification).where(Notification.kind == "matching.run")).all()
        assert [n.link for n in told] == [f"/matching/runs/{run.id}"]
    assert runs.check_watched(b) == 0  # already checked


def test_runs_through_the_api(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    b, to_b, hb = b_calls_a["b"], b_calls_a["to_b"], b_calls_a["hb"]
    r = to_b.post("/api/v1/matching/runs", headers=hb, json={})
    assert r.status_code == 422 and "either selectors or a case" in r.text
    r = to_b.post(
        "/api/v1/matching/runs",
        headers=hb,
        json={"selectors": [{"type": "phone", "value": PHONE}, {"type": "imo", "value": "1"}]},
    )
    assert r.status_code == 422 and "selectors[1].value" in r.text  # refused before it runs
    r = to_b.post(
        "/api/v1/matching/runs",
        headers=hb,
        json={"selectors": [{"type": "phone", "value": "0300 1234567", "country": "pk"}]},
    )
    assert r.status_code == 202 and r.json()["state"] == "queued", r.text
    run_id = r.json()["id"]
    runs.run_chunks(b, uuid.UUID(run_id))
    done = to_b.get(f"/api/v1/matching/runs/{run_id}", headers=hb).json()
    assert done["state"] == "done" and done["hits"] == 1
    selector = done["results"][0]["selector"]
    assert (selector["value"], selector["country"]) == ("0300 1234567", "PK")
    assert done["results"][0]["hits"][0]["node"] == b_calls_a["a"].id
    other, _ = bearer(b, "investigator", "x@b.example")
    assert to_b.get(f"/api/v1/matching/runs/{run_id}", headers=other).status_code == 404


def test_arabic_script_separators_are_read() -> None:
    assert runs.parse_lines("name، طارق محمود، 1984\nphone؛ 0300 1234567؛ PK") == [
        {"type": "name", "value": "طارق محمود", "birth_year": 1984},
        {"type": "phone", "value": "0300 1234567", "country": "PK"},
    ]


def test_a_run_waits_for_a_partners_minute_instead_of_losing_its_answers(
    b_calls_a, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    a, b, to_b, hb = b_calls_a["a"], b_calls_a["b"], b_calls_a["to_b"], b_calls_a["hb"]
    limits = MatchingLimits(per_minute=1, per_day=1000)
    monkeypatch.setattr(a, "config", dataclasses.replace(a.config, matching=limits))
    waited: list[float] = []

    def wait(seconds: float) -> None:  # the minute passes: A's limit is lifted
        waited.append(seconds)
        monkeypatch.setattr(a, "config", dataclasses.replace(a.config, matching=MatchingLimits()))

    monkeypatch.setattr(runs.time, "sleep", wait)
    r = to_b.post(
        "/api/v1/matching/runs",
        headers=hb,
        json={
            "selectors": [{"type": "phone", "value": PHONE}, {"type": "imo", "value": "9074729"}]
        },
    )
    runs.run_chunks(b, uuid.UUID(r.json()["id"]))
    done = to_b.get(f"/api/v1/matching/runs/{r.json()['id']}", headers=hb).json()
    assert waited == [runs.RETRY_WAIT] and done["hits"] == 2
