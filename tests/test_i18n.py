from __future__ import annotations

from corridor import i18n


def test_direction_follows_the_script_of_the_language() -> None:
    for lang in ("ar", "fa", "ur", "ps", "ar-EG"):
        assert i18n.direction(lang) == "rtl"
    for lang in ("en", "tr", "el", "fr"):
        assert i18n.direction(lang) == "ltr"


def test_negotiation_prefers_the_users_choice_then_the_browser() -> None:
    assert "en" in i18n.available()
    assert i18n.negotiate("xx-YY, en;q=0.5") == "en"
    assert i18n.negotiate(None) == "en"
    assert i18n.negotiate("de", preferred="en") == "en"
    assert i18n.negotiate("de", preferred="zz") == "en"


def test_the_template_catalogue_covers_the_shell() -> None:
    pot = (i18n.LOCALE_DIR / "messages.pot").read_text(encoding="utf-8")
    for msgid in ("Sign in", "Audit log", "Two-factor authentication", "Skip to content"):
        assert f'msgid "{msgid}"' in pot


def test_a_record_types_title_inside_a_notice_reads_in_the_readers_language() -> None:
    from corridor.cooperation.notifications.service import render_title

    assert render_title("{node} read your {what}", {"node": "FIA", "what": "alert"}, "en") == (
        "FIA read your alert"
    )
    french = render_title("{node} read your {what}", {"node": "FIA", "what": "alert"}, "fr")
    assert "FIA" in french and "alerte" in french and "alert " not in french + " "
