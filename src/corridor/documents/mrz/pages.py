"""The MRZ check page for front-line use: paste or type the lines, see each check pass or fail,
what the MRZ says, what is odd, and the corrections OCR confusions suggest (each one a button
that checks the corrected lines). Nothing is stored but the audit entry of each check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from corridor import countries, i18n
from corridor.documents.mrz import codes, service
from corridor.documents.mrz.schemas import MAX_LINE, MAX_SENT, MrzCheckIn
from corridor.documents.mrz.suggest import Suggestion
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth
from corridor.web.refusals import FormFields, Refusal
from corridor.web.render import activate_locale, page

router = APIRouter(include_in_schema=False)
PATH = "/documents/mrz"
# The textarea: a few lines of an MRZ with room for what is pasted around it.
MrzText = Annotated[str, Form(max_length=MAX_SENT * (MAX_LINE + 2))]

# How the page names each check and warning.
LABELS = {
    "line_length": N_("Line length"),
    "characters": N_("Characters"),
    "document_number": N_("Document number"),
    "birth_date": N_("Birth date"),
    "expiry_date": N_("Expiry date"),
    "personal_number": N_("Personal number"),
    "composite": N_("Composite check digit"),
    "sex": N_("Sex"),
    "document_code": N_("Document code"),
    "issuing_state": N_("Issuing state"),
    "nationality": N_("Nationality"),
    "names": N_("Name"),
    "birth_after_expiry": N_("Dates"),
    "input": N_("Input"),
}
FORMAT_LABELS = {
    "TD1": N_("TD1 (identity card, 3 lines of 30)"),
    "TD2": N_("TD2 (identity card, 2 lines of 36)"),
    "TD3": N_("TD3 (passport, 2 lines of 44)"),
    "MRVA": N_("MRV-A (visa, 2 lines of 44)"),
    "MRVB": N_("MRV-B (visa, 2 lines of 36)"),
}


def _state(code: str, lang: str) -> str:
    """A state or organisation code with its name in the reader's language where CLDR has one."""
    name = codes.state_name(code)
    if name is None:
        return code
    if code in codes.ISO_CODES:
        name = countries.country_name(code, lang)
    return f"{code} · {name}"


def _marked(suggestion: Suggestion, old: tuple[str, ...]) -> list[list[tuple[str, bool]]]:
    """Each corrected line as runs of (text, changed) for the page to mark the changes."""
    out = []
    for new_line, old_line in zip(suggestion.lines, old, strict=True):
        runs: list[tuple[str, bool]] = []
        for new, was in zip(new_line, old_line, strict=True):
            changed = new != was
            if runs and runs[-1][1] == changed:
                runs[-1] = (runs[-1][0] + new, changed)
            else:
                runs.append((new, changed))
        out.append(runs)
    return out


def _page(
    request: Request,
    auth: Auth,
    text: str = "",
    checked: service.Checked | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {"text": text, "error": error, "labels": LABELS, "checked": checked}
    if checked is not None:
        mrz = checked.mrz
        lang = i18n.negotiate(request.headers.get("accept-language"), auth.locale)
        context.update(
            mrz=mrz,
            format_label=FORMAT_LABELS[mrz.format],
            issuing_state=_state(mrz.fields["issuing_state"] or "", lang),
            nationality=_state(mrz.fields["nationality"] or "", lang),
            suggestions=[(s, _marked(s, mrz.lines)) for s in checked.suggestions],
        )
    return page(request, "documents/mrz.html", context, status=status, auth=auth)


@router.get(PATH, response_class=HTMLResponse)
def mrz_page(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require(service.PERMISSION)
    return _page(request, auth)


@router.post(PATH, response_class=HTMLResponse)
def mrz_check(request: Request, auth: PageAuth, mrz: MrzText = "") -> HTMLResponse:
    auth.principal.require(service.PERMISSION)
    activate_locale(request, auth)
    try:
        lines = MrzCheckIn(lines=mrz.splitlines()).lines
        with node_of(request).db.transaction() as session:
            checked = service.check(session, actor=auth.principal, lines=lines)
    except (ValidationError, InvalidInput) as exc:
        fields = FormFields.of(["lines", "mrz"], {"lines": N_("MRZ"), "mrz": N_("MRZ")})
        error = Refusal.of(exc, fields).summary()
        return _page(request, auth, mrz, error=error, status=422)
    return _page(request, auth, mrz, checked)
