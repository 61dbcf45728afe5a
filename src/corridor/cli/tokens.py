"""`corridor token`: API tokens."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

import typer

from corridor import clock, formats
from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
from corridor.i18n import gettext as _
from corridor.security.principal import CLI
from corridor.security.roles import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS

app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


@app.command("create")
@clear_errors
def token_create(
    email: str,
    scope: Annotated[
        list[Scope] | None, typer.Option(help="read, write, admin (repeatable).")
    ] = None,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_days: Annotated[
        int, typer.Option(help=f"Days until it expires (at most {TOKEN_MAX_DAYS}).")
    ] = TOKEN_DEFAULT_DAYS,
    data_dir: DataDir = None,
) -> None:
    """Create an API token for a user; the token is printed once."""
    from corridor.security import service as security

    if not 1 <= expires_days <= TOKEN_MAX_DAYS:
        fail(_("--expires-days must be between 1 and %(max)d") % {"max": TOKEN_MAX_DAYS})
    expires = clock.now() + timedelta(days=expires_days)
    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email)
        secret, tok = security.create_token(
            session,
            actor=CLI,
            user=user,
            name=name,
            scopes=[s.value for s in scope] if scope else ["read"],
            expires_at=expires,
        )
    print(secret)
    # The scopes are the codes --scope takes.
    told = _("token %(id)s (%(scopes)s) for %(email)s; shown once") % {
        "id": tok.id,
        "scopes": ", ".join(tok.scopes),
        "email": email,
    }
    sys.stderr.write(told + "\n")


@app.command("list")
@clear_errors
def token_list(
    email: Annotated[str | None, typer.Argument()] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """List API tokens (of one user, or all); never the secrets."""
    from corridor.security import service as security

    with opened(data_dir) as node, node.db.transaction() as session:
        user = security.find_user(session, email) if email else None
        rows: list[dict[str, Any]] = [
            {
                "id": str(t.id),
                "user": t.user.email,
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes,
                "expires": clock.iso(t.expires_at) if t.expires_at else None,
                "state": "revoked" if t.revoked_at else "active",
            }
            for t in security.list_tokens(session, actor=CLI, user=user)
        ]
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return
    table = make_table(
        _("Id"), _("User"), _("Name"), _("Prefix"), _("Scopes"), _("Expires"), _("State")
    )
    states = {"active": _("active"), "revoked": _("revoked")}
    for row in rows:
        table.add_row(
            row["id"],
            row["user"],
            row["name"] or "",
            row["prefix"],
            ",".join(row["scopes"]),  # the codes --scope takes
            formats.when(row["expires"]),
            states[row["state"]],
        )
    console.print(table)


@app.command("revoke")
@clear_errors
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke an API token by id."""
    from corridor.security import service as security

    try:
        tid = uuid.UUID(token_id)
    except ValueError:
        fail(_("%(value)s is not a token id") % {"value": repr(token_id)})
    with opened(data_dir) as node, node.db.transaction() as session:
        security.revoke_token(session, actor=CLI, token_id=tid)
    console.print(_("token %(id)s revoked") % {"id": token_id}, highlight=False, markup=False)
