"""`--model auto`: choose a catalog's recommender on validation data, within a
time budget.

1. Validation data come from `tuning.selection_split`: the catalog's own
   validation split, else a fifth of each shopper's training items; never test.
2. The graph filters' hyperparameters come first, from a one-pass grid on that
   split (`tuning.tune_graph_filters`, at most `GRID_USERS` shoppers).
3. The candidates are fitted on the selection data, cheapest first, and scored
   by full-ranking NDCG@20 on its validation part, while the estimated seconds
   (the grid's and the candidates', formulas in the catalog's sizes with
   constants measured on a 2-core machine) add up to at most the budget; the
   rest are skipped. Deciding by estimates, not by the clock, makes the choice
   the same on a busy machine; only a candidate still running at twice the
   budget (and at least `MIN_STOP_S` into the choice, so that a small budget on
   a busy machine does not stop the graph filters) is stopped. The cheapest
   candidate is always fitted.
4. The best NDCG@20 wins. `recommender.training.train_model("auto")` refits it
   on all training data (unless the validation split was the catalog's own,
   when the selection fit already was that), saves it with the table of every
   candidate, and activates it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from recommender.core import ScoringRecommender
from recommender.data import InteractionData
from recommender.evaluation import evaluate
from recommender.graph_filters import OVERSAMPLE, exact_svd
from recommender.registry import model_class
from recommender.tuning import FILTERS, best, grid, selection_split, tune_graph_filters

AUTO = "auto"
DEFAULT_BUDGET_S = 300.0
CANDIDATES = ("popularity", "itemknn", "als", "gfcf", "bspm", "lightgcn")
TORCH_MODELS = ("bprmf", "lightgcn")
# Settings that train a PyTorch model on a shop the size of the demo in well under
# two minutes on CPU, stopping early on validation NDCG@20.
TORCH_HYPERPARAMETERS: dict[str, Any] = {
    "epochs": 20,
    "lr": 0.01,
    "batch_size": 1024,
    "eval_every": 2,
    "patience": 3,
}
GRID_USERS = 5000
MIN_STOP_S = 60.0  # a candidate is never stopped sooner into the choice
FACTORS = (16, 64, 256, 448)  # tried where at most a quarter of min(shoppers, items)
GRID: dict[str, dict[str, list[Any]]] = {
    "gfcf": {"alpha": [0.3, 1.0, 3.0]},
    "bspm": {"beta": [0.2, 1.0, 3.0], "sharpen_time": [0.5, 1.5, 2.5]},
}
Log = Callable[[str], None]


@dataclass(slots=True)
class Selection:
    """The outcome of `choose`: one row per candidate, the winner fitted on the
    selection data, and where the validation data came from."""

    rows: list[dict[str, Any]]
    winner: dict[str, Any]
    model: ScoringRecommender
    validation: str
    own_split: bool
    budget_s: float
    seconds: float
    grid: list[dict[str, Any]] = field(default_factory=list)

    def table(self) -> dict[str, Any]:
        """What is stored with the model and printed by `shopassist evaluate`."""
        return {
            "chosen": self.winner["model"],
            "metric": "ndcg@20",
            "validation": self.validation,
            "budget_s": self.budget_s,
            "seconds": round(self.seconds, 1),
            "candidates": self.rows,
            "graph_filter_grid": self.grid,
        }


@dataclass(frozen=True, slots=True)
class Sizes:
    users: int
    items: int
    nnz: int
    pairs: float  # sum over items of degree^2: the work of an item-item product

    @classmethod
    def of(cls, data: InteractionData) -> Sizes:
        degrees = np.diff(data.train.tocsc().indptr).astype(np.float64)
        return cls(data.n_users, data.n_items, int(data.train.nnz), float((degrees**2).sum()))


# Throughputs of a quiet 2-core machine (AVX2), from which the estimates below are made;
# checked against quiet fits on Gowalla, Beauty and the demo shop: an estimate is close to
# the fit's CPU seconds, two to three times its wall time on two cores.
SPARSE_FLOPS = 5e9  # float32 sparse x dense products
DENSE64_FLOPS = 2e10  # float64 products of the SVD's orthonormalisation
DENSE_FLOPS = 8e10  # float32 dense products
PER_ENTRY_S = 5e-9  # top-k, masking and copying, a second per dense score entry


def estimate_seconds(name: str, hyper: dict[str, Any], n: Sizes) -> float:
    """The fit time on a quiet two-core machine: a formula in the catalog's sizes."""
    if name == "popularity":
        return 0.0
    if name == "itemknn":
        return 0.1 + n.pairs / 1e8
    if name == "als":
        f = int(hyper["factors"])
        return 0.2 + int(hyper["iterations"]) * (n.nnz * f + (n.users + n.items) * f * f) / 2e9
    if name in FILTERS:
        return _filter_seconds(model_class(name)(**hyper), n)
    epochs = int(hyper["epochs"])  # PyTorch models: every epoch, as if none stopped early
    steps = np.ceil(n.nnz / int(hyper["batch_size"]))
    work = int(hyper.get("layers", 1)) * 2 * n.nnz * int(hyper["dim"])
    evals = epochs / int(hyper["eval_every"]) * (0.2 + n.users * n.items * PER_ENTRY_S)
    return float(epochs * steps * (0.006 + work / 5e9) + evals)


