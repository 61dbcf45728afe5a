"""Train the Arabic-script → Latin transliteration model on the tuning half of
arabic-latin-names-train.tsv and write it where corridor reads it
(src/corridor/entities/search/translit_model.json).

    .venv/bin/python bench/entities/train_translit.py [--iterations 12]

The held-out half is never read here; bench_quality.py and bench_names.py report on it."""

from __future__ import annotations

import argparse
import hashlib
import time

from datasets import DATA_DIR, read_arabic_latin

from corridor.entities.search.translit import MODEL_FILE
from corridor.entities.search.translit_train import train, training_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=12)
    args = parser.parse_args()
    source = DATA_DIR / "arabic-latin-names-train.tsv"
    rows = read_arabic_latin("tuning")
    pairs = training_pairs((r.arabic, r.latin) for r in rows)
    started = time.process_time()
    log: list[float] = []
    model = train(pairs, args.iterations, log)
    cpu = time.process_time() - started
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    about = {
        "trained_on": f"{source.name} (sha256 {digest}…), tuning half: {len(pairs)} word pairs",
        "iterations": args.iterations,
        "operations": len(model.ops),
    }
    type(model)(model.ops, about).dump(MODEL_FILE)
    print(f"{len(pairs)} word pairs, {args.iterations} EM iterations, {cpu:.1f} s CPU")
    print("log-likelihood by iteration:", " ".join(f"{v:.0f}" for v in log))
    print(f"{len(model.ops)} operations → {MODEL_FILE}")


if __name__ == "__main__":
    main()
