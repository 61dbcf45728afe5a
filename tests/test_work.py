"""The order of the dashboard's work: items past their deadline first, then by severity, then
by the nearest deadline; sections with something late or urgent first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corridor import work

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def _item(title: str, **kw: object) -> work.Item:
    return work.Item(title=title, link=f"/x/{title}", **kw)  # type: ignore[arg-type]


def _due(title: str, hours: float, **kw: object) -> work.Item:
    return _item(title, when=NOW + timedelta(hours=hours), countdown=True, **kw)


def test_items_most_pressing_first() -> None:
    items = [
        _item("low, no deadline"),
        _item("due tomorrow", when=NOW + timedelta(days=1), countdown=True, severity=work.MEDIUM),
        _item(
            "due in an hour", when=NOW + timedelta(hours=1), countdown=True, severity=work.MEDIUM
        ),
        _item("urgent", severity=work.URGENT, when=NOW - timedelta(days=3)),
        _item(
            "late", overdue=True, severity=work.LOW, when=NOW - timedelta(hours=1), countdown=True
        ),
    ]
    assert [i.title for i in work.ordered(items)] == [
        "late",
        "urgent",  # an arrival time is no deadline: severity alone ranks it
        "due in an hour",
        "due tomorrow",
        "low, no deadline",
    ]
    assert len(work.ordered(items * 3)) == work.SHOWN


def test_sections_with_something_late_or_urgent_lead() -> None:
    late = work.Count("overdue", 1, "/a", alarm=True)
    calm = work.Count("overdue", 0, "/b", alarm=True)
    sections = [
        work.Section("empty", "Empty", order=1, counts=(calm,)),
        work.Section("busy", "Busy", order=2, counts=(calm,), items=(_item("a"),)),
        work.Section("late", "Late", order=3, counts=(late,), items=(_item("b"),)),
        work.Section("also-empty", "Also empty", order=0),
    ]
    assert [s.key for s in work.ranked(sections)] == ["late", "busy", "also-empty", "empty"]
    assert work.ranked(sections)[0].alarm and not sections[1].alarm
