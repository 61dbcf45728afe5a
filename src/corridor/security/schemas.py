"""Users, units and API tokens: what the API accepts and answers."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from corridor.schemas import ReadModel, StrictModel, UtcDateTime
from corridor.security.roles import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, Role

Scope = Literal["read", "write", "admin"]


class UnitRead(ReadModel):
    id: uuid.UUID
    name: str
    handle: str
    description: str


class UnitCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class UserRead(ReadModel):
    id: uuid.UUID
    email: str
    display_name: str
    handle: str
    role: Role
    unit: UnitRead | None
    disabled: bool
    totp_enabled: bool
    must_change_password: bool
    created_at: UtcDateTime
    last_login_at: UtcDateTime | None
    # How the person reads dates and numbers (corridor.formats); null: the browser's language,
    # UTC, no second calendar.
    language: str | None = Field(default=None, validation_alias="locale")
    time_zone: str | None = None
    calendar: str | None = None


class ReadingUpdate(StrictModel):
    """`PATCH /api/v1/me`: a field left out stays as it is; null returns it to the default."""

    language: str | None = Field(default=None, max_length=16, examples=["ur"])
    time_zone: str | None = Field(default=None, max_length=64, examples=["Asia/Karachi"])
    calendar: Literal["hijri", "jalali"] | None = None


class UserCreate(StrictModel):
    email: str = Field(max_length=320)
    role: Role
    display_name: str = Field(default="", max_length=200)
    unit: str | None = Field(default=None, max_length=64, description="unit name or handle")
    password: str | None = Field(
        default=None,
        max_length=1024,
        description="omit to get a one-time password that must be changed at first login",
    )


class UserCreated(StrictModel):
    user: UserRead
    one_time_password: str | None


class UserUpdate(StrictModel):
    role: Role | None = None
    display_name: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=64, description="'' removes the unit")
    disabled: bool | None = None


class TokenRead(ReadModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None


def _read_scope() -> list[Scope]:
    return ["read"]


class TokenCreate(StrictModel):
    name: str = Field(default="", max_length=200)
    scopes: list[Scope] = Field(
        default_factory=_read_scope,
        min_length=1,
        max_length=3,
        description="at most the scopes of the token making the request",
    )
    expires_at: UtcDateTime | None = Field(
        default=None,
        description=f"default: {TOKEN_DEFAULT_DAYS} days from now; at most "
        f"{TOKEN_MAX_DAYS} days, and never after the expiry of the token making "
        "the request",
    )
    user: str | None = Field(
        default=None, max_length=320, description="administrators: create for another user"
    )


class TokenCreated(StrictModel):
    token: str
    info: TokenRead
