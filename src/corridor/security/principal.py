"""Who is acting: a user through a web session or an API token, the CLI, or the node itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from corridor.errors import PermissionDenied
from corridor.security.models import User
from corridor.security.roles import PERMISSIONS, ROLE_PURPOSES, WRITE_SCOPES, Role


@dataclass(frozen=True)
class Principal:
    kind: str  # "session" | "token" | "cli" | "system"
    handle: str
    role: Role | None = None
    user_id: uuid.UUID | None = None
    unit_handle: str | None = None
    scopes: frozenset[str] | None = None  # None: not limited by a token
    ip: str = ""
    # A token's own expiry: what it mints may not outlive it (None: no token, or none set).
    token_expires_at: datetime | None = None

    @property
    def purposes(self) -> frozenset[str]:
        if self.kind in ("cli", "system"):
            return frozenset()
        return ROLE_PURPOSES[self.role] if self.role else frozenset()

    def has(self, permission: str) -> bool:
        if self.kind == "system":
            return True
        if self.kind == "cli":
            # The CLI runs as the machine's operator (who holds the key files): administration
            # and the node's own records (card, sharing groups). It may load files into a case
            # and export one (`corridor import/export`, audited), load published indicators
            # (`corridor indicators import`), but never browse or search.
            return PERMISSIONS[permission][1] == "admin" or permission in (
                "account.self",
                "records.write",
                "entities.import",
                "entities.export",
                "risk.import",
            )
        roles, scope = PERMISSIONS[permission]
        if self.role not in roles:
            return False
        return self.scopes is None or scope in self.scopes

    def require(self, permission: str) -> None:
        if self.has(permission):
            return
        roles, scope = PERMISSIONS[permission]
        if self.kind == "token" and self.role in roles and self.scopes is not None:
            # The person may; the token does not: say which, or they ask for the wrong fix.
            held = ", ".join(sorted(self.scopes)) or "none"
            raise PermissionDenied(
                f"this API token's scopes ({held}) do not include {scope!r}, which "
                f"{permission} needs: use a token with the {scope} scope"
            )
        raise PermissionDenied(f"your role does not allow {permission}")

    @property
    def may_write(self) -> bool:
        """Whether the credential itself allows changing anything: a token needs a write or
        admin scope, whatever its user's role (the role is checked by each permission)."""
        return self.scopes is None or bool(self.scopes & WRITE_SCOPES)

    def require_write(self) -> None:
        """The gate every state-changing API call passes before its body is even read, so a
        read-only token cannot change anything through a route that forgot its permission."""
        if not self.may_write:
            raise PermissionDenied("this API token is read-only; changes need a write scope")


SYSTEM = Principal(kind="system", handle="system")
CLI = Principal(kind="cli", handle="cli")


def principal_for(
    user: User,
    *,
    kind: str,
    ip: str = "",
    scopes: frozenset[str] | None = None,
    token_expires_at: datetime | None = None,
) -> Principal:
    return Principal(
        kind=kind,
        handle=user.handle,
        role=Role(user.role),
        user_id=user.id,
        unit_handle=user.unit.handle if user.unit else None,
        scopes=scopes,
        ip=ip,
        token_expires_at=token_expires_at,
    )
