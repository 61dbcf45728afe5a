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
    "corridor.entities.imports",
    "corridor.mapping.routes.records",
    "corridor.mapping.challenges.records",
    "corridor.mapping.commitments.records",
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
    "corridor.entities.api",
    "corridor.entities.import_api",
    "corridor.entities.analysis_api",
    "corridor.entities.pages",
    "corridor.entities.import_pages",
    "corridor.entities.analysis_pages",
    "corridor.entities.casework_api",
    "corridor.entities.casework_pages",
    "corridor.mapping.map.api",
    "corridor.mapping.challenges.api",
    "corridor.mapping.routes.api",
    "corridor.mapping.commitments.api",
    "corridor.mapping.map.pages",
    "corridor.mapping.challenges.pages",
    "corridor.mapping.commitments.pages",
    "corridor.mapping.reports.pages",
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
