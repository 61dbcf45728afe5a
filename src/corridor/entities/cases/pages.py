"""Cases in the web UI: the list, opening one, the case page (its entities, members, sharing) and
its case work part (notes, files, tasks, timeline), and the forms that change them (each
redirects back to the case with a flash message)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities import access
from corridor.entities import service as entity_service
from corridor.entities.access import audit_case
from corridor.entities.cases import files, notes, service, tasks
from corridor.entities.cases.overview import overview
from corridor.entities.cases.schemas import CaseCreate
from corridor.entities.cases.timeline import TIMELINE_KINDS
from corridor.entities.ftm import entity_schemata
from corridor.entities.models import Entity
from corridor.entities.pages import captions_of, parse_lines
from corridor.entities.service import context_of
from corridor.errors import InvalidInput, NotFound
from corridor.federation.peers import approved_peers
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records.groups import list_groups
from corridor.records.labels import PURPOSES, Labels
from corridor.security import people
from corridor.web.auth import Auth, node_of, safe_next
from corridor.web.forms import act_form, save_form, typed
from corridor.web.params import Checked, Handling, PageAuth, Purpose, Title, Tlp
from corridor.web.render import page

router = APIRouter(include_in_schema=False)

# Labels of the values the service returns, marked for translation.
KIND_LABELS = {
    "case": N_("case"),
    "note": N_("note"),
    "file": N_("file"),
    "task": N_("task"),
    "entity": N_("entities"),
    "call": N_("call"),
    "payment": N_("payment"),
    "trip": N_("trip"),
    "event": N_("event"),
}
ACTION_LABELS = {
    "opened": N_("opened"),
    "added": N_("added"),
    "created": N_("created"),
    "open": N_("open"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "dated": "",
}
DETAIL_LABELS = {
    "amount": N_("amount"),
    "from": N_("from"),
    "to": N_("to"),
}
FilterParam = Annotated[str, Query(max_length=25)]


def _item_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no item {value}") from None


@router.get("/cases/{ref}/_work", response_class=HTMLResponse)
def case_work(
    request: Request,
    auth: PageAuth,
    ref: str,
    kind: FilterParam = "",
    date_from: Annotated[str, Query(alias="from", max_length=25)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=25)] = "",
) -> HTMLResponse:
    """The part of the case page below the entities. Loaded by HTMX into the case page; opened
    directly (no JavaScript), it is a page of its own."""
    node = node_of(request)
    kinds = [kind] if kind else None
    error = None
    with node.db.transaction() as session:
        try:
            work = overview(
                session,
                actor=auth.principal,
                case_ref=ref,
                kinds=kinds,
                date_from=date_from,
                date_to=date_to,
            )
        except InvalidInput as exc:
            error = exc.detail
            work = overview(session, actor=auth.principal, case_ref=ref)
    return page(
        request,
        "entities/_casework.html",
        {
            "work": work,
            "case": work.case,
            "standalone": request.headers.get("hx-request") != "true",
            "kinds": TIMELINE_KINDS,
            "kind_labels": KIND_LABELS,
            "action_labels": ACTION_LABELS,
            "detail_labels": DETAIL_LABELS,
            "today": clock.now().date().isoformat(),
            "max_file_mb": files.MAX_FILE_BYTES // (1024 * 1024),
            "filters": {"kind": kind, "from": date_from, "to": date_to},
            "timeline_error": error,
        },
    )


def _act(request: Request, auth: Auth, ref: str, work: Callable[[Session], str]) -> Response:
    """Run one change of the case work and go back to it with the message `work` returns, or
    with the reason it was refused (nothing stored)."""
    return act_form(
        request,
        auth,
        act=lambda session, _node: work(session),
        back=f"/cases/{quote(ref, safe='')}#casework",
        done=lambda said: said,
    )


@router.post("/cases/{ref}/notes")
def add_note(
    request: Request,
    auth: PageAuth,
    ref: str,
    text: Annotated[str, Form(max_length=notes.MAX_NOTE_CHARS + 1000)] = "",
    tlp: Tlp = "",
) -> Response:
    def work(s: Session) -> str:
        notes.add_note(s, actor=auth.principal, case_ref=ref, text=text, tlp=tlp or None)
        return _("Note added.")

    return _act(request, auth, ref, work)


@router.post("/cases/{ref}/notes/{note_id}/delete")
def delete_note(request: Request, auth: PageAuth, ref: str, note_id: str) -> Response:
    def work(s: Session) -> str:
        notes.delete_note(s, actor=auth.principal, case_ref=ref, note_id=_item_id(note_id))
        return _("Note deleted.")

    return _act(request, auth, ref, work)


@router.post("/cases/{ref}/files")
def upload_file(
    request: Request,
    auth: PageAuth,
    ref: str,
    file: Annotated[UploadFile | None, File()] = None,
    tlp: Tlp = "",
) -> Response:
    # One byte more than allowed is enough to refuse it.
    content = file.file.read(files.MAX_FILE_BYTES + 1) if file is not None else b""
    name = file.filename if file is not None else None
    ctype = file.content_type if file is not None else None

    def work(s: Session) -> str:
        _row, created = files.add_file(
            s,
            actor=auth.principal,
            case_ref=ref,
            name=name,
            content=content,
            content_type=ctype,
            tlp=tlp or None,
        )
        return _("File added.") if created else _("The case already holds this file.")

    return _act(request, auth, ref, work)


@router.post("/cases/{ref}/files/{file_id}/delete")
def delete_file(request: Request, auth: PageAuth, ref: str, file_id: str) -> Response:
    def work(s: Session) -> str:
        files.delete_file(s, actor=auth.principal, case_ref=ref, file_id=_item_id(file_id))
        return _("File deleted.")

    return _act(request, auth, ref, work)


@router.post("/cases/{ref}/tasks")
def add_task(
    request: Request,
    auth: PageAuth,
    ref: str,
    title: Annotated[str, Form(max_length=tasks.MAX_TASK_TITLE)] = "",
    details: Annotated[str, Form(max_length=tasks.MAX_TASK_DETAILS)] = "",
    owner: Annotated[str, Form(max_length=40)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def work(s: Session) -> str:
        tasks.add_task(
            s,
            actor=auth.principal,
            case_ref=ref,
            title=title,
            details=details,
            owner=owner or None,
            due=tasks.parse_due(due),
        )
        return _("Task added.")

    return _act(request, auth, ref, work)


STATUS_DONE = {
    "open": N_("Task reopened."),
    "done": N_("Task done."),
    "cancelled": N_("Task cancelled."),
}


@router.post("/cases/{ref}/tasks/{task_id}/status")
def task_status(
    request: Request,
    auth: PageAuth,
    ref: str,
    task_id: str,
    status: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def work(s: Session) -> str:
        if status not in STATUS_DONE:
            raise InvalidInput(f"status: one of {', '.join(tasks.TASK_STATUSES)}")
        tasks.update_task(
            s, actor=auth.principal, case_ref=ref, task_id=_item_id(task_id), status=status
        )
        return _(STATUS_DONE[status])

    return _act(request, auth, ref, work)


# --- cases ------------------------------------------------------------------------------------


EXPORTS = (("ftm", "FtM JSON"), ("csv", "CSV"), ("gexf", "GEXF"), ("graphml", "GraphML"))


def _cases_page(request: Request, auth: Auth, *, status: int = 200, **extra: Any) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        items = access.list_cases(session, actor=auth.principal)
    purposes = [p for p in PURPOSES if p in auth.principal.purposes and p != "cooperation"]
    return page(
        request,
        "entities/cases.html",
        {
            "items": items,
            "purposes": purposes,
            "default_purpose": "protection" if purposes == ["protection"] else "enforcement",
            "form": extra.pop("form", {}),
            **extra,
        },
        status=status,
    )


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, auth: PageAuth) -> HTMLResponse:
    return _cases_page(request, auth)


class CaseForm(BaseModel):
    """The new case's fields, as typed (shown back after a refusal)."""

    reference: Annotated[str, Form(max_length=80)] = ""
    title: Title = ""
    summary: Annotated[str, Form(max_length=20_000)] = ""
    tlp: Tlp = "AMBER"
    purpose: Purpose = "enforcement"
    handling: Handling = "H0"


