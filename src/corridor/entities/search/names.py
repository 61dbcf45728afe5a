"""Person names across scripts and spellings: محمد / Muhammad / Mohammed / Mohd.

A name is split into parts (particles, honorifics, "son of" and Abdul- compounds handled), each
part keyed by its consonant skeletons (`skeletons.py`) and compared across scripts by the learned
transliteration model (`translit.py`), within Latin script by skeleton and spelling, and against
the table of names known to be one or different (`known_names.py`). Parts are aligned in any
order; `name_similarity` and `explain` are what search and compare use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rigour.names import remove_person_prefixes, tokenize_name
from rigour.text.distance import jaro_winkler
from rigour.text.translit import ascii_text

from corridor.entities.search import known_names, translit
from corridor.entities.search.skeletons import (
    ALSO_D,
    ALSO_READ,
    ARABIC_ARTICLE,
    HAS_ALSO_D,
    VOWELS,
    arabic_skeleton,
    initial_class,
    is_arabic,
    latin_skeleton,
    skeleton_similarity,
    strip_marks,
)

# Particles that connect or qualify name parts but do not identify anyone on their own.
STOP_PARTICLES = frozenset(
    {
        "al", "el", "ul", "ud", "ad", "ar", "as", "ash", "at", "az", "ur", "uz", "bin", "ibn",
        "bint", "binti", "ben", "bn", "b", "walad", "wuld", "ould", "van", "von", "der", "den",
        "de", "da", "di", "del", "della", "du", "la", "le", "y",
        "بن", "ابن", "بنت", "ال", "آل", "ولد", "ود",
    }
)  # fmt: skip

# Honorifics and religious titles that come and go in one person's name (Hajji Muhammad Asif,
# Sheikh Muhammad Asif, Muhammad Asif): kept as parts of little weight, compared only with one
# another and never a key (they would join millions of people in one block).
HONORIFICS = frozenset(
    {
        "hajji", "haji", "hadji", "hajj", "haj", "alhaj", "alhajj", "sheikh", "shaikh", "sheik",
        "shaykh", "shekh", "syed", "sayed", "sayyid", "sayyed", "seyed", "seyyed", "mian",
        "sardar", "sirdar", "maulana", "mawlana", "moulana", "maulvi", "molvi", "mawlawi",
        "mullah", "mulla", "hafiz", "hafez", "qari",
        "حاجي", "حاجی", "حاج", "الحاج", "شيخ", "شیخ", "الشيخ", "سيد", "سید", "السيد", "سردار",
        "ميان", "میان", "میاں", "مولانا", "مولوي", "مولوی", "ملا", "حافظ", "قاري", "قاری",
    }
)  # fmt: skip
HONORIFIC_WEIGHT = 0.2
# "Son / daughter / wife of" before a father's or husband's name (s/o, d/o, w/o on Pakistani
# documents): a connector, not a part; read as words, s and o would count as two initials.
_RELATION = re.compile(r"\b[sdw]\s*/\s*o\b|\b(?:son|daughter|wife)\s+of\b", re.IGNORECASE)

# Common written abbreviations of a given name, spelled out before keying.
ABBREVIATIONS = {
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mhd": "muhammad",
    "md": "muhammad",
    "mohmd": "muhammad",
    "mohamad": "muhammad",
    "abd": "abdul",
}

# Prefixes that Latin spellings write apart ("Abdul Rahman") and Arabic script writes joined
# (عبدالرحمن); joined with the next part on both sides.
_LATIN_JOINERS = frozenset({"abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus"})
_ARABIC_JOINERS = frozenset({"عبد"})
_ABD_ASSIMILATED = re.compile(r"^abd[aeiou]?([bcdfghjklmnpqrstvwxz])\1")


@dataclass(frozen=True, slots=True)
class Part:
    """One name part: ``latin`` is its ASCII spelling (transliterated, lossy for Arabic script),
    ``skeletons`` its keys (two when an Arabic article may or may not be written), ``words``
    the Arabic-script word as written (with and without its article) for the learned
    transliteration model; empty for a Latin part."""

    latin: str
    skeletons: tuple[str, ...]
    arabic: bool
    initial: bool
    # How much the part counts in a name: initials and very short parts say less.
    weight: float
    words: tuple[str, ...] = ()
    # The part as written (marks removed, case folded), to show why two names matched.
    text: str = ""
    honorific: bool = False
    # The names of known_names.tsv this spelling can be (empty when it is not listed).
    known: frozenset[int] = frozenset()
    # Skeletons of a second reading of some letters (ALSO_READ, ALSO_D): search keys and a
    # say across scripts only, never for two spellings in one script nor for blocking (Smith
    # and Sims must not meet through "th" read as s).
    readings: tuple[str, ...] = ()


def _split_tokens(name: str) -> list[str]:
    name = _RELATION.sub(" ", name)
    text = remove_person_prefixes(name) if name.isascii() else name
    return tokenize_name(strip_marks(text).casefold())


def _join_prefixes(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i + 1 < len(tokens) and (tok in _LATIN_JOINERS or tok in _ARABIC_JOINERS):
            nxt = tokens[i + 1]
            if tok in _LATIN_JOINERS:
                tok = "abdul" + (nxt[2:] if nxt[:2] in ("al", "ul", "el") else nxt)
            else:
                tok = tok + nxt
            i += 1
        out.append(tok)
        i += 1
    return out


def _part_weight(skeletons: tuple[str, ...]) -> float:
    return min(1.0, 0.4 + 0.2 * max(len(k) for k in skeletons))


@lru_cache(maxsize=200_000)
def _part(token: str) -> Part | None:
    part = _plain_part(token)
    if part is not None and (token in HONORIFICS or part.latin in HONORIFICS):
        return replace(part, weight=HONORIFIC_WEIGHT, honorific=True)
    return part


def _plain_part(token: str) -> Part | None:
    if any(is_arabic(ch) for ch in token):
        word = "".join(ch for ch in token if is_arabic(ch))
        words = [word]
        if word.startswith(ARABIC_ARTICLE) and len(word) > 3:
            words.append(word[2:])
        skeletons = [arabic_skeleton(w) for w in words]
        second = [arabic_skeleton(w.translate(ALSO_D)) for w in words if HAS_ALSO_D.search(w)]
        latin = "".join(ch for ch in ascii_text(word).lower() if ch.isalnum())
        keys = tuple(dict.fromkeys(s for s in skeletons if s))
        if not keys:
            return None
        table = known_names.table()
        known = frozenset().union(*(table.of_arabic(w) for w in words))
        return Part(
            latin,
            keys,
            True,
            False,
            _part_weight(keys),
            tuple(words),
            token,
            known=known,
            readings=_second(second, keys),
        )
    latin = "".join(ch for ch in ascii_text(token).lower() if ch.isalnum())
    if not latin:
        return None
    latin = ABBREVIATIONS.get(latin, latin)
    latin = _ABD_ASSIMILATED.sub(lambda m: "abdul" + m.group(1), latin)
    if len(latin) == 1:
        return Part(latin, (), False, True, 0.5, (), token)
    skeletons = [latin_skeleton(latin)]
    if "v" in latin:
        # A v is و in Persian and Urdu spellings (Parvez / پرویز) but ف in Arabic spellings of
        # foreign names (Victor / فيكتور): key both readings.
        skeletons.append(latin_skeleton(latin.replace("v", "f")))
    second = [
        latin_skeleton(latin.replace(digraph, letter))
        for digraph, letter in ALSO_READ
        if digraph in latin
    ]
    if latin[:2] in ("al", "el") and len(latin) > 4 and latin[2] not in VOWELS:
        skeletons.append(latin_skeleton(latin[2:]))
    keys = tuple(dict.fromkeys(s for s in skeletons if s))
    if not keys:
        return None
    known = known_names.table().of_latin(latin)
    return Part(
        latin,
        keys,
        False,
        False,
        _part_weight(keys),
        (),
        token,
        known=known,
        readings=_second(second, keys),
    )


def _second(readings: list[str], keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r in readings if r and r not in keys))


@lru_cache(maxsize=100_000)
def name_parts(name: str) -> tuple[Part, ...]:
    """The parts of a name that identify someone: particles (bin, al, ul…) are left out unless
    the name consists of nothing else."""
    tokens = _join_prefixes(_split_tokens(name))
    parts = [p for t in tokens if t not in STOP_PARTICLES and (p := _part(t)) is not None]
    if not parts:
        parts = [p for t in tokens if (p := _part(t)) is not None]
    if parts and all(p.honorific for p in parts):
        # A name that is nothing but a title is a name (Hafiz, Sheikh as a given name).
        parts = [p for t in tokens if (p := _plain_part(t)) is not None]
    return tuple(parts)


def name_keys(name: str) -> list[str]:
    """Script-independent keys of a name, one or two per part (``[a-z]+``), for an index or for
    blocking: محمد آصف خان, Muhammad Asif Khan and Mohammed Asef Khan all give
    ``["mhmd", "asf", "kn"]``. Initials give no key."""
    keys: list[str] = []
    for part in name_parts(name):
        if not part.honorific:
            keys.extend(k for k in (*part.skeletons, *part.readings) if k not in keys)
    return keys


# Loose keys, for search candidates when the exact skeletons find too few: related sound
# classes merged (s/z/sh, t/d, k/g, b/f/w; y and h dropped), then the whole loose skeleton and
# its first three classes (an ending written differently: Combes / كومب). Last, when even
# those find too few, the loose skeleton's letter pairs (and its first letter) rank what shares
# most of them, as a character n-gram index would. On the tuning half of the Arabic–Latin
# pairs, with a pool of 1,500 names, the right name is among the candidates for 84 % of queries
# with exact keys, 92 % with loose keys and 98–99 % with letter pairs (bench/entities/QUALITY.md).
# Prefixed with q, which no skeleton starts with, so they never meet the exact keys or the
# selector terms in one index column.
_LOOSE = str.maketrans(
    {"z": "s", "x": "s", "d": "t", "g": "k", "f": "b", "w": "b", "y": "", "h": ""}
)
LOOSE_PREFIX = 3


def _loose(skeleton: str) -> str:
    merged = skeleton.translate(_LOOSE)
    return "".join(ch for i, ch in enumerate(merged) if i == 0 or merged[i - 1] != ch)


@lru_cache(maxsize=200_000)
def _part_loose_keys(skeletons: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(loose keys, letter-pair keys) of one part."""
    keys: dict[str, None] = {}
    grams: dict[str, None] = {}
    for skeleton in skeletons:
        loose = _loose(skeleton)
        if not loose:
            continue
        keys["qc" + loose] = None
        if len(loose) > LOOSE_PREFIX:
            keys["qp" + loose[:LOOSE_PREFIX]] = None
        grams["qh" + loose[0]] = None
        for i in range(len(loose) - 1):
            grams["qg" + loose[i : i + 2]] = None
    return tuple(keys), tuple(grams)


