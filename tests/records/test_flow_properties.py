"""Property-based tests of the flow rule (records.flow): random chains of derivations (a reply,
a link, a share, a merge of two sources) across four nodes, each checked by the rule the way the
records core checks it (own records expanded to what they drew on), never let anyone read
derived content who could not read every record it came from.

The readers of a record are computed by the one visibility rule (records.policy.can_see) for
one person of each role at each node its audience reaches."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from corridor.records import flow
from corridor.records.labels import PURPOSES, TLP_LEVELS, Labels
from corridor.records.policy import can_see
from corridor.security.principal import Principal
from corridor.security.roles import Role

NODES = ("n" * 26, "m" * 26, "p" * 26, "q" * 26)  # valid node ids (base32 letters)
ROLES = (Role.investigator, Role.protection_officer, Role.viewer, Role.administrator)
PEOPLE = {
    node: [Principal(kind="session", handle=f"{role.value[:5]}-{i}", role=role) for role in ROLES]
    for i, node in enumerate(NODES)
}
NAMES = [f"user:{p.handle}@{node}" for node, ps in PEOPLE.items() for p in ps]


@dataclass
class Rec:
    envelope: dict[str, Any]
    # Everything it came from, transitively (the truth the property is checked against).
    provenance: list[Rec] = field(default_factory=list)
    remembered: list[flow.Source] = field(default_factory=list)
    # Who may read its content: its readers, and those of what its origin derived from it.
    sanctioned: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.sanctioned |= readers(self.envelope)

    @property
    def origin(self) -> str:
        return str(self.envelope["origin"])


def readers(envelope: dict[str, Any]) -> set[tuple[str, str]]:
    nodes = {envelope["origin"], *envelope["audience"]["nodes"]}
    return {(node, p.handle) for node in nodes for p in PEOPLE[node] if can_see(p, envelope, node)}


def envelope(origin: str, author: str, labels: Labels, audience: list[str]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "origin": origin,
        "author": author,
        "labels": labels.model_dump(mode="json", exclude_none=True),
        "audience": {"nodes": sorted(set(audience) - {origin})},
    }


labels_st = st.builds(
    lambda tlp, purpose, handling, named: _labels(tlp, purpose, handling, named),
    st.sampled_from(TLP_LEVELS),
    st.sampled_from(PURPOSES),
    st.sampled_from(("H0", "H1", "H2")),
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
)


def _labels(tlp: str, purpose: str, handling: str, named: list[str]) -> Labels | None:
    try:
        return Labels.model_validate(
            {
                "tlp": tlp,
                "purpose": purpose,
                "handling": handling,
                **({"recipients": named} if tlp == "RED" else {}),
            }
        )
    except ValidationError:
        return None


step_st = st.tuples(
    st.integers(min_value=0, max_value=1_000),  # which record(s)
    st.booleans(),  # merge: draw on a second record too
    st.integers(min_value=0, max_value=3),  # which holder derives
    st.integers(min_value=0, max_value=len(ROLES) - 1),  # who at that node
    labels_st,
    st.lists(st.sampled_from(NODES), max_size=4, unique=True),  # to
    st.booleans(),  # answer in kind: the source's labels, to its origin and audience
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    root_labels=labels_st,
    root_origin=st.sampled_from(NODES),
    root_to=st.lists(st.sampled_from(NODES), max_size=4, unique=True),
    steps=st.lists(step_st, min_size=1, max_size=12),
)
def test_random_chains_never_widen_who_reads(
    root_labels: Labels | None,
    root_origin: str,
    root_to: list[str],
    steps: list[Any],
) -> None:
    if root_labels is None:
        return
    author = next(p for p in PEOPLE[root_origin] if root_labels.purpose in p.purposes)
    held = [Rec(envelope(root_origin, author.handle, root_labels, root_to))]
    for pick, merge, holder_at, who, labels, to, in_kind in steps:
        chosen = [held[pick % len(held)]]
        if merge:
            chosen.append(held[(pick * 7 + 3) % len(held)])
        if in_kind:
            # What a practitioner usually does: keep the labels, answer those who had it.
            labels = flow.inherited_labels(chosen[0].envelope)
            to = [
                n for n in to if n in {chosen[0].origin, *chosen[0].envelope["audience"]["nodes"]}
            ]
        if labels is None:
            continue
        # Somebody at a node holding every chosen record, who can read them all, derives.
        holders = set.intersection(*({r.origin, *r.envelope["audience"]["nodes"]} for r in chosen))
        if not holders:
            continue
        node = sorted(holders)[holder_at % len(holders)]
        person = PEOPLE[node][who]
        if not all(can_see(person, r.envelope, node) for r in chosen):
            continue
        if labels.purpose not in person.purposes:
            continue  # the core refuses a person writing data they could not read back
        by_ref = {f"record:{r.envelope['id']}": r for r in held}
        sources = flow.closure(
            [flow.of_record(r.envelope) for r in chosen],
            node,
            lambda rid, by_ref=by_ref: by_ref[f"record:{rid}"].remembered,
        )
        derived = envelope(node, person.handle, labels, to)
        try:
            flow.check(sources=sources, labels=labels, audience=to, own_node=node)
        except flow.FlowRefused:
            continue
        provenance = list(
            {id(r): r for r in itertools.chain(chosen, *(c.provenance for c in chosen))}.values()
        )
        rec = Rec(derived, provenance, sources)
        _assert_within(rec)
        held.append(rec)


def _assert_within(rec: Rec) -> None:
    """Everyone who reads the derived record may read every record it came from: the readers
    its labels allow, widened only by its origin's own decisions (the node that owns content
    may send it on, to whom it decides; nobody else may)."""
    got = readers(rec.envelope)
    for source in rec.provenance:
        if source.origin == rec.origin:
            # The owner derives: at home no wider than the source; elsewhere its decision.
            widened = {r for r in got if r[0] == rec.origin} - readers(source.envelope)
            source.sanctioned |= got
        else:
            widened = got - source.sanctioned
        assert not widened, (
            f"{sorted(widened)} read a record derived from one they may not read "
            f"({source.envelope['labels']} → {rec.envelope['labels']})"
        )


def test_own_content_that_drew_on_a_partner_is_bound_by_the_partner() -> None:
    """B replies to A's message (bound by it); quoting B's own reply to C must fail too."""
    a, b, c = NODES[:3]
    message = envelope(a, "inves-0", Labels(tlp="AMBER"), [b])
    reply_labels = Labels(tlp="AMBER")
    sources = [flow.of_record(message, path="reply")]
    flow.check(sources=sources, labels=reply_labels, audience=[a], own_node=b)
    reply = envelope(b, "inves-1", reply_labels, [a])
    remembered = {reply["id"]: sources}
    quoted = flow.closure([flow.of_record(reply)], b, lambda rid: remembered.get(str(rid), []))
    assert {s.ref for s in quoted} == {f"record:{message['id']}", f"record:{reply['id']}"}
    try:
        flow.check(sources=quoted, labels=reply_labels, audience=[c], own_node=b)
    except flow.FlowRefused as exc:
        assert "third-party rule" in exc.detail
    else:
        raise AssertionError("content of A reached C through B's own reply")
