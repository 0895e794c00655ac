"""LightGCN on the Gowalla LightGCN split: learning curve, epoch and full-eval
time, peak memory, serving latency; optionally until a target Recall@20.

CPU learning curve with the paper's settings over a fixed budget:
    python -m benchmarks.bench_lightgcn_gowalla --epochs 10
One command to train to convergence on a GPU (early stopping on NDCG@20):
    python -m benchmarks.bench_lightgcn_gowalla --device cuda --epochs 1000 \
        --eval-every 10 --patience 5 --name lightgcn_gowalla_gpu
In pieces, when a machine is lent for less time than that (each piece stops
after the first epoch past --max-seconds and the next one goes on from the
checkpoint; the curve and the wall time carry over):
    python -m benchmarks.bench_lightgcn_gowalla --device cuda --epochs 1000 \
        --eval-every 10 --patience 5 --max-seconds 400 --checkpoint-dir CKPT \
        --name lightgcn_gowalla_gpu          # then the same with --resume
Time-to-quality on CPU (wall time until test Recall@20 >= 0.15):
    python -m benchmarks.bench_lightgcn_gowalla --batch-size 16384 --lr 0.008 \
        --epochs 100 --target-recall 0.15 --name lightgcn_gowalla_time_to_quality

Gowalla has no validation split; as in the paper and its reference code the
test split is what early stopping and the curve watch (`recommender.data`).
Results: benchmarks/results/<name>.json and <name>.png.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RESULTS, print_table, write_results
from benchmarks.recsys_common import default_home, open_catalog, peak_rss_mb
from benchmarks.recsys_runs import serving_latency
from recommender.data import load_interactions
from recommender.lightgcn import LightGCN

PAPER = {"recall@20": 0.1824, "ndcg@20": 0.1547}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=2048)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--reg", type=float, default=1e-4)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--eval-every", type=int, default=1)
    p.add_argument("--patience", type=int, default=1000)
    p.add_argument("--device", default="cpu")
    p.add_argument("--target-recall", type=float, help="stop once test Recall@20 reaches it")
    p.add_argument(
        "--max-seconds", type=float, help="stop after the first epoch that ends past this wall time"
    )
    p.add_argument("--max-batches", type=int, help="batches per epoch (timing only)")
    p.add_argument(
        "--checkpoint-dir", type=Path, help="write the model, optimizer and curve after each epoch"
    )
    p.add_argument("--resume", action="store_true", help="go on from --checkpoint-dir")
    p.add_argument("--home", type=Path, default=default_home())
    p.add_argument("--name", default="lightgcn_gowalla_cpu")
    args = p.parse_args(argv)
    if args.resume and args.checkpoint_dir is None:
        p.error("--resume needs --checkpoint-dir")

    with open_catalog("gowalla", args.home) as store:
        data = load_interactions(store, "gowalla")
    started = time.perf_counter()
    curve: list[dict[str, Any]] = []
    saved_curve = args.checkpoint_dir / "curve.json" if args.checkpoint_dir else None
    if args.resume and saved_curve is not None and saved_curve.is_file():
        curve = json.loads(saved_curve.read_text())
    offset = curve[-1]["wall_seconds"] if curve else 0.0  # the pieces before this one

    def on_epoch(record: dict[str, Any]) -> None:
        record["wall_seconds"] = round(offset + time.perf_counter() - started, 1)
        curve.append(record)
        if saved_curve is not None:
            tmp = saved_curve.with_suffix(".tmp")
            tmp.write_text(json.dumps(curve))
            tmp.replace(saved_curve)
        print(
            {
                k: record.get(k)
                for k in ("epoch", "loss", "seconds", "eval_seconds", "recall@20", "ndcg@20")
            }
        )
        if args.target_recall and record.get("recall@20", 0) >= args.target_recall:
            raise _Reached
        if args.max_seconds and record["wall_seconds"] - offset >= args.max_seconds:
            raise _Reached

    hyper = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "reg": args.reg,
        "dim": args.dim,
        "layers": args.layers,
        "eval_every": args.eval_every,
        "patience": args.patience,
        "device": args.device,
    }
    model = LightGCN(**hyper)
    with contextlib.suppress(_Reached):  # the target or the budget was reached: stop there
        model.fit(
            data,
            progress=False,
            on_epoch=on_epoch,
            max_batches=args.max_batches,
            checkpoint_dir=args.checkpoint_dir,
            resume=args.resume,
        )
    rows = [{k: r.get(k) for k in _COLUMNS} for r in curve]
    print_table(rows, _COLUMNS)
    summary = _summary(curve, args, model if model._fitted else None)
    print(summary)
    path = write_results(args.name, rows, hyperparameters=hyper, summary=summary, paper=PAPER)
    _plot(curve, RESULTS / f"{args.name}.png", args)
    print(f"wrote {path}")


_COLUMNS = ["epoch", "loss", "seconds", "eval_seconds", "recall@20", "ndcg@20", "wall_seconds"]


class _Reached(Exception):
    """The target Recall@20 or the time budget was reached: stop training."""


def _summary(
    curve: list[dict[str, Any]], args: argparse.Namespace, model: LightGCN | None
) -> dict[str, Any]:
    evals = [r for r in curve if "recall@20" in r]
    out: dict[str, Any] = {
        "epochs": len(curve),
        "median_epoch_seconds": float(np.median([r["seconds"] for r in curve])) if curve else None,
        "median_eval_seconds": float(np.median([r["eval_seconds"] for r in evals]))
        if evals
        else None,
        "final": {k: evals[-1][k] for k in ("recall@20", "ndcg@20")} if evals else None,
        "best_recall@20": max((r["recall@20"] for r in evals), default=None),
        "peak_rss_mb": peak_rss_mb(),
        "wall_seconds": curve[-1]["wall_seconds"] if curve else None,
    }
    if args.target_recall:
        hit = [r for r in evals if r["recall@20"] >= args.target_recall]
        out["seconds_to_target"] = hit[0]["wall_seconds"] if hit else None
    if model is not None:
        out["serving"] = serving_latency(model)
    return out


def _plot(curve: list[dict[str, Any]], path: Path, args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    evals = [r for r in curve if "recall@20" in r]
    if not evals:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([r["epoch"] for r in evals], [r["recall@20"] for r in evals], "o-", label="Recall@20")
    ax.plot([r["epoch"] for r in evals], [r["ndcg@20"] for r in evals], "s-", label="NDCG@20")
    ax.axhline(PAPER["recall@20"], ls="--", c="C0", lw=0.8, label="paper Recall@20")
    ax.axhline(PAPER["ndcg@20"], ls="--", c="C1", lw=0.8, label="paper NDCG@20")
    ax.set_xlabel("epoch")
    ax.set_title(f"LightGCN on Gowalla (batch {args.batch_size}, lr {args.lr}, {args.device})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
