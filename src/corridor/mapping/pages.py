"""What the mapping page modules share (challenges/, commitments/, map/ and reports/ each have a
`pages.py` with its router): the pages that record, change and withdraw this node's routes,
challenges and commitments are web.own_records pages over records.owned."""

from __future__ import annotations

from typing import Any

from corridor.federation.peers import approved_peers
from corridor.records.owned import SaveOwn
from corridor.web.own_records import node_owned


def mapping_records(record_type: str, save: SaveOwn) -> dict[str, Any]:
    """Written by `save`, read and withdrawn by records.owned, by the module's working roles
    (`mapping.write`), addressed to the approved peers."""
    return node_owned(record_type, save, permission="mapping.write", peers=approved_peers)
