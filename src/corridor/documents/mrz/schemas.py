"""What `POST /api/v1/documents/mrz/check` takes and answers (the page's form is read through the
same input model, so a page and the API refuse the same things the same way)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from corridor.schemas import StrictModel

# The longest MRZ line is 44 characters; a little more is a line read or typed badly (its
# length is one of the checks), much more is not an MRZ line at all.
MAX_LINE = 64
# Lines sent before blank ones are left out: anything beyond this is refused unread.
MAX_SENT = 10


def _one_line(value: str) -> str:
    if not value.isascii():
        raise ValueError("only ASCII: an MRZ holds A–Z, 0–9 and the filler <")
    if "\n" in value or "\r" in value:
        raise ValueError("one line of the MRZ per item")
    return value


MrzLine = Annotated[str, Field(max_length=MAX_LINE), AfterValidator(_one_line)]


def _without_blanks(value: Any) -> Any:
    """Blank lines (around a pasted MRZ) are left out; anything but a list is left to the
    list's own error."""
    if not isinstance(value, list):
        return value
    if len(value) > MAX_SENT:
        raise ValueError(f"an MRZ has 2 or 3 lines; {len(value)} were sent")
    return [v for v in value if not (isinstance(v, str) and not v.strip())]


def _two_or_three(value: list[str]) -> list[str]:
    if len(value) not in (2, 3):
        raise ValueError(f"an MRZ has 2 lines (TD2, TD3, visas) or 3 (TD1), not {len(value)}")
    return value


class MrzCheckIn(StrictModel):
    lines: Annotated[
        list[MrzLine], BeforeValidator(_without_blanks), AfterValidator(_two_or_three)
    ] = Field(
        description="The lines of one MRZ, top to bottom (blank lines are left out).",
        examples=[
            [
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            ]
        ],
    )


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class MrzFields(_Answer):
    """What the MRZ says, fillers removed. Dates are ISO 8601, or null when the MRZ holds no
    full, possible date (a warning says why); a field the format does not have is null."""

    document_code: str
    issuing_state: str = Field(description="ISO 3166-1 alpha-3 or an ICAO code (D, XXA, UNO…)")
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str | None
    sex: str = Field(description="M, F, X or < (unspecified)")
    expiry_date: str | None
    optional_data: str
    optional_data_2: str | None = Field(description="TD1 only: the second line's optional data")
    personal_number: str | None = Field(description="TD3 only (the same as its optional data)")


class CheckOut(_Answer):
    name: str = Field(
        description="line_length, characters, document_number, birth_date, expiry_date, "
        "personal_number (TD3), composite (TD1, TD2, TD3) or sex"
    )
    ok: bool
    detail: str


class WarningOut(_Answer):
    name: str
    detail: str


class ChangeOut(_Answer):
    line: int = Field(description="from 1")
    position: int = Field(description="from 1")
    from_: str = Field(alias="from")
    to: str
    field: str


class SuggestionOut(_Answer):
    lines: list[str]
    changes: list[ChangeOut]
    detail: str


class MrzCheckOut(_Answer):
    """`valid`: well-formed with every check digit right (an expired document can be valid).
    `suggestions`: for a failing MRZ, corrections of letters and digits OCR confuses that make
    it valid (several when the check digits cannot tell them apart), fewest changes first."""

    format: Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]
    valid: bool
    expired: bool
    fields: MrzFields
    checks: list[CheckOut]
    warnings: list[WarningOut]
    suggestions: list[SuggestionOut]
