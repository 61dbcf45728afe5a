"""Sharing labels (DESIGN.md section 3): TLP 2.0, handling codes, forward, purpose, evaluation,
retention. Validated when a record is created and again when one is received."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.keys import NODE_ID_RE
from corridor.schemas import StrictModel, UtcDateTime

TLP = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
TLP_LEVELS: tuple[str, ...] = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
Handling = Literal["H0", "H1", "H2", "H3"]


def canonical_tlp(value: Any) -> Any:
    """A TLP level as people and tools write it (`amber`, `TLP:AMBER`, `tlp:amber+strict`,
    TLP 1.0's `WHITE`) in the canonical form of TLP 2.0; anything else is left for the
    validator to refuse by name."""
    if not isinstance(value, str):
        return value
    level = value.strip().upper().replace(" ", "")
    level = level.removeprefix("TLP:").removeprefix("TLP-")
    return "CLEAR" if level == "WHITE" else level


def _canonical_handling(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


# Input only (API bodies, forms): a signed envelope carries the canonical form and nothing
# else, so a received record's labels are read exactly as the policy compares them.
TlpIn = Annotated[TLP, BeforeValidator(canonical_tlp)]
HandlingIn = Annotated[Handling, BeforeValidator(_canonical_handling)]
# Shown translated (`_(text)`); records carry the code only.
HANDLING_TEXT = {
    "H0": N_("Crime-fighting use only"),
    "H1": N_("Not for use in judicial proceedings without the originator's permission"),
    "H2": N_("No dissemination without the originator's permission"),
    "H3": N_("Other restrictions (see note)"),
}
# What a purpose code reads as on a page; records carry the code.
PURPOSE_LABELS = {
    "enforcement": N_("Enforcement"),
    "risk-analysis": N_("Risk analysis"),
    "protection": N_("Protection"),
    "cooperation": N_("Cooperation"),
}
Purpose = Literal["enforcement", "risk-analysis", "protection", "cooperation"]
PURPOSES: tuple[str, ...] = ("enforcement", "risk-analysis", "protection", "cooperation")
# "none": receivers may not even ask to pass it on; "on-request": they may ask the origin.
Forward = Literal["none", "on-request"]

# user:<handle> or unit:<handle>, optionally @<node id> for recipients on other nodes.
RECIPIENT_RE = re.compile(r"^(user|unit):[a-z0-9][a-z0-9._-]{1,39}(@[a-z2-7]{26})?$")


class Evaluation(StrictModel):
    """The 4x4 scheme: source reliability A/B/C/X, information 1-4."""

    source: Literal["A", "B", "C", "X"]
    information: Literal[1, 2, 3, 4]


class Labels(StrictModel):
    tlp: TLP = "AMBER"
    handling: Handling = "H0"
    handling_note: str | None = Field(default=None, max_length=500)
    forward: Forward = "on-request"
    purpose: Purpose = "cooperation"
    evaluation: Evaluation | None = None
    recipients: list[str] = Field(default_factory=list, max_length=200)
    expires: UtcDateTime | None = None
    review: UtcDateTime | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Labels:
        if self.handling == "H3" and not self.handling_note:
            raise ValueError("handling H3 needs a handling_note stating the restriction")
        if self.tlp == "RED" and not self.recipients:
            raise ValueError("TLP:RED needs named recipients (user:<handle> or unit:<handle>)")
        if self.tlp != "RED" and self.recipients:
            raise ValueError("recipients are only used with TLP:RED")
        for r in self.recipients:
            if not RECIPIENT_RE.match(r):
                raise ValueError(f"recipient {r!r} is not user:<handle> or unit:<handle>[@node]")
        if self.expires and self.review and self.review > self.expires:
            raise ValueError("review date must not be after the expiry date")
        return self


class LabelsIn(StrictModel):
    """The label fields of an API request that creates a record, flat in its body."""

    tlp: TlpIn = "AMBER"
    handling: HandlingIn = "H0"
    handling_note: str | None = Field(default=None, max_length=500)
    purpose: Purpose = "cooperation"
    forward: Forward = "on-request"
    evaluation: Evaluation | None = None
    recipients: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="TLP:RED: user:<handle> / unit:<handle>[@node]",
    )
    expires: UtcDateTime | None = None

    def labels(self) -> Labels:
        # The label fields alone (a request model extends this one with its own fields), each
        # a field of Labels, in canonical form once validated.
        return Labels(**{name: getattr(self, name) for name in LabelsIn.model_fields})


class Audience(StrictModel):
    """Named nodes and/or sharing groups. Empty means: this node only."""

    nodes: list[str] = Field(default_factory=list, max_length=500)
    groups: list[str] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _ids(self) -> Audience:
        for n in self.nodes:
            if not NODE_ID_RE.fullmatch(n):
                raise ValueError(f"{n!r} is not a node id")
        for g in self.groups:
            if not re.fullmatch(r"[0-9a-f-]{36}", g):
                raise ValueError(f"{g!r} is not a group id")
        return self


def addressed(to: list[str], *, whom: str = "node") -> Audience:
    """`audience_for` a record that must go somewhere: refused when `to` names nobody (`whom`:
    what the feature calls the nodes it sends to)."""
    audience = audience_for(to)
    if not audience.nodes and not audience.groups:
        raise InvalidInput(f"to: name at least one {whom} or sharing group")
    return audience


def audience_for(to: list[str]) -> Audience:
    """The `to` of an API or form request (node ids and/or sharing-group ids) as an audience."""
    nodes, groups = [], []
    for t in to:
        t = t.strip()
        if NODE_ID_RE.match(t):
            nodes.append(t)
        else:
            try:
                groups.append(str(uuid.UUID(t)))
            except ValueError:
                raise InvalidInput(f"{t!r} is neither a node id nor a group id") from None
    return Audience(nodes=nodes, groups=groups)
