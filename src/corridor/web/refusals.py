"""Why a page form was refused, in plain words and field by field.

A `Refusal` gathers what was wrong with a posted form, wherever it was found: in the form's own
fields (web.forms.typed: a value over its limit, a number that is not one), in a schema the
service checked (a record's body: `title`, `legs.0.from`), or in a service's own words
("to: name at least one partner node"). `FormFields` says how the form names its fields: each
mistake goes to the field it names (by the field's name or by its label) and is said in plain
words ("at most 300 characters (you typed 301)" rather than pydantic's "String should have at
most 300 characters"); what names no field of the form is said of the form as a whole.

`mark` shows each mistake beside its field on the page the form comes back on: it reads the
page's HTML, finds the form that was posted (by its action) and the controls it names, puts the
message at the end of the control's label (after the control when it has none; at the end of
the fieldset for a group of checkboxes) and marks the control `aria-invalid`, described by its
message (hidden from the label's name, so the field keeps its name). One place for every form:
no template says how a mistake is shown, and the page's `error` (the summary at the top) is
`Refusal.summary`, each field named in it as its label names it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from markupsafe import escape
from pydantic import ValidationError

from corridor.errors import CorridorError
from corridor.i18n import N_, gettext

# What a part of a location says that is not a field: "body" (FastAPI), a list's position.
_WHERE = ("body", "query", "form")
# A service's sentence that names its field: "Title: …", "Stops, line 3: …", "to: …".
_NAMED = re.compile(r"^(?P<head>[^:;\n]{1,80}):\s+(?P<text>\S.*)$", re.S)
# A field named as a service names it ("to", "valid_until"): beside the control of that name.
_IDENTIFIER = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)(?:, (?P<where>.+))?$")
# Labels of the fields that many forms share (the sharing fields), as the forms show them.
SHARED_LABELS: dict[str, str] = {
    "to": N_("Recipients"),
    "tlp": "TLP",
    "handling": N_("Handling"),
    "handling_note": N_("Restriction (with H3)"),
    "purpose": N_("Purpose"),
    "recipients": N_("TLP:RED recipients"),
}


# --- plain words ------------------------------------------------------------------------------

TOO_LONG = N_("at most %(n)s characters")
# pydantic's messages (the same in every answer it gives) and how a person is told the same.
_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), message)
    for pattern, message in (
        (r"^Field required$", N_("required")),
        (r"^String should have at least 1 character$", N_("required")),
        (r"^List should have at least 1 item.*$", N_("required")),
        (r"^Set should have at least 1 item.*$", N_("required")),
        (r"^String should have at most (?P<n>\d+) characters?$", TOO_LONG),
        (r"^String should have at least (?P<n>\d+) characters$", N_("at least %(n)s characters")),
        (r"^(List|Set) should have at most (?P<n>\d+) items?.*$", N_("at most %(n)s items")),
        (r"^(List|Set) should have at least (?P<n>\d+) items.*$", N_("at least %(n)s items")),
        (r"^Input should be a valid integer.*$", N_("not a whole number")),
        (r"^Input should be a valid number.*$", N_("not a number")),
        (r"^Input should be a finite number$", N_("not a number")),
        (r"^Input should be greater than or equal to (?P<n>\S+)$", N_("at least %(n)s")),
        (r"^Input should be less than or equal to (?P<n>\S+)$", N_("at most %(n)s")),
        (r"^Input should be greater than (?P<n>\S+)$", N_("more than %(n)s")),
        (r"^Input should be less than (?P<n>\S+)$", N_("less than %(n)s")),
        (r"^Input should be a valid UUID.*$", N_("not a valid id")),
        (r"^Input should be a valid datetime.*$", N_("not a date and time")),
        (r"^Input should be a valid date.*$", N_("not a date (YYYY-MM-DD)")),
        (r"^Input should be a valid boolean.*$", N_("not yes or no")),
        (
            r"^Input should be a valid (string|list|dictionary|set).*$",
            N_("not a value the form sends"),
        ),
        (r"^Input should be '.*$", N_("not one of the choices offered")),
        (r"^String should match pattern .*$", N_("not in the expected form")),
        (r"^Extra inputs are not permitted$", N_("not a field of this form")),
    )
)


def plain(message: str, typed: object = None) -> str:
    """One mistake in plain words, translated: pydantic's own wording replaced by what a person
    is told (`typed`: the value as typed, for the length of one that is too long); a
    validator's own sentence (`Value error, …`) as it is."""
    message = message.strip().removeprefix("Value error, ").removeprefix("Assertion failed, ")
    for pattern, said in _PLAIN:
        m = pattern.match(message)
        if m is None:
            continue
        text = gettext(said) % m.groupdict() if m.groupdict() else gettext(said)
        if said is TOO_LONG and isinstance(typed, str):
            text = gettext("at most %(n)s characters (you typed %(typed)d)") % {
                "n": m.group("n"),
                "typed": len(typed),
            }
        return text
    return message


