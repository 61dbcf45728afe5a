"""What the mapping page modules share (challenges/, commitments/, map/ and reports/ each have a
`pages.py` with its router): the pages that record, change and withdraw this node's routes,
challenges and commitments are web.own_records pages over the mapping service."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from corridor.federation.peers import approved_peers
from corridor.i18n import N_
from corridor.mapping import service as mapping
from corridor.node.service import Node
from corridor.security.principal import Principal


def mapping_records(record_type: str, save: mapping.SaveOwn) -> dict[str, Any]:
    """What the pages of this node's mapping records of `record_type` share (the arguments of a
    web.own_records.OwnRecords besides its place, form and messages): written by `save`, read
    and withdrawn by the mapping service, by its working roles (`mapping.write`)."""

    def get(
        session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
    ) -> dict[str, Any]:
        return mapping.get_record(
            session, node_id, actor=actor, type=record_type, record_id=record_id
        )

    def saved(session: Session, node: Node, **fields: Any) -> dict[str, Any]:
        return save(session, node.keys, **fields)

    return {
        "permission": "mapping.write",
        "get": get,
        "save": saved,
        "withdrawal": partial(mapping.withdraw, type=record_type),
        "peers": approved_peers,
        "withdrawn": N_("Withdrawn: every partner node that holds it purges it."),
        "gone": N_("it was withdrawn by the node that recorded it"),
        "not_ours": N_("only the node that recorded it may change it"),
    }
