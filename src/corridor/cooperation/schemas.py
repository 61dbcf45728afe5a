"""API input and answers shared by the cooperation sub-features (directory, alerts, requests,
spaces)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field

from corridor import clock

# A record's main text is `text` everywhere in the API. Alerts and requests called it `body`
# when they were created: that name is still accepted, so clients written then keep working.
TEXT_ALIASES = AliasChoices("text", "body")
TEXT_DOC = "the main text (`body`, its former name, is still accepted: deprecated)"


def deprecated_body() -> Any:
    """An answer's `body`: the main text again, for the clients that read it under that name."""
    return Field(
        description="deprecated: the same as `text`", json_schema_extra={"deprecated": True}
    )


def when(value: datetime | None) -> str | None:
    """An answer's time: UTC ISO 8601 (as `clock.iso`), or none."""
    return clock.iso(value) if value is not None else None
