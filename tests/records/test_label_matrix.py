"""The label matrix: every record type joins it by declaring what it embeds (records.flow.Flow),
and every declared path has a scenario here.

For each scenario and each label case, three peered nodes (A, B, C: real node stores, signed
records pushed through the real federation endpoint) derive content along that path; then
every role at the deriving node and at each other node is asked for the derived record through
the records core. Exactly what the labels allow is visible, nothing else: refused derivations
store nothing, allowed ones are visible to the roles the derived labels name, at the nodes of
its audience, to case members only at home; and after the source is revoked, the derived
record is hidden at once at home and revoked everywhere once the cascade ran and was
delivered. Adding a record type without joining the matrix fails `test_every_type_joins`."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from corridor import clock, modules
from corridor.cooperation.alerts import service as alerts
from corridor.cooperation.requests import replies
from corridor.cooperation.requests import service as requests
from corridor.cooperation.spaces import service as spaces
from corridor.entities import service as entities
from corridor.entities.cases import service as cases
from corridor.entities.cases.schemas import CaseCreate
from corridor.errors import CorridorError, NotFound
from corridor.federation import delivery
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.mapping.challenges.service import save_challenge
from corridor.mapping.commitments import service as cm
from corridor.mapping.routes.service import save_route
from corridor.messages import service as messages
from corridor.node.service import Node, init_node
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.flow import FlowRefused
from corridor.records.labels import Labels
from corridor.records.models import StoredRecord
from corridor.risk.assessments.service import save_assessment
from corridor.risk.profiles.service import save_profile
from corridor.security import service as security
from corridor.security.principal import SYSTEM, Principal
from corridor.security.roles import Role
from corridor.web.app import create_app
from tests.conftest import peer_all
from tests.mapping.conftest import EASTERN_ROUTE, challenge
from tests.risk.test_assessments import ASSESSMENT_BODY
from tests.risk.test_profiles import PROFILE_BODY

pytestmark = pytest.mark.xdist_group("label-matrix")

NODES = ("A", "B", "C")
# Who derives for each purpose (a role that may handle it and write).
AUTHOR_ROLE = {
    "cooperation": "investigator",
    "enforcement": "investigator",
    "risk-analysis": "analyst",
    "protection": "protection_officer",
}
# Every role, and a second investigator who is not a member of any case.
PEOPLE = (*[r.value for r in Role], "investigator2")


@dataclass
class World:
    nodes: dict[str, Node]
    http: dict[str, TestClient]
    people: dict[str, dict[str, Principal]] = field(default_factory=dict)

    def id(self, key: str) -> str:
        return self.nodes[key].id

    def key_of(self, node_id: str) -> str:
        return next(k for k, n in self.nodes.items() if n.id == node_id)

    def deliver(self) -> None:
        """Push everything pending between every two nodes until nothing moves."""
        for _ in range(6):
            moved = 0
            for a in NODES:
                for b in NODES:
                    if a != b:
                        moved += delivery.push_to(self.nodes[a], self.id(b), http=self.http[b])
            if not moved:
                return
        raise AssertionError("delivery did not settle")

    def cascade(self) -> None:
        """Run the flow rule's revocation cascade where it was queued (as the worker would)."""
        for node in self.nodes.values():
            with node.db.reading() as s:
                jobs = list(s.scalars(select(Job.id).where(Job.kind == records.CASCADE_JOB)))
            for job_id in jobs:
                queue.HANDLERS[records.CASCADE_JOB].fn(node, _payload(node, job_id))
                with node.db.transaction() as s:
                    s.delete(s.get(Job, job_id))

    def tx(self, key: str):  # type: ignore[no-untyped-def]
        return self.nodes[key].db.transaction()


def _payload(node: Node, job_id: Any) -> dict[str, Any]:
    with node.db.reading() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return dict(job.payload)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base: Path = tmp_path_factory.mktemp("matrix")
    names = {"A": ("FIA AHSC", "PK"), "B": ("Jandarma", "TR"), "C": ("Hellenic Coast Guard", "GR")}
    nodes = {k: init_node(base / k, name=n, org=n, country=c).node for k, (n, c) in names.items()}
    peer_all(*nodes.values())
    clients = {k: TestClient(create_app(n)) for k, n in nodes.items()}
    for c in clients.values():
        c.__enter__()
    w = World(nodes, clients)
    for k, node in nodes.items():
        w.people[k] = {}
        with node.db.transaction() as s:
            for who in PEOPLE:
                role = "investigator" if who == "investigator2" else who
                user = security.create_user(
                    s,
                    actor=SYSTEM,
                    email=f"{who}@{k.lower()}.example",
                    role=role,  # type: ignore[arg-type]
                    password="correct horse battery staple 2026",
                )
                w.people[k][who] = security.principal_for(user, kind="session")
    try:
        yield w
    finally:
        for c in clients.values():
            c.__exit__(None, None, None)
        for n in nodes.values():
            n.close()


