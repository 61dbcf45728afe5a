"""The label matrix's case for `protection.referral` along `export`: the person screened here
is the referral's source, and the core's flow rule binds the record to it. Whatever a caller
tries, a referral is protection, AMBER+STRICT and H3, and never reaches a barred node, in
its first version and in every later one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from corridor.protection.schemas import REFERRAL_TYPE
from corridor.protection.service import HANDLING_NOTE
from corridor.records import flow
from corridor.records import service as records
from corridor.records.flow import FlowRefused
from corridor.records.labels import PURPOSES, Audience, Labels
from corridor.security.principal import SYSTEM

BODY: dict[str, Any] = {
    "reference": "PR-TESTTEST",
    "service": "shelter",
    "person": {"name": "Amina Rahimi", "sex": "female"},
    "consent": {"purposes": ["referral"], "given_at": "2026-01-01T00:00:00Z"},
}
PROTECTED = {
    "tlp": "AMBER+STRICT",
    "handling": "H3",
    "handling_note": HANDLING_NOTE,
    "purpose": "protection",
}


def _source(own: str, never_to: tuple[str, ...] = ()) -> flow.Source:
    return flow.Source(
        ref="protection-person:PR-TESTTEST",
        origin=own,
        tlp="AMBER+STRICT",
        purpose="protection",
        handling="H3",
        handling_note=HANDLING_NOTE,
        path="export",
        name="PR-TESTTEST",
        never_to=never_to,
    )


def _create(node, labels: dict[str, Any], to: list[str], never_to=()):  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        return records.create(
            s,
            node.keys,
            actor=SYSTEM,
            type=REFERRAL_TYPE,
            body=BODY,
            labels=Labels(**labels),
            audience=Audience(nodes=to),
            sources=[_source(node.id, never_to)],
        )


@pytest.mark.parametrize("purpose", [p for p in PURPOSES if p != "protection"])
def test_a_referral_is_never_labelled_for_another_purpose(pair, purpose) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    with pytest.raises(FlowRefused) as refused:
        _create(a, {**PROTECTED, "purpose": purpose}, [b.id])
    assert refused.value.extra["field"] == "purpose"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tlp": "AMBER"}, "tlp"),
        ({"tlp": "GREEN"}, "tlp"),
        ({"handling": "H2", "handling_note": None}, "handling"),
        ({"handling_note": "anything"}, "handling_note"),
    ],
)
def test_nor_lower_than_its_source(pair, change, field) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    with pytest.raises(FlowRefused) as refused:
        _create(a, {**PROTECTED, **change}, [b.id])
    assert refused.value.extra["field"] == field


def test_a_barred_node_is_refused_now_and_in_every_later_version(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    with pytest.raises(FlowRefused) as refused:
        _create(a, PROTECTED, [b.id], never_to=(b.id,))
    assert refused.value.extra["field"] == "to" and b.id in refused.value.detail
    made = _create(a, PROTECTED, [], never_to=(b.id,))  # a service here
    with a.db.transaction() as s, pytest.raises(FlowRefused):
        records.update(
            s,
            a.keys,
            actor=SYSTEM,
            record_id=uuid.UUID(made["id"]),
            audience=Audience(nodes=[b.id]),
        )
