"""Training-free graph filters on the Gowalla LightGCN split against the trained
models: Recall@20, NDCG@20, fit seconds and peak RSS, one process per model;
the filters' hyperparameters chosen on validation data carved from train; the
latency of `recommend` with filters on the 41k-item model.

    python -m benchmarks.bench_graph_filters_gowalla        # about 40 min on 2 cores
    python -m benchmarks.bench_graph_filters_gowalla --models gfcf --no-grid \\
        --name graph_filters_gowalla_quick                   # the CI smoke run

1. Grid: `recommender.tuning.tune_graph_filters` with a fifth of each shopper's
   training items held out (`selection_split`, seed 0), `--grid-users`
   shoppers; the best setting of each filter by validation NDCG@20. Test is
   not looked at.
2. Each model in a process of its own (`benchmarks.recsys_runs`): popularity,
   ItemKNN, ALS, GF-CF and BSPM with the chosen settings (with their
   untruncated scores and serving latency) and with the papers' settings, and
   LightGCN's CPU time-to-quality run (`bench_lightgcn_gowalla`: batch 16384,
   lr 8e-3, until test Recall@20 0.15; LightGCN's own protocol watches test,
   as the paper's code does). ALS is the serving peer measured in the same run.
Results: benchmarks/results/<name>.json and <name>.png.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, print_table, write_results
from benchmarks.recsys_common import default_home
from benchmarks.recsys_runs import load_data, run_fit
from recommender.tuning import best, grid, selection_split, tune_graph_filters

PAPERS = {  # the published settings (GF-CF: Shen et al. 2021; BSPM-EM: Choi et al. 2023)
    "gfcf": {"factors": 256, "alpha": 0.3},
    "bspm": {"factors": 448, "beta": 0.2, "sharpen_time": 2.5},
}
PUBLISHED = {  # Recall@20 / NDCG@20 on this split, as the papers report them
    "gfcf": (0.1849, 0.1518),
    "bspm": (0.1920, 0.1597),
    "lightgcn": (0.1824, 0.1547),
}
GRID = {
    "gfcf": {"factors": [256, 448], "alpha": [0.1, 0.3, 0.5, 1.0]},
    "bspm": {
        "factors": [256, 448, 640],
        "beta": [0.1, 0.2, 0.3, 0.5],
        "sharpen_time": [1.5, 2.5, 3.5],
    },
}
TIME_TO_QUALITY = ["--batch-size", "16384", "--lr", "0.008", "--epochs", "100"]
TIME_TO_QUALITY += ["--target-recall", "0.15", "--name", "graph_filters_gowalla_lightgcn"]
MODELS = ["popularity", "itemknn", "als", "gfcf", "bspm", "lightgcn"]
COLUMNS = ["model", "settings", "recall@20", "ndcg@20", "fit_seconds", "fit_cpu_seconds"]
COLUMNS += ["peak_rss_mb"]
COLUMNS += ["exact_recall@20", "exact_ndcg@20", "p99_ms_filtered", "cpu_p99_ms_filtered"]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    p.add_argument("--no-grid", action="store_true", help="the papers' settings only")
    p.add_argument("--no-papers", action="store_true", help="skip the papers' settings rows")
    p.add_argument("--grid-users", type=int, default=6000)
    p.add_argument("--home", type=Path, default=default_home())
    p.add_argument("--name", default="graph_filters_gowalla")
    args = p.parse_args(argv)
    started = time.perf_counter()
    chosen, grid_rows = {}, []
    filters = [m for m in ("gfcf", "bspm") if m in args.models]
    if filters and not args.no_grid:
        chosen, grid_rows = choose_settings(filters, args.home, args.grid_users)
    rows: list[dict[str, Any]] = []

    def save() -> Path:
        extra = {"chosen": chosen, "grid": grid_rows, "published": PUBLISHED, "load": _load()}
        return write_results(args.name, rows, wall_seconds=_since(started), **extra)

    for name, settings, label in _runs(args, chosen):
        if name == "lightgcn":
            rows.append(_lightgcn())
        else:
            exact = name in filters and label != "papers"
            serving = exact or name == "als"  # ALS: the serving peer, measured in this run
            result = run_fit("gowalla", name, settings, args.home, exact=exact, serving=serving)
            rows.append(_row(name, label, result))
        print({k: rows[-1].get(k) for k in COLUMNS}, flush=True)
        save()
    print_table(rows, COLUMNS)
    _plot(rows, RESULTS / f"{args.name}.png")
    print(save())


def choose_settings(
    filters: list[str], home: Path, users: int
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The validation grid of each filter: the best settings and every row."""
    data = load_data("gowalla", home)
    carved, note = selection_split(data, seed=0)
    trials = [t for name in filters for t in grid(name, **GRID[name])]
    t0 = time.perf_counter()
    results = tune_graph_filters(carved, trials, max_users=users, progress=True)
    print(f"grid: {len(trials)} settings in {time.perf_counter() - t0:.0f} s ({note})")
    rows = [
        {"model": t.model, **{k: t.hyperparameters[k] for k in GRID[t.model]}, **t.metrics}
        for t in results
    ]
    chosen = {
        name: {k: t.hyperparameters[k] for k in GRID[name]} for name, t in best(results).items()
    }
    return chosen, rows


