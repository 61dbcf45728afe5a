"""Case work: notes, files, tasks and the timeline of a case, through the API, the service and
the pages; access, limits and bad input (each refused with a clear error, nothing stored)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.entities.cases import files, notes
from corridor.entities.cases.models import CaseFile, CaseNote, CaseTask
from corridor.errors import InvalidInput, TooLarge
from corridor.security import service as security
from corridor.security.models import User
from tests.entities import test_api
from tests.entities.test_api import CASE, bearer
from tests.entities.test_pages import login

# The investigator who opened the case, and the case (fixtures shared with the entities API).
inv = test_api.inv
case = test_api.case

PDF = b"%PDF-1.4\n% bank statement of a hawala agent\n" + bytes(range(256)) * 40


def add_member(client, owner_headers, cid, handle, role="member", kind="user"):  # type: ignore[no-untyped-def]
    r = client.post(
        f"/api/v1/cases/{cid}/members",
        headers=owner_headers,
        json={"kind": kind, "handle": handle, "role": role},
    )
    assert r.status_code == 201, r.text


def entity(client, headers, cid, schema, **props):  # type: ignore[no-untyped-def]
    r = client.post(
        f"/api/v1/cases/{cid}/entities",
        headers=headers,
        json={"schema": schema, "properties": props},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def rows(node, table) -> list:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return list(s.scalars(select(table)))


def upload(client, headers, cid, name, content, **form):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/cases/{cid}/files",
        headers=headers,
        files={"file": (name, content, "application/pdf")},
        data=form,
    )


# --- notes ------------------------------------------------------------------------------------


def test_notes_by_members_read_by_readers(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    owner, _ = inv
    cid = case["id"]
    member, member_handle = bearer(node, "investigator", "m@fia.example")
    reader, reader_handle = bearer(node, "analyst", "r@fia.example")
    outsider, _ = bearer(node, "investigator", "o@fia.example")
    add_member(client, owner, cid, member_handle)
    add_member(client, owner, cid, reader_handle, role="reader")

    first = client.post(
        f"/api/v1/cases/{cid}/notes",
        headers=member,
        json={"text": "  Broker met the boat captain in Gwadar.  "},
    )
    assert first.status_code == 201, first.text
    assert first.json()["text"] == "Broker met the boat captain in Gwadar."
    assert first.json()["tlp"] == "AMBER"  # the case's
    second = client.post(
        f"/api/v1/cases/{CASE['reference']}/notes",
        headers=owner,
        json={"text": "Hawala transfer confirmed by the FIU.", "tlp": "RED"},
    )
    assert second.status_code == 201
    listed = client.get(f"/api/v1/cases/{cid}/notes", headers=reader).json()["items"]
    assert [n["id"] for n in listed] == [second.json()["id"], first.json()["id"]]

    # A reader reads but does not write; an outsider sees no case at all.
    assert (
        client.post(f"/api/v1/cases/{cid}/notes", headers=reader, json={"text": "x"}).status_code
        == 403
    )
    assert client.get(f"/api/v1/cases/{cid}/notes", headers=outsider).status_code == 404
    assert (
        client.post(f"/api/v1/cases/{cid}/notes", headers=outsider, json={"text": "x"}).status_code
        == 404
    )

    # Deleted by its author or an owner, not by another member.
    assert (
        client.delete(
            f"/api/v1/cases/{cid}/notes/{second.json()['id']}", headers=member
        ).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/cases/{cid}/notes/{first.json()['id']}", headers=owner).status_code
        == 204
    )
    assert (
        client.delete(f"/api/v1/cases/{cid}/notes/{first.json()['id']}", headers=owner).status_code
        == 404
    )
    assert [n.id.hex for n in rows(node, CaseNote)] == [second.json()["id"].replace("-", "")]


def test_bad_notes_are_refused(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    for payload, message in [
        ({"text": "   "}, "cannot be empty"),
        ({"text": "x" * (notes.MAX_NOTE_CHARS + 1)}, "at most 20,000 characters"),
        ({"text": "ok", "tlp": "GREEN"}, "an item of a AMBER case cannot be GREEN"),
    ]:
        r = client.post(f"/api/v1/cases/{case['id']}/notes", headers=inv[0], json=payload)
        assert r.status_code == 422 and message in r.json()["detail"], r.text
    assert rows(node, CaseNote) == []


# --- files ------------------------------------------------------------------------------------


def test_files_are_content_hashed_and_downloads_audited(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    owner, owner_handle = inv
    cid = case["id"]
    member, member_handle = bearer(node, "investigator", "m@fia.example")
    add_member(client, owner, cid, member_handle)

    r = upload(client, member, cid, "Kontoauszug März 2024.pdf", PDF, tlp="AMBER+STRICT")
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["sha256"] == hashlib.sha256(PDF).hexdigest() and f["size"] == len(PDF)
    assert f["tlp"] == "AMBER+STRICT" and f["content_type"] == "application/pdf"
    assert f["duplicate"] is False
    # The same content again, under another name: the same file.
    again = upload(client, owner, cid, "copy.pdf", PDF)
    assert again.status_code == 200 and again.json()["id"] == f["id"] and again.json()["duplicate"]
    assert [
        x["name"] for x in client.get(f"/api/v1/cases/{cid}/files", headers=owner).json()["items"]
    ] == ["Kontoauszug März 2024.pdf"]

    d = client.get(f"/api/v1/cases/{cid}/files/{f['id']}", headers=owner)
    assert d.status_code == 200 and d.content == PDF
    assert d.headers["content-disposition"] == (
        'attachment; filename="Kontoauszug M_rz 2024.pdf"; '
        "filename*=UTF-8''Kontoauszug%20M%C3%A4rz%202024.pdf"
    )
    assert d.headers["x-content-type-options"] == "nosniff"
    assert d.headers["x-corridor-sha256"] == f["sha256"]
    with node.db.reading() as s:
        reads = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "case.file.read")))
    assert [(a.actor, a.object_id) for a in reads] == [(owner_handle, f["id"])]

    outsider, _ = bearer(node, "investigator", "o@fia.example")
    assert client.get(f"/api/v1/cases/{cid}/files/{f['id']}", headers=outsider).status_code == 404
    other = upload(client, owner, cid, "notes.txt", b"second file").json()
    # Deleted by the uploader or an owner only.
    assert (
        client.delete(f"/api/v1/cases/{cid}/files/{other['id']}", headers=member).status_code == 403
    )
    assert client.delete(f"/api/v1/cases/{cid}/files/{f['id']}", headers=member).status_code == 204
    assert [x.name for x in rows(node, CaseFile)] == ["notes.txt"]


def test_file_names_are_plain(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        actor = security.principal_for(security.find_user(s, inv[1]), kind="session")
    for name in [
        "../../etc/passwd",
        "scans/passport.jpg",
        "C:\\Users\\x.doc",
        ".htaccess",
        "bell\x07.txt",
        "invoice\u202efdp.exe",
        " ",
    ]:
        with pytest.raises(InvalidInput, match="file name"), node.db.transaction() as s:
            files.add_file(s, actor=actor, case_ref=case["id"], name=name, content=b"x")
    assert rows(node, CaseFile) == []
    # Names in any script are plain names too (Persian with a zero-width non-joiner).
    with node.db.transaction() as s:
        row, _ = files.add_file(
            s, actor=actor, case_ref=case["id"], name="گزارش\u200cها.pdf", content=b"x"
        )
        assert row.name == "گزارش\u200cها.pdf" and row.content_type == "application/pdf"


def test_oversized_and_empty_files_are_refused(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    big = b"\0" * (files.MAX_FILE_BYTES + 1)
    with node.db.transaction() as s:
        actor = security.principal_for(security.find_user(s, inv[1]), kind="session")
    with pytest.raises(TooLarge, match="20 MiB"), node.db.transaction() as s:
        files.add_file(s, actor=actor, case_ref=case["id"], name="dump.bin", content=big)
    r = upload(client, inv[0], case["id"], "dump.bin", big)
    assert r.status_code == 413 and "20 MiB" in r.json()["detail"]
    r = upload(client, inv[0], case["id"], "empty.txt", b"")
    assert r.status_code == 422 and "empty" in r.json()["detail"]
    # A name with a path through the API, as a crafted client would send it.
    r = upload(client, inv[0], case["id"], "..\\..\\boot.ini", b"x")
    assert r.status_code == 422 and "without a path" in r.json()["detail"]
    assert rows(node, CaseFile) == []
    # Larger than other request bodies may be, within the file limit: stored.
    scan = b"\xff\xd8" + b"\x01" * (3 * 1024 * 1024)
    r = upload(client, inv[0], case["id"], "scan.jpg", scan)
    assert r.status_code == 201 and r.json()["size"] == len(scan)


# --- tasks ------------------------------------------------------------------------------------


def test_tasks_owners_due_dates_and_order(node, client, inv, case, shift_clock) -> None:  # type: ignore[no-untyped-def]
    owner, owner_handle = inv
    cid = case["id"]
    # A member through a unit may own tasks; a reader or an outsider may not.
    unit_member, unit_handle_user = bearer(node, "analyst", "a@fia.example", unit="AHTC Analysis")
    with node.db.reading() as s:
        unit = security.find_unit(s, "AHTC Analysis")
    add_member(client, owner, cid, unit.handle, kind="unit")
    _, reader_handle = bearer(node, "investigator", "r@fia.example")
    add_member(client, owner, cid, reader_handle, role="reader")
    _, outsider_handle = bearer(node, "investigator", "o@fia.example")
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    in_a_week = clock.iso(clock.now() + timedelta(days=7))

    url = f"/api/v1/cases/{cid}/tasks"
    r = client.post(
        url,
        headers=owner,
        json={
            "title": "Request subscriber data for +92 300",
            "owner": unit_handle_user,
            "due": tomorrow,
        },
    )
    assert r.status_code == 201, r.text
    soon = r.json()
    assert soon["owner"] == unit_handle_user and soon["due"] == f"{tomorrow}T23:59:59Z"
    later = client.post(
        url, headers=unit_member, json={"title": "Trace the boat's AIS track", "due": in_a_week}
    ).json()
    undated = client.post(url, headers=owner, json={"title": "Brief the prosecutor"}).json()

    for bad, message in [
        ({"title": "x", "owner": reader_handle}, "may only read"),
        ({"title": "x", "owner": outsider_handle}, "not a member"),
        ({"title": "x", "owner": "nobody-here"}, "no active user"),
        ({"title": "x", "due": "2020-01-01"}, "in the past"),
        ({"title": "x", "due": "next week"}, "due: a date"),
        ({"title": "  "}, "title"),
    ]:
        r = client.post(url, headers=owner, json=bad)
        assert r.status_code == 422 and message in r.json()["detail"], (bad, r.text)
    assert len(rows(node, CaseTask)) == 3

    # Two days later the first task is overdue and comes first, closed ones last.
    done = client.patch(f"{url}/{undated['id']}", headers=owner, json={"status": "done"}).json()
    assert done["status"] == "done" and done["closed_at"]
    shift_clock(timedelta(days=2))
    listed = client.get(url, headers=owner).json()["items"]
    assert [(t["id"], t["overdue"]) for t in listed] == [
        (soon["id"], True),
        (later["id"], False),
        (undated["id"], False),
    ]
    # Change owner and due date; clear the owner; reopen.
    r = client.patch(
        f"{url}/{soon['id']}", headers=owner, json={"owner": owner_handle, "due": in_a_week}
    )
    assert r.json()["owner"] == owner_handle and r.json()["overdue"] is False
    r = client.patch(f"{url}/{soon['id']}", headers=owner, json={"owner": None})
    assert r.json()["owner"] is None and r.json()["due"] == in_a_week
    r = client.patch(f"{url}/{undated['id']}", headers=owner, json={"status": "open"})
    assert r.json()["status"] == "open" and r.json()["closed_at"] is None
    assert (
        client.patch(f"{url}/{soon['id']}", headers=owner, json={"status": "finished"}).status_code
        == 422
    )
    assert (
        client.patch(f"{url}/{soon['id']}", headers=owner, json={"due": "2020-01-01"}).status_code
        == 422
    )


def test_closed_case_and_readers_refuse_writes(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    owner, _ = inv
    cid = case["id"]
    note = client.post(f"/api/v1/cases/{cid}/notes", headers=owner, json={"text": "n"}).json()
    r = client.post(f"/api/v1/cases/{cid}/status", headers=owner, json={"status": "closed"})
    assert r.status_code == 200
    for r in (
        client.post(f"/api/v1/cases/{cid}/notes", headers=owner, json={"text": "more"}),
        upload(client, owner, cid, "a.txt", b"a"),
        client.post(f"/api/v1/cases/{cid}/tasks", headers=owner, json={"title": "t"}),
        client.delete(f"/api/v1/cases/{cid}/notes/{note['id']}", headers=owner),
    ):
        assert r.status_code == 409 and "closed" in r.json()["detail"]
    assert len(client.get(f"/api/v1/cases/{cid}/notes", headers=owner).json()["items"]) == 1
    assert (rows(node, CaseFile), rows(node, CaseTask)) == ([], [])


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_mixes_case_activity_and_dated_facts(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    owner, _ = inv
    cid = case["id"]
    url = f"/api/v1/cases/{cid}"
    asif = entity(client, owner, cid, "Person", name=["Muhammad Asif Khan"])
    hawaladar = entity(client, owner, cid, "Person", name=["Haji Karim"])
    quetta = entity(client, owner, cid, "Address", full=["Quetta, Balochistan"])
    van = entity(client, owner, cid, "Address", full=["Van, Türkiye"])
    entity(
        client,
        owner,
        cid,
        "Call",
        caller=[asif],
        receiverNumber=["0300 1234567"],
        date=["2024-03-02T21:14:00"],
        duration=["184"],
    )
    entity(
        client,
        owner,
        cid,
        "Payment",
        payer=[asif],
        beneficiary=[hawaladar],
        date=["2024-03-05"],
        amount=["2500000"],
        currency=["PKR"],
    )
    entity(
        client,
        owner,
        cid,
        "Trip",
        name=["Quetta to Van"],
        involved=[asif],
        startLocation=[quetta],
        endLocation=[van],
        startDate=["2024-03-20"],
        endDate=["2024-04-11"],
    )
    entity(client, owner, cid, "Event", name=["Boat departure"], date=["2024-05"])
    client.post(f"{url}/notes", headers=owner, json={"text": "Payment matches the call."})
    upload(client, owner, cid, "statement.pdf", PDF)
    task = client.post(f"{url}/tasks", headers=owner, json={"title": "Freeze account"}).json()
    client.patch(f"{url}/tasks/{task['id']}", headers=owner, json={"status": "done"})

    items = client.get(f"{url}/timeline", headers=owner).json()["items"]
    kinds = [i["kind"] for i in items]
    # Facts of 2024 come before the case's own activity (opened today).
    assert kinds[:4] == ["call", "payment", "trip", "event"]
    assert kinds[4] == "case"
    assert sorted(kinds[5:]) == sorted(["entity"] * 8 + ["note", "file", "task", "task"])
    call, payment, trip = items[0], items[1], items[2]
    # A party known only by a number is named by it (the graph's phone selector).
    assert [(p["id"], p["caption"]) for p in call["participants"]] == [
        (asif, "Muhammad Asif Khan"),
        ("sel:phone:+923001234567", "+92 300 1234567"),
    ]
    assert [p["caption"] for p in payment["participants"]] == ["Muhammad Asif Khan", "Haji Karim"]
    assert payment["details"]["amount"] == "2500000 PKR"
    assert (trip["start"], trip["end"]) == ("2024-03-20", "2024-04-11")
    assert trip["details"] == {"from": "Quetta, Balochistan", "to": "Van, Türkiye"}
    closed = [i for i in items if i["kind"] == "task" and i["action"] == "done"]
    assert len(closed) == 1 and closed[0]["ref"] == task["id"]
    starts = [i["start"] for i in items]
    assert starts[4:] == sorted(starts[4:])

    # Filters: kind (repeated or comma-separated), and a range the trip overlaps.
    r = client.get(f"{url}/timeline?kind=payment,call", headers=owner).json()
    assert [i["kind"] for i in r["items"]] == ["call", "payment"]
    r = client.get(
        f"{url}/timeline?kind=trip&kind=event&from=2024-04-01&to=2024-04-30", headers=owner
    ).json()
    assert [i["kind"] for i in r["items"]] == ["trip"]
    r = client.get(f"{url}/timeline?from=2024-05-15&to=2024-05-20", headers=owner).json()
    assert [i["kind"] for i in r["items"]] == ["event"]  # "2024-05" covers the whole month
    r = client.get(f"{url}/timeline?limit=2", headers=owner).json()
    assert len(r["items"]) == 2 and r["total"] == len(items)
    for bad in ("kind=boat", "from=March", "from=2024-05-01&to=2024-04-01"):
        assert client.get(f"{url}/timeline?{bad}", headers=owner).status_code == 422, bad


def test_an_import_is_one_line_of_the_timeline(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    from corridor.entities import store
    from corridor.entities.ftm import make_entity

    proxies = []
    for n in range(30):
        p = make_entity("Person")
        p.id = f"imp-{n}"
        p.add("name", f"Passenger {n}")
        proxies.append(p)
    with node.db.transaction() as s:
        from corridor.entities.access import find_case

        c = find_case(s, case["id"])
        store.write(
            s,
            proxies=proxies,
            source=store.Source("import", "manifest.xlsx"),
            tlp="AMBER",
            purpose="enforcement",
            case_id=c.id,
        )
    items = client.get(f"/api/v1/cases/{case['id']}/timeline?kind=entity", headers=inv[0]).json()[
        "items"
    ]
    assert [(i["title"], i["details"]) for i in items] == [("30 entities", {"Person": "30"})]


# --- pages ------------------------------------------------------------------------------------


def test_case_work_pages(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post(
        "/cases", data={"csrf_token": csrf, "reference": "FIA-2026-9", "title": "Gwadar departures"}
    )
    case_url = str(r.url.path)

    def post(path: str, data: dict, **kw):  # type: ignore[no-untyped-def]
        r = c.post(
            f"{case_url}{path}", data={"csrf_token": csrf, **data}, follow_redirects=False, **kw
        )
        assert r.status_code == 303 and r.headers["location"] == f"{case_url}#casework", r.text
        return c.get(case_url).text  # the flash shows on the case page

    assert "Note added." in post("/notes", {"text": "Captain known as «Baloch».", "tlp": "RED"})
    assert "a note cannot be empty" in post("/notes", {"text": " "})
    assert "File added." in post(
        "/files", {"tlp": "AMBER"}, files={"file": ("manifest.csv", b"name\nA\n", "text/csv")}
    )
    assert "already holds this file" in post(
        "/files", {}, files={"file": ("again.csv", b"name\nA\n", "text/csv")}
    )
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    assert "Task added." in post("/tasks", {"title": "Check manifest", "due": tomorrow})
    assert "in the past" in post("/tasks", {"title": "Too late", "due": "2021-02-03"})
    task_id = rows(node, CaseTask)[0].id
    assert "Task done." in post(f"/tasks/{task_id}/status", {"status": "done"})
    assert "Status: one of" in post(f"/tasks/{task_id}/status", {"status": "lost"})

    part = c.get(f"{case_url}/_work", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text
    assert "Captain known as «Baloch»." in part.text and "manifest.csv" in part.text
    assert "Check manifest" in part.text and 'class="casework"' in part.text
    file_id = rows(node, CaseFile)[0].id
    assert f'href="/api/v1/cases/{case_url.rsplit("/", 1)[1]}/files/{file_id}"' in part.text
    # Without HTMX it is a page of its own; the timeline filter works there too.
    full = c.get(f"{case_url}/_work", params={"kind": "note", "from": "2020"})
    assert "<html" in full.text and "Notes, files, tasks and timeline" in full.text
    timeline = full.text.split('id="case-timeline"')[1]
    assert "Captain known as" in timeline and "Check manifest" not in timeline
    bad = c.get(f"{case_url}/_work", params={"from": "yesterday"})
    assert bad.status_code == 200 and "from: a date" in bad.text
    # No CSRF token, no change.
    r = c.post(f"{case_url}/notes", data={"text": "x"}, follow_redirects=False)
    assert r.status_code == 403
    assert len(rows(node, CaseNote)) == 1

    # A reader sees the work but none of the forms; an outsider sees nothing.
    reader, _ = login(node, make_user, "analyst")
    with node.db.reading() as s:
        newest = s.scalars(select(User.handle).order_by(User.created_at.desc())).first()
    c.post(
        f"{case_url}/members",
        data={"csrf_token": csrf, "kind": "user", "handle": newest, "role": "reader"},
    )
    seen = reader.get(f"{case_url}/_work", headers={"HX-Request": "true"})
    assert seen.status_code == 200 and "Captain known as" in seen.text
    assert '<form method="post"' not in seen.text
    other, _ = login(node, make_user)
    assert other.get(f"{case_url}/_work").status_code == 404


def test_audit_holds_no_note_text_or_file_names(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    cid = case["id"]
    client.post(f"/api/v1/cases/{cid}/notes", headers=inv[0], json={"text": "Haji Karim"})
    upload(client, inv[0], cid, "Haji Karim.pdf", PDF)
    client.post(f"/api/v1/cases/{cid}/tasks", headers=inv[0], json={"title": "Haji Karim"})
    with node.db.reading() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("case.%"))))
    assert {e.action for e in entries} >= {"case.note.add", "case.file.add", "case.task.add"}
    assert not [e for e in entries if re.search("Karim", repr(e.detail))]
