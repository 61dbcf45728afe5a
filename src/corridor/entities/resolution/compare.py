"""Compare two FtM entities: a score, a match decision and the reasons behind both.

Each feature (names, birth date, identifiers, nationality, gender, address) adds a signed weight
to a log-odds sum, starting from :data:`PRIOR` (two records picked for comparison are more often
different people than the same one). The score is the logistic of that sum; the decision is
``True`` at or above :data:`MATCH_THRESHOLD`, ``False`` below :data:`NO_MATCH_THRESHOLD` and
``None`` (unsure, for the review queue) in between. The weights are set by hand from what the
features mean to an investigator (a shared passport number is strong, a shared phone weaker, a
different phone little evidence, a different birth date strong evidence against) and checked
against FEBRL dataset 1, which the quality benchmark does not report on (see
bench/entities/QUALITY.md). A name alone, however well it agrees, stays below a match: many
people share one.

``prepare`` does the per-entity work once, so that duplicate detection compares prepared
entities without repeating it for every pair.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any, Literal

from followthemoney import EntityProxy
from followthemoney.exc import InvalidData
from followthemoney.types import registry
from rigour.addresses import compare_address
from rigour.names import replace_org_types_compare
from rigour.text.distance import levenshtein

from corridor.entities.ftm import model
from corridor.entities.normalize import normalize_identifier, selector_values
from corridor.entities.search.names import Part, name_parts, name_similarity
from corridor.entities.search.skeletons import is_arabic

Outcome = Literal["agree", "partial", "conflict"]

# Score at or above which two entities are the same (match=True).
MATCH_THRESHOLD = 0.9
# Score below which two entities are different (match=False); in between: unsure (None).
NO_MATCH_THRESHOLD = 0.6
# Log-odds before any evidence.
PRIOR = -2.5

# Name similarity → weight: piecewise linear through these points (similarity, weight).
NAME_CURVE = ((0.0, -4.0), (0.5, -3.0), (0.7, -0.5), (0.8, 1.0), (0.9, 2.5), (1.0, 3.5))
NAME_AGREE = 0.9
NAME_PARTIAL = 0.7
# A name of one part (Osman, Khan) is shared by many: its agreement counts at most this much.
SINGLE_PART_NAME_MAX = 2.0

BIRTH_DATE_AGREE = 3.0
BIRTH_YEAR_AGREE = 1.0  # only the year known on one side, and it agrees
# 1 January is what many registrations record for an estimated age: two such dates agree on
# the year only.
DEFAULT_DAY = "-01-01"
BIRTH_DATE_TYPO = 1.0  # one digit off, or day and month swapped
# Dates of birth are often estimated, misheard or mistyped: dates within two months of each
# other or two digits apart are weak evidence against, dates within about a year moderate
# (namesakes born the same year are common), anything else strong.
BIRTH_DATE_NEAR = -0.5
BIRTH_DATE_CLOSE = -2.0
BIRTH_DATE_CONFLICT = -3.5

# Per selector kind: (weight when a value is shared, weight when both have values of the kind
# and none is shared). People hold several phones, e-mails and accounts, so a different one is
# little evidence; a vessel has one IMO number and a handset one IMEI.
IDENTIFIER_WEIGHTS: dict[str, tuple[float, float]] = {
    "document": (5.0, -2.5),
    "iban": (5.0, -1.0),
    "bank_account": (5.0, -1.0),
    "imei": (6.0, -3.0),
    "imsi": (5.0, -1.0),
    "iccid": (5.0, -1.0),
    "imo": (6.0, -5.0),
    "mmsi": (5.0, -3.0),
    "plate": (4.0, -2.0),
    "email": (5.0, -0.3),
    "phone": (3.0, -0.3),
    "account": (3.0, -0.3),
    "generic": (3.0, -0.5),
}
# A document number one keystroke (or OCR confusion) away from the other's: likely the same.
IDENTIFIER_TYPO = 1.5
TYPO_KINDS = frozenset({"document", "bank_account", "plate", "email"})

COUNTRY_AGREE = 0.5
COUNTRY_CONFLICT = -1.0
GENDER_AGREE = 0.2
GENDER_CONFLICT = -2.5
ADDRESS_AGREE = 1.5  # similarity ≥ 0.8
ADDRESS_PARTIAL = 0.5  # similarity ≥ 0.5
ADDRESS_CONFLICT = -0.5  # people move: weak evidence against

# Shown as the weight of an incompatible-schema reason; the score is then 0 whatever else agrees.
SCHEMA_CONFLICT = -100.0

MAX_NAMES = 12
_COUNTRY_PROPS = ("nationality", "citizenship", "birthCountry", "country", "flag")
_ADDRESS_PROPS = ("address",)
_ADDRESS_WORD = re.compile(r"\w{3,}")
_BIRTH_PROPS = ("birthDate",)


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    outcome: Outcome
    a_value: str
    b_value: str
    weight: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["weight"] = round(self.weight, 3)
        return out


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    match: bool | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def name_level(self) -> Outcome | None:
        """How the best pair of names compares (agree, partial, conflict), None without names."""
        return next((r.outcome for r in self.reasons if r.feature == "name"), None)

    @property
    def name_match(self) -> bool | None:
        """The names' own verdict, for callers who have nothing but names: True when they
        agree, False when they differ, None when they are only similar (or absent). `match`
        stays the verdict on the identity, which a name alone never settles."""
        return {"agree": True, "conflict": False}.get(self.name_level or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "match": self.match,
            "name_match": self.name_match,
            "name_level": self.name_level,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Prepared:
    """What :func:`compare` needs of one entity, computed once."""

    schema: str
    names: tuple[tuple[str, tuple[Part, ...]], ...]
    birth_dates: tuple[str, ...]
    selectors: tuple[tuple[str, str, str], ...]  # (kind, value, property)
    countries: frozenset[str]
    genders: frozenset[str]
    addresses: tuple[str, ...]


def _entity_names(proxy: EntityProxy) -> list[str]:
    names = list(proxy.get_type_values(registry.name, matchable=True))
    if proxy.schema.is_a("Person"):
        parts = [
            v
            for prop in ("firstName", "secondName", "middleName", "fatherName", "lastName")
            for v in proxy.get(prop, quiet=True)[:1]
        ]
        if parts:
            names.append(" ".join(parts))
    if proxy.schema.is_a("Passport"):
        parts = [v for prop in ("givenName", "surname") for v in proxy.get(prop, quiet=True)[:1]]
        if parts:
            names.append(" ".join(parts))
    if proxy.schema.is_a("Organization"):
        names = [replace_org_types_compare(n) for n in names]
    return list(dict.fromkeys(n for n in names if n.strip()))[:MAX_NAMES]


def _props(proxy: EntityProxy, props: tuple[str, ...]) -> list[str]:
    return [v for p in props if p in proxy.schema.properties for v in proxy.get(p)]


_DOCUMENT_PROPS = ("passportNumber", "idNumber", "number", "socialSecurityNumber")


def _selectors(proxy: EntityProxy, default_region: str | None) -> tuple[tuple[str, str, str], ...]:
    # Reasons name the property a document number came from (passportNumber, idNumber…);
    # selector_values only gives its kind.
    document_prop: dict[str, str] = {}
    for prop in _DOCUMENT_PROPS:
        if prop in proxy.schema.properties:
            for raw in proxy.get(prop):
                value = normalize_identifier("document", raw)
                if value is not None:
                    document_prop.setdefault(value, prop)
    return tuple(
        (kind, value, document_prop.get(value, kind) if kind == "document" else kind)
        for kind, value in selector_values(proxy, default_region)
    )


def prepare(proxy: EntityProxy, default_region: str | None = None) -> Prepared:
    names = tuple((n, parts) for n in _entity_names(proxy) if (parts := name_parts(n)))
    return Prepared(
        schema=proxy.schema.name,
        names=names,
        birth_dates=tuple(dict.fromkeys(_props(proxy, _BIRTH_PROPS))),
        selectors=_selectors(proxy, default_region),
        countries=frozenset(c.lower() for c in _props(proxy, _COUNTRY_PROPS)),
        genders=frozenset(_props(proxy, ("gender",))),
        addresses=tuple(dict.fromkeys(a.lower() for a in _props(proxy, _ADDRESS_PROPS)))[:5],
    )


def _curve(points: tuple[tuple[float, float], ...], x: float) -> float:
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _is_arabic_script(text: str) -> bool:
    return any(is_arabic(ch) for ch in text)


def _best_names(a: Prepared, b: Prepared) -> tuple[float, str, str, bool]:
    """The most similar pair of names: similarity, the two names, whether one has one part."""
    best = (-1.0, "", "", False)
    for name_a, parts_a in a.names:
        for name_b, parts_b in b.names:
            sim = name_similarity(name_a, name_b)
            if sim > best[0]:
                best = (sim, name_a, name_b, len(parts_a) == 1 or len(parts_b) == 1)
    return best


def _name_reason(sim: float, name_a: str, name_b: str, single: bool) -> Reason:
    weight = _curve(NAME_CURVE, sim)
    if single:
        weight = min(weight, SINGLE_PART_NAME_MAX)
    across = " across scripts" if _is_arabic_script(name_a) != _is_arabic_script(name_b) else ""
    if sim >= NAME_AGREE:
        outcome: Outcome = "agree"
        detail = f"names agree{across}: {name_a} ~ {name_b}"
    elif sim >= NAME_PARTIAL:
        outcome = "partial"
        detail = f"names are similar{across}: {name_a} ~ {name_b}"
    else:
        outcome = "conflict"
        detail = f"names differ: {name_a} ≠ {name_b}"
    return Reason("name", outcome, name_a, name_b, weight, f"{detail} ({sim:.2f})")


def _compare_names(a: Prepared, b: Prepared) -> Reason | None:
    if not a.names or not b.names:
        return None
    return _name_reason(*_best_names(a, b))


def _date_typo(x: str, y: str) -> bool:
    if len(x) != 10 or len(y) != 10:
        return False
    swapped = x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]
    one_digit = sum(cx != cy for cx, cy in zip(x, y, strict=True)) == 1
    return swapped or one_digit


def _date_distance(x: str, y: str) -> int:
    """0: far apart, 1: within about a year, 2: within two months or two digits apart."""
    if not (x[:4].isdigit() and y[:4].isdigit()):
        return 0
    years = abs(int(x[:4]) - int(y[:4]))
    if len(x) == 10 and len(y) == 10:
        if sum(cx != cy for cx, cy in zip(x, y, strict=True)) == 2:
            return 2
        if years > 1:
            return 0
        try:
            days = abs((date.fromisoformat(x) - date.fromisoformat(y)).days)
        except ValueError:
            return 0
        return 2 if days <= 62 else 1 if days <= 400 else 0
    return 1 if years <= 1 else 0


def _birth_rank(a: Prepared, b: Prepared) -> tuple[int, str, str] | None:
    """The best grade of agreement between two sets of birth dates, from 3 (the same full date)
    to -3 (far apart), and the two dates."""
    if not a.birth_dates or not b.birth_dates:
        return None
    best: tuple[int, str, str] | None = None
    for x in a.birth_dates:
        for y in b.birth_dates:
            if x == y and len(x) == 10 and not x.endswith(DEFAULT_DAY):
                rank = 3
            elif x[:4] == y[:4] and (x.startswith(y) or y.startswith(x)):
                rank = 2
            elif _date_typo(x, y):
                rank = 1
            else:
                rank = _date_distance(x, y) - 3
            if best is None or rank > best[0]:
                best = (rank, x, y)
    return best


def _birth_reason(rank: int, x: str, y: str) -> Reason:
    if rank == 3:
        return Reason("birthDate", "agree", x, y, BIRTH_DATE_AGREE, f"birth dates agree: {x}")
    if rank == 2:
        detail = f"birth dates agree as far as known: {x} ~ {y}"
        if x == y:
            detail = f"birth dates agree on 1 January, often a default for an estimated age: {x}"
        return Reason("birthDate", "partial", x, y, BIRTH_YEAR_AGREE, detail)
    if rank == 1:
        detail = f"birth dates differ by one digit or a day/month swap (likely a typo): {x} ~ {y}"
        return Reason("birthDate", "partial", x, y, BIRTH_DATE_TYPO, detail)
    if rank == -1:
        detail = f"birth dates differ slightly: {x} ≠ {y}"
        return Reason("birthDate", "conflict", x, y, BIRTH_DATE_NEAR, detail)
    if rank == -2:
        detail = f"birth dates differ by up to a year: {x} ≠ {y}"
        return Reason("birthDate", "conflict", x, y, BIRTH_DATE_CLOSE, detail)
    detail = f"birth dates differ: {x} ≠ {y}"
    return Reason("birthDate", "conflict", x, y, BIRTH_DATE_CONFLICT, detail)


def _compare_birth_dates(a: Prepared, b: Prepared) -> Reason | None:
    best = _birth_rank(a, b)
    return None if best is None else _birth_reason(*best)


def _one_typo(x: str, y: str) -> bool:
    """One character changed, added, dropped, or two neighbours swapped."""
    if levenshtein(x, y, max_edits=1) <= 1:
        return True
    if len(x) != len(y):
        return False
    diff = [i for i, (cx, cy) in enumerate(zip(x, y, strict=True)) if cx != cy]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )


_KIND_LABEL = {
    "document": "document numbers",
    "passportNumber": "passport numbers",
    "idNumber": "ID numbers",
    "number": "document numbers",
    "socialSecurityNumber": "social security numbers",
    "iban": "IBANs",
    "bank_account": "account numbers",
    "imei": "IMEIs",
    "imsi": "IMSIs",
    "iccid": "SIM serial numbers",
    "imo": "IMO numbers",
    "mmsi": "MMSIs",
    "plate": "registration plates",
    "email": "e-mail addresses",
    "phone": "phone numbers",
    "account": "online accounts",
    "generic": "identifiers",
}


def _compare_identifiers(a: Prepared, b: Prepared) -> list[Reason]:
    return [reason for _, reason in _identifier_reasons(a, b)]


def _identifier_reasons(a: Prepared, b: Prepared) -> list[tuple[str, Reason]]:
    """(selector kind, reason) for each kind both entities have values of."""
    reasons: list[tuple[str, Reason]] = []
    kinds = dict.fromkeys(k for k, _, _ in a.selectors if any(k == kb for kb, _, _ in b.selectors))
    for kind in kinds:
        values_a = {v: p for k, v, p in a.selectors if k == kind}
        values_b = {v: p for k, v, p in b.selectors if k == kind}
        agree_w, conflict_w = IDENTIFIER_WEIGHTS[kind]
        shared = [v for v in values_a if v in values_b]
        if shared:
            feature = values_a[shared[0]]
            label = _KIND_LABEL.get(feature, feature)
            detail = f"{label} agree: {shared[0]}"
            reasons.append((kind, Reason(feature, "agree", shared[0], shared[0], agree_w, detail)))
            continue
        feature = next(iter(values_a.values()))
        label = _KIND_LABEL.get(feature, feature)
        near = None
        if kind in TYPO_KINDS:
            near = next(
                (
                    (x, y)
                    for x in values_a
                    for y in values_b
                    if min(len(x), len(y)) >= 5 and _one_typo(x, y)
                ),
                None,
            )
        if near is not None:
            detail = f"{label} differ by one character (likely a typo): {near[0]} ~ {near[1]}"
            reason = Reason(feature, "partial", near[0], near[1], IDENTIFIER_TYPO, detail)
            reasons.append((kind, reason))
            continue
        x, y = ", ".join(sorted(values_a)), ", ".join(sorted(values_b))
        detail = f"{label} differ: {x} ≠ {y}"
        reasons.append((kind, Reason(feature, "conflict", x, y, conflict_w, detail)))
    return reasons


def _compare_countries(a: Prepared, b: Prepared) -> Reason | None:
    if not a.countries or not b.countries:
        return None
    x, y = ", ".join(sorted(a.countries)), ", ".join(sorted(b.countries))
    if a.countries & b.countries:
        shared = ", ".join(sorted(a.countries & b.countries))
        return Reason("nationality", "agree", x, y, COUNTRY_AGREE, f"countries agree: {shared}")
    detail = f"countries differ: {x} ≠ {y}"
    return Reason("nationality", "conflict", x, y, COUNTRY_CONFLICT, detail)


def _compare_genders(a: Prepared, b: Prepared) -> Reason | None:
    if not a.genders or not b.genders:
        return None
    x, y = ", ".join(sorted(a.genders)), ", ".join(sorted(b.genders))
    if a.genders & b.genders:
        return Reason("gender", "agree", x, y, GENDER_AGREE, f"genders agree: {x}")
    return Reason("gender", "conflict", x, y, GENDER_CONFLICT, f"genders differ: {x} ≠ {y}")


def _compare_addresses(a: Prepared, b: Prepared) -> Reason | None:
    if not a.addresses or not b.addresses:
        return None
    # compare_address is thorough but slow on long addresses; without a shared word it could
    # only say "different", so that case is decided here.
    words_a = {w for x in a.addresses for w in _ADDRESS_WORD.findall(x)}
    words_b = {w for y in b.addresses for w in _ADDRESS_WORD.findall(y)}
    if words_a.isdisjoint(words_b):
        x, y = a.addresses[0], b.addresses[0]
        detail = f"addresses differ: {x} ≠ {y}"
        return Reason("address", "conflict", x, y, ADDRESS_CONFLICT, detail)
    sim, x, y = max((compare_address(x, y), x, y) for x in a.addresses for y in b.addresses)
    if sim >= 0.8:
        return Reason("address", "agree", x, y, ADDRESS_AGREE, f"addresses agree: {x} ~ {y}")
    if sim >= 0.5:
        detail = f"addresses are similar: {x} ~ {y} ({sim:.2f})"
        return Reason("address", "partial", x, y, ADDRESS_PARTIAL, detail)
    return Reason("address", "conflict", x, y, ADDRESS_CONFLICT, f"addresses differ: {x} ≠ {y}")


def decide(score: float, reasons: list[Reason] | None = None) -> bool | None:
    """The verdict on a score. A pair whose names agree and which nothing else sets apart is
    never called different: with too little evidence for a match it is unsure (None), for a
    person to look at, not a "no" that contradicts the names' own verdict."""
    if score >= MATCH_THRESHOLD:
        return True
    if score >= NO_MATCH_THRESHOLD:
        return None
    names_agree = any(r.feature == "name" and r.outcome == "agree" for r in reasons or ())
    if names_agree and not any(r.outcome == "conflict" for r in reasons or ()):
        return None
    return False


