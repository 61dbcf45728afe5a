"""The protection compartment's tables. Nothing outside `corridor.protection` reads them: the
people screened, their consent per purpose, and the projection of referral records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base
from corridor.records.projection import Labelled


class ProtectedPerson(Base):
    """A person a protection officer screened at this node. Never a record: it stays here; a
    referral carries the part a service needs."""

    __tablename__ = "protection_people"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # A pseudonym for referrals that need not name the person (and for talking about them).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(10), default="unknown")
    nationality: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str]]
    interpreter_language: Mapped[str | None] = mapped_column(String(40))
    child: Mapped[bool] = mapped_column(Boolean, default=False)
    unaccompanied: Mapped[bool] = mapped_column(Boolean, default=False)
    separated: Mapped[bool] = mapped_column(Boolean, default=False)
    # An asylum seeker's data never reaches a node of the country they fled.
    never_share_with_origin: Mapped[bool] = mapped_column(Boolean, default=False)
    officer: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Retention: the person, their consent and their referrals are purged at this time.
    retain_until: Mapped[datetime] = mapped_column(index=True)


class Consent(Base):
    """Informed consent (or its refusal) for one purpose, as the person gave it; withdrawable.
    Without a standing consent for a purpose nothing is shared for it."""

    __tablename__ = "protection_consents"
    __table_args__ = (Index("ix_protection_consents_person", "person_id", "purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_people.id", ondelete="CASCADE")
    )
    purpose: Mapped[str] = mapped_column(String(20))
    given: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    withdrawal_note: Mapped[str | None] = mapped_column(Text)


class ReferralRow(Labelled, Base):
    """Projection of `protection.referral` records, sent and received, for their lists."""

    __tablename__ = "protection_referrals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    service: Mapped[str] = mapped_column(String(30))
    # The name as sent: None when the referral is pseudonymised.
    person_name: Mapped[str | None] = mapped_column(String(300))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(10))
    needs: Mapped[list[str]]
    audience: Mapped[list[str]]
    sent_at: Mapped[datetime] = mapped_column(index=True)
    # The receiving service's latest answer (`protection.referral.status`), on both nodes.
    status: Mapped[str] = mapped_column(String(20), default="sent")
    status_note: Mapped[str | None] = mapped_column(Text)
    status_at: Mapped[datetime | None]
    status_node: Mapped[str | None] = mapped_column(String(26))


class Screening(Base):
    """One structured interview with a person (`protection.indicators`): the answers, and for
    a child the age assessment and whether a best-interests determination is needed."""

    __tablename__ = "protection_screenings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_people.id", ondelete="CASCADE"), index=True
    )
    interviewer: Mapped[str] = mapped_column(String(80))
    interviewed_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(40))
    interpreter_language: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(200), default="")
    # The route of the journey, as the risk workbench names routes (for counts only).
    route: Mapped[str | None] = mapped_column(String(120))
    answers: Mapped[dict[str, Any]]
    age_assessment_note: Mapped[str | None] = mapped_column(Text)
    best_interests_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")


class Finding(Base):
    """What a person's latest screening found (each item answered yes), kept beside the
    screening so that counts by vulnerability type are one GROUP BY."""

    __tablename__ = "protection_findings"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_people.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
