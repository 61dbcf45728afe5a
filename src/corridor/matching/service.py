"""The querier's side: check selectors across the network.

Each value is blinded once (`oprf.blind`), sent to every partner that published an index (in
parallel, signed, in calls of `CALL_ELEMENTS`), unblinded with the partner's answer
and looked up in the partner's index as we hold it. A hit names the partner, the selector
type, the partner's referral handle (unsealed with the evaluation) and its level; the partner
is told of each hit (a `matching.hit` record, authored by the person who asked). Nothing a
partner holds leaves it but what the protocol gives; no value we ask about leaves us."""

from __future__ import annotations

import base64
import contextlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.audit import service as audit
from corridor.errors import InvalidInput
from corridor.federation import transport
from corridor.federation.models import Peer
from corridor.matching import oprf
from corridor.matching.index import format_handle, seal, tag_of
from corridor.matching.models import HitOnOurs, PartnerEntry
from corridor.matching.records import HIT_TYPE, INDEX_TYPE
from corridor.matching.selectors import Selector, of_query
from corridor.node.service import Node
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import Principal

# Selectors in one check (a bulk check of a case or a list is cut into checks of this size).
MAX_SELECTORS = 10_000
LOOKUP_CHUNK = 500
# Elements in one call to a holder (it takes up to MAX_ELEMENTS): small calls keep a loaded
# holder's answer within the timeout and let several peers' calls interleave.
CALL_ELEMENTS = 2_000
EVALUATION_TIMEOUT = httpx.Timeout(60.0, connect=3.0)
# Holders asked at once; the ones that did not answer are asked once more at the end.
PARALLEL = 8


@dataclass(frozen=True)
class Query:
    type: str
    value: str
    country: str | None = None
    birth_year: int | None = None


@dataclass
class Hit:
    node: str
    type: str
    handle: str
    level: str


@dataclass
class Result:
    query: Query
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Outcome:
    results: list[Result]
    # node id -> "answered" | "unreachable" | "refused: …"
    peers: dict[str, str]


# (holder node id, url, blinded elements) -> evaluated elements, or raises
Evaluator = Callable[[str, str, list[bytes]], list[bytes]]


def holders(session: Session, own_id: str) -> list[tuple[str, str]]:
    """Approved peers whose index we hold: (node id, url)."""
    # From the segments' records (a few hundred rows), not from the entries (millions).
    with_index = set(
        session.scalars(
            select(StoredRecord.origin)
            .where(StoredRecord.type == INDEX_TYPE, StoredRecord.state == "active")
            .distinct()
        )
    )
    return [
        (p.node_id, p.url)
        for p in session.scalars(select(Peer).where(Peer.state == "approved"))
        if p.node_id in with_index and p.node_id != own_id
    ]


def http_evaluator(node: Node, http: httpx.Client | None = None) -> Evaluator:
    def call(holder: str, url: str, elements: list[bytes]) -> list[bytes]:
        client = http or transport.shared_client()
        out: list[bytes] = []
        for i in range(0, len(elements), CALL_ELEMENTS):
            chunk = elements[i : i + CALL_ELEMENTS]
            body = json.dumps({"elements": [base64.b64encode(e).decode() for e in chunk]})
            request = client.build_request(
                "POST",
                url + "/federation/v1/matching/evaluate",
                content=body.encode(),
                headers={"content-type": "application/json"},
                # A busy holder evaluating many peers' bulk checks answers late, not never.
                timeout=EVALUATION_TIMEOUT,
            )
            transport.sign(request, node.keys, to=holder, body=body.encode())
            r = client.send(request)
            if r.status_code != 200:
                detail = ""
                with contextlib.suppress(ValueError):
                    detail = str(r.json().get("detail", ""))[:200]
                raise PeerRefused(f"{r.status_code} {detail}".strip())
            answer = [base64.b64decode(e) for e in r.json()["elements"]]
            if len(answer) != len(chunk):
                raise PeerRefused("answered a different number of elements")
            out.extend(answer)
        return out

    return call


class PeerRefused(Exception):
    pass


def validate(queries: Sequence[Query], default_region: str | None = None) -> None:
    """Refuse (naming `selectors[i].field`) a query that cannot be asked."""
    _inputs(queries, default_region)


def hit_json(hit: Hit) -> dict[str, str]:
    return {"node": hit.node, "type": hit.type, "handle": hit.handle, "level": hit.level}


def _inputs(queries: Sequence[Query], region: str | None) -> list[list[Selector]]:
    out = []
    for i, q in enumerate(queries):
        try:
            out.append(
                of_query(
                    q.type,
                    q.value,
                    country=q.country,
                    birth_year=q.birth_year,
                    default_region=region,
                )
            )
        except InvalidInput as exc:
            field = f"selectors[{i}].{exc.extra.get('field') or 'value'}"
            raise InvalidInput(f"{field}: {exc.detail.split(': ', 1)[-1]}", field=field) from None
    return out


def _lookup(session: Session, tags: list[bytes]) -> list[tuple[str, bytes, bytes]]:
    """(holder, tag, sealed handle) of the partners' entries under any of `tags`."""
    found: list[tuple[str, bytes, bytes]] = []
    unique = list(dict.fromkeys(tags))
    for i in range(0, len(unique), LOOKUP_CHUNK):
        rows = session.execute(
            select(PartnerEntry.holder, PartnerEntry.tag, PartnerEntry.sealed).where(
                PartnerEntry.tag.in_(unique[i : i + LOOKUP_CHUNK])
            )
        )
        found.extend((h, t, s) for h, t, s in rows)
    return found


