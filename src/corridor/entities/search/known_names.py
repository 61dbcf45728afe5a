"""Names known to be one name, or different names, whatever their spellings look like.

Spellings alone cannot tell Muhammad (محمد) from Mahmood (محمود), nor Hassan (حسن) from Hussain
(حسين): the consonants are the same or nearly, and Latin spellings of one name differ as much in
their vowels as spellings of two names do (Mohammed / Muhammad). The learned transliteration
model separates some of them across scripts, not within Latin script. Confusing them "fills an
investigator's screen with the wrong people" (../shared/DOMAIN.md, "Similar is not same"), so the
names of the routes that are most often confused are listed in `known_names.tsv`: each line one
name, its Arabic-script spellings and its Latin spellings. Two name parts whose spellings are
both listed are the same name when some name can be written both ways, different names when
none can; a part that is not listed is left to the spelling similarity.

The table is data, not code: a line adds a name. It was written from the domain description,
not tuned on any benchmark (bench/entities/QUALITY.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corridor.entities.search import translit

TABLE_FILE = Path(__file__).with_name("known_names.tsv")
_NONE = "-"
# Hamza seats and alef variants are written interchangeably in names (أحمد / احمد).
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ي", "ة": "ه"})


def arabic_key(word: str) -> str:
    """An Arabic-script word as the table looks it up: letters only, variant code points
    folded as the transliteration model folds them, hamza seats and alef variants as ا."""
    letters = "".join(translit.arabic_symbols(word)).replace(translit.INITIAL, "")
    return letters.translate(_ARABIC_FOLD)


def latin_key(word: str) -> str:
    """A Latin-script word as the table looks it up: lower-case ASCII letters."""
    return translit.latin_letters(word)


@dataclass(frozen=True)
class KnownNames:
    """The table, indexed: each spelling to the names (their line numbers) it can be."""

    latin: Mapping[str, frozenset[int]]
    arabic: Mapping[str, frozenset[int]]

    def of_latin(self, word: str) -> frozenset[int]:
        return self.latin.get(latin_key(word), frozenset())

    def of_arabic(self, word: str) -> frozenset[int]:
        return self.arabic.get(arabic_key(word), frozenset())


def parse(text: str, source: str = "known_names.tsv") -> KnownNames:
    """The table from its text: ``#`` comments, then one name per line, its Arabic-script
    spellings (``-`` for none), a tab, its Latin spellings. A malformed line is an error
    naming the line, never skipped."""
    latin: dict[str, set[int]] = {}
    arabic: dict[str, set[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[1].split():
            raise ValueError(f"{source}:{number}: expected Arabic spellings, a tab, Latin ones")
        name = number  # a name is its line
        written = [] if fields[0].strip() == _NONE else fields[0].split()
        for word in written:
            key = arabic_key(word)
            if not key:
                raise ValueError(f"{source}:{number}: {word!r} is not in Arabic script")
            arabic.setdefault(key, set()).add(name)
        for word in fields[1].split():
            key = latin_key(word)
            if not key or key != word:
                raise ValueError(f"{source}:{number}: {word!r} is not lower-case ASCII letters")
            latin.setdefault(key, set()).add(name)
    return KnownNames(
        {k: frozenset(v) for k, v in latin.items()},
        {k: frozenset(v) for k, v in arabic.items()},
    )


@cache
def table() -> KnownNames:
    """The table shipped with the code (read once per process)."""
    return parse(TABLE_FILE.read_text(encoding="utf-8"))


def same_name(a: frozenset[int], b: frozenset[int]) -> bool | None:
    """True when two listed spellings can be one name, False when they cannot, None when
    either is not listed (the table says nothing)."""
    if not a or not b:
        return None
    return bool(a & b)
