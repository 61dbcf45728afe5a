"""Records as the API accepts and answers them.

A record is answered as the signed envelope it is stored as, byte for byte: the signature
covers the canonical JSON of those very fields, so a client can check it. `Envelope` (the
structure check of `records.envelope`) describes the answer in the OpenAPI document; the API
hands the stored dict out untouched and never re-serialises it through the model (that would
add defaults such as empty recipient lists and re-format times: the signature would no longer
match)."""

from __future__ import annotations

from pydantic import Field

from corridor.records.envelope import Envelope
from corridor.schemas import Page, StrictModel

__all__ = ["Envelope", "EnvelopePage", "RevokeBody"]

EnvelopePage = Page[Envelope]


class RevokeBody(StrictModel):
    reason: str = Field(min_length=1, max_length=500)
