"""The page menu: every module's entries, declared in its manifest; the shell renders those the
user may use."""

from __future__ import annotations

from corridor import modules
from corridor.i18n import N_
from corridor.manifest import Nav
from corridor.security.principal import Principal

SECTIONS = (
    N_("Overview"),
    N_("Cooperation"),
    N_("Intelligence"),
    N_("Guidance"),
    N_("Administration"),
)


def entries() -> list[Nav]:
    found: dict[str, Nav] = {}
    for entry in modules.nav_entries():
        if entry.section not in SECTIONS:
            raise ValueError(f"unknown navigation section {entry.section!r}")
        found.setdefault(entry.path, entry)
    return list(found.values())


def for_principal(principal: Principal) -> list[tuple[str, list[Nav]]]:
    out = []
    shown = entries()
    for section in SECTIONS:
        entries_ = sorted(
            (e for e in shown if e.section == section and principal.has(e.permission)),
            key=lambda e: (e.order, e.label),
        )
        if entries_:
            out.append((section, entries_))
    return out
