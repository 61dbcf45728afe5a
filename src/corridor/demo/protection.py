"""The demo's protection compartment: the Hellenic Coast Guard's protection officer on Lesvos
screens two people rescued at sea. A Pakistani woman who asks to go home consents to a
referral and is referred to a shelter in Pakistan, where the FIA's protection officer and
supervisor (and nobody else) see it, and the FIA answers that she is in its care; an Afghan
boy seeking asylum is referred to a shelter on the island, his data kept from any node of
Afghanistan. Every person here is invented."""

from __future__ import annotations

from typing import Any

from corridor.demo.seeding import DemoApi, DemoNodes

SCREENING = "gr-hcg"
PARTNER = "pk-fia"

ZAINAB: dict[str, Any] = {
    "name": "Zainab Bibi (fictional)",
    "birth_year": 2001,
    "sex": "female",
    "nationality": "PK",
    "languages": ["Urdu", "Punjabi"],
    "interpreter_language": "Urdu",
}
ZAINAB_SCREENING: dict[str, Any] = {
    "answers": {
        "life_endangered": "yes",
        "deaths_witnessed": "yes",
        "extortion": "declined",
        "debt_bondage": "yes",
        "distress": "yes",
        "family_support": "yes",
        "no_documents": "no",
    },
    "language": "Urdu",
    "interpreter_language": "Urdu",
    "location": "Mytilene, Lesvos",
    "route": "Eastern Mediterranean Route",
    "notes": "Rescued with 41 others; her brother is missing. Wants to go home.",
}
HAMID: dict[str, Any] = {
    "name": "Hamid (fictional)",
    "birth_year": 2010,
    "sex": "male",
    "nationality": "AF",
    "languages": ["Dari"],
    "interpreter_language": "Dari",
    "child": True,
    "unaccompanied": True,
    "never_share_with_origin": True,
}


def seed_protection(nodes: DemoNodes) -> None:
    if not {SCREENING, PARTNER} <= set(nodes.present):
        return
    api = nodes.api(SCREENING, "protection.officer")
    try:
        zainab = _screened(
            api,
            ZAINAB,
            ZAINAB_SCREENING,
            "Explained in Urdu through the interpreter; she asked to go home.",
        )
        referral = api.call(
            "POST",
            "/api/v1/protection/referrals",
            json={
                "to": [nodes.node_ids[PARTNER]],
                "service": "shelter",
                "person_id": zainab,
                "needs": [
                    "safe accommodation on arrival in Islamabad",
                    "an Urdu-speaking counsellor: she lost her brother at sea",
                    "help to contact her family in Gujrat",
                ],
                "note": "Returning with IOM assisted voluntary return.",
            },
        )
        hamid = _screened(
            api,
            HAMID,
            {
                "answers": {"abandoned": "yes", "family_separated": "yes", "skills": "yes"},
                "age_assessment_note": "About 15 by the paediatrician's assessment.",
                "best_interests_referral": True,
            },
            "Explained in Dari through the interpreter; a guardian is requested.",
        )
        api.call(
            "POST",
            "/api/v1/protection/referrals",
            json={
                "service": "child_protection",
                "person_id": hamid,
                "needs": ["a guardian", "a place in the island's shelter for minors"],
            },
        )
    finally:
        api.close()
    _answered(nodes, referral["id"])


def _screened(api: DemoApi, person: dict[str, Any], screening: dict[str, Any], note: str) -> str:
    pid = str(api.call("POST", "/api/v1/protection/people", json=person)["id"])
    api.call("POST", f"/api/v1/protection/people/{pid}/screenings", json=screening)
    api.call(
        "POST",
        f"/api/v1/protection/people/{pid}/consents",
        json={"given": True, "purposes": ["referral"], "method": "written", "note": note},
    )
    return pid


def _answered(nodes: DemoNodes, referral: str) -> None:
    """The FIA's protection officer answers once the referral has arrived."""
    api = nodes.api(PARTNER, "protection.officer")
    try:
        api.wait_for(f"/api/v1/protection/referrals/{referral}")
        api.call(
            "POST",
            f"/api/v1/protection/referrals/{referral}/status",
            json={"status": "accepted", "note": "A place at the Islamabad shelter is ready."},
        )
    finally:
        api.close()
