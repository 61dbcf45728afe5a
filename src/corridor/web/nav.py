"""Navigation registry: each module adds its entries; the shell renders what the user may use."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.i18n import N_
from corridor.security.principal import Principal


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: str
    path: str
    permission: str
    order: int = 100


SECTIONS = (
    N_("Overview"),
    N_("Cooperation"),
    N_("Intelligence"),
    N_("Guidance"),
    N_("Administration"),
)
_ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if entry.section not in SECTIONS:
        raise ValueError(f"unknown navigation section {entry.section!r}")
    if all(e.path != entry.path for e in _ENTRIES):
        _ENTRIES.append(entry)


def for_principal(principal: Principal) -> list[tuple[str, list[NavEntry]]]:
    out = []
    for section in SECTIONS:
        entries = sorted(
            (e for e in _ENTRIES if e.section == section and principal.has(e.permission)),
            key=lambda e: (e.order, e.label),
        )
        if entries:
            out.append((section, entries))
    return out


for _e in (
    NavEntry("Overview", N_("Dashboard"), "/", "account.self", 0),
    NavEntry("Administration", N_("Users"), "/admin/users", "users.manage", 10),
    NavEntry("Administration", N_("Units"), "/admin/units", "users.manage", 20),
    NavEntry("Administration", N_("Audit log"), "/admin/audit", "audit.read", 30),
    NavEntry("Administration", N_("Node"), "/admin/node", "node.manage", 40),
):
    register(_e)
