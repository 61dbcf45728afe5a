"""The modules of a node, found by their manifests (`corridor.manifest`).

Every package directly under `corridor` with a `manifest.py` is a module. Loading imports
what the manifests name, which registers record types, job handlers and hooks; the web app
mounts the routers, shows the navigation and applies the body limits. A module is added by
adding its package: nothing here or elsewhere in the core lists it.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

import corridor
from corridor.manifest import BodyLimit, Manifest, Nav


def manifests() -> tuple[Manifest, ...]:
    return tuple(m for m, _ in _found())


@cache
def _found() -> tuple[tuple[Manifest, Path], ...]:
    found = []
    for info in pkgutil.iter_modules(corridor.__path__):
        if not info.ispkg:
            continue
        name = f"corridor.{info.name}.manifest"
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        manifest = importlib.import_module(name).MANIFEST
        if not isinstance(manifest, Manifest):
            raise TypeError(f"{name}.MANIFEST is not a corridor.manifest.Manifest")
        found.append((manifest, Path(spec.origin).parent))
    return tuple(sorted(found, key=lambda f: (f[0].order, f[0].name)))


def template_dirs() -> list[Path]:
    """The `templates/` folder of every module that has one: a module's pages may keep their
    templates in its own package (the web layer's folder is searched first)."""
    return [path / "templates" for _, path in _found() if (path / "templates").is_dir()]


def load_tables() -> None:
    """Import every module's tables (Alembic, `create_all` in tests)."""
    for manifest in manifests():
        for name in manifest.tables:
            importlib.import_module(name)


def load_all() -> None:
    for manifest in manifests():
        for name in manifest.registering():
            importlib.import_module(name)


def routers() -> list[ModuleType]:
    return [importlib.import_module(name) for m in manifests() for name in m.routers]


def work_modules() -> list[ModuleType]:
    """The modules that tell the dashboard what needs a person now (`corridor.work`)."""
    return [importlib.import_module(name) for m in manifests() for name in m.work]


def nav_entries() -> list[Nav]:
    return [entry for m in manifests() for entry in m.nav]


def body_limits() -> list[BodyLimit]:
    return [limit for m in manifests() for limit in m.body_limits]
