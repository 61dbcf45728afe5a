"""Record types of hit/no-hit.

`matching.index`: one segment of a holder's published index, for its approved peers: entries of
16 bytes of tag and 10 of sealed handle, base64 in one string (a million entries are ~250
records). A new version replaces the segment's entries at every peer; a revoked segment is
gone everywhere. Nothing in it can be read, or tested against a guess, without the holder.

`matching.hit`: a querier tells the holder that one of its handles was hit (which handle, the
selector type, exact or name level); the author is the person who asked."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.notifications import service as notices
from corridor.cooperation.notifications.registry import Notice, register_kinds
from corridor.db import bulk_insert
from corridor.entities.cases import matching as cases
from corridor.errors import PermissionDenied
from corridor.federation.models import Peer
from corridor.i18n import N_
from corridor.keys import own_node_id
from corridor.matching.models import HitOnOurs, MatchingHandle, MatchingSegment, PartnerEntry
from corridor.matching.selectors import TYPES
from corridor.records.flow import Flow
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

INDEX_TYPE = "matching.index"
HIT_TYPE = "matching.hit"
TAG_BYTES = 16
HANDLE_BYTES = 10
ENTRY_BYTES = TAG_BYTES + HANDLE_BYTES
MAX_SEGMENT = 5000
HANDLE_RE = r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$"
HIT_NOTICE = "matching.hit"
register_kinds({HIT_NOTICE: N_("Partners' checks that hit our data")})


def pack(entries: list[tuple[bytes, bytes]]) -> str:
    return base64.b64encode(b"".join(tag + sealed for tag, sealed in entries)).decode()


def unpack(text: str) -> list[tuple[bytes, bytes]]:
    raw = base64.b64decode(text, validate=True)
    return [
        (raw[i : i + TAG_BYTES], raw[i + TAG_BYTES : i + ENTRY_BYTES])
        for i in range(0, len(raw), ENTRY_BYTES)
    ]


class IndexSegmentBody(StrictModel):
    key: int = Field(ge=1, description="the holder's key the tags were computed under")
    count: int = Field(ge=0, le=MAX_SEGMENT)
    entries: str = Field(max_length=(MAX_SEGMENT * ENTRY_BYTES * 4) // 3 + 4)

    @field_validator("entries")
    @classmethod
    def _packed(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("entries: not base64") from None
        if len(raw) % ENTRY_BYTES:
            raise ValueError(f"entries: not a whole number of {ENTRY_BYTES}-byte entries")
        return value


class HitBody(StrictModel):
    handle: str = Field(pattern=HANDLE_RE)
    type: Literal[TYPES] = "phone"  # type: ignore[valid-type]
    level: Literal["exact", "name"] = "exact"


def _own_segment(session: Session, envelope: dict[str, Any]) -> bool:
    record_id = uuid.UUID(envelope["id"])
    own = select(MatchingSegment.id).where(MatchingSegment.record_id == record_id)
    return session.scalar(own) is not None


def _project_segment(session: Session, envelope: dict[str, Any]) -> None:
    if _own_segment(session, envelope):
        return
    segment = uuid.UUID(envelope["id"])
    session.execute(delete(PartnerEntry).where(PartnerEntry.segment_id == segment))
    rows = [
        {"holder": envelope["origin"], "segment_id": segment, "tag": tag, "sealed": sealed}
        for tag, sealed in unpack(envelope["body"]["entries"])
    ]
    bulk_insert(session, PartnerEntry.__table__, rows)


def _purge_segment(session: Session, envelope: dict[str, Any]) -> None:
    session.execute(
        delete(PartnerEntry).where(PartnerEntry.segment_id == uuid.UUID(envelope["id"]))
    )


def _check_segment(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    if body["count"] * ENTRY_BYTES != len(base64.b64decode(body["entries"])):
        raise PermissionDenied("matching.index: count does not agree with the entries")


def _project_hit(session: Session, envelope: dict[str, Any]) -> None:
    """At the holder: the hit joins the hits on its data. At the querier, whose own record
    this is, nothing: the handle is not one of ours."""
    body = envelope["body"]
    handle = session.scalar(select(MatchingHandle).where(MatchingHandle.handle == body["handle"]))
    hid = uuid.UUID(envelope["id"])
    if handle is None or session.get(HitOnOurs, hid) is not None:
        return
    session.add(
        HitOnOurs(
            id=hid,
            handle=body["handle"],
            entity_id=handle.entity_id,
            type=body["type"],
            level=body["level"],
            node=envelope["origin"],
            author=envelope["author"],
            at=clock.parse(envelope["ts"]),
        )
    )
    own = own_node_id(session)
    if own is None:
        return
    peer = session.get(Peer, envelope["origin"])
    # The members of the case the entity is in are told; they decide what to disclose.
    notices.notify(
        session,
        node_id=own,
        notice=Notice(
            kind=HIT_NOTICE,
            title=N_("{node} hit your data: handle {handle}"),
            link="/matching/hits",
            params={
                "node": f"{peer.name} ({peer.country})" if peer else envelope["origin"],
                "handle": body["handle"],
            },
        ),
        envelope=envelope,
        handles=cases.member_handles(session, handle.case_id),
    )


register(
    RecordType(
        name=INDEX_TYPE,
        body=IndexSegmentBody,
        # Derived from the entities of a case opted in to matching: the flow rule is checked
        # when the case opts in and when a segment is signed (matching.index), with the case
        # as the source; the node alone signs, changes and revokes segments.
        flow=Flow(embeds=("share",), system_only=True),
        project=_project_segment,
        purge=_purge_segment,
        check=_check_segment,
        sensitive=False,
        title="Hit/no-hit index segment",
    )
)
register(
    RecordType(
        name=HIT_TYPE,
        body=HitBody,
        # Answers the holder's own index: the handle it names is the holder's content,
        # sent back only to the holder.
        flow=Flow(),
        project=_project_hit,
        sensitive=True,
        title="Hit on your data",
    )
)
