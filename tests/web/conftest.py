from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from corridor.security import service as security
from corridor.web.app import create_app
from tests.conftest import PASSWORD


@pytest.fixture
def client(node) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(node), base_url="http://127.0.0.1:8080") as c:
        yield c


@pytest.fixture
def token_for(node, make_user):  # type: ignore[no-untyped-def]
    """token_for(role, scopes=("read",)) -> bearer headers for a new user of that role."""

    def make(role: str, scopes: tuple[str, ...] = ("read",), email: str | None = None):  # type: ignore[no-untyped-def]
        p = make_user(role, email=email)
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            secret, _ = security.create_token(
                session,
                actor=p if role == "administrator" else _system(),
                user=user,
                scopes=list(scopes),
            )
        return {"Authorization": f"Bearer {secret}"}

    return make


def _system():  # type: ignore[no-untyped-def]
    from corridor.security.principal import SYSTEM

    return SYSTEM


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def web_login(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
