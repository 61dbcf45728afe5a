"""The information-flow rule: what may be derived from what (DESIGN.md section 3).

Whatever embeds, links, quotes, answers, merges or copies content (an alert linking entities, a
reply, an entity share drawing on merged statements, an export) names its *sources*; this module
alone decides whether the derived item's labels and audience stay within what every source
allows. Features declare what they embed (`Flow` on their record type, `Source`s when they
create); they never re-implement the check.

The rule, for each source:
- **purpose**: the derived item's purpose is one whose readers are all readers of the source's
  purpose (cooperation content may go into any purpose; enforcement, risk-analysis and
  protection content only into its own: protection data never reaches enforcement roles);
- **TLP** and **handling** never lower (an H3 source's note is carried along);
- **third-party rule**: a partner's content goes to no node outside the audience it came with
  (plus its origin); AMBER+STRICT partner content only back to its origin;
- **TLP:RED**: the derived item is RED, its recipients among the source's recipients (or the
  source's author) and its audience among their nodes;
- **barred nodes**: content its holder keeps from some nodes (a protected asylum seeker's, from
  the nodes of the country they fled) reaches none of them;
- **compartments**: content of a local compartment (a case: membership, not role) makes the
  derived record readable at home only by those who may open the compartment.

Derived records remember their sources (`record_sources`), so that a source's revocation or
expiry hides them at once and has them revoked (a signed tombstone reaching every recipient)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from corridor import clock
from corridor.db import RowInserter
from corridor.errors import InvalidInput
from corridor.records.labels import TLP_LEVELS, Labels
from corridor.records.models import RecordSource, StoredRecord
from corridor.security.principal import Principal
from corridor.security.roles import ROLE_PURPOSES

# The ways content is derived, the columns of the label matrix.
PATHS: tuple[str, ...] = ("link", "reply", "merge", "quote", "attachment", "share", "export")
HANDLING_ORDER: tuple[str, ...] = ("H0", "H1", "H2", "H3")


class FlowRefused(InvalidInput):
    """Derived content would reach someone its source's labels keep it from."""

    title = "Labels of a source do not allow this"
    type_slug = "flow-refused"


@dataclass(frozen=True)
class Flow:
    """What a record type derives from other content, and who may change it: a record type's
    place in the label matrix. Every type declares one (an empty `embeds` is a declaration)."""

    # The paths along which a record of this type carries content of other records or of
    # local compartments (subset of PATHS).
    embeds: tuple[str, ...] = ()
    # Besides its author, who may issue a new version or revoke it: permissions, any one
    # suffices (e.g. "node.manage" for the administrator of node-owned records).
    editors: tuple[str, ...] = ()
    # Only the node itself (system) changes it, never a user (receipts).
    system_only: bool = False
    # False for the node card: it is rotated, never revoked.
    revocable: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.embeds) - set(PATHS)
        if unknown:
            raise ValueError(f"unknown flow paths {sorted(unknown)}; use {PATHS}")


@dataclass(frozen=True)
class Source:
    """Content a derived item draws on, with the labels it carries."""

    ref: str  # what it is, for messages: "record:<id>", "entity:<id>", ...
    origin: str  # the node whose content it is
    tlp: str
    purpose: str
    handling: str = "H0"
    handling_note: str | None = None
    forward: str = "on-request"
    author: str = ""
    recipients: tuple[str, ...] = ()
    # Nodes a record was addressed to (None: local content, never sent anywhere).
    audience: tuple[str, ...] | None = None
    compartment: str | None = None  # e.g. "case:<uuid>"
    record_id: uuid.UUID | None = None  # the record carrying it: its revocation cascades
    path: str = "link"
    name: str = ""  # how an error names it to a person (a caption, a subject)
    # Nodes this content must never reach, whatever else its labels allow.
    never_to: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "origin": self.origin,
            "tlp": self.tlp,
            "purpose": self.purpose,
            "handling": self.handling,
            "handling_note": self.handling_note,
            "forward": self.forward,
            "author": self.author,
            "recipients": list(self.recipients),
            "audience": None if self.audience is None else list(self.audience),
            "path": self.path,
            "name": self.name,
            "never_to": list(self.never_to),
        }


