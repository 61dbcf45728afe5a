"""Shared Pydantic building blocks: strict input models, read models, the one wire format for
times and the one shape of a listing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, ValidationError

from corridor.clock import as_utc, iso
from corridor.countries import field_values
from corridor.i18n import gettext as _


def _require_tz(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(
            "timestamp must carry a timezone (UTC ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        )
    return as_utc(value)


# Integers from a request are bounded by what the store holds: a larger number in a path,
# query or body answers 422 naming the field instead of failing in the database driver (500).
MAX_INT64 = 2**63 - 1  # BigInteger columns, SQL LIMIT/OFFSET, sequence numbers
MAX_INT32 = 2**31 - 1  # Integer columns (row ids) on PostgreSQL

UtcDateTime = Annotated[
    datetime, AfterValidator(_require_tz), PlainSerializer(iso, return_type=str)
]


# Country codes: alpha-2 or alpha-3 in, alpha-2 out, each country once (`countries.CountryCode`
# for one).
CountryCodes = Annotated[list[str], AfterValidator(field_values)]


def trimmed_texts(max_length: int, message: str) -> AfterValidator:
    """A list field's check that each text, stripped, has 1 to `max_length` characters
    (`message` says so otherwise): `Annotated[list[str], trimmed_texts(...)]`."""

    def check(values: list[str]) -> list[str]:
        out = [v.strip() for v in values]
        if any(not v or len(v) > max_length for v in out):
            raise ValueError(message)
        return out

    return AfterValidator(check)


class StrictModel(BaseModel):
    """Input models reject unknown fields: a typo must not be silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(StrictModel, Generic[T]):
    """One page of a listing: `next` is the cursor of the following page (none on the last),
    `total` the number of matches where the listing counts them."""

    items: list[T]
    next: str | None = None
    total: int | None = None


def field_errors(exc: ValidationError, fields: Mapping[str, str]) -> str:
    """A validation's errors as one line, each field named as the form names it (`fields`:
    field → label, translated here): "Title: String should have at least 1 character"."""
    out = []
    for e in exc.errors(include_url=False, include_context=False, include_input=False):
        msg = str(e["msg"]).removeprefix("Value error, ")
        loc = [str(p) for p in e["loc"]]
        if loc and loc[0] in fields:
            rest = ".".join(loc[1:])
            out.append(f"{_(fields[loc[0]])}{' ' + rest if rest else ''}: {msg}")
        elif loc:
            out.append(f"{'.'.join(loc)}: {msg}")
        else:
            out.append(msg)
    return "; ".join(out)
