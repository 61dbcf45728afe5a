"""What every page form that shares a record has in common: its labels fields."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from corridor.errors import InvalidInput
from corridor.i18n import gettext as _
from corridor.records.labels import Labels

# Labels a sharing form does not show: an edit keeps them as they were.
KEPT_ON_EDIT = ("forward", "evaluation", "expires", "review")


def form_labels(
    *,
    tlp: str,
    handling: str,
    purpose: str,
    handling_note: str = "",
    recipients: str = "",
    before: dict[str, Any] | None = None,
    **shown: Any,
) -> Labels:
    """The labels of a posted form: TLP:RED recipients space-separated (ignored for other
    levels); `before` (the record's labels, on an edit) keeps what the form does not show;
    `shown` adds label fields a form does show (evaluation, expires)."""
    kept = {k: v for k, v in (before or {}).items() if k in KEPT_ON_EDIT and v is not None}
    try:
        return Labels.model_validate(
            {
                **kept,
                "tlp": tlp,
                "handling": handling,
                "handling_note": handling_note.strip() or None,
                "purpose": purpose,
                "recipients": recipients.split() if tlp == "RED" else [],
                **shown,
            }
        )
    except ValidationError as exc:
        problems = "; ".join(
            str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        )
        raise InvalidInput(_("Sharing: %(error)s") % {"error": problems}) from None