def of_record(envelope: dict[str, Any], *, path: str = "link") -> Source:
    """The source that a stored record is (its labels, audience and origin)."""
    labels = envelope.get("labels") or {}
    return Source(
        ref=f"record:{envelope['id']}",
        origin=envelope["origin"],
        tlp=labels.get("tlp", "AMBER"),
        purpose=labels.get("purpose", "cooperation"),
        handling=labels.get("handling", "H0"),
        handling_note=labels.get("handling_note"),
        forward=labels.get("forward", "on-request"),
        author=envelope.get("author", ""),
        recipients=tuple(labels.get("recipients", [])),
        audience=tuple((envelope.get("audience") or {}).get("nodes", [])),
        record_id=uuid.UUID(envelope["id"]),
        path=path,
    )


def _from_json(data: dict[str, Any], compartment: str | None, record_id: Any) -> Source:
    audience = data.get("audience")
    return Source(
        ref=data["ref"],
        origin=data["origin"],
        tlp=data["tlp"],
        purpose=data["purpose"],
        handling=data.get("handling", "H0"),
        handling_note=data.get("handling_note"),
        forward=data.get("forward", "on-request"),
        author=data.get("author", ""),
        recipients=tuple(data.get("recipients", [])),
        audience=None if audience is None else tuple(audience),
        compartment=compartment,
        record_id=record_id,
        path=data.get("path", "link"),
        name=data.get("name", ""),
        never_to=tuple(data.get("never_to", ())),
    )


def inherited_labels(envelope: dict[str, Any]) -> Labels:
    """Labels for something derived from a record that keep its own: TLP, handling, purpose,
    RED recipients (made explicit with the node they are at, plus the record's author)."""
    labels = dict(envelope.get("labels") or {})
    origin = envelope["origin"]
    out: dict[str, Any] = {
        key: labels[key]
        for key in ("tlp", "handling", "handling_note", "purpose", "forward", "expires")
        if labels.get(key) is not None
    }
    if labels.get("tlp") == "RED":
        named = [r if "@" in r else f"{r}@{origin}" for r in labels.get("recipients", [])]
        author = f"user:{envelope.get('author', '')}@{origin}"
        if envelope.get("author") and author not in named:
            named.append(author)
        out["recipients"] = named
    return Labels.model_validate(out)


# --- the rule -----------------------------------------------------------------------------------


def readers_of(purpose: str) -> frozenset[str]:
    """The roles that may read data of a purpose."""
    return frozenset(role.value for role, ps in ROLE_PURPOSES.items() if purpose in ps)


def purpose_allowed(derived: str, source: str) -> bool:
    return readers_of(derived) <= readers_of(source)


def _recipient(recipient: str, nodes: Iterable[str]) -> set[tuple[str, str]]:
    """(kind:handle, node) pairs a recipient names. With `@node`, that node only; without,
    the visibility rule (`policy.recipient_matches`) lets it match at every node holding the
    record, so it names that handle at each of `nodes`."""
    who, _, node = recipient.partition("@")
    return {(who, node)} if node else {(who, n) for n in nodes}


def _name(source: Source) -> str:
    return f"{source.name!r} ({source.ref})" if source.name else source.ref


def check(
    *,
    sources: Iterable[Source],
    labels: Labels,
    audience: Iterable[str],
    own_node: str,
    author: str | None = None,
) -> None:
    """Refuse (FlowRefused, naming the source and the rule) unless a derived item labelled
    `labels` and addressed to `audience` (node ids, groups expanded) may carry every source.
    `author`: the person deriving it, who reads it too (its author always may)."""
    nodes = {n for n in audience if n != own_node}
    for source in sources:
        _check_one(source, labels, nodes, own_node, author)


def _check_one(
    source: Source, labels: Labels, nodes: set[str], own_node: str, author: str | None
) -> None:
    name = _name(source)
    if not purpose_allowed(labels.purpose, source.purpose):
        raise FlowRefused(
            f"purpose: {name} holds {source.purpose} data; what draws on it must be "
            f"labelled {source.purpose}",
            field="purpose",
            source=name,
        )
    if TLP_LEVELS.index(labels.tlp) < TLP_LEVELS.index(source.tlp):
        raise FlowRefused(
            f"tlp: {name} is TLP:{source.tlp}; what draws on it cannot be TLP:{labels.tlp}",
            field="tlp",
            source=name,
        )
    if HANDLING_ORDER.index(labels.handling) < HANDLING_ORDER.index(source.handling):
        raise FlowRefused(
            f"handling: {name} is {source.handling}; what draws on it cannot be {labels.handling}",
            field="handling",
            source=name,
        )
    if (
        source.handling == "H3"
        and source.handling_note
        and source.handling_note not in (labels.handling_note or "")
    ):
        raise FlowRefused(
            f"handling_note: {name} is H3 ({source.handling_note!r}); carry its restriction",
            field="handling_note",
            source=name,
        )
    barred = nodes & set(source.never_to)
    if barred:
        raise FlowRefused(
            f"to: {name} must never reach {', '.join(sorted(barred))}",
            field="to",
            source=name,
        )
    if source.tlp == "RED":
        _check_red(source, labels, nodes, own_node, author)
    if source.origin != own_node:
        _check_third_party(source, nodes)


