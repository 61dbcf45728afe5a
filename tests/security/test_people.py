"""People by name (`security.people`): what a handle reads as, loaded in one query per page,
honest about former users and partners' colleagues; the picker's search and the typed
fallback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from markupsafe import escape
from sqlalchemy import event

from corridor.node.service import Node
from corridor.security import service as security
from corridor.security.people import FOUND, People, find_one, search, split
from corridor.security.principal import SYSTEM


@contextmanager
def counted(node: Node) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(node.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(node.db.engine, "before_cursor_execute", count)


def _user(node: Node, email: str, name: str, role: str = "investigator", unit: str = "") -> str:
    with node.db.transaction() as s:
        u = security.find_unit(s, unit) if unit else None
        return security.create_user(
            s, actor=SYSTEM, email=email, role=role, password="x" * 16, display_name=name, unit=u
        ).handle


def test_split_reads_every_form_of_handle() -> None:
    assert split("u-abc") == ("user", "u-abc", None)
    assert split("user:u-abc@NODE") == ("user", "u-abc", "NODE")
    assert split("unit:unit-x") == ("unit", "unit-x", None)
    assert split("unit-x") == ("unit", "unit-x", None)
    assert split("peer:NODE") == ("node", "", "NODE")


def test_names_units_roles_formers_partners_and_services(node: Node, make_user) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        unit = security.create_unit(s, actor=SYSTEM, name="Maritime desk").handle
    amira = _user(node, "amira@test.example", "Amira Haddad", unit="Maritime desk")
    gone = _user(node, "gone@test.example", "Old Colleague")
    with node.db.transaction() as s:
        security.update_user(s, actor=SYSTEM, user=security.find_user(s, gone), disabled=True)
    people = People(node.id, {node.id: "Here (GR)", "PEER": "Border Police (TR)"})
    with node.db.reading() as s:
        people.load(s, [amira, f"user:{gone}", f"unit:{unit}", "u-nobody123"])
    p = people(amira)
    assert (p.name, p.kind, p.unit, p.role) == (
        "Amira Haddad",
        "user",
        "Maritime desk",
        "investigator",
    )
    assert p.detail == "Maritime desk · Investigator"
    assert people(f"user:{amira}@{node.id}").name == "Amira Haddad"
    # A disabled account keeps its name (who did what stays readable) and says so.
    assert people(gone).name == "Old Colleague" and "account disabled" in people(gone).detail
    assert people(f"unit:{unit}").name == "Maritime desk"
    assert people("u-nobody123").name == "former user"
    # Someone of another node: their node, never a name this node does not have.
    assert people(amira, "PEER").name == "a colleague at Border Police (TR)"
    assert people("user:u-zz@PEER").kind == "partner"
    assert people("unit:unit-q@PEER").name == "a unit at Border Police (TR)"
    assert people("user:u-zz@ELSEWHERE").name == "a colleague at a partner node"
    assert people("peer:PEER").name == "Border Police (TR)"
    assert people("system").name == "this node" and people("cli").kind == "service"
    assert people("not a handle").name == "not a handle"


def test_loaded_once_for_many_and_escaped_in_pages(node: Node) -> None:
    handles = [_user(node, f"p{i}@test.example", f"Person {i}") for i in range(12)]
    evil = _user(node, "evil@test.example", '<script>alert("x")</script>')
    people = People(node.id)
    with counted(node) as seen, node.db.reading() as s:
        people.load(s, [*handles, evil])
        people.load(s, handles)  # known already: no query
        names = [people(h).name for h in handles]
    assert names == [f"Person {i}" for i in range(12)]
    assert len([q for q in seen if "FROM users" in q]) == 1
    html = escape(people(evil))
    assert "<script>" not in html and str(escape('<script>alert("x")</script>')) in html
    assert html.startswith('<bdi class="person person-user"')
    # Everyone at once: one query for the users, one for the units.
    with counted(node) as seen, node.db.reading() as s:
        everyone = People(node.id).load(s)
        assert everyone(handles[3]).name == "Person 3"
    assert len([q for q in seen if q.startswith("SELECT")]) == 2


def test_search_finds_active_people_by_name_or_email_at_most_ten(node: Node) -> None:
    for i in range(FOUND + 3):
        _user(node, f"officer{i}@coast.example", f"Officer {i:02d}")
    wanted = _user(node, "n.yilmaz@coast.example", "Nur Yılmaz", role="protection_officer")
    gone = _user(node, "nur.old@coast.example", "Nur Old")
    _user(node, "percent@coast.example", "100% sure")
    with node.db.transaction() as s:
        security.update_user(s, actor=SYSTEM, user=security.find_user(s, gone), disabled=True)
    with node.db.reading() as s:
        assert len(search(s, "officer")) == FOUND
        assert [p.handle for p in search(s, "nur")] == [wanted]  # never the disabled account
        assert [p.handle for p in search(s, "N.YILMAZ@")] == [wanted]
        # A protection officer cannot read an enforcement case: not offered for one.
        assert search(s, "nur", purpose="enforcement") == []
        assert [p.name for p in search(s, "%")] == ["100% sure"]  # LIKE wildcards are text
        assert search(s, "_") == [] and search(s, "  ") == []
        # Typed without the picker: an exact e-mail, name or handle of one active user.
        assert find_one(s, "n.yilmaz@coast.example") == f"user:{wanted}"
        assert find_one(s, "nur yılmaz") in (
            f"user:{wanted}",
            None,
        )  # lower() of İ/ı differs by store
        assert find_one(s, "Nur Old") is None
        assert find_one(s, "nobody") is None
