"""Notices for the people of a node: one row per user who may see what happened, honouring
each user's preferences; published in real time after commit, mailed at once or in a digest.

Services take the caller's session and never commit (docs/architecture.md, Transactions)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, case, event, func, select, update
from sqlalchemy.orm import Session

from corridor import clock, events, i18n
from corridor.cooperation.notifications import registry
from corridor.cooperation.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from corridor.db import RowInserter
from corridor.errors import InvalidInput, NotFound
from corridor.i18n import N_
from corridor.ids import uuid7
from corridor.jobs import queue
from corridor.records.policy import can_see
from corridor.security.models import User
from corridor.security.principal import Principal
from corridor.security.service import principal_for

EMAIL_MODES = ("off", "immediately", "digest")
DIGESTS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}
EMAIL_JOB = "notifications.email"
MAX_LIST = 200
# An envelope-like dict the event broker's visibility check (records.policy.can_see) lets
# through to exactly one user: TLP:RED "authored" by that user on this node, cooperation purpose
# (every role's). Events about a user's notices reach only that user's streams.
_EVENTS_KEY = "notification_events"


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    web: bool
    email: str
    explicit: bool  # the user chose it (else the default)


# --- who is told ---------------------------------------------------------------------------


def _active_users(session: Session) -> list[tuple[User, Principal]]:
    """Active users with their principals, once per transaction (a received batch of hundreds
    of records asks for them once)."""
    cached = session.info.get("notify_users")
    if cached is None:
        users = session.scalars(select(User).where(User.disabled.is_(False)).order_by(User.email))
        cached = [(u, principal_for(u, kind="session")) for u in users]
        session.info["notify_users"] = cached
    return cached


def _preferences(session: Session) -> dict[tuple[uuid.UUID, str], NotificationPreference]:
    cached = session.info.get("notify_prefs")
    if cached is None:
        cached = {(p.user_id, p.kind): p for p in session.scalars(select(NotificationPreference))}
        session.info["notify_prefs"] = cached
    return cached


def default_email(kind: str, *, urgent: bool = False) -> str:
    """Urgent kinds are mailed at once, the rest go to the digest. Whether mail goes out at
    all depends on the node having SMTP configured (checked when sending)."""
    return "immediately" if urgent or registry.is_urgent_kind(kind) else "digest"


def _effective(
    prefs: dict[tuple[uuid.UUID, str], NotificationPreference], user: User, notice: registry.Notice
) -> tuple[bool, str]:
    pref = prefs.get((user.id, notice.kind))
    if pref is None:
        return True, default_email(notice.kind, urgent=notice.urgent)
    return pref.web, pref.email


_insert = RowInserter(
    Notification.__table__,
    (
        "id",
        "user_id",
        "kind",
        "title",
        "params",
        "link",
        "urgent",
        "record_id",
        "record_type",
        "record_version",
        "created_at",
        "read_at",
        "web",
        "email_state",
    ),
)


def notify(
    session: Session,
    *,
    node_id: str,
    notice: registry.Notice,
    envelope: dict[str, Any] | None = None,
    handles: Iterable[str] | None = None,
) -> int:
    """Record `notice` for the given users (handles), or for every active user of this node
    who may read records and see `envelope`. With both, the envelope still filters: nobody is
    told about a record they may not see. Returns the number of users notified (web or mail)."""
    wanted = set(handles) if handles is not None else None
    prefs = _preferences(session)
    now = clock.now()
    record_id = uuid.UUID(envelope["id"]) if envelope and envelope.get("id") else None
    record_type = envelope.get("type") if envelope else None
    record_version = envelope.get("version") if envelope else None
    title, params, link = notice.title[:300], dict(notice.params or {}), notice.link[:500]
    rows: list[tuple[Any, ...]] = []
    queued: list[str] = []
    pending = session.info.setdefault(_EVENTS_KEY, [])
    for user, principal in _active_users(session):
        if wanted is not None and user.handle not in wanted:
            continue
        if not principal.has("records.read"):
            continue
        if envelope is not None and not can_see(principal, envelope, node_id):
            continue
        web, email = _effective(prefs, user, notice)
        if not web and email == "off":
            continue
        nid = uuid7()
        email_state = {"off": "none", "immediately": "queued", "digest": "digest"}[email]
        # A kind switched off for the browser keeps a row only to carry the e-mail; it is
        # never listed, counted or announced.
        rows.append(
            (
                nid,
                user.id,
                notice.kind,
                title,
                params,
                link,
                notice.urgent,
                record_id,
                record_type,
                record_version,
                now,
                None if web else now,
                web,
                email_state,
            )
        )
        if email_state == "queued":
            queued.append(str(nid))
        if web:
            pending.append(
                (
                    node_id,
                    user.handle,
                    {
                        "event": "notification",
                        "id": str(nid),
                        "kind": notice.kind,
                        "title": render_title(title, params, user.locale or i18n.DEFAULT),
                        "link": link,
                        "urgent": notice.urgent,
                    },
                )
            )
    # Straight to the driver: a received batch of hundreds of records notifies hundreds of
    # times, and the ORM's unit of work cost more than the rest of receiving them.
    _insert(session, rows)
    if queued:
        queue.enqueue(session, EMAIL_JOB, {"ids": queued}, max_attempts=12)
    return len(rows)


WITHDRAWN_TITLE = N_("Withdrawn by its sender")


def forget_record(session: Session, record_id: uuid.UUID) -> int:
    """A record was withdrawn or expired: its notices keep nothing it said (title, subject),
    and no e-mail about it goes out any more. Returns how many notices were cleared."""
    result = session.execute(
        update(Notification)
        .where(Notification.record_id == record_id)
        .values(
            title=WITHDRAWN_TITLE,
            params={},
            email_state=case(
                (Notification.email_state.in_(("queued", "digest")), "none"),
                else_=Notification.email_state,
            ),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def render_title(title: str, params: dict[str, Any] | None, locale: str | None = None) -> str:
    """The title in the reader's language: a msgid, its {placeholders} filled with params."""
    translate = i18n.translations(locale).gettext if locale else i18n.gettext
    text = translate(title)
    if not params:
        return text
    values = {k: _translated(translate, str(v)) for k, v in params.items()}
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation that names a placeholder the notice lacks: show the source text.
        return title.format_map(values) if _formats(title, values) else title


