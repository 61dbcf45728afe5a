"""Files carried inside a record (a message, a request for assistance or its reply, a post in a
joint space): the record field that holds them, the API's input for them, and the one way they
are encoded, listed and handed out.

A file travels in the signed record itself (base64, with its size and SHA-256), so it reaches
a partner with the record and is purged with it. Each record type sets its own limits on how
many files and how many bytes it carries; the federation batch budget is sized for the largest
of them (5 MiB a file, 10 MiB a record)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import Field, field_validator, model_validator

from corridor.errors import InvalidInput, NotFound, TooLarge
from corridor.schemas import ReadModel, StrictModel

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS_TOTAL = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# What a listing shows of a file: everything but its content.
META_FIELDS = ("name", "content_type", "size", "sha256")
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class Attachment(StrictModel):
    """A file as a record carries it (checked on creation and again on receipt)."""

    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(default=DEFAULT_CONTENT_TYPE, max_length=100)
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    data: str = Field(description="base64 of the content")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        if "/" in v or "\\" in v or v.startswith(".") or any(ord(c) < 32 for c in v):
            raise ValueError("attachment names are plain file names")
        return v

    @model_validator(mode="after")
    def _content_matches(self) -> Attachment:
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"attachment {self.name!r} is not valid base64") from None
        if len(raw) != self.size:
            raise ValueError(f"attachment {self.name!r}: size does not match its content")
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise ValueError(f"attachment {self.name!r}: sha256 does not match its content")
        return self


def check_total(attachments: Iterable[Attachment], limit: int, per: str = "in all") -> None:
    """For a body's validator: the files of one record stay within `limit` bytes."""
    if sum(a.size for a in attachments) > limit:
        raise ValueError(f"attachments are limited to {limit} bytes {per}")


class AttachmentIn(StrictModel):
    """A file sent through the API: its name, type and base64 content (size and SHA-256 are
    computed here)."""

    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(default=DEFAULT_CONTENT_TYPE, max_length=100)
    data: str = Field(description="base64 of the file")


@dataclass(frozen=True)
class NewAttachment:
    """A file to attach, as a form upload or the API's input gives it."""

    name: str
    content_type: str
    content: bytes


def decode(items: Iterable[AttachmentIn], *, max_bytes: int | None = None) -> list[NewAttachment]:
    """The API's files, decoded. With `max_bytes`, a file over it is refused (413) before its
    base64 is decoded; without, the record's schema refuses it (422)."""
    files = []
    for a in items:
        # base64 is 4/3 of the content.
        if max_bytes is not None and len(a.data) > (max_bytes + 2) // 3 * 4:
            raise TooLarge(f"attachment {a.name!r} is larger than {mib(max_bytes)} MiB")
        try:
            content = base64.b64decode(a.data, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"attachment {a.name!r} is not valid base64") from None
        files.append(NewAttachment(a.name, a.content_type, content))
    return files


def mib(n: int) -> int:
    return n // (1024 * 1024)


def fields(files: Iterable[NewAttachment]) -> list[dict[str, Any]]:
    """The files as the record's `attachments` field."""
    return [
        {
            "name": f.name,
            "content_type": f.content_type or DEFAULT_CONTENT_TYPE,
            "size": len(f.content),
            "sha256": hashlib.sha256(f.content).hexdigest(),
            "data": base64.b64encode(f.content).decode("ascii"),
        }
        for f in files
    ]


def listed(body: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What a listing shows of a record body's files: everything but the content."""
    return [{k: a[k] for k in META_FIELDS} for a in (body or {}).get("attachments", [])]


@dataclass(frozen=True)
class Download:
    """One file of a record, as an answer hands it out (always as a download, never shown
    inline: its type is the sender's word)."""

    content: bytes
    headers: dict[str, str]
    media_type: str = DEFAULT_CONTENT_TYPE


def download(body: dict[str, Any] | None, index: int) -> Download:
    """The file at `index` of a record body (404 past the last one, or for a purged body)."""
    files = (body or {}).get("attachments", [])
    if not 0 <= index < len(files):
        raise NotFound("no such attachment")
    return download_of(files[index])


def download_of(a: dict[str, Any]) -> Download:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in a["name"])[:200]
    return Download(
        base64.b64decode(a["data"]),
        {"content-disposition": f'attachment; filename="{safe}"', "x-corridor-sha256": a["sha256"]},
    )


class Upload(Protocol):
    """A file field of a posted form (Starlette's UploadFile)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...


async def read_uploads(files: Iterable[Upload | str], max_bytes: int) -> list[NewAttachment]:
    """The files of a form (empty file fields skipped). Each is read up to one byte past
    `max_bytes`, enough for the record's limits to refuse it without reading it all."""
    out = []
    for f in files:
        if isinstance(f, str) or not f.filename:
            continue
        content = await f.read(max_bytes + 1)
        out.append(NewAttachment(f.filename, f.content_type or "", content))
    return out


class AttachmentRead(ReadModel):
    """A file of a record as an answer lists it (its content is fetched on its own)."""

    name: str
    content_type: str
    size: int = Field(description="bytes")
    sha256: str
