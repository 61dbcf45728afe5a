"""Path and query parameters that several API routes share, with their bounds."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from corridor.schemas import MAX_INT32, MAX_INT64

# The position of an attachment in its record (past the last one answers 404).
AttachmentIndex = Annotated[int, Path(ge=0, le=MAX_INT32)]
# How many rows of a listing to skip.
Offset = Annotated[int, Query(ge=0, le=MAX_INT64)]
