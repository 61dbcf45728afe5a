"""Demo cooperation: the practitioners' network in daily use — contact points, an urgent
alert acknowledged by partners, requests for assistance (one answered, one waiting), a joint
space. Everything here is fictional."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corridor.demo.seeding import DemoApi, DemoNodes, days_from

LIAISON = "liaison.officer"
TIMEZONES = {
    "pk-fia": "Asia/Karachi",
    "tr-jandarma": "Europe/Istanbul",
    "gr-hcg": "Europe/Athens",
    "it-sco": "Europe/Rome",
    "bg-bp": "Europe/Sofia",
}
EXPERTISE = {
    "pk-fia": ["document_fraud", "investigations", "financial"],
    "tr-jandarma": ["investigations", "online", "liaison"],
    "gr-hcg": ["maritime", "protection", "liaison"],
    "it-sco": ["maritime", "investigations", "financial"],
    "bg-bp": ["investigations", "document_fraud"],
}
LANGUAGES = {
    "pk-fia": ["ur", "en", "ps"],
    "tr-jandarma": ["tr", "en", "fa"],
    "gr-hcg": ["el", "en"],
    "it-sco": ["it", "en", "ar"],
    "bg-bp": ["bg", "en", "tr"],
}


def seed_cooperation(nodes: DemoNodes) -> None:
    present = nodes.present
    with nodes.apis(lambda _: LIAISON) as apis:
        for slug in present:
            _cards(apis[slug], slug, nodes.domains[slug])
        if {"gr-hcg", "tr-jandarma"} <= set(present):
            _alert(apis, nodes)
        if {"pk-fia", "tr-jandarma"} <= set(present):
            _requests(apis, nodes)
            _space(apis, nodes)


def _cards(api: DemoApi, slug: str, domain: str) -> None:
    tz = TIMEZONES.get(slug, "UTC")
    api.call(
        "POST",
        "/api/v1/directory",
        json={
            "kind": "unit",
            "name": f"24/7 cooperation desk ({slug}, demo)",
            "role": "National contact point for migrant smuggling",
            "languages": LANGUAGES.get(slug, ["en"]),
            "expertise": [*EXPERTISE.get(slug, []), "liaison"][:4],
            "availability": {"always": True, "timezone": tz},
            "channels": [
                {"kind": "email", "value": f"desk@{domain}"},
                {"kind": "i24_7", "value": f"{slug.upper()}-DESK (fictional)"},
            ],
            "notes": "Fictional demo contact: answers urgent alerts and requests around the clock.",
        },
    )
    api.call(
        "POST",
        "/api/v1/directory",
        json={
            "kind": "person",
            "name": f"Duty analyst ({slug}, demo)",
            "role": "Risk analyst",
            "languages": LANGUAGES.get(slug, ["en"])[:2],
            "expertise": EXPERTISE.get(slug, ["investigations"])[:2],
            "availability": {
                "timezone": tz,
                "hours": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "17:00"}
                ],
            },
            "channels": [{"kind": "email", "value": f"analyst@{domain}"}],
        },
    )


def _alert(apis: dict[str, DemoApi], nodes: DemoNodes) -> None:
    gr, tr = apis["gr-hcg"], apis["tr-jandarma"]
    to = nodes.others("gr-hcg")
    alert = gr.call(
        "POST",
        "/api/v1/alerts",
        json={
            "to": to,
            "type": "imminent_departure",
            "severity": "urgent",
            "title": "Rubber boat expected to leave Ayvalık coast tonight (demo)",
            "body": "Fictional: a source reports about 40 people gathered near Ayvalık for a "
            "night departure towards Lesvos. Please confirm patrols and acknowledge.",
            "area": {
                "type": "Polygon",
                "coordinates": [
                    [[26.55, 39.25], [26.75, 39.25], [26.75, 39.40], [26.55, 39.40], [26.55, 39.25]]
                ],
            },
            "countries": ["TR", "GR"],
            "tlp": "AMBER",
            "valid_until": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        },
    )
    tr.wait_for(f"/api/v1/alerts/{alert['id']}")
    tr.call("POST", f"/api/v1/alerts/{alert['id']}/acknowledge")


def _requests(apis: dict[str, DemoApi], nodes: DemoNodes) -> None:
    pk, tr = apis["pk-fia"], apis["tr-jandarma"]
    answered = pk.call(
        "POST",
        "/api/v1/requests",
        json={
            "to": [nodes.node_ids["tr-jandarma"]],
            "subject": "Subscriber of +90 5xx phone used by the Quetta coordinator (demo)",
            "urgency": "normal",
            "legal_basis": "Fictional: bilateral police cooperation agreement, art. 5",
            "body": "Fictional: the number appears in calls with the coordinator of case "
            "FIA-AHSC-2026-014. Please tell us who holds it and since when.",
            "questions": ["Who is the registered subscriber?", "Since when is it active?"],
            "tlp": "AMBER",
        },
    )
    tr.wait_for(f"/api/v1/requests/{answered['id']}")
    tr.call("POST", f"/api/v1/requests/{answered['id']}/accept", json={"text": "Accepted."})
    tr.call(
        "POST",
        f"/api/v1/requests/{answered['id']}/reply",
        json={
            "text": "Fictional answer from the demo.",
            "answers": [
                {"question": 0, "text": "A prepaid line registered to a fictional person in Van."},
                {"question": 1, "text": "Active since March 2026 (fictional)."},
            ],
            "tlp": "AMBER",
        },
    )
    # One waiting, urgent request, for a partner officer to answer in the demo.
    others = nodes.others("pk-fia")
    pk.call(
        "POST",
        "/api/v1/requests",
        json={
            "to": others,
            "subject": "12 people on forged visas via Dubai: seen at your border? (demo)",
            "urgency": "urgent",
            "legal_basis": "Fictional: mutual assistance between police services",
            "body": "Fictional: we expect the group to try a crossing this week. Any sighting, "
            "any document numbers from the series shared in case FIA-AHSC-2026-014?",
            "questions": ["Have you seen this document series?", "Any arrests in the last week?"],
            "tlp": "AMBER",
        },
    )


def _space(apis: dict[str, DemoApi], nodes: DemoNodes) -> None:
    pk, tr = apis["pk-fia"], apis["tr-jandarma"]
    members = [nodes.node_ids[s] for s in nodes.present if s in ("tr-jandarma", "gr-hcg", "bg-bp")]
    space = pk.call(
        "POST",
        "/api/v1/spaces",
        json={
            "name": "Joint investigation Quetta–Van–Evros (demo)",
            "purpose_text": "Fictional: one facilitation network moving people from Quetta "
            "through Van to the Evros crossing.",
            "reference": "JIT-2026-07",
            "case_reference": "FIA-AHSC-2026-014",
            "members": members,
            "tlp": "AMBER",
        },
    )
    pk.call(
        "POST",
        f"/api/v1/spaces/{space['id']}/posts",
        json={
            "text": "Fictional: the coordinator's Turkish number is now confirmed (see the "
            "answered request). Next: map the Van safe houses.",
            "tlp": "AMBER",
        },
    )
    due = days_from(datetime.now(UTC).date(), 10)
    pk.call(
        "POST",
        f"/api/v1/spaces/{space['id']}/tasks",
        json={
            "title": "Identify the Van safe houses (demo)",
            "due": due,
            "tlp": "AMBER",
            "assignee": {"node": nodes.node_ids["tr-jandarma"], "person": "Kom. Elif Yıldız"},
        },
    )
    tr.wait_for(f"/api/v1/spaces/{space['id']}")
    tr.call(
        "POST",
        f"/api/v1/spaces/{space['id']}/posts",
        json={
            "text": "Fictional: two addresses under observation in Van; details follow.",
            "tlp": "AMBER",
        },
    )