def _runs(
    args: argparse.Namespace, chosen: dict[str, dict[str, Any]]
) -> list[tuple[str, dict[str, Any], str]]:
    runs = []
    for name in args.models:
        if name in chosen:
            runs.append((name, chosen[name], "validation grid"))
        differs = name not in chosen or chosen[name] != PAPERS.get(name)
        if name in PAPERS and differs and (not args.no_papers or name not in chosen):
            runs.append((name, PAPERS[name], "papers"))
        if name not in PAPERS:
            runs.append((name, {}, "defaults"))
    return runs


def _row(name: str, label: str, result: dict[str, Any]) -> dict[str, Any]:
    if "error" in result:
        return {"model": name, "settings": label, "error": result["error"]}
    row = {
        "model": name,
        "settings": label,
        "hyperparameters": result["hyperparameters"],
        "recall@20": result["test"]["recall@20"],
        "ndcg@20": result["test"]["ndcg@20"],
        "fit_seconds": result["fit_seconds"],
        "fit_cpu_seconds": result.get("fit_cpu_seconds"),
        "peak_rss_mb": result["peak_rss_mb"],
        "peak_rss_mb_loading_data": result["peak_rss_mb_loading_data"],
        "peak_rss_mb_with_extras": result.get("peak_rss_mb_with_extras"),
    }
    if "test_exact" in result:
        row["exact_recall@20"] = result["test_exact"]["recall@20"]
        row["exact_ndcg@20"] = result["test_exact"]["ndcg@20"]
    if "serving" in result:
        row["serving"], row["serving_filtered"] = result["serving"], result["serving_filtered"]
        row["p99_ms_filtered"] = result["serving_filtered"]["p99_ms"]
        row["cpu_p99_ms_filtered"] = result["serving_filtered"]["cpu_p99_ms"]
    return row


def _lightgcn() -> dict[str, Any]:
    """The CPU time-to-quality run in a process of its own; its summary as a row."""
    command = [sys.executable, "-m", "benchmarks.bench_lightgcn_gowalla", *TIME_TO_QUALITY]
    proc = subprocess.run(command, check=False)
    path = RESULTS / "graph_filters_gowalla_lightgcn.json"
    if proc.returncode != 0 or not path.is_file():
        return {"model": "lightgcn", "settings": "time to quality", "error": "run failed"}
    summary = json.loads(path.read_text())["summary"]
    final = summary.get("final") or {}
    return {
        "model": "lightgcn",
        "settings": "time to quality (batch 16384, lr 8e-3, stop at test Recall@20 0.15)",
        "recall@20": final.get("recall@20"),
        "ndcg@20": final.get("ndcg@20"),
        "fit_seconds": summary.get("wall_seconds"),
        "peak_rss_mb": summary.get("peak_rss_mb"),
        "epochs": summary.get("epochs"),
    }


def _load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"load_1min": one, "load_5min": five, "load_15min": fifteen, "cpus": os.cpu_count()}


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 1)


def _plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if r.get("ndcg@20") is not None and r.get("fit_seconds")]
    if not done:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for r in done:
        ax.scatter(r["fit_seconds"], r["ndcg@20"], s=30)
        label = f"{r['model']} ({r['settings'].split(' (')[0]})"
        ax.annotate(label, (r["fit_seconds"], r["ndcg@20"]), fontsize=7, xytext=(4, 2),
                    textcoords="offset points")  # fmt: skip
    ax.axhline(PUBLISHED["lightgcn"][1], ls="--", lw=0.8, c="grey", label="LightGCN, paper (GPU)")
    ax.set_xscale("log")
    ax.set_xlabel("fit seconds on 2 CPU cores (log)")
    ax.set_ylabel("test NDCG@20")
    ax.set_title("Gowalla: accuracy against fit time")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