def compare_prepared(a: Prepared, b: Prepared) -> Comparison:
    """:func:`compare` on entities already passed through :func:`prepare`."""
    conflict = schemata_conflict(a, b)
    if conflict is not None:
        return conflict
    reasons = [level.reason for level in feature_levels(a, b)]
    if not reasons:
        return Comparison(0.0, None, [])
    logit = PRIOR + sum(r.weight for r in reasons)
    score = 1.0 / (1.0 + math.exp(-logit))
    reasons.sort(key=lambda r: -abs(r.weight))
    return Comparison(score, decide(score, reasons), reasons)


def could_reach(a: Prepared, b: Prepared, min_score: float) -> bool:
    """Whether the pair can score ``min_score`` at all: birth dates and identifiers are
    compared exactly, and names, countries, genders and addresses are assumed to agree where
    both sides have them. Duplicate detection skips pairs that cannot (e.g. namesakes born
    years apart) without the cost of comparing names."""
    if min_score <= 0.0:
        return True
    logit = PRIOR
    if a.names and b.names:
        logit += NAME_CURVE[-1][1]
    if a.countries and b.countries:
        logit += COUNTRY_AGREE
    if a.genders and b.genders:
        logit += GENDER_AGREE
    if a.addresses and b.addresses:
        logit += ADDRESS_AGREE
    dates = _compare_birth_dates(a, b)
    if dates is not None:
        logit += dates.weight
    logit += sum(r.weight for r in _compare_identifiers(a, b))
    return 1.0 / (1.0 + math.exp(-logit)) >= min_score


