from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from corridor.federation.cards import own_card_chain
from corridor.node.service import Node, init_node


@pytest.fixture
def other_node(tmp_path) -> Iterator[Node]:  # type: ignore[no-untyped-def]
    result = init_node(
        tmp_path / "other",
        name="Jandarma Van",
        org="Gendarmerie",
        country="TR",
        url="http://127.0.0.1:9002",
    )
    yield result.node
    result.node.close()


def card_text(node: Node) -> str:
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    return json.dumps(chain[0] if len(chain) == 1 else chain)
