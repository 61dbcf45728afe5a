"""The receiving service answers a referral (`protection.referral.status`): the answer goes
back to the referring node only, labelled as the referral (the label matrix's case along
`reply`), shows on both nodes, is refused from anyone the referral was not sent to, and is
withdrawn with the referral."""

from __future__ import annotations

import uuid

import pytest

from corridor.federation import delivery
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.protection.schemas import STATUS_TYPE
from corridor.records import flow
from corridor.records import service as records
from corridor.records.flow import FlowRefused
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM
from tests.entities.test_api import bearer
from tests.protection.test_referrals import REFERRAL, named


@pytest.fixture
def referred(pair):  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    po_a = bearer(a, "protection_officer", "po@a.example")[0]
    po_b = bearer(b, "protection_officer", "po@b.example")[0]
    made = to_a.post(
        "/api/v1/protection/referrals", headers=po_a, json={**REFERRAL, "to": [b.id]}
    ).json()
    delivery.push_to(a, b.id, http=to_b)
    return pair, po_a, po_b, made


def test_the_service_answers_and_the_referrer_sees_it(referred) -> None:  # type: ignore[no-untyped-def]
    (a, b, to_a, to_b), po_a, po_b, made = referred
    r = to_b.post(
        f"/api/v1/protection/referrals/{made['id']}/status",
        headers=po_b,
        json={"status": "in_care", "note": "arrived safely; bed in the girls' wing"},
    )
    assert r.status_code == 201, r.text
    answer = r.json()
    assert answer["audience"]["nodes"] == [a.id]
    assert answer["labels"]["purpose"] == "protection"
    assert answer["labels"]["tlp"] == "AMBER+STRICT"
    delivery.push_to(b, a.id, http=to_a)
    sent = to_a.get("/api/v1/protection/referrals", headers=po_a).json()["items"][0]
    assert sent["status"] == "in_care" and sent["status_node"] == b.id
    assert "girls' wing" in sent["status_note"]
    there = to_b.get("/api/v1/protection/referrals", headers=po_b).json()["items"][0]
    assert there["status"] == "in_care"
    # The referrer is told, with nothing of the person.
    notes = to_a.get("/api/v1/notifications", headers=po_a).json()["items"]
    assert [n["link"] for n in notes] == [f"/protection/referrals/{made['id']}"]
    # The referring node does not answer its own referral to a partner.
    r = to_a.post(
        f"/api/v1/protection/referrals/{made['id']}/status",
        headers=po_a,
        json={"status": "closed"},
    )
    assert r.status_code == 422 and "referral" in named(r)


def test_an_answer_keeps_the_referrals_labels(referred) -> None:  # type: ignore[no-untyped-def]
    (a, b, _to_a, _to_b), _po_a, _po_b, made = referred
    with b.db.reading() as s:
        env = s.get(StoredRecord, uuid.UUID(made["id"])).envelope
    body = {"referral": made["id"], "status": "accepted"}
    for labels, field in (
        (Labels(tlp="GREEN", purpose="protection"), "tlp"),
        (Labels(tlp="AMBER+STRICT", purpose="cooperation"), "purpose"),
    ):
        with b.db.transaction() as s, pytest.raises(FlowRefused) as refused:
            records.create(
                s,
                b.keys,
                actor=SYSTEM,
                type=STATUS_TYPE,
                body=body,
                labels=labels,
                audience=Audience(nodes=[a.id]),
                sources=[flow.of_record(env, path="reply")],
            )
        assert refused.value.extra["field"] in (field, "handling")


def test_an_answer_from_a_node_it_was_not_sent_to_is_refused(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b = pair
    po_a = bearer(a, "protection_officer", "po@a.example")[0]
    made = to_a.post("/api/v1/protection/referrals", headers=po_a, json=REFERRAL).json()
    with b.db.transaction() as s:
        forged = records.create(
            s,
            b.keys,
            actor=SYSTEM,
            type=STATUS_TYPE,
            body={"referral": made["id"], "status": "closed"},
            labels=Labels(tlp="AMBER+STRICT", purpose="protection"),
            audience=Audience(nodes=[a.id]),
        )
    delivery.push_to(b, a.id, http=to_a)
    with a.db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(forged["id"])) is None
    sent = to_a.get("/api/v1/protection/referrals", headers=po_a).json()["items"][0]
    assert sent["status"] == "sent"


def test_the_answer_is_withdrawn_with_the_referral(referred) -> None:  # type: ignore[no-untyped-def]
    (a, b, to_a, to_b), po_a, po_b, made = referred
    answer = to_b.post(
        f"/api/v1/protection/referrals/{made['id']}/status",
        headers=po_b,
        json={"status": "accepted"},
    ).json()
    delivery.push_to(b, a.id, http=to_a)
    person = to_a.get("/api/v1/protection/people", headers=po_a).json()["items"][0]["id"]
    consent = to_a.get(f"/api/v1/protection/people/{person}", headers=po_a).json()["consents"][0][
        "id"
    ]
    to_a.post(
        f"/api/v1/protection/people/{person}/consents/{consent}/withdraw", headers=po_a, json={}
    )
    delivery.push_to(a, b.id, http=to_b)
    # B's answer drew on the referral: hidden at once, then revoked by B's cascade job.
    assert to_b.get(f"/api/v1/records/{answer['id']}", headers=po_b).status_code == 404
    with b.db.reading() as s:
        jobs = [j for j in s.query(Job).all() if j.kind == records.CASCADE_JOB]
    for job in jobs:
        queue.HANDLERS[records.CASCADE_JOB].fn(b, dict(job.payload))
    with b.db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(answer["id"])).state == "revoked"
    delivery.push_to(b, a.id, http=to_a)
    with a.db.reading() as s:
        stored = s.get(StoredRecord, uuid.UUID(answer["id"]))
        assert stored is not None and stored.envelope["body"] is None