def _translated(translate: Callable[[str], str], value: str) -> str:
    """A parameter as the reader reads it: a msgid translated; a title written in lower case
    inside a sentence ("read your alert") as the translated title, lower-cased the same way."""
    text = translate(value)
    if text == value and value[:1].islower():
        titled = value[:1].upper() + value[1:]
        translated = translate(titled)
        if translated != titled:
            return translated[:1].lower() + translated[1:]
    return text


def _formats(text: str, values: dict[str, str]) -> bool:
    try:
        text.format_map(values)
    except (KeyError, IndexError, ValueError):
        return False
    return True


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending = session.info.pop(_EVENTS_KEY, None)
    if not pending or session.bind is None:
        return
    # Told to its user only: shaped as a RED record of theirs, all in one signal.
    events.publish(
        session.get_bind(),
        [
            (
                payload,
                {
                    "origin": node_id,
                    "author": handle,
                    "labels": {"tlp": "RED", "purpose": "cooperation", "recipients": []},
                },
            )
            for node_id, handle, payload in pending
        ],
    )


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_EVENTS_KEY, None)
    # Users or preferences read in a rolled-back transaction may be stale next time.
    session.info.pop("notify_users", None)
    session.info.pop("notify_prefs", None)


# --- a user's own notifications -------------------------------------------------------------


def _user_of(session: Session, actor: Principal, *, write: bool = False) -> User:
    actor.require("records.read")
    if write:
        actor.require("account.write")
    if actor.user_id is None:
        raise InvalidInput("notifications belong to users; sign in as one")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def list_notifications(
    session: Session, *, actor: Principal, limit: int = 50, unread_only: bool = False
) -> list[Notification]:
    user = _user_of(session, actor)
    q = select(Notification).where(Notification.user_id == user.id, Notification.web.is_(True))
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    q = q.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(
        max(1, min(limit, MAX_LIST))
    )
    return list(session.scalars(q))


def unread_count(session: Session, *, actor: Principal) -> int:
    user = _user_of(session, actor)
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.web.is_(True),
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def mark_read(session: Session, *, actor: Principal, ids: list[uuid.UUID] | None = None) -> int:
    """Mark the given notifications of the actor read (all unread ones when ids is None).
    Ids of other users' notifications are refused as unknown, nothing is changed."""
    user = _user_of(session, actor, write=True)
    cond = [Notification.user_id == user.id, Notification.read_at.is_(None)]
    if ids is not None:
        if not ids:
            return 0
        mine = set(
            session.scalars(
                select(Notification.id).where(
                    Notification.user_id == user.id, Notification.id.in_(ids)
                )
            )
        )
        unknown = [str(i) for i in ids if i not in mine]
        if unknown:
            raise NotFound(f"no notification {unknown[0]}")
        cond.append(Notification.id.in_(ids))
    return _changed(session, update(Notification).where(*cond).values(read_at=clock.now()))


def mark_read_for_record(session: Session, *, actor: Principal, record_id: uuid.UUID) -> int:
    """Opening a record settles its notices (pages of other modules may call this)."""
    if actor.user_id is None:
        return 0
    return _changed(
        session,
        update(Notification)
        .where(
            Notification.user_id == actor.user_id,
            Notification.record_id == record_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=clock.now()),
    )


# --- preferences ---------------------------------------------------------------------------


