"""/api/v1/indicators: who may read and import, and what bad input is told."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corridor import clock
from corridor.node.service import Node
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.security.roles import TOKEN_MAX_DAYS
from tests.conftest import PASSWORD

FRONTEX = (
    "route,border_type,nationality_iso3,month,detections\n"
    "Central Mediterranean Route,sea,BGD,2023-01,41\n"
    "Central Mediterranean Route,sea,BGD,2023-02,7\n"
    "Central Mediterranean Route,sea,XYZ,2023-02,7\n"
)


def login_headers(
    node: Node, client: TestClient, role: str, scopes: tuple[str, ...] = ("read",)
) -> dict[str, str]:
    """Bearer headers of a token of a new user of `role`."""
    with node.db.transaction() as session:
        user = security.create_user(
            session,
            actor=SYSTEM,
            email=f"{role}-{uuid.uuid4().hex[:8]}@test.example",
            role=role,  # type: ignore[arg-type]
            password=PASSWORD,
        )
        secret, _ = security.create_token(
            session,
            actor=SYSTEM,
            user=user,
            scopes=list(scopes),
            expires_at=clock.now() + timedelta(days=TOKEN_MAX_DAYS),
        )
    return {"Authorization": f"Bearer {secret}"}


def _upload(client: TestClient, headers: dict[str, str], text: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/indicators/imports",
        headers=headers,
        files={"file": ("detections.csv", text.encode(), "text/csv")},
        data=form,
    )


def test_an_analyst_imports_and_every_risk_role_reads(node: Node, client: TestClient) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    r = _upload(client, analyst, FRONTEX, source="frontex-ibc")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rows_stored"] == 2 and body["rows_refused"] == 1
    assert body["errors"][0]["row"] == 4 and body["errors"][0]["column"] == "nationality_iso3"
    assert "XYZ" in body["errors"][0]["error"]
    for role in ("analyst", "investigator", "viewer"):
        r = client.get(
            "/api/v1/indicators/series",
            params={"indicator": "illegal_border_crossings", "period": "month"},
            headers=login_headers(node, client, role),
        )
        assert r.status_code == 200, (role, r.text)
        assert r.json()["items"] == [
            {"period": "2023-01", "value": 41},
            {"period": "2023-02", "value": 7},
        ]
    r = client.get("/api/v1/indicators/imports", headers=analyst)
    assert r.json()["items"][0]["rows_stored"] == 2
    r = client.get("/api/v1/indicators/datasets", headers=analyst)
    (dataset,) = r.json()["items"]
    assert dataset["id"] == "frontex-ibc" and dataset["rows"] == 2


@pytest.mark.parametrize("role", ["liaison_officer", "protection_officer", "administrator"])
def test_roles_without_risk_analysis_read_nothing(
    node: Node, client: TestClient, role: str
) -> None:
    headers = login_headers(
        node,
        client,
        role,
        ("read", "write", "admin") if role == "administrator" else ("read", "write"),
    )
    r = client.get(
        "/api/v1/indicators/series",
        params={"indicator": "illegal_border_crossings"},
        headers=headers,
    )
    assert r.status_code == 403
    assert _upload(client, headers, FRONTEX, source="frontex-ibc").status_code == 403


def test_import_needs_an_analyst_with_a_write_token(node: Node, client: TestClient) -> None:
    assert (
        _upload(
            client, login_headers(node, client, "analyst"), FRONTEX, source="frontex-ibc"
        ).status_code
        == 403
    )
    investigator = login_headers(node, client, "investigator", ("read", "write"))
    assert _upload(client, investigator, FRONTEX, source="frontex-ibc").status_code == 403
    assert client.get("/api/v1/indicators/datasets").status_code == 401


def test_bad_input_names_the_field(node: Node, client: TestClient) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    r = _upload(client, analyst, FRONTEX, source="frontex")
    assert r.status_code == 422 and r.json()["field"] == "source"
    r = _upload(client, analyst, "a,b\n1,2\n", source="frontex-ibc")
    assert r.status_code == 422 and "route" in r.json()["detail"]
    r = _upload(client, analyst, FRONTEX, source="csv", mapping="{not json")
    assert r.status_code == 422 and r.json()["field"] == "mapping"
    r = _upload(client, analyst, FRONTEX, source="csv", mapping="[1, 2]")
    assert r.status_code == 422 and r.json()["field"] == "mapping"
    r = _upload(client, analyst, FRONTEX, source="csv", mapping=json.dumps({"value": "count"}))
    assert r.status_code == 422 and "count" in r.json()["detail"]
    assert _upload(client, analyst, FRONTEX, source="frontex-ibc").status_code == 201
    base = {"indicator": "illegal_border_crossings"}
    for params, field in (
        ({"indicator": "!!"}, "indicator"),
        ({**base, "nationality": "Atlantis"}, "nationality"),
        ({**base, "period": "fortnight"}, "period"),
        ({**base, "dataset": "nope"}, "dataset"),
    ):
        r = client.get("/api/v1/indicators/series", params=params, headers=analyst)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["field"] == field
    r = client.get("/api/v1/indicators/series", params={"indicator": "returns"}, headers=analyst)
    assert r.status_code == 404 and "import" in r.json()["detail"]
    r = client.get("/api/v1/indicators/anomalies", params=base, headers=analyst)
    assert r.status_code == 422 and "two years" in r.json()["detail"]
    r = client.get("/api/v1/indicators/forecast", params={**base, "horizon": 99}, headers=analyst)
    assert r.status_code == 422


def test_a_mapped_table_of_national_figures(node: Node, client: TestClient, tmp_path: Path) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    table = (
        "Month,Crossing point,Citizenship,Refused\n"
        "2024-01,Torkham,Afghanistan,120\n"
        "2024-01,Chaman,AFG,80\n"
        "2024-02,Torkham,Narnia,95\n"
        "2024-02,Torkham,IRN,\n"
        "2024-13,Torkham,IRN,3\n"
    )
    mapping = {
        "indicator": "refusals_of_entry",
        "period": "Month",
        "value": "Refused",
        "crossing_point": "Crossing point",
        "nationality": "Citizenship",
        "country": {"value": "PAK"},
    }
    r = _upload(
        client, analyst, table, source="csv", mapping=json.dumps(mapping), dataset="fia-refusals"
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["dataset"] == "fia-refusals"
    assert body["rows_stored"] == 3 and body["rows_refused"] == 2
    errors = {(e["row"], e["column"], e.get("kept", False)) for e in body["errors"]}
    assert errors == {(4, "Citizenship", True), (5, "Refused", False), (6, "Month", False)}
    r = client.get(
        "/api/v1/indicators/series",
        params={"indicator": "refusals_of_entry", "country": "PK", "nationality": "AF"},
        headers=analyst,
    )
    # Every month the dataset covers, those without a figure as zero.
    assert r.json()["items"] == [
        {"period": "2024-01", "value": 200},
        {"period": "2024-02", "value": 0},
    ]
    # The same table again: nothing added.
    r = _upload(
        client, analyst, table, source="csv", mapping=json.dumps(mapping), dataset="fia-refusals"
    )
    r = client.get(
        "/api/v1/indicators/series",
        params={"indicator": "refusals_of_entry", "period": "year"},
        headers=analyst,
    )
    assert r.json()["items"] == [{"period": "2024", "value": 295}]
