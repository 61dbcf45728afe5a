"""The four thematic commitments of the demo, proposed by one agency, and every member's actions
on them: milestones (some overdue), indicators and a progress update. Fictional; dates are
relative to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from corridor.demo.agencies import AGENCIES
from corridor.demo.seeding import DemoApi, days_from

COUNTRY = {a.slug: a.country for a in AGENCIES}

COMMITMENTS: tuple[dict[str, str], ...] = (
    {
        "theme": "fraudulent_documents",
        "title": "Detect and report fraudulent travel and residence documents",
        "text": "Members equip and train their first-line officers to detect fraudulent "
        "documents and report every new type to partners within 48 hours. (demo)",
    },
    {
        "theme": "digital_smuggling",
        "title": "Counter the online advertising of smuggling services",
        "text": "Members monitor the platforms smugglers use, refer adverts for removal and "
        "share the accounts behind them with partners. (demo)",
    },
    {
        "theme": "border_vulnerabilities",
        "title": "Close the gaps at the most exposed border sections",
        "text": "Members assess their most exposed border sections together and report the "
        "measures taken and their effect. (demo)",
    },
    {
        "theme": "victim_protection",
        "title": "Put victims and vulnerable migrants first",
        "text": "Members screen for victims of trafficking and vulnerable migrants at first "
        "contact and refer them to protection within 24 hours. (demo)",
    },
)


@dataclass(frozen=True)
class ActionPlan:
    title: str  # {places} is the member's own crossing points
    description: str
    milestones: tuple[tuple[str, int], ...]  # title, due in days from today
    indicators: tuple[tuple[str, str, float, float], ...]  # name, unit, baseline, target


ACTIONS: dict[str, tuple[ActionPlan, ...]] = {
    "fraudulent_documents": (
        ActionPlan(
            "Document examination desks at {places}",
            "UV and infrared lamps, magnifiers and reference material at every desk. (demo)",
            (
                ("Desks equipped", -230),
                ("First-line officers trained", -40),
                ("All desks connected to the alert channel", 90),
            ),
            (
                ("Officers trained in first-line checks", "officers", 0, 120),
                ("Fraudulent documents detected per quarter", "documents", 40, 90),
            ),
        ),
        ActionPlan(
            "Reports of new fraudulent document types to partners",
            "Every new type is described with images and shared within 48 hours. (demo)",
            (("Reporting template agreed", -180), ("Reports sent within 48 hours", 120)),
            (("Share of reports sent within 48 hours", "%", 20, 90),),
        ),
    ),
    "digital_smuggling": (
        ActionPlan(
            "Monitoring cell for smuggling adverts",
            "Analysts follow the platforms and groups used in {places} and refer adverts for "
            "removal. (demo)",
            (
                ("Monitoring cell staffed", -200),
                ("Referral channel agreed with two platforms", -30),
                ("Monthly report to partners", 60),
            ),
            (
                ("Adverts referred for removal", "adverts", 0, 600),
                ("Median days to removal", "days", 14, 3),
            ),
        ),
        ActionPlan(
            "Digital evidence training for investigators",
            "Seizure and analysis of phones and messaging accounts. (demo)",
            (("Course designed with partners", -150), ("Two courses held", 150)),
            (("Investigators trained", "investigators", 0, 40),),
        ),
    ),
    "border_vulnerabilities": (
        ActionPlan(
            "Joint risk analysis of the border sections at {places}",
            "With neighbouring services: patrol data, apprehensions, terrain. (demo)",
            (
                ("Data sharing agreed", -210),
                ("Joint assessment published", -20),
                ("Measures reviewed", 180),
            ),
            (("Border sections assessed", "sections", 0, 12),),
        ),
        ActionPlan(
            "Night surveillance at {places}",
            "Thermal cameras and mobile units on the most used sections. (demo)",
            (("Cameras procured", -120), ("Mobile units operational", 100)),
            (
                ("Share of the exposed sections under night surveillance", "%", 15, 80),
                ("Undetected crossings per month (estimate)", "crossings", 400, 150),
            ),
        ),
    ),
    "victim_protection": (
        ActionPlan(
            "Screening for vulnerability at first contact in {places}",
            "A short screening by trained officers and referral to protection partners. (demo)",
            (
                ("Screening form adopted", -190),
                ("Officers trained in screening", -35),
                ("Referral agreements signed", 75),
            ),
            (
                ("Share of apprehended people screened", "%", 10, 95),
                ("Referrals within 24 hours", "%", 20, 90),
            ),
        ),
        ActionPlan(
            "Referral channel for families of missing migrants",
            "One contact point that passes reports to partners and tracing services. (demo)",
            (("Contact point designated", -100), ("Procedure published", 45)),
            (("Reports passed on within a week", "%", 0, 100),),
        ),
    ),
}
PLACES = {
    "PK": "Taftan and Lahore airport",
    "TR": "Van and Kapıköy",
    "GR": "Evros and Lesvos",
    "IT": "Lampedusa and Augusta",
    "BG": "Kapitan Andreevo and Lesovo",
}
OWNERS = {
    "pk-fia": "FIA Immigration Wing (demo)",
    "tr-jandarma": "Jandarma Van Provincial Command (demo)",
    "gr-hcg": "Hellenic Coast Guard, Piraeus (demo)",
    "it-sco": "Immigration and Border Police Directorate (demo)",
    "bg-bp": "Border Police, Svilengrad (demo)",
}
# How far along each member is (share of the way from baseline to target), by member and plan.
SHARES = (0.55, 0.3, 0.7, 0.2, 0.45, 0.8, 0.35)


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(p for p in out.split("-") if p)[:40].strip("-")


def seed_commitments(
    api: DemoApi, to: list[str], present: list[str], today: date
) -> list[tuple[str, str]]:
    """The four thematic commitments; returns (theme, id) pairs."""
    countries = sorted({COUNTRY[s] for s in present if s in COUNTRY})
    out = []
    for c in COMMITMENTS:
        created = api.call(
            "POST",
            "/api/v1/commitments",
            json={
                **c,
                "adopted": days_from(today, -320),
                "ends": days_from(today, 730),
                "countries": countries,
                "tlp": "GREEN",
                "to": to,
            },
        )
        out.append((c["theme"], str(created["id"])))
    return out


def add_action(
    api: DemoApi,
    cid: str,
    plan: ActionPlan,
    index: int,
    t: int,
    p: int,
    country: str,
    today: date,
) -> None:
    share = SHARES[(index + t + p) % len(SHARES)]
    milestones = []
    for k, (title, due) in enumerate(plan.milestones):
        m: dict[str, Any] = {"id": _slug(title), "title": title, "due": days_from(today, due)}
        # Reached on time, except about one in four, varying per member: those stay open and
        # show as overdue on the dashboard (the first member's first action always has one).
        if due < 0 and (index + t + p + k) % 4 != 1:
            m["done_on"] = days_from(today, due - 3)
        milestones.append(m)
    indicators: list[dict[str, Any]] = [
        {"id": _slug(name), "name": name, "unit": unit, "baseline": base, "target": target}
        for name, unit, base, target in plan.indicators
    ]
    places = PLACES.get(country, "the main crossing points")
    action = api.call(
        "POST",
        f"/api/v1/commitments/{cid}/actions",
        json={
            "title": plan.title.format(places=places),
            "description": plan.description.format(places=places),
            "owner": OWNERS.get(api.slug, "National focal point (demo)"),
            "milestones": milestones,
            "indicators": indicators,
        },
    )
    if p:
        return  # progress updates on the first action of each commitment: a few, not all
    values = {
        i["id"]: round(i["baseline"] + share * (i["target"] - i["baseline"]), 1) for i in indicators
    }
    api.call(
        "POST",
        f"/api/v1/commitments/{cid}/actions/{action['id']}/updates",
        json={
            "on": days_from(today, -(7 + 5 * index + t)),
            "text": f"Progress for the quarter: {round(share * 100)} % of the way to the "
            "targets. (demo)",
            "values": values,
            "evidence": [
                {
                    "kind": "link",
                    "title": "Quarterly progress note",
                    "url": f"https://example.org/demo/{api.slug}/progress-{t + 1}",
                }
            ],
        },
    )
