"""Every FollowTheMoney label a page shows is in our catalogue's source list."""

from __future__ import annotations

from corridor.entities import ftm_labels


def test_every_label_a_page_shows_is_listed_for_the_catalogue() -> None:
    missing = ftm_labels.shown() - set(ftm_labels.LABELS)
    assert not missing, f"add to entities/ftm_labels.py LABELS: {sorted(missing)}"
    assert len(ftm_labels.LABELS) == len(set(ftm_labels.LABELS))
