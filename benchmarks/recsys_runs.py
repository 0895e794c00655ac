"""One recommender fitted and measured in a process of its own, so that the peak
memory reported is that model's.

    python -m benchmarks.recsys_runs fit --dataset gowalla --model bspm \\
        --hyper '{"factors": 448}' --exact --serving --save DIR
    python -m benchmarks.recsys_runs serve DIR...

`fit` prints one JSON line: fit seconds, full-ranking test (and validation)
metrics, and the peak RSS of fitting and evaluating with the data held in
memory (the peak of loading them, which on Gowalla is the catalog store's, is
reported apart); `--exact` adds a graph filter's untruncated test metrics,
`--serving` the latency of `recommend` with and without filters. `serve`
measures `recommend` on saved models one after another, for a quieter moment.
`run_fit` runs `fit` from another benchmark and returns the parsed line.
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

import numpy as np
import torch

from benchmarks.recsys_common import default_home, open_catalog, peak_rss_mb, reset_peak_rss
from catalog.filters import ProductFilter, ProductTable
from catalog.models import Product
from recommender.core import ScoringRecommender
from recommender.data import InteractionData, load_interactions
from recommender.evaluation import evaluate
from recommender.graph_filters import GraphFilter
from recommender.registry import model_class

# A filter that passes about 8 % of the synthetic products below: price and category.
SERVING_FILTER = ProductFilter(max_price=60.0, categories=["c1", "c2", "c3"])


def load_data(dataset: str, home: Path) -> InteractionData:
    """A benchmark catalog's interactions; `demo` is generated into `home`."""
    if dataset == "demo":
        from catalog.demo import DemoConfig
        from catalog.ingest import build_demo
        from catalog.store import Store

        with Store.in_home(home) as store:
            build_demo(store, DemoConfig())  # a no-op when it is there already
            return load_interactions(store, "demo")
    with open_catalog(dataset, home) as store:
        return load_interactions(store, dataset)


def test_metrics(model: ScoringRecommender, data: InteractionData, exact: bool = False) -> dict:
    """Full-ranking metrics on test; `exact`: a graph filter's untruncated scores."""
    assert data.test is not None
    score = model.exact_scores if exact and isinstance(model, GraphFilter) else model.score_users
    return evaluate(
        lambda rows: torch.from_numpy(score(rows)),
        data.eval_mask("test"),
        data.test,
        batch_users=1024,
    )


def synthetic_products(item_ids: list[str], seed: int = 0) -> ProductTable:
    """Prices (uniform 5-200) and one of ten categories for catalogs that have none."""
    rng = np.random.default_rng(seed)
    prices = rng.uniform(5, 200, len(item_ids))
    kinds = rng.integers(0, 10, len(item_ids))
    return ProductTable(
        [
            Product(id=i, title=i, price=float(p), categories=[f"c{k}"])
            for i, p, k in zip(item_ids, prices, kinds, strict=True)
        ]
    )