def loose_keys(name: str) -> list[list[str]]:
    """The loose keys of each part of a name that has keys (see `_LOOSE`), part by part: a
    search asks for some loose key of every part."""
    return [
        list(k)
        for p in name_parts(name)
        if not p.honorific and (k := _part_loose_keys((*p.skeletons, *p.readings))[0])
    ]


INITIAL_KEY = "_"  # prefix of an initial's key: no skeleton or known name starts with it


def part_alternatives(
    name: str, *, loose: bool = True, initials: bool = False
) -> list[tuple[str, ...]]:
    """For each part of a name that has keys (honorifics have none; initials only with
    ``initials``, as ``_m``), the keys one spelling of it may share with another: the names of
    known_names.tsv it can be when it is listed there (so Muhammad and Mahmood, one skeleton,
    stay apart), else its loose skeletons (see `_LOOSE`) or, with ``loose=False``, the exact
    ones. Whole-name keys (hit/no-hit across nodes) combine one alternative per part."""
    out: list[tuple[str, ...]] = []
    for part in name_parts(name):
        if part.honorific:
            continue
        if part.initial:
            if initials:
                out.append((INITIAL_KEY + part.latin,))
            continue
        if part.known:
            out.append(tuple(f"k{n}" for n in sorted(part.known)))
            continue
        keys = (*part.skeletons, *part.readings)
        if loose:
            # A part whose loose skeleton is empty (Haie: h) keeps its exact one: still a part.
            keys = tuple(dict.fromkeys(k for s in keys if (k := _loose(s)))) or keys
        if keys:
            out.append(keys)
    return out


