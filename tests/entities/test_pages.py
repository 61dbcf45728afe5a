"""Cases, entities and search pages (server-rendered, same services as the API)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from corridor.web.app import create_app
from tests.conftest import PASSWORD


def login(node, make_user, role: str = "investigator") -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    p = make_user(role)
    c = TestClient(create_app(node), base_url="http://127.0.0.1:8080")
    r = c.post("/login", data={"email": p.handle, "password": PASSWORD}, follow_redirects=False)
    if r.status_code != 303:
        # log in by e-mail
        from corridor.security import service as security

        with node.db.reading() as s:
            email = security.find_user(s, p.handle).email
        r = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        data = {"email": email, "password": PASSWORD}
        if token:
            data["csrf_token"] = token.group(1)
        r = c.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get("/cases")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return c, csrf


def test_open_case_add_entities_search_and_provenance(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post(
        "/cases",
        data={
            "csrf_token": csrf,
            "reference": "FIA-2026-1",
            "title": "Boat departures from Gwadar",
            "tlp": "AMBER",
            "purpose": "enforcement",
            "handling": "H0",
        },
    )
    assert r.status_code == 200 and "FIA-2026-1" in r.text
    case_url = str(r.url.path)
    r = c.post(
        f"{case_url}/entities",
        data={
            "csrf_token": csrf,
            "schema": "Person",
            "name": "محمد آصف خان",
            "more": "birthDate: 1984-03-02\nNationality: Pakistan\nphone: 0300 1234567",
        },
    )
    assert r.status_code == 200, r.text
    assert "+923001234567" in r.text and "0300 1234567" in r.text  # value and what was written
    entity_url = str(r.url.path)
    # Bad lines are refused with the reason, nothing stored.
    r = c.post(
        f"{case_url}/entities",
        data={"csrf_token": csrf, "schema": "Person", "name": "X", "more": "shoe size: 44"},
    )
    assert r.status_code == 422 and "has no property" in r.text
    r = c.get("/search", params={"q": "Mohammed Asif Khan"})
    assert r.status_code == 200 and entity_url in r.text and "<mark>" in r.text
    r = c.get("/search/_results", params={"q": "+92 300 123 4567"})
    assert entity_url in r.text
    # Edit: the removed phone is retracted, its history stays.
    r = c.post(
        f"{entity_url}/edit",
        data={"csrf_token": csrf, "more": "name: محمد آصف خان\nbirthDate: 1984-03-02"},
    )
    assert r.status_code == 200
    assert "retracted" in r.text
    assert c.get(case_url).status_code == 200


def test_pages_need_membership_and_csrf(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-2", "title": "T"})
    case_url = str(r.url.path)
    other, _ = login(node, make_user)
    assert other.get(case_url).status_code == 404
    r = c.post(f"{case_url}/entities", data={"schema": "Person", "name": "X"})
    assert r.status_code == 403  # no CSRF token
    admin, _ = login(node, make_user, "administrator")
    assert admin.get("/search").status_code == 403
    assert "/cases" not in admin.get("/").text


def test_import_through_the_pages_with_the_column_table(node, make_user) -> None:  # type: ignore[no-untyped-def]
    from tests.entities.imports.test_imports import CSV, drain

    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-3", "title": "T"})
    case_url = str(r.url.path)
    assert c.get(f"{case_url}/import").status_code == 200
    r = c.post(
        f"{case_url}/imports",
        data={"csrf_token": csrf},
        files={"file": ("suspects.csv", CSV.encode())},
    )
    assert r.status_code == 200, r.text
    run_url = str(r.url.path)
    # The suggestion maps the obvious columns; the user fixes the date format and starts.
    assert "Full name" in r.text and "Muhammad Asif Khan" in r.text
    form = {"csrf_token": csrf, "schema": "Person", "action": "preview"}
    headers = ["Full name", "Date of birth", "Nationality", "Passport No", "Mobile"]
    props = ["name", "birthDate", "nationality", "passportNumber", "phone"]
    for i, (col, prop) in enumerate(zip(headers, props, strict=True)):
        form[f"col_{i}"] = col
        form[f"prop_{i}"] = prop
    form["key_3"] = "1"
    form["fmt_1"] = "%d/%m/%Y"
    r = c.post(run_url, data=form)
    assert r.status_code == 200 and "1984-03-02" in r.text and "refused" in r.text
    r = c.post(run_url, data=form | {"action": "start", "save_as": "FIA sheet"})
    assert r.status_code == 200 and "import-progress" in r.text
    drain(node)
    r = c.get(f"{run_url}/_progress")
    assert "done" in r.text and "hx-trigger" not in r.text
    assert "Refused rows" in r.text
    assert "Muhammad Asif Khan" in c.get(case_url).text


def test_review_duplicates_in_the_page(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-4", "title": "T"})
    case_url = str(r.url.path)
    for name, more in (
        ("Muhammad Asif Khan", "birthDate: 1984-03-02"),
        ("محمد آصف خان", "birthDate: 1984-03-02"),
        ("Irfan Ali", "birthDate: 1990-01-01"),
    ):
        c.post(
            f"{case_url}/entities",
            data={"csrf_token": csrf, "schema": "Person", "name": name, "more": more},
        )
    r = c.post(f"{case_url}/duplicates", data={"csrf_token": csrf})
    assert r.status_code == 200 and "1 new pair(s) to review" in r.text
    assert "agree" in r.text
    cid = re.search(r'/duplicates/(\d+)"', r.text).group(1)  # type: ignore[union-attr]
    r = c.post(f"{case_url}/duplicates/{cid}", data={"csrf_token": csrf, "decision": "same"})
    assert "Decision recorded" in r.text and "No pairs waiting" in r.text
    page = c.get(case_url).text
    assert page.count("/entities/") >= 2


def test_share_a_case_extract_from_the_case_page(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation import delivery
    from tests.entities.test_api import bearer

    a, b, _to_a, to_b = pair
    c, csrf = login(a, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-5", "title": "T"})
    case_url = str(r.url.path)
    ids = []
    for name in ("Haji Karim", "Reza Ahmadi", "Kept at home"):
        r = c.post(
            f"{case_url}/entities", data={"csrf_token": csrf, "schema": "Person", "name": name}
        )
        ids.append(str(r.url.path).rsplit("/", 1)[1])
    page = c.get(case_url).text
    assert 'id="share-form"' in page and b.id in page
    r = c.post(
        f"{case_url}/share",
        data={
            "csrf_token": csrf,
            "entities": ids[:2],
            "to": [b.id],
            "title": "Two facilitators",
            "tlp": "AMBER",
            "handling": "H1",
        },
    )
    assert "2 entities shared" in r.text, r.text
    delivery.push_to(a, b.id, http=to_b)
    hb, _ = bearer(b, "investigator", "inv@b.example")
    got = to_b.get("/api/v1/entities?from=partners", headers=hb).json()["items"]
    assert sorted(e["caption"] for e in got) == ["Haji Karim", "Reza Ahmadi"]
    # From an entity's page the same form shares that entity and comes back to the page; a
    # "back" leading off the node is not followed.
    entity_page = c.get(f"/entities/{ids[2]}").text
    assert f'action="{case_url}/share"' in entity_page
    form = {
        "csrf_token": csrf,
        "entities": [ids[2]],
        "to": [b.id],
        "title": "One more",
        "back": f"/entities/{ids[2]}",
    }
    r = c.post(f"{case_url}/share", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/entities/{ids[2]}"
    r = c.post(
        f"{case_url}/share", data=form | {"back": "//evil.example/x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/"


def test_graph_page_and_its_analysis(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-6", "title": "T"})
    case_url = str(r.url.path)
    ids = []
    for name in ("Haji Karim", "Reza Ahmadi"):
        r = c.post(
            f"{case_url}/entities", data={"csrf_token": csrf, "schema": "Person", "name": name}
        )
        ids.append(str(r.url.path).rsplit("/", 1)[1])
    c.post(
        f"{case_url}/entities",
        data={
            "csrf_token": csrf,
            "schema": "Payment",
            "more": f"payer: {ids[0]}\nbeneficiary: {ids[1]}\n"
            "amount: 2400\ncurrency: EUR\ndate: 2026-05-06",
        },
    )
    page = c.get(f"{case_url}/graph").text
    assert 'id="graph"' in page and "cytoscape-" in page and "/static/js/graph.js" in page
    part = c.get(f"{case_url}/graph/_analysis").text
    assert "Haji Karim" in part and "payment" in part and "2,400 EUR" in part


def test_relations_are_listed_by_what_they_link(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-7", "title": "T"})
    case_url = str(r.url.path)
    ids = []
    for name in ("Haji Karim", "Reza Ahmadi"):
        r = c.post(
            f"{case_url}/entities", data={"csrf_token": csrf, "schema": "Person", "name": name}
        )
        ids.append(str(r.url.path).rsplit("/", 1)[1])
    c.post(
        f"{case_url}/entities",
        data={
            "csrf_token": csrf,
            "schema": "Associate",
            "more": f"person: {ids[0]}\nassociate: {ids[1]}",
        },
    )
    assert "Associate: Haji Karim → Reza Ahmadi" in c.get(case_url).text


def test_a_value_not_read_is_flagged_and_corrected_in_the_editor(node, make_user) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login(node, make_user)
    r = c.post("/cases", data={"csrf_token": csrf, "reference": "FIA-2026-9", "title": "T"})
    r = c.post(
        f"{r.url.path}/entities", data={"csrf_token": csrf, "schema": "Person", "name": "Bad Date"}
    )
    url = str(r.url.path)
    # As an import keeps a date that does not exist (imports/columns.apply_row).
    r = c.post(
        f"{url}/edit",
        data={"csrf_token": csrf, "more": "name: Bad Date\nunreadValue: birthDate: 31/02/1990"},
    )
    page = c.get(url).text
    assert "could not read some values" in page
    assert re.search(
        r'<tr class="flagged"><td>Value not read</td>\s*<td><bdi>birthDate: 31/02/1990', page
    )
    r = c.post(
        f"{url}/edit", data={"csrf_token": csrf, "more": "name: Bad Date\nbirthDate: 1990-02-28"}
    )
    page = c.get(url).text
    assert "could not read some values" not in page
    assert 'class="revoked"' in page and "1990-02-28" in page


def test_partners_page_names_the_origin_and_reads_relations(pair) -> None:  # type: ignore[no-untyped-def]
    from tests.entities.partners import login_at, share_call_and_payment

    a, b, to_a, to_b = pair
    share_call_and_payment(a, b, to_a, to_b)
    c, _ = login_at(b)
    page = c.get("/entities/partners").text
    # The origin column names the node and its country, never its id.
    assert '<th scope="col">From</th>' in page
    assert re.search(
        r'<td class="origin"><bdi>Test node</bdi> <span class="muted">Pakistan</span>', page
    )
    assert not re.search(rf">[^<]*{a.id}", page)  # (in links only, as part of entity ids)
    # Relations and intervals by what they link, amounts and dates as the reader writes them.
    assert "Call: Tariq Mehmood → Khalid Al-Omari, May 3, 2026" in page
    assert "Payment 7,500,000 PKR: Tariq Mehmood → Khalid Al-Omari" in page
    assert ">7500000<" not in page and "<bdi>Call</bdi>" not in page
    # Countries by their names, dates formatted.
    assert "Pakistan" in page and "Saudi Arabia" in page and "Mar 2, 1984" in page
    assert not re.search(r"Nationality</span> <bdi>(pk|sa)<", page)
    # The same on an entity's page: its heading, and countries in the provenance table.
    call = re.search(r'href="(/entities/[^"]+)"><bdi>Call:', page).group(1)  # type: ignore[union-attr]
    entity_page = c.get(call).text
    assert "<bdi>Call: Tariq Mehmood → Khalid Al-Omari, May 3, 2026</bdi>" in entity_page
    tariq = re.search(r'href="(/entities/[^"]+)"><bdi>Tariq Mehmood<', page).group(1)  # type: ignore[union-attr]
    entity_page = c.get(tariq).text
    assert '<bdi title="pk">Pakistan</bdi>' in entity_page
    assert (
        "Received from partner node <strong><bdi>Test node</bdi> (Pakistan)</strong>" in entity_page
    )
