"""Importing a module registers its record types, job handlers and navigation entries."""

from __future__ import annotations

import importlib

MODULES = (
    "corridor.node.records",
    "corridor.node.jobs",
)


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(name)
