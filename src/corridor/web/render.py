"""Template rendering with the shell's context (node, user, CSRF token, navigation, language), and
the listing pages that refresh their rows live (`live_list`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from corridor import __version__, countries, formats, i18n, modules
from corridor.assets import VENDOR
from corridor.records.labels import HANDLING_TEXT, PURPOSE_LABELS, TLP_LEVELS
from corridor.security.people import People, Person
from corridor.security.roles import ROLE_LABELS, SCOPE_LABELS, Role
from corridor.web import nav
from corridor.web.auth import Auth, node_of, use_reader

TEMPLATES_DIR = Path(__file__).parent / "templates"
FLASH_COOKIE = "corridor_flash"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader([TEMPLATES_DIR, *modules.template_dirs()]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    # Values in the reader's conventions (corridor.formats, activated per request with the
    # language): `dt` a moment, `day` a calendar day, `num`/`pct` numbers and shares.
    env.filters["dt"] = formats.when
    env.filters["day"] = formats.day
    env.filters["num"] = formats.number
    env.filters["pct"] = formats.percent
    env.filters["period"] = formats.period
    env.globals["vendor"] = VENDOR
    env.filters["country_name"] = countries.name_or_code
    env.globals.update(
        version=__version__,
        role_label=lambda r: i18n.gettext(ROLE_LABELS[Role(r)]),
        roles=list(Role),
        tlp_levels=TLP_LEVELS,
        handling_text=HANDLING_TEXT,
        person=_person,
        ui_languages=_ui_languages,
        reader=formats.current,
        purpose_label=lambda p: i18n.gettext(PURPOSE_LABELS.get(str(p), str(p))),
        scope_label=lambda s: i18n.pgettext("token scope", SCOPE_LABELS.get(str(s), str(s))),
    )
    return env


def _ui_languages() -> list[tuple[str, str]]:
    """Each language this node has a catalogue for, named in itself (اردو, Français)."""
    return [(code, i18n.language_name(code)) for code in i18n.available()]


def people_of(request: Request) -> People:
    """This node's people as the page names them: read once per request, at the first name
    the page shows (one query for the users, one for the units)."""
    known: People | None = getattr(request.state, "people", None)
    if known is None:
        node = node_of(request)
        with node.db.reading() as session:
            known = People(node.id).load(session)
        request.state.people = known
    return known


@pass_context
def _person(ctx: Context, handle: str | None, origin: str | None = None) -> Person | str:
    """`{{ person(handle) }}` / `{{ person(e.author, e.origin) }}`: the name people read (see
    `security.people`), partners' nodes named by the page's `names` when it has them."""
    if not handle:
        return ""
    nodes, request = ctx.get("names"), ctx.get("request")
    if request is None:  # a template rendered outside a request: nothing to look names up in
        return Person(str(handle), str(handle), "unknown")
    return people_of(request)(str(handle), origin, nodes if isinstance(nodes, Mapping) else None)


templates = Jinja2Templates(env=_env())


def _flash_serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(node_of(request).secret, salt="flash")


def redirect(
    request: Request, path: str, flash: str | None = None, *, refused: bool = False
) -> RedirectResponse:
    """To `path` with a message shown once there; `refused`: the message says why a form posted
    from that page was not taken (the page shows it as an alert, and the browser puts back what
    was typed in that form: static/js/corridor.js)."""
    resp = RedirectResponse(path, status_code=303)
    if flash:
        said: str | dict[str, Any] = {"text": flash, "refused": True} if refused else flash
        resp.set_cookie(
            FLASH_COOKIE,
            _flash_serializer(request).dumps(said),
            max_age=60,
            httponly=True,
            samesite="strict",
            secure=node_of(request).config.secure_cookies,
        )
    return resp


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    auth: Auth | None = None,
) -> HTMLResponse:
    auth = auth or getattr(request.state, "auth", None)
    lang = use_reader(request, auth).lang
    flash: str | None = None
    refused = False
    raw = request.cookies.get(FLASH_COOKIE)
    if raw:
        try:
            said: Any = _flash_serializer(request).loads(raw)
        except BadSignature:
            said = None
        if isinstance(said, dict):  # a refusal (redirect(…, refused=True))
            flash, refused = str(said.get("text", "")), bool(said.get("refused"))
        elif said is not None:
            flash = str(said)
    node = node_of(request)
    ctx = {
        "node": node,
        "auth": auth,
        "csrf_token": auth.csrf if auth else None,
        "nav": nav.for_principal(auth.principal) if auth else [],
        "lang": lang,
        "dir": i18n.direction(lang),
        "flash": flash,
        "flash_refused": refused,
        "path": request.url.path,
        **(context or {}),
    }
    resp = templates.TemplateResponse(request, name, ctx, status_code=status)
    if raw:
        resp.delete_cookie(FLASH_COOKIE)
    return resp


def activate_locale(request: Request, auth: Auth) -> None:
    """Switch to the reader's language before the page renders, for messages built earlier
    (form parse errors, a report's map title)."""
    use_reader(request, auth)


def own_label(request: Request) -> str:
    """This node as node_names shows its peers: "Name (CC)"."""
    cfg = node_of(request).config
    return f"{cfg.name} ({cfg.country})"


def live_list(
    router: APIRouter,
    full: str,
    rows: str,
    listing: Callable[..., Mapping[str, Any]],
    *,
    rows_path: str = "/_list",
) -> None:
    """Add a listing to `router`: `GET <prefix>` (the page, template `full`) and
    `GET <prefix><rows_path>` (its rows alone, template `rows`, which the page fetches again
    when a partner's record arrives), both showing what `listing` lists. `listing` is a
    FastAPI dependency: it takes the request, the person (web.params.PageAuth) and whatever
    query parameters the list has (a box, the search)."""

    def index(request: Request, context: Mapping[str, Any] = Depends(listing)) -> HTMLResponse:
        return page(request, full, dict(context))

    def only_rows(request: Request, context: Mapping[str, Any] = Depends(listing)) -> HTMLResponse:
        return page(request, rows, dict(context))

    router.get("", response_class=HTMLResponse)(index)
    router.get(rows_path, response_class=HTMLResponse)(only_rows)