# --- what a scenario is ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a scenario drew from: the record (or entity) and who may see it at home."""

    record_id: str | None  # the record whose revocation cascades
    ref: Any  # what `derive` needs (an id, an envelope)
    case_members: frozenset[str] | None = None  # people keys at the deriving node


@dataclass(frozen=True)
class Scenario:
    type: str
    path: str
    origin: str  # node key where the source is made
    deriver: str  # node key where the derived record is made
    make: Callable[[World, Labels, str], Source]  # (world, labels, author key) -> source
    derive: Callable[[World, Source, Labels, list[str], str], dict[str, Any]]
    # Node keys the derived record goes to by default (within the source's audience).
    to: tuple[str, ...]
    purposes: tuple[str, ...] = ("cooperation", "enforcement", "protection")
    revoke: Callable[[World, Source], None] | None = None
    fixed_audience: bool = False  # the service chooses the audience (reply, post, task)
    local_source: bool = False  # the source is a case's entity, not a record

    @property
    def partner_source(self) -> bool:
        return self.origin != self.deriver


def _author(purpose: str) -> str:
    return AUTHOR_ROLE[purpose]


def _revoke_record(origin: str) -> Callable[[World, Source], None]:
    def revoke(w: World, src: Source) -> None:
        assert src.record_id is not None
        with w.tx(origin) as s:
            records.revoke(
                s,
                w.nodes[origin].keys,
                actor=SYSTEM,
                record_id=uuid.UUID(src.record_id),
                reason="withdrawn by the origin",
            )
        w.deliver()

    return revoke


# Sources ----------------------------------------------------------------------------------------


def _message_at(origin: str, to: tuple[str, ...]) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        with w.tx(origin) as s:
            env = messages.send(
                s,
                w.nodes[origin].keys,
                actor=w.people[origin][author],
                to=[w.id(k) for k in to],
                subject="Boat leaving Ayvalık tonight",
                text="A rubber boat with about 40 people leaves at 02:00.",
                labels=labels,
            )
        w.deliver()
        return Source(env["id"], env)

    return make


def _case_entity(w: World, labels: Labels, author: str, node: str) -> Source:
    """A person in a new case at `node` labelled like the source, owned by `author`."""
    actor = w.people[node][author]
    ctx = entities.Context(node_id=w.id(node), region="PK")
    with w.tx(node) as s:
        case = cases.create_case(
            s,
            actor=actor,
            data=CaseCreate(
                reference=f"M-{uuid.uuid4().hex[:8]}",
                title="Smuggling ring",
                tlp=labels.tlp,
                purpose=labels.purpose,
                handling=labels.handling,
            ),
        )
        person = entities.create(
            s,
            actor=actor,
            ctx=ctx,
            case_ref=case.id,
            data={"schema": "Person", "properties": {"name": ["Rashid Khan"]}},
        )
    return Source(None, person.id, frozenset({author}))


def _entity_source(node: str) -> Callable[[World, Labels, str], Source]:
    return lambda w, labels, author: _case_entity(w, labels, author, node)


def _route_at(origin: str) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        with w.tx(origin) as s:
            env = save_route(
                s,
                w.nodes[origin].keys,
                actor=w.people[origin][author],
                body=EASTERN_ROUTE,
                labels=labels,
            )
        return Source(env["id"], env)

    return make


def _request_at(origin: str, to: str) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        with w.tx(origin) as s:
            env = requests.send(
                s,
                w.nodes[origin].keys,
                w.nodes[origin].config.deadlines,
                actor=w.people[origin][author],
                to=[w.id(to)],
                subject="Owner of the boat Blue Star",
                urgency="normal",
                text="Who owns the boat moored in Çeşme?",
                labels=labels,
                questions=["Where is it moored?"],
            )
        w.deliver()
        return Source(env["id"], env)

    return make


