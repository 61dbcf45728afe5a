"""Schemathesis over every operation of /api/v1/openapi.json, in process (ASGI): as an
administrator and as an investigator (write-scoped tokens), schema-valid and schema-invalid
requests; any 5xx answer fails. Bounded: a few examples per operation (about a minute on
this 2-core machine), the same ones every run (derandomised)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from corridor.security import service as security
from corridor.web.app import create_app

# Server-sent events: the answer is a stream that ends only when the client goes away.
SKIP = {("GET", "/api/v1/events")}
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 1}


def _run(op, mode: GenerationMode, headers: dict[str, str], found: list[str]) -> None:  # type: ignore[no-untyped-def]
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: a failure here is reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(mode))
    def check(case) -> None:  # type: ignore[no-untyped-def]
        resp = case.call(headers=headers)
        if resp.status_code >= 500:
            found.append(
                f"{case.method} {case.formatted_path} query={case.query} "
                f"body={str(case.body)[:300]} -> {resp.status_code}"
            )

    # Unsatisfiable: nothing to make invalid (no parameters, no body); the positive run covers it.
    with contextlib.suppress(Unsatisfiable):
        check()


def test_no_operation_answers_5xx(node, backend, make_user) -> None:  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("one store is enough for the fuzzing; int bounds are walked on both")
    bearers: list[Callable[[], dict[str, str]]] = []
    for role, scopes in (("administrator", ["read", "write", "admin"]), ("investigator", None)):
        p = make_user(role)
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            secret, _ = security.create_token(
                session, actor=p, user=user, scopes=scopes or ["read", "write"]
            )
        bearers.append(lambda s=secret: {"Authorization": f"Bearer {s}"})
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(node))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    found: list[str] = []
    for op in operations:
        if (op.method.upper(), op.path) in SKIP:
            continue
        for headers in bearers:
            for mode in EXAMPLES:
                _run(op, mode, headers(), found)
    assert found == [], "5xx answers:\n" + "\n".join(found)
