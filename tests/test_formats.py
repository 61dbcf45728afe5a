"""Dates, numbers, countries and languages in the reader's conventions (corridor.formats)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from corridor import countries, formats
from corridor.formats import Reader

MOMENT = datetime(2026, 12, 7, 10, 5, tzinfo=UTC)


def test_a_moment_reads_in_the_readers_zone_language_and_digits() -> None:
    assert formats.when(MOMENT) == "Dec 7, 2026, 10:05\u202fAM UTC"
    urdu = formats.plain(formats.when(MOMENT, Reader("ur", "Asia/Karachi")))
    assert "دسمبر" in urdu and "3:05" in urdu and "+05:00" in urdu
    french = formats.plain(formats.when(MOMENT, Reader("fr", "Europe/Paris")))
    assert french.startswith("7 déc. 2026") and "11:05" in french and "UTC+01:00" in french
    # Persian writes Extended Arabic-Indic digits; Tehran is 3 h 30 ahead.
    persian = formats.plain(formats.when(MOMENT, Reader("fa", "Asia/Tehran")))
    assert "۲۰۲۶" in persian and "۱۳:۳۵" in persian and "2026" not in persian
    # An ISO string from a record reads the same as the moment it names.
    assert formats.when("2026-12-07T10:05:00Z") == formats.when(MOMENT)
    assert formats.when(None) == "" and formats.day(None) == ""


def test_the_second_calendar_is_shown_beside_the_gregorian_date() -> None:
    # 1 Ramadan 1446 AH (Umm al-Qura) fell on 1 March 2025; Nowruz 1404 on 21 March 2025.
    assert formats.hijri(date(2025, 3, 1)) == "1 Ramadan 1446 AH"
    assert formats.hijri(date(2025, 3, 1), "ar") == "1 رمضان 1446 هـ"
    assert formats.jalali(date(2025, 3, 21)) == "1 Farvardin 1404 SH"
    assert formats.jalali(date(2025, 3, 21), "fa").startswith("1 فروردین 1404")
    hijri_reader = Reader("ar", "Asia/Riyadh", "hijri")
    assert formats.day(date(2025, 3, 1), hijri_reader).endswith("(1 رمضان 1446 هـ)")
    jalali_reader = Reader("fa", "Asia/Tehran", "jalali")
    assert formats.day(date(2025, 3, 21), jalali_reader).endswith("(۱ فروردین ۱۴۰۴ ه‍.ش)")
    assert "Farvardin" in formats.when(
        datetime(2025, 3, 21, 9, tzinfo=UTC), Reader(calendar="jalali")
    )
    # Outside the Umm al-Qura tables nothing is invented.
    assert formats.hijri(date(1900, 1, 1)) == ""
    assert formats.day(date(1900, 1, 1), Reader(calendar="hijri")) == "Jan 1, 1900"


def test_numbers_and_shares_follow_the_locale() -> None:
    assert formats.number(1234567) == "1,234,567"
    assert formats.number(1234567, Reader("fr")) == "1\u202f234\u202f567"
    assert formats.number(1234567.891, Reader("tr"), digits=2) == "1.234.567,89"
    assert formats.number(1234567, Reader("fa")) == "۱٬۲۳۴٬۵۶۷"
    assert formats.number(1234567, Reader("ar_EG")) == "١٬٢٣٤٬٥٦٧"
    assert formats.number(1234567, Reader("ur")) == "1,234,567"  # Pakistan writes ASCII digits
    assert formats.percent(0.256) == "26%"
    assert formats.percent(0.256, Reader("tr"), digits=1) == "%25,6"
    assert formats.percent(0.256, Reader("fr")) == "26\xa0%"
    assert formats.number(None) == "" and formats.percent(None) == ""


def test_countries_and_languages_are_named_in_the_readers_language() -> None:
    assert countries.name_or_code("PK") == "Pakistan"
    assert countries.name_or_code("pk", "ur") == "پاکستان"
    assert countries.name_or_code("QQ") == "QQ" and countries.name_or_code(None) == ""
    formats.activate(Reader("el"))  # by default, the one reading now
    try:
        assert countries.country_name("TR") == "Τουρκία"
    finally:
        formats.activate(Reader())
    assert formats.language("ps") == "Pashto"
    assert formats.language("ps", Reader("fr")) == "pachto"


def test_inputs_accept_any_digits() -> None:
    assert formats.ascii_digits("۰۳۰۰ ۱۲۳۴۵۶۷") == "0300 1234567"
    assert formats.ascii_digits("٢٠٢٦-١٢-٠٧") == "2026-12-07"
    assert formats.ascii_digits("Quetta 12") == "Quetta 12"


def test_zones_are_the_iana_names_people_choose_from() -> None:
    assert formats.valid_zone("Asia/Karachi") and formats.valid_zone("UTC")
    assert not formats.valid_zone("Mars/Olympus") and not formats.valid_zone("Etc/GMT+5")
    # An unknown zone saved before a tz database update reads as UTC, never fails a page.
    assert "10:05" in formats.when(MOMENT, Reader(zone="Gone/Away"))


def test_a_time_typed_in_a_form_is_the_readers_local_time() -> None:
    karachi = Reader("ur", "Asia/Karachi")
    assert formats.from_local("2026-12-07T15:05", karachi) == MOMENT
    assert formats.from_local("۲۰۲۶-۱۲-۰۷T۱۵:۰۵", karachi) == MOMENT  # in Persian digits
    assert formats.from_local("2026-12-07T10:05Z", karachi) == MOMENT  # its own zone wins
    assert formats.from_local("2026-12-07T10:05") == MOMENT  # UTC for a reader without a zone
    assert formats.local_input(MOMENT, karachi) == "2026-12-07T15:05"
    assert formats.local_input("2026-12-07T10:05:00Z", Reader(zone="America/New_York")) == (
        "2026-12-07T05:05"
    )
    assert formats.local_input(None) == ""
    with pytest.raises(ValueError):
        formats.from_local("tomorrow noon", karachi)
