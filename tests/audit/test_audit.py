from __future__ import annotations

from sqlalchemy import delete, select, update

from corridor.audit import service as audit
from corridor.audit.models import AuditEntry, AuditHead
from corridor.security.principal import SYSTEM, Principal

ALICE = Principal(kind="session", handle="u-alice123", ip="10.0.0.7")


def fill(node, n: int = 5) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        for i in range(n):
            audit.append(
                session,
                actor=ALICE,
                action="test.write",
                object_type="thing",
                object_id=str(i),
                detail={"i": i},
            )


def verify(node) -> audit.VerifyResult:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return audit.verify(session)


def seqs(node) -> list[int]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


def test_chain_verifies(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    result = verify(node)
    assert result.ok and result.checked == len(seqs(node))


def test_entry_is_rolled_back_with_its_work(node) -> None:  # type: ignore[no-untyped-def]
    before = seqs(node)
    try:
        with node.db.transaction() as session:
            audit.append(session, actor=ALICE, action="test.write")
            raise RuntimeError("work failed")
    except RuntimeError:
        pass
    assert seqs(node) == before
    assert verify(node).ok


def test_denial_survives_rollback(node) -> None:  # type: ignore[no-untyped-def]
    try:
        with node.db.transaction() as session:
            audit.append_denied(session, actor=ALICE, action="test.read", object_id="x")
            raise PermissionError
    except PermissionError:
        pass
    with node.db.transaction() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and last.action == "test.read" and last.outcome == "denied"
    assert verify(node).ok


def test_entries_about_one_kind_of_object(node) -> None:  # type: ignore[no-untyped-def]
    about_case = audit.About("case")
    with node.db.transaction() as session:
        about_case(session, ALICE, "case.status", 42, {"status": "closed"})
        about_case(session, SYSTEM, "case.check", "c-1", outcome="error")
    try:
        with node.db.transaction() as session:
            about_case.denied(session, ALICE, "case.open", "c-2")
            raise PermissionError
    except PermissionError:
        pass
    with node.db.transaction() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(3)).all()
    written = [(e.action, e.object_type, e.object_id, e.outcome, e.detail) for e in last]
    assert written == [
        ("case.open", "case", "c-2", "denied", {}),
        ("case.check", "case", "c-1", "error", {}),
        ("case.status", "case", "42", "ok", {"status": "closed"}),
    ]
    assert verify(node).ok


def test_altered_entry_is_named(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    target = seqs(node)[-3]
    with node.db.transaction() as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.seq == target).values(actor="u-mallory1")
        )
    result = verify(node)
    assert not result.ok and result.broken_seq == target and "altered" in result.reason


def test_removed_entry_is_named(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    target = seqs(node)[-3]
    with node.db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == target))
    result = verify(node)
    assert not result.ok and result.broken_seq == target and "missing" in result.reason


def test_reordered_entries_are_detected(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    a, b = seqs(node)[-3:-1]
    with node.db.transaction() as session:
        ea, eb = session.get(AuditEntry, a), session.get(AuditEntry, b)
        assert ea is not None and eb is not None
        # Swap the contents of two rows (keeping each row's hash with its content).
        fields = ("ts", "actor", "action", "object_id", "detail", "prev_hash", "hash")
        va = {f: getattr(ea, f) for f in fields}
        for f in fields:
            setattr(ea, f, getattr(eb, f))
            setattr(eb, f, va[f])
    result = verify(node)
    assert not result.ok and result.broken_seq == a


def test_truncated_tail_is_detected(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    last = seqs(node)[-1]
    with node.db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    result = verify(node)
    assert not result.ok and result.broken_seq == last and "removed" in result.reason


def test_rewritten_chain_without_head_is_detected(node) -> None:  # type: ignore[no-untyped-def]
    fill(node)
    with node.db.transaction() as session:
        session.execute(update(AuditHead).values(seq=1))
    assert not verify(node).ok


def test_search_filters_and_pages(node) -> None:  # type: ignore[no-untyped-def]
    fill(node, 12)
    with node.db.transaction() as session:
        audit.append(session, actor=SYSTEM, action="other.thing")
        page, total = audit.search(session, audit.AuditFilter(action="test."), limit=5)
        assert total == 12 and [e.object_id for e in page] == ["11", "10", "9", "8", "7"]
        page2, _ = audit.search(
            session, audit.AuditFilter(action="test."), limit=5, before_seq=page[-1].seq
        )
        assert [e.object_id for e in page2] == ["6", "5", "4", "3", "2"]
        only_alice, _ = audit.search(session, audit.AuditFilter(actor="u-alice123"), limit=100)
        assert len(only_alice) == 12
        exported = list(audit.iter_export(session, audit.AuditFilter(action="other")))
    assert len(exported) == 1 and exported[0]["hash"] and exported[0]["actor"] == "system"


def head(node) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        row = session.get(AuditHead, 1)
        assert row is not None
        return row.seq, row.hash


def test_many_entries_in_one_transaction_and_verify_inside_it(node) -> None:  # type: ignore[no-untyped-def]
    before = seqs(node)
    with node.db.transaction() as session:
        for i in range(30):
            audit.append(session, actor=ALICE, action="test.write", object_id=str(i))
        # The head is written at commit; a verify before that still sees the whole chain.
        inside = audit.verify(session)
        assert inside.ok and inside.head_seq == before[-1] + 30
    assert seqs(node) == [*before, *range(before[-1] + 1, before[-1] + 31)]
    last_seq, last_hash = head(node)
    with node.db.transaction() as session:
        last = session.get(AuditEntry, last_seq)
    assert last is not None and last.hash == last_hash and last.object_id == "29"
    assert verify(node).ok


def test_savepoints_keep_the_chain_whole(node) -> None:  # type: ignore[no-untyped-def]
    before = seqs(node)
    with node.db.transaction() as session:
        audit.append(session, actor=ALICE, action="test.kept", object_id="1")
        try:
            with session.begin_nested():
                audit.append(session, actor=ALICE, action="test.undone")
                with session.begin_nested():
                    audit.append(session, actor=ALICE, action="test.undone")
                raise RuntimeError
        except RuntimeError:
            pass
        with session.begin_nested():
            audit.append(session, actor=ALICE, action="test.kept", object_id="2")
        audit.append(session, actor=ALICE, action="test.kept", object_id="3")
    with node.db.transaction() as session:
        added = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > before[-1]).order_by(AuditEntry.seq)
        ).all()
    assert [(e.action, e.object_id) for e in added] == [("test.kept", str(i)) for i in (1, 2, 3)]
    assert [e.seq for e in added] == [before[-1] + i for i in (1, 2, 3)]
    assert head(node)[0] == before[-1] + 3
    assert verify(node).ok


def test_rolled_back_transaction_with_savepoints_leaves_no_trace(node) -> None:  # type: ignore[no-untyped-def]
    before, before_head = seqs(node), head(node)
    try:
        with node.db.transaction() as session:
            with session.begin_nested():
                audit.append(session, actor=ALICE, action="test.write")
            audit.append(session, actor=ALICE, action="test.write")
            raise RuntimeError
    except RuntimeError:
        pass
    assert seqs(node) == before and head(node) == before_head
    fill(node, 2)
    assert verify(node).ok
