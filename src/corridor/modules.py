"""The modules of a node. Importing one registers its record types, job handlers and
navigation entries; its routers are mounted by the web app."""

from __future__ import annotations

import importlib
from types import ModuleType

MODULES = (
    "corridor.node.records",
    "corridor.records.groups",
    "corridor.node.jobs",
    "corridor.federation.outbox",
    "corridor.federation.delivery",
    "corridor.federation.receipts",
    "corridor.federation.rotation",
    "corridor.audit.checkpoints",
    "corridor.messages.records",
    "corridor.entities.records",
    "corridor.entities.imports.runner",
    "corridor.mapping.records",
    "corridor.cooperation.directory.records",
    "corridor.cooperation.alerts.records",
    "corridor.cooperation.requests.records",
    "corridor.cooperation.spaces.records",
    "corridor.cooperation.notifications.records",
    "corridor.cooperation.notifications.audit_forks",
    "corridor.events",
)

# Modules with a FastAPI `router`, mounted in this order (pages, API, federation endpoint).
ROUTERS = (
    "corridor.web.login",
    "corridor.web.dashboard",
    "corridor.web.account",
    "corridor.web.admin",
    "corridor.web.api",
    "corridor.federation.pages",
    "corridor.federation.api",
    "corridor.federation.endpoint",
    "corridor.messages.api",
    "corridor.messages.pages",
    "corridor.entities.cases.api",
    "corridor.entities.search.api",
    # Before the entities' own router: /entities/candidates is not the entity "candidates".
    "corridor.entities.resolution.api",
    "corridor.entities.api",
    "corridor.entities.imports.api",
    "corridor.entities.analysis.api",
    "corridor.entities.pages",
    "corridor.entities.cases.pages",
    "corridor.entities.search.pages",
    "corridor.entities.resolution.pages",
    "corridor.entities.imports.pages",
    "corridor.entities.analysis.pages",
    "corridor.mapping.api",
    "corridor.mapping.map_pages",
    "corridor.mapping.challenge_pages",
    "corridor.mapping.commitment_pages",
    "corridor.mapping.report_pages",
    "corridor.cooperation.directory.api",
    "corridor.cooperation.directory.pages",
    "corridor.cooperation.alerts.api",
    "corridor.cooperation.alerts.pages",
    "corridor.cooperation.requests.api",
    "corridor.cooperation.requests.pages",
    "corridor.cooperation.spaces.api",
    "corridor.cooperation.spaces.pages",
    "corridor.cooperation.notifications.api",
    "corridor.cooperation.notifications.pages",
)


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(name)


def routers() -> list[ModuleType]:
    return [importlib.import_module(name) for name in ROUTERS]
