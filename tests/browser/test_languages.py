"""Every main page in the practitioners' languages shows no English: an investigator working in
Urdu, Arabic, Persian (right to left), French and Turkish walks through each page of the
sidebar, their profile, a case, an entity, the case's graph, a search and two printable
reports, and the DOM is scanned for what the catalogue would have translated.

A miss is UI text in English: a string of the catalogue shown as written in the source, or a
label, button, heading, column head, option, menu entry or accessible name made of the
catalogue's English words. Data people typed (titles, names, notes) is not UI and is not
scanned: it is shown in the language it was written in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

import httpx
import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from corridor import i18n
from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll
from tests.network.nodeproc import add_users, create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Where the page speaks, not the data: chrome and controls. Text inside <bdi>, <code>, inputs and
# user content is skipped by the script below.
CHROME = (
    "nav a, h1, h2, h3, th, label, legend, summary, button, option, .badge, .muted, "
    "p.flash, .empty, dt, caption, .role, [aria-label], [title], [placeholder]"
)
SCAN = """(selector) => {
  const out = [];
  const skip = (el) => el.closest('bdi, code, pre, textarea, [translate=no], .handle, .data');
  for (const el of document.querySelectorAll(selector)) {
    if (skip(el) || (el.offsetParent === null && el.tagName !== 'OPTION')) continue;
    for (const attr of ['aria-label', 'title', 'placeholder']) {
      const v = el.getAttribute(attr);
      if (v) out.push(v);
    }
    let own = '';
    for (const n of el.childNodes) {
      if (n.nodeType === 3) own += n.textContent;
    }
    if (own.trim()) out.push(own.trim());
  }
  return out;
}"""
WORD = re.compile(r"[A-Za-z]{4,}")
TOKEN = re.compile(r"\w+")  # a word in any script
READER = "languages-reader@corridor.test"
# FIRST's TLP 2.0: the labels stay in English in every language.
TLP_WORDS = frozenset({"clear", "green", "amber", "strict"})


@cache
def _vocabulary(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """From the catalogue: its English UI words that the translation does not keep (TLP,
    corridor and codes stay), the words only the translation has, and its whole English strings
    without placeholders."""
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        po = read_po(fh, locale=lang)
    source: set[str] = set()
    kept: set[str] = set()
    whole: set[str] = set()
    for m in po:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        forms = [m.string] if isinstance(m.string, str) else list(m.string)
        for i in ids:
            source.update(w.lower() for w in WORD.findall(i))
            if "%" not in i and "{" not in i and i not in forms:
                whole.add(i.strip())
        for f in forms:
            kept.update(w.lower() for w in TOKEN.findall(f or ""))
    english = frozenset(source - kept - TLP_WORDS)
    translated = frozenset(w for w in kept - source if len(w) >= 3)
    return english, translated, frozenset(whole)


def _misses(page: Page, lang: str) -> list[str]:
    """UI text in English. A sentence of the catalogue in the reader's language that quotes
    data typed in English ("Avancement de <an English title>") is the language's, not a miss."""
    english, translated, whole = _vocabulary(lang)
    found = []
    for text in page.evaluate(SCAN, CHROME):
        words = WORD.findall(text)
        hits = [w for w in words if w.lower() in english]
        in_language = any(t.lower() in translated for t in TOKEN.findall(text))
        if text in whole or (not in_language and (len(hits) >= 2 or (hits and len(words) == 1))):
            found.append(text[:80])
    return sorted(set(found))


@pytest.fixture(scope="module")
def casework(live_node: LiveNode) -> Iterator[list[str]]:
    """A case of the reader's own with a person and their passport: the case page, an entity
    page, the case's graph, a search that finds them, and the network's and a country's
    printable reports."""
    add_users(live_node.data_dir, [(READER, "investigator")])
    token = create_token(live_node.data_dir, READER, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        r = api.post("/api/v1/cases", json={"reference": "LANG-2026-1", "title": "Quetta–Van"})
        assert r.status_code == 201, r.text
        case = r.json()["id"]

        def ent(schema: str, **props: list[str]) -> str:
            r = api.post(
                f"/api/v1/cases/{case}/entities", json={"schema": schema, "properties": props}
            )
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        person = ent(
            "Person",
            name=["Gul Zaman Achakzai"],
            birthDate=["1984-03-02"],
            nationality=["af"],
            phone=["+923001234567"],
        )
        ent("Passport", holder=[person], number=["AB1234567"], country=["af"])
    yield [
        f"/cases/{case}",
        f"/entities/{person}",
        f"/cases/{case}/graph",
        "/search?q=Achakzai",
        "/reports/view?scope=network",
        "/reports/view?scope=country&country=PK",
    ]


def _walk(page: Page, lang: str, live_node: LiveNode, extra: list[str]) -> dict[str, list[str]]:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    misses = {"/login": _misses(page, lang)}
    page.locator("input[name=email]").fill(READER)
    page.locator("input[name=password]").fill(live_node.password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    paths = page.locator("nav.sidebar a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(paths) >= 8, paths
    for path in [*paths, "/account", *extra]:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("main h1")).to_be_visible()
        no_horizontal_scroll(page)
        found = _misses(page, lang)
        if found:
            misses[path] = found
    return {p: m for p, m in misses.items() if m}


@pytest.mark.parametrize("lang", ["ur", "ar", "fa", "fr", "tr"])
def test_every_main_page_reads_in_the_language_without_english(
    open_session: Callable[..., Session], live_node: LiveNode, lang: str, casework: list[str]
) -> None:
    if lang not in i18n.available():
        pytest.skip(f"no {lang} catalogue")
    page = open_session(locale=lang, extra_http_headers={"Accept-Language": lang}).page
    expected_dir = i18n.direction(lang)
    misses = _walk(page, lang, live_node, casework)
    expect(page.locator("html")).to_have_attribute("dir", expected_dir)
    assert not misses, f"English on {lang} pages: {misses}"