def check(
    node: Node,
    *,
    actor: Principal,
    queries: Sequence[Query],
    evaluator: Evaluator | None = None,
    notify: bool = True,
    only: set[str] | None = None,
) -> Outcome:
    """Check `queries` with every partner that published an index (or those in `only`)."""
    actor.require("matching.check")
    if not queries:
        raise InvalidInput("selectors: name at least one selector", field="selectors")
    if len(queries) > MAX_SELECTORS:
        raise InvalidInput(f"selectors: at most {MAX_SELECTORS} in one check", field="selectors")
    per_query = _inputs(queries, node.config.country)
    unique: dict[bytes, oprf.Blinded] = {}
    for selectors in per_query:
        for s in selectors:
            data = s.oprf_input()
            if data not in unique:
                unique[data] = oprf.blind(data)
    blinded = list(unique.values())
    with node.db.reading() as session:
        targets = [t for t in holders(session, node.id) if only is None or t[0] in only]
    evaluate = evaluator or http_evaluator(node)

    def ask(target: tuple[str, str]) -> tuple[str, list[bytes] | str]:
        """A holder's evaluations, unblinded here: libsodium releases the GIL, so the
        holders' answers are finalised on every core."""
        holder, url = target
        try:
            answer = evaluate(holder, url, [b.element for b in blinded])
        except PeerRefused as exc:
            return holder, f"refused: {exc}"
        except (httpx.HTTPError, ValueError, KeyError, oprf.InvalidElement):
            return holder, "unreachable"
        try:
            return holder, [oprf.finalize(b, z) for b, z in zip(blinded, answer, strict=True)]
        except (oprf.InvalidElement, ValueError):
            return holder, "refused: an invalid element in its answer"

    with ThreadPoolExecutor(max_workers=max(1, min(PARALLEL, len(targets)))) as pool:
        answers = dict(pool.map(ask, targets))
        late = [t for t in targets if answers[t[0]] == "unreachable"]
        answers.update(pool.map(ask, late))
    peers: dict[str, str] = {}
    # (holder, tag) -> (input, output) for every answer, then one lookup for all holders
    outputs: dict[tuple[str, bytes], tuple[bytes, bytes]] = {}
    for holder, answer in answers.items():
        if isinstance(answer, str):
            peers[holder] = answer
            continue
        peers[holder] = "answered"
        for b, out in zip(blinded, answer, strict=True):
            outputs[(holder, tag_of(out))] = (b.value, out)
    # input -> [(holder, handle)]
    matched: dict[bytes, list[tuple[str, str]]] = defaultdict(list)
    with node.db.reading() as session:
        for holder, tag, sealed in _lookup(session, [t for _, t in outputs]):
            if (holder, tag) in outputs:
                value, out = outputs[(holder, tag)]
                matched[value].append((holder, format_handle(seal(sealed, out))))
    results = []
    for q, selectors in zip(queries, per_query, strict=True):
        seen: dict[tuple[str, str], Hit] = {}
        for s in selectors:
            for holder, handle in matched.get(s.oprf_input(), []):
                level = "name" if q.type == "name" else "exact"
                seen.setdefault((holder, handle), Hit(holder, q.type, handle, level))
        results.append(Result(q, list(seen.values())))
    _record(node, actor, queries, results, peers, notify)
    return Outcome(results, peers)


def _record(
    node: Node,
    actor: Principal,
    queries: Sequence[Query],
    results: list[Result],
    peers: dict[str, str],
    notify: bool,
) -> None:
    """Audit the check (types and counts, never values) and tell each holder of its hits."""
    hits = {(h.node, h.handle, h.type, h.level) for r in results for h in r.hits}
    types: dict[str, int] = defaultdict(int)
    for q in queries:
        types[q.type] += 1
    with node.db.transaction() as session:
        audit.append(
            session,
            actor=actor,
            action="matching.check",
            detail={
                "selectors": len(queries),
                "types": dict(types),
                "peers": len(peers),
                "hits": [f"{n}:{h}" for n, h, _, _ in sorted(hits)][:100],
            },
        )
        if not notify:
            return
        items = [
            records.NewRecord(
                type=HIT_TYPE,
                body={"handle": handle, "type": type_, "level": level},
                labels=Labels(tlp="AMBER", purpose="enforcement"),
                audience=Audience(nodes=[holder]),
            )
            for holder, handle, type_, level in sorted(hits)
        ]
        if items:
            records.create_many(session, node.keys, actor=actor, items=items)


def hits_on_ours(session: Session, *, actor: Principal, limit: int = 1000) -> list[HitOnOurs]:
    """The partners' hits on our data, newest first (an audited read)."""
    actor.require("matching.hits")
    rows = list(session.scalars(select(HitOnOurs).order_by(HitOnOurs.at.desc()).limit(limit)))
    audit.append(session, actor=actor, action="matching.hits", detail={"count": len(rows)})
    return rows


def as_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "results": [
            {
                "selector": {
                    k: v
                    for k, v in (
                        ("type", r.query.type),
                        ("value", r.query.value),
                        ("country", r.query.country),
                        ("birth_year", r.query.birth_year),
                    )
                    if v is not None
                },
                "hits": [hit_json(h) for h in r.hits],
            }
            for r in outcome.results
        ],
        "peers": [{"node": n, "state": s} for n, s in sorted(outcome.peers.items())],
    }
