"""The demo's protection compartment: the Hellenic Coast Guard's protection officer on Lesvos
screens two people rescued at sea. A Pakistani woman who asks to go home consents to a
referral and is referred to a shelter in Pakistan, where the FIA's protection officer and
supervisor (and nobody else) see it; an Afghan boy seeking asylum is referred to a shelter on
the island, his data kept from any node of Afghanistan. Every person here is invented."""

from __future__ import annotations

from corridor.demo.seeding import DemoNodes

SCREENING = "gr-hcg"
PARTNER = "pk-fia"


def seed_protection(nodes: DemoNodes) -> None:
    if not {SCREENING, PARTNER} <= set(nodes.present):
        return
    api = nodes.api(SCREENING, "protection.officer")
    try:
        api.call(
            "POST",
            "/api/v1/protection/referrals",
            json={
                "to": [nodes.node_ids[PARTNER]],
                "service": "shelter",
                "person": {
                    "name": "Zainab Bibi (fictional)",
                    "birth_year": 2001,
                    "sex": "female",
                    "nationality": "PK",
                    "languages": ["Urdu", "Punjabi"],
                    "interpreter_language": "Urdu",
                },
                "needs": [
                    "safe accommodation on arrival in Islamabad",
                    "an Urdu-speaking counsellor: she lost her brother at sea",
                    "help to contact her family in Gujrat",
                ],
                "consent": {
                    "given": True,
                    "purposes": ["referral"],
                    "method": "written",
                    "note": "Explained in Urdu through the interpreter; she asked to go home.",
                },
                "note": "Rescued off Lesvos; returning with IOM assisted voluntary return.",
            },
        )
        api.call(
            "POST",
            "/api/v1/protection/referrals",
            json={
                "service": "child_protection",
                "person": {
                    "name": "Hamid (fictional)",
                    "birth_year": 2010,
                    "sex": "male",
                    "nationality": "AF",
                    "languages": ["Dari"],
                    "interpreter_language": "Dari",
                    "child": True,
                    "unaccompanied": True,
                    "never_share_with_origin": True,
                },
                "needs": ["a guardian", "a place in the island's shelter for minors"],
                "consent": {"given": True, "purposes": ["referral"]},
            },
        )
    finally:
        api.close()
