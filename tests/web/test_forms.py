"""A refusal as the page form shows it (web.forms.error_text); the course of a form itself is
tested through the pages that use it (tests/mapping)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from corridor.errors import InvalidInput, NotFound
from corridor.web.forms import error_text


class _Body(BaseModel):
    title: str
    countries: list[str]

    @field_validator("countries")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        if "ZZ" in v:
            raise ValueError("unknown country code 'ZZ'")
        return v


def _refusal(**data: object) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        _Body.model_validate(data)
    return exc.value


def test_field_errors_are_named_as_the_form_names_them() -> None:
    exc = _refusal(countries=["ZZ"])
    assert error_text(exc) == "title: Field required; countries: unknown country code 'ZZ'"
    assert error_text(exc, {"countries": "Countries"}) == (
        "title: Field required; Countries: unknown country code 'ZZ'"
    )


def test_a_service_refusal_says_its_errors_else_its_detail() -> None:
    errors = [{"loc": ("legs", 0, "from"), "msg": "Value error, no such place"}]
    assert error_text(InvalidInput("invalid body", errors=errors)) == "legs.0.from: no such place"
    assert error_text(InvalidInput("invalid body", errors=errors), {"legs": "Stops"}) == (
        "Stops 0.from: no such place"
    )
    assert error_text(NotFound("no route 42")) == "no route 42"
    assert error_text(ValueError("plain")) == "plain"