def serving_latency(
    model: ScoringRecommender, n: int = 2000, filters: ProductFilter | None = None, k: int = 20
) -> dict[str, float]:
    """`recommend` for one trained user at a time, seen items masked: wall and CPU ms."""
    rng = np.random.default_rng(0)
    users = [model.user_ids[i] for i in rng.choice(len(model.user_ids), n, replace=False)]
    model.recommend(users[0], k=k, filters=filters)
    wall, cpu = [], []
    for user in users:
        t, c = time.perf_counter(), time.process_time()
        model.recommend(user, k=k, filters=filters)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # not stretched by other load
    return {
        "p50_ms": round(float(np.percentile(wall, 50)), 3),
        "p99_ms": round(float(np.percentile(wall, 99)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3),
        "n_items": model.n_items,
    }


def fit_main(args: argparse.Namespace) -> dict[str, Any]:
    data = load_data(args.dataset, args.home)
    loaded_rss = peak_rss_mb()
    reset = reset_peak_rss()  # from here the peak is the model's, with the data held
    hyper = json.loads(args.hyper)
    started, cpu = time.perf_counter(), time.process_time()
    options = {"keep_operator": True} if args.exact and args.model in ("gfcf", "bspm") else {}
    model = model_class(args.model)(**hyper).fit(data, progress=False, **options)
    out: dict[str, Any] = {
        "dataset": args.dataset,
        "model": args.model,
        "hyperparameters": hyper,
        "fit_seconds": round(time.perf_counter() - started, 1),
        # all threads' CPU seconds: unlike wall time, not stretched by other processes
        "fit_cpu_seconds": round(time.process_time() - cpu, 1),
        "peak_rss_mb_after_fit": peak_rss_mb(),
        "peak_rss_mb_loading_data": loaded_rss,
        "peak_rss_reset_after_loading": reset,
        "test": test_metrics(model, data),
    }
    if data.valid is not None and data.validation_split == "valid":
        out["valid"] = evaluate(
            lambda rows: torch.from_numpy(model.score_users(rows)), data.train, data.valid
        )
    out["peak_rss_mb"] = peak_rss_mb()  # fitting and evaluating, before the extras below
    if args.exact and isinstance(model, GraphFilter):
        out["test_exact"] = test_metrics(model, data, exact=True)
    if args.serving:
        out.update(serving(model))
    if args.save:
        model.save(args.save)
    out["peak_rss_mb_with_extras"] = peak_rss_mb()  # with --exact and --serving
    return out


def serving(model: ScoringRecommender) -> dict[str, Any]:
    """`recommend` latency without and with `SERVING_FILTER` (synthetic products)."""
    model.set_product_table(synthetic_products(model.item_ids))
    return {
        "serving": serving_latency(model),
        "serving_filtered": serving_latency(model, filters=SERVING_FILTER),
    }


def serve_main(args: argparse.Namespace) -> dict[str, Any]:
    """Serving latency of saved models, measured one after another in this process."""
    from recommender.registry import load_model

    rows = []
    for directory in args.models:
        model = load_model(directory)
        rows.append({"model": model.name, "directory": Path(directory).name, **serving(model)})
    out = {"rows": rows, "load": list(os.getloadavg())}
    if args.name:
        from benchmarks.common import write_results

        out["path"] = str(write_results(args.name, rows, load=out["load"]))
    return out


def run_fit(
    dataset: str,
    model: str,
    hyper: dict[str, Any],
    home: Path,
    *,
    exact: bool = False,
    serving: bool = False,
) -> dict[str, Any]:
    """`fit` in a child process; its JSON line (its own output goes to stderr)."""
    command = [sys.executable, "-m", "benchmarks.recsys_runs", "fit", "--dataset", dataset]
    command += ["--model", model, "--hyper", json.dumps(hyper), "--home", str(home)]
    command += ["--exact"] * exact + ["--serving"] * serving
    started = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        return {"dataset": dataset, "model": model, "error": f"exit status {proc.returncode}"}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit one model and print its measurements as JSON")
    f.add_argument("--dataset", required=True)
    f.add_argument("--model", required=True)
    f.add_argument("--hyper", default="{}", help="hyperparameters as a JSON object")
    f.add_argument("--home", type=Path, default=default_home())
    f.add_argument("--exact", action="store_true", help="also the untruncated graph filter")
    f.add_argument("--serving", action="store_true", help="also recommend latency")
    f.add_argument("--save", type=Path, help="save the fitted model into this directory")
    s = sub.add_parser("serve", help="recommend latency of saved models, one after another")
    s.add_argument("models", nargs="+", type=Path, help="saved model directories")
    s.add_argument("--name", help="also write benchmarks/results/<name>.json")
    args = p.parse_args(argv)
    sys.stdout.flush()
    result = fit_main(args) if args.command == "fit" else serve_main(args)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
