"""The demo's risk analysis: the FIA's Risk Analysis Unit (its analyst, Bilal Qureshi) imports
the real published data beside the checkout (../shared/data: Frontex, IOM, Eurostat) when it is
there, its own national figures (synthetic, labelled so), and writes a CIRAM-style assessment
of the Taftan border section that links one of its challenges. It shares figures with the
partners along the route: the Eastern Mediterranean detections (public, CLEAR) and its own
refusals at the western border (AMBER, as the national dataset is labelled)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import corridor
from corridor.demo.seeding import DemoApi, DemoNodes

SLUG = "pk-fia"
PUBLISHED = (
    ("frontex-ibc", "frontex-ibc-monthly.csv"),
    ("iom-mmp", "iom-missing-migrants.csv"),
    ("eurostat-asylum", "eurostat-asylum-applications.csv"),
)
NATIONAL = {
    "dataset": "fia-refusals-demo",
    "title": "FIA: refusals of entry at the western border (synthetic demo figures)",
    "source": "Federal Investigation Agency (demo): fictional figures, not real data",
    "licence": "demo data, not for use",
}


def shared_data() -> Path:
    """Where the real public data is: $CORRIDOR_DEMO_DATA, else ../shared/data beside the
    checkout corridor runs from."""
    given = os.environ.get("CORRIDOR_DEMO_DATA")
    if given:
        return Path(given)
    return Path(corridor.__file__).resolve().parents[2] / ".." / "shared" / "data"


def _national_rows() -> str:
    """Three years of monthly refusals at three crossing points, by nationality (fictional)."""
    rng = random.Random(2026)  # noqa: S311 - fictional figures, not a secret
    lines = ["indicator,period,value,country,crossing_point,nationality"]
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            for point, size in (("Taftan", 120), ("Chaman", 80), ("Torkham", 60)):
                for nationality, share in (("AFG", 0.6), ("IRN", 0.25), ("BGD", 0.15)):
                    summer = 1.5 if month in (5, 6, 7, 8, 9) else 1.0
                    value = int(size * share * summer * rng.uniform(0.7, 1.3))
                    lines.append(
                        f"refusals_of_entry,{year}-{month:02d},{value},PAK,{point},{nationality}"
                    )
    return "\n".join(lines) + "\n"


def _upload(api: DemoApi, name: str, content: bytes, source: str, **form: str) -> None:
    api.call(
        "POST",
        "/api/v1/indicators/imports",
        files={"file": (name, content, "text/csv")},
        data={"source": source, **form},
    )


def seed_risk(nodes: DemoNodes) -> None:
    if SLUG not in nodes.present:
        return
    api = nodes.api(SLUG, "analyst", timeout=120)
    try:
        data = shared_data()
        for source, file in PUBLISHED:
            path = data / file
            if path.is_file():
                _upload(api, file, path.read_bytes(), source)
        _upload(
            api,
            "fia-refusals.csv",
            _national_rows().encode(),
            "csv",
            mapping=json.dumps({k: v for k, v in NATIONAL.items() if k != "dataset"}),
            dataset=NATIONAL["dataset"],
            tlp="AMBER",
        )
        challenges = api.call("GET", "/api/v1/challenges")["items"]
        ours = [c["id"] for c in challenges if c["origin"] == nodes.node_ids[SLUG]][:1]
        api.call("POST", "/api/v1/risk/assessments", json=_assessment(ours))
        _share_figures(api, nodes, published=(data / PUBLISHED[0][1]).is_file())
    finally:
        api.close()


def _share_figures(api: DemoApi, nodes: DemoNodes, *, published: bool) -> None:
    partners = nodes.others(SLUG)
    shares = [
        {
            "title": "Refusals of entry at the western border, by nationality (demo figures)",
            "note": "Monthly refusals at Taftan, Chaman and Torkham; fictional demo figures.",
            "selection": {"indicator": "refusals_of_entry", "dataset": NATIONAL["dataset"],
                          "country": "PAK", "since": "2024-01", "by": "nationality"},
            "tlp": "AMBER",
        }
    ]  # fmt: skip
    if published:
        shares.append(
            {
                "title": "Eastern Mediterranean Route: detections since 2023",
                "selection": {"indicator": "illegal_border_crossings", "dataset": "frontex-ibc",
                              "route": "Eastern Mediterranean Route", "since": "2023-01",
                              "by": "nationality"},
                "tlp": "CLEAR",
            }
        )  # fmt: skip
    for body in shares:
        api.call("POST", "/api/v1/risk/figures", json={**body, "to": partners})


def _assessment(challenges: list[str]) -> dict[str, object]:
    return {
        "title": "Taftan border section: facilitated crossings towards Iran, summer 2025",
        "scope": {
            "kind": "border_section",
            "border_section": "Taftan",
            "country": "PAK",
            "route": "Pakistan – Iran – Türkiye – Greece",
        },
        "period_from": "2025-05",
        "period_to": "2025-09",
        "threat": {
            "magnitude": 4,
            "likelihood": 4,
            "rationale": "Refusals at Taftan up on a year in every summer month; facilitators "
            "advertise the crossing on social media (demo).",
            "indicators": [{"indicator": "refusals_of_entry", "dataset": NATIONAL["dataset"]}],
        },
        "vulnerability": {
            "checklist": [
                {"item": "surveillance", "answer": "partly", "note": "night coverage gaps"},
                {"item": "reaction", "answer": "no"},
                {"item": "staffing", "answer": "partly"},
                {"item": "document_checks", "answer": "yes"},
                {"item": "information", "answer": "partly"},
                {"item": "protection", "answer": "no"},
            ],
            "rationale": "Long desert section; one patrol base (demo).",
        },
        "impact": {
            "humanitarian": 4,
            "security": 3,
            "operational": 3,
            "rationale": "Migrants abandoned in the desert by facilitators (demo).",
        },
        "method": "matrix",
        "challenges": challenges,
        "summary": "A fictional assessment for the demo.",
        "recommendations": "Night surveillance; a referral point for vulnerable people (demo).",
        "tlp": "GREEN",
    }
