from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor.errors import InvalidInput
from corridor.records.labels import Audience, Labels, LabelsIn, addressed


def test_defaults_are_restrictive_enough() -> None:
    labels = Labels()
    assert labels.tlp == "AMBER"
    assert labels.purpose == "cooperation"
    assert labels.recipients == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tlp": "RED"}, "named recipients"),
        ({"tlp": "AMBER", "recipients": ["user:u-abcdefgh"]}, "only used with TLP:RED"),
        ({"tlp": "RED", "recipients": ["someone"]}, "is not user"),
        ({"handling": "H3"}, "handling_note"),
        ({"handling": "H5"}, "H0"),
        ({"purpose": "marketing"}, "purpose"),
        ({"evaluation": {"source": "D", "information": 1}}, "source"),
        ({"evaluation": {"source": "A", "information": 5}}, "information"),
        ({"expires": "2027-01-01T00:00:00Z", "review": "2027-02-01T00:00:00Z"}, "review"),
        ({"expires": "2027-01-01T00:00:00"}, "timezone"),
        ({"colour": "blue"}, "Extra inputs"),
    ],
)
def test_invalid_labels(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError) as exc:
        Labels(**kwargs)
    assert message in str(exc.value)


def test_valid_red_with_recipients_on_another_node() -> None:
    labels = Labels(
        tlp="RED",
        recipients=["unit:unit-abcdefgh@" + "a" * 26, "user:u-k3m9x2qa"],
        evaluation={"source": "B", "information": 2},
        handling="H3",
        handling_note="Not for the press office",
    )
    dumped = labels.model_dump(mode="json", exclude_none=True)
    assert dumped["evaluation"] == {"source": "B", "information": 2}


def test_audience_ids_are_checked() -> None:
    Audience(nodes=["a" * 26], groups=["01a22348-7f15-7704-8e51-128688f269ae"])
    with pytest.raises(ValidationError):
        Audience(nodes=["node-1"])
    with pytest.raises(ValidationError):
        Audience(groups=["everyone"])


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("AMBER", "AMBER"),
        ("amber", "AMBER"),
        ("TLP:AMBER", "AMBER"),
        ("tlp:amber+strict", "AMBER+STRICT"),
        (" TLP:Green ", "GREEN"),
        ("clear", "CLEAR"),
        ("WHITE", "CLEAR"),  # TLP 1.0, as older tools still write it
    ],
)
def test_labels_are_accepted_as_written_and_kept_in_canonical_form(
    written: str, canonical: str
) -> None:
    labels = LabelsIn(tlp=written, handling="h1").labels()
    assert labels.tlp == canonical
    assert labels.handling == "H1"
    assert labels.model_dump()["tlp"] == canonical


def test_an_unknown_level_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as err:
        LabelsIn(tlp="TLP:PURPLE")
    assert err.value.errors()[0]["loc"] == ("tlp",)


def test_a_signed_envelope_carries_only_the_canonical_form() -> None:
    # What a peer signs is read exactly as the visibility rule compares it: "red" in a
    # received envelope would not be TLP:RED to the policy, so it is refused, not repaired.
    with pytest.raises(ValidationError):
        Labels(tlp="red", recipients=["user:ana"])  # type: ignore[arg-type]


def test_a_record_that_must_go_somewhere_names_someone() -> None:
    node, group = "a" * 26, "0190a0c6-2f55-7c38-8e0e-3b2f0c9b8f11"
    assert addressed([node, group]) == Audience(nodes=[node], groups=[group])
    with pytest.raises(InvalidInput, match=r"^to: name at least one node or sharing group$"):
        addressed([])
    with pytest.raises(InvalidInput, match="at least one partner node or sharing group"):
        addressed([], whom="partner node")


def test_the_labels_of_a_request_model_are_its_label_fields_alone() -> None:
    class Request(LabelsIn):
        subject: str

    request = Request(subject="s", tlp="tlp:amber+strict", handling="h1")
    assert request.labels() == Labels(tlp="AMBER+STRICT", handling="H1")