@dataclass(frozen=True, slots=True)
class Level:
    """One feature of a compared pair on a finer scale than ``Reason.outcome``, for weights
    fitted to a data set (see :mod:`corridor.entities.resolution.calibrate`): ``slot`` is the
    feature (``name``, ``birthDate``, a selector kind such as ``document`` or ``email``,
    ``nationality``, ``gender``, ``address``), ``level`` its grade, ``reason`` what
    :func:`compare` says about it, with the hand-set weight."""

    slot: str
    level: str
    reason: Reason


# Name similarity bands of the name levels, highest first.
NAME_LEVEL_BANDS = (0.98, 0.9, 0.8, 0.7, 0.5)
_BIRTH_LEVELS = {
    3: "same date",
    1: "typo",
    -1: "within two months",
    -2: "within a year",
    -3: "far apart",
}


def _name_level(sim: float, single: bool) -> str:
    band = next((f"≥{t}" for t in NAME_LEVEL_BANDS if sim >= t), f"<{NAME_LEVEL_BANDS[-1]}")
    return f"{band}, one part" if single else band


def exact_levels(a: Prepared, b: Prepared) -> list[Level]:
    """The levels of birth dates and identifiers: cheap, compared exactly (no names)."""
    out: list[Level] = []
    birth = _birth_rank(a, b)
    if birth is not None:
        rank, x, y = birth
        level = _BIRTH_LEVELS.get(rank) or ("1 January" if x == y else "year as far as known")
        out.append(Level("birthDate", level, _birth_reason(rank, x, y)))
    out.extend(Level(kind, r.outcome, r) for kind, r in _identifier_reasons(a, b))
    return out


