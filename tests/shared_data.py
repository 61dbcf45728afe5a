"""Where the project's real public data is (`../shared/data` beside the checkout, README there):
tests that need it skip, naming the path, when a checkout has no such folder beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
LINKAGE = SHARED_DATA / "linkage"


def needs(path: Path) -> pytest.MarkDecorator:
    """Skip the test when `path` (a file or folder of the shared data) is not there."""
    return pytest.mark.skipif(not path.exists(), reason=f"shared data not found at {path}")
