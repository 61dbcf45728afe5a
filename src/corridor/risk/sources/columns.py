"""Finding a source's columns by the names its layouts give them."""

from __future__ import annotations

from corridor.errors import InvalidInput


def position(headers: list[str], *candidates: str) -> int:
    """The index of the column `find` finds."""
    return headers.index(find(headers, *candidates))


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").casefold().split())


def optional(headers: list[str], *candidates: str) -> str | None:
    """The header among `headers` named like one of `candidates` (case, spaces and
    underscores aside), if any."""
    by_norm = {_norm(h): h for h in headers}
    for candidate in candidates:
        found = by_norm.get(_norm(candidate))
        if found is not None:
            return found
    return None


def find(headers: list[str], *candidates: str) -> str:
    """Like `optional`, but InvalidInput naming the column when there is none."""
    found = optional(headers, *candidates)
    if found is None:
        raise InvalidInput(
            f"the file has no column {candidates[0]!r}"
            + (f" (nor {', '.join(map(repr, candidates[1:]))})" if len(candidates) > 1 else "")
            + f"; its columns are {', '.join(map(repr, headers[:30]))}"
        )
    return found
