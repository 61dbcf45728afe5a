from __future__ import annotations

import itertools
import threading

from corridor.ids import uuid7


def test_uuid7_is_version_7_and_strictly_increasing_even_within_a_millisecond() -> None:
    ids = [uuid7() for _ in range(20_000)]  # thousands per millisecond
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    assert all(a < b for a, b in itertools.pairwise(ids))
    ms = [i.int >> 80 for i in ids]
    assert len(set(ms)) < len(ids)  # the loop did make several in one millisecond


def test_uuid7_is_unique_across_threads() -> None:
    made: list[list[object]] = [[] for _ in range(4)]

    def make(k: int) -> None:
        made[k].extend(uuid7() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for part in made for i in part]
    assert len(set(everything)) == len(everything)
    assert all(part == sorted(part) for part in made)  # type: ignore[type-var]
