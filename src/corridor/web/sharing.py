"""What every page form that shares a record has in common: who receives it and under which
labels.

`SharingForm` holds the sharing fields as the person typed them (`to`, `tlp`, `handling`,
`handling_note`, `purpose`, `recipients`): empty, read back from a record, or posted (a form
model: `Sharing`, or `AmberSharing` for partner content), and turns them into the labels and the
audience the services take. `sharing_context` is what the form's template needs to offer the
choices, `ComposePage` is a page that is one such form, and templates/_sharing.html draws the
fields (its `audience` and `labels` macros take what a form shows as parameters)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypedDict, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records.groups import list_groups
from corridor.records.labels import PURPOSES, TLP_LEVELS, Audience, Labels, audience_for
from corridor.records.models import StoredRecord
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form, typed
from corridor.web.params import Handling, PageAuth, Purpose, Tlp
from corridor.web.render import page

if TYPE_CHECKING:
    # For the annotation only: federation's pages import the web layer, not the reverse.
    from corridor.federation.models import Peer

# Labels a sharing form does not show: an edit keeps them as they were.
KEPT_ON_EDIT = ("forward", "evaluation", "expires", "review")


class SharingForm(BaseModel):
    """The sharing fields of a record form, kept as typed so an error can show them back (read
    by web.forms.typed: a value over its cap comes back on the form, said beside its field).
    The selects are capped above what the labels allow: the labels say what is wrong."""

    # Node ids and sharing-group ids, as checked.
    to: Annotated[set[str], Form()] = set()
    tlp: Tlp = "GREEN"
    handling: Handling = "H0"
    handling_note: Annotated[str, Form(max_length=500)] = ""
    purpose: Purpose = "cooperation"
    # TLP:RED: user:<handle> / unit:<handle>[@node], space-separated.
    recipients: Annotated[str, Form(max_length=4000)] = ""

    @classmethod
    def of_record(cls, envelope: Mapping[str, Any], groups: Iterable[StoredRecord]) -> SharingForm:
        """The fields as the record has them. A group's members are checked through the group,
        not one by one, so unchecking the group removes them."""
        labels = envelope["labels"]
        audience = envelope.get("audience") or {}
        chosen_groups = set(audience.get("groups", []))
        via_groups = {
            member
            for g in groups
            if str(g.id) in chosen_groups
            for member in (g.envelope.get("body") or {}).get("members", [])
        }
        return cls(
            to={n for n in audience.get("nodes", []) if n not in via_groups} | chosen_groups,
            tlp=labels.get("tlp", "GREEN"),
            handling=labels.get("handling", "H0"),
            handling_note=labels.get("handling_note") or "",
            purpose=labels.get("purpose", "cooperation"),
            recipients=" ".join(labels.get("recipients", [])),
        )

    def labels(self, before: Mapping[str, Any] | None = None, **shown: Any) -> Labels:
        """The labels to save: the TLP:RED recipients space-separated (ignored for other
        levels); `before` (the record's labels, on an edit) keeps what the form does not show;
        `shown` adds label fields a form does show (evaluation, expires)."""
        kept = {k: v for k, v in (before or {}).items() if k in KEPT_ON_EDIT and v is not None}
        typed = self.model_dump(exclude={"to"})
        typed["handling_note"] = self.handling_note.strip() or None
        typed["recipients"] = self.recipients.split() if self.tlp == "RED" else []
        try:
            return Labels.model_validate({**kept, **typed, **shown})
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in errors)
            # Each mistake to the field the form shows for it (a rule across the labels names
            # none: the field it is about, by what it says).
            fields = [{**e, "loc": e["loc"] or (_label_field(str(e["msg"])),)} for e in errors]
            raise InvalidInput(
                _("Sharing: %(error)s") % {"error": problems}, errors=fields
            ) from None

    def addressed(self) -> list[str]:
        """The checked node and group ids in a stable order, as the services take `to`."""
        return sorted(self.to)

    def audience(self) -> Audience:
        return audience_for(self.addressed())


def _label_field(message: str) -> str:
    """The sharing field a rule across the labels is about (records.labels.Labels)."""
    if "handling_note" in message:
        return "handling_note"
    if "recipient" in message:
        return "recipients"
    if "review" in message or "expir" in message:
        return "expires"
    return "tlp"


class AmberSharingForm(SharingForm):
    """The sharing fields of partner content (a message, an alert, a request, a joint space):
    TLP:AMBER unless the person chooses otherwise."""

    tlp: Tlp = "AMBER"


# The posted sharing fields of a form (records for the network: TLP:GREEN by default), kept as
# typed when a value is refused (web.forms.typed).
Sharing = Annotated[SharingForm, Depends(typed(SharingForm))]
AmberSharing = Annotated[AmberSharingForm, Depends(typed(AmberSharingForm))]


class SharingContext(TypedDict):
    """What a sharing form offers: spread into the template's context (`**sharing_context(…)`)."""

    peers: list[Peer]  # the approved peers a record can go to
    groups: list[StoredRecord]  # the sharing groups (records of type `group`)
    purposes: list[str]  # the purposes this user works under
    tlps: tuple[str, ...]


def sharing_context(session: Session, auth: Auth, peers: list[Peer]) -> SharingContext:
    """What the form offers this user: `peers` are federation.peers.approved_peers(session)
    (passed in: the federation's pages import the web layer, so the web layer does not import
    the federation)."""
    return {
        "peers": peers,
        "groups": list_groups(session),
        "purposes": [p for p in PURPOSES if p in auth.principal.purposes],
        "tlps": TLP_LEVELS,
    }


def sharing_page(
    request: Request,
    auth: Auth,
    template: str,
    *,
    peers: Callable[[Session], list[Peer]],
    read: Callable[[Session, Node, Auth], Mapping[str, Any]],
    shown: Callable[[SharingContext], Mapping[str, Any]],
    status: int = 200,
) -> HTMLResponse:
    """A page whose form shares a record: what `sharing_context` offers (`peers`:
    federation.peers.approved_peers, passed in: the federation's pages import the web layer,
    not the reverse), what `read` reads besides in the same session, and what the page
    `shown`s of its form (given the choices: an edit reads its record's groups back)."""
    node = node_of(request)
    with node.db.reading() as session:
        offered = sharing_context(session, auth, peers(session))
        more = read(session, node, auth)
    return page(request, template, {**offered, **more, **shown(offered)}, status=status)


F = TypeVar("F", bound=BaseModel)  # a form's own fields, as typed
S = TypeVar("S")  # what the form's service answers


def _nothing_more(_session: Session, _node: Node, _auth: Auth) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class ComposePage(Generic[F]):
    """A page that is one form sharing a new record with partners (a message, an alert, a
    request, a joint space): empty, or again as typed with the error after a refusal. The
    template gets the form's own fields (`form`), its sharing fields (`share`), what
    `sharing_context` offers (`peers`: federation.peers.approved_peers, passed in: the
    federation's pages import the web layer, not the reverse) and what `read` adds."""

    template: str
    form: Callable[[], F]  # the empty form
    peers: Callable[[Session], list[Peer]]
    read: Callable[[Session, Node, Auth], Mapping[str, Any]] = _nothing_more

    def page(
        self,
        request: Request,
        auth: Auth,
        *,
        form: F | None = None,
        share: SharingForm | None = None,
        error: str | None = None,
        status: int = 200,
        **shown: Any,
    ) -> HTMLResponse:
        context = {"form": form or self.form(), "share": share or AmberSharingForm()}
        context |= {"error": error, **shown}
        return sharing_page(
            request,
            auth,
            self.template,
            peers=self.peers,
            read=self.read,
            shown=lambda _offered: context,
            status=status,
        )

    def new(self, request: Request, auth: Auth) -> HTMLResponse:
        """The empty form, for those who may write records; filled in with what the link that
        opened it says (`?to=<node>&subject=…&purpose=…`: a hit's "Send a request")."""
        auth.principal.require("records.write")
        form, share = self.prefilled(request.query_params)
        return self.page(request, auth, form=form, share=share)

    def prefilled(self, params: Mapping[str, Any]) -> tuple[F | None, SharingForm | None]:
        """The form and sharing fields a link fills in: the form's own text fields and `to`,
        `tlp`, `handling`, `purpose`. A link that does not fit the form opens it empty."""
        empty = self.form()
        own = {k: params[k] for k in type(empty).model_fields if k in params}
        form: F | None = None
        if own:
            try:
                form = type(empty).model_validate({**empty.model_dump(), **own})
            except ValidationError:
                form = None
        labels = {k: params[k] for k in ("tlp", "handling", "purpose") if k in params}
        getlist = getattr(params, "getlist", None)
        to = set(getlist("to")) if getlist else set()
        share: SharingForm | None = None
        if to or labels:
            try:
                share = AmberSharingForm.model_validate({"to": to, **labels})
            except ValidationError:
                share = None
        return form, share

    def mount(self, router: APIRouter) -> None:
        """Add `GET <prefix>/new`, the empty form, to `router` (before a route that takes any
        `<prefix>/<x>`; where the form posts is the module's own route)."""

        def new(request: Request, auth: PageAuth) -> HTMLResponse:
            return self.new(request, auth)

        router.get("/new", response_class=HTMLResponse)(new)

    def posted(
        self,
        request: Request,
        auth: Auth,
        form: F,
        share: SharingForm,
        *,
        save: Callable[[Session, Node], S],
        done: Callable[[S], tuple[str, str]],
        shown: Mapping[str, Any] | None = None,
    ) -> Response:
        """Save the posted form (web.forms.save_form); on a refusal, the form again as typed
        with the error (and what `shown` adds, e.g. the draft it edits)."""

        again = partial(self.page, request, auth, form=form, share=share, **(shown or {}))
        return save_form(request, auth, save=save, done=done, again=again, status=422)
