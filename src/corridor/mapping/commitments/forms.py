"""The commitment forms' text formats: milestones as `due date | title` and indicators as
`name | unit | baseline | target` (one a line, or one a row of the edit form), numbers and dates
as people type them, and the ids milestones and indicators get from their titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import Form
from pydantic import BaseModel, ValidationError

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping.forms import lines, split_codes
from corridor.mapping.schemas import Evidence

# How many empty rows the edit form offers for new milestones and indicators (no JavaScript
# needed to add more: save, and the form comes back with fresh empty rows).
EMPTY_ROWS = 3
ID_LENGTH = 36  # leaves room for a "-NN" suffix within the schema's 40 characters


def slug(title: str, taken: set[str], fallback: str) -> str:
    """An id for a milestone or indicator made from its title ("Train 40 officers" →
    "train-40-officers"), unique among `taken`, which it joins. Titles in other scripts give
    no Latin letters: the fallback word is used then."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:ID_LENGTH].strip("-")
    base = base or fallback
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def parse_number(text: str, what: str) -> float:
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(
            _("%(what)s: %(value)s is not a number") % {"what": what, "value": text.strip()}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(_("%(what)s: give a finite number") % {"what": what})
    return value


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _("%(what)s: %(value)s is not a date (YYYY-MM-DD)")
            % {"what": what, "value": text.strip()}
        ) from None


def parse_milestone_lines(text: str) -> list[dict[str, Any]]:
    """One milestone a line, "due date | title"; blank lines are skipped."""
    out = []
    for where, line in lines(text, N_("Milestones, line %(n)d")):
        due, sep, title = line.partition("|")
        if not sep or not title.strip() or not due.strip():
            raise InvalidInput(
                _("%(where)s: write “due date | title”, e.g. 2027-06-30 | Train 40 officers")
                % {"where": where}
            )
        out.append(
            {"due": parse_day(due, where).isoformat(), "title": title.strip(), "where": where}
        )
    return out


def parse_indicator_lines(text: str) -> list[dict[str, Any]]:
    """One indicator a line, "name | unit | baseline | target" (the unit may be empty)."""
    out = []
    for where, line in lines(text, N_("Indicators, line %(n)d")):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0] or not parts[2] or not parts[3]:
            raise InvalidInput(
                _(
                    "%(where)s: write “name | unit | baseline | target”, "
                    "e.g. Officers trained | persons | 0 | 40"
                )
                % {"where": where}
            )
        out.append(
            {
                "name": parts[0],
                "unit": parts[1],
                "baseline": parse_number(parts[2], where),
                "target": parse_number(parts[3], where),
                "where": where,
            }
        )
    return out


def milestone_rows(ids: list[str], dues: list[str], titles: list[str]) -> list[dict[str, Any]]:
    """The edit form's milestone rows (hidden id, due, title); empty rows are skipped."""
    out = []
    for n, (mid, due, title) in enumerate(aligned(ids, dues, titles), start=1):
        if not due.strip() and not title.strip():
            continue
        where = _("Milestone row %(n)d") % {"n": n}
        if not due.strip() or not title.strip():
            raise InvalidInput(_("%(where)s: give a due date and a title") % {"where": where})
        out.append(
            {
                "id": mid.strip() or None,
                "due": parse_day(due, where).isoformat(),
                "title": title.strip(),
                "where": where,
            }
        )
    return out


def indicator_rows(
    ids: list[str], names: list[str], units: list[str], baselines: list[str], targets: list[str]
) -> list[dict[str, Any]]:
    """The edit form's indicator rows; empty rows are skipped."""
    out = []
    rows = aligned(ids, names, units, baselines, targets)
    for n, (iid, name, unit, baseline, target) in enumerate(rows, start=1):
        if not (name.strip() or baseline.strip() or target.strip()):
            continue
        where = _("Indicator row %(n)d") % {"n": n}
        if not (name.strip() and baseline.strip() and target.strip()):
            raise InvalidInput(
                _("%(where)s: give a name, a baseline and a target") % {"where": where}
            )
        out.append(
            {
                "id": iid.strip() or None,
                "name": name.strip(),
                "unit": unit.strip(),
                "baseline": parse_number(baseline, where),
                "target": parse_number(target, where),
                "where": where,
            }
        )
    return out


def aligned(*columns: list[str]) -> list[tuple[str, ...]]:
    """Rows from form fields sent once per row; a tampered form with ragged columns is refused
    rather than silently mismatching values and titles."""
    if len({len(c) for c in columns}) > 1:
        raise InvalidInput(_("the form's rows do not line up; reload the page and try again"))
    return list(zip(*columns, strict=True))


