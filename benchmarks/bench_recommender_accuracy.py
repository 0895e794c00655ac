"""Accuracy of every model on the Amazon sets and the demo shop, and what
`--model auto` chooses there, so users can see which to pick and how far
auto's choice lands from the best model on test.

    python -m benchmarks.bench_recommender_accuracy \\
        --datasets scientific beauty industrial gift_cards demo

- scientific: Amazon 2018 Industrial & Scientific (UniSRec), its own
  train / valid / test split;
- beauty: Amazon 2014 Beauty sequences (P5 / S3Rec), leave-one-out (last item
  test, second-to-last validation);
- industrial: Amazon 2018 Industrial & Scientific (MiniOneRec samples), its
  own validation and test samples;
- gift_cards, demo: no split of their own: leave-newest-out (newest item test,
  the one before validation; `recommender.data`).
Per data set: auto (`recommender.selection.choose`, default budget and
candidates) on the validation split; then every model in a process of its own
(`benchmarks.recsys_runs`) with the settings auto gave it: the graph filters'
from auto's grid, the PyTorch models with early stopping on validation NDCG@20.
Full ranking over all items, training (and for test, validation) items
masked. Rows are written after every model, so an interrupted run keeps what
it measured. Results: benchmarks/results/recommender_accuracy.json (`--name`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.common import print_table, write_results
from benchmarks.recsys_common import default_home
from benchmarks.recsys_runs import load_data, run_fit
from recommender.registry import MODELS, model_class
from recommender.selection import (
    CANDIDATES,
    DEFAULT_BUDGET_S,
    TORCH_HYPERPARAMETERS,
    TORCH_MODELS,
    choose,
)

COLUMNS = ["dataset", "model", "recall@20", "ndcg@20", "valid_ndcg@20", "fit_seconds"]
COLUMNS += ["estimate_s", "peak_rss_mb", "auto"]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=["scientific", "beauty", "industrial"])
    p.add_argument("--models", nargs="+", default=sorted(MODELS))
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET_S, help="auto's budget, s")
    p.add_argument("--no-auto", action="store_true", help="single models only (their defaults)")
    p.add_argument("--epochs", type=int, help="cap the PyTorch models' epochs")
    p.add_argument("--home", type=Path, default=default_home())
    p.add_argument("--name", default="recommender_accuracy", help="results file name")
    args = p.parse_args(argv)
    rows: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    for dataset in args.datasets:
        data = load_data(dataset, args.home)
        table: dict[str, Any] = {}
        if not args.no_auto:
            candidates = tuple(m for m in CANDIDATES if m in args.models)
            chosen = choose(data, args.budget, candidates, log=print)
            table = chosen.table()
        for name in args.models:
            row = _single(dataset, name, table, args)
            rows.append(row)
            print({k: row.get(k) for k in COLUMNS}, flush=True)
            write_results(args.name, rows, auto=summary, budget_s=args.budget)
        if table:
            summary[dataset] = _gap(rows, dataset, table)
            print(summary[dataset], flush=True)
            write_results(args.name, rows, auto=summary, budget_s=args.budget)
    print_table(rows, COLUMNS)
    print(write_results(args.name, rows, auto=summary, budget_s=args.budget))


def _single(dataset: str, name: str, table: dict[str, Any], args: argparse.Namespace) -> dict:
    """`name` fitted in its own process with the settings auto gave it."""
    candidate = next((r for r in table.get("candidates", []) if r["model"] == name), None)
    hyper = dict(candidate["hyperparameters"]) if candidate else {}
    if name in TORCH_MODELS and candidate is None:
        hyper.update(TORCH_HYPERPARAMETERS)
    if args.epochs and "epochs" in model_class(name).defaults:
        hyper["epochs"] = min(int(hyper.get("epochs", args.epochs)), args.epochs)
    result = run_fit(dataset, name, hyper, args.home)
    if "error" in result:
        return {"dataset": dataset, "model": name, "error": result["error"]}
    row = {
        "dataset": dataset,
        "model": name,
        **{k: result["test"][k] for k in ("recall@10", "recall@20", "ndcg@10", "ndcg@20")},
        "hit_rate@10": result["test"]["hit_rate@10"],
        "valid_ndcg@20": result.get("valid", {}).get("ndcg@20"),
        "fit_seconds": result["fit_seconds"],
        "peak_rss_mb": result["peak_rss_mb"],
        "hyperparameters": hyper,
        "users": result["test"]["users"],
    }
    if candidate is not None:
        row["estimate_s"] = candidate["estimate_s"]
        row["auto"] = "chosen" if table["chosen"] == name else candidate["status"]
        row["auto_valid_ndcg@20"] = candidate.get("ndcg@20")
    return row


def _gap(rows: list[dict[str, Any]], dataset: str, table: dict[str, Any]) -> dict[str, Any]:
    """Auto's choice against the best single model on test NDCG@20."""
    mine = [r for r in rows if r["dataset"] == dataset and "ndcg@20" in r]
    best = max(mine, key=lambda r: r["ndcg@20"])
    chosen = next(r for r in mine if r["model"] == table["chosen"])
    return {
        "chosen": table["chosen"],
        "chosen_test_ndcg@20": chosen["ndcg@20"],
        "best": best["model"],
        "best_test_ndcg@20": best["ndcg@20"],
        "gap": round(1 - chosen["ndcg@20"] / best["ndcg@20"], 4) if best["ndcg@20"] else 0.0,
        "selection": table,
    }


if __name__ == "__main__":
    main()