@router.post("/cases", response_class=HTMLResponse)
def case_create(
    request: Request, auth: PageAuth, form: Annotated[CaseForm, Depends(typed(CaseForm))]
) -> Response:
    def save(session: Session, _node: Node) -> uuid.UUID:
        data = CaseCreate.model_validate(form.model_dump())
        return service.create_case(session, actor=auth.principal, data=data).id

    def done(case_id: uuid.UUID) -> tuple[str, str]:
        return f"/cases/{case_id}", _("Case opened.")

    again = partial(_cases_page, request, auth, form=form)
    return save_form(request, auth, save=save, done=done, again=again, status=422)


def _case_page(
    request: Request,
    auth: Auth,
    ref: str,
    *,
    schema: str | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case, rows, total = entity_service.list_in_case(
            session, actor=auth.principal, case_ref=ref, schema=schema, limit=500
        )
        role = access.member_role(session, auth.principal, case)
        schema_counts = list(
            session.execute(
                select(Entity.schema, func.count())
                .where(Entity.case_id == case.id, Entity.merged_into.is_(None))
                .group_by(Entity.schema)
                .order_by(Entity.schema)
            )
        )
        members = access.members(session, case)
        names = captions_of(session, rows)
        peers = approved_peers(session)
        groups = list_groups(session)
    return page(
        request,
        "entities/case.html",
        {
            "case": case,
            "entities": rows,
            "names": names,
            "total": total,
            "role": role,
            "members": members,
            "schema": schema,
            "schema_counts": schema_counts,
            "schemata": entity_schemata(),
            "exports": EXPORTS,
            "can_write": role in ("owner", "member") and case.status == "open",
            "can_share": role is not None
            and auth.principal.has("entities.write")
            and bool(peers or groups),
            "peers": peers,
            "groups": groups,
            "form": extra.pop("form", {}),
            **extra,
        },
        status=status,
    )


@router.post("/cases/{ref}/share")
def case_share(
    request: Request,
    auth: PageAuth,
    ref: str,
    entities: Checked = None,
    to: Checked = None,
    title: Title = "",
    tlp: Tlp = "AMBER",
    handling: Handling = "H0",
    with_related: Annotated[str, Form(max_length=1)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Share entities of the case (the selected rows, or one entity from its page)."""

    def act(session: Session, node: Node) -> dict[str, Any]:
        case = access.open_case(session, actor=auth.principal, ref=ref)
        labels = Labels(tlp=tlp, handling=handling, purpose=case.purpose, forward="none")
        return entity_service.share(
            session,
            node.keys,
            actor=auth.principal,
            ctx=context_of(node),
            entity_ids=entities or [],
            to=to or [],
            labels=labels,
            title=title or case.title,
            with_related=bool(with_related),
        )

    def done(env: dict[str, Any]) -> str:
        return _("%(n)d entities shared as a signed record.") % {"n": len(env["body"]["entities"])}

    back = safe_next(back) if back else f"/cases/{ref}"
    return act_form(request, auth, act=act, back=back, done=done)


@router.get("/cases/{ref}", response_class=HTMLResponse)
def case_view(
    request: Request, auth: PageAuth, ref: str, schema: str | None = None
) -> HTMLResponse:
    return _case_page(request, auth, ref, schema=schema or None)


@router.post("/cases/{ref}/members")
def case_member(
    request: Request,
    auth: PageAuth,
    ref: str,
    kind: Annotated[str, Form(max_length=8)] = "user",
    handle: Annotated[str, Form(max_length=60)] = "",
    person: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=8)] = "member",
) -> Response:
    """Add a member: the person picked (`handle`, `user:<handle>` or `unit:<handle>` as the
    picker sets it, or a bare handle of `kind`), else what was typed (`person`: an e-mail,
    an exact name, a unit's name or a handle) when it names one person or unit."""

    def act(session: Session, _node: Node) -> object:
        picked = handle.strip() or people.find_one(session, person)
        if not picked:
            raise InvalidInput(
                _(
                    "Nobody active on this node is named %(typed)s exactly: "
                    "pick one of the people found."
                )
                % {"typed": repr(person.strip()[:80])}
            )
        member_kind, member = (kind, picked)
        if picked.startswith(("user:", "unit:")):
            member_kind, member, _origin = people.split(picked)
        return service.add_member(
            session, actor=auth.principal, case_ref=ref, kind=member_kind, handle=member, role=role
        )

    return act_form(request, auth, act=act, back=f"/cases/{ref}", done=N_("Member added."))


@router.get("/cases/{ref}/people", response_class=HTMLResponse)
def case_people(
    request: Request,
    auth: PageAuth,
    ref: str,
    person: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The person picker: active people of this node whose name or e-mail holds `person`, for
    an owner of the case only (as adding a member is), at most `people.FOUND`; only those
    whose role may read the case's purpose. Audited with the number found, never the text."""
    node = node_of(request)
    with node.db.transaction() as session:
        case = access.open_case(session, actor=auth.principal, ref=ref, manage=True)
        found = people.search(session, person, purpose=case.purpose)
        audit_case(session, auth.principal, "case.people.search", case.id, {"count": len(found)})
    return page(request, "entities/_people_found.html", {"found": found, "query": person.strip()})


class EntityForm(BaseModel):
    """An entity added on the case page, as typed: its name and `property: value` lines."""

    model_config = ConfigDict(validate_by_name=True)

    schema_: Annotated[str, Form(alias="schema", max_length=64)] = "Person"
    name: Annotated[str, Form(max_length=500)] = ""
    more: Annotated[str, Form(max_length=20_000)] = ""
    tlp: Tlp = ""

    def data(self) -> dict[str, Any]:
        """The entity as the service takes it (InvalidInput names a line of a mistake)."""
        props = parse_lines(self.schema_, self.more)
        if self.name.strip():
            props.setdefault("name", []).insert(0, self.name.strip())
        elif not props:
            raise InvalidInput(_("name: give the entity a name or other properties"))
        return {"schema": self.schema_, "properties": props}


@router.post("/cases/{ref}/entities", response_class=HTMLResponse)
def case_add_entity(
    request: Request,
    auth: PageAuth,
    ref: str,
    form: Annotated[EntityForm, Depends(typed(EntityForm))],
) -> Response:
    def save(session: Session, node: Node) -> str:
        return entity_service.create(
            session,
            actor=auth.principal,
            ctx=context_of(node),
            case_ref=ref,
            data=form.data(),
            tlp=form.tlp or None,
        ).id

    def done(entity_id: str) -> tuple[str, str]:
        return f"/entities/{entity_id}", _("Entity added.")

    again = partial(_case_page, request, auth, ref, form=form)
    return save_form(request, auth, save=save, done=done, again=again, status=422)
