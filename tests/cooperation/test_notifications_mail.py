"""Notification e-mail against a local SMTP server (aiosmtpd) started by the tests: urgent
notices at once, the digest bundling the rest, a server that is down (retried, nothing lost),
no SMTP configured, and login without leaking the password."""

from __future__ import annotations

import dataclasses
import queue as queue_mod
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from corridor import clock
from corridor.config import Smtp
from corridor.cooperation.notifications import mailer, registry, service
from corridor.cooperation.notifications.models import Notification
from corridor.cooperation.notifications.records import DIGEST_JOB
from corridor.federation import delivery
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.security import service as security
from tests.entities.test_api import bearer

URGENT = registry.Notice("alert.urgent", "URGENT Boat in distress", "/alerts/1", urgent=True)


class Inbox:
    """Collects what the SMTP server receives; `get` waits for the next mail."""

    def __init__(self) -> None:
        self.mails: queue_mod.Queue[tuple[list[str], Message]] = queue_mod.Queue()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.put((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def get(self, timeout: float = 10) -> tuple[list[str], Message]:
        return self.mails.get(timeout=timeout)

    def empty(self) -> bool:
        return self.mails.empty()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def with_smtp(node, port: int, **kw: Any) -> None:  # type: ignore[no-untyped-def]
    smtp = Smtp(host="127.0.0.1", port=port, sender="corridor@node.example", security="none", **kw)
    node.config = dataclasses.replace(node.config, smtp=smtp)


def run_jobs(node, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the due jobs of one kind as a worker would (claim, then run and settle)."""
    with node.db.transaction() as session:
        jobs = list(
            session.scalars(
                select(Job).where(
                    Job.kind == kind, Job.state == "queued", Job.run_after <= clock.now()
                )
            )
        )
        claimed = []
        for job in jobs:
            job.state, job.attempts = "running", job.attempts + 1
            claimed.append(
                queue.Claimed(job.id, job.kind, dict(job.payload), job.attempts, job.max_attempts)
            )
    return [queue.run(node, c) for c in claimed]


def queue_digest(node) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        queue.enqueue(session, DIGEST_JOB, {}, dedupe_key=f"every:{DIGEST_JOB}")


def states(node) -> list[str]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return sorted(session.scalars(select(Notification.email_state)))


def text_of(mail: Message) -> str:
    part = mail.get_body(("plain",)) if hasattr(mail, "get_body") else mail
    payload = (part or mail).get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(mail.get_payload())


def test_urgent_notice_is_mailed_at_once(node, make_user, smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    with_smtp(node, port)
    p = make_user("liaison_officer", email="duty@agency.example")
    with node.db.transaction() as session:
        service.notify(session, node_id=node.id, notice=URGENT, handles=[p.handle])
    assert run_jobs(node, service.EMAIL_JOB) == ["done"]
    rcpt, mail = inbox.get()
    assert rcpt == ["duty@agency.example"]
    # The mail names the kind of notice, not the record's title (mailboxes are outside the node).
    assert mail["Subject"] == f"[corridor] Urgent: {registry.KINDS['alert.urgent']}"
    assert "Boat in distress" not in mail.as_string()
    assert mail["From"] == "corridor@node.example"
    assert f"{node.config.url.rstrip('/')}/alerts/1" in text_of(mail)
    assert states(node) == ["sent"]
    # A retry of the same job would not send it twice.
    with node.db.transaction() as session:
        ids = [str(i) for i in session.scalars(select(Notification.id))]
    from corridor.cooperation.notifications.records import send_queued

    send_queued(node, {"ids": ids})
    assert inbox.empty()


def test_digest_bundles_the_waiting_notices_into_one_mail(
    node, make_user, smtp_server, shift_clock
) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    with_smtp(node, port)
    daily = make_user("analyst", email="daily@agency.example")
    hourly = make_user("analyst", email="hourly@agency.example")
    with node.db.transaction() as session:
        service.set_preferences(session, actor=hourly, kinds={}, digest="hourly")
    for i in range(3):
        with node.db.transaction() as session:
            notice = registry.Notice("message", "New message", f"/messages/{i}")
            service.notify(session, node_id=node.id, notice=notice, handles=[daily.handle])
            service.notify(session, node_id=node.id, notice=notice, handles=[hourly.handle])
    assert service.EMAIL_JOB not in {k for (k,) in _job_kinds(node)}  # nothing urgent
    queue_digest(node)
    assert run_jobs(node, DIGEST_JOB) == ["done"]
    assert inbox.empty()  # not due yet: the first digest waits one period

    shift_clock(timedelta(hours=1, minutes=1))
    queue_digest(node)
    run_jobs(node, DIGEST_JOB)
    rcpt, mail = inbox.get()
    assert rcpt == ["hourly@agency.example"] and inbox.empty()
    assert mail["Subject"] == "[corridor] 3 new notifications"
    body = text_of(mail)
    assert all(f"/messages/{i}" in body for i in range(3))

    shift_clock(timedelta(days=1))
    queue_digest(node)
    run_jobs(node, DIGEST_JOB)
    rcpt, mail = inbox.get()
    assert rcpt == ["daily@agency.example"] and inbox.empty()
    assert states(node) == ["sent"] * 6
    # Nothing left: the next run sends nothing.
    shift_clock(timedelta(days=1))
    queue_digest(node)
    run_jobs(node, DIGEST_JOB)
    assert inbox.empty()


def _job_kinds(node) -> list[tuple[str]]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return [(k,) for k in session.scalars(select(Job.kind).where(Job.state == "queued"))]


def test_smtp_down_retries_and_loses_nothing(node, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    port = free_port()  # nothing listens there yet
    with_smtp(node, port)
    p = make_user("analyst", email="a@agency.example")
    with node.db.transaction() as session:
        service.notify(session, node_id=node.id, notice=URGENT, handles=[p.handle])
    assert run_jobs(node, service.EMAIL_JOB) == ["retry"]
    with node.db.transaction() as session:
        job = session.scalar(select(Job).where(Job.kind == service.EMAIL_JOB))
        assert job is not None and job.state == "queued" and job.run_after > clock.now()
        assert "SMTP 127.0.0.1" in (job.last_error or "")
    assert states(node) == ["queued"]
    assert run_jobs(node, service.EMAIL_JOB) == []  # backing off

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        shift_clock(timedelta(minutes=10))
        assert run_jobs(node, service.EMAIL_JOB) == ["done"]
        rcpt, _ = inbox.get()
    finally:
        controller.stop()
    assert rcpt == ["a@agency.example"] and states(node) == ["sent"]


def test_without_smtp_nothing_is_mailed(node, make_user) -> None:  # type: ignore[no-untyped-def]
    assert node.config.smtp is None
    p = make_user("analyst")
    with node.db.transaction() as session:
        service.notify(session, node_id=node.id, notice=URGENT, handles=[p.handle])
        service.notify(
            session,
            node_id=node.id,
            notice=registry.Notice("message", "New message", "/m"),
            handles=[p.handle],
        )
    assert states(node) == ["digest", "queued"]
    assert run_jobs(node, service.EMAIL_JOB) == ["done"]
    queue_digest(node)
    assert run_jobs(node, DIGEST_JOB) == ["done"]
    assert states(node) == ["skipped", "skipped"]


def test_login_uses_the_configured_password_and_never_reports_it(
    make_user, node, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        seen.append((data.login.decode(), data.password.decode()))
        ok = data.password == b"s3cret-pw"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        smtp = Smtp(host="127.0.0.1", port=port, security="none", username="corridor")
        monkeypatch.setenv("CORRIDOR_SMTP_PASSWORD", "s3cret-pw")
        item = service.Outgoing(
            id=__import__("uuid").uuid4(),
            email="x@agency.example",
            locale=None,
            title="Hello",
            link="/notifications",
            urgent=False,
        )
        with mailer.Connection(smtp) as conn:
            conn.send(mailer.single(node.config, smtp, item))
        assert inbox.get()[0] == ["x@agency.example"]
        monkeypatch.setenv("CORRIDOR_SMTP_PASSWORD", "wrong-pw")
        with pytest.raises(mailer.MailError) as err, mailer.Connection(smtp):
            pass
        assert "wrong-pw" not in str(err.value) and "127.0.0.1" in str(err.value)
    finally:
        controller.stop()
    # smtplib tries each mechanism the server offers before giving up.
    assert seen[0] == ("corridor", "s3cret-pw") and set(seen[1:]) == {("corridor", "wrong-pw")}


def test_a_received_message_mails_its_recipient_without_its_content(pair, smtp_server) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    a, b, to_a, to_b = pair
    with_smtp(b, port)
    ha, _ = bearer(a, "liaison_officer", "lo@a.example")
    hb, _ = bearer(b, "liaison_officer", "lo@b.example")
    r = to_b.put(
        "/api/v1/notifications/preferences",
        headers=hb,
        json={"kinds": {"message": {"web": True, "email": "immediately"}}},
    )
    assert r.status_code == 200, r.text
    with b.db.transaction() as session:
        others = [u.email for u in security.list_users(session, actor=_system())]
    mid = to_a.post(
        "/api/v1/messages",
        headers=ha,
        json={"to": [b.id], "subject": "Boat leaves Tuesday", "body": "Skipper K.", "tlp": "AMBER"},
    ).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    assert run_jobs(b, service.EMAIL_JOB) == ["done"]
    rcpt, mail = inbox.get()
    assert rcpt == ["lo@b.example"] and inbox.empty()  # the others get it in their digest
    assert len(others) > 1
    raw = mail.as_string()
    assert registry.KINDS["message"] in mail["Subject"] and f"/messages/{mid}" in text_of(mail)
    assert "Boat" not in raw and "Skipper" not in raw and "Tuesday" not in raw


def _system():  # type: ignore[no-untyped-def]
    from corridor.security.principal import SYSTEM

    return SYSTEM
