"""Argon2id password hashing (argon2-cffi, RFC 9106 defaults)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal accounts;
# made on first use (an Argon2 hash costs every CLI start otherwise).
_DUMMY: str | None = None


def configure(*, time_cost: int, memory_cost: int, parallelism: int = 1) -> None:
    """Cheaper parameters for test suites only; a node always runs with the defaults."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _DUMMY = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _dummy() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY


def verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def secret_hash(value: str) -> str:
    """What the store keeps of a session cookie or an API token: SHA-256, not Argon2 (they
    are random, long and checked on every request)."""
    return hashlib.sha256(value.encode()).hexdigest()
