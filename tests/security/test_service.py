from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM
from corridor.security.roles import Role
from tests.conftest import PASSWORD


def login(node, email, password=PASSWORD):  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return security.authenticate(session, email=email, password=password, ip="127.0.0.1")


def test_roles_and_permissions(make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("administrator")
    viewer = make_user("viewer")
    assert admin.has("users.manage") and not viewer.has("users.manage")
    assert viewer.has("records.read") and not viewer.has("records.write")
    assert "protection" not in make_user("investigator").purposes
    assert "protection" in make_user("protection_officer").purposes
    assert "enforcement" not in make_user("protection_officer").purposes
    # The CLI administers but does not read operational data.
    assert CLI.has("users.manage") and not CLI.has("records.read")


def test_token_scopes_narrow_the_role(node, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("administrator", email="root@test.example")
    with node.db.transaction() as session:
        user = security.find_user(session, "root@test.example")
        secret, _ = security.create_token(session, actor=admin, user=user, scopes=["read"])
    with node.db.transaction() as session:
        tok = security.check_token(session, secret=secret)
        assert tok is not None
        p = security.principal_for_token(tok, ip="")
    assert p is not None and p.has("records.read") and not p.has("users.manage")


def test_create_user_validates(node, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("administrator")
    cases = [
        ({"email": "bad", "role": "viewer", "password": PASSWORD}, InvalidInput),
        ({"email": "a@b.example", "role": "king", "password": PASSWORD}, InvalidInput),
        ({"email": "a@b.example", "role": "viewer", "password": "short"}, InvalidInput),
    ]
    for kwargs, exc in cases:
        with pytest.raises(exc), node.db.transaction() as session:
            security.create_user(session, actor=admin, **kwargs)
    make_user("viewer", email="dup@test.example")
    with pytest.raises(Conflict), node.db.transaction() as session:
        security.create_user(
            session, actor=admin, email="DUP@test.example", role="viewer", password=PASSWORD
        )
    with pytest.raises(PermissionDenied), node.db.transaction() as session:
        security.create_user(
            session,
            actor=make_user("analyst"),
            email="x@test.example",
            role="administrator",
            password=PASSWORD,
        )


def test_login_and_lockout(node, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    make_user("investigator", email="inv@test.example")
    assert login(node, "INV@test.example").reason == "ok"
    for _ in range(4):
        assert login(node, "inv@test.example", "wrong password").reason == "invalid"
    assert login(node, "inv@test.example", "wrong password").reason == "locked"
    # Locked: even the right password is refused.
    assert login(node, "inv@test.example").reason == "locked"
    shift_clock(timedelta(minutes=16))
    assert login(node, "inv@test.example").reason == "ok"
    with node.db.transaction() as session:
        denied = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "auth.login", AuditEntry.outcome == "denied"
            )
        ).all()
    assert len(denied) == 6
    assert all("password" not in str(e.detail).replace("bad password", "") for e in denied)


def test_unknown_and_disabled_accounts(node, make_user) -> None:  # type: ignore[no-untyped-def]
    assert login(node, "nobody@test.example").reason == "invalid"
    assert login(node, "not an email").reason == "invalid"
    make_user("viewer", email="gone@test.example")
    admin = make_user("administrator")
    with node.db.transaction() as session:
        security.update_user(
            session,
            actor=admin,
            user=security.find_user(session, "gone@test.example"),
            disabled=True,
        )
    assert login(node, "gone@test.example").reason == "disabled"


def test_sessions_expire_when_idle_and_end_on_disable(node, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email="v@test.example")
    admin = make_user("administrator")
    with node.db.transaction() as session:
        cookie, _ = security.complete_login(
            session, user=security.find_user(session, "v@test.example"), ip=""
        )
    with node.db.transaction() as session:
        assert security.session_principal(session, cookie=cookie, ip="") is not None
        assert security.session_principal(session, cookie=cookie + "x", ip="") is None
    shift_clock(timedelta(minutes=31))
    with node.db.transaction() as session:
        assert security.session_principal(session, cookie=cookie, ip="") is None
    with node.db.transaction() as session:
        user = security.find_user(session, "v@test.example")
        cookie, _ = security.complete_login(session, user=user, ip="")
        security.update_user(session, actor=admin, user=user, disabled=True)
    with node.db.transaction() as session:
        assert security.session_principal(session, cookie=cookie, ip="") is None


def test_last_administrator_is_protected(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        admin = security.find_user(session, "admin@localhost")
        with pytest.raises(Conflict):
            security.update_user(session, actor=CLI, user=admin, disabled=True)
        with pytest.raises(Conflict):
            security.update_user(session, actor=CLI, user=admin, role=Role.viewer)


def test_totp_enrolment_login_and_replay(node, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst", email="a@test.example")
    with node.db.transaction() as session:
        user = security.find_user(session, "a@test.example")
        uri = security.totp_begin(session, actor=p, user=user)
        secret = user.totp_secret
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        security.totp_confirm(
            session,
            actor=p,
            user=security.find_user(session, p.handle),
            code="000000" if totp.now() != "000000" else "111111",
        )
    with node.db.transaction() as session:
        security.totp_confirm(
            session, actor=p, user=security.find_user(session, p.handle), code=totp.at(clock.now())
        )
    shift_clock(timedelta(seconds=30))
    code = totp.at(clock.now())
    with node.db.transaction() as session:
        user = security.find_user(session, p.handle)
        assert security.totp_verify_login(session, user=user, code=code, ip="")
    with node.db.transaction() as session:
        user = security.find_user(session, p.handle)
        assert not security.totp_verify_login(session, user=user, code=code, ip=""), "replay"


def test_tokens_revoke_expire_and_follow_the_user(node, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    p = make_user("investigator", email="i@test.example")
    admin = make_user("administrator")
    with node.db.transaction() as session:
        user = security.find_user(session, "i@test.example")
        s1, t1 = security.create_token(session, actor=p, user=user, scopes=["read", "write"])
        s2, _ = security.create_token(
            session, actor=p, user=user, expires_at=clock.now() + timedelta(days=1)
        )
        s3, _ = security.create_token(session, actor=p, user=user)
    with node.db.transaction() as session:
        live = security.check_token(session, secret=s1)
        assert live is not None and live.last_used_at is None and security.token_touch_due(live)
        security.touch_token(session, t1.id)
    with node.db.transaction() as session:
        live = security.check_token(session, secret=s1)
        assert live is not None and live.last_used_at is not None
        assert not security.token_touch_due(live)
        security.revoke_token(session, actor=p, token_id=t1.id)
    with node.db.transaction() as session:
        assert security.check_token(session, secret=s1) is None
        assert security.check_token(session, secret="cor_forged") is None
        assert security.check_token(session, secret="garbage") is None
    shift_clock(timedelta(days=2))
    with node.db.transaction() as session:
        assert security.check_token(session, secret=s2) is None
        security.update_user(
            session, actor=admin, user=security.find_user(session, "i@test.example"), disabled=True
        )
    with node.db.transaction() as session:
        assert security.check_token(session, secret=s3) is None


def test_tokens_of_others_need_admin(node, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email="victim@test.example")
    attacker = make_user("investigator")
    with pytest.raises(PermissionDenied), node.db.transaction() as session:
        security.create_token(
            session, actor=attacker, user=security.find_user(session, "victim@test.example")
        )
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        security.create_token(
            session,
            actor=SYSTEM,
            scopes=["root"],
            user=security.find_user(session, "victim@test.example"),
        )
    with pytest.raises(NotFound), node.db.transaction() as session:
        security.find_user(session, "nobody@test.example")


def test_change_password(node, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("viewer", email="c@test.example")
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        security.change_password(
            session,
            actor=p,
            user=security.find_user(session, p.handle),
            current="wrong password!",
            new="a new password 123",
        )
    with node.db.transaction() as session:
        security.change_password(
            session,
            actor=p,
            user=security.find_user(session, p.handle),
            current=PASSWORD,
            new="a new password 123",
        )
    assert login(node, "c@test.example", "a new password 123").reason == "ok"
    assert login(node, "c@test.example").reason == "invalid"


def test_password_change_ends_other_sessions(node, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("viewer", email="s@test.example")
    with node.db.transaction() as session:
        user = security.find_user(session, "s@test.example")
        here, ws = security.complete_login(session, user=user, ip="")
        elsewhere, _ = security.complete_login(session, user=user, ip="")
    with node.db.transaction() as session:
        security.change_password(
            session,
            actor=p,
            user=security.find_user(session, p.handle),
            current=PASSWORD,
            new="another password 42",
            keep_session=ws.id,
        )
    with node.db.transaction() as session:
        assert security.session_principal(session, cookie=here, ip="") is not None
        assert security.session_principal(session, cookie=elsewhere, ip="") is None