def get_preferences(session: Session, *, actor: Principal) -> tuple[list[Preference], str]:
    """Every known kind with the user's choice or the default, and the digest frequency."""
    user = _user_of(session, actor)
    rows = {
        p.kind: p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    out = []
    for kind, label in sorted(registry.KINDS.items()):
        row = rows.get(kind)
        if row is None:
            out.append(Preference(kind, label, True, default_email(kind), False))
        else:
            out.append(Preference(kind, label, row.web, row.email, True))
    settings = session.get(NotificationSettings, user.id)
    return out, settings.digest if settings else "daily"


def set_preferences(
    session: Session,
    *,
    actor: Principal,
    kinds: dict[str, tuple[bool, str]],
    digest: str | None = None,
) -> None:
    """kinds: kind -> (web, email). Unknown kinds or modes are refused before any change."""
    user = _user_of(session, actor, write=True)
    for kind, (_, email) in kinds.items():
        if kind not in registry.KINDS:
            raise InvalidInput(f"unknown notification kind {kind!r}")
        if email not in EMAIL_MODES:
            raise InvalidInput(f"e-mail for {kind!r} is one of {', '.join(EMAIL_MODES)}")
    if digest is not None and digest not in DIGESTS:
        raise InvalidInput(f"the digest is one of {', '.join(DIGESTS)}")
    for kind, (web, email) in kinds.items():
        row = session.get(NotificationPreference, (user.id, kind))
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, web=web, email=email))
        else:
            row.web, row.email = web, email
    if digest is not None:
        settings = session.get(NotificationSettings, user.id)
        if settings is None:
            session.add(NotificationSettings(user_id=user.id, digest=digest))
        else:
            settings.digest = digest
    session.info.pop("notify_prefs", None)


# --- e-mail bookkeeping (the sending is in mailer.py) ----------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One notification to mail, with what the mail needs and nothing more."""

    id: uuid.UUID
    email: str
    locale: str | None
    title: str
    link: str
    urgent: bool


def _outgoing(n: Notification, user: User) -> Outgoing:
    return Outgoing(
        id=n.id,
        email=user.email,
        locale=user.locale,
        # A mailbox and the relays on the way are outside the node: the mail names only the
        # kind of notice ("Urgent alerts"), never a title built from the record.
        title=i18n.translations(user.locale or i18n.DEFAULT).gettext(
            registry.KINDS.get(n.kind, N_("Notification"))
        ),
        link=n.link,
        urgent=n.urgent,
    )


def queued_mail(session: Session, ids: list[uuid.UUID]) -> list[Outgoing]:
    """Notifications of an e-mail job that still wait (a retry skips what went out)."""
    rows = session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(ids), Notification.email_state == "queued")
        .order_by(Notification.created_at)
    ).all()
    # A user disabled meanwhile gets nothing more.
    mark_emailed(session, [n.id for n, u in rows if u.disabled], state="skipped")
    return [_outgoing(n, u) for n, u in rows if not u.disabled]


def due_digests(session: Session) -> dict[uuid.UUID, list[Outgoing]]:
    """user id -> the notices of each user whose digest is due: one period after the last
    digest (or after the oldest waiting notice, for a first digest)."""
    now = clock.now()
    rows = session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.email_state == "digest")
        .order_by(Notification.created_at)
    ).all()
    by_user: dict[uuid.UUID, list[tuple[Notification, User]]] = {}
    for n, u in rows:
        by_user.setdefault(u.id, []).append((n, u))
    settings = {
        s.user_id: s
        for s in session.scalars(
            select(NotificationSettings).where(NotificationSettings.user_id.in_(list(by_user)))
        )
    }
    out: dict[uuid.UUID, list[Outgoing]] = {}
    for user_id, items in by_user.items():
        s = settings.get(user_id)
        period = DIGESTS[s.digest if s else "daily"]
        since = s.last_digest_at if s and s.last_digest_at else items[0][0].created_at
        if items[0][1].disabled or now - clock.as_utc(since) < period:
            continue
        out[user_id] = [_outgoing(n, u) for n, u in items]
    return out


def mark_emailed(
    session: Session,
    ids: list[uuid.UUID],
    *,
    state: str = "sent",
    digest_for: uuid.UUID | None = None,
) -> None:
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(email_state=state, emailed_at=clock.now())
        )
    if digest_for is not None:
        settings = session.get(NotificationSettings, digest_for)
        if settings is None:
            session.add(
                NotificationSettings(user_id=digest_for, digest="daily", last_digest_at=clock.now())
            )
        else:
            settings.last_digest_at = clock.now()


def skip_all_mail(session: Session) -> int:
    """No SMTP configured: nothing waiting will be mailed."""
    return _changed(
        session,
        update(Notification)
        .where(Notification.email_state.in_(("queued", "digest")))
        .values(email_state="skipped", emailed_at=clock.now()),
    )


def _changed(session: Session, statement: Update) -> int:
    """How many rows an UPDATE changed (an UPDATE's result is a cursor's: it has a count)."""
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount or 0