def _position(parts: Sequence[object]) -> str:
    """Where in a field a mistake is (a list's item, a member of an object), as a person
    counts: ("legs", 0, "from") → "no. 1 from"."""
    return " ".join(
        gettext("no. %(n)d") % {"n": p + 1} if isinstance(p, int) else str(p) for p in parts
    )


# --- the form's fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class FormFields:
    """How a form names its fields: `names` (what its controls are called, e.g. the fields of
    its form models) and `labels` (field → its label as the form shows it, a message id; a
    field not listed is named after itself: "valid_until" → "Valid until"). A service's
    sentence that names a field by its label is that field's."""

    names: frozenset[str] = frozenset()
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str] = (), labels: Mapping[str, str] | None = None) -> FormFields:
        labels = {**SHARED_LABELS, **(labels or {})}
        return cls(frozenset(names), labels)

    def label(self, name: str) -> str:
        if name in self.labels:
            return gettext(self.labels[name])
        return name.replace("_", " ").strip().capitalize()

    def named_in(self, head: str) -> tuple[str, str] | None:
        """The field a sentence's head names ("Title", "Stops, line 3", or a name as services
        write them: "to", "valid_until"), with what the head says besides ("line 3"); None
        when it names no field."""
        if m := _IDENTIFIER.match(head):
            return m.group("name"), m.group("where") or ""
        low = head.strip().lower()
        candidates = sorted(
            ((n, c) for n in self.names | set(self.labels) for c in (n, self.label(n))),
            # The longest first; of two alike, the form's own field (a control's name).
            key=lambda nc: (-len(nc[1]), nc[0] not in self.names, nc[0]),
        )
        for name, said in candidates:
            s = said.lower()
            if low == s or (low.startswith(s) and low[len(s)] in ", ("):
                return name, head.strip()[len(said) :].strip(" ,")
        return None


