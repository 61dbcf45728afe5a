"""The compartment's access log: its supervisors see everything done in it and every attempt
from outside; nobody else reads it."""

from __future__ import annotations

from tests.entities.partners import login_at
from tests.entities.test_api import bearer
from tests.protection.test_referrals import REFERRAL


def test_the_supervisor_sees_every_access_and_every_attempt(client, node) -> None:  # type: ignore[no-untyped-def]
    po = bearer(node, "protection_officer", "po@fia.example")[0]
    sup = bearer(node, "protection_supervisor", "sup@fia.example")[0]
    inv = bearer(node, "investigator", "inv@fia.example")[0]
    made = client.post("/api/v1/protection/referrals", headers=po, json=REFERRAL).json()
    client.get(f"/api/v1/protection/referrals/{made['id']}", headers=po)
    assert client.get("/api/v1/protection/referrals", headers=inv).status_code == 404
    r = client.get("/api/v1/protection/access-log", headers=sup)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    actions = [(i["action"], i["outcome"]) for i in items]
    assert ("protection.person.create", "ok") in actions
    assert ("record.create", "ok") in actions and ("record.read", "ok") in actions
    assert ("protection.referral.list", "denied") in actions
    created = next(i for i in items if i["action"] == "protection.person.create")
    assert created["reference"] == made["reference"]
    # Nothing of the person but the reference; only the supervisor reads the log.
    assert "Amina" not in r.text
    assert client.get("/api/v1/protection/access-log", headers=po).status_code == 403
    assert client.get("/api/v1/protection/access-log", headers=inv).status_code == 404


def test_the_access_log_page(node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login_at(node, "protection_supervisor")
    c.post("/protection/people/new", data={"csrf_token": csrf, "name": "Omid"})
    assert 'href="/protection/access"' in c.get("/protection").text
    page = c.get("/protection/access")
    assert page.status_code == 200
    assert "Recorded a person" in page.text and "Listed the people screened" in page.text
    officer, _ = login_at(node, "protection_officer")
    assert 'href="/protection/access"' not in officer.get("/protection").text
    assert officer.get("/protection/access").status_code == 403
