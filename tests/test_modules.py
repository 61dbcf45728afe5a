"""The modules of a node are found by their manifests, and what they declare is real."""

from __future__ import annotations

import dataclasses
import importlib
import sys
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

import corridor
from corridor import modules
from corridor.config import Limits
from corridor.manifest import Nav, Section
from corridor.records import registry
from corridor.web import nav


def test_every_package_that_adds_to_the_node_has_a_manifest() -> None:
    names = {m.name for m in modules.manifests()}
    assert {
        "node",
        "records",
        "security",
        "jobs",
        "federation",
        "audit",
        "messages",
        "entities",
        "mapping",
        "cooperation",
        "web",
    } <= names


def test_what_the_manifests_name_exists() -> None:
    limits = {f.name for f in dataclasses.fields(Limits)}
    for manifest in modules.manifests():
        for name in manifest.registering():
            importlib.import_module(name)
        for name in manifest.routers:
            assert hasattr(importlib.import_module(name), "router"), name
        for limit in manifest.body_limits:
            assert limit.limit in limits, (manifest.name, limit)
        for entry in manifest.nav:
            assert entry.section in nav.SECTIONS, (manifest.name, entry)


def test_loading_registers_the_record_types() -> None:
    modules.load_all()
    assert {"node.card", "message", "alert", "rfa", "challenge", "entities", "receipt"} <= set(
        registry.known()
    )


@pytest.fixture
def extra_module(tmp_path: Path):
    """A module added by dropping its package beside the others, touching nothing else."""
    pkg = tmp_path / "zz_extra"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "manifest.py").write_text(
        "from corridor.manifest import BodyLimit, Manifest, Nav\n"
        "MANIFEST = Manifest(name='extra', order=999, routers=('corridor.zz_extra.pages',),\n"
        "    nav=(Nav('Guidance', 'Extra', '/extra', 'records.read', 99),),\n"
        "    body_limits=(BodyLimit('/extra/*/files', 'max_case_file_bytes', 1),))\n"
    )
    (pkg / "templates" / "extra").mkdir(parents=True)
    (pkg / "templates" / "extra" / "page.html").write_text("<p>{{ what }}</p>")
    (pkg / "pages.py").write_text(
        "from fastapi import APIRouter\nrouter = APIRouter()\n"
        "@router.get('/extra')\ndef extra() -> dict[str, str]:\n    return {'ok': 'extra'}\n"
    )
    corridor.__path__.append(str(tmp_path))
    modules._found.cache_clear()
    try:
        yield
    finally:
        corridor.__path__.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("corridor.zz_extra")]:
            del sys.modules[name]
        modules._found.cache_clear()


def test_a_new_module_is_found_by_its_package_alone(extra_module: None) -> None:
    assert modules.manifests()[-1].name == "extra"
    assert [m.__name__ for m in modules.routers()][-1] == "corridor.zz_extra.pages"
    assert any(e.path == "/extra" for e in nav.entries())
    assert modules.body_limits()[-1].path == "/extra/*/files"
    assert modules.template_dirs()[-1].parent.name == "zz_extra"
    # The page layer finds a module's own templates beside the shared ones.
    env = Environment(loader=FileSystemLoader(modules.template_dirs()), autoescape=True)
    assert env.get_template("extra/page.html").render(what="<b>") == "<p>&lt;b&gt;</p>"


def test_a_section_declares_its_entries_by_label_path_and_order() -> None:
    entries = Section("Guidance", "records.read").entries(("Map", "/map", 10), ("Routes", "/r", 25))
    assert entries == (
        Nav("Guidance", "Map", "/map", "records.read", 10),
        Nav("Guidance", "Routes", "/r", "records.read", 25),
    )
