"""Loaders for the linkage data in ../shared/data/linkage, mapped onto FtM entities, and the
deterministic split of the Arabic–Latin name pairs into a tuning and a held-out part."""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from followthemoney import EntityProxy

from corridor.entities.ftm import make_entity

DATA_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "linkage"


def _febrl_date(value: str) -> str | None:
    value = value.strip()
    if len(value) != 8 or not value.isdigit():
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def febrl_entity(row: dict[str, str]) -> EntityProxy:
    """A FEBRL record as an FtM Person: given_name → firstName, surname → lastName, both →
    name, date_of_birth → birthDate, the address columns → address, soc_sec_id → idNumber."""
    proxy = make_entity("Person", row["rec_id"].strip())
    first = row["given_name"].strip()
    last = row["surname"].strip()
    proxy.add("firstName", first or None)
    proxy.add("lastName", last or None)
    full = " ".join(p for p in (first, last) if p)
    proxy.add("name", full or None)
    date = _febrl_date(row["date_of_birth"])
    if date is not None:
        proxy.add("birthDate", date, quiet=True)
    street = " ".join(p for p in (row["street_number"].strip(), row["address_1"].strip()) if p)
    parts = [street, row["address_2"], row["suburb"], row["postcode"], row["state"]]
    address = ", ".join(p.strip() for p in parts if p and p.strip())
    proxy.add("address", address or None)
    proxy.add("idNumber", row["soc_sec_id"].strip() or None)
    proxy.add("country", "au")
    return proxy


def read_febrl(name: str) -> list[EntityProxy]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh, skipinitialspace=True)
        return [febrl_entity(row) for row in reader]


def febrl_truth(entities: list[EntityProxy]) -> set[frozenset[str]]:
    """True pairs: records whose ids share the number N of ``rec-N-org`` / ``rec-N-dup-K``."""
    groups: dict[str, list[str]] = {}
    for proxy in entities:
        assert proxy.id is not None
        groups.setdefault(proxy.id.split("-")[1], []).append(proxy.id)
    return {frozenset(p) for ids in groups.values() for p in combinations(sorted(ids), 2)}


def read_fake_1000() -> tuple[list[EntityProxy], dict[str, str]]:
    """fake_1000 as Persons (first_name, surname, dob, city → address, email) and each
    record's true cluster."""
    entities: list[EntityProxy] = []
    clusters: dict[str, str] = {}
    with (DATA_DIR / "fake_1000.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            proxy = make_entity("Person", f"f{row['unique_id']}")
            first, last = row["first_name"].strip(), row["surname"].strip()
            proxy.add("firstName", first or None)
            proxy.add("lastName", last or None)
            proxy.add("name", " ".join(p for p in (first, last) if p) or None)
            proxy.add("birthDate", row["dob"].strip() or None, quiet=True)
            proxy.add("address", row["city"].strip() or None)
            proxy.add("email", row["email"].strip() or None, quiet=True)
            assert proxy.id is not None
            entities.append(proxy)
            clusters[proxy.id] = row["cluster"]
    return entities, clusters


def cluster_pairs(clusters: dict[str, str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = {}
    for entity_id, cluster in clusters.items():
        members.setdefault(cluster, []).append(entity_id)
    return {frozenset(p) for ids in members.values() for p in combinations(sorted(ids), 2)}


@dataclass(frozen=True)
class NamePair:
    arabic: str
    latin: str


def _is_tuning(line: str) -> bool:
    """Half of the lines, chosen by a hash of the line itself so the split never depends on
    file order: tuning when the first digest byte is below 128."""
    return hashlib.sha256(line.encode("utf-8")).digest()[0] < 128


def read_arabic_latin(part: str) -> list[NamePair]:
    """The ``tuning`` or ``heldout`` half of arabic-latin-names-train.tsv."""
    if part not in ("tuning", "heldout"):
        raise ValueError(part)
    out: list[NamePair] = []
    with (DATA_DIR / "arabic-latin-names-train.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue
            if _is_tuning(line) != (part == "tuning"):
                continue
            arabic, latin = line.split("\t", 1)
            out.append(NamePair(arabic.strip(), latin.strip()))
    return out


def negative_pairs(pairs: list[NamePair], per_positive: int, seed: int = 4) -> Iterator[NamePair]:
    """For each pair, ``per_positive`` Latin names drawn at random from other rows, skipping any
    spelling that the file gives for the same Arabic form or that is the same Latin string —
    so every negative is a genuinely different name."""
    spellings: dict[str, set[str]] = {}
    for pair in pairs:
        spellings.setdefault(pair.arabic, set()).add(pair.latin.lower())
    rng = random.Random(seed)
    for pair in pairs:
        drawn = 0
        while drawn < per_positive:
            other = pairs[rng.randrange(len(pairs))]
            if other.arabic == pair.arabic or other.latin.lower() in spellings[pair.arabic]:
                continue
            drawn += 1
            yield NamePair(pair.arabic, other.latin)