def build_milestones(
    items: Iterable[dict[str, Any]], existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Milestones for the action body: existing ones keep their id (updates refer to it) and
    the date they were reached; new ones get an id from their title."""
    known = {m["id"]: m for m in existing}
    items = list(items)
    taken = {i["id"] for i in items if i.get("id") in known}
    out = []
    for item in items:
        old = known.get(item.get("id") or "")
        mid = old["id"] if old else slug(item["title"], taken, "milestone")
        m: dict[str, Any] = {"id": mid, "title": item["title"], "due": item["due"]}
        if old and old.get("done_on"):
            m["done_on"] = old["done_on"]
        out.append(m)
    return out


def build_indicators(
    items: Iterable[dict[str, Any]], existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    known = {i["id"]: i for i in existing}
    items = list(items)
    taken = {i["id"] for i in items if i.get("id") in known}
    out = []
    for item in items:
        if item["baseline"] == item["target"]:
            raise InvalidInput(
                _("%(where)s: the target equals the baseline") % {"where": item["where"]}
            )
        old = known.get(item.get("id") or "")
        iid = old["id"] if old else slug(item["name"], taken, "indicator")
        ind: dict[str, Any] = {
            "id": iid,
            "name": item["name"],
            "baseline": item["baseline"],
            "target": item["target"],
        }
        if item["unit"]:
            ind["unit"] = item["unit"]
        if old and old.get("current") is not None:
            ind["current"] = old["current"]
        out.append(ind)
    return out


def check_removals(
    body: dict[str, Any], milestones: list[dict[str, Any]], indicators: list[dict[str, Any]]
) -> None:
    """Removing a milestone or indicator that an update reported on would orphan that update:
    say which one, instead of the schema's bare "unknown milestones"."""
    updates = body.get("updates", [])
    reported_m = {mid for u in updates for mid in u.get("milestones_done", [])}
    reported_i = {iid for u in updates for iid in u.get("values", {})}
    kept_m = {m["id"] for m in milestones}
    kept_i = {i["id"] for i in indicators}
    for m in body.get("milestones", []):
        if m["id"] in reported_m and m["id"] not in kept_m:
            raise InvalidInput(
                _("milestone “%(title)s” was reported in a progress update; it cannot be removed")
                % {"title": m["title"]}
            )
    for i in body.get("indicators", []):
        if i["id"] in reported_i and i["id"] not in kept_i:
            raise InvalidInput(
                _("indicator “%(name)s” has values in progress updates; it cannot be removed")
                % {"name": i["name"]}
            )


# --- the list --------------------------------------------------------------------------------


def plain(value: float) -> str:
    """A number as a user would type it: 40, not 40.0."""
    return f"{value:g}" if float(value).is_integer() else str(value)


class CommitmentForm(BaseModel):
    """The new-commitment form's own fields (its sharing fields are a web.sharing.SharingForm),
    kept as typed so an error can show them back."""

    title: Annotated[str, Form(max_length=300)] = ""
    theme: Annotated[str, Form(max_length=40)] = ""
    text: Annotated[str, Form(max_length=20_000)] = ""
    adopted: Annotated[str, Form(max_length=10)] = ""
    ends: Annotated[str, Form(max_length=10)] = ""
    countries: Annotated[str, Form(max_length=2000)] = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> CommitmentForm:
        return cls(
            title=body["title"],
            theme=body["theme"],
            text=body["text"],
            adopted=body["adopted"],
            ends=body.get("ends") or "",
            countries=", ".join(body.get("countries", [])),
        )

    def body(self) -> dict[str, Any]:
        """The commitment's body as typed; the record schema checks it."""
        body: dict[str, Any] = {
            "title": self.title,
            "theme": self.theme,
            "text": self.text,
            "countries": split_codes(self.countries),
        }
        # An empty date field is left out, so the schema says "adopted: Field required".
        if self.adopted.strip():
            body["adopted"] = self.adopted.strip()
        if self.ends.strip():
            body["ends"] = self.ends.strip()
        return body


def action_fields(
    title: str,
    owner: str,
    description: str,
    milestones: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    **more: Any,
) -> dict[str, Any]:
    """What an action form gives the service (commitments.service.save_action)."""
    fields: dict[str, Any] = {
        "title": title,
        "owner": owner,
        **more,
        "milestones": milestones,
        "indicators": indicators,
    }
    if description.strip():
        fields["description"] = description
    return fields


def update_evidence(title: str, url: str) -> list[dict[str, Any]]:
    """The link a progress update cites, if any: its title defaults to the address. Checked
    here, so that a mistake names the form's field (`evidence_title`, `evidence_url`)."""
    if url.strip():
        item = {"kind": "link", "title": title.strip() or url.strip()[:300], "url": url.strip()}
        try:
            Evidence.model_validate(item)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            raise InvalidInput(
                _("evidence: %(error)s") % {"error": "; ".join(e["msg"] for e in errors)},
                errors=[{**e, "loc": (f"evidence_{e['loc'][0]}",)} for e in errors if e["loc"]],
            ) from None
        return [item]
    if title.strip():
        raise InvalidInput(_("evidence_url: give the link (https://…) with its title"))
    return []


def typed_rows(m_cols: list[list[str]], i_cols: list[list[str]]) -> dict[str, Any]:
    """The edit form's milestone and indicator rows as typed (empty rows left out), to show
    them back with an error."""
    return {
        "milestones": [
            {"id": a, "due": b, "title": c}
            for a, b, c in zip(*m_cols, strict=False)
            if b.strip() or c.strip()
        ],
        "indicators": [
            {"id": a, "name": b, "unit": c, "baseline": d, "target": e}
            for a, b, c, d, e in zip(*i_cols, strict=False)
            if b.strip() or d.strip() or e.strip()
        ],
    }


def rows_of(body: dict[str, Any]) -> dict[str, Any]:
    """An action's milestones and indicators as the edit form's rows."""
    return {
        "milestones": [
            {"id": m["id"], "due": m["due"], "title": m["title"]}
            for m in body.get("milestones", [])
        ],
        "indicators": [
            {
                "id": i["id"],
                "name": i["name"],
                "unit": i.get("unit") or "",
                "baseline": plain(i["baseline"]),
                "target": plain(i["target"]),
            }
            for i in body.get("indicators", [])
        ],
    }


def with_blank_rows(form: dict[str, Any]) -> dict[str, Any]:
    blank_m = {"id": "", "due": "", "title": ""}
    blank_i = {"id": "", "name": "", "unit": "", "baseline": "", "target": ""}
    return {
        **form,
        "milestones": [*form["milestones"], *([blank_m] * EMPTY_ROWS)],
        "indicators": [*form["indicators"], *([blank_i] * EMPTY_ROWS)],
    }
