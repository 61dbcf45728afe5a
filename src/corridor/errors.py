"""Domain errors raised by services; every face (web, API, CLI) maps them to its own answer."""

from __future__ import annotations

from typing import Any


class CorridorError(Exception):
    """An error a service reports: `status` (HTTP), `title` and `type_slug` (the problem type
    `urn:corridor:problem:<slug>`) describe the kind; `detail` this case. A kind states them in
    its class line (`class NotFound(CorridorError, status=404, ...)`) or as class attributes;
    what it leaves out it inherits."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init_subclass__(
        cls, *, status: int | None = None, title: str | None = None, slug: str | None = None
    ) -> None:
        super().__init_subclass__()
        if status is not None:
            cls.status = status
        if title is not None:
            cls.title = title
        if slug is not None:
            cls.type_slug = slug

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(CorridorError, status=422, title="Invalid input", slug="invalid-input"):
    pass


class UnknownRecipient(InvalidInput, title="Unknown recipient", slug="unknown-recipient"):
    """A record addressed to a node that is not an approved peer of this one."""


class NotFound(CorridorError, status=404, title="Not found", slug="not-found"):
    pass


class Conflict(CorridorError, status=409, title="Conflict", slug="conflict"):
    pass


class Unauthenticated(
    CorridorError, status=401, title="Authentication required", slug="unauthenticated"
):
    pass


class PermissionDenied(CorridorError, status=403, title="Forbidden", slug="forbidden"):
    pass


class TooLarge(CorridorError, status=413, title="Content too large", slug="too-large"):
    pass


class Locked(CorridorError, status=423, title="Account locked", slug="locked"):
    pass


class SignatureInvalid(CorridorError, title="Invalid signature", slug="invalid-signature"):
    pass
