"""A partner's share as the reading tests need it: node A ("Test node", Pakistan) shares two
people, a call and a payment between them with node B ("Jandarma Van", Türkiye)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.node.service import Node
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from tests.conftest import PASSWORD
from tests.entities.test_api import CASE, bearer
from tests.entities.test_pages import login


def add(
    client: TestClient, headers: dict[str, str], case_id: str, schema: str, **props: Any
) -> str:
    r = client.post(
        f"/api/v1/cases/{case_id}/entities",
        headers=headers,
        json={"schema": schema, "properties": props},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def share_call_and_payment(a: Node, b: Node, to_a: TestClient, to_b: TestClient) -> dict[str, str]:
    """A's case with Tariq Mehmood (Pakistani, born 1984-03-02, passport AB1234567), Khalid
    Al-Omari (Saudi), a call and a payment between them, all shared with B. The ids on A."""
    ha, _ = bearer(a, "investigator", "inv@a.example")
    cid = to_a.post("/api/v1/cases", headers=ha, json=CASE).json()["id"]
    ids = {
        "tariq": add(
            to_a,
            ha,
            cid,
            "Person",
            name=["Tariq Mehmood"],
            nationality=["PK"],
            birthDate=["1984-03-02"],
            passportNumber=["AB1234567"],
        ),
        "khalid": add(to_a, ha, cid, "Person", name=["Khalid Al-Omari"], nationality=["sa"]),
    }
    ids["call"] = add(
        to_a, ha, cid, "Call", caller=[ids["tariq"]], receiver=[ids["khalid"]], date=["2026-05-03"]
    )
    ids["payment"] = add(
        to_a,
        ha,
        cid,
        "Payment",
        payer=[ids["tariq"]],
        beneficiary=[ids["khalid"]],
        amount=["7500000"],
        currency=["PKR"],
    )
    r = to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={"entities": list(ids.values()), "to": [b.id], "title": "Hawala network"},
    )
    assert r.status_code == 201, r.text
    delivery.push_to(a, b.id, http=to_b)
    return ids


def login_at(
    node: Node, role: str = "investigator", email: str | None = None
) -> tuple[TestClient, str]:
    """A user of `node` logged in to its pages (the `login` of the page tests, on any node)."""

    def make_user(role: str) -> Any:
        with node.db.transaction() as s:
            user = security.create_user(
                s,
                actor=SYSTEM,
                email=email or f"{role}@{node.id}.example",
                role=role,
                password=PASSWORD,
            )
            return security.principal_for(user, kind="session")

    return login(node, make_user, role)
