"""The text formats of the directory's form: it takes plain text where the API takes JSON, one
item per line: weekly hours as `mon-fri 08:00-17:00`, duty shifts as `from | to | name | phone`
(UTC), channels as `kind | value | note`, languages as codes separated by spaces or commas.
The parsers name the line of any mistake; the record schema then checks the whole card again,
its mistakes named by `FIELD_LABELS` (the form's names of the fields)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Form
from pydantic import BaseModel

from corridor import clock
from corridor.cooperation.directory import service as directory
from corridor.cooperation.directory.schemas import CHANNELS, DAYS, language_code
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.i18n import gettext as _

FIELD_LABELS: dict[str, str] = {
    "kind": N_("Kind"),
    "name": N_("Name"),
    "role": N_("Function"),
    "unit": N_("Unit"),
    "country": N_("Country"),
    "languages": N_("Languages"),
    "expertise": N_("Expertise"),
    "availability": N_("Availability"),
    "channels": N_("Channels"),
    "notes": N_("Notes"),
}
SPLIT = re.compile(r"[\s,;]+")
_HOURS_LINE = re.compile(
    r"^(?P<days>[A-Za-z ,\-]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


# --- plain-text fields: parse and show back -----------------------------------------------------


def parse_languages(text: str) -> list[str]:
    out: list[str] = []
    for item in (c for c in SPLIT.split(text) if c):
        try:
            code = language_code(item)
        except ValueError as exc:
            raise InvalidInput(_("Languages: %(error)s") % {"error": exc}) from None
        if code not in out:
            out.append(code)
    return out


def _day(token: str, line: int) -> int:
    key = token.strip().lower()[:3]
    if key not in DAYS or len(token.strip()) < 3:
        raise InvalidInput(
            _("Weekly hours, line %(n)d: %(day)r is not a day (mon, tue, … sun)")
            % {"n": line, "day": token.strip()}
        )
    return DAYS.index(key)


def parse_hours(text: str) -> list[dict[str, Any]]:
    """Lines like `mon-fri 08:00-17:00` or `sat, sun 09:00-13:00` (a range may wrap: fri-mon)."""
    out = []
    for n, line in _lines(text):
        m = _HOURS_LINE.match(line)
        if not m:
            raise InvalidInput(
                _("Weekly hours, line %(n)d: write days and times, e.g. mon-fri 08:00-17:00")
                % {"n": n}
            )
        days: list[str] = []
        for part in (p for p in re.split(r"[\s,]+", m.group("days")) if p):
            first, _sep, last = part.partition("-")
            a = _day(first, n)
            b = _day(last, n) if last else a
            i = a
            while True:
                if DAYS[i] not in days:
                    days.append(DAYS[i])
                if i == b:
                    break
                i = (i + 1) % 7
        days.sort(key=DAYS.index)
        out.append({"days": days, "from": m.group("start").zfill(5), "to": m.group("end").zfill(5)})
    return out


def hours_text(hours: list[dict[str, Any]]) -> str:
    return "\n".join(directory.hours_summary(hours))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines that say something, with their number (1 = the first, blank lines counted)."""
    for n, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            yield n, raw.strip()


def _columns(line: str, n: int, counts: tuple[int, ...], error: str) -> list[str]:
    """A line's `|`-separated columns: as many as `counts` allows, all but the last one (an
    optional column) filled in; otherwise `error`, naming the line."""
    parts = [p.strip() for p in line.split("|")]
    if len(parts) not in counts or not all(parts[: min(counts)]):
        raise InvalidInput(error % {"n": n})
    return parts


def _column_text(items: list[dict[str, Any]], keys: tuple[str, ...], optional: str) -> str:
    """Items one a line as `|`-separated columns, the optional last one only where it is set."""
    return "\n".join(
        " | ".join([*(i[k] for k in keys), *([i[optional]] if i.get(optional) else [])])
        for i in items
    )