def _check_red(
    source: Source, labels: Labels, nodes: set[str], own_node: str, author: str | None
) -> None:
    """RED content stays with its named people. Local content (a case: its members are the
    named people here) leaves only as RED, to people its holder names (the TLP rule saw to
    that); a record's RED content only to its own recipients and author, wherever a name
    without a node would match (every node it reached, as the visibility rule reads it), and
    the person deriving it must be one of them (an author always reads what they wrote)."""
    if source.audience is None:
        return
    name = _name(source)
    holders = {source.origin, *source.audience}
    allowed: set[tuple[str, str]] = set()
    for r in source.recipients:
        allowed |= _recipient(r, holders)
    if source.author:
        allowed.add((f"user:{source.author}", source.origin))
    wanted: set[tuple[str, str]] = set()
    for r in labels.recipients:
        wanted |= _recipient(r, nodes | {own_node})
    if author:
        wanted.add((f"user:{author}", own_node))
    outside = sorted(f"{who}@{node}" for who, node in wanted - allowed)
    if outside:
        raise FlowRefused(
            f"recipients: {name} is TLP:RED for named people only; "
            f"{', '.join(outside)} is not among them",
            field="recipients",
            source=name,
        )
    may_hold = {node for _who, node in allowed}
    if nodes - may_hold:
        raise FlowRefused(
            f"to: {name} is TLP:RED; {', '.join(sorted(nodes - may_hold))} holds none of "
            "its recipients",
            field="to",
            source=name,
        )


def _check_third_party(source: Source, nodes: set[str]) -> None:
    name = _name(source)
    allowed = {source.origin}
    if source.tlp != "AMBER+STRICT":
        allowed |= set(source.audience or ())
    outside = nodes - allowed
    if outside:
        raise FlowRefused(
            f"to: {name} came from {source.origin} and may not be passed to "
            f"{', '.join(sorted(outside))} (third-party rule); ask its origin to share it "
            "(a request for assistance)",
            field="to",
            source=name,
        )


def check_export(sources: Iterable[Source], *, own_node: str) -> None:
    """An export leaves the node: a partner's content never goes with it (third-party rule)."""
    for source in sources:
        if source.origin != own_node:
            raise FlowRefused(
                f"{_name(source)} came from {source.origin} and is not exported with this "
                "node's data (third-party rule)",
                source=_name(source),
            )


# --- memory of sources --------------------------------------------------------------------------


_insert_sources = RowInserter(
    RecordSource.__table__,
    ("record_id", "ref", "source_record", "compartment", "labels", "gone_at"),
)


def remember(
    session: Session, record_id: str, sources: Iterable[Source], *, replace: bool = True
) -> None:
    """Write the sources of a derived record; `replace`: a new version's replace those of the
    earlier one (a new record has none to replace). Straight to the driver, in one statement:
    derived records are written on interactive paths (an alert, a reply)."""
    rid = uuid.UUID(record_id)
    if replace:
        session.execute(delete(RecordSource).where(RecordSource.record_id == rid))
    rows: dict[str, tuple[Any, ...]] = {}
    for source in sources:
        rows.setdefault(
            source.ref,
            (rid, source.ref, source.record_id, source.compartment, source.as_json(), None),
        )
    _insert_sources(session, list(rows.values()))


def closure(
    sources: Iterable[Source], own_node: str, remembered: Callable[[uuid.UUID], list[Source]]
) -> list[Source]:
    """The sources and, for each of this node's own records among them, what that record drew
    on in turn (and so on): quoting our own reply to a partner's message carries the partner's
    content as much as quoting the message. A partner's record is checked on its own labels,
    which its origin bound the same way."""
    out: list[Source] = []
    seen: set[str] = set()
    todo = list(sources)
    i = 0
    while i < len(todo):  # breadth first: the sources given win over remembered copies
        source = todo[i]
        i += 1
        if source.ref in seen:
            continue
        seen.add(source.ref)
        out.append(source)
        if source.record_id is not None and source.origin == own_node:
            todo.extend(remembered(source.record_id))
    return out


