"""`corridor user`: user accounts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
from corridor.i18n import gettext as _
from corridor.security.principal import CLI
from corridor.security.roles import Role

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)


@app.command("add")
@clear_errors
def user_add(
    email: str,
    role: Annotated[Role, typer.Option(help="Role of the new user.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    unit: Annotated[str | None, typer.Option(help="Unit name or handle.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (first line)."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Add a user. Without --password-stdin a one-time password is printed once."""
    from corridor.security import service as security

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail(_("no password on standard input"))
    one_time = password is None
    if password is None:
        password = security.generate_password()
    with opened(data_dir) as node, node.db.transaction() as session:
        unit_obj = security.find_unit(session, unit) if unit else None
        user = security.create_user(
            session,
            actor=CLI,
            email=email,
            role=role.value,
            password=password,
            display_name=name,
            unit=unit_obj,
            must_change_password=one_time,
        )
        # The role is the code --role takes.
        console.print(
            _("user %(email)s (%(role)s) added, handle %(handle)s")
            % {"email": user.email, "role": user.role, "handle": user.handle},
            highlight=False,
            markup=False,
        )
    if one_time:
        once = escape(_("one-time password %(password)s (shown once; change at sign-in)"))
        console.print(once % {"password": f"[bold]{escape(password)}[/]"}, highlight=False)


@app.command("list")
@clear_errors
def user_list(
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """List users."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        users = security.list_users(session, actor=CLI)
        if as_json:
            for u in users:
                print(
                    json.dumps(
                        {
                            "email": u.email,
                            "handle": u.handle,
                            "role": u.role,
                            "unit": u.unit.name if u.unit else None,
                            "disabled": u.disabled,
                            "totp": u.totp_enabled,
                        }
                    )
                )
            return
        table = make_table(
            _("E-mail"), _("Name"), _("Role"), _("Unit"), _("2FA"), _("Status"), _("Handle")
        )
        for u in users:
            table.add_row(
                u.email,
                u.display_name,
                u.role,  # the code --role takes
                u.unit.name if u.unit else "",
                _("on") if u.totp_enabled else _("off"),
                _("disabled") if u.disabled else _("active"),
                u.handle,
            )
        console.print(table)


def _set_disabled(email: str, data_dir: Path | None, disabled: bool) -> None:
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        security.update_user(session, actor=CLI, user=user, disabled=disabled)
        done = _("user %(email)s disabled") if disabled else _("user %(email)s enabled")
        console.print(done % {"email": user.email}, highlight=False, markup=False)


@app.command("disable")
@clear_errors
def user_disable(email: str, data_dir: DataDir = None) -> None:
    """Disable a user (ends their sessions; their tokens stop working)."""
    _set_disabled(email, data_dir, True)


@app.command("enable")
@clear_errors
def user_enable(email: str, data_dir: DataDir = None) -> None:
    """Enable a disabled user."""
    _set_disabled(email, data_dir, False)


@app.command("reset-password")
@clear_errors
def user_reset_password(email: str, data_dir: DataDir = None) -> None:
    """Print a new one-time password (also lifts a lockout)."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        password = security.reset_password(session, actor=CLI, user=user)
        once = escape(_("one-time password for %(email)s: %(password)s (shown once)"))
        console.print(
            once % {"email": escape(user.email), "password": f"[bold]{escape(password)}[/]"},
            highlight=False,
        )
