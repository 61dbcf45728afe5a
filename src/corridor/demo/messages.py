"""Demo messages: a few realistic, fictional threads between the first agencies, sent through
the real API of the running nodes so that they travel, and receipts flow back, as in daily use."""

from __future__ import annotations

import base64
from typing import Any

from corridor.demo.seeding import DemoApi, DemoNodes

THREADS = ("pk-fia", "tr-jandarma", "gr-hcg")  # the agencies that write to each other


def seed_messages(nodes: DemoNodes) -> None:
    if not set(THREADS) <= set(nodes.present):
        return
    with nodes.apis(lambda _: "liaison.officer", THREADS) as apis:
        _threads(apis, nodes.node_ids)


def _post(api: DemoApi, payload: dict[str, Any]) -> str:
    return str(api.call("POST", "/api/v1/messages", json=payload)["id"])


def _threads(apis: dict[str, DemoApi], node_ids: dict[str, str]) -> None:
    pk, tr, gr = node_ids["pk-fia"], node_ids["tr-jandarma"], node_ids["gr-hcg"]
    first = _post(
        apis["pk-fia"],
        {
            "to": [tr, gr],
            "subject": "Facilitator network moving Pakistani nationals via Van",
            "body": "Our investigation into a network recruiting in Gujrat and Mandi Bahauddin "
            "indicates groups of 10-15 people crossing from Iran into Van province every week, "
            "charging PKR 2.5 million each for the route to Greece. Two WhatsApp numbers used "
            "by the coordinator are under analysis. Do you hold information on arrivals in Van "
            "or Edirne matching this pattern? (fictional demo data)",
            "tlp": "AMBER",
            "handling": "H2",
            "evaluation": {"source": "B", "information": 2},
        },
    )
    apis["tr-jandarma"].wait_for(f"/api/v1/messages/{first}")
    _post(
        apis["tr-jandarma"],
        {
            "to": [pk],
            "subject": "Re: Facilitator network moving Pakistani nationals via Van",
            "body": "Two facilitators detained near Muradiye last week held phones with contacts "
            "in Gujrat. We can share extracts through a request for assistance. "
            "(fictional demo data)",
            "in_reply_to": first,
            # An answer keeps what it answers: AMBER, no dissemination without permission.
            "tlp": "AMBER",
            "handling": "H2",
        },
    )
    warning = _post(
        apis["gr-hcg"],
        {
            "to": [tr, pk],
            "subject": "Boat departures expected from the Çeşme coast",
            "body": "Aerial surveillance saw inflatable boats being prepared north of Çeşme. "
            "Weather favourable for the next 48 hours. (fictional demo data)",
            "tlp": "GREEN",
            "handling": "H0",
            "evaluation": {"source": "A", "information": 2},
        },
    )
    apis["tr-jandarma"].wait_for(f"/api/v1/messages/{warning}")
    _post(
        apis["tr-jandarma"],
        {
            "to": [gr],
            "subject": "Re: Boat departures expected from the Çeşme coast",
            "body": "Patrols reinforced on our side; we will report interceptions. "
            "(fictional demo data)",
            "in_reply_to": warning,
            "tlp": "GREEN",
        },
    )
    _post(
        apis["tr-jandarma"],
        {
            "to": [gr],
            "subject": "Fraudulent Greek residence permits detected at Istanbul airport",
            "body": "Six counterfeit permits with the same laminate defect seen this month; "
            "description attached. (fictional demo data)",
            "tlp": "AMBER",
            "handling": "H2",
            "attachments": [
                {
                    "name": "permit-defects.txt",
                    "content_type": "text/plain",
                    "data": base64.b64encode(
                        b"Laminate lifts at the upper edge; OVD missing on the photo; "
                        b"serial numbers in one sequence (fictional demo data)"
                    ).decode(),
                }
            ],
        },
    )