def letter_pairs(name: str) -> list[str]:
    """The letter-pair keys of all parts of a name (see `_LOOSE`)."""
    out: dict[str, None] = {}
    for part in name_parts(name):
        if not part.honorific:
            out.update(dict.fromkeys(_part_loose_keys((*part.skeletons, *part.readings))[1]))
    return list(out)


def latin_tokens(name: str) -> list[str]:
    """Lower-case ASCII tokens of a name in any script (Arabic script is transliterated without
    vowels: محمد → mhmd), for highlighting and prefix search."""
    return list(_latin_tokens(name))


@lru_cache(maxsize=200_000)
def _latin_tokens(name: str) -> tuple[str, ...]:
    tokens = (_latin_token(t) for t in tokenize_name(strip_marks(name).casefold()))
    return tuple(t for t in tokens if t)


@lru_cache(maxsize=200_000)
def _latin_token(token: str) -> str:
    # Cached per token: names are new, their parts mostly not.
    return "".join(ch for ch in ascii_text(token).lower() if ch.isalnum())


# At or above this similarity two names are taken as spellings of one name. Chosen on the
# tuning half of the Arabic–Latin name pairs (bench/entities/bench_quality.py): precision 0.99,
# recall 0.99 there against one random other name per pair.
SAME_NAME_THRESHOLD = 0.6
# An initial that agrees with a full part ("M." ~ Muhammad) is good but weak evidence.
INITIAL_SIMILARITY = 0.9
# A part that only one name has counts this much against the match when it comes from the
# longer name (a middle name left out), fully when the shorter name has parts left over.
EXTRA_PART_PENALTY = 0.2
# How much the learned transliteration model counts, against the skeletons, when an
# Arabic-script part meets a Latin one (set on the tuning half of the Arabic–Latin pairs).
LEARNED_SHARE = 0.9
# What a part only the longer name has counts against a search hit: enough to put the names
# with fewer parts left over first, not enough to put a worse spelling of the name asked for
# first (محمد: Muhammad Asif Khan before Tariq Mehmood).
SEARCH_EXTRA_PENALTY = 0.05
# Below this, two parts are not considered aligned at all.
PART_ALIGN_MIN = 0.5
# Two parts that known_names.tsv lists as spellings of different names (Muhammad / Mahmood,
# Hassan / Hussain) are this similar: below PART_ALIGN_MIN, so they are never aligned; two that
# it lists as one name (Mehmet / Muhammad, Hussain / Hossein) are at least KNOWN_SAME.
KNOWN_DIFFERENT = 0.2
KNOWN_SAME = 0.95


