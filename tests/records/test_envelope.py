from __future__ import annotations

import copy

import pytest

from corridor.canonical import canonical
from corridor.errors import InvalidInput, SignatureInvalid
from corridor.keys import NodeKeys, generate
from corridor.records import envelope as env
from corridor.records.labels import Labels


@pytest.fixture
def keys(tmp_path) -> NodeKeys:  # type: ignore[no-untyped-def]
    return generate(tmp_path / "keys")


def fields(keys: NodeKeys) -> dict:  # type: ignore[type-arg]
    return {
        "id": "01a22348-7f15-7704-8e51-128688f269ae",
        "type": "node.card",
        "version": 1,
        "origin": keys.node_id,
        "author": "u-abcdefgh",
        "seq": 1,
        "ts": "2026-11-28T12:00:00Z",
        "labels": {
            "tlp": "AMBER",
            "handling": "H0",
            "forward": "on-request",
            "purpose": "cooperation",
            "recipients": [],
        },
        "audience": {"nodes": [], "groups": []},
        "body": {"name": "Ünïcode ✓", "n": 1.5, "z": None, "a": [3, 2, 1]},
    }


def test_canonical_json_is_rfc8785() -> None:
    assert (
        canonical({"b": 1, "a": [True, None], "c": "é"})
        == '{"a":[true,null],"b":1,"c":"é"}'.encode()
    )
    assert canonical({"n": 1.0}) == b'{"n":1}'
    assert canonical({"n": 1e21}) == b'{"n":1e+21}'


def test_sign_and_verify(keys: NodeKeys) -> None:
    signed = env.sign(fields(keys), keys)
    env.verify(signed, keys.signing_public)
    env.parse(signed)


def test_key_order_does_not_matter(keys: NodeKeys) -> None:
    signed = env.sign(fields(keys), keys)
    reordered = dict(reversed(list(signed.items())))
    env.verify(reordered, keys.signing_public)


@pytest.mark.parametrize(
    "path, value",
    [
        (("body", "name"), "changed"),
        (("labels", "tlp"), "CLEAR"),
        (("version",), 2),
        (("audience", "nodes"), ["a" * 26]),
        (("author",), "u-someoneelse"),
    ],
)
def test_any_change_breaks_the_signature(
    keys: NodeKeys, path: tuple[str, ...], value: object
) -> None:
    signed = env.sign(fields(keys), keys)
    forged = copy.deepcopy(signed)
    target = forged
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    with pytest.raises(SignatureInvalid):
        env.verify(forged, keys.signing_public)


def test_signature_by_another_key_fails(keys: NodeKeys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = generate(tmp_path / "other")
    signed = env.sign(fields(keys), keys)
    with pytest.raises(SignatureInvalid):
        env.verify(signed, other.signing_public)


def test_a_node_signs_only_its_own_origin(keys: NodeKeys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = generate(tmp_path / "other")
    with pytest.raises(SignatureInvalid):
        env.sign({**fields(keys), "origin": other.node_id}, keys)


@pytest.mark.parametrize("sig", [None, "", "!!!notbase64", "AAAA" * 30])
def test_garbage_signatures(keys: NodeKeys, sig: object) -> None:
    signed = env.sign(fields(keys), keys)
    signed["sig"] = sig
    with pytest.raises(SignatureInvalid):
        env.verify(signed, keys.signing_public)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f.update(type="Bad Type"), "record type"),
        (lambda f: f.update(origin="not-a-node"), "origin"),
        (lambda f: f.update(version=0), "version"),
        (lambda f: f.update(body=None), "body or a tombstone"),
        (lambda f: f.update(tombstone={"reason": "x"}), "body or a tombstone"),
        (lambda f: f.update(extra="field"), "extra"),
        (lambda f: f["labels"].update(tlp="PINK"), "tlp"),
        (lambda f: f.update(ts="2026-11-28T12:00:00"), "timezone"),
    ],
)
def test_malformed_envelopes_are_rejected(keys: NodeKeys, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    f = fields(keys)
    mutate(f)
    with pytest.raises(InvalidInput) as exc:
        env.parse({**f, "sig": "A" * 86})
    assert message in str(exc.value.extra["errors"]) or message in exc.value.detail


def test_parse_rejects_non_objects() -> None:
    with pytest.raises(InvalidInput):
        env.parse(["not", "a", "record"])


def test_validated_names_what_is_wrong_without_the_input() -> None:
    labels = env.validated(Labels, b'{"tlp": "GREEN"}', "bad labels")
    assert labels == Labels(tlp="GREEN")
    with pytest.raises(InvalidInput, match=r"^bad labels$") as refused:
        env.validated(Labels, {"tlp": "PINK", "purpose": "secret text"}, "bad labels")
    errors = refused.value.extra["errors"]
    assert [e["loc"] for e in errors] == [("tlp",), ("purpose",)]
    assert "secret text" not in str(errors)