def expand(session: Session, sources: Iterable[Source], own_node: str) -> list[Source]:
    """`closure` over the sources this node remembers (as they are now)."""
    return closure(sources, own_node, lambda rid: current(session, sources_of(session, rid)))


def current(session: Session, sources: Iterable[Source]) -> list[Source]:
    """Remembered sources with the labels and audience their records carry now: a space that
    gained a member lets a task reach it; a source made stricter binds what is derived anew.
    A source whose record is gone keeps what was remembered (it is being revoked anyway)."""
    out = []
    for source in sources:
        row = session.get(StoredRecord, source.record_id) if source.record_id else None
        if row is None or row.envelope.get("body") is None:
            out.append(source)
            continue
        now = of_record(row.envelope, path=source.path)
        out.append(
            dataclasses.replace(
                now, ref=source.ref, name=source.name, compartment=source.compartment
            )
        )
    return out


# Built once: constructing a statement costs more than running it on these hot paths.
_SOURCES_OF = select(
    RecordSource.labels, RecordSource.compartment, RecordSource.source_record
).where(RecordSource.record_id == bindparam("rid"), RecordSource.gone_at.is_(None))
_RESTRICTED = select(RecordSource.record_id, RecordSource.compartment, RecordSource.gone_at).where(
    RecordSource.record_id.in_(bindparam("ids", expanding=True)),
    RecordSource.compartment.is_not(None) | RecordSource.gone_at.is_not(None),
)


def sources_of(session: Session, record_id: uuid.UUID) -> list[Source]:
    """The live sources a derived record remembers."""
    # Rows only, without flushing what the transaction holds (the remembered rows are written
    # straight to the driver): a flush here cost more than the rest of creating a record.
    with session.no_autoflush:
        rows = session.execute(_SOURCES_OF, {"rid": record_id}).all()
    return [_from_json(labels, compartment, source) for labels, compartment, source in rows]


# A compartment kind ("case") -> which of the given keys the actor may open.
CompartmentCheck = Callable[[Session, Principal, set[str]], set[str]]
COMPARTMENTS: dict[str, CompartmentCheck] = {}


def register_compartment(kind: str, allowed: CompartmentCheck) -> None:
    COMPARTMENTS[kind] = allowed


def hidden(session: Session, actor: Principal, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Of these records, those the actor may not read although their labels allow it: they
    draw on a compartment the actor may not open, or on a source that is gone (they are being
    revoked)."""
    wanted = list(ids)
    if not wanted or actor.kind == "system":
        return set()
    out: set[uuid.UUID] = set()
    needs: dict[uuid.UUID, set[str]] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        for rid, compartment, gone in session.execute(_RESTRICTED, {"ids": chunk}):
            if gone is not None:
                out.add(rid)
            elif compartment:
                needs.setdefault(rid, set()).add(compartment)
    if needs:
        keys = set().union(*needs.values())
        opened = _open_compartments(session, actor, keys)
        out |= {rid for rid, want in needs.items() if not want <= opened}
    return out


def _open_compartments(session: Session, actor: Principal, keys: set[str]) -> set[str]:
    by_kind: dict[str, set[str]] = {}
    for key in keys:
        kind, _, value = key.partition(":")
        by_kind.setdefault(kind, set()).add(value)
    opened: set[str] = set()
    for kind, values in by_kind.items():
        allowed = COMPARTMENTS.get(kind)
        if allowed is not None:  # an unknown kind opens for nobody
            opened |= {f"{kind}:{v}" for v in allowed(session, actor, values)}
    return opened


def source_gone(session: Session, source_record: uuid.UUID) -> list[uuid.UUID]:
    """Mark every derived record drawing on this record as hidden; returns their ids (the
    caller revokes those that are this node's own)."""
    rows = list(
        session.scalars(
            select(RecordSource.record_id).where(
                RecordSource.source_record == source_record, RecordSource.gone_at.is_(None)
            )
        )
    )
    if rows:
        session.execute(
            update(RecordSource)
            .where(RecordSource.source_record == source_record, RecordSource.gone_at.is_(None))
            .values(gone_at=clock.now())
        )
    return rows
