"""Notification e-mail over the node's SMTP server (node.toml `[smtp]`).

A mail names the kind of each notice and links into the node, never record content: whoever reads
the mailbox learns that something arrived, and must sign in to see it."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from gettext import NullTranslations

from corridor import i18n
from corridor.config import NodeConfig, Smtp
from corridor.cooperation.notifications.service import Outgoing

TIMEOUT_SECONDS = 30.0


class MailError(RuntimeError):
    """Sending failed; the message names the server and the step, never a credential."""


def _sender(config: NodeConfig, smtp: Smtp) -> str:
    return smtp.sender or f"corridor@{smtp.host}"


def _url(config: NodeConfig, link: str) -> str:
    return config.url.rstrip("/") + link


def _base(config: NodeConfig, smtp: Smtp, to: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = _sender(config, smtp)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=smtp.host)
    # Mail clients and relays should not auto-reply or archive this as bulk mail.
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _footer(config: NodeConfig, t: NullTranslations) -> str:
    return "\n\n-- \n" + t.gettext(
        "Sent by corridor node {name}. Change what you receive: {url}"
    ).format(name=config.name, url=_url(config, "/notifications/preferences"))


def single(config: NodeConfig, smtp: Smtp, item: Outgoing) -> EmailMessage:
    t = i18n.translations(item.locale or i18n.DEFAULT)
    prefix = t.gettext("[corridor] Urgent:") if item.urgent else "[corridor]"
    msg = _base(config, smtp, item.email, f"{prefix} {item.title}")
    text = t.gettext("{title}\n\nOpen it on {name}: {url}").format(
        title=item.title, name=config.name, url=_url(config, item.link)
    )
    msg.set_content(text + _footer(config, t))
    return msg


def digest(config: NodeConfig, smtp: Smtp, items: list[Outgoing]) -> EmailMessage:
    first = items[0]
    t = i18n.translations(first.locale or i18n.DEFAULT)
    subject = t.ngettext(
        "[corridor] {n} new notification", "[corridor] {n} new notifications", len(items)
    ).format(n=len(items))
    msg = _base(config, smtp, first.email, subject)
    lines = [t.gettext("Since the last digest on {name}:").format(name=config.name), ""]
    for item in items:
        lines.append(f"- {item.title}")
        lines.append(f"  {_url(config, item.link)}")
    msg.set_content("\n".join(lines) + _footer(config, t))
    return msg


class Connection:
    """One SMTP session for several messages; use as a context manager."""

    def __init__(self, smtp: Smtp) -> None:
        self.smtp = smtp
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.smtp
        client: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            password = s.password()
            if s.username and password:
                client.login(s.username, password)
        except (OSError, smtplib.SMTPException) as exc:
            if client is not None:
                # A refused login or STARTTLS: hang up rather than leave the server waiting.
                client.close()
            raise MailError(
                f"SMTP {s.host}:{s.port} ({s.security}): {type(exc).__name__}: {_safe(exc)}"
            ) from None
        self.client = client
        return self

    def send(self, msg: EmailMessage) -> None:
        assert self.client is not None
        try:
            self.client.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"SMTP {self.smtp.host}:{self.smtp.port}: sending failed: "
                f"{type(exc).__name__}: {_safe(exc)}"
            ) from None

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()


def _safe(exc: BaseException) -> str:
    """The server's answer or the socket error, cut short; smtplib never echoes the password,
    but an answer could quote what we sent, so AUTH lines are not repeated."""
    text = str(exc)
    if "AUTH" in text.upper():
        return "authentication refused"
    return text[:300]
