"""The signed record envelope: building, signing and verifying (DESIGN.md section 2).

Signatures cover the RFC 8785 canonical JSON of every field but `sig`. A receiver verifies the
bytes it was given, never a re-serialisation, and stores that exact dict."""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from corridor.canonical import canonical
from corridor.errors import InvalidInput, SignatureInvalid
from corridor.keys import NODE_ID_RE, NodeKeys, b64u, unb64u
from corridor.records.labels import Audience, Labels
from corridor.schemas import StrictModel, UtcDateTime

M = TypeVar("M", bound=BaseModel)

TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class Tombstone(StrictModel):
    reason: str = Field(min_length=1, max_length=500)


class Envelope(StrictModel):
    """Structure check of an envelope; the signed dict itself stays the source of truth."""

    id: uuid.UUID
    type: str = Field(max_length=64)
    version: int = Field(ge=1)
    origin: str
    author: str = Field(min_length=1, max_length=80)
    seq: int = Field(ge=1)
    ts: UtcDateTime
    labels: Labels
    audience: Audience
    body: dict[str, Any] | None
    tombstone: Tombstone | None = None
    sig: str = Field(min_length=10, max_length=200)

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if not TYPE_RE.match(v):
            raise ValueError("record type must be dotted lowercase words, e.g. rfa.reply")
        return v

    @field_validator("origin")
    @classmethod
    def _origin(cls, v: str) -> str:
        if not NODE_ID_RE.match(v):
            raise ValueError("origin must be a node id")
        return v

    @model_validator(mode="after")
    def _body_or_tombstone(self) -> Envelope:
        if (self.body is None) == (self.tombstone is None):
            raise ValueError("a record has either a body or a tombstone, not both or neither")
        return self


def unsigned(envelope: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in envelope.items() if k != "sig"}


def sign(fields: dict[str, Any], keys: NodeKeys) -> dict[str, Any]:
    if fields.get("origin") != keys.node_id:
        raise SignatureInvalid("a node signs only records of its own origin")
    return {**fields, "sig": b64u(keys.sign(canonical(fields)))}


@functools.lru_cache(maxsize=1024)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    # Loading a key costs about a tenth of a verification; a node checks the same few often.
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(envelope: dict[str, Any], public_key: bytes) -> None:
    sig = envelope.get("sig")
    if not isinstance(sig, str):
        raise SignatureInvalid("record has no signature")
    try:
        _public_key(bytes(public_key)).verify(unb64u(sig), canonical(unsigned(envelope)))
    except (InvalidSignature, ValueError) as exc:
        raise SignatureInvalid(
            f"signature of record {envelope.get('id')} v{envelope.get('version')} "
            f"does not verify against origin {envelope.get('origin')}"
        ) from exc


def verify_any(envelope: dict[str, Any], public_keys: list[bytes]) -> None:
    """Verify against the first key that fits (a peer's current key, then earlier ones)."""
    for key in public_keys[:-1]:
        try:
            verify(envelope, key)
            return
        except SignatureInvalid:
            continue
    if not public_keys:
        raise SignatureInvalid("no key to verify this record with")
    verify(envelope, public_keys[-1])


def validated(model: type[M], data: Any, detail: str) -> M:
    """`data` (parsed JSON, or JSON text as bytes) as `model`; else InvalidInput(`detail`) with
    pydantic's errors, without the input itself (it may be content)."""
    try:
        if isinstance(data, bytes):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            detail,
            errors=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc


def parse(envelope: Any) -> Envelope:
    if not isinstance(envelope, dict):
        raise InvalidInput("a record must be a JSON object")
    return validated(Envelope, envelope, "malformed record")
