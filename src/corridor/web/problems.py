"""RFC 9457 problem details for the API; the same errors as HTML pages for the UI."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.errors import CorridorError

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str, *, slug: str, instance: str = "", **extra: Any
) -> JSONResponse:
    body = {
        "type": f"urn:corridor:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **({"instance": instance} if instance else {}),
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="corridor"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_error(request: Request, exc: CorridorError) -> JSONResponse:
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.type_slug,
        instance=request.url.path,
        **exc.extra,
    )


def from_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        errors.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    if malformed:
        return problem(
            400,
            "Malformed JSON",
            "the request body is not valid JSON",
            slug="malformed-json",
            instance=request.url.path,
            errors=errors,
        )
    return problem(
        422,
        "Invalid input",
        "the request does not match the expected schema",
        slug="invalid-input",
        instance=request.url.path,
        errors=errors,
    )


def from_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {
        404: "Not found",
        405: "Method not allowed",
        401: "Authentication required",
        403: "Forbidden",
        413: "Content too large",
        415: "Unsupported media type",
    }
    title = titles.get(exc.status_code, "Error")
    slug = title.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem(exc.status_code, title, detail, slug=slug, instance=request.url.path)
