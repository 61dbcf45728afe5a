"""The shared Pydantic building blocks (corridor.schemas) and the entities' answer base."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from corridor.entities.cases.schemas import TaskOut
from corridor.schemas import CountryCodes, trimmed_texts


class Texts(BaseModel):
    items: Annotated[list[str], trimmed_texts(5, "each item has 1-5 characters")]
    countries: CountryCodes = []


def test_trimmed_texts_strip_each_and_refuse_empty_or_long() -> None:
    assert Texts(items=[" a ", "bcdef"]).items == ["a", "bcdef"]
    for bad in ([" "], ["abcdef"]):
        with pytest.raises(ValidationError) as refused:
            Texts(items=bad)
        (error,) = refused.value.errors()
        assert error["loc"] == ("items",) and "each item has 1-5 characters" in error["msg"]


def test_country_codes_normalised_once_each() -> None:
    assert Texts(items=[], countries=["pk", "PAK", "tr"]).countries == ["PK", "TR"]
    with pytest.raises(ValidationError):
        Texts(items=[], countries=["ZZ"])


def test_answer_from_row_with_computed_fields() -> None:
    now = datetime(2026, 1, 31, tzinfo=UTC)
    row = SimpleNamespace(
        id=uuid.uuid4(),
        title="t",
        details="",
        owner=None,
        due=None,
        status="open",
        created_by="u-x",
        created_at=now,
        closed_at=None,
        overdue="not read from the row",
    )
    out = TaskOut.from_row(row, overdue=True)
    assert out.overdue is True and out.id == row.id and out.created_at == now
