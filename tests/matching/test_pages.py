"""Hit/no-hit in the web UI: an investigator at B checks a phone and a name, sees which
partner holds a match, opens the request for assistance filled in with the handle; a list
runs as a job with progress; A's people see the hits on their data; a case owner switches the
index and the automatic checks on the case page."""

from __future__ import annotations

import re
import uuid
from urllib.parse import unquote_plus

import pytest
from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.matching import runs
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.web.app import create_app
from tests.conftest import PASSWORD
from tests.matching.test_check import PHONE


def login_at(
    node, email: str, role: str = "investigator", new: bool = True
) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    if new:
        with node.db.transaction() as s:
            security.create_user(s, actor=SYSTEM, email=email, role=role, password=PASSWORD)
    c = TestClient(create_app(node), base_url="http://127.0.0.1:8080")
    r = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    data = {
        "email": email,
        "password": PASSWORD,
        **({"csrf_token": token.group(1)} if token else {}),
    }
    assert c.post("/login", data=data, follow_redirects=False).status_code == 303
    page = c.get("/matching")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf, page.text[:500]
    return c, csrf.group(1)


@pytest.fixture
def at_b(b_calls_a):  # type: ignore[no-untyped-def]
    c, csrf = login_at(b_calls_a["b"], "officer@b.example")
    return b_calls_a, c, csrf


def test_check_one_and_send_the_request(at_b) -> None:  # type: ignore[no-untyped-def]
    held, c, csrf = at_b
    r = c.post(
        "/matching",
        data={"csrf_token": csrf, "type": "phone", "value": "0300 1234567", "country": "PK"},
    )
    assert r.status_code == 200, r.text
    assert "1 partner holds a match." in r.text and "Test node" in r.text
    link = re.search(r'href="(/requests/new\?[^"]+)"', r.text)
    assert link
    form = c.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    handle = re.search(
        r"handle ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})",
        unquote_plus(link.group(1).replace("&amp;", "&")),
    )
    assert handle and handle.group(1) in form.text
    # The holder's box is checked, the purpose is enforcement.
    assert re.search(rf'value="{held["a"].id}"[^>]*checked', form.text)
    assert re.search(r'value="enforcement"[^>]*selected', form.text)
    # A typo says what is wrong beside what was typed.
    r = c.post("/matching", data={"csrf_token": csrf, "type": "email", "value": "nobody"})
    assert r.status_code == 422 and "not a valid email" in r.text and 'value="nobody"' in r.text


def test_a_list_runs_with_progress(at_b) -> None:  # type: ignore[no-untyped-def]
    held, c, csrf = at_b
    lines = f"phone, {PHONE}\nname, طارق محمود, 1984\nimo, 9074729\nphone, +923009999999"
    r = c.post("/matching/runs", data={"csrf_token": csrf, "lines": lines})
    assert r.status_code == 200 and "/matching/runs/" in str(r.url), r.text
    run_id = str(r.url).rsplit("/", 1)[1]
    assert 'hx-trigger="every 1s"' in r.text  # queued: the page polls
    runs.run_chunks(held["b"], uuid.UUID(run_id))
    page = c.get(f"/matching/runs/{run_id}")
    assert "4 of 4 selectors checked" in page.text and "3 hits" in page.text
    assert 'hx-trigger="every 1s"' not in page.text
    r = c.post("/matching/runs", data={"csrf_token": csrf, "lines": "phone, 12, 1984x"})
    assert r.status_code == 422 and "line 1" in r.text


def test_the_holder_sees_the_hits_and_owners_switch_the_case(at_b) -> None:  # type: ignore[no-untyped-def]
    held, c, csrf = at_b
    c.post("/matching", data={"csrf_token": csrf, "type": "phone", "value": PHONE})
    delivery.push_to(held["b"], held["a"].id, http=held["to_a"])
    a_page, _a_csrf = login_at(held["a"], "viewer-inv@a.example")
    r = a_page.get("/matching/hits")
    assert r.status_code == 200
    assert "Jandarma Van" in r.text and "Tariq Mehmood" in r.text  # who asked, our entity
    case_id = held["case"]["id"]
    assert a_page.get(f"/matching/cases/{case_id}/switches").status_code == 404  # not a member
    # The case's owner sees both switches on the case page, takes the case out of the index
    # and has its new entities checked.
    owner, o_csrf = login_at(held["a"], "inv@a.example", new=False)
    assert f'hx-get="/matching/cases/{case_id}/switches"' in owner.get(f"/cases/{case_id}").text
    frag = owner.get(f"/matching/cases/{case_id}/switches")
    assert "Take out of the index" in frag.text and "Check new entities automatically" in frag.text
    r = owner.post(f"/matching/cases/{case_id}/index", data={"csrf_token": o_csrf, "on": "0"})
    assert "leave the network" in r.text
    r = owner.post(f"/matching/cases/{case_id}/watch", data={"csrf_token": o_csrf, "on": "1"})
    assert "will be checked across the network" in r.text
    frag = owner.get(f"/matching/cases/{case_id}/switches")
    assert "Put into the index" in frag.text and "Stop checking new entities" in frag.text


def test_a_list_from_a_file(at_b) -> None:  # type: ignore[no-untyped-def]
    _, c, csrf = at_b
    csv = f"phone,{PHONE}\nimo,9074729\n".encode()
    r = c.post(
        "/matching/runs",
        data={"csrf_token": csrf},
        files={"file": ("suspects.csv", csv, "text/csv")},
    )
    assert r.status_code == 200 and "/matching/runs/" in str(r.url), r.text
    assert "suspects.csv" in r.text and "0 of 2 selectors checked" in r.text
    r = c.post(
        "/matching/runs",
        data={"csrf_token": csrf},
        files={"file": ("bad.csv", b"\xff\xfe\x00", "text/csv")},
    )
    assert r.status_code == 422 and "not UTF-8" in r.text
