"""The notifications API's input and answers."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field, StrictBool, model_validator

from corridor.schemas import ReadModel, StrictModel


class ReadIn(StrictModel):
    """Either the ids to mark read, or `all: true`."""

    ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    all: StrictBool = False

    @model_validator(mode="after")
    def _one_of(self) -> ReadIn:
        if (self.ids is None) == (not self.all):
            raise ValueError('give either "ids" or "all": true')
        return self


class KindPreference(StrictModel):
    web: StrictBool = True
    email: Literal["off", "immediately", "digest"]


class PreferencesIn(StrictModel):
    kinds: dict[str, KindPreference] = Field(default_factory=dict, max_length=200)
    digest: Literal["hourly", "daily"] | None = None


class NotificationRecordRef(ReadModel):
    id: str
    type: str | None
    version: int | None


class NotificationRead(ReadModel):
    id: str
    kind: str
    title: str = Field(description="in the reader's language")
    link: str
    urgent: bool
    record: NotificationRecordRef | None = Field(description="the record it is about, if any")
    created_at: str
    read_at: str | None


class NotificationList(ReadModel):
    items: list[NotificationRead]
    unread: int = Field(description="how many of the user's notices are unread")


class NotificationsMarkedRead(ReadModel):
    marked: int = Field(description="how many were marked read now")
    unread: int


class NotificationKindRead(ReadModel):
    label: str
    web: bool
    email: str = Field(description="off, immediately or digest")
    default: bool = Field(description="the default (not chosen by the user)")


class NotificationPreferencesRead(ReadModel):
    kinds: dict[str, NotificationKindRead]
    digest: str = Field(description="hourly or daily")
    email_available: bool = Field(
        description="whether this node mails (without an SMTP server, choices are kept only)"
    )
