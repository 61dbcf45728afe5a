"""One search service over two engines: SQLite FTS5 on the embedded store, PostgreSQL full-text
(GIN over a `simple` tsvector) plus a trigram index in production.

Both look up the terms of the index (`index.py`). The engines only find candidates; ranking, the
matched value and its highlighting are computed here the same way for both."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from followthemoney import EntityProxy
from followthemoney.types import registry
from sqlalchemy import and_, bindparam, column, false, func, or_, select, table, text
from sqlalchemy.orm import Session

from corridor.audit import service as audit
from corridor.entities.access import accessible_case_ids
from corridor.entities.ftm import UNREAD, model
from corridor.entities.models import Entity, EntityIndex
from corridor.entities.normalize import normalize_phone, selector_values
from corridor.entities.search.index import alnum, unread_values
from corridor.entities.search.names import (
    SAME_NAME_THRESHOLD,
    SEARCH_EXTRA_PENALTY,
    PartMatch,
    explain,
    latin_tokens,
    letter_pairs,
    loose_keys,
    name_keys,
    name_parts,
    name_similarity,
)
from corridor.errors import InvalidInput
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.security.principal import Principal

MAX_QUERY = 200
# What the results are counted by (`facets`), each the name of the filter that narrows to it.
FACETS = ("schema", "country", "case", "origin")
CANDIDATES = 120
# Up to this many matches a pass is ordered by relevance (bm25); beyond, by recency.
RANK_AT_MOST = 5_000
WORD_RE = re.compile(r"\w+", re.UNICODE)
PHONE_RE = re.compile(r"^[+(]?[\d\s().\-/]{6,24}$")
# The SQLite FTS5 table (created by the migration, not a model).
FTS = table("entity_fts", column("rowid"), column("rank"))


@dataclass(frozen=True)
class Query:
    text: str
    name_keys: list[str]
    selector_terms: list[str]
    selectors: list[tuple[str, str]]  # (kind, normalised value) to verify candidates against
    prefix: str | None
    # Loose keys part by part (names.loose_keys), asked for when the exact keys find too few.
    loose: list[list[str]] = field(default_factory=list)
    # Letter pairs of the name (names.letter_pairs): the last resort, ranked by how many match.
    pairs: list[str] = field(default_factory=list)


def parse_query(q: str, default_region: str | None) -> Query:
    q = (q or "").strip()
    if not q:
        raise InvalidInput("q: type a name, phone number, document or account number")
    if len(q) > MAX_QUERY:
        raise InvalidInput(f"q: at most {MAX_QUERY} characters")
    selectors: list[tuple[str, str]] = []
    if PHONE_RE.match(q) and sum(c.isdigit() for c in q) >= 6:
        phone = normalize_phone(q, default_region)
        if phone:
            selectors.append(("phone", phone))
    # Document and account numbers are often typed with spaces ("AB 123 4567").
    for word in [q, *q.split()]:
        if any(c.isdigit() for c in word) or "@" in word:
            letters = alnum(word)
            if len(letters) >= 4 and ("x", letters) not in selectors:
                selectors.append(("x", letters))
    if selectors and not any(c.isalpha() for c in q.replace("@", "")):
        keys: list[str] = []
    else:
        keys = list(dict.fromkeys(name_keys(q)))
    loose = loose_keys(q) if keys else []
    pairs = letter_pairs(q) if keys else []
    terms = [("tel" + alnum(v)) if k == "phone" else ("x" + v) for k, v in selectors]
    tokens = latin_tokens(q)
    prefix = tokens[-1] if tokens and len(tokens[-1]) >= 2 else None
    return Query(q, keys, list(dict.fromkeys(terms)), selectors, prefix, loose, pairs)


def _fts_match(terms: list[str], joiner: str) -> str:
    return f" {joiner} ".join(f'"{t}"' for t in terms)


def _doc_counts(session: Session, terms: list[str]) -> dict[str, int]:
    """How many entities hold each term (FTS5's own vocabulary table: an index lookup)."""
    if not terms:
        return {}
    q = text("SELECT term, doc FROM entity_fts_vocab WHERE term IN :terms").bindparams(
        bindparam("terms", expanding=True)
    )
    return {term: doc for term, doc in session.execute(q, {"terms": sorted(set(terms))})}


def _sqlite_passes(session: Session, query: Query) -> list[tuple[str, int | None]]:
    """FTS5 expressions to try in turn, each with an upper bound of how many entities match.
    First every name key (or any selector); then, for names of three parts or more, all parts
    but one (a part misspelt beyond its key); then a loose key of every part (and of all parts
    but one); then the letter pairs, where few enough entities hold them to rank them; last a
    prefix of the last word typed. A bound of None is counted only if the pass is reached."""
    loose_terms = [k for part in query.loose for k in part]
    df = _doc_counts(session, query.name_keys + query.selector_terms + loose_terms)
    keys = query.name_keys
    passes: list[tuple[str, int | None]] = []
    strict, bound = [], 0
    if keys:
        strict.append("keys:(" + _fts_match(keys, "AND") + ")")
        bound += min(df.get(k, 0) for k in keys)
    if query.selector_terms:
        strict.append("keys:(" + _fts_match(query.selector_terms, "OR") + ")")
        bound += sum(df.get(k, 0) for k in query.selector_terms)
    if strict:
        passes.append((" OR ".join(strict), bound))
    if len(keys) >= 3:
        combos = _all_but_one(keys)
        passes.append(
            (
                "keys:(" + " OR ".join("(" + _fts_match(c, "AND") + ")" for c in combos) + ")",
                sum(min(df.get(k, 0) for k in c) for c in combos),
            )
        )
    for combo in _loose_combos(query.loose):
        passes.append(
            (
                "keys:(" + " AND ".join("(" + _fts_match(p, "OR") + ")" for p in combo) + ")",
                min(sum(df.get(k, 0) for k in p) for p in combo),
            )
        )
    if query.pairs:
        # Counted when reached (see _candidates_sqlite), not from the vocabulary, which reads
        # a whole posting list to count it (a common pair is in a third of the store: half the
        # CPU of a search at a million).
        passes.append(("keys:(" + _fts_match(query.pairs, "OR") + ")", None))
    if query.prefix and not query.selector_terms:
        passes.append((f'names:"{query.prefix}"*', RANK_AT_MOST + 1))
    return passes


def _loose_combos(loose: list[list[str]]) -> list[list[list[str]]]:
    """The loose passes: some loose key of every part; for names of three parts or more, then of
    every part but one."""
    if not loose:
        return []
    combos = [loose]
    if len(loose) >= 3:
        combos.extend([p for j, p in enumerate(loose) if j != i] for i in range(len(loose)))
    return combos


def _all_but_one(keys: list[str]) -> list[list[str]]:
    """For names of three parts or more: every way of leaving one part out (a part misspelt
    beyond its key)."""
    return [[k for j, k in enumerate(keys) if j != i] for i in range(len(keys))]


def _enough(out: list[str], found: Iterable[str]) -> bool:
    """Add what a pass found to the candidates; whether they are enough to stop there."""
    out.extend(eid for eid in found if eid not in out)
    return len(out) >= CANDIDATES // 3


def _candidates_sqlite(session: Session, query: Query, filters: list[Any]) -> list[str]:
    out: list[str] = []
    for expr, bound in _sqlite_passes(session, query):
        if bound is None:
            # Letter pairs serve only where they can be ranked by how many match (a case, a
            # small store): in a large one their newest matches would be noise.
            bound = _count_to(session, expr, RANK_AT_MOST + 1)
            if bound > RANK_AT_MOST:
                continue
        q = (
            select(EntityIndex.entity_id)
            .join(FTS, FTS.c.rowid == EntityIndex.id)
            .where(text("entity_fts MATCH :m").bindparams(m=expr), *filters)
            .limit(CANDIDATES)
        )
        # bm25 is computed for every match before the first row comes out: affordable for a
        # few thousand matches. For a very common name the newest entities come first instead
        # (FTS5 walks its index in rowid order and stops at the limit); all candidates are
        # ranked by name similarity afterwards anyway.
        q = q.order_by(FTS.c.rank if bound <= RANK_AT_MOST else FTS.c.rowid.desc())
        if _enough(out, session.scalars(q)):
            break
    return out


def _count_to(session: Session, expr: str, stop: int) -> int:
    """How many entities an FTS5 expression matches, counting no further than `stop`."""
    found = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT rowid FROM entity_fts WHERE entity_fts MATCH :m LIMIT :n)"
        ).bindparams(m=expr, n=stop)
    )
    return int(found or 0)


