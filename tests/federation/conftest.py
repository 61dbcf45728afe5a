from __future__ import annotations

from pydantic import Field

from corridor.records import service as records
from corridor.records.flow import Flow
from corridor.records.labels import Audience, Labels
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel
from corridor.security.principal import SYSTEM
from tests.conftest import card_text  # noqa: F401 - re-exported for the tests here


class FedNote(StrictModel):
    text: str = Field(min_length=1, max_length=1000)


register(RecordType(name="test.fed", body=FedNote, flow=Flow(), title="Test note"))


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
