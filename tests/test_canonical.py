"""The fast canonical encoder writes exactly the bytes of the rfc8785 reference, or defers to it."""

from __future__ import annotations

import random
from collections import OrderedDict
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from corridor import canonical as canon

# Code point ranges that matter to JSON escaping and to key ordering: controls, ASCII
# punctuation and the escaped characters, DEL, Latin-1, Arabic, Devanagari, CJK, the
# line/paragraph separators, the private-use area and U+FFFF just below the surrogates,
# and astral characters (emoji, historic scripts) that sort differently in UTF-16.
RANGES = [
    (0x00, 0x1F),
    (0x20, 0x7F),
    (0x80, 0xFF),
    (0x600, 0x6FF),
    (0x900, 0x97F),
    (0x2028, 0x2029),
    (0x4E00, 0x4E80),
    (0xE000, 0xE0FF),
    (0xFF00, 0xFFFF),
    (0x1F600, 0x1F64F),
    (0x10000, 0x10100),
]
SPECIAL_INTS = [0, 1, -1, 2**31, -(2**31), 2**53 - 1, -(2**53) + 1, 2**53, -(2**53), 10**20]
SPECIAL_FLOATS = [
    0.0,
    -0.0,
    0.1,
    -1.5,
    1.0,
    1e21,
    1e20,
    123456789012345680000.0,
    1e-6,
    1e-7,
    5e-324,
    1.7976931348623157e308,
    333333333.3333333,
    -4.35,
    2.5e-8,
]


def same(value: Any) -> None:
    """Either both give the same bytes, or both refuse with the same kind of error."""
    try:
        expected = canon.reference(value)
    except Exception as exc:  # any refusal must be mirrored
        with pytest.raises(type(exc)):
            canon.canonical(value)
        return
    assert canon.canonical(value) == expected


BMP_RANGES = [r for r in RANGES if r[1] <= 0xFFFF]


def rand_str(rng: random.Random, max_len: int = 12, ranges: list[tuple[int, int]] = RANGES) -> str:
    out = []
    for _ in range(rng.randint(0, max_len)):
        lo, hi = rng.choice(ranges)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def rand_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["str", "int", "bool", "none", "float"]
    if depth < 4:
        kinds += ["dict", "dict", "list"]
    kind = rng.choice(kinds)
    if kind == "str":
        return rand_str(rng)
    if kind == "int":
        return rng.choice([*SPECIAL_INTS, rng.randint(-(10**6), 10**6)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "float":
        return rng.choice(
            [*SPECIAL_FLOATS, rng.uniform(-1e6, 1e6), rng.random() * 10.0 ** rng.randint(-30, 30)]
        )
    if kind == "list":
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {rand_str(rng, 6): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def rand_plain(rng: random.Random, depth: int = 0) -> Any:
    """Only the types the fast path takes (no floats, safe ints): most of what records hold."""
    value = rand_value(rng, depth)
    if isinstance(value, float):
        return int(value) % 1000
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        return 7
    if isinstance(value, dict):
        return {rand_str(rng, 6, BMP_RANGES): rand_plain(rng, depth + 1) for _ in value}
    if isinstance(value, list):
        return [rand_plain(rng, depth + 1) for _ in value]
    return value


def test_random_values_match_the_reference() -> None:
    rng = random.Random(8785)
    for _ in range(3000):
        same(rand_value(rng))


def test_random_plain_values_take_the_fast_path_and_match() -> None:
    rng = random.Random(20260)
    fast = 0
    for _ in range(3000):
        value = {rand_str(rng, 5, BMP_RANGES): rand_plain(rng, 1) for _ in range(4)}
        same(value)
        fast += canon._fast(value) is not None
    # Keys without astral characters, no floats, safe integers: all of them go the fast way.
    assert fast == 3000


def test_every_character_as_a_value_and_as_a_key() -> None:
    # Every BMP character (but the surrogates) and a sample of the astral planes.
    codes = [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 251)]
    chars = [chr(c) for c in codes]
    for start in range(0, len(chars), 4096):
        chunk = chars[start : start + 4096]
        same(chunk)
        same({c: i for i, c in enumerate(chunk)})
        same("".join(chunk))


def test_key_order_is_utf16_order() -> None:
    # U+1F600 (surrogates D83D DE00) sorts before U+FF01 in UTF-16, after it by code point.
    value = {"\uff01": 1, "\U0001f600": 2, "a": 3, "\u00e9": 4, "B": 5, "": 6}
    assert canon.canonical(value) == canon.reference(value)
    assert canon.canonical(value).startswith(b'{"":6,"B":5,"a":3,"\xc3\xa9":4,"\xf0\x9f\x98\x80":2')
    # The RFC's own key-ordering example (section 3.2.3).
    rfc = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    assert canon.canonical(rfc) == canon.reference(rfc)


def test_numbers_match_including_floats_and_limits() -> None:
    for n in SPECIAL_INTS:
        same(n)
        same({"n": n, "m": [n, -n]})
    for f in SPECIAL_FLOATS:
        same(f)
        same({"f": f, "nested": {"g": [f, 1, "x"]}})
    for bad in (float("nan"), float("inf"), -float("inf")):
        same({"x": bad})


def test_nested_structures_and_escapes() -> None:
    value = {
        "z": {"y": {"x": [{"b": 1, "a": [True, False, None, [], {}]}]}},
        'quote"back\\slash': "line\nfeed\ttab\u0000nul\u001f\u007f\u2028/",
        "ar": "\u0645\u062d\u0645\u062f",
        "emoji": "\U0001f600",
    }
    same(value)
    assert canon._fast(value) is not None


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    ONE = 1


def test_other_types_go_to_the_reference() -> None:
    for value in (
        ("a", 1),
        OrderedDict(b=1, a=2),
        {"c": Colour.RED},
        {"l": Level.ONE},
        {1: "int key"},
        {"d": object()},
        {"b": b"bytes"},
        {"s": "lone \ud800 surrogate"},
        {"\ud800": 1},
    ):
        assert canon._fast(value) is None
        same(value)


def test_a_typical_envelope_takes_the_fast_path() -> None:
    envelope = {
        "id": "0193b6f1-9f1c-7c1e-8a55-1234567890ab",
        "type": "bench.sample",
        "version": 1,
        "origin": "abcdefghijklmnopqrstuvwxyz",
        "author": "u-alice123",
        "seq": 123456,
        "ts": "2026-11-28T19:23:00.123456Z",
        "labels": {"tlp": "AMBER", "purpose": "enforcement", "handling": "H1"},
        "audience": {"nodes": ["abcdefghijklmnopqrstuvwxy2"], "groups": []},
        "body": {"title": "Boat departure near site 7", "count": 3, "tags": ["sea", "night"]},
    }
    assert canon._fast(envelope) == canon.reference(envelope)
