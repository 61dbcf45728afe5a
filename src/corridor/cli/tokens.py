"""`corridor token`: API tokens."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer

from corridor import clock
from corridor.cli.common import AsJson, DataDir, clear_errors, console, fail, opened
from corridor.cli.common import table as make_table
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
        fail(f"--expires-days must be between 1 and {TOKEN_MAX_DAYS}")
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
    sys.stderr.write(f"token {tok.id} ({', '.join(tok.scopes)}) for {email}; shown once\n")


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
        rows = [
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
    table = make_table("id", "user", "name", "prefix", "scopes", "expires", "state")
    for row in rows:
        table.add_row(*(",".join(v) if isinstance(v, list) else str(v or "") for v in row.values()))
    console.print(table)


@app.command("revoke")
@clear_errors
def token_revoke(token_id: str, data_dir: DataDir = None) -> None:
    """Revoke an API token by id."""
    from corridor.security import service as security

    try:
        tid = uuid.UUID(token_id)
    except ValueError:
        fail(f"{token_id!r} is not a token id")
    with opened(data_dir) as node, node.db.transaction() as session:
        security.revoke_token(session, actor=CLI, token_id=tid)
    console.print(f"token {token_id} revoked")
