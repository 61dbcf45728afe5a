"""The learned transliteration model: what it tells apart that consonant skeletons cannot,
how it reads Arabic, Persian and Urdu letters, and that its training does what EM promises."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from corridor.entities.search import translit
from corridor.entities.search.names import SAME_NAME_THRESHOLD, name_similarity
from corridor.entities.search.translit_train import train, training_pairs


def test_the_shipped_model_says_what_it_was_trained_on() -> None:
    data = json.loads(translit.MODEL_FILE.read_text(encoding="utf-8"))
    assert "tuning half" in data["trained_on"]
    assert len(data["ops"]) == data["operations"] > 500
    assert all(0.0 < p < 1.0 for _, _, p in data["ops"])


@pytest.mark.parametrize(
    ("arabic", "right", "wrong"),
    [
        # Similar is not same: Muhammad (م ح م د) is not Mahmood (م ح م و د), whose skeletons
        # are the same.
        ("محمد", "Muhammad", "Mehmood"),
        ("محمود", "Mahmood", "Muhammad"),
        ("حسن", "Hassan", "Hussain"),
        ("حسين", "Hussein", "Hassan"),
        ("علي", "Ali", "Aliyu"),
    ],
)
def test_the_model_prefers_the_right_spelling(arabic: str, right: str, wrong: str) -> None:
    assert translit.similarity(arabic, right.lower()) > translit.similarity(arabic, wrong.lower())
    assert name_similarity(arabic, right) > name_similarity(arabic, wrong)


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        # Names of European origin, spelled by sound in Arabic script.
        ("ماركوني", "Marconi"),
        ("زيهوفر", "Seehofer"),
        ("فرانشيسكو", "Francesco"),
        # The article, written or not on the Latin side.
        ("العمري", "Al-Omari"),
        ("العمري", "Omari"),
        # Persian and Urdu letters and code points (ی ک ہ پ چ گ).
        ("پرویز", "Parvez"),
        ("چوہدری", "Choudhry"),
        ("گل", "Gul"),
        ("یوسف", "Yousuf"),
        ("کریم", "Karim"),
    ],
)
def test_spellings_across_scripts_are_one_name(arabic: str, latin: str) -> None:
    assert name_similarity(arabic, latin) >= SAME_NAME_THRESHOLD


@pytest.mark.parametrize(
    ("arabic", "latin"), [("ماركوني", "Hamid"), ("محمد", "Seehofer"), ("العمري", "Bakr")]
)
def test_unrelated_names_across_scripts_are_not(arabic: str, latin: str) -> None:
    assert name_similarity(arabic, latin) < SAME_NAME_THRESHOLD


def test_symbols_fold_code_points_and_mark_the_first_letter() -> None:
    # Persian ی and Arabic ي are one letter; vowel marks and tatweel carry nothing.
    assert translit.arabic_symbols("عَلی") == translit.arabic_symbols("علـي") == ("ع^", "ل", "ي")
    assert translit.arabic_symbols("Ali") == ()
    assert translit.latin_letters("Ça-va 2") == "cava"
    assert translit.similarity("", "ali") == translit.similarity("علي", "") == 0.0


def test_training_never_lowers_the_likelihood_and_learns_the_letters(tmp_path: Path) -> None:
    rows = [
        ("باب", "bab"), ("بيت", "beit"), ("تاب", "tab"), ("شاب", "shab"), ("شيت", "sheet"),
        ("بشير", "bashir"), ("شريف", "sharif"), ("تامر", "tamer"), ("راشد", "rashid"),
        ("فريد", "farid"), ("ماهر", "maher"), ("مراد", "murad"), ("سمير", "samir"),
    ]  # fmt: skip
    pairs = training_pairs([*rows, ("شيت باب", "sheet")])  # a row with unequal words is left out
    assert len(pairs) == len(rows)
    log: list[float] = []
    model = train(pairs, iterations=8, log=log)
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(log))
    # ش is learnt as the digraph sh, more likely than as a lone s.
    assert model.ops.get(("ش", "sh"), 0.0) > model.ops.get(("ش", "s"), 0.0)
    path = tmp_path / "model.json"
    model.dump(path)
    again = translit.TranslitModel.load(path)
    word = translit.arabic_symbols("بشير")
    assert again.log_ratio(word, "bashir") == pytest.approx(model.log_ratio(word, "bashir"), 1e-4)
    assert model.log_ratio(word, "bashir") > 0 > model.log_ratio(word, "tamer")