def _space_at(origin: str, members: tuple[str, ...]) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        with w.tx(origin) as s:
            env = spaces.create_space(
                s,
                w.nodes[origin].keys,
                actor=w.people[origin][author],
                name="Operation Aegean",
                purpose="Joint investigation of the Ayvalık crossings",
                reference=f"JIT-{uuid.uuid4().hex[:6]}",
                members=[w.id(m) for m in members],
                labels=labels,
            )
        w.deliver()
        return Source(env["id"], env)

    return make


def _commitment_at(origin: str, to: tuple[str, ...]) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        today = clock.now().date()
        with w.tx(origin) as s:
            env = cm.save_commitment(
                s,
                w.nodes[origin].keys,
                actor=w.people[origin][author],
                body={
                    "title": "Verify travel documents at every crossing",
                    "theme": "fraudulent_documents",
                    "text": "Members equip their crossings with document examination kits.",
                    "adopted": (today - timedelta(days=30)).isoformat(),
                    "ends": (today + timedelta(days=700)).isoformat(),
                    "countries": ["PK", "TR"],
                },
                labels=labels,
                to=[w.id(k) for k in to],
            )
        w.deliver()
        return Source(env["id"], env)

    return make


# Derivations ------------------------------------------------------------------------------------


def _reply_message(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return messages.send(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            to=to,
            subject="Re: boat",
            text="Our patrol boat is on its way.",
            labels=labels,
            in_reply_to=uuid.UUID(src.ref["id"]),
        )


def _alert_link(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("A") as s:
        return alerts.send(
            s,
            w.nodes["A"].keys,
            actor=w.people["A"][author],
            region="PK",
            to=to,
            alert=alerts.NewAlert(
                type="wanted_facilitator",
                severity="high",
                title="Facilitator moving west",
                text="Expected at the Taftan crossing.",
                entities=(src.ref,),
            ),
            labels=labels,
        )


def _alert_route(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("A") as s:
        return alerts.send(
            s,
            w.nodes["A"].keys,
            actor=w.people["A"][author],
            region="PK",
            to=to,
            alert=alerts.NewAlert(
                type="route_shift",
                severity="medium",
                title="Route shift",
                text="Crossings move north.",
                route=uuid.UUID(src.ref["id"]),
            ),
            labels=labels,
        )


def _share(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("A") as s:
        return entities.share(
            s,
            w.nodes["A"].keys,
            actor=w.people["A"][author],
            ctx=entities.Context(node_id=w.id("A"), region="PK"),
            entity_ids=[src.ref],
            to=to,
            labels=labels,
            title="Suspect",
        )


def _request_link(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("A") as s:
        return requests.send(
            s,
            w.nodes["A"].keys,
            w.nodes["A"].config.deadlines,
            actor=w.people["A"][author],
            to=to,
            subject="About this man",
            urgency="normal",
            text="What do you hold on him?",
            labels=labels,
            entities=[{"id": src.ref, "schema": "Person", "caption": ""}],
        )


def _answer(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return replies.reply(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            request_id=uuid.UUID(src.ref["id"]),
            kind="answer",
            labels=labels,
            text="It is moored at the marina.",
        )


def _post(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return spaces.post(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            space_id=uuid.UUID(src.ref["id"]),
            text="We located the second boat.",
            labels=labels,
        )


def _entity_in_space(w: World, labels: Labels, author: str) -> Source:
    """B's case entity, and a CLEAR cooperation space of A that B is a member of (the post's
    own labels are what the case tests)."""
    entity = _case_entity(w, labels, author, "B")
    space = _space_at("A", ("B",))(w, Labels(tlp="CLEAR", purpose="cooperation"), "investigator")
    return dataclasses.replace(entity, ref={"entity": entity.ref, "space": space.ref["id"]})


def _post_link(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return spaces.post(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            space_id=uuid.UUID(src.ref["space"]),
            text="This man organises the crossings.",
            labels=labels,
            entity_refs=[{"id": src.ref["entity"], "schema": "Person", "caption": ""}],
        )


def _task(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return spaces.create_task(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            space_id=uuid.UUID(src.ref["id"]),
            title="Check the marina",
            assignee_node=w.id("A"),
            due=clock.now().date() + timedelta(days=3),
            labels=labels,
        )


def _challenge(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    body = challenge(routes=[{"route": src.ref["id"], "legs": [0]}])
    body.pop("tlp", None)
    with w.tx("A") as s:
        return save_challenge(
            s, w.nodes["A"].keys, actor=w.people["A"][author], body=body, labels=labels, to=to
        )


def _challenge_at(origin: str) -> Callable[[World, Labels, str], Source]:
    # Written by the analyst who then assesses it (a RED challenge is theirs to link).
    def make(w: World, labels: Labels, author: str) -> Source:
        body = challenge()
        body.pop("tlp", None)
        with w.tx(origin) as s:
            env = save_challenge(
                s, w.nodes[origin].keys, actor=w.people[origin]["analyst"], body=body, labels=labels
            )
        return Source(env["id"], env)

    return make


def _assessment(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    # Only the Risk Analysis Unit's analysts write assessments, whatever the purpose.
    body = {**ASSESSMENT_BODY, "challenges": [src.ref["id"]]}
    with w.tx("A") as s:
        return save_assessment(
            s, w.nodes["A"].keys, actor=w.people["A"]["analyst"], body=body, labels=labels, to=to
        )


def _assessment_at(origin: str) -> Callable[[World, Labels, str], Source]:
    def make(w: World, labels: Labels, author: str) -> Source:
        with w.tx(origin) as s:
            env = save_assessment(
                s, w.nodes[origin].keys, actor=w.people[origin]["analyst"],
                body=ASSESSMENT_BODY, labels=labels,
            )  # fmt: skip
        return Source(env["id"], env)

    return make


def _profile(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    body = {**PROFILE_BODY, "assessment": src.ref["id"]}
    with w.tx("A") as s:
        return save_profile(
            s, w.nodes["A"].keys, actor=w.people["A"]["analyst"], body=body, labels=labels, to=to
        )


def _endorse(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    with w.tx("B") as s:
        return cm.endorse(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            commitment_id=uuid.UUID(src.ref["id"]),
            labels=labels,
        )


def _action(w: World, src: Source, labels: Labels, to: list[str], author: str) -> Any:
    today = clock.now().date()
    with w.tx("B") as s:
        return cm.save_action(
            s,
            w.nodes["B"].keys,
            actor=w.people["B"][author],
            commitment_id=uuid.UUID(src.ref["id"]),
            node_country="TR",
            labels=labels,
            fields={
                "title": "Kits at Kapıkule",
                "owner": "Jandarma",
                "milestones": [
                    {"id": "kits", "title": "Kits", "due": (today + timedelta(days=30)).isoformat()}
                ],
                "indicators": [],
            },
        )


MAPPING = ("cooperation", "risk-analysis", "enforcement")
SCENARIOS: dict[tuple[str, str], Scenario] = {
    (s.type, s.path): s
    for s in (
        Scenario(
            "message",
            "reply",
            "A",
            "B",
            _message_at("A", ("B",)),
            _reply_message,
            ("A",),
            revoke=_revoke_record("A"),
        ),
        Scenario(
            "alert", "link", "A", "A", _entity_source("A"), _alert_link, ("B",), local_source=True
        ),
        Scenario(
            "entities", "share", "A", "A", _entity_source("A"), _share, ("B",), local_source=True
        ),
        Scenario(
            "rfa", "link", "A", "A", _entity_source("A"), _request_link, ("B",), local_source=True
        ),
        Scenario(
            "rfa.reply",
            "reply",
            "A",
            "B",
            _request_at("A", "B"),
            _answer,
            ("A",),
            revoke=_revoke_record("A"),
            fixed_audience=True,
        ),
        Scenario(
            "space.post",
            "reply",
            "A",
            "B",
            _space_at("A", ("B",)),
            _post,
            ("A",),
            revoke=_revoke_record("A"),
            fixed_audience=True,
        ),
        Scenario(
            "space.post", "link", "B", "B", _entity_in_space, _post_link, ("A",), local_source=True
        ),
        Scenario(
            "space.task",
            "link",
            "A",
            "B",
            _space_at("A", ("B",)),
            _task,
            ("A",),
            revoke=_revoke_record("A"),
            fixed_audience=True,
        ),
        Scenario(
            "challenge",
            "link",
            "A",
            "A",
            _route_at("A"),
            _challenge,
            ("B",),
            MAPPING,
            revoke=_revoke_record("A"),
        ),
        Scenario(
            "risk.assessment",
            "link",
            "A",
            "A",
            _challenge_at("A"),
            _assessment,
            ("B",),
            MAPPING,
            revoke=_revoke_record("A"),
        ),
        Scenario(
            "risk.profile",
            "link",
            "A",
            "A",
            _assessment_at("A"),
            _profile,
            ("B",),
            MAPPING,
            revoke=_revoke_record("A"),
        ),
        Scenario(
            "commitment.endorsement",
            "reply",
            "A",
            "B",
            _commitment_at("A", ("B",)),
            _endorse,
            ("A",),
            MAPPING,
            revoke=_revoke_record("A"),
            fixed_audience=True,
        ),
        Scenario(
            "commitment.action",
            "reply",
            "A",
            "B",
            _commitment_at("A", ("B",)),
            _action,
            ("A",),
            MAPPING,
            revoke=_revoke_record("A"),
            fixed_audience=True,
        ),
    )
}
# A route linked into an alert is a second source kind along the alert's link path.
ROUTE_LINK = Scenario(
    "alert",
    "link",
    "A",
    "A",
    _route_at("A"),
    _alert_route,
    ("B",),
    MAPPING,
    revoke=_revoke_record("A"),
)
# Paths whose cases need more than one source and are tested on their own below.
DEDICATED = {
    ("entities", "merge"): "test_merged_partner_statements_never_reach_a_third_node",
    # A case's entries in the hit/no-hit index (the case is the source; system-signed): refused
    # for protection, risk-analysis, RED and H3 cases, revoked everywhere when the case leaves.
    ("matching.index", "share"): "tests/matching/test_check.py",
    # Figures exported from a dataset of the indicator store (local content with its own TLP
    # and purpose): those labels bind the record's.
    ("risk.figures", "export"): "tests/risk/test_figures.py",
    # A referral exports a person screened in the protection compartment (local content,
    # protection, AMBER+STRICT, H3, kept from the nodes of the country an asylum seeker fled).
    ("protection.referral", "export"): "tests/protection/test_flow.py",
    # The receiving service's answer to a referral: back to the referring node only, labelled
    # as the referral; withdrawn with it.
    ("protection.referral.status", "reply"): "tests/protection/test_status.py",
}


def test_every_type_joins_the_matrix() -> None:
    """Each registered record type declares its flow, and each path it declares is tested."""
    modules.load_all()
    for name in registry.known():
        if name.startswith("test."):
            continue
        rt = registry.get(name)
        assert isinstance(rt.flow, flow.Flow), f"{name} declares no flow"
        for path in rt.flow.embeds:
            assert (name, path) in SCENARIOS or (name, path) in DEDICATED, (
                f"record type {name} embeds along {path} but has no scenario in the label matrix"
            )
    for name, path in [*SCENARIOS, *DEDICATED]:
        assert path in registry.get(name).flow.embeds, f"{name} does not declare {path}"


# --- label cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelCase:
    name: str
    source: Callable[[World, Scenario], Labels]
    derived: Callable[[World, Scenario, Labels], Labels]
    allowed: bool
    to: Callable[[World, Scenario], list[str]] | None = None  # default: the scenario's


def _purpose(sc: Scenario, wanted: str) -> str:
    return wanted if wanted in sc.purposes else sc.purposes[0]


def _person(w: World, node: str, purpose: str) -> str:
    return f"user:{w.people[node][_author(purpose)].handle}@{w.id(node)}"


def _red_for(w: World, sc: Scenario, purpose: str) -> Labels:
    """RED for the deriving author and the person who handles it at the first recipient."""
    named = [_person(w, sc.deriver, purpose), _person(w, sc.to[0], purpose)]
    return Labels(tlp="RED", purpose=purpose, recipients=named)  # type: ignore[arg-type]


def _red_derived(w: World, sc: Scenario, src: Labels) -> Labels:
    return src.model_copy(update={"recipients": [_person(w, sc.to[0], src.purpose)]})


def _red_widened(w: World, sc: Scenario, src: Labels) -> Labels:
    base = _red_derived(w, sc, src)
    extra = f"user:{w.people[sc.to[0]]['viewer'].handle}@{w.id(sc.to[0])}"
    return base.model_copy(update={"recipients": [*base.recipients, extra]})


CASES = [
    LabelCase(
        "same labels",
        lambda w, sc: Labels(tlp="AMBER", purpose=_purpose(sc, "enforcement")),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        True,
    ),
    LabelCase(
        "CLEAR kept",
        lambda w, sc: Labels(tlp="CLEAR", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        True,
    ),
    LabelCase(
        "stricter labels",
        lambda w, sc: Labels(tlp="GREEN", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src.model_copy(update={"tlp": "AMBER+STRICT", "handling": "H2"}),
        True,
    ),
    LabelCase(
        "lower TLP",
        lambda w, sc: Labels(tlp="AMBER", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src.model_copy(update={"tlp": "GREEN"}),
        False,
    ),
    LabelCase(
        "lower handling",
        lambda w, sc: Labels(tlp="AMBER", handling="H2", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src.model_copy(update={"handling": "H0"}),
        False,
    ),
    LabelCase(
        "wider purpose",
        lambda w, sc: Labels(tlp="AMBER", purpose=sc.purposes[-1]),  # type: ignore[arg-type]
        lambda w, sc, src: src.model_copy(update={"purpose": "cooperation"}),
        False,
    ),
    LabelCase(
        "protection stays protection",
        lambda w, sc: Labels(tlp="AMBER", purpose=_purpose(sc, "protection")),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        True,
    ),
    LabelCase(
        "RED to its people",
        lambda w, sc: _red_for(w, sc, sc.purposes[0]),
        _red_derived,
        True,
    ),
    LabelCase(
        "RED to someone else",
        lambda w, sc: _red_for(w, sc, sc.purposes[0]),
        _red_widened,
        False,
    ),
    LabelCase(
        "forward none kept",
        lambda w, sc: Labels(tlp="AMBER", forward="none", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        True,
    ),
    LabelCase(
        "forward none to a third node",
        lambda w, sc: Labels(tlp="GREEN", forward="none", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        False,
        to=lambda w, sc: [w.id(k) for k in sc.to] + [w.id("C")],
    ),
    LabelCase(
        "third node",
        lambda w, sc: Labels(tlp="GREEN", purpose=sc.purposes[0]),  # type: ignore[arg-type]
        lambda w, sc, src: src,
        False,
        to=lambda w, sc: [w.id(k) for k in sc.to] + [w.id("C")],
    ),
]


def _expected(w: World, sc: Scenario, derived: dict[str, Any], src: Source) -> set[tuple[str, str]]:
    """(node key, person) pairs that may read the derived record: its labels' roles at the
    deriving node and its audience, RED to named people, a case's content at home to its
    members only."""
    labels = derived["labels"]
    nodes = {sc.deriver} | {w.key_of(n) for n in derived["audience"]["nodes"]}
    out = set()
    for node in nodes:
        for who, p in w.people[node].items():
            if labels["purpose"] not in p.purposes:
                continue
            if labels["tlp"] == "RED":
                named = {r if "@" in r else f"{r}@{w.id(sc.deriver)}" for r in labels["recipients"]}
                is_author = node == sc.deriver and derived["author"] == p.handle
                if f"user:{p.handle}@{w.id(node)}" not in named and not is_author:
                    continue
            if node == sc.deriver and src.case_members is not None and who not in src.case_members:
                continue
            out.add((node, who))
    return out


def _visible(w: World, record_id: str) -> set[tuple[str, str]]:
    seen = set()
    for node in NODES:
        for who, p in w.people[node].items():
            try:
                with w.tx(node) as s:
                    env = records.get_visible(
                        s, w.id(node), actor=p, record_id=uuid.UUID(record_id)
                    )
            except NotFound:
                continue
            if env.get("body") is not None:
                seen.add((node, who))
    return seen


def _count(w: World, node: str) -> int:
    with w.nodes[node].db.reading() as s:
        return len(list(s.scalars(select(StoredRecord.id))))


def _applicable(sc: Scenario, case: LabelCase) -> bool:
    if case.name in ("third node", "forward none to a third node"):
        # Our own content may go wherever its labels allow; a reply, post or task goes where
        # its service sends it (the requester, the space's members): no path to a third node.
        return sc.partner_source and not sc.fixed_audience
    if case.name == "RED to someone else":
        # A case's RED content: its members are its named people here and name who gets it.
        return not sc.local_source
    if case.name == "protection stays protection":
        return "protection" in sc.purposes
    return True


PARAMS = [
    pytest.param(sc, case, id=f"{sc.type}-{sc.path}-{case.name.replace(' ', '_')}")
    for sc in [*SCENARIOS.values(), ROUTE_LINK]
    for case in CASES
    if _applicable(sc, case)
]


@pytest.mark.parametrize(("sc", "case"), PARAMS)
def test_label_matrix(world: World, sc: Scenario, case: LabelCase) -> None:
    w = world
    src_labels = case.source(w, sc)
    src = sc.make(w, src_labels, _author(src_labels.purpose))
    derived_labels = case.derived(w, sc, src_labels)
    to = case.to(w, sc) if case.to else [w.id(k) for k in sc.to]
    author = _author(src_labels.purpose)  # the person who sees the source derives from it
    before = _count(w, sc.deriver)
    if not case.allowed:
        with pytest.raises(FlowRefused):
            sc.derive(w, src, derived_labels, to, author)
        assert _count(w, sc.deriver) == before, "a refused derivation stored something"
        return
    derived = sc.derive(w, src, derived_labels, to, author)
    w.deliver()
    assert _visible(w, derived["id"]) == _expected(w, sc, derived, src)
    if sc.revoke is None:
        return
    # The source goes: the derived record is hidden at home at once, then revoked everywhere.
    sc.revoke(w, src)
    deriver_people = w.people[sc.deriver]
    with w.tx(sc.deriver) as s, pytest.raises(NotFound):
        records.get_visible(
            s,
            w.id(sc.deriver),
            actor=deriver_people[author],
            record_id=uuid.UUID(derived["id"]),
        )
    w.cascade()
    w.deliver()
    assert _visible(w, derived["id"]) == set()
    for node in NODES:
        with w.nodes[node].db.reading() as s:
            row = s.get(StoredRecord, uuid.UUID(derived["id"]))
            assert row is None or (row.state == "revoked" and row.envelope.get("body") is None)


def test_merged_partner_statements_never_reach_a_third_node(world: World) -> None:
    """B merges a person A shared with B alone into its own; B's share with C carries only B's
    statements (A's are withheld), its share back to A may carry A's; A's revocation cascades."""
    w = world
    inv_a, inv_b = w.people["A"]["investigator"], w.people["B"]["investigator"]
    labels = Labels(tlp="AMBER", purpose="enforcement")
    a_person = _case_entity(w, labels, "investigator", "A").ref
    with w.tx("A") as s:
        entities.update(
            s,
            actor=inv_a,
            ctx=entities.Context(node_id=w.id("A"), region="PK"),
            entity_id=a_person,
            data={
                "schema": "Person",
                "properties": {
                    "name": ["Rashid Khan"],
                    "birthDate": ["1984-03-02"],
                    "phone": ["+923001234567"],
                },
            },
        )
    shared = _share(w, Source(None, a_person), labels, [w.id("B")], "investigator")
    w.deliver()
    b_person = _case_entity(w, labels, "investigator", "B").ref
    from corridor.entities.records import partner_id
    from corridor.entities.resolution import service as resolution

    ctx_b = entities.Context(node_id=w.id("B"), region="TR")
    with w.tx("B") as s:
        resolution.merge(
            s, actor=inv_b, ctx=ctx_b, keep_id=b_person, merge_id=partner_id(w.id("A"), a_person)
        )
    with w.tx("B") as s:
        to_c = entities.share(
            s,
            w.nodes["B"].keys,
            actor=inv_b,
            ctx=ctx_b,
            entity_ids=[b_person],
            to=[w.id("C")],
            labels=labels,
            title="Suspect",
        )
        back = entities.share(
            s,
            w.nodes["B"].keys,
            actor=inv_b,
            ctx=ctx_b,
            entity_ids=[b_person],
            to=[w.id("A")],
            labels=labels,
            title="Suspect",
        )
    props_c = to_c["body"]["entities"][0]["properties"]
    assert "birthDate" not in props_c and "phone" not in props_c
    assert props_c["name"] == ["Rashid Khan"]  # B's own statement
    assert back["body"]["entities"][0]["properties"]["birthDate"] == ["1984-03-02"]
    # A withdraws its share: B's share back to A, which drew on it, is revoked by cascade.
    _revoke_record("A")(w, Source(shared["id"], shared))
    w.cascade()
    w.deliver()
    with w.nodes["B"].db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(back["id"])).state == "revoked"  # type: ignore[union-attr]
        assert s.get(StoredRecord, uuid.UUID(to_c["id"])).state == "active"  # type: ignore[union-attr]


def test_case_export_leaves_partner_statements_behind(world: World) -> None:
    """The export path: what leaves the node as a file carries no partner's statements."""
    w = world
    from corridor.entities.analysis import service as analysis
    from corridor.entities.records import partner_id
    from corridor.entities.resolution import service as resolution

    labels = Labels(tlp="AMBER", purpose="enforcement")
    a_person = _case_entity(w, labels, "investigator", "A").ref
    with w.tx("A") as s:
        entities.update(
            s,
            actor=w.people["A"]["investigator"],
            ctx=entities.Context(node_id=w.id("A"), region="PK"),
            entity_id=a_person,
            data={
                "schema": "Person",
                "properties": {"name": ["Imran Baig"], "birthDate": ["1979-01-05"]},
            },
        )
    _share(w, Source(None, a_person), labels, [w.id("B")], "investigator")
    w.deliver()
    inv_b = w.people["B"]["investigator"]
    ctx_b = entities.Context(node_id=w.id("B"), region="TR")
    with w.tx("B") as s:
        case = cases.create_case(s, actor=inv_b, data=CaseCreate(reference="EXP-1", title="Export"))
        own = entities.create(
            s,
            actor=inv_b,
            ctx=ctx_b,
            case_ref=case.id,
            data={"schema": "Person", "properties": {"name": ["Imran Baig"]}},
        )
        resolution.merge(
            s, actor=inv_b, ctx=ctx_b, keep_id=own.id, merge_id=partner_id(w.id("A"), a_person)
        )
    with w.tx("B") as s:
        _case, chunks = analysis.export_case(s, actor=inv_b, case_ref="EXP-1", fmt="ftm")
        text = b"".join(chunks).decode()
    assert "Imran Baig" in text and "1979-01-05" not in text


def test_revoking_is_for_authors_and_named_roles(world: World) -> None:
    """Finding 3: the generic revoke checked only visibility and records.write."""
    w = world
    a = w.nodes["A"]
    author, colleague = w.people["A"]["investigator"], w.people["A"]["investigator2"]
    admin = w.people["A"]["administrator"]
    msg = _message_at("A", ("B",))(w, Labels(tlp="GREEN"), "investigator")
    for who in (colleague, w.people["A"]["viewer"]):
        with pytest.raises(CorridorError), w.tx("A") as s:
            records.revoke(s, a.keys, actor=who, record_id=uuid.UUID(msg.record_id), reason="x")  # type: ignore[arg-type]
    with w.tx("A") as s:
        card = s.scalar(select(StoredRecord.id).where(StoredRecord.type == "node.card"))
    for who in (author, admin):
        with pytest.raises(CorridorError), w.tx("A") as s:
            records.revoke(s, a.keys, actor=who, record_id=card, reason="x")  # type: ignore[arg-type]
    with w.tx("A") as s:
        records.revoke(
            s, a.keys, actor=author, record_id=uuid.UUID(msg.record_id), reason="sent by mistake"
        )  # type: ignore[arg-type]


def test_sources_are_remembered_with_their_labels(world: World) -> None:
    w = world
    src = _case_entity(w, Labels(tlp="AMBER", purpose="enforcement"), "investigator", "A")
    env = _alert_link(
        w, src, Labels(tlp="AMBER", purpose="enforcement"), [w.id("B")], "investigator"
    )
    with w.nodes["A"].db.reading() as s:
        (remembered,) = flow.sources_of(s, uuid.UUID(env["id"]))
    assert remembered.ref == f"entity:{src.ref}" and remembered.compartment
    assert dataclasses.asdict(remembered)["purpose"] == "enforcement"


def test_a_source_that_expires_takes_what_was_derived_with_it(world: World, shift_clock) -> None:  # type: ignore[no-untyped-def]
    """Expiry is a withdrawal too: A's message expires, B's retention purges it, B's reply that
    drew on it is revoked by the cascade and the tombstone reaches A."""
    w = world
    until = clock.now() + timedelta(days=1)
    src = _message_at("A", ("B",))(w, Labels(tlp="AMBER", expires=until), "investigator")
    reply = _reply_message(w, src, Labels(tlp="AMBER"), [w.id("A")], "investigator")
    w.deliver()
    assert ("A", "investigator") in _visible(w, reply["id"])
    # B's retention purges the received message once it expired (each node does so itself);
    # the clock goes back before anything is signed and sent (signatures carry their time).
    shift_clock(timedelta(days=2))
    with w.nodes["B"].db.transaction() as s:
        assert records.expire_due(s, w.nodes["B"].keys, actor=SYSTEM) >= 1
    shift_clock(timedelta(days=-2))
    w.cascade()
    w.deliver()
    assert _visible(w, reply["id"]) == set()
    with w.nodes["A"].db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(reply["id"])).state == "revoked"  # type: ignore[union-attr]
