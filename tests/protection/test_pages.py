"""The compartment's pages: screening, consent, referral and its view, with what a person
typed kept on a refusal; 404 to anyone outside the compartment."""

from __future__ import annotations

import re

import pytest

from corridor.security.roles import PROTECTION_ROLES, Role
from tests.entities.partners import login_at

PAGES = ("/protection", "/protection/people/new")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_screen_consent_refer_and_read(node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login_at(node, "protection_officer")
    page = c.get("/protection")
    assert page.status_code == 200 and "Screen a person" in page.text
    form = {
        "csrf_token": csrf,
        "name": "Amina Rahimi",
        "birth_year": "2009",
        "sex": "female",
        "nationality": "AF",
        "languages": "Dari, Pashto",
        "child": "yes",
        "unaccompanied": "yes",
        "consent": ["referral"],
        "consent_note": "explained in Dari",
        "retain_days": "365",
    }
    r = c.post("/protection/people/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    person = r.headers["location"]
    shown = c.get(person).text
    assert "Amina Rahimi" in shown and "Unaccompanied" in shown and "Refer" in shown
    r = c.post(
        f"{person}/refer",
        data={"csrf_token": csrf, "service": "child_protection", "needs": "guardian\nschool"},
        follow_redirects=True,
    )
    assert "Referral sent." in r.text
    link = re.search(r'href="(/protection/referrals/[0-9a-f-]+)"', r.text)
    assert link
    referral = c.get(link.group(1)).text
    assert "guardian" in referral and "Child protection" in referral
    assert "Amina Rahimi" in c.get("/protection").text


def test_a_refused_screening_keeps_what_was_typed(node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login_at(node, "protection_officer")
    form = {
        "csrf_token": csrf,
        "name": "Amina Rahimi",
        "languages": "Dari",
        "unaccompanied": "yes",  # but not a child
    }
    r = c.post("/protection/people/new", data=form)
    assert r.status_code == 422
    assert 'value="Amina Rahimi"' in r.text and 'value="Dari"' in r.text
    assert "child" in r.text


def test_no_consent_no_referral_form(node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login_at(node, "protection_officer")
    r = c.post("/protection/people/new", data={"csrf_token": csrf, "name": "Omid"})
    shown = c.get(r.headers.get("location") or r.url.path).text
    assert "A referral needs the person" in shown


@pytest.mark.parametrize("role", sorted(r.value for r in Role if r not in PROTECTION_ROLES))
def test_the_pages_do_not_exist_for_anyone_else(node, role) -> None:  # type: ignore[no-untyped-def]
    c, _ = login_at(node, role)
    for path in PAGES:
        assert c.get(path).status_code == 404, (role, path)
    assert 'href="/protection"' not in c.get("/").text


def test_a_screening_records_answers_and_shows_factors_by_level(node) -> None:  # type: ignore[no-untyped-def]
    c, csrf = login_at(node, "protection_officer")
    r = c.post(
        "/protection/people/new",
        data={"csrf_token": csrf, "name": "Hamid", "child": "yes", "unaccompanied": "yes"},
    )
    person = str(r.url.path)
    form = {
        "csrf_token": csrf,
        "a_abandoned": "yes",
        "a_extortion": "declined",
        "a_family_separated": "yes",
        "a_community_support": "yes",
        "a_documents_withheld": "no",
        "language": "Dari",
        "route": "Eastern Mediterranean",
        "best_interests_referral": "yes",
        "age_assessment_note": "looks about 15; no document",
    }
    r = c.post(f"{person}/screenings", data=form)
    assert "Screening recorded." in r.text, r.text[-2000:]
    assert "Abandoned at sea, in the desert or at a border" in r.text
    assert "Separated from family on the way" in r.text
    assert "A community or diaspora that can support them" in r.text
    assert "Referred for a best-interests determination" in r.text