# --- a refusal --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """One thing wrong with a form: about `field` (None: the form as a whole), named `label`
    (as far as the form's fields tell; web.refusals.mark names it as the page labels it),
    `where` in it (a line, an item) and what is wrong (`text`)."""

    field: str | None
    label: str
    where: str
    text: str

    def beside(self) -> str:
        """What is said beside the field."""
        return f"{self.where}: {self.text}" if self.where else self.text

    def said(self, label: str | None = None) -> str:
        """The whole sentence, naming the field (by `label` when the page's is known)."""
        name = label or self.label
        if not name:
            return self.beside()
        return f"{name}, {self.where}: {self.text}" if self.where else f"{name}: {self.text}"


@dataclass(frozen=True)
class Refusal:
    """What was wrong with a posted form, in plain words."""

    mistakes: tuple[Mistake, ...]

    @classmethod
    def of(cls, exc: BaseException, fields: FormFields | None = None) -> Refusal:
        """A refusal from what refused the form: a validation (pydantic's, or FastAPI's of the
        request), a service's error (its `errors` when it carries them, else its words)."""
        fields = fields or FormFields.of()
        if isinstance(exc, ValidationError):
            return cls.of_errors(exc.errors(include_url=False), fields)
        if isinstance(exc, CorridorError):
            errors = exc.extra.get("errors")
            if errors:
                return cls.of_errors(errors, fields)
            return cls.of_words(exc.detail, fields)
        errors_of = getattr(exc, "errors", None)
        if callable(errors_of):  # fastapi.exceptions.RequestValidationError
            return cls.of_errors(errors_of(), fields)
        return cls.of_words(str(exc), fields)

    @classmethod
    def of_errors(cls, errors: Iterable[Mapping[str, Any]], fields: FormFields) -> Refusal:
        """From validation errors (`loc`, `msg`, and `input` when known): a location's first
        part names the field ("body", FastAPI's, left out), the rest where in it."""
        out = []
        for e in errors:
            loc = list(e.get("loc", ()))
            while loc and loc[0] in _WHERE:
                loc = loc[1:]
            text = plain(str(e.get("msg", "")), e.get("input"))
            if not loc:
                out.append(Mistake(None, "", "", text))
                continue
            name = str(loc[0])
            out.append(Mistake(name, fields.label(name), _position(loc[1:]), text))
        return cls(tuple(out))

    @classmethod
    def of_words(cls, detail: str, fields: FormFields) -> Refusal:
        """From a service's sentences ("; " between them): one that starts by naming a field
        ("to: …", "Title: …", "Stops, line 3: …") is that field's."""
        out: list[Mistake] = []
        for part in detail.split("; "):
            m = _NAMED.match(part)
            named = fields.named_in(m.group("head")) if m else None
            if m is None or named is None:
                said = f"{m.group('head')}: {plain(m.group('text'))}" if m else plain(part)
                if out:  # the rest of the sentence before (it held "; " of its own)
                    last = out.pop()
                    said = f"{last.text}; {said}"
                    out.append(Mistake(last.field, last.label, last.where, said))
                else:
                    out.append(Mistake(None, "", "", said))
                continue
            name, where = named
            out.append(Mistake(name, fields.label(name), where, plain(m.group("text"))))
        return cls(tuple(out))

    def __add__(self, other: Refusal) -> Refusal:
        return Refusal(self.mistakes + other.mistakes)

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        """Every mistake in one line, each naming its field (by `labels`, field → label, where
        given): the page's `error`."""
        labels = labels or {}
        return "; ".join(m.said(labels.get(m.field or "")) for m in self.mistakes)

    def beside(self) -> dict[str, list[str]]:
        """What is said beside each field."""
        out: dict[str, list[str]] = {}
        for m in self.mistakes:
            if m.field is not None:
                out.setdefault(m.field, []).append(m.beside())
        return out


# --- beside the fields ------------------------------------------------------------------------


@dataclass
class _Control:
    name: str
    kind: str  # input type, "select" or "textarea"
    start: int  # where its start tag begins
    tag_end: int  # where its start tag's ">" is
    end: int  # just after the control (its end tag included)
    label: _Around | None = None  # the label it is in
    fieldset: _Around | None = None  # the fieldset it is in


@dataclass
class _Around:
    """A label or a fieldset: where its end tag begins, and its text (a fieldset's: its
    legend's) without what the controls in it say (a select's options, a textarea's text)."""

    tag: str
    end: int = -1
    text: list[str] = field(default_factory=list)


# What a control says inside its label is not the label's text (options have no end tag
# to count on; they are inside one of these).
_QUIET = ("select", "textarea", "datalist")


class _Form(HTMLParser):
    """The controls of the forms that post to `action`, with their labels."""

    def __init__(self, html: str, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.action = action
        self.lines = [0] + [m.end() for m in re.finditer("\n", html)]
        self.inside = False
        self.open: list[_Around] = []  # labels and fieldsets
        self.quiet = 0  # inside a select, a textarea, a datalist: not label text
        self.legend = False
        self.controls: list[_Control] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            target = (a.get("action") or self.action).split("?")[0].split("#")[0]
            self.inside = target == self.action
            return
        if not self.inside:
            return
        if tag in ("label", "fieldset"):
            self.open.append(_Around(tag))
        elif tag == "legend":
            self.legend = True
        if tag in _QUIET:
            self.quiet += 1
        if tag in ("input", "select", "textarea") and a.get("name"):
            kind = tag if tag != "input" else (a.get("type") or "text").lower()
            if kind in ("hidden", "submit", "button", "reset", "image"):
                return
            at, text = self._at(), self.get_starttag_text() or ""
            tag_end = at + len(text) - (2 if text.endswith("/>") else 1)
            control = _Control(str(a["name"]), kind, at, tag_end, at + len(text))
            control.label = next((o for o in reversed(self.open) if o.tag == "label"), None)
            control.fieldset = next((o for o in reversed(self.open) if o.tag == "fieldset"), None)
            self.controls.append(control)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        if not self.inside:
            return
        if tag in _QUIET:
            self.quiet = max(0, self.quiet - 1)
        if tag in ("select", "textarea") and self.controls and self.controls[-1].kind == tag:
            self.controls[-1].end = self.html.index(">", self._at()) + 1
        elif tag == "legend":
            self.legend = False
        elif self.open and self.open[-1].tag == tag:
            self.open.pop().end = self._at()

    def handle_data(self, data: str) -> None:
        if not self.inside or self.quiet or not self.open:
            return
        around = self.open[-1]
        if around.tag == "label" or self.legend:
            around.text.append(data)


def _short(label: str) -> str:
    """A label as a mistake names its field: up to where it starts explaining itself
    ("Countries (ISO codes such as PK, …)" → "Countries", "Weekly hours, one slot per line: …"
    → "Weekly hours"); a short aside stays ("Valid until (UTC)")."""
    label = " ".join(label.split())
    for m in re.finditer(r" \(|: |, ", label):
        if len(label) - m.end() > 12:
            return label[: m.start()]
    return label


def _ident(name: str) -> str:
    return "error-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def mark(html: str, action: str, refusal: Refusal) -> str:
    """`html` (a page) with each mistake of `refusal` shown beside its field in the form posting
    to `action` (the field marked invalid and described by it), and the summary the page shows
    (`refusal.summary()`) naming each field as its label does. A field the form does not show
    is left to the summary."""
    beside = refusal.beside()
    parser = _Form(html, action)
    parser.feed(html)
    parser.close()
    edits: list[tuple[int, str]] = []
    labels: dict[str, str] = {}
    for control in parser.controls:
        messages = beside.get(control.name)
        if not messages:
            continue
        ident = _ident(control.name)
        if "aria-describedby" not in html[control.start : control.tag_end]:
            edits.append((control.tag_end, f' aria-invalid="true" aria-describedby="{ident}"'))
        if control.name in labels:
            continue
        grouped = control.kind in ("checkbox", "radio") and control.fieldset is not None
        around = control.fieldset if grouped else control.label
        labels[control.name] = _short("".join(around.text)) if around else ""
        # Not part of the label's name (the field is still called "Title"): its description.
        note = (
            f'<span class="field-error" id="{ident}" aria-hidden="true">'
            f"{escape('; '.join(messages))}</span>"
        )
        edits.append((around.end if around and around.end >= 0 else control.end, note))
    for at, text in sorted(edits, key=lambda e: e[0], reverse=True):
        html = html[:at] + text + html[at:]
    named = {k: v for k, v in labels.items() if v}
    if named:
        html = html.replace(str(escape(refusal.summary())), str(escape(refusal.summary(named))), 1)
    return html
