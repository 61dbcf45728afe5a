"""Peering through the API, the UI and the CLI."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from corridor.cli.main import app
from tests.federation.conftest import card_text
from tests.web.conftest import csrf_from, web_login


def test_card_is_public_and_verifiable(client, node) -> None:  # type: ignore[no-untyped-def]
    card = client.get("/federation/v1/card").json()
    assert card["origin"] == node.id and card["body"]["fingerprint"] == node.fingerprint


def test_peers_api(client, token_for, other_node) -> None:  # type: ignore[no-untyped-def]
    h = token_for("administrator", ("read", "write", "admin"))
    card = json.loads(card_text(other_node))
    r = client.post("/api/v1/peers", headers=h, json={"card": card})
    assert r.status_code == 201 and r.json()["state"] == "pending"
    r = client.post(f"/api/v1/peers/{other_node.id}/state", headers=h, json={"state": "approved"})
    assert r.json()["state"] == "approved"
    listed = client.get("/api/v1/peers", headers=h).json()["items"]
    assert [p["node_id"] for p in listed] == [other_node.id]
    forged = {**card, "body": {**card["body"], "name": "Forged"}}
    r = client.post("/api/v1/peers", headers=h, json={"card": forged})
    assert r.status_code == 409
    assert client.post("/api/v1/peers", headers=h, json={"card": "x"}).status_code == 422
    viewer = token_for("viewer", ("read", "write", "admin"))
    assert client.post("/api/v1/peers", headers=viewer, json={"card": card}).status_code == 403


def test_peers_page(client, make_user, other_node) -> None:  # type: ignore[no-untyped-def]
    make_user("administrator", email="a@test.example")
    web_login(client, "a@test.example")
    page = client.get("/admin/peers")
    assert page.status_code == 200 and node_card_marker(page.text)
    token = csrf_from(page.text)
    r = client.post("/admin/peers", data={"csrf_token": token, "card": "garbage"})
    assert r.status_code == 422 and "not JSON" in r.text
    r = client.post(
        "/admin/peers",
        files={"card_file": ("card.json", card_text(other_node))},
        data={"csrf_token": token},
    )
    assert r.status_code == 200 and other_node.fingerprint in r.text
    r = client.post(f"/admin/peers/{other_node.id}/approve", data={"csrf_token": token})
    assert r.status_code == 200 and "Peer approved" in r.text


def test_peer_cli(tmp_path, other_node) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    d = str(tmp_path / "n")
    assert (
        runner.invoke(
            app, ["init", "--data-dir", d, "--name", "HCG", "--org", "HCG", "--country", "GR"]
        ).exit_code
        == 0
    )
    out = runner.invoke(app, ["node", "card", "--data-dir", d])
    assert out.exit_code == 0 and json.loads(out.stdout)["type"] == "node.card"
    card = tmp_path / "tr.card.json"
    card.write_text(card_text(other_node))
    r = runner.invoke(app, ["peer", "add", str(card), "--data-dir", d], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "pending" in r.output and "peer approve" in r.output
    assert runner.invoke(app, ["peer", "approve", other_node.id, "--data-dir", d]).exit_code == 0
    rows = [
        json.loads(line)
        for line in runner.invoke(
            app, ["peer", "list", "--json", "--data-dir", d]
        ).stdout.splitlines()
    ]
    assert rows[0]["state"] == "approved" and rows[0]["country"] == "TR"
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    r = runner.invoke(app, ["peer", "add", str(bad), "--data-dir", d])
    assert r.exit_code == 2
    r = runner.invoke(app, ["peer", "add", "--url", "http://127.0.0.1:9", "--data-dir", d])
    assert r.exit_code == 2 and "--fingerprint" in r.output


def node_card_marker(html: str) -> bool:
    return "Download the card" in html and '"type": "node.card"' in html.replace("&#34;", '"')


def test_peer_status_page_shows_delivery(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation import delivery
    from tests.federation.conftest import note

    a, b, to_a, to_b = pair
    note(a, [b.id], "one")
    note(a, [b.id], "two")
    delivery.push_to(a, b.id, http=to_b)
    note(a, [b.id], "three")
    make_user("administrator", email="adm@test.example")
    web_login(to_a, "adm@test.example")
    listing = to_a.get("/admin/peers").text
    assert f'href="/admin/peers/{b.id}"' in listing
    detail = to_a.get(f"/admin/peers/{b.id}").text
    assert detail.count("delivered") >= 2 and "pending" in detail and "test.fed" in detail


def test_groups_api(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    from corridor.security import service as security
    from corridor.security.principal import SYSTEM

    a, b, to_a, _ = pair
    make_user("administrator", email="g@test.example")
    with a.db.transaction() as session:
        secret, _ = security.create_token(
            session,
            actor=SYSTEM,
            user=security.find_user(session, "g@test.example"),
            scopes=["read", "write", "admin"],
        )
    h = {"Authorization": f"Bearer {secret}"}
    r = to_a.post(
        "/api/v1/groups", headers=h, json={"name": "Eastern Mediterranean route", "members": [b.id]}
    )
    assert r.status_code == 201 and r.json()["members"] == sorted([a.id, b.id])
    gid = r.json()["id"]
    assert [g["id"] for g in to_a.get("/api/v1/groups", headers=h).json()["items"]] == [gid]
    r = to_a.put(f"/api/v1/groups/{gid}/members", headers=h, json={"members": []})
    assert r.status_code == 200 and r.json()["members"] == [a.id] and r.json()["version"] == 2
    assert (
        to_a.post(
            "/api/v1/groups", headers=h, json={"name": "x", "members": ["not-a-node"]}
        ).status_code
        == 422
    )
    assert (
        to_a.post(
            "/api/v1/groups", headers=h, json={"name": "x", "members": ["z" * 26]}
        ).status_code
        == 422
    )  # not a peer
    make_user("liaison_officer", email="lo2@test.example")
    with a.db.transaction() as session:
        vs, _ = security.create_token(
            session,
            actor=SYSTEM,
            user=security.find_user(session, "lo2@test.example"),
            scopes=["read", "write", "admin"],
        )
    assert (
        to_a.post(
            "/api/v1/groups",
            headers={"Authorization": f"Bearer {vs}"},
            json={"name": "y", "members": [b.id]},
        ).status_code
        == 403
    )


def test_groups_page(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    _a, b, to_a, _ = pair
    make_user("administrator", email="gp@test.example")
    web_login(to_a, "gp@test.example")
    token = csrf_from(to_a.get("/admin/peers").text)
    r = to_a.post(
        "/admin/peers/groups", data={"csrf_token": token, "name": "Aegean", "members": [b.id]}
    )
    assert r.status_code == 200 and "Sharing group created" in r.text and "Aegean" in r.text
    bad = to_a.post(
        "/admin/peers/groups", data={"csrf_token": token, "name": "Forged", "members": ["z" * 26]}
    )
    assert bad.status_code == 422 and "peer with them first" in bad.text
    gid = re.search(r'action="/admin/peers/groups/([0-9a-f-]{36})/members"', r.text).group(1)  # type: ignore[union-attr]
    r = to_a.post(f"/admin/peers/groups/{gid}/members", data={"csrf_token": token})
    assert "Members saved" in r.text
    compose = to_a.get("/messages/new").text
    assert "Group: Aegean" in compose