@lru_cache(maxsize=500_000)
def part_similarity(a: Part, b: Part) -> float:
    """Similarity of two name parts in [0, 1]."""
    if a.honorific != b.honorific:
        return 0.0  # a title is not a name
    if a.initial or b.initial:
        if a.initial and b.initial:
            return 1.0 if a.latin == b.latin else 0.0
        full = b if a.initial else a
        letter = (a if a.initial else b).latin
        # An Arabic-script part spells no vowels, so only its consonant start can be checked.
        if full.arabic:
            return (
                INITIAL_SIMILARITY
                if any(k[0] == initial_class(letter) for k in full.skeletons)
                else 0.0
            )
        return INITIAL_SIMILARITY if full.latin.startswith(letter) else 0.0
    known = known_names.same_name(a.known, b.known)
    if known is False:
        return KNOWN_DIFFERENT
    sim = _spelling_similarity(a, b)
    return max(sim, KNOWN_SAME) if known else sim


def _spelling_similarity(a: Part, b: Part) -> float:
    """Similarity of two full parts from their spellings alone."""
    if a.arabic != b.arabic:
        # Across scripts the learned model knows which Latin spelling an Arabic word is
        # likelier written as (محمد: Muhammad rather than Mehmood), which skeletons cannot; the
        # skeletons, second readings included, keep a say for spellings the model saw little
        # of (Urdu's چوہدری, Chaudhry).
        skel = max(
            skeleton_similarity(x, y)
            for x in (*a.skeletons, *a.readings)
            for y in (*b.skeletons, *b.readings)
        )
        arabic, latin = (a, b) if a.arabic else (b, a)
        learned = max(translit.similarity(word, latin.latin) for word in arabic.words)
        return LEARNED_SHARE * learned + (1.0 - LEARNED_SHARE) * skel
    skel = max(skeleton_similarity(x, y) for x in a.skeletons for y in b.skeletons)
    if a.arabic:
        return skel
    if a.latin == b.latin:
        return 1.0
    # Both Latin: the vowels are written, so spelling similarity counts as much as sound.
    return 0.5 * skel + 0.5 * jaro_winkler(a.latin, b.latin, cutoff=0.0)


