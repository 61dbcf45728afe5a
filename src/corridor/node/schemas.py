"""The node's identity as the API answers it."""

from __future__ import annotations

from corridor.schemas import StrictModel


class NodeRead(StrictModel):
    id: str
    name: str
    org: str
    country: str
    url: str
    fingerprint: str
    version: str
