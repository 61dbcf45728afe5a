"""Domain errors raised by services; every face (web, API, CLI) maps them to its own answer."""

from __future__ import annotations

from typing import Any


class CorridorError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(CorridorError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class UnknownRecipient(InvalidInput):
    """A record addressed to a node that is not an approved peer of this one."""

    title = "Unknown recipient"
    type_slug = "unknown-recipient"


class NotFound(CorridorError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(CorridorError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Unauthenticated(CorridorError):
    status = 401
    title = "Authentication required"
    type_slug = "unauthenticated"


class PermissionDenied(CorridorError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class TooLarge(CorridorError):
    status = 413
    title = "Content too large"
    type_slug = "too-large"


class Locked(CorridorError):
    status = 423
    title = "Account locked"
    type_slug = "locked"


class SignatureInvalid(CorridorError):
    status = 400
    title = "Invalid signature"
    type_slug = "invalid-signature"
