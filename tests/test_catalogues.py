"""The catalogues people read corridor in: the template holds every string the code shows, and
each language's catalogue translates all of them, keeps their placeholders and has a glossary
of the field's terms. A string added to the code fails here until it is in every language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from corridor import i18n

ROOT = Path(__file__).resolve().parents[1]
# The practitioners' languages (issue 21): right to left, then left to right.
REQUIRED = ("ur", "ar", "fa", "fr", "tr", "el", "it")
# The field's terms every glossary settles (translators keep one word per term throughout).
TERMS = (
    "alert",
    "case",
    "facilitator",
    "smuggling of migrants",
    "trafficking in persons",
    "request for assistance",
    "contact point",
    "TLP",
    "purpose",
    "third-party rule",
    "victim",
    "travel document",
)
# What must reach the reader untouched: named and positional placeholders, markup, entities.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdfr]|%[sdfr]|\{[a-z_0-9]*\}|<[^>]+>|&[a-z]+;", re.I)


def _catalogue(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _po(lang: str) -> Path:
    return i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def _holders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _catalogue(i18n.LOCALE_DIR / "messages.pot")


def test_every_practitioner_language_has_a_catalogue() -> None:
    missing = [lang for lang in REQUIRED if not _po(lang).is_file()]
    assert not missing, f"no catalogue for {missing}"
    assert set(REQUIRED) <= set(i18n.available())


def test_the_template_holds_every_string_the_code_shows(tmp_path: Path, template: Catalog) -> None:
    fresh = tmp_path / "messages.pot"
    done = subprocess.run(
        ["make", "-s", "messages", f"POT={fresh}", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    extracted = {_key(m.id) for m in _catalogue(fresh) if m.id}
    committed = {_key(m.id) for m in template if m.id}
    assert not extracted - committed, (
        f"strings shown to people but not in messages.pot (run `make messages`): "
        f"{sorted(extracted - committed)[:20]}"
    )
    assert not committed - extracted, (
        f"strings in messages.pot the code no longer shows (run `make messages`): "
        f"{sorted(committed - extracted)[:20]}"
    )


@pytest.mark.parametrize("lang", REQUIRED)
def test_a_catalogue_translates_every_string_and_keeps_its_placeholders(
    lang: str, template: Catalog
) -> None:
    if not _po(lang).is_file():
        pytest.fail(f"no catalogue for {lang}")
    po = _catalogue(_po(lang), lang)
    problems: list[str] = []
    for m in template:
        if not m.id:
            continue
        t = po.get(m.id, context=m.context)
        if t is None:
            problems.append(f"missing: {_key(m.id)!r}")
            continue
        if t.fuzzy:
            problems.append(f"fuzzy: {_key(m.id)!r}")
        forms = list(t.string) if isinstance(t.string, (list, tuple)) else [t.string]
        ids = list(m.id) if isinstance(m.id, (list, tuple)) else [m.id]
        if len(ids) > 1 and len(forms) != po.num_plurals:
            problems.append(f"{len(forms)} plural forms, {po.num_plurals} needed: {ids[0]!r}")
        allowed = {h for i in ids for h in _holders(i)}
        for form in forms:
            if not form:
                problems.append(f"not translated: {_key(m.id)!r}")
            elif (len(ids) == 1 and _holders(form) != _holders(ids[0])) or not set(
                _holders(form)
            ) <= allowed:
                problems.append(f"placeholders changed: {ids[0]!r} → {form!r}")
    stale = [_key(m.id) for m in po if m.id and template.get(m.id, context=m.context) is None]
    problems += [f"not in the template any more: {s!r}" for s in stale]
    assert not problems, f"{lang}: {len(problems)} problem(s): " + "; ".join(problems[:15])


@pytest.mark.parametrize("lang", REQUIRED)
def test_a_glossary_settles_the_fields_terms(lang: str) -> None:
    path = i18n.LOCALE_DIR / lang / "glossary.tsv"
    if not path.is_file():
        pytest.fail(f"no glossary for {lang}")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == ["term", "translation"]
    glossary = {}
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        assert len(cells) >= 2 and cells[0] and cells[1], f"{path.name} line {n}: {line!r}"
        glossary[cells[0].strip().lower()] = cells[1].strip()
    missing = [t for t in TERMS if t.lower() not in glossary]
    assert not missing, f"{lang} glossary lacks {missing}"
    # Two crimes, two words: the two protocols' terms never read the same.
    assert glossary["smuggling of migrants"] != glossary["trafficking in persons"]


@pytest.mark.parametrize("lang", REQUIRED)
def test_the_glossarys_crimes_are_the_words_the_pages_use(lang: str) -> None:
    """The catalogue uses the glossary's terms for the two crimes wherever English does."""
    if not _po(lang).is_file():
        pytest.fail(f"no catalogue for {lang}")
    rows = (i18n.LOCALE_DIR / lang / "glossary.tsv").read_text(encoding="utf-8").splitlines()
    glossary = dict(r.split("\t")[:2] for r in rows[1:])
    po = _catalogue(_po(lang), lang)
    for term in ("smuggling of migrants", "trafficking in persons"):
        word = glossary[term].split(" / ")[0].split(";")[0].strip()
        stem = word[: max(4, int(len(word) * 0.6))]  # inflected languages change endings
        for m in po:
            if isinstance(m.id, str) and term in m.id.lower() and isinstance(m.string, str):
                assert stem.lower() in m.string.lower(), (lang, m.id, m.string, word)
