"""Users, units, login with lockout, TOTP and web sessions (API tokens: `security.tokens`).

Every function takes the acting principal and checks its permission here, so the UI, the API
and the CLI obey the same rules."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import pyotp
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from corridor import clock, formats, i18n
from corridor.audit import service as audit
from corridor.config import Limits
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.security import passwords
from corridor.security.models import ApiToken, Unit, User, WebSession
from corridor.security.principal import Principal, principal_for
from corridor.security.roles import Role
from corridor.security.tokens import (
    TOKEN_PREFIX,
    TOUCH_SECONDS,
    check_token,
    create_token,
    list_tokens,
    principal_for_token,
    revoke_token,
    token_touch_due,
    touch_token,
)

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
LIMITS = Limits()
_Account = TypeVar("_Account", Unit, User)

# The one face of security for the modules: tokens (their own module) are named here too.
__all__ = [
    "TOKEN_PREFIX",
    "check_token",
    "create_token",
    "list_tokens",
    "principal_for",
    "principal_for_token",
    "revoke_token",
    "token_touch_due",
    "touch_token",
]


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def new_handle(prefix: str) -> str:
    """Pseudonymous handle shown to partners instead of names, e.g. u-k3m9x2qa."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return prefix + "-" + "".join(secrets.choice(alphabet) for _ in range(8))


def check_password_policy(password: str) -> None:
    if len(password) < LIMITS.password_min_length:
        raise InvalidInput(f"passwords need at least {LIMITS.password_min_length} characters")
    if len(password) > 1024:
        raise InvalidInput("passwords may have at most 1024 characters")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(f"{email!r} is not an e-mail address")
    return email


def parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}"
        ) from None


# --- units -------------------------------------------------------------------------------


def create_unit(session: Session, *, actor: Principal, name: str, description: str = "") -> Unit:
    actor.require("users.manage")
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a unit needs a name (at most 200 characters)")
    if session.scalar(select(Unit).where(Unit.name == name)):
        raise Conflict(f"unit {name!r} already exists")
    unit = Unit(
        name=name, handle=new_handle("unit"), description=description[:2000], created_at=clock.now()
    )
    session.add(unit)
    session.flush()
    audit.append(
        session, actor=actor, action="unit.create", object_type="unit", object_id=unit.handle
    )
    return unit


def list_units(session: Session, *, actor: Principal) -> list[Unit]:
    actor.require("account.self")
    return list(session.scalars(select(Unit).order_by(Unit.name)))


def _by_ref(session: Session, model: type[_Account], query: Select[_Account], ref: str) -> _Account:
    """The account a person's reference names: what `query` finds by name, e-mail or handle,
    or else the row with that id; NotFound naming the reference."""
    found = session.scalar(query)
    if found is None:
        try:
            found = session.get(model, uuid.UUID(ref))
        except ValueError:
            found = None
    if found is None:
        raise NotFound(f"{model.__name__.lower()} {ref!r} not found")
    return found


def find_unit(session: Session, ref: str) -> Unit:
    """By name, handle or id."""
    return _by_ref(
        session, Unit, select(Unit).where((Unit.name == ref) | (Unit.handle == ref)), ref
    )


# --- users -------------------------------------------------------------------------------


# What was done to an account, named by its handle (never its e-mail).
_audit_user = audit.About("user")


