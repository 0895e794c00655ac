"""Calibrate the verifier's semantic-support threshold on a hand-labelled set of
120 (claim, sentence, supported?) pairs written from real catalog products
(Amazon Gift Cards and the demo shop): paraphrases of the claim are supported;
on-topic sentences that add facts the claim does not state are not.

For each embedder it reports the middle of the range of thresholds with the
best accuracy, and the share of supported and unsupported sentences that pass.

    python -m benchmarks.bench_verifier
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.common import print_table, write_results

LABELS = Path(__file__).resolve().parent / "data" / "verifier_support.jsonl"


def load_pairs() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]


def similarities(embedder, pairs: list[dict]) -> np.ndarray:
    claims = embedder.encode([p["claim"] for p in pairs])
    sentences = embedder.encode([p["sentence"] for p in pairs])
    return (claims * sentences).sum(axis=1)


def calibrate(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The middle of the range of thresholds with the best accuracy."""
    grid = np.round(np.arange(0.05, 0.95, 0.01), 2)
    accuracy = np.array([((scores >= t) == labels).mean() for t in grid])
    best = grid[accuracy == accuracy.max()]
    threshold = float(np.round((best.min() + best.max()) / 2, 2))
    passed = scores >= threshold
    return {
        "threshold": threshold,
        "best_range": f"{best.min():.2f}-{best.max():.2f}",
        "accuracy": float((passed == labels).mean()),
        "unsupported_passed": float(passed[~labels].mean()),
        "supported_passed": float(passed[labels].mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedders", nargs="+", default=["use", "minilm"])
    args = parser.parse_args()
    from vectorstore.embeddings import make_embedder

    pairs = load_pairs()
    labels = np.array([p["supported"] for p in pairs])
    rows = []
    for spec in args.embedders:
        scores = similarities(make_embedder(spec), pairs)
        rows.append(
            {
                "embedder": spec,
                "pairs": len(pairs),
                **calibrate(scores, labels),
                "mean_supported": float(scores[labels].mean()),
                "mean_unsupported": float(scores[~labels].mean()),
            }
        )
    print_table(rows, list(rows[0]))
    print(f"wrote {write_results('verifier_calibration', rows)}")


if __name__ == "__main__":
    main()
