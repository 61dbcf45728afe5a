"""gettext for templates and messages; English is the source language, other locales are
catalogues under corridor/locale/<lang>/LC_MESSAGES/messages.po (compiled when loaded)."""

from __future__ import annotations

import gettext as gettext_mod
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
RTL = frozenset({"ar", "fa", "ur", "ps", "he", "ckb", "sd", "ug", "yi", "dv"})

_NULL = gettext_mod.NullTranslations()
_current: ContextVar[gettext_mod.NullTranslations | None] = ContextVar("translations", default=None)


@cache
def available() -> tuple[str, ...]:
    found = [DEFAULT]
    if LOCALE_DIR.is_dir():
        for d in sorted(LOCALE_DIR.iterdir()):
            if (d / "LC_MESSAGES" / "messages.po").is_file():
                found.append(d.name)
    return tuple(found)


@cache
def translations(lang: str) -> gettext_mod.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.is_file():
        return gettext_mod.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext_mod.GNUTranslations(buf)


def language_name(lang: str) -> str:
    try:
        return Locale.parse(lang).get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    langs = available()
    if preferred in langs:
        return preferred
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower().replace("_", "-")
        for candidate in (tag, tag.split("-")[0]):
            if candidate in langs:
                return candidate
    return DEFAULT


def direction(lang: str) -> str:
    return "rtl" if lang.split("-")[0] in RTL else "ltr"


def activate(lang: str) -> None:
    _current.set(translations(lang))


def gettext(message: str) -> str:
    return (_current.get() or _NULL).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_current.get() or _NULL).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose English reads the same as another's but not in every language ("read":
    a token's scope, an alert's state)."""
    return (_current.get() or _NULL).pgettext(context, message)


_ = gettext


def NC_(context: str, message: str) -> str:
    """`N_` for a message with a context (see `pgettext`)."""
    return message


def N_(message: str) -> str:
    """Mark a string for extraction; translated later where it is shown."""
    return message