def _tsquery(terms: list[str], joiner: str) -> str:
    return f" {joiner} ".join(terms)


def _candidates_postgresql(session: Session, query: Query, filters: list[Any]) -> list[str]:
    """The same passes as on SQLite, as `simple` tsqueries served by the GIN index (the prefix
    pass by the trigram index on names)."""
    keys = query.name_keys
    passes: list[tuple[str, str]] = []
    vector = "to_tsvector('simple', entity_index.keys)"
    matches = f"{vector} @@ to_tsquery('simple', :m)"
    strict = []
    if keys:
        strict.append("(" + _tsquery(keys, "&") + ")")
    if query.selector_terms:
        strict.append("(" + _tsquery(query.selector_terms, "|") + ")")
    if strict:
        passes.append((matches, " | ".join(strict)))
    if len(keys) >= 3:
        combos = _all_but_one(keys)
        passes.append((matches, " | ".join("(" + _tsquery(c, "&") + ")" for c in combos)))
    for combo in _loose_combos(query.loose):
        passes.append((matches, " & ".join("(" + _tsquery(p, "|") + ")" for p in combo)))
    pairs = _tsquery(query.pairs, "|") if query.pairs else None
    if pairs:
        passes.append((matches, pairs))
    if query.prefix and not query.selector_terms:
        passes.append(("entity_index.names ILIKE :m", f"%{query.prefix}%"))
    out: list[str] = []
    for cond, arg in passes:
        where = [text(cond).bindparams(m=arg), *filters]
        # As on SQLite: rank by relevance only when few enough entities match (counting stops
        # at the bound), otherwise take the newest.
        found = session.scalar(
            select(func.count()).select_from(
                select(EntityIndex.id).where(*where).limit(RANK_AT_MOST + 1).subquery()
            )
        )
        if arg == pairs and (found or 0) > RANK_AT_MOST:
            continue  # letter pairs only where they can be ranked (see _sqlite_passes)
        q = select(EntityIndex.entity_id).where(*where).limit(CANDIDATES)
        if cond == matches and (found or 0) <= RANK_AT_MOST:
            q = q.order_by(
                text(f"ts_rank({vector}, to_tsquery('simple', :m)) DESC").bindparams(m=arg)
            )
        else:
            q = q.order_by(EntityIndex.id.desc())
        if _enough(out, session.scalars(q)):
            break
    return out