def create_user(
    session: Session,
    *,
    actor: Principal,
    email: str,
    role: str | Role,
    password: str,
    display_name: str = "",
    unit: Unit | None = None,
    must_change_password: bool = False,
) -> User:
    actor.require("users.manage")
    email = normalise_email(email)
    role = parse_role(role)
    check_password_policy(password)
    if len(display_name) > 200:
        raise InvalidInput("display name: at most 200 characters")
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict("a user with that e-mail already exists")
    user = User(
        email=email,
        role=role.value,
        display_name=display_name.strip(),
        handle=new_handle("u"),
        unit_id=unit.id if unit else None,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        disabled=False,
        failed_logins=0,
        totp_enabled=False,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    _audit_user(session, actor, "user.create", user.handle, {"role": role.value})
    return user


def list_users(session: Session, *, actor: Principal) -> list[User]:
    actor.require("users.manage")
    return list(session.scalars(select(User).order_by(User.email)))


def find_user(session: Session, ref: str) -> User:
    """By e-mail, handle or id."""
    query = select(User).where((User.email == ref.strip().lower()) | (User.handle == ref))
    return _by_ref(session, User, query, ref)


def _admins_left(session: Session, excluding: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.role == Role.administrator.value,
                User.disabled.is_(False),
                User.id != excluding,
            )
        )
        or 0
    )


def update_user(
    session: Session,
    *,
    actor: Principal,
    user: User,
    role: str | Role | None = None,
    unit: Unit | bool | None = False,
    display_name: str | None = None,
    disabled: bool | None = None,
) -> User:
    """`unit=False` leaves the unit alone, `unit=None` removes it."""
    actor.require("users.manage")
    changes: dict[str, object] = {}
    demoting = role is not None and parse_role(role) != Role.administrator
    losing_admin = (disabled or demoting) and user.role == Role.administrator.value
    if losing_admin and _admins_left(session, user.id) == 0:
        raise Conflict("this is the last active administrator; appoint another one first")
    if role is not None:
        user.role = parse_role(role).value
        changes["role"] = user.role
    if unit is not False:
        user.unit_id = unit.id if isinstance(unit, Unit) else None
        changes["unit"] = unit.handle if isinstance(unit, Unit) else None
    if display_name is not None:
        if len(display_name) > 200:
            raise InvalidInput("display name: at most 200 characters")
        user.display_name = display_name.strip()
        changes["display_name"] = True
    if disabled is not None:
        user.disabled = disabled
        changes["disabled"] = disabled
        if disabled:
            changes.update(_lock_out(session, user))
    session.flush()
    _audit_user(session, actor, "user.update", user.handle, changes)
    return user


UNSET = object()  # a reading convention the call leaves as it is


def set_reading(
    session: Session,
    *,
    actor: Principal,
    user: User,
    language: object = UNSET,
    time_zone: object = UNSET,
    calendar: object = UNSET,
) -> User:
    """A person's own reading conventions: language (None: follow the browser), IANA time zone
    (None: UTC), calendar shown beside the Gregorian date (None: none). Only they set them."""
    if actor.handle != user.handle:
        raise PermissionDenied("only the person sets their own language and time zone")
    changes: dict[str, object] = {}
    if language is not UNSET:
        if language is not None and language not in i18n.available():
            known = ", ".join(i18n.available())
            raise InvalidInput(f"language: {language!r} is not available here ({known})")
        user.locale = language if isinstance(language, str) else None
        changes["language"] = user.locale
    if time_zone is not UNSET:
        if time_zone is not None and not formats.valid_zone(str(time_zone)):
            raise InvalidInput(
                f"time_zone: {time_zone!r} is not an IANA time zone (e.g. Asia/Karachi)"
            )
        user.time_zone = time_zone if isinstance(time_zone, str) else None
        changes["time_zone"] = user.time_zone
    if calendar is not UNSET:
        if calendar is not None and calendar not in formats.CALENDARS:
            raise InvalidInput(
                f"calendar: {calendar!r} is not one of {', '.join(formats.CALENDARS)} (or none)"
            )
        user.calendar = calendar if isinstance(calendar, str) else None
        changes["calendar"] = user.calendar
    session.flush()
    _audit_user(session, actor, "user.reading", user.handle, changes)
    return user


def reset_password(session: Session, *, actor: Principal, user: User) -> str:
    """A one-time password the user must change at next login; also lifts a lockout."""
    actor.require("users.manage")
    password = generate_password()
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    ended = _lock_out(session, user)
    _audit_user(session, actor, "user.reset_password", user.handle, ended)
    return password


