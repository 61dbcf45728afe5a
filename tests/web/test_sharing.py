"""The sharing fields of a record form: one model (read back from a record, posted, turned
into labels and an audience), one context, one template partial for every page that shares."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from corridor.errors import InvalidInput
from corridor.security.principal import Principal
from corridor.web.auth import Auth
from corridor.web.render import templates
from corridor.web.sharing import (
    AmberSharing,
    Sharing,
    SharingForm,
    sharing_context,
)

A = "a" * 26  # node ids
B = "b" * 26
C = "c" * 26


def test_red_recipients_and_what_an_edit_keeps() -> None:
    labels = SharingForm(
        tlp="RED",
        handling="H3",
        handling_note="  not for the press ",
        purpose="enforcement",
        recipients="user:ana unit:desk@abcdefghijklmnopqrstuvwxyz",
    ).labels(before={"forward": "none", "expires": "2030-01-01T00:00:00Z", "tlp": "GREEN"})
    assert labels.tlp == "RED" and labels.recipients == [
        "user:ana",
        "unit:desk@abcdefghijklmnopqrstuvwxyz",
    ]
    assert labels.handling_note == "not for the press" and labels.forward == "none"
    assert labels.expires is not None and labels.expires.year == 2030
    # Recipients typed for another level are dropped, not refused.
    assert (
        SharingForm(tlp="GREEN", handling="H0", purpose="cooperation", recipients="user:x")
        .labels()
        .recipients
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
        SharingForm(**fields).labels()


def _group(members: list[str]) -> Any:
    return SimpleNamespace(
        id=uuid.uuid4(), envelope={"body": {"name": "Aegean", "members": members}}
    )


def test_a_record_reads_back_with_its_group_members_checked_through_the_group() -> None:
    group = _group([A, B])
    envelope = {
        "labels": {
            "tlp": "RED",
            "handling": "H3",
            "handling_note": "not for the press",
            "purpose": "enforcement",
            "recipients": ["user:ana", "unit:desk@" + C],
        },
        "audience": {"nodes": [A, B, C], "groups": [str(group.id)]},
    }
    form = SharingForm.of_record(envelope, [group, _group([C])])
    assert form.to == {C, str(group.id)}
    assert (form.tlp, form.handling, form.handling_note, form.purpose) == (
        "RED",
        "H3",
        "not for the press",
        "enforcement",
    )
    assert form.recipients == f"user:ana unit:desk@{C}"
    # What the form does not show is kept from the record on an edit.
    labels = form.labels(before={"forward": "none", **envelope["labels"]})
    assert labels.forward == "none" and labels.recipients == ["user:ana", f"unit:desk@{C}"]


def test_empty_form_addressed_and_audience() -> None:
    form = SharingForm()
    assert (form.tlp, form.handling, form.purpose, form.to) == ("GREEN", "H0", "cooperation", set())
    assert form.labels().tlp == "GREEN" and form.audience().nodes == []
    gid = str(uuid.uuid4())
    form = SharingForm(to={B, gid, A})
    assert form.addressed() == sorted([A, B, gid])
    audience = form.audience()
    assert audience.nodes == [A, B] and audience.groups == [gid]
    with pytest.raises(InvalidInput, match="neither a node id nor a group id"):
        SharingForm(to={"somewhere"}).audience()


def _posting_app() -> TestClient:
    app = FastAPI()

    @app.post("/")
    def post(request: Request, share: Sharing) -> dict[str, Any]:
        # What web.forms.typed found wrong (save_form shows the form again for it).
        refused = [list(e["loc"]) for t in request.state.typed_forms for e in t.errors]
        return {**share.model_dump(), "to": sorted(share.to), "refused": refused}

    @app.post("/amber")
    def post_amber(share: AmberSharing) -> dict[str, Any]:
        return {**share.model_dump(), "to": share.addressed()}

    return TestClient(app)


def test_the_posted_fields() -> None:
    client = _posting_app()
    r = client.post("/", data={"to": [B, A], "tlp": "AMBER", "recipients": "user:x"})
    assert r.json() == {
        "to": [A, B],
        "tlp": "AMBER",
        "handling": "H0",
        "handling_note": "",
        "purpose": "cooperation",
        "recipients": "user:x",
        "refused": [],
    }
    assert client.post("/", data={}).json()["tlp"] == "GREEN"
    assert client.post("/amber", data={}).json()["tlp"] == "AMBER"
    # Capped: over the cap, kept as typed and refused (not the request: the form, again).
    over = client.post("/", data={"recipients": "x" * 4001}).json()
    assert over["recipients"] == "x" * 4001 and over["refused"] == [["recipients"]]


def test_the_context_offers_this_users_purposes(node, make_user) -> None:  # type: ignore[no-untyped-def]
    principal: Principal = make_user("analyst")
    auth = Auth(
        principal=principal,
        via="session",
        csrf=None,
        email="a@test.example",
        display_name="A",
        must_change_password=False,
        totp_enabled=False,
        locale=None,
    )
    peer = SimpleNamespace(node_id=A, name="HCG", country="GR")
    with node.db.reading() as session:
        context = sharing_context(session, auth, [peer])  # type: ignore[list-item]
    assert context["peers"] == [peer] and context["groups"] == []
    assert context["tlps"][-1] == "RED"
    assert set(context["purposes"]) == set(principal.purposes)


def _macros() -> Any:
    return templates.env.get_template("_sharing.html").module


def test_the_partial_draws_the_choices_and_keeps_what_was_checked() -> None:
    peers = [SimpleNamespace(node_id=A, name="HCG", country="GR")]
    group = _group([B])
    html = str(_macros().audience(SharingForm(to={str(group.id)}), peers, [group]))
    assert f'value="{A}"> HCG (GR)' in html
    assert f'value="{group.id}" checked> Group: Aegean' in html
    assert "Share with" in html and "A partner you remove" not in html
    empty = str(
        _macros().audience(SharingForm(), [], [], legend="To", empty="Nobody yet.", editing=True)
    )
    assert "<legend>To</legend>" in empty and "Nobody yet." in empty
    assert "A partner you remove" in empty


def test_the_partial_shows_what_a_form_asks() -> None:
    share = SharingForm(tlp="AMBER", handling="H3", purpose="protection", recipients="user:x")
    tlps = ("GREEN", "AMBER", "RED")
    full = str(_macros().labels(share, tlps, ["cooperation", "protection"]))
    assert "<option selected>AMBER</option>" in full and 'name="purpose"' in full
    assert '<option value="H3" title=' in full and "H0: Crime-fighting use only" in full
    assert 'name="handling_note"' in full and 'value="user:x"' in full
    # Without handling the recipients share the row; without purposes there is no purpose.
    short = str(_macros().labels(share, tlps, handling=False))
    assert 'name="handling"' not in short and 'name="purpose"' not in short
    assert short.index('name="recipients"') < short.index("</div>")
    # The codes' meanings in the options instead of a paragraph.
    inline = str(_macros().labels(share, tlps, explained=False, recipients_max=1000))
    assert ">H1 – Not for use in judicial proceedings" in inline and "H0: Crime" not in inline
    assert 'maxlength="1000"' in inline
