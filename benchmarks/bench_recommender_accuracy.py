"""Accuracy of every model on the Amazon sets, so users can see which to pick.

    python -m benchmarks.bench_recommender_accuracy --datasets scientific beauty

- scientific: Amazon 2018 Industrial & Scientific (UniSRec), its own
  train / valid / test split;
- beauty: Amazon 2014 Beauty sequences (P5 / S3Rec), leave-one-out (last item
  test, second-to-last validation).
Full ranking over all items, training (and for test, validation) items
masked; the PyTorch models stop early on validation NDCG@20 (`--epochs` caps
them). The file is rewritten after every model, fast models first, so an
interrupted run keeps what it measured. Results:
benchmarks/results/recommender_accuracy.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from benchmarks.common import print_table, write_results
from benchmarks.recsys_common import default_home, open_catalog
from recommender.data import load_interactions
from recommender.registry import MODELS
from recommender.training import evaluate_model


def settings(name: str, epochs: int) -> dict[str, Any]:
    if name in ("bprmf", "lightgcn"):
        return {
            "epochs": epochs,
            "lr": 5e-3,
            "batch_size": 2048,
            "eval_every": 2,
            "patience": 3,
            "device": "auto",
        }
    return {}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=["scientific", "beauty"])
    p.add_argument("--models", nargs="+", default=sorted(MODELS))
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--home", type=Path, default=default_home())
    args = p.parse_args(argv)
    datasets = {}
    for dataset in args.datasets:
        with open_catalog(dataset, args.home) as store:
            datasets[dataset] = load_interactions(store, dataset)
    rows: list[dict[str, Any]] = []
    order = sorted(args.models, key=lambda m: ({"lightgcn": 1, "bprmf": 2}.get(m, 0), m))
    for name in order:
        for dataset, data in datasets.items():
            hyper = settings(name, args.epochs)
            started = time.perf_counter()
            model = MODELS[name](**hyper).fit(data, progress=False)
            seconds = round(time.perf_counter() - started, 1)
            metrics = evaluate_model(model, data, "test")
            row = {"dataset": dataset, "model": name, "fit_seconds": seconds, **metrics}
            row["epochs_trained"] = model.metrics.get("epochs_trained") if hyper else None
            rows.append(row)
            print({k: row[k] for k in ("dataset", "model", "recall@20", "ndcg@20")}, flush=True)
            write_results("recommender_accuracy", rows, settings=_all_settings(args.epochs))
    columns = ["dataset", "model", "recall@10", "recall@20", "ndcg@10", "ndcg@20", "hit_rate@10"]
    columns += ["fit_seconds", "epochs_trained", "users"]
    print_table(rows, columns)
    print(write_results("recommender_accuracy", rows, settings=_all_settings(args.epochs)))


def _all_settings(epochs: int) -> dict[str, dict[str, Any]]:
    return {m: settings(m, epochs) for m in MODELS}


if __name__ == "__main__":
    main()