def _svd_seconds(k: int, iterations: int, n: Sizes) -> float:
    """The low-pass basis: an eigh of the smaller Gram matrix, or the randomized SVD."""
    small, large = sorted((n.users, n.items))
    if exact_svd((n.users, n.items), k):
        return (small**3 + small**2 * large) / DENSE64_FLOPS
    passes = 2 * iterations + 2
    width = k + OVERSAMPLE
    return passes * (4 * (small + large) / 2 * width**2 / DENSE64_FLOPS + n.nnz * width * 2 / 1e9)


def _filter_seconds(model: Any, n: Sizes) -> float:
    k = min(int(model.hyper["factors"]), n.users, n.items)
    degree = len(model._shape()[0]) - 1
    smooth = 2 * n.nnz * degree / SPARSE_FLOPS  # a column's sharpening
    dense = n.items * (2 * k / DENSE_FLOPS + PER_ENTRY_S)  # a column's low-pass part and top-k
    svd = _svd_seconds(k, int(model.hyper["power_iterations"]), n)
    return 0.5 + svd + n.items * (smooth + dense) + n.pairs / 1e8


def choose(
    data: InteractionData,
    budget_s: float = DEFAULT_BUDGET_S,
    candidates: tuple[str, ...] = CANDIDATES,
    *,
    device: str = "auto",
    progress: bool = False,
    log: Log | None = None,
) -> Selection:
    """Fit the candidates that fit in `budget_s` on validation data; the best by NDCG@20."""
    for name in candidates:
        model_class(name)  # unknown names fail before any work
    say = log or (lambda _: None)
    started = time.monotonic()
    chosen, where = selection_split(data)
    sizes = Sizes.of(chosen)
    specs = {name: _base_hyperparameters(name, device) for name in candidates}
    grid_rows: list[dict[str, Any]] = []
    filters = [name for name in candidates if name in FILTERS]
    grid_factors = _grid_factors(sizes, budget_s)
    if filters:
        tuned, grid_rows = _tune(chosen, filters, grid_factors, device, progress)
        specs.update(tuned)
        say(f"graph filter grid: {len(grid_rows)} settings in {time.monotonic() - started:.0f} s")
    order = sorted(candidates, key=lambda name: estimate_seconds(name, specs[name], sizes))
    spent = _grid_seconds(grid_factors, sizes) if filters else 0.0
    rows, fitted = [], {}
    stop_at = started + max(2 * budget_s, MIN_STOP_S)
    for name in order:
        estimate = estimate_seconds(name, specs[name], sizes)
        if name != order[0] and spent + estimate > budget_s:
            note = f"estimated {estimate:.1f} s; {max(budget_s - spent, 0):.1f} s of budget left"
            row = {**_row(name, specs[name], estimate), "status": "skipped", "note": note}
        else:
            spent += estimate
            hard_stop = None if name == order[0] else stop_at
            row = _try(name, specs[name], chosen, estimate, hard_stop, progress)
        rows.append({k: v for k, v in row.items() if k != "fitted"})
        if row.get("fitted") is not None:
            fitted[name] = row["fitted"]
        say(_describe(rows[-1]))
    scored = [r for r in rows if r["status"] == "fitted"]
    winner = max(scored, key=lambda r: (r["ndcg@20"], -order.index(r["model"])))
    own_split = chosen.valid is data.valid  # not carved: the selection fit used all of train
    return Selection(
        rows, winner, fitted[winner["model"]], where, own_split,
        budget_s, time.monotonic() - started, grid_rows,
    )  # fmt: skip


def _base_hyperparameters(name: str, device: str) -> dict[str, Any]:
    defaults = dict(model_class(name).defaults)
    if name in TORCH_MODELS:
        defaults.update(TORCH_HYPERPARAMETERS)
    if "device" in defaults:
        defaults["device"] = device
    return defaults


