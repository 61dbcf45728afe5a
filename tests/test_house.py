"""House rules that no linter checks: small modules."""

from __future__ import annotations

from pathlib import Path

import corridor

SRC = Path(corridor.__file__).resolve().parent
MAX_LINES = 600


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by subject: {long}"
