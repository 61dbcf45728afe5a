"""The OPRF against RFC 9497's own test vectors (Appendix A.1.1, OPRF(ristretto255, SHA-512))."""

from __future__ import annotations

import pytest

from corridor.matching import oprf

SK = bytes.fromhex("5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e")
BLIND = bytes.fromhex("64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706")


def test_rfc9497_vector_1() -> None:
    b = oprf.blind(b"\x00", scalar=BLIND)
    assert b.element.hex() == "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c"
    z = oprf.blind_evaluate(SK, b.element)
    assert z.hex() == "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e"
    out = oprf.finalize(b, z)
    assert out.hex() == (
        "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3"
        "ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6"
    )
    assert oprf.evaluate(SK, b"\x00") == out


def test_rfc9497_vector_2() -> None:
    b = oprf.blind(bytes.fromhex("5a" * 17), scalar=BLIND)
    assert b.element.hex() == "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418"
    z = oprf.blind_evaluate(SK, b.element)
    assert z.hex() == "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25"
    assert oprf.finalize(b, z) == oprf.evaluate(SK, bytes.fromhex("5a" * 17))


def test_blinding_hides_the_value_and_keys_differ() -> None:
    k1, k2 = oprf.new_key(), oprf.new_key()
    a, b = oprf.blind(b"+923001234567"), oprf.blind(b"+923001234567")
    assert a.element != b.element  # a fresh blind each time: the holder cannot link them
    assert oprf.finalize(a, oprf.blind_evaluate(k1, a.element)) == oprf.evaluate(k1, a.value)
    assert oprf.evaluate(k1, a.value) != oprf.evaluate(k2, a.value)


@pytest.mark.parametrize("bad", [b"", b"\x00" * 32, b"\xff" * 32, b"\x01" * 31])
def test_holder_refuses_what_is_not_an_element(bad: bytes) -> None:
    with pytest.raises(oprf.InvalidElement):
        oprf.blind_evaluate(oprf.new_key(), bad)