def _grid_factors(sizes: Sizes, budget_s: float) -> list[int]:
    """The `factors` values the grid tries: those up to a quarter of the smaller side of
    the matrix; while the grid would take over a third of the budget, the one farthest
    from min(shoppers, items) / 50 is dropped (the best value grew with the catalog:
    16 on Gift Cards, 64 on the demo shop and Scientific, 448-640 on Beauty and Gowalla)."""
    smaller = min(sizes.users, sizes.items)
    factors = [f for f in FACTORS if f <= smaller // 4] or [max(1, smaller // 4)]
    guess = min(max(smaller / 50, FACTORS[0]), FACTORS[-1])
    while len(factors) > 1 and _grid_seconds(factors, sizes) > budget_s / 3:
        factors.remove(max(factors, key=lambda f: abs(np.log(f / guess))))
    return factors


def _tune(
    chosen: InteractionData,
    filters: list[str],
    factors: list[int],
    device: str,
    progress: bool,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Best grid setting of each graph filter, and the grid's rows."""
    trials = []
    for name in filters:
        trials += grid(name, factors=factors, **GRID[name])
    results = tune_graph_filters(
        chosen, trials, max_users=GRID_USERS, device=device, progress=progress
    )
    rows = [
        {"model": t.model, **_changed(t.model, t.hyperparameters), "ndcg@20": t.metrics["ndcg@20"]}
        for t in results
    ]
    tuned = {name: {**trial.hyperparameters} for name, trial in best(results).items()}
    return tuned, rows


def _grid_seconds(factors: list[int], n: Sizes) -> float:
    """The grid of `_tune`: one basis a `factors` value, then one pass over the shoppers."""
    svd = sum(_svd_seconds(f, 4, n) for f in factors)
    users = min(n.users, GRID_USERS)
    lows = len(factors) * (1 + len(GRID["bspm"]["sharpen_time"]))  # distinct low-pass parts
    settings = len(factors) * (len(GRID["gfcf"]["alpha"]) + 9)
    per_user = 4 * 2 * n.nnz / SPARSE_FLOPS + lows * n.items * 2 * max(factors) / DENSE_FLOPS
    return svd + users * (per_user + settings * n.items * PER_ENTRY_S)


def _row(name: str, hyper: dict[str, Any], estimate: float) -> dict[str, Any]:
    return {
        "model": name,
        "hyperparameters": _changed(name, hyper),
        "estimate_s": round(estimate, 1),
    }


def _try(
    name: str,
    hyper: dict[str, Any],
    chosen: InteractionData,
    estimate: float,
    deadline: float | None,
    progress: bool,
) -> dict[str, Any]:
    """Fit and score one candidate; stopped if still running at `deadline`."""
    row = _row(name, hyper, estimate)
    started = time.monotonic()
    try:
        model = model_class(name)(**hyper).fit(chosen, **_options(name, deadline, progress))
    except TimeoutError:
        return {**row, "status": "stopped", "note": "still running at twice the budget"}
    seconds = time.monotonic() - started
    metrics = evaluate(
        lambda rows: torch.from_numpy(model.score_users(rows)), chosen.train, chosen.valid
    )
    if name in TORCH_MODELS:
        row["best_epoch"] = model.metrics.get("best_epoch")
    return {
        **row,
        "status": "fitted",
        "fit_s": round(seconds, 1),
        "ndcg@20": metrics["ndcg@20"],
        "recall@20": metrics["recall@20"],
        "fitted": model,
    }


def _options(name: str, deadline: float | None, progress: bool) -> dict[str, Any]:
    if deadline is None:
        return {"progress": progress}
    if name in TORCH_MODELS:

        def stop_late(record: dict[str, Any]) -> None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not finish within its time budget")

        return {"progress": progress, "on_epoch": stop_late}
    if name in FILTERS:
        return {"progress": progress, "deadline": deadline}
    return {"progress": progress}


def _changed(name: str, hyper: dict[str, Any]) -> dict[str, Any]:
    """The hyperparameters that differ from the model's defaults (a readable table)."""
    defaults = model_class(name).defaults
    return {k: v for k, v in hyper.items() if defaults.get(k) != v and k != "device"}


def _describe(row: dict[str, Any]) -> str:
    if row["status"] != "fitted":
        return f"{row['model']:<11} {row['status']}: {row['note']}"
    return (
        f"{row['model']:<11} validation NDCG@20 {row['ndcg@20']:.4f}"
        f" Recall@20 {row['recall@20']:.4f} ({row['fit_s']:.1f} s)"
    )
