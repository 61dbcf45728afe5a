"""API input shared by the cooperation sub-features (directory, alerts, requests, spaces)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from corridor.schemas import StrictModel

# A record's main text is `text` everywhere in the API. Alerts and requests called it `body`
# when they were created: that name is still accepted, so clients written then keep working.
TEXT_ALIASES = AliasChoices("text", "body")
TEXT_DOC = "the main text (`body`, its former name, is still accepted: deprecated)"
BODY_DOC = "deprecated: the same as `text`, kept for clients that read it"


class WithdrawIn(StrictModel):
    reason: str = Field(min_length=1, max_length=500)
