"""Identifiers: UUIDv7 for everything a node creates (time-ordered, index-friendly)."""

from __future__ import annotations

import os
import threading
import time
import uuid

_last = 0
_lock = threading.Lock()


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits; strictly increasing within
    the process (RFC 9562 §6.2: ids made in the same millisecond keep their order, so "newest
    first" lists what was created last first even when a batch writes many per millisecond)."""
    global _last
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    with _lock:
        if value <= _last:
            # Same millisecond (or the clock stepped back): one more than the last, which
            # changes only random bits (a carry into the variant would need 2^62 in a row).
            value = _last + 1
        _last = value
    return uuid.UUID(int=value)