@dataclass
class Hit:
    entity: Entity
    score: float
    prop: str
    value: str
    highlight: list[dict[str, Any]] = field(default_factory=list)
    # Why the name matched, part by part (names.explain); empty for a selector hit.
    why: list[PartMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        e = self.entity
        return {
            "id": e.id,
            "schema": e.schema,
            "caption": e.caption,
            "case_id": str(e.case_id) if e.case_id else None,
            "origin": e.origin,
            "tlp": e.tlp,
            "score": round(self.score, 3),
            "matched": {
                "prop": self.prop,
                "value": self.value,
                "highlight": self.highlight,
                "why": [asdict(w) for w in self.why],
            },
            "properties": e.properties,
        }


def highlight(value: str, keys: set[str], aligned: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The value split into segments, those whose name key matches the query, or which the
    name comparison aligned with a part of the query (`aligned`, as names.Part.text), marked."""
    out: list[dict[str, Any]] = []
    matched_parts = set(aligned)
    pos = 0
    for m in WORD_RE.finditer(value):
        if m.start() > pos:
            out.append({"text": value[pos : m.start()], "hit": False})
        parts = name_parts(m.group())
        hit = bool(keys & set(name_keys(m.group()))) or any(p.text in matched_parts for p in parts)
        out.append({"text": m.group(), "hit": hit})
        pos = m.end()
    if pos < len(value):
        out.append({"text": value[pos:], "hit": False})
    return out


def _rank(entity: Entity, query: Query, default_region: str | None) -> Hit | None:
    proxy = model.get_proxy(
        {"id": entity.id, "schema": entity.schema, "properties": entity.properties}
    )
    for kind, value in selector_values(proxy, default_region):
        for qkind, qvalue in query.selectors:
            if (qkind == "phone" and kind == "phone" and value == qvalue) or (
                qkind == "x" and kind != "phone" and alnum(value) == qvalue
            ):
                prop = _prop_holding(proxy, value) or kind
                return Hit(entity, 1.0, prop, value, [{"text": value, "hit": True}])
    for meant, raw in unread_values(proxy):
        # A value an import could not read, found as it was typed.
        if any(k == "x" and alnum(raw) == v for k, v in query.selectors):
            shown = f"{meant}: {raw}"
            return Hit(entity, 1.0, UNREAD, shown, [{"text": shown, "hit": True}])
    best: tuple[float, str, str] | None = None
    qkeys = set(query.name_keys)
    for name_prop, value in proxy.itervalues():
        if name_prop.type != registry.name:
            continue
        score = name_similarity(query.text, value, SEARCH_EXTRA_PENALTY)
        if query.prefix and any(t.startswith(query.prefix) for t in latin_tokens(value)):
            score = max(score, 0.5)
        elif score < SAME_NAME_THRESHOLD and not qkeys & set(name_keys(value)):
            # Found by a loose key or letter pairs only: shown when it is a spelling of the
            # name asked for, not because it shares a few letters.
            continue
        if best is None or score > best[0]:
            best = (score, name_prop.name, value)
    if best is None or best[0] < 0.3:
        return None
    score, prop_name, value = best
    return Hit(entity, score, prop_name, value)


def _explained(hit: Hit, query: Query) -> Hit:
    """A name hit with its highlighting and why it matched (only for the hits answered)."""
    if hit.highlight:  # a selector hit is explained already
        return hit
    hit.why = explain(query.text, hit.value)
    hit.highlight = highlight(hit.value, set(query.name_keys), (w.value for w in hit.why))
    return hit


def _prop_holding(proxy: EntityProxy, normalised: str) -> str | None:
    target = alnum(normalised)
    for prop, value in proxy.itervalues():
        if alnum(value) == target:
            return prop.name
    return None


@dataclass
class SearchResult:
    items: list[Hit]
    total_candidates: int
    # How many hits were found before `limit`, and how many of them fall under each value of
    # each facet (FACETS: type, country, case, origin; the most frequent first). Counted from
    # the hits themselves, so only what the actor may see.
    found: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def facet_counts(hits: Iterable[Hit], node_id: str) -> dict[str, list[tuple[str, int]]]:
    """The hits counted by type, country (FtM's lower-case code, as the `country` filter takes
    it), case (id) and origin (node id: this node's own for its own entities)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for hit in hits:
        e = hit.entity
        counts["schema"][e.schema] += 1
        counts["country"].update(_countries(e))
        if e.case_id is not None:
            counts["case"][str(e.case_id)] += 1
        counts["origin"][e.origin or node_id] += 1
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        for name, counter in counts.items()
    }


def _countries(entity: Entity) -> set[str]:
    sch = model.get(entity.schema)
    if sch is None:
        return set()
    return {
        v.lower()
        for name, values in (entity.properties or {}).items()
        if (prop := sch.get(name)) is not None and prop.type is registry.country
        for v in values
    }


def visibility(session: Session, actor: Principal) -> list[Any]:
    """SQL conditions on entity_index: the actor's cases, or partner entities of a purpose the
    actor may see (TLP:RED partner entities are checked per record after the query)."""
    case_ids = accessible_case_ids(session, actor)
    own = EntityIndex.case_id.in_(case_ids) if case_ids else false()
    if actor.kind == "system":
        return []
    partner = and_(
        EntityIndex.case_id.is_(None),
        EntityIndex.origin.is_not(None),
        EntityIndex.purpose.in_(sorted(actor.purposes)),
    )
    return [or_(own, partner)]


def search(
    session: Session,
    *,
    actor: Principal,
    node_id: str,
    q: str,
    schema: str | None = None,
    case_id: uuid.UUID | None = None,
    country: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    partners_only: bool = False,
    origin: str | None = None,
    limit: int = 20,
    default_region: str | None = None,
    audit_it: bool = True,
) -> SearchResult:
    actor.require("entities.read")
    if not 1 <= limit <= 200:
        raise InvalidInput("limit: 1 to 200")
    query = parse_query(q, default_region)
    filters = visibility(session, actor)
    if schema:
        sch = model.get(schema)
        if sch is None:
            raise InvalidInput(f"schema: unknown schema {schema!r}")
        filters.append(EntityIndex.schema.in_(sorted(s.name for s in sch.descendants | {sch})))
    if case_id is not None:
        filters.append(EntityIndex.case_id == case_id)
    if partners_only:
        filters.append(EntityIndex.origin.is_not(None))
    if origin:
        # A node id; this node's own for its own entities (as the origin facet counts them).
        if len(origin) > 64:
            raise InvalidInput("origin: a node id")
        own = origin == node_id
        filters.append(EntityIndex.origin.is_(None) if own else EntityIndex.origin == origin)
    if country:
        code = registry.country.clean_text(country)
        if code is None:
            raise InvalidInput(f"country: unknown country {country!r}")
        filters.append(EntityIndex.countries.like(f"% {code} %"))
    for label, value in (("date_from", date_from), ("date_to", date_to)):
        if value and registry.date.clean_text(value) is None:
            raise InvalidInput(f"{label}: a date like 2025, 2025-06 or 2025-06-30")
    if date_from:
        filters.append(EntityIndex.last_date >= date_from)
    if date_to:
        filters.append(EntityIndex.first_date <= date_to + "\uffff")
    finder = (
        _candidates_postgresql
        if session.get_bind().dialect.name == "postgresql"
        else _candidates_sqlite
    )
    ids = finder(session, query, filters)
    entities = _load(session, ids)
    hits = [h for e in entities if (h := _rank(e, query, default_region)) is not None]
    hits = _drop_unseen_red(session, actor, node_id, hits)
    hits.sort(key=lambda h: (-h.score, h.entity.caption))
    found, facets = len(hits), facet_counts(hits, node_id)
    hits = [_explained(h, query) for h in hits[:limit]]
    if audit_it:
        audit.append(
            session,
            actor=actor,
            action="entities.search",
            object_type="entity",
            detail={
                # The query itself may be a person's name: only its hash goes into the audit.
                "q_sha256": hashlib.sha256(q.encode("utf-8")).hexdigest(),
                "results": len(hits),
                "ids": [h.entity.id for h in hits],
            },
        )
    return SearchResult(hits, len(ids), found, facets)


def _load(session: Session, ids: Iterable[str]) -> list[Entity]:
    ids = list(ids)
    if not ids:
        return []
    rows = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows and rows[i].merged_into is None]


def _drop_unseen_red(
    session: Session, actor: Principal, node_id: str, hits: list[Hit]
) -> list[Hit]:
    record_ids = {h.entity.record_id for h in hits if h.entity.origin and h.entity.tlp == "RED"}
    if not record_ids:
        return hits
    envelopes: dict[uuid.UUID | None, dict[str, Any]] = {
        r.id: r.envelope
        for r in session.scalars(select(StoredRecord).where(StoredRecord.id.in_(record_ids)))
    }
    return [
        h
        for h in hits
        if h.entity.record_id not in record_ids
        or can_see(actor, envelopes.get(h.entity.record_id, {}), node_id)
    ]
