"""The labels of a posted sharing form, one function for every page that shares a record."""

from __future__ import annotations

import pytest

from corridor.errors import InvalidInput
from corridor.web.forms import form_labels


def test_red_recipients_and_what_an_edit_keeps() -> None:
    labels = form_labels(
        tlp="RED",
        handling="H3",
        handling_note="  not for the press ",
        purpose="enforcement",
        recipients="user:ana unit:desk@abcdefghijklmnopqrstuvwxyz",
        before={"forward": "none", "expires": "2030-01-01T00:00:00Z", "tlp": "GREEN"},
    )
    assert labels.tlp == "RED" and labels.recipients == [
        "user:ana",
        "unit:desk@abcdefghijklmnopqrstuvwxyz",
    ]
    assert labels.handling_note == "not for the press" and labels.forward == "none"
    assert labels.expires is not None and labels.expires.year == 2030
    # Recipients typed for another level are dropped, not refused.
    assert (
        form_labels(
            tlp="GREEN", handling="H0", purpose="cooperation", recipients="user:x"
        ).recipients
        == []
    )


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"tlp": "RED", "handling": "H0", "purpose": "cooperation"}, "needs named recipients"),
        ({"tlp": "GREEN", "handling": "H3", "purpose": "cooperation"}, "handling_note"),
        ({"tlp": "PURPLE", "handling": "H0", "purpose": "cooperation"}, "Sharing:"),
    ],
)
def test_bad_labels_are_a_clear_error(fields: dict[str, str], needle: str) -> None:
    with pytest.raises(InvalidInput, match=needle):
        form_labels(**fields)
