"""The flow rule's RED and closure cases one by one (records.flow.check): recipients written
without a node are read as the visibility rule reads them, at every node holding the record,
and the person deriving must be among the source's people."""

from __future__ import annotations

import uuid

import pytest

from corridor.records import flow
from corridor.records.labels import Labels

ME, P, Q = "m" * 26, "p" * 26, "q" * 26


def red_source(recipients: list[str], audience: tuple[str, ...] = (ME,)) -> flow.Source:
    return flow.Source(
        ref=f"record:{uuid.uuid4()}",
        origin=P,
        tlp="RED",
        purpose="cooperation",
        author="bob",
        recipients=tuple(recipients),
        audience=audience,
        record_id=uuid.uuid4(),
    )


def test_a_name_without_a_node_in_what_is_derived_names_it_everywhere_it_goes() -> None:
    source = red_source([f"user:alice@{ME}"])
    bare = Labels(tlp="RED", recipients=["user:alice"])  # alice at P too, who was never named
    with pytest.raises(flow.FlowRefused, match="recipients"):
        flow.check(sources=[source], labels=bare, audience=[P], own_node=ME, author="alice")
    explicit = Labels(tlp="RED", recipients=[f"user:alice@{ME}", f"user:bob@{P}"])
    flow.check(sources=[source], labels=explicit, audience=[P], own_node=ME, author="alice")


def test_a_name_without_a_node_in_the_source_names_it_at_every_node_it_reached() -> None:
    source = red_source(["unit:border"])  # P's RED record for the border unit, wherever it is
    ours = Labels(tlp="RED", recipients=[f"unit:border@{ME}"])
    flow.check(sources=[source], labels=ours, audience=[], own_node=ME)
    elsewhere = Labels(tlp="RED", recipients=[f"unit:border@{Q}"])
    with pytest.raises(flow.FlowRefused):
        flow.check(sources=[source], labels=elsewhere, audience=[Q], own_node=ME)


def test_the_person_deriving_must_be_among_the_sources_people() -> None:
    source = red_source([f"user:alice@{ME}"])
    labels = Labels(tlp="RED", recipients=[f"user:alice@{ME}"])
    flow.check(sources=[source], labels=labels, audience=[], own_node=ME, author="alice")
    with pytest.raises(flow.FlowRefused, match="user:yusuf"):
        flow.check(sources=[source], labels=labels, audience=[], own_node=ME, author="yusuf")


def test_the_sources_given_win_over_remembered_copies() -> None:
    fresh = red_source([f"user:alice@{ME}"])
    stale = flow.Source(ref=fresh.ref, origin=P, tlp="GREEN", purpose="cooperation")
    own = flow.Source(ref="record:own", origin=ME, tlp="AMBER", purpose="cooperation",
                      record_id=uuid.uuid4())  # fmt: skip
    got = flow.closure([own, fresh], ME, lambda rid: [stale])
    assert [s.tlp for s in got if s.ref == fresh.ref] == ["RED"]
