"""REST API of MRZ checks: POST /api/v1/documents/mrz/check.

A check computes its answer from the body and stores nothing but its audit entry, so a
read-only token may ask it (`web.auth.api_reader`); the permission is `documents.check`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from corridor.documents.mrz import service
from corridor.documents.mrz.schemas import MrzCheckIn, MrzCheckOut
from corridor.security.principal import Principal
from corridor.web.auth import api_reader, node_of

router = APIRouter(prefix="/api/v1/documents/mrz", tags=["documents"])
Reader = Annotated[Principal, Depends(api_reader)]


@router.post("/check")
def check_mrz(request: Request, actor: Reader, payload: MrzCheckIn) -> MrzCheckOut:
    """Read and check the MRZ of a passport, identity card or visa (ICAO Doc 9303: TD1, TD2,
    TD3, MRV-A, MRV-B): its fields, every check digit, dates, codes and names, each failed
    check explained, and corrections of OCR confusions that would make a failing MRZ valid."""
    with node_of(request).db.transaction() as session:
        checked = service.check(session, actor=actor, lines=payload.lines)
    return MrzCheckOut.model_validate(checked.to_dict())
