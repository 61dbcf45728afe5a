"""The `protection.referral` record type: a person referred to a service, sent to partner
nodes' protection compartments only. Labelled protection (readable by protection roles alone,
on every node), its source is the person screened here (`records.flow`, path `export`), and
its receiver refuses one labelled otherwise. Withdrawn (consent withdrawn, retention over),
its copy leaves every node it reached."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.notifications.registry import Notice
from corridor.cooperation.notifications.registry import register as register_notice
from corridor.errors import InvalidInput, PermissionDenied
from corridor.i18n import N_
from corridor.protection.models import ReferralRow
from corridor.protection.schemas import REFERRAL_TYPE, STATUS_TYPE, ReferralBody, StatusBody
from corridor.records.flow import Flow
from corridor.records.owned import purge_row
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register

EDITORS = ("protection.write",)


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    person = body["person"]
    row = labelled_row(session, ReferralRow, envelope)
    if getattr(row, "sent_at", None) is None:
        row.sent_at = clock.parse(envelope["ts"])
        row.status = "sent"
    row.reference = body["reference"]
    row.service = body["service"]
    row.person_name = person.get("name")
    row.birth_year = person.get("birth_year")
    row.sex = person.get("sex", "unknown")
    row.needs = list(body.get("needs", []))
    row.audience = list(envelope["audience"]["nodes"])


def _protection_only(envelope: dict[str, Any], what: str) -> None:
    # Whatever its sender did, it is read here by protection roles only.
    if (envelope.get("labels") or {}).get("purpose") != "protection":
        raise InvalidInput(f"labels.purpose: {what} is labelled protection")


def _check_received(session: Session, envelope: dict[str, Any]) -> None:
    _protection_only(envelope, "a protection referral")


register(
    RecordType(
        name=REFERRAL_TYPE,
        body=ReferralBody,
        flow=Flow(embeds=("export",), editors=EDITORS),
        project=_project,
        # Withdrawn or expired: nothing of the person stays, not even in a list.
        purge=purge_row(ReferralRow),
        check=_check_received,
        sensitive=True,
        title="Protection referral",
    )
)


def _describe(envelope: dict[str, Any]) -> Notice:
    # Nothing of the person in a notice: it may be mailed.
    return Notice(
        kind="protection.referral",
        title=N_("A protection referral arrived"),
        link=f"/protection/referrals/{envelope['id']}",
    )


register_notice(REFERRAL_TYPE, _describe, kinds={"protection.referral": N_("Protection referrals")})


def _project_status(session: Session, envelope: dict[str, Any]) -> None:
    """The referral's row shows the service's latest answer."""
    body = envelope["body"]
    row = session.get(ReferralRow, uuid.UUID(body["referral"]))
    at = clock.parse(envelope["ts"])
    if row is None or (row.status_at is not None and row.status_at > at):
        return
    row.status = body["status"]
    row.status_note = body.get("note") or None
    row.status_at = at
    row.status_node = envelope["origin"]


def _check_status(session: Session, envelope: dict[str, Any]) -> None:
    """Only a node the referral was sent to answers it, and its answer stays protection."""
    _protection_only(envelope, "a referral's status")
    row = session.get(ReferralRow, uuid.UUID(envelope["body"]["referral"]))
    if row is None or envelope["origin"] not in row.audience:
        raise PermissionDenied("only the service a referral was sent to answers it")


register(
    RecordType(
        name=STATUS_TYPE,
        body=StatusBody,
        # An answer to the referral: its labels and audience are the referral's own.
        flow=Flow(embeds=("reply",), editors=EDITORS),
        project=_project_status,
        check=_check_status,
        sensitive=True,
        title="Referral status",
    )
)


def _describe_status(envelope: dict[str, Any]) -> Notice:
    return Notice(
        kind="protection.referral",
        title=N_("A service answered a referral"),
        link=f"/protection/referrals/{envelope['body']['referral']}",
    )


register_notice(STATUS_TYPE, _describe_status, kinds={})
