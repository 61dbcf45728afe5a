"""What a module of the node declares about itself, in one place.

Each package of `corridor` that adds to the node (the core's own and every feature module)
has a `manifest.py` with a `MANIFEST`. The core reads them (`corridor.modules`): it imports
the modules that declare tables, record types, job handlers and hooks, mounts the routers,
shows the navigation entries, applies the body limits and asks the work modules what the
dashboard shows. Adding a module means adding its
package, nothing else. Plain data: a manifest imports only this module and `corridor.i18n`
(to mark its menu labels), as it is read before anything else of the node is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Nav:
    """An entry of the page menu, shown to those with `permission`. `section` is one of
    `corridor.web.nav.SECTIONS`; `label` is marked for translation where it is written."""

    section: str
    label: str
    path: str
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Section:
    """Where a module's menu entries go: a section (of `corridor.web.nav.SECTIONS`) and the
    permission that shows them. `Section("Guidance", "records.read").entries((N_("Map"),
    "/map", 10), …)` declares each entry by its label, path and order alone."""

    name: str
    permission: str

    def entries(self, *items: tuple[str, str, int]) -> tuple[Nav, ...]:
        return tuple(
            Nav(self.name, label, path, self.permission, order) for label, path, order in items
        )


@dataclass(frozen=True)
class BodyLimit:
    """Requests to `path` ("*" stands for one path segment, a trailing "/" for a prefix) may
    carry up to the node's configured limit named `limit` (a field of `config.Limits`) plus
    `extra` bytes (e.g. the multipart overhead on top of a file)."""

    path: str
    limit: str
    extra: int = 0


@dataclass(frozen=True)
class Manifest:
    """Module paths are strings: nothing is imported until the core loads the module."""

    name: str
    # Loaded and mounted in this order, then by name: the core before the features.
    order: int = 100
    tables: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    # Modules imported for the hooks they add to the core (records.RECEIVED_HOOKS, …).
    hooks: tuple[str, ...] = ()
    # Modules with a FastAPI `router`, in mounting order (pages, API).
    routers: tuple[str, ...] = ()
    nav: tuple[Nav, ...] = ()
    # Modules with a `sections(ask: corridor.work.Ask) -> list[corridor.work.Section]`: what
    # needs the signed-in person now, on the dashboard.
    work: tuple[str, ...] = ()
    body_limits: tuple[BodyLimit, ...] = field(default=())

    def registering(self) -> tuple[str, ...]:
        """Every module imported for what it registers, tables first."""
        return self.tables + self.records + self.jobs + self.hooks
