"""The mapping module's record types (routes/records.py, challenges/records.py,
commitments/records.py) are node-owned records (records.owned): one projection row per record.

`route`, `challenge` and `commitment` are owned by the node that records them;
`commitment.endorsement` and `commitment.action` by the member that endorses or acts."""

from __future__ import annotations

# Node-owned: the node's picture, kept up by its working roles (mapping.write) as a team.
MAINTAINED = ("mapping.write",)
