from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import Field

from corridor.federation.cards import own_card_chain
from corridor.federation.peers import add_peer
from corridor.node.service import Node, init_node
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel
from corridor.security.principal import CLI, SYSTEM
from corridor.web.app import create_app


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


class FedNote(StrictModel):
    text: str = Field(min_length=1, max_length=1000)


register(RecordType(name="test.fed", body=FedNote, title="Test note"))


@pytest.fixture
def pair(node, other_node):  # type: ignore[no-untyped-def]
    """Two nodes that peered mutually; returns (a, b, http_to_a, http_to_b)."""
    for here, there in ((node, other_node), (other_node, node)):
        with here.db.transaction() as session:
            add_peer(
                session, actor=CLI, own_node_id=here.id, card_file=card_text(there), approve=True
            )
    with TestClient(create_app(node)) as to_a, TestClient(create_app(other_node)) as to_b:
        yield node, other_node, to_a, to_b


def note(node, to: list[str], text: str = "hello", **labels):  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return records.create(
            session,
            node.keys,
            actor=SYSTEM,
            type="test.fed",
            body={"text": text},
            labels=Labels(**labels),
            audience=Audience(nodes=to),
        )
