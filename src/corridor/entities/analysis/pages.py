"""The link graph of a case in the web UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from corridor.entities import service as entities
from corridor.entities.access import open_case
from corridor.entities.analysis import graph
from corridor.entities.analysis import service as analysis
from corridor.entities.ftm import entity_schemata, model
from corridor.errors import NotFound
from corridor.federation.peers import node_names
from corridor.i18n import N_
from corridor.records.labels import TLP_LEVELS
from corridor.web.auth import node_of
from corridor.web.params import PageAuth
from corridor.web.render import page

router = APIRouter(include_in_schema=False)


def _vendored(prefix: str) -> str:
    """The directory of a vendored library, e.g. cytoscape-3.33.1 (the version is in its name)."""
    base = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor"
    found = sorted(p.name for p in base.glob(f"{prefix}-*") if p.is_dir())
    if not found:
        raise RuntimeError(f"vendored {prefix} is missing from the package")
    return found[-1]


# What a selector node stands for (the legend and the panel of the graph name them).
SELECTOR_KINDS = {
    "phone": N_("Phone number"),
    "account": N_("Account number"),
    "document": N_("Document number"),
    "imei": N_("IMEI of a phone"),
    "imsi": N_("IMSI of a SIM card"),
    "iccid": N_("SIM card number (ICCID)"),
    "handle": N_("User name"),
    "email": N_("E-mail address"),
    "imo": N_("IMO number"),
    "mmsi": N_("MMSI"),
    "plate": N_("Number plate"),
    "address": N_("Address (shared)"),
}


def legend_types() -> list[tuple[str, str, str]]:
    """(group, schema, label) of every schema the graph draws as a node, in the legend's order
    (the label in English: the page translates it, once the reader's language is active):
    the groups' own schemata, then the other schemata a user may create."""
    out = []
    for group, names in graph.NODE_GROUPS.items():
        out += [(group, n, str(model[n].label)) for n in names if n in model.schemata]
    listed = {name for _, name, _ in out}
    for name in entity_schemata():
        if name not in listed and not model[name].edge:
            out.append((graph.schema_group(name), name, str(model[name].label)))
    return out


@router.get("/cases/{ref}/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    auth: PageAuth,
    ref: str,
    seed: Annotated[str | None, Query(max_length=128)] = None,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        saved = analysis.charts(session, actor=auth.principal, case_ref=str(case.id))
    return page(
        request,
        "entities/graph.html",
        {
            "case": case,
            "seed": seed,
            "cytoscape_dir": _vendored("cytoscape"),
            "chart": next((c for c in saved if c.name == "Main chart"), None),
            "legend_types": legend_types(),
            "stricter_tlps": TLP_LEVELS[TLP_LEVELS.index(case.tlp) + 1 :],
            "selector_kinds": [
                (kind, label, graph.SELECTOR_GROUPS[kind]) for kind, label in SELECTOR_KINDS.items()
            ],
        },
    )


@router.get("/cases/{ref}/graph/_node/{entity_id}", response_class=HTMLResponse)
def graph_node(request: Request, auth: PageAuth, ref: str, entity_id: str) -> HTMLResponse:
    """The key facts of an entity of the case, for the graph's side panel (a read of the
    entity, audited as its page is)."""
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        entity, _case, rows = entities.read(
            session, actor=auth.principal, ctx=entities.context_of(node), entity_id=entity_id
        )
        if entity.case_id != case.id:
            raise NotFound(f"no entity {entity_id} in this case")
        names = node_names(session, node.id, node.config.name)
    live = [s for s in rows if s.retracted_at is None]
    partners = sorted({names.get(s.source, s.source) for s in live if s.source_kind == "partner"})
    levels = [t for t in (entity.tlp, *(s.tlp for s in live)) if t in TLP_LEVELS]
    return page(
        request,
        "entities/_graph_node.html",
        {
            "case": case,
            "entity": entity,
            "partners": partners,
            "tlp": max(levels, key=TLP_LEVELS.index, default=entity.tlp),
        },
    )


@router.get("/cases/{ref}/graph/_analysis", response_class=HTMLResponse)
def graph_analysis(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    """Case-wide key players, networks and timeline: loaded after the graph page (seconds on a
    case of tens of thousands of entities)."""
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        metrics = analysis.key_players(session, actor=auth.principal, case_ref=str(case.id))
        timeline = analysis.case_timeline(session, actor=auth.principal, case_ref=str(case.id))
    return page(
        request,
        "entities/_graph_analysis.html",
        {"case": case, "metrics": metrics, "timeline": timeline[:500]},
    )