def align_parts(
    a: tuple[Part, ...], b: tuple[Part, ...]
) -> tuple[list[tuple[Part, Part, float]], list[Part], list[Part]]:
    """Greedy best-first alignment of the parts of two names, whatever their order:
    (aligned pairs with their similarity, unaligned parts of a, unaligned parts of b)."""
    scored = sorted(
        ((part_similarity(pa, pb), i, j) for i, pa in enumerate(a) for j, pb in enumerate(b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[Part, Part, float]] = []
    for sim, i, j in scored:
        if sim < PART_ALIGN_MIN:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((a[i], b[j], sim))
    rest_a = [p for i, p in enumerate(a) if i not in used_a]
    rest_b = [p for j, p in enumerate(b) if j not in used_b]
    return pairs, rest_a, rest_b


def parts_similarity(
    a: tuple[Part, ...], b: tuple[Part, ...], extra_penalty: float = EXTRA_PART_PENALTY
) -> float:
    """Similarity of two analysed names (see :func:`name_similarity`)."""
    if not a or not b:
        return 0.0
    pairs, rest_a, rest_b = align_parts(a, b)
    if not pairs or all(pa.initial or pb.initial for pa, pb, _ in pairs):
        return 0.0
    matched = sum(sim * (pa.weight + pb.weight) / 2 for pa, pb, sim in pairs)
    total = sum((pa.weight + pb.weight) / 2 for pa, pb, _ in pairs)
    short_rest, long_rest = (rest_a, rest_b) if len(a) <= len(b) else (rest_b, rest_a)
    total += sum(p.weight for p in short_rest)
    total += extra_penalty * sum(p.weight for p in long_rest)
    return matched / total


@lru_cache(maxsize=1_000_000)
def name_similarity(a: str, b: str, extra_penalty: float = EXTRA_PART_PENALTY) -> float:
    """Similarity of two person names in [0, 1], tolerant of script (محمد آصف خان ~ Muhammad
    Asif Khan), spelling (Mohammed / Muhammad), part order, left-out middle names and initials
    (M. Asif Khan). `extra_penalty`: how much a part only the longer name has counts against
    (search asks less: a query names what is known, and the rest of a name is expected)."""
    return parts_similarity(name_parts(a), name_parts(b), extra_penalty)


@dataclass(frozen=True, slots=True)
class PartMatch:
    """Why one part of a name met one part of another: ``how`` is ``same`` (the same spelling),
    ``abbreviation`` (Mohd for Muhammad), ``sound`` (another spelling with the same consonant
    key), ``known`` (spellings that known_names.tsv lists as one name: Mehmet / Muhammad, Bob /
    Robert), ``transliteration`` (across scripts, by the learned model), ``spelling`` (a
    similar spelling) or ``initial``."""

    query: str
    value: str
    similarity: float
    how: str


def _known_lifted(a: Part, b: Part, sim: float) -> bool:
    """Whether the table of known names, not the spellings, makes two parts one name."""
    return bool(known_names.same_name(a.known, b.known)) and _spelling_similarity(a, b) < sim


def explain(a: str, b: str) -> list[PartMatch]:
    """The parts of name `a` aligned with parts of name `b` (as :func:`name_similarity` aligns
    them), each with how it matched: what a search hit or a comparison shows as its reason."""
    parts_a = name_parts(a)
    pairs, _, _ = align_parts(parts_a, name_parts(b))
    pairs.sort(key=lambda pair: parts_a.index(pair[0]))
    out = []
    for pa, pb, sim in pairs:
        if pa.initial or pb.initial:
            how = "initial"
        elif pa.arabic != pb.arabic:
            how = "known" if _known_lifted(pa, pb, sim) else "transliteration"
        elif pa.text == pb.text:
            how = "same"
        elif pa.text in ABBREVIATIONS or pb.text in ABBREVIATIONS:
            how = "abbreviation"
        elif set(pa.skeletons) & set(pb.skeletons):
            how = "sound"
        elif _known_lifted(pa, pb, sim):
            how = "known"
        else:
            how = "spelling"
        out.append(PartMatch(pa.text, pb.text, round(sim, 3), how))
    return out
