"""Consonant skeletons: name parts of both scripts over one alphabet of sound classes.

Arabic-script writing (Arabic, Persian, Urdu, Pashto) drops short vowels, and Latin spellings of
the same name disagree mostly on vowels (Mohammed / Muhammad, Asif / Asef, Hussain / Hussein).
So every name part is reduced to a *consonant skeleton* over a small alphabet of sound classes
shared by both scripts: Latin digraphs and Arabic letters that are commonly written for one
another fall into one class (q/k/ق/ك, kh/خ, sh/ش, p/b, v/w, t/ط, s/ص/ث, z/ز/ذ/ض/ظ), vowels
vanish except a word-initial one (Asif / آصف → ``asf``), and doubled letters collapse (Arabic
does not write the shadda). Skeletons are compared with cheap substitutions between related
classes (`skeleton_distance`). `names.py` builds name parts and their keys on them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LATIN_DIGRAPHS = (
    ("tch", "x"),
    ("sch", "x"),
    ("sh", "x"),
    ("ch", "x"),
    ("zh", "z"),
    ("kh", "k"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("ou", "u"),
)
_LATIN_CLASS = {
    "b": "b", "p": "b", "f": "f", "v": "w", "w": "w", "t": "t", "d": "d", "s": "s", "z": "z",
    "c": "k", "k": "k", "q": "k", "g": "g", "j": "g", "x": "x", "h": "h", "l": "l", "m": "m",
    "n": "n", "r": "r", "y": "y",
}  # fmt: skip
VOWELS = frozenset("aeiou")
# Latin digraphs with a second reading in Arabic names: keyed both ways (see _plain_part).
# dh is ذ or ظ and th is ث in Arabic names (Kadhim / کاظم, Khathran / خثران), d and t elsewhere
# (Sidhu, Thomas); ch is خ in German (Bach / باخ) and k in Michael.
ALSO_READ = (("dh", "z"), ("th", "s"), ("ch", "kh"))
# Arabic letters whose sound Latin spellings also write d (Ramadan رمضان, Hamadani الهمذاني,
# Khadra خضرة): an Arabic part with one is keyed both ways.
ALSO_D = str.maketrans({"ذ": "د", "ض": "د", "ظ": "د"})
HAS_ALSO_D = re.compile("[ذضظ]")
_SOFT_C = re.compile(r"c(?=[eiy])")

# Arabic-script letters → sound class; "" marks a vowel carrier or silent letter, "V" a letter
# that is a consonant at the start of a word and a long vowel elsewhere (و, ي).
_ARABIC_CLASS = {
    "ا": "", "أ": "", "إ": "", "آ": "", "ٱ": "", "ء": "", "ئ": "", "ؤ": "", "ع": "",
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ٹ": "t", "ث": "s", "ج": "g", "چ": "x",
    "ح": "h", "خ": "k", "د": "d", "ڈ": "d", "ذ": "z", "ض": "z", "ظ": "z", "ر": "r", "ڑ": "r",
    "ز": "z", "ژ": "z", "س": "s", "ص": "s", "ش": "x", "غ": "g", "ف": "f", "ڤ": "w", "ق": "k",
    "ك": "k", "ک": "k", "گ": "g", "ڭ": "g", "ل": "l", "م": "m", "ن": "n", "ں": "n", "ڼ": "n",
    "ه": "h", "ہ": "h", "ة": "h", "ۃ": "h", "ھ": "", "و": "V", "ۇ": "V", "ي": "V", "ی": "V",
    "ى": "", "ې": "V", "ے": "", "ۍ": "", "ټ": "t", "ډ": "d", "ړ": "r", "ږ": "z", "ښ": "x",
    "ځ": "z", "څ": "s",
}  # fmt: skip
_WORD_INITIAL = {"و": "w", "ۇ": "w", "ي": "y", "ی": "y", "ې": "y"}
ARABIC_ARTICLE = "ال"

# Substitutions between classes that spellings of one name commonly show (cost < 1).
_RELATED = {
    frozenset("kg"): 0.5,
    frozenset("dz"): 0.3,
    frozenset("dt"): 0.5,
    frozenset("st"): 0.5,
    frozenset("sz"): 0.5,
    frozenset("sx"): 0.4,
    frozenset("fw"): 0.4,
    frozenset("bf"): 0.6,
    frozenset("bw"): 0.5,
    frozenset("gx"): 0.5,
    frozenset("kx"): 0.5,
    frozenset("ha"): 0.3,
    frozenset("ya"): 0.4,
    frozenset("wa"): 0.4,
    frozenset("kh"): 0.6,
    frozenset("ln"): 0.7,
    frozenset("lr"): 0.7,
}
# Deleting or inserting these is cheap: h is often silent or dropped, an initial vowel marker
# and a word-initial y/w are unstable across spellings.
_CHEAP_INDEL = {"h": 0.4, "a": 0.5, "y": 0.6, "w": 0.6}


def is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


def strip_marks(token: str) -> str:
    """Arabic harakat, shadda, tatweel and Latin accents removed."""
    if token.isascii():  # nothing to remove (the common case, and a tenth of indexing a name)
        return token
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and ch not in "\u0640\u0670"
    )


@lru_cache(maxsize=200_000)
def latin_skeleton(token: str) -> str:
    # A c before e, i or y is an s in most languages written in Latin script.
    text = _SOFT_C.sub("s", token).replace("x", "ks")
    for src, dst in _LATIN_DIGRAPHS:
        text = text.replace(src, dst)
    out: list[str] = []
    last = ""
    for i, ch in enumerate(text):
        if ch in VOWELS:
            if i == 0:
                out.append("a")
            last = ch
            continue
        cls = _LATIN_CLASS.get(ch)
        if cls is None or cls == last:
            last = cls or last
            continue
        # Inside a word y, w and v are vowels, glides or consonants that Arabic script writes
        # with the same letter as a long vowel (و, ي), so they carry no key.
        if cls in "yw" and i > 0:
            last = cls
            continue
        out.append(cls)
        last = cls
    # A final h after a vowel is usually silent (Abdullah / Abdulla, Fatimah / Fatima).
    if len(out) > 1 and out[-1] == "h" and text[-1] == "h" and text[-2] in VOWELS:
        out.pop()
    return "".join(out)


@lru_cache(maxsize=200_000)
def arabic_skeleton(token: str) -> str:
    # تش spells the ch of foreign names; Persian and Urdu write چ for it.
    token = token.replace("تش", "چ")
    out: list[str] = []
    last = ""
    for i, ch in enumerate(token):
        cls = _ARABIC_CLASS.get(ch)
        if cls is None:
            continue
        if i == 0:
            cls = _WORD_INITIAL.get(ch, "a" if cls == "" else cls)
        elif cls == "V":
            cls = ""
        if cls == last:
            continue
        last = cls
        if cls:
            out.append(cls)
    # Final ة / ه are mostly silent in Latin spellings (Fatima, Aisha, Abdulla).
    if len(out) > 1 and out[-1] == "h" and token[-1] in "ةۃه":
        out.pop()
    return "".join(out)


def skeleton_distance(a: str, b: str) -> float:
    """Edit distance between two skeletons, with cheap edits between related sound classes."""
    if a == b:
        return 0.0
    prev = [0.0]
    for ch in b:
        prev.append(prev[-1] + _CHEAP_INDEL.get(ch, 1.0))
    for ca in a:
        del_a = _CHEAP_INDEL.get(ca, 1.0)
        cur = [prev[0] + del_a]
        for j, cb in enumerate(b, start=1):
            sub = 0.0 if ca == cb else _RELATED.get(frozenset((ca, cb)), 1.0)
            cur.append(
                min(prev[j] + del_a, cur[j - 1] + _CHEAP_INDEL.get(cb, 1.0), prev[j - 1] + sub)
            )
        prev = cur
    return prev[-1]


@lru_cache(maxsize=500_000)
def skeleton_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    # Very short skeletons (Ali → "al") leave little room: one full edit is already a miss.
    return max(0.0, 1.0 - skeleton_distance(a, b) / max(longest, 2))


def initial_class(letter: str) -> str:
    return "a" if letter in VOWELS else _LATIN_CLASS.get(letter, letter)
