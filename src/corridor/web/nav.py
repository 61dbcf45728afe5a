"""Navigation registry: each module adds its entries; the shell renders what the user may use."""

from __future__ import annotations

from corridor import modules
from corridor.i18n import N_
from corridor.manifest import Nav
from corridor.security.principal import Principal

# A module declares its entries in its manifest; `register` is for entries added at run time.
NavEntry = Nav


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


def entries() -> list[NavEntry]:
    found: dict[str, NavEntry] = {}
    for entry in [*modules.nav_entries(), *_ENTRIES]:
        if entry.section not in SECTIONS:
            raise ValueError(f"unknown navigation section {entry.section!r}")
        found.setdefault(entry.path, entry)
    return list(found.values())


def for_principal(principal: Principal) -> list[tuple[str, list[NavEntry]]]:
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
