"""People by name on the case pages: "Opened by", the members, the case work's authors; the
person picker that adds a member (owners only, active people of this node, at most ten,
audited, escaped) and the typed fallback without JavaScript; the audit log."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from corridor.audit.models import AuditEntry
from corridor.entities.cases import service as cases
from corridor.node.service import Node
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from corridor.web.app import create_app
from tests.web.conftest import csrf_from, web_login

EVIL = '<img src=x onerror="alert(1)">Mallory'


def signed_in(
    node: Node,
    make_user: Any,
    name: str,
    role: str = "investigator",
) -> tuple[TestClient, str, str]:
    email = re.sub(r"\W", "", name.lower())[:20] + "@police.example"
    p = make_user(role, email=email, display_name=name)
    c = TestClient(create_app(node), base_url="http://127.0.0.1:8080")
    assert web_login(c, email).status_code == 303
    return c, csrf_from(c.get("/cases").text), p.handle


def _case(c: TestClient, csrf: str) -> str:
    r = c.post(
        "/cases",
        data={"csrf_token": csrf, "reference": "NAMES-1", "title": "T", "purpose": "enforcement"},
    )
    assert r.status_code == 200
    return str(r.url.path)


def test_case_page_names_people_and_the_picker_adds_them(node: Node, make_user) -> None:  # type: ignore[no-untyped-def]
    owner, csrf, owner_handle = signed_in(node, make_user, "Elena Petrova")
    case = _case(owner, csrf)
    amira = make_user("analyst", email="amira@police.example", display_name="Amira Haddad").handle
    make_user("analyst", email="evil@police.example", display_name=EVIL)
    page = owner.get(case).text
    assert "Elena Petrova" in page and owner_handle not in page  # opened by, the member
    assert 'hx-get="/cases/' in page and 'name="person"' in page

    r = owner.get(f"{case}/people", params={"person": "amir"})
    assert r.status_code == 200
    assert f'value="user:{amira}"' in r.text and "Amira Haddad" in r.text and "Analyst" in r.text
    r = owner.get(f"{case}/people", params={"person": "mallory"})
    assert "<img" not in r.text and "&lt;img" in r.text
    with node.db.reading() as s:
        searched = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.people.search")
        ).all()
    assert len(searched) == 2 and searched[0].actor == owner_handle
    assert searched[0].detail == {"count": 1}  # how many, never what was typed

    r = owner.post(
        f"{case}/members",
        data={"csrf_token": csrf, "handle": f"user:{amira}", "person": "amir", "role": "reader"},
    )
    assert r.status_code == 200 and "Member added." in r.text
    members = r.text.split("<h2>Members</h2>")[1].split("</ul>")[0]
    assert "Amira Haddad" in members and amira not in members and "user:" not in members

    # Without JavaScript: an e-mail typed exactly; nobody found is said, nothing added.
    bashir = make_user(
        "investigator", email="bashir@police.example", display_name="Bashir Rahimi"
    ).handle
    r = owner.post(f"{case}/members", data={"csrf_token": csrf, "person": "bashir@police.example"})
    assert "Member added." in r.text and "Bashir Rahimi" in r.text
    r = owner.post(f"{case}/members", data={"csrf_token": csrf, "person": "Nobody Known"})
    assert "Nobody active on this node is named" in r.text
    # The earlier contract: a kind and a bare handle.
    with node.db.transaction() as s:
        unit = security.create_unit(s, actor=SYSTEM, name="Maritime desk").handle
    r = owner.post(f"{case}/members", data={"csrf_token": csrf, "kind": "unit", "handle": unit})
    assert "Member added." in r.text and "Maritime desk" in r.text

    # Only an owner may look people up; someone outside the case does not learn it exists.
    member, _, _ = signed_in(node, make_user, "Reader Person", "analyst")
    with node.db.transaction() as s:
        cases.add_member(
            s,
            actor=SYSTEM,
            case_ref=case.rsplit("/", 1)[1],
            kind="user",
            handle=_handle(node, "readerperson@police.example"),
            role="member",
        )
    assert member.get(f"{case}/people", params={"person": "amir"}).status_code == 403
    stranger, _, _ = signed_in(node, make_user, "Stranger Person")
    assert stranger.get(f"{case}/people", params={"person": "amir"}).status_code == 404
    assert bashir  # added above


def _handle(node: Node, email: str) -> str:
    with node.db.reading() as s:
        return str(security.find_user(s, email).handle)


def test_picker_never_offers_disabled_or_unfit_people(node: Node, make_user) -> None:  # type: ignore[no-untyped-def]
    owner, csrf, _ = signed_in(node, make_user, "Elena Petrova")
    case = _case(owner, csrf)
    gone = make_user("analyst", email="nadia.old@police.example", display_name="Nadia Old").handle
    make_user("protection_officer", email="nadia.p@police.example", display_name="Nadia Protect")
    with node.db.transaction() as s:
        security.update_user(s, actor=SYSTEM, user=security.find_user(s, gone), disabled=True)
    r = owner.get(f"{case}/people", params={"person": "nadia"})
    # Disabled: never listed; a protection officer cannot read an enforcement case.
    assert "Nadia" not in r.text and "Nobody of this node matches" in r.text


def test_case_work_and_audit_log_name_their_people(node: Node, make_user) -> None:  # type: ignore[no-untyped-def]
    owner, csrf, owner_handle = signed_in(node, make_user, "Elena Petrova")
    case = _case(owner, csrf)
    r = owner.post(f"{case}/notes", data={"csrf_token": csrf, "text": "Seen at the port"})
    assert r.status_code == 200
    r = owner.post(
        f"{case}/tasks",
        data={"csrf_token": csrf, "title": "Call the harbour", "owner": owner_handle},
    )
    work = owner.get(f"{case}/_work").text
    assert "Seen at the port" in work and "Call the harbour" in work
    assert "Elena Petrova" in work and owner_handle not in work.split('id="case-assignable"')[0]

    admin, _, _ = signed_in(node, make_user, "Admin Person", "administrator")
    r = admin.get("/admin/audit", params={"actor": owner_handle})
    assert r.status_code == 200
    row = re.search(r"<tr class=\"outcome-ok\">.*?</tr>", r.text, re.S)
    assert row and "Elena Petrova" in row.group(0)
    # The handle stays, as the secondary line accountability needs.
    assert f'<code class="handle muted" title="session">{owner_handle}</code>' in row.group(0)