def feature_levels(a: Prepared, b: Prepared) -> list[Level]:
    """Every feature both entities have, graded, in the order :func:`compare` lists them before
    sorting. Entities of incompatible schemata are not compared here."""
    out: list[Level] = []
    if a.names and b.names:
        sim, name_a, name_b, single = _best_names(a, b)
        out.append(
            Level("name", _name_level(sim, single), _name_reason(sim, name_a, name_b, single))
        )
    out.extend(exact_levels(a, b))
    for slot, reason in (
        ("nationality", _compare_countries(a, b)),
        ("gender", _compare_genders(a, b)),
        ("address", _compare_addresses(a, b)),
    ):
        if reason is not None:
            out.append(Level(slot, reason.outcome, reason))
    return out


def schemata_conflict(a: Prepared, b: Prepared) -> Comparison | None:
    """The comparison of two entities of incompatible schemata (score 0), or None."""
    try:
        model.common_schema(a.schema, b.schema)
    except InvalidData:
        detail = f"a {a.schema} and a {b.schema} cannot be the same thing"
        reason = Reason("schema", "conflict", a.schema, b.schema, SCHEMA_CONFLICT, detail)
        return Comparison(0.0, False, [reason])
    return None


def compare(a: EntityProxy, b: EntityProxy, *, default_region: str | None = None) -> Comparison:
    """Compare two entities of compatible schemata (Person, Organization/Company, Vessel,
    Vehicle, BankAccount, UserAccount, Passport/Identification, MobileDevice…). Incompatible
    schemata (a Vessel and a Person) give score 0 and match False. ``default_region`` reads
    national phone notations."""
    return compare_prepared(prepare(a, default_region), prepare(b, default_region))
