"""Who is acting: a user through a web session or an API token, the CLI, or the node itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from corridor.errors import PermissionDenied
from corridor.security.roles import PERMISSIONS, ROLE_PURPOSES, Role


@dataclass(frozen=True)
class Principal:
    kind: str  # "session" | "token" | "cli" | "system"
    handle: str
    role: Role | None = None
    user_id: uuid.UUID | None = None
    unit_handle: str | None = None
    scopes: frozenset[str] | None = None  # None: not limited by a token
    ip: str = ""

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
            # and export one (`corridor import/export`, audited), but never browse or search.
            return PERMISSIONS[permission][1] == "admin" or permission in (
                "account.self",
                "records.write",
                "entities.import",
                "entities.export",
            )
        roles, scope = PERMISSIONS[permission]
        if self.role not in roles:
            return False
        return self.scopes is None or scope in self.scopes

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise PermissionDenied(f"your role does not allow {permission}")


SYSTEM = Principal(kind="system", handle="system")
CLI = Principal(kind="cli", handle="cli")