def _lock_out(session: Session, user: User) -> dict[str, int]:
    """End every web session and revoke every live API token of a user whose credentials an
    administrator took back (password reset, account disabled): re-enabling the account or
    the new password must not bring an old credential back. Returns the counts, for the
    audit entry of the administrator's action."""
    sessions = end_sessions(session, user)
    now = clock.now()
    tokens = 0
    for tok in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        tok.revoked_at = now
        tokens += 1
    return {"sessions_ended": sessions, "tokens_revoked": tokens}


def change_password(
    session: Session,
    *,
    actor: Principal,
    user: User,
    current: str,
    new: str,
    keep_session: str | None = None,
) -> None:
    """Change one's own password; every other session of the user ends."""
    if actor.user_id != user.id:
        raise PermissionDenied("you can change only your own password")
    actor.require("account.write")
    if not passwords.verify(user.password_hash, current):
        _audit_user.denied(session, actor, "user.change_password", user.handle)
        raise InvalidInput("the current password is wrong")
    if new == current:
        raise InvalidInput("the new password must differ from the current one")
    check_password_policy(new)
    user.password_hash = passwords.hash_password(new)
    user.must_change_password = False
    end_sessions(session, user, keep=keep_session)
    _audit_user(session, actor, "user.change_password", user.handle)


def set_password(session: Session, *, actor: Principal, user: User, password: str) -> None:
    """Administrative set (CLI, scripted provisioning)."""
    actor.require("users.manage")
    check_password_policy(password)
    user.password_hash = passwords.hash_password(password)
    user.must_change_password = False
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user)
    _audit_user(session, actor, "user.set_password", user.handle)


# --- login -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    reason: str  # "ok" | "invalid" | "locked" | "disabled"


def _login_denied(session: Session, who: Principal, user: User | None, **detail: object) -> None:
    audit.append(
        session,
        actor=who,
        action="auth.login",
        outcome="denied",
        object_type="user" if user else "",
        object_id=user.handle if user else "",
        detail=detail,
    )


def _count_failure(user: User, reason: str) -> dict[str, object]:
    """One more failed factor; the threshold locks the account. Returns the audit detail."""
    user.failed_logins += 1
    detail: dict[str, object] = {"reason": reason, "failures": user.failed_logins}
    if user.failed_logins >= LIMITS.lockout_threshold:
        user.locked_until = clock.now() + timedelta(minutes=LIMITS.lockout_minutes)
        user.failed_logins = 0
        detail["locked_minutes"] = LIMITS.lockout_minutes
    return detail


def authenticate(session: Session, *, email: str, password: str, ip: str) -> LoginOutcome:
    """Check a password. Failures are counted and committed by the caller's transaction:
    callers must not roll back on a failed outcome."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        passwords.verify(None, password)
        return LoginOutcome(None, "invalid")
    user = session.scalar(select(User).where(User.email == email).with_for_update(of=User))
    if user is None:
        passwords.verify(None, password)
        anon = Principal(kind="session", handle="anonymous", ip=ip)
        _login_denied(session, anon, None, reason="unknown account")
        return LoginOutcome(None, "invalid")
    who = principal_for(user, kind="session", ip=ip)
    if user.locked_until and user.locked_until > clock.now():
        _login_denied(session, who, user, reason="locked")
        return LoginOutcome(None, "locked")
    ok = passwords.verify(user.password_hash, password)
    if ok and user.disabled:
        _login_denied(session, who, user, reason="disabled")
        return LoginOutcome(None, "disabled")
    if not ok:
        detail = _count_failure(user, "bad password")
        _login_denied(session, who, user, **detail)
        return LoginOutcome(None, "locked" if "locked_minutes" in detail else "invalid")
    user.failed_logins = 0
    user.locked_until = None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return LoginOutcome(user, "ok")


def complete_login(session: Session, *, user: User, ip: str) -> tuple[str, WebSession]:
    """Open a web session after every factor passed; returns the cookie value once."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    ws = WebSession(
        id=passwords.secret_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=LIMITS.session_max_hours),
        ip=ip[:64],
    )
    session.add(ws)
    user.last_login_at = now
    _audit_user(session, principal_for(user, kind="session", ip=ip), "auth.login", user.handle)
    return token, ws


