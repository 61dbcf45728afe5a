"""The node card as a record type: what peers learn about this node (DESIGN.md section 4)."""

from __future__ import annotations

from pydantic import Field

from corridor.records.flow import Flow
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel, UtcDateTime


class NodeCardBody(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    org: str = Field(min_length=1, max_length=200)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    url: str = Field(max_length=500)
    signing_key: str = Field(min_length=43, max_length=43)
    exchange_key: str = Field(min_length=43, max_length=43)
    fingerprint: str
    valid_from: UtcDateTime
    valid_until: UtcDateTime


NODE_CARD = register(
    RecordType(
        name="node.card",
        body=NodeCardBody,
        # The administrator's; rotated (a new version signed by the old key), never revoked.
        flow=Flow(editors=("node.manage",), revocable=False),
        sensitive=False,
        title="Node card",
    )
)
