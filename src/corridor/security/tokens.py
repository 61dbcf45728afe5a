"""API tokens: created for a user with scopes and an expiry no later than what made them,
checked on every API request, listed and revoked."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.security import passwords
from corridor.security.models import ApiToken, User
from corridor.security.principal import Principal, principal_for
from corridor.security.roles import SCOPES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS

TOKEN_PREFIX = "cor_"


def create_token(
    session: Session,
    *,
    actor: Principal,
    user: User,
    name: str = "",
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, ApiToken]:
    """Returns the secret once; only its SHA-256 is stored. Without `expires_at` the token
    expires after TOKEN_DEFAULT_DAYS; a token that mints another (through the API) cannot
    give it more scopes or a longer life than its own."""
    actor.require("account.write" if actor.user_id == user.id else "users.manage")
    scopes = sorted(set(scopes or ["read"]))
    for s in scopes:
        if s not in SCOPES:
            raise InvalidInput(f"scopes: unknown scope {s!r}; use {', '.join(SCOPES)}")
    if actor.scopes is not None and not set(scopes) <= actor.scopes:
        raise PermissionDenied(
            "scopes: a token cannot create a token with scopes it does not hold itself"
        )
    if user.disabled:
        raise Conflict("the user is disabled")
    expires_at = _token_expiry(actor, expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tok = ApiToken(
        user_id=user.id,
        name=name.strip()[:200],
        prefix=secret[:12],
        token_hash=passwords.secret_hash(secret),
        scopes=scopes,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    session.add(tok)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="token.create",
        object_type="token",
        object_id=str(tok.id),
        detail={"user": user.handle, "scopes": scopes, "expires_at": clock.iso(expires_at)},
    )
    return secret, tok


def _token_expiry(actor: Principal, requested: datetime | None) -> datetime:
    now = clock.now()
    if requested is None:
        requested = now + timedelta(days=TOKEN_DEFAULT_DAYS)
        if actor.token_expires_at is not None:
            requested = min(requested, actor.token_expires_at)
    if requested <= now:
        raise InvalidInput("expires_at: the expiry date is in the past")
    if requested > now + timedelta(days=TOKEN_MAX_DAYS):
        raise InvalidInput(f"expires_at: a token lives at most {TOKEN_MAX_DAYS} days")
    if actor.token_expires_at is not None and requested > actor.token_expires_at:
        raise InvalidInput(
            "expires_at: a token cannot create a token that expires after it does "
            f"({clock.iso(actor.token_expires_at)})"
        )
    return requested


TOUCH_SECONDS = 60  # last-used and last-seen times are written at most once a minute


def check_token(session: Session, *, secret: str) -> ApiToken | None:
    """The live token for a secret (read only; `touch_token` records its use)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    tok = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == passwords.secret_hash(secret))
    )
    if tok is None or tok.revoked_at is not None or tok.user.disabled:
        return None
    if tok.expires_at is not None and tok.expires_at <= clock.now():
        return None
    return tok


def token_touch_due(tok: ApiToken) -> bool:
    last = tok.last_used_at
    return last is None or (clock.now() - last).total_seconds() > TOUCH_SECONDS


def touch_token(session: Session, token_id: uuid.UUID) -> None:
    tok = session.get(ApiToken, token_id)
    if tok is not None:
        tok.last_used_at = clock.now()


def principal_for_token(tok: ApiToken, *, ip: str) -> Principal:
    """The acting principal of a live token: its user's role, narrowed by its scopes."""
    return principal_for(
        tok.user,
        kind="token",
        ip=ip,
        scopes=frozenset(tok.scopes),
        token_expires_at=tok.expires_at,
    )


def list_tokens(session: Session, *, actor: Principal, user: User | None = None) -> list[ApiToken]:
    q = select(ApiToken).order_by(ApiToken.created_at.desc())
    if user is None or user.id != actor.user_id:
        actor.require("users.manage")
    if user is not None:
        q = q.where(ApiToken.user_id == user.id)
    return list(session.scalars(q))


def revoke_token(session: Session, *, actor: Principal, token_id: uuid.UUID) -> ApiToken:
    tok = session.get(ApiToken, token_id)
    if tok is None:
        raise NotFound("token not found")
    actor.require("account.write" if tok.user_id == actor.user_id else "users.manage")
    if tok.revoked_at is None:
        tok.revoked_at = clock.now()
        audit.append(
            session, actor=actor, action="token.revoke", object_type="token", object_id=str(tok.id)
        )
    return tok