def check_session(session: Session, *, cookie: str) -> tuple[WebSession, User | None] | None:
    """The web session of a cookie and its user, reading only. The user is None when the
    session must end (expired, idle too long, user disabled or gone)."""
    ws = session.get(WebSession, passwords.secret_hash(cookie))
    if ws is None:
        return None
    now = clock.now()
    user = session.get(User, ws.user_id)
    idle = timedelta(minutes=LIMITS.session_idle_minutes)
    if user is None or user.disabled or ws.expires_at <= now or ws.last_seen_at + idle <= now:
        return ws, None
    return ws, user


def session_touch_due(ws: WebSession) -> bool:
    return (clock.now() - ws.last_seen_at).total_seconds() > TOUCH_SECONDS


def touch_session(session: Session, session_id: str, *, end: bool = False) -> None:
    """Record activity on a web session, or end it (expired, user disabled)."""
    ws = session.get(WebSession, session_id)
    if ws is None:
        return
    if end:
        session.delete(ws)
    else:
        ws.last_seen_at = clock.now()


def session_principal(
    session: Session, *, cookie: str, ip: str
) -> tuple[Principal, WebSession, User] | None:
    found = check_session(session, cookie=cookie)
    if found is None:
        return None
    ws, user = found
    if user is None:
        session.delete(ws)
        return None
    if session_touch_due(ws):
        ws.last_seen_at = clock.now()
    return principal_for(user, kind="session", ip=ip), ws, user


def logout(session: Session, *, cookie: str, actor: Principal) -> None:
    ws = session.get(WebSession, passwords.secret_hash(cookie))
    if ws is not None:
        session.delete(ws)
        audit.append(session, actor=actor, action="auth.logout")


def end_sessions(session: Session, user: User, *, keep: str | None = None) -> int:
    ended = 0
    for ws in session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        if ws.id != keep:
            session.delete(ws)
            ended += 1
    return ended


# --- TOTP --------------------------------------------------------------------------------


def totp_begin(session: Session, *, actor: Principal, user: User) -> str:
    """Store a fresh secret (not yet active); returns the otpauth:// URI for the app."""
    if actor.user_id != user.id:
        raise PermissionDenied("you can set up a second factor only for yourself")
    actor.require("account.write")
    if user.totp_enabled:
        raise Conflict("two-factor authentication is already on")
    user.totp_secret = pyotp.random_base32()
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="corridor")


def _totp_step(user: User, code: str) -> int | None:
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code.strip()):
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = clock.now()
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(at), code.strip()):
            return int(at.timestamp()) // 30
    return None


def totp_confirm(session: Session, *, actor: Principal, user: User, code: str) -> None:
    if actor.user_id != user.id:
        raise PermissionDenied("you can set up a second factor only for yourself")
    actor.require("account.write")
    step = _totp_step(user, code)
    if step is None:
        raise InvalidInput("that code is not valid; check the time on your device")
    user.totp_enabled = True
    user.totp_last_step = step
    _audit_user(session, actor, "user.totp_enable", user.handle)


def totp_disable(session: Session, *, actor: Principal, user: User) -> None:
    actor.require("account.write" if actor.user_id == user.id else "users.manage")
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    _audit_user(session, actor, "user.totp_disable", user.handle)


def totp_verify_login(session: Session, *, user: User, code: str, ip: str) -> bool:
    """Second factor at login; a code is accepted once (no replay) and failures count
    towards the same lockout as passwords."""
    step = _totp_step(user, code)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        return True
    detail = _count_failure(user, "bad second factor")
    _login_denied(session, principal_for(user, kind="session", ip=ip), user, **detail)
    return False
