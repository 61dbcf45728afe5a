"""The MRZ check page: in the menu of those who may check, the verdict and every check, the
suggestions (each a form that checks the corrected lines), refusals shown on the form."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import select

import corridor.web
from corridor.audit.models import AuditEntry
from tests.documents import specimens as sp
from tests.documents.specimens import replaced
from tests.web.conftest import csrf_from, web_login

PAGE = "/documents/mrz"


def signed_in(client, make_user, role: str = "investigator") -> str:  # type: ignore[no-untyped-def]
    email = f"{role}-mrz@test.example"
    make_user(role, email=email)
    assert web_login(client, email).status_code == 303
    return csrf_from(client.get(PAGE).text)


def post(client, csrf: str, text: str):  # type: ignore[no-untyped-def]
    return client.post(PAGE, data={"csrf_token": csrf, "mrz": text})


def test_the_page_is_in_the_menu_of_those_who_may_check(client, make_user) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, make_user)
    home = client.get("/")
    assert f'href="{PAGE}"' in home.text and "MRZ check" in home.text
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="mrz"' in page.text and 'dir="ltr"' in page.text
    assert "/static/css/documents.css" in page.text
    assert f'<a href="{PAGE}" aria-current="page">' in page.text


def test_viewers_have_no_page_and_no_menu_entry(client, make_user) -> None:  # type: ignore[no-untyped-def]
    signed_in_viewer = "viewer-mrz@test.example"
    make_user("viewer", email=signed_in_viewer)
    web_login(client, signed_in_viewer)
    assert PAGE not in client.get("/").text
    assert client.get(PAGE).status_code == 403


def test_a_session_is_needed_and_the_form_carries_csrf(client, make_user) -> None:  # type: ignore[no-untyped-def]
    r = client.get(PAGE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    signed_in(client, make_user)
    r = client.post(PAGE, data={"mrz": "\n".join(sp.TD3)})
    assert r.status_code == 403


def test_a_valid_specimen(client, make_user) -> None:  # type: ignore[no-untyped-def]
    csrf = signed_in(client, make_user)
    r = post(client, csrf, "\r\n".join(sp.TD3) + "\r\n")
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert "✓ Valid: well-formed, every check digit right" in text
    assert "Expired" in text and "TD3 (passport, 2 lines of 44)" in text
    assert text.count('class="mrz-pass"') == 8  # every check, in green
    assert "ERIKSSON" in text and "ANNA MARIA" in text and "1974-08-12" in text
    assert "UTO · Utopia (ICAO specimen)" in text
    assert "Possible misreadings" not in text
    # What was typed stays in the form.
    assert sp.TD3[1] in text


def test_a_misread_mrz_with_its_failed_checks_and_suggestions(client, make_user) -> None:  # type: ignore[no-untyped-def]
    csrf = signed_in(client, make_user)
    misread = replaced(sp.TD3, 2, 2, "B")  # LB98902C3: a B read for 8
    r = post(client, csrf, "\n".join(misread))
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert "✗ Not valid: 2 check(s) failed" in text
    assert text.count('class="mrz-fail"') == 2
    assert "the check digit is 6 but LB98902C3 gives" in text
    assert "Possible misreadings" in text and "compare each with the data page" in text
    assert "line 2, position 2: B → 8 (document number)" in text
    assert "L<mark>8</mark>98902C3" in text
    # Each suggestion is a form that checks its lines.
    forms = re.findall(r'<input type="hidden" name="mrz" value="([^"]+)">', r.text)
    assert html.unescape(forms[0]) == "\n".join(sp.TD3)
    again = post(client, csrf, html.unescape(forms[0]))
    assert "✓ Valid" in html.unescape(again.text)


def test_warnings_are_shown(client, make_user) -> None:  # type: ignore[no-untyped-def]
    csrf = signed_in(client, make_user)
    unknown = (sp.TD3[0][:2] + "ZZZ" + sp.TD3[0][5:], sp.TD3[1])
    text = html.unescape(post(client, csrf, "\n".join(unknown)).text)
    assert "✓ Valid" in text and "unknown state or organisation code “ZZZ”" in text


def test_what_is_not_an_mrz_is_said_on_the_form(client, make_user) -> None:  # type: ignore[no-untyped-def]
    csrf = signed_in(client, make_user)
    r = post(client, csrf, sp.TD3[0])
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert "MRZ: an MRZ has 2 lines (TD2, TD3, visas) or 3 (TD1), not 1" in text
    assert sp.TD3[0] in text  # what was typed is kept
    r = post(client, csrf, sp.TD3[0] + "\nL898902C36UTO7408122F1204159ZE184226B<<<<<1€")
    assert r.status_code == 422 and "only ASCII" in html.unescape(r.text)


def test_each_check_is_audited_without_the_mrz(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    csrf = signed_in(client, make_user)
    post(client, csrf, "\n".join(sp.TD1))
    with node.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "documents.mrz.check")
        ).all()
    assert len(entries) == 1 and entries[0].detail["format"] == "TD1"
    assert "ERIKSSON" not in str(entries[0].detail)


def test_the_stylesheet_is_right_to_left_safe() -> None:
    css = Path(corridor.web.__file__).parent / "static" / "css" / "documents.css"
    text = re.sub(r"/\*.*?\*/", "", css.read_text(), flags=re.S)
    assert "inline-size" in text
    for physical in ("left", "right", "margin-top", "padding-bottom", "width:", "height:"):
        assert not re.search(rf"(?<![-\w]){physical}", text), physical