def parse_rota(text: str) -> list[dict[str, Any]]:
    """Lines `from | to | name | phone` with UTC times (2030-01-07T08:00Z or 2030-01-07 08:00)."""
    out = []
    for n, line in _lines(text):
        parts = _columns(
            line,
            n,
            (3, 4),
            _("Duty rota, line %(n)d: write from | to | name | phone (phone optional)"),
        )
        times = []
        for value in parts[:2]:
            try:
                times.append(clock.iso(clock.parse(value.replace(" ", "T", 1))))
            except ValueError:
                raise InvalidInput(
                    _("Duty rota, line %(n)d: %(value)r is not a UTC time (2030-01-07T08:00Z)")
                    % {"n": n, "value": value}
                ) from None
        shift: dict[str, Any] = {"from": times[0], "to": times[1], "name": parts[2]}
        if len(parts) == 4 and parts[3]:
            shift["phone"] = parts[3]
        out.append(shift)
    return out


def rota_text(rota: list[dict[str, Any]]) -> str:
    return _column_text(rota, ("from", "to", "name"), "phone")


def parse_channels(text: str) -> list[dict[str, Any]]:
    """Lines `kind | value | note` (note optional); kinds as in CHANNELS."""
    out = []
    for n, line in _lines(text):
        parts = _columns(
            line, n, (2, 3), _("Channels, line %(n)d: write kind | value | note (note optional)")
        )
        kind = parts[0].lower().replace("-", "_").replace("/", "_").replace(" ", "_")
        kind = {"e_mail": "email", "siena": "sienna", "i_24_7": "i24_7"}.get(kind, kind)
        if kind not in CHANNELS:
            raise InvalidInput(
                _("Channels, line %(n)d: %(kind)r is not one of %(kinds)s")
                % {"n": n, "kind": parts[0], "kinds": ", ".join(CHANNELS)}
            )
        channel = {"kind": kind, "value": parts[1]}
        if len(parts) == 3 and parts[2]:
            channel["note"] = parts[2]
        out.append(channel)
    return out


def channels_text(channels: list[dict[str, Any]]) -> str:
    return _column_text(channels, ("kind", "value"), "note")


class ContactForm(BaseModel):
    """The card form's own fields (its sharing fields are a web.sharing.SharingForm), kept as
    typed so an error can show them back; capped as the record schema caps them."""

    kind: Annotated[str, Form(max_length=10)] = "person"
    name: Annotated[str, Form(max_length=200)] = ""
    role: Annotated[str, Form(max_length=200)] = ""
    unit: Annotated[str, Form(max_length=200)] = ""
    country: Annotated[str, Form(max_length=3)] = ""
    languages: Annotated[str, Form(max_length=1000)] = ""
    expertise: Annotated[set[str], Form()] = set()
    always: Annotated[str, Form(max_length=8)] = ""  # a checkbox: "1" when ticked
    timezone: Annotated[str, Form(max_length=64)] = ""
    hours: Annotated[str, Form(max_length=100_000)] = ""
    rota: Annotated[str, Form(max_length=100_000)] = ""
    channels: Annotated[str, Form(max_length=100_000)] = ""
    notes: Annotated[str, Form(max_length=20_000)] = ""
    active: Annotated[str, Form(max_length=8)] = ""  # a checkbox: "1" when ticked

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> ContactForm:
        avail = body.get("availability") or {}
        return cls(
            kind=body["kind"],
            name=body["name"],
            role=body.get("role") or "",
            unit=body.get("unit") or "",
            country=body["country"],
            languages=", ".join(body.get("languages", [])),
            expertise=set(body.get("expertise", [])),
            always="1" if avail.get("always") else "",
            timezone=avail.get("timezone") or "",
            hours=hours_text(avail.get("hours", [])),
            rota=rota_text(avail.get("rota", [])),
            channels=channels_text(body.get("channels", [])),
            notes=body.get("notes") or "",
            active="1" if body.get("active", True) else "",
        )

    def body(self) -> dict[str, Any]:
        """The card (the record body) that the form describes."""
        availability: dict[str, Any] = {
            "always": bool(self.always),
            "hours": parse_hours(self.hours),
            "rota": parse_rota(self.rota),
        }
        if self.timezone.strip():
            availability["timezone"] = self.timezone.strip()
        body: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name.strip(),
            "role": self.role.strip() or None,
            "unit": self.unit.strip() or None,
            "country": self.country.strip(),
            "languages": parse_languages(self.languages),
            "expertise": sorted(self.expertise),
            "availability": availability,
            "channels": parse_channels(self.channels),
            "notes": self.notes.strip() or None,
            "active": bool(self.active),
        }
        return {k: v for k, v in body.items() if v is not None}
