"""RFC 9457 problem details for the API; the same errors as HTML pages for the UI."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
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


# --- the OpenAPI document -------------------------------------------------------------------


class ProblemFieldError(BaseModel):
    """One field the request got wrong."""

    loc: list[str] = Field(description='where: e.g. ["body", "scopes", "0"], ["query", "limit"]')
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object, as every error of the API answers."""

    model_config = ConfigDict(extra="allow")  # a problem type may add members of its own

    type: str = Field(description="a URI naming the kind of problem: urn:corridor:problem:<slug>")
    title: str = Field(description="a short summary of the kind of problem")
    status: int = Field(ge=400, le=599, description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request")
    instance: str | None = Field(default=None, description="the path of the request")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="for invalid input: each field that is wrong"
    )


# status -> when the node answers it. 429 is not listed: the node does not rate-limit the API.
ERROR_ANSWERS = {
    400: "Bad request: malformed JSON, or a request the node cannot act on",
    401: "Authentication required: no, an unknown, a revoked or an expired credential",
    403: "Forbidden: the role or the token's scopes do not allow it, or CSRF failed",
    404: "Not found, or not visible to you",
    409: "Conflict with the current state",
    413: "Content too large",
    422: "Invalid input: the errors member names each field",
    500: "Internal error; nothing was stored",
}
# Answered by any operation; the others only where they can happen.
ANY_OPERATION = (400, 401, 403, 404, 422, 500)
WRITES = ("post", "put", "patch", "delete")


def _answers_of(method: str, operation: dict[str, Any]) -> tuple[int, ...]:
    extra: tuple[int, ...] = ()
    if method in WRITES:
        extra += (409,)
    if "requestBody" in operation:
        extra += (413,)
    return tuple(sorted(ANY_OPERATION + extra))


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers to every operation of a generated OpenAPI document, each an
    application/problem+json `Problem`, in place of FastAPI's own 422 schema (which is not
    what the API answers). One place for every route; idempotent."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    defs = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(defs.pop("$defs", {}))
    components["Problem"] = defs
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "head", "options", *WRITES):
                continue
            responses = operation.setdefault("responses", {})
            for status in _answers_of(method, operation):
                responses[str(status)] = {
                    "description": ERROR_ANSWERS[status],
                    "content": content,
                }
    unused = ("HTTPValidationError", "ValidationError")
    if not any(f"#/components/schemas/{name}" in str(schema["paths"]) for name in unused):
        for name in unused:
            components.pop(name, None)
    return schema
