"""RFC 8785 (JCS) canonical JSON: the exact bytes that signatures and hashes cover.

`rfc8785` is the reference, but it is pure Python and costs about a third of a signature
check. For the values records and audit entries hold (plain dicts with string keys, lists,
strings, safe integers, booleans, null) the standard library's C encoder with sorted keys,
no whitespace and no ASCII escaping writes exactly the same bytes: it escapes the same
characters the same way (`"`, `\\`, the short forms \\b \\f \\n \\r \\t, other controls as
lowercase \\u00xx) and, for keys without characters beyond U+FFFF, sorting by code point is
sorting by UTF-16 code unit. Everything else (floats, whose ECMAScript number format differs
from Python's repr; integers beyond 2^53; subclasses; keys with astral characters; anything
that fails) goes to the reference, which also raises the reference's errors.
tests/records/test_canonical.py compares the two on many varied values."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_BMP_MAX = "\uffff"

_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
    allow_nan=False,
    check_circular=False,
)


def _plain(value: Any) -> bool:
    """True when the value holds only the types the C encoder writes canonically.

    Exact type checks on purpose: subclasses (enums, OrderedDict…) go to the reference."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INT <= value <= _SAFE_INT)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and max(key) > _BMP_MAX):
                return False
            if not _plain(item):
                return False
        return True
    if kind is list:
        for item in value:  # noqa: SIM110 - a plain loop, cheaper than all() over a generator
            if not _plain(item):
                return False
        return True
    return False  # float, tuple, subclasses, anything else


def _fast(value: Any) -> bytes | None:
    try:
        if _plain(value):
            return _ENCODER.encode(value).encode("utf-8")
    except (RecursionError, UnicodeEncodeError):
        pass  # too deep, or lone surrogates: the reference decides (and raises)
    return None


def canonical(value: Any) -> bytes:
    fast = _fast(value)
    return fast if fast is not None else rfc8785.dumps(value)


def reference(value: Any) -> bytes:
    """The reference implementation alone (tests and benchmarks compare against it)."""
    return rfc8785.dumps(value)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()
