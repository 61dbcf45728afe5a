"""The commitment pages: they render for a viewer and an analyst, their forms post with the CSRF
token and create what they say, and bad input comes back in the form with a clear message."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.mapping.commitments.display import member_labels
from corridor.mapping.commitments.forms import slug
from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.records.models import StoredRecord
from corridor.web.app import create_app
from tests.entities.test_api import bearer
from tests.mapping.commitments.test_service import action, commitment, count, day
from tests.web.conftest import csrf_from, web_login

Browser = tuple[TestClient, str]


@pytest.fixture
def sign_in(node, make_user) -> Iterator[Callable[[str], Browser]]:  # type: ignore[no-untyped-def]
    """sign_in(role) -> (client with a UI session, its CSRF token)."""
    clients: list[TestClient] = []

    def open_(role: str) -> Browser:
        email = f"{role}-{uuid.uuid4().hex[:6]}@test.example"
        make_user(role, email=email)
        c = TestClient(create_app(node), base_url="http://127.0.0.1:8080")
        c.__enter__()
        clients.append(c)
        assert web_login(c, email).status_code == 303
        return c, csrf_from(c.get("/account").text)

    yield open_
    for c in clients:
        c.__exit__(None, None, None)


def text_of(html: str) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_analyst_records_endorses_acts_and_reports(sign_in, node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = sign_in("analyst")
    r = c.get("/commitments")
    assert r.status_code == 200 and "New commitment" in r.text and "No commitments yet" in r.text
    assert c.get("/commitments/new").status_code == 200
    before = count(node, StoredRecord)

    form = {
        "csrf_token": csrf,
        "title": "Verify travel documents at every crossing",
        "theme": "fraudulent_documents",
        "text": "Members equip their crossings with document examination kits.",
        "adopted": day(-60),
        "ends": day(700),
        "countries": "PK, irn  TR",
        "tlp": "GREEN",
    }
    # Bad input: the form comes back with the message and what the user typed.
    r = c.post("/commitments/new", data={**form, "ends": day(-61)})
    assert r.status_code == 422 and "a commitment cannot end before it is adopted" in r.text
    assert 'value="Verify travel documents at every crossing"' in r.text
    assert "Members equip their crossings" in r.text
    r = c.post("/commitments/new", data={**form, "countries": "PK ZZ"})
    assert r.status_code == 422 and "unknown country code" in r.text and 'value="PK ZZ"' in r.text
    r = c.post("/commitments/new", data={**form, "adopted": ""})
    assert r.status_code == 422 and "adopted" in r.text
    assert (
        c.post(
            "/commitments/new", data={k: v for k, v in form.items() if k != "csrf_token"}
        ).status_code
        == 403
    )
    assert count(node, StoredRecord) == before

    r = c.post("/commitments/new", data=form)
    assert r.status_code == 200 and "Commitment recorded." in r.text
    cid = r.url.path.rsplit("/", 1)[1]
    with node.db.reading() as s:
        row = s.get(CommitmentRow, uuid.UUID(cid))
        assert row is not None and row.countries == ["PK", "IR", "TR"] and row.tlp == "GREEN"
    assert "Endorse on behalf of Test node" in r.text
    assert "Iran" in r.text and "Fraudulent documentation" in r.text

    r = c.post(
        f"/commitments/{cid}/endorse", data={"csrf_token": csrf, "note": "Agreed in Islamabad"}
    )
    assert r.status_code == 200 and "Endorsed on behalf of Test node." in r.text
    assert "Agreed in Islamabad" in r.text and "Endorse on behalf of" not in r.text
    assert count(node, EndorsementRow) == 1
    # A second endorsement (a stale page) shows the service's refusal.
    r = c.post(f"/commitments/{cid}/endorse", data={"csrf_token": csrf})
    assert r.status_code == 409 and "already endorsed" in r.text

    # Adding an action: line-by-line errors, then the service's period check.
    base = {"csrf_token": csrf, "title": "Kits at Taftan", "owner": "FIA Immigration Wing"}
    before = count(node, StoredRecord)
    cases = [
        ({"milestones": f"{day(10)} | Kits\n{day(20)} Training"}, "Milestones, line 2: write"),
        ({"milestones": "soon | Kits"}, "Milestones, line 1: soon is not a date"),
        (
            {"indicators": "Officers | persons | zero | 40"},
            "Indicators, line 1: zero is not a number",
        ),
        ({"indicators": "Officers | persons | 40"}, "Indicators, line 1: write"),
        ({"indicators": "Officers | persons | 5 | 5"}, "the target equals the baseline"),
        ({"milestones": f"{day(-61)} | Too early"}, "before the commitment was adopted"),
        ({"owner": ""}, "owner"),
    ]
    for extra, needle in cases:
        r = c.post(f"/commitments/{cid}/actions", data={**base, **extra})
        assert r.status_code == 422, (needle, r.status_code)
        assert needle in r.text, (needle, text_of(r.text)[-800:])
        assert 'value="Kits at Taftan"' in r.text  # the form keeps what was typed
    assert count(node, StoredRecord) == before

    r = c.post(
        f"/commitments/{cid}/actions",
        data={
            **base,
            "description": "Document examination kits for the crossing.",
            "milestones": f"{day(30)} | Kits delivered\n\n{day(90)} | Staff trained\n"
            f"{day(120)} | Kits delivered",
            "indicators": "Officers trained | persons | 0 | 40\nمعاینه | | 100 | 50",
        },
    )
    assert r.status_code == 200 and "Action added." in r.text
    assert "Post progress update" in r.text and "Edit action" in r.text
    with node.db.reading() as s:
        (act,) = s.query(ActionRow).all()
        aid = str(act.id)
        # Ids come from the titles, unique within the action; other scripts get a fallback.
        assert [m["id"] for m in act.milestones] == [
            "kits-delivered",
            "staff-trained",
            "kits-delivered-2",
        ]
        assert [i["id"] for i in act.indicators] == ["officers-trained", "indicator"]
        assert act.country == "PK"

    updates = f"/commitments/{cid}/actions/{aid}/updates"
    update = {
        "csrf_token": csrf,
        "on": day(0),
        "text": "Kits installed at the crossing.",
        "indicator": ["officers-trained", "indicator"],
        "value": ["30", ""],
        "milestones_done": ["kits-delivered"],
        "evidence_title": "Delivery note",
        "evidence_url": "https://example.org/kits",
    }
    before = count(node, StoredRecord)
    r = c.post(updates, data={**update, "on": day(1)})
    assert r.status_code == 422 and "cannot be dated in the future" in r.text
    assert "Kits installed at the crossing." in r.text  # kept in the form
    r = c.post(updates, data={**update, "value": ["thirty", ""]})
    assert r.status_code == 422 and "thirty is not a number" in r.text
    r = c.post(updates, data={**update, "milestones_done": ["ghost"]})
    assert r.status_code == 422 and "unknown milestones" in r.text
    r = c.post(updates, data={**update, "evidence_url": "", "evidence_title": "A note"})
    assert r.status_code == 422 and "evidence" in r.text
    assert count(node, StoredRecord) == before

    r = c.post(updates, data=update)
    assert r.status_code == 200 and "Progress update posted." in r.text
    page = text_of(r.text)
    assert f"done on {day(0)}" in page
    assert "Officers trained (persons) 0 30 40 75 %" in page
    assert 'href="https://example.org/kits"' in r.text and "Kits installed at the crossing." in page
    assert "1 of 3 done" in page
    # The update names its poster as people read them, not by handle, and its day as the
    # reader writes it.
    poster = re.search(
        r'<li>\s*<p><strong class="time">([^<]+)</strong> · <span class="muted">(.*?)</span>',
        r.text,
    )
    assert poster, r.text
    assert 'class="person' in poster.group(2) and not re.search(r">u-\w+<", poster.group(2))
    assert poster.group(1) != day(0)  # not the ISO date the record keeps

    # Editing: existing rows keep their ids; a new row is added; a reported one cannot go.
    r = c.get(f"/commitments/{cid}/actions/{aid}/edit")
    assert r.status_code == 200 and 'value="kits-delivered"' in r.text
    edit = {
        "csrf_token": csrf,
        "title": "Kits at Taftan and Chaman",
        "owner": "FIA Immigration Wing",
        "description": "",
        "m_id": ["kits-delivered", "staff-trained", "kits-delivered-2", ""],
        "m_due": [day(30), day(95), day(120), day(150)],
        "m_title": ["Kits delivered at Taftan", "Staff trained", "Kits delivered", "Chaman kits"],
        "i_id": ["officers-trained", "indicator", ""],
        "i_name": ["Officers trained", "معاینه", ""],
        "i_unit": ["persons", "", ""],
        "i_baseline": ["0", "100", ""],
        "i_target": ["40", "50", ""],
    }
    removed = {
        **edit,
        "m_id": edit["m_id"][1:],
        "m_due": edit["m_due"][1:],
        "m_title": edit["m_title"][1:],
    }
    r = c.post(f"/commitments/{cid}/actions/{aid}/edit", data=removed)
    assert r.status_code == 422 and "was reported in a progress update" in r.text
    r = c.post(
        f"/commitments/{cid}/actions/{aid}/edit",
        data={**edit, "m_due": [day(30), "", day(120), day(150)]},
    )
    assert r.status_code == 422 and "Milestone row 2: give a due date and a title" in r.text
    r = c.post(f"/commitments/{cid}/actions/{aid}/edit", data=edit)
    assert r.status_code == 200 and "Action saved." in r.text
    with node.db.reading() as s:
        act = s.get(ActionRow, uuid.UUID(aid))
        assert act is not None and act.title == "Kits at Taftan and Chaman" and act.updates == 1
        assert [(m["id"], m.get("done_on")) for m in act.milestones] == [
            ("kits-delivered", day(0)),
            ("staff-trained", None),
            ("kits-delivered-2", None),
            ("chaman-kits", None),
        ]
        assert act.milestones[0]["title"] == "Kits delivered at Taftan"
        assert act.indicators[0]["current"] == 30

    # The list, dashboard and scorecard show the numbers.
    page = text_of(c.get("/commitments").text)
    assert "Verify travel documents at every crossing" in page and "Test node (PK)" in page
    dash = c.get("/commitments/dashboard")
    assert dash.status_code == 200
    charts = {
        name: json.loads(html.unescape(spec))
        for name, spec in re.findall(r'id="chart-(\w+)" data-chart=\'([^\']*)\'', dash.text)
    }
    # Progress: 1 of 4 milestones (0.25) and the one indicator with a value at 0.75: 50 %.
    assert charts["themes"]["categories"] == ["Fraudulent documentation"]
    assert charts["themes"]["series"][0]["data"] == [50.0]
    assert charts["members"]["categories"] == ["Pakistan"]
    assert charts["members"]["series"][0]["data"] == [50.0]
    assert [s["data"] for s in charts["milestones"]["series"]] == [[1], [3]]
    assert "echarts-6.1.0/echarts.min.js" in dash.text and "No milestone is overdue." in dash.text
    card = text_of(c.get("/commitments/scorecard/PK").text)
    assert "Kits at Taftan and Chaman" in card and "1 of 4 done" in card


def test_viewer_reads_every_page_but_has_no_forms(sign_in, client, analyst, node) -> None:  # type: ignore[no-untyped-def]
    cid = client.post("/api/v1/commitments", headers=analyst, json=commitment()).json()["id"]
    r = client.post(f"/api/v1/commitments/{cid}/actions", headers=analyst, json=action())
    assert r.status_code == 201, r.text
    v, csrf = sign_in("viewer")
    r = v.get("/commitments")
    assert r.status_code == 200 and "Verify travel documents" in r.text
    assert "New commitment" not in r.text and "not yet endorsed" in r.text
    assert 'href="/commitments/dashboard"' in r.text and 'href="/commitments/scorecard"' in r.text
    r = v.get(f"/commitments/{cid}")
    assert r.status_code == 200 and "Document examination kits at Taftan" in r.text
    assert "Endorse on behalf" not in r.text and "Add an action" not in r.text
    assert "Post progress update" not in r.text and "Edit action" not in r.text
    assert v.get("/commitments/dashboard").status_code == 200
    r = v.get("/commitments/scorecard")
    assert r.status_code == 200 and 'href="/commitments/scorecard/PK"' in r.text
    r = v.get("/commitments/scorecard/PK")
    assert r.status_code == 200 and "/reports/view?scope=country&amp;country=PK" in r.text
    r = v.get("/commitments/scorecard/pak", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/commitments/scorecard/PK"
    assert v.get("/commitments/scorecard/ZZ").status_code == 422
    assert v.get("/commitments/new").status_code == 403
    before = count(node, StoredRecord)
    r = v.post("/commitments/new", data={"csrf_token": csrf, **commitment()})
    assert r.status_code == 403
    r = v.post(f"/commitments/{cid}/endorse", data={"csrf_token": csrf})
    assert r.status_code == 403
    assert count(node, StoredRecord) == before
    assert v.get(f"/commitments/{uuid.uuid4()}").status_code == 404


def test_overdue_milestones_are_highlighted(sign_in, client, analyst, shift_clock) -> None:  # type: ignore[no-untyped-def]
    cid = client.post("/api/v1/commitments", headers=analyst, json=commitment()).json()["id"]
    r = client.post(f"/api/v1/commitments/{cid}/actions", headers=analyst, json=action())
    assert r.status_code == 201, r.text
    c, _ = sign_in("analyst")
    assert 'class="overdue"' not in c.get(f"/commitments/{cid}").text
    shift_clock(timedelta(days=31))  # "Kits delivered" was due in 30 days
    c, _ = sign_in("analyst")  # the first session has expired meanwhile
    r = c.get(f"/commitments/{cid}")
    assert re.search(
        r'<li class="overdue">\s*<span class="cm-due">[^<]+</span>\s*'
        r'<span class="cm-mtitle">Kits delivered',
        r.text,
    )
    assert '<span class="cm-sr"> overdue</span>' in r.text
    assert "1 milestone overdue" in r.text
    dash = c.get("/commitments/dashboard").text
    assert re.search(r'<tr class="overdue">.*?Kits delivered', dash, re.S)
    assert '<tr class="overdue">' in c.get("/commitments").text


def test_a_partner_action_offers_no_update_form_and_refuses_one(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    bearer(b, "analyst", "analyst@b.example")
    cid = to_a.post("/api/v1/commitments", headers=ha, json=commitment(to=[b.id])).json()["id"]
    aid = to_a.post(f"/api/v1/commitments/{cid}/actions", headers=ha, json=action()).json()["id"]
    delivery.push_to(a, b.id, http=to_b)

    assert web_login(to_b, "analyst@b.example").status_code == 303
    r = to_b.get(f"/commitments/{cid}")
    assert r.status_code == 200 and "Document examination kits at Taftan" in r.text
    assert "Post progress update" not in r.text and "Edit action" not in r.text
    assert (
        "Endorse on behalf of Jandarma Van" in r.text and "Add an action for Jandarma Van" in r.text
    )
    csrf = csrf_from(r.text)
    before = count(b, StoredRecord)
    r = to_b.post(
        f"/commitments/{cid}/actions/{aid}/updates",
        data={"csrf_token": csrf, "on": day(0), "text": "Done by us"},
    )
    assert r.status_code == 403 and "only the node that owns the action" in r.text
    assert to_b.get(f"/commitments/{cid}/actions/{aid}/edit").status_code == 403
    assert count(b, StoredRecord) == before


def test_members_of_one_country_are_told_apart_in_the_charts() -> None:
    members = [
        {"origin": "a" * 26, "country": "PK"},
        {"origin": "b" * 26, "country": "TR"},
        {"origin": "c" * 26, "country": "TR"},
    ]
    names = {"b" * 26: "Jandarma Van (TR)", "c" * 26: "Emniyet Edirne (TR)"}
    assert member_labels(members, names) == [
        "Pakistan",
        "Türkiye – Jandarma Van (TR)",
        "Türkiye – Emniyet Edirne (TR)",
    ]


def test_milestone_and_indicator_ids_come_from_titles() -> None:
    taken: set[str] = set()
    assert slug("Train 40 officers!", taken, "milestone") == "train-40-officers"
    assert slug("Train 40 officers", taken, "milestone") == "train-40-officers-2"
    assert slug("تدريب الضباط", taken, "milestone") == "milestone"
    assert slug("Équipe à Kapıköy", taken, "milestone") == "equipe-a-kapkoy"
    long = slug("x" * 80, taken, "milestone")
    assert len(long) <= 40 and long == "x" * 36
