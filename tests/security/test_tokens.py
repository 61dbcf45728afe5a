"""API tokens cannot outlive or outrank what made them; read-only tokens change nothing; an
administrator taking a user's credentials back ends every session and token of the user."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.cooperation.notifications import service as notifications
from corridor.cooperation.requests import service as requests
from corridor.cooperation.requests.schemas import DraftIn
from corridor.entities.imports import service as imports
from corridor.errors import InvalidInput, PermissionDenied
from corridor.security import service as security
from corridor.security.models import ApiToken, WebSession
from corridor.security.principal import Principal
from corridor.security.roles import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, Role
from tests.web.test_api import assert_problem


def token_principal(node, handle: str, scopes: set[str], days: float | None = 30) -> Principal:  # type: ignore[no-untyped-def]
    """The principal a request with such a token would act as."""
    with node.db.transaction() as session:
        user = security.find_user(session, handle)
        expires = clock.now() + timedelta(days=days) if days is not None else None
        return security.principal_for(
            user, kind="token", scopes=frozenset(scopes), token_expires_at=expires
        )


def test_read_scope_refuses_self_service_writes(node, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("investigator")
    reader = token_principal(node, p.handle, {"read"})
    writer = token_principal(node, p.handle, {"read", "write"})
    with node.db.transaction() as session:
        draft = requests.save_draft(session, actor=writer, draft=DraftIn(subject="draft"))
        draft_id = draft.id
    refused = [
        lambda s: notifications.mark_read(s, actor=reader),
        lambda s: notifications.set_preferences(s, actor=reader, kinds={}, digest="hourly"),
        lambda s: requests.delete_draft(s, actor=reader, draft_id=draft_id),
        lambda s: imports.preview(s, node, actor=reader, run_id=uuid.uuid4()),
        lambda s: security.create_token(
            s, actor=reader, user=security.find_user(s, p.handle), scopes=["read"]
        ),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied), node.db.transaction() as session:
            call(session)
    # The same calls with a write scope go through (the refusal is the scope, not the role).
    with node.db.transaction() as session:
        assert notifications.mark_read(session, actor=writer) == 0
        notifications.set_preferences(session, actor=writer, kinds={}, digest="hourly")
        requests.delete_draft(session, actor=writer, draft_id=draft_id)


def test_tokens_expire_by_default_and_at_most_after_the_maximum(node, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst")
    with node.db.transaction() as session:
        user = security.find_user(session, p.handle)
        _, tok = security.create_token(session, actor=p, user=user)
        default = tok.expires_at
        _, longest = security.create_token(
            session, actor=p, user=user, expires_at=clock.now() + timedelta(days=TOKEN_MAX_DAYS)
        )
        assert longest.expires_at is not None
    assert default is not None
    expected = clock.now() + timedelta(days=TOKEN_DEFAULT_DAYS)
    assert abs((default - expected).total_seconds()) < 60
    too_long = clock.now() + timedelta(days=TOKEN_MAX_DAYS + 1)
    with pytest.raises(InvalidInput, match="expires_at"), node.db.transaction() as session:
        user = security.find_user(session, p.handle)
        security.create_token(session, actor=p, user=user, expires_at=too_long)


def test_a_token_cannot_mint_a_wider_or_longer_lived_token(node, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("administrator")
    minting = token_principal(node, admin.handle, {"read", "write"}, days=10)
    assert minting.token_expires_at is not None
    with node.db.transaction() as session:
        user = security.find_user(session, admin.handle)
        # Without an expiry the new token ends with the one that made it (not in 90 days).
        _, tok = security.create_token(session, actor=minting, user=user, scopes=["read"])
        assert tok.expires_at == minting.token_expires_at
    later = clock.now() + timedelta(days=11)
    for kwargs, error in (
        ({"scopes": ["read", "admin"]}, PermissionDenied),
        ({"scopes": ["read"], "expires_at": later}, InvalidInput),
    ):
        with pytest.raises(error), node.db.transaction() as session:
            user = security.find_user(session, admin.handle)
            security.create_token(session, actor=minting, user=user, **kwargs)
    # An administrator's token may make tokens for others, within its own scopes too.
    other = make_user("viewer")
    with pytest.raises(PermissionDenied), node.db.transaction() as session:
        admin_only = token_principal(node, admin.handle, {"admin"})
        security.create_token(
            session,
            actor=admin_only,
            user=security.find_user(session, other.handle),
            scopes=["write"],
        )


def test_reset_and_disable_revoke_tokens_and_sessions(node, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("administrator")
    for action in ("reset", "disable"):
        p = make_user("investigator")
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            secret, _ = security.create_token(session, actor=p, user=user, scopes=["read"])
            security.complete_login(session, user=user, ip="127.0.0.1")
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            if action == "reset":
                security.reset_password(session, actor=admin, user=user)
            else:
                security.update_user(session, actor=admin, user=user, disabled=True)
                security.update_user(session, actor=admin, user=user, disabled=False)
        with node.db.transaction() as session:
            user = security.find_user(session, p.handle)
            # Revoked, not merely unusable while disabled: re-enabling brings nothing back.
            assert security.check_token(session, secret=secret) is None
            toks = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
            assert toks and all(t.revoked_at is not None for t in toks)
            ws = session.scalars(select(WebSession).where(WebSession.user_id == user.id)).all()
            assert ws == []
            entries = session.scalars(
                select(AuditEntry).where(
                    AuditEntry.object_id == p.handle, AuditEntry.actor == admin.handle
                )
            ).all()
            assert any(
                e.detail.get("tokens_revoked") == 1 and e.detail.get("sessions_ended") == 1
                for e in entries
            ), [e.detail for e in entries]


def test_tokens_api_bounds_expiry_and_scopes(client, token_for) -> None:  # type: ignore[no-untyped-def]
    h = token_for("investigator", ("read", "write"))
    made = client.post("/api/v1/tokens", headers=h, json={"scopes": ["read"]})
    assert made.status_code == 201, made.text
    assert made.json()["info"]["expires_at"] is not None
    too_long = clock.iso(clock.now() + timedelta(days=TOKEN_MAX_DAYS + 1))
    body = assert_problem(
        client.post("/api/v1/tokens", headers=h, json={"expires_at": too_long}), 422
    )
    assert "expires_at" in body["detail"]
    # A read token cannot mint at all, not even a read token.
    reader = {"Authorization": f"Bearer {made.json()['token']}"}
    assert_problem(client.post("/api/v1/tokens", headers=reader, json={"scopes": ["read"]}), 403)
    body = assert_problem(client.post("/api/v1/tokens", headers=h, json={"scopes": ["root"]}), 422)
    assert body["errors"][0]["loc"][-2:] == ["scopes", "0"]


def test_admin_api_reset_revokes_the_users_tokens(client, token_for) -> None:  # type: ignore[no-untyped-def]
    admin = token_for("administrator", ("read", "write", "admin"))
    victim = token_for("analyst", ("read",), email="analyst.reset@test.example")
    assert client.get("/api/v1/me", headers=victim).status_code == 200
    resp = client.post("/api/v1/users/analyst.reset@test.example/reset-password", headers=admin)
    assert resp.status_code == 200, resp.text
    assert_problem(client.get("/api/v1/me", headers=victim), 401)


@pytest.mark.parametrize(
    ("role", "scopes", "permission", "says"),
    [
        (Role.administrator, {"read", "write"}, "node.manage", "do not include 'admin'"),
        (Role.investigator, {"read"}, "records.write", "do not include 'write'"),
        (Role.viewer, None, "records.write", "your role does not allow records.write"),
        (Role.viewer, {"read", "write"}, "records.write", "your role does not allow"),
    ],
)
def test_a_refusal_says_whether_the_role_or_the_token_is_missing_it(
    role: Role, scopes: set[str] | None, permission: str, says: str
) -> None:
    kind = "session" if scopes is None else "token"
    who = Principal(kind=kind, handle="ana", role=role, scopes=frozenset(scopes or ()) or None)
    with pytest.raises(PermissionDenied) as err:
        who.require(permission)
    assert says in err.value.detail
