"""The oblivious pseudorandom function of hit/no-hit: RFC 9497, OPRF mode, ristretto255-SHA512.

A holder's key k turns an input x into F(k, x) = SHA-512(len(x) ‖ x ‖ len(N) ‖ N ‖ "Finalize")
with N = k·H(x), H the RFC's hash to the group. A querier blinds its input (r·H(x)) so the
holder, evaluating k·(r·H(x)), learns nothing of x; the querier unblinds with r⁻¹ and gets
F(k, x) without learning k. Without a call to the holder nobody can compute F of a guessed
value, so a holder's published F values cannot be tested offline. Group operations come from
libsodium (rbcl bundles it); the RFC's test vectors hold this module to the standard."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property

import rbcl

CONTEXT = b"OPRFV1-\x00-ristretto255-SHA512"
HASH_TO_GROUP_DST = b"HashToGroup-" + CONTEXT
ELEMENT_BYTES = 32
SCALAR_BYTES = 32
OUTPUT_BYTES = 64


class InvalidElement(ValueError):
    """Bytes that are not the encoding of a ristretto255 group element (or are the identity)."""


def _i2osp(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def expand_message_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 section 5.3.1 with SHA-512 (what RFC 9497's HashToGroup uses)."""
    b_in_bytes, s_in_bytes = 64, 128
    ell = -(-length // b_in_bytes)
    if ell > 255 or length > 65535 or len(dst) > 255:
        raise ValueError("expand_message_xmd: requested length or DST too long")
    dst_prime = dst + _i2osp(len(dst), 1)
    msg_prime = b"\x00" * s_in_bytes + msg + _i2osp(length, 2) + b"\x00" + dst_prime
    b0 = hashlib.sha512(msg_prime).digest()
    b = [hashlib.sha512(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        prev = bytes(x ^ y for x, y in zip(b0, b[-1], strict=True))
        b.append(hashlib.sha512(prev + _i2osp(i, 1) + dst_prime).digest())
    return b"".join(b)[:length]


def hash_to_group(value: bytes) -> bytes:
    element: bytes = rbcl.crypto_core_ristretto255_from_hash(
        expand_message_xmd(value, HASH_TO_GROUP_DST, 64)
    )
    return element


def new_key() -> bytes:
    """A holder's secret key: a uniformly random non-zero scalar."""
    return bytes(rbcl.crypto_core_ristretto255_scalar_random())


def _checked(element: bytes) -> bytes:
    if len(element) != ELEMENT_BYTES or not rbcl.crypto_core_ristretto255_is_valid_point(element):
        raise InvalidElement("not a ristretto255 element")
    return element


def _finalize_hash(value: bytes, unblinded: bytes) -> bytes:
    return hashlib.sha512(
        _i2osp(len(value), 2) + value + _i2osp(len(unblinded), 2) + unblinded + b"Finalize"
    ).digest()


def evaluate(key: bytes, value: bytes) -> bytes:
    """F(k, x) computed by the holder itself (RFC 9497 `Evaluate`): what its index holds."""
    return _finalize_hash(value, _mult(key, hash_to_group(value)))


@dataclass(frozen=True)
class Blinded:
    value: bytes
    blind: bytes  # the scalar r, kept by the querier
    element: bytes  # r·H(x), sent to the holder

    @cached_property
    def inverse(self) -> bytes:
        """r⁻¹, once for every holder the same blinded element went to."""
        return bytes(rbcl.crypto_core_ristretto255_scalar_invert(self.blind))


def blind(value: bytes, *, scalar: bytes | None = None) -> Blinded:
    """The querier's first step (`Blind`); `scalar` only for the RFC's test vectors."""
    r = scalar if scalar is not None else bytes(rbcl.crypto_core_ristretto255_scalar_random())
    element = bytes(rbcl.crypto_scalarmult_ristretto255(r, hash_to_group(value)))
    return Blinded(value=value, blind=r, element=element)


def _mult(scalar: bytes, element: bytes) -> bytes:
    try:
        return bytes(rbcl.crypto_scalarmult_ristretto255(scalar, _checked(element)))
    except RuntimeError:  # libsodium refuses a product that is the identity
        raise InvalidElement("the identity element") from None


def blind_evaluate(key: bytes, element: bytes) -> bytes:
    """The holder's step (`BlindEvaluate`): k·B for a blinded element B it cannot read."""
    return _mult(key, element)


def finalize(blinded: Blinded, evaluated: bytes) -> bytes:
    """The querier's last step (`Finalize`): F(k, x) from the holder's answer."""
    unblinded = _mult(blinded.inverse, evaluated)
    return _finalize_hash(blinded.value, unblinded)


def same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)
