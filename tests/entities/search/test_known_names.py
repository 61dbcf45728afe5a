"""Names that spellings cannot tell apart: the table of known names sets apart Muhammad and
Mahmood, Hassan and Hussain, in both scripts, and joins the short and foreign forms of one name."""

from __future__ import annotations

import pytest

from corridor.entities.ftm import make_entity
from corridor.entities.resolution.compare import compare
from corridor.entities.search import known_names
from corridor.entities.search.names import KNOWN_SAME, SAME_NAME_THRESHOLD, explain, name_similarity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad", "Mahmood"),
        ("Mohammed", "Mehmood"),
        ("محمد", "Mehmood"),
        ("محمود", "Muhammad"),
        ("Hassan", "Hussain"),
        ("حسين", "Hassan"),
        ("حسن", "Hussein"),
        ("Ali", "Aliyu"),
        ("Hameed", "حامد"),
    ],
)
def test_similar_is_not_same(a: str, b: str) -> None:
    # Spelling alone rates these pairs 0.87-0.94; they are different names.
    assert name_similarity(a, b) < SAME_NAME_THRESHOLD
    assert name_similarity(b, a) < SAME_NAME_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mehmet", "Muhammad"),
        ("Hossein", "Hussain"),
        ("أحمد", "Ahmet"),
        ("احمد", "Ahmed"),
        ("Bob Miller", "Robert Miller"),
        ("Giuseppe Verdi", "Joseph Verdi"),
        # A spelling of two names is the same as either (Hamid: حامد or حميد).
        ("Hamid", "حميد"),
        ("Hamid", "حامد"),
    ],
)
def test_known_spellings_of_one_name_agree(a: str, b: str) -> None:
    assert name_similarity(a, b) >= 0.9


def test_the_rest_is_left_to_spelling() -> None:
    # Neither listed, or only one side listed: the table says nothing.
    assert name_similarity("Clare", "Claire") > 0.9
    assert name_similarity("Mahmoodi", "Mahmood") > SAME_NAME_THRESHOLD
    table = known_names.table()
    assert known_names.same_name(table.of_latin("Muhammad"), table.of_latin("Clare")) is None


def test_a_full_name_with_one_different_part_does_not_agree() -> None:
    assert name_similarity("Muhammad Ali", "Mahmood Ali") < 0.5
    result = compare(_person("a", "Muhammad Asif"), _person("b", "Mahmood Asif"))
    assert result.name_match is False
    assert result.name_level == "conflict"
    agree = compare(_person("a", "Mehmet Yilmaz"), _person("b", "Muhammad Yilmaz"))
    assert agree.name_match is True


def test_a_known_spelling_is_explained_as_one() -> None:
    (part,) = explain("Mehmet", "Muhammad")
    assert (part.how, part.similarity) == ("known", KNOWN_SAME)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("محمد muhammad", "expected Arabic spellings, a tab, Latin ones"),
        ("محمد\t", "expected Arabic spellings, a tab, Latin ones"),
        ("محمد\tmuhammad Mohammed", "'Mohammed' is not lower-case ASCII letters"),
        ("muhammad\tmuhammad", "'muhammad' is not in Arabic script"),
    ],
)
def test_a_malformed_line_is_an_error_naming_it(line: str, error: str) -> None:
    with pytest.raises(ValueError, match=f"known_names.tsv:2: {error}"):
        known_names.parse(f"# comment\n{line}\n")


def test_the_shipped_table_reads() -> None:
    table = known_names.table()
    assert table.of_arabic("محمّد") == table.of_latin("Mohd") != frozenset()
    assert table.of_arabic("أحمد") == table.of_arabic("احمد")
    assert table.of_latin("mahmood") == table.of_arabic("محمود") != table.of_arabic("محمد")


def _person(eid: str, name: str):  # type: ignore[no-untyped-def]
    proxy = make_entity("Person", eid)
    proxy.add("name", name)
    return proxy
