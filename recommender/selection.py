"""`--model auto`: choose a catalog's recommender on validation data, within a
time budget.

1. Validation data come from `tuning.selection_split`: the catalog's own
   validation split, else a fifth of each shopper's training items; never test.
2. The graph filters' hyperparameters come first, from a one-pass grid on that
   split (`tuning.tune_graph_filters`, at most `GRID_USERS` shoppers).
3. The candidates are fitted on the selection data, cheapest first, and scored
   by full-ranking NDCG@20 on its validation part. A candidate whose estimated
   fit time exceeds what is left of the budget is skipped; one that runs past
   the budget anyway is stopped. The estimates are formulas in the catalog's
   sizes with constants measured on a 2-core machine, scaled by how long the
   candidates already fitted took against their own estimates.
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
FACTORS = (16, 64, 256, 448)  # tried where at most a quarter of min(shoppers, items)
GRID: dict[str, dict[str, list[Any]]] = {
    "gfcf": {"alpha": [0.3, 1.0]},
    "bspm": {"beta": [0.2, 1.0], "sharpen_time": [0.5, 1.5, 2.5]},
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


def estimate_seconds(name: str, hyper: dict[str, Any], n: Sizes) -> float:
    """Rough fit time on two cores (constants fitted to Gowalla and the demo shop)."""
    if name == "popularity":
        return 0.0
    if name == "itemknn":
        return 0.1 + n.pairs / 2e8
    if name == "als":
        f = int(hyper["factors"])
        return 0.2 + int(hyper["iterations"]) * (n.nnz * f + (n.users + n.items) * f * f) / 2e9
    if name in FILTERS:
        return _filter_seconds(model_class(name)(**hyper), n)
    epochs = int(hyper["epochs"])
    steps = np.ceil(n.nnz / int(hyper["batch_size"]))
    layers = int(hyper.get("layers", 1))
    per_epoch = steps * (0.005 + layers * 2 * n.nnz * int(hyper["dim"]) / 5e9)
    evals = epochs / int(hyper["eval_every"]) * (0.2 + n.users * n.items * 1e-9)
    return epochs * per_epoch + evals


def _filter_seconds(model: Any, n: Sizes) -> float:
    k = min(int(model.hyper["factors"]), n.users, n.items) + 64
    degree = len(model._shape()[0]) - 1
    svd = (2 * int(model.hyper["power_iterations"]) + 1) * (n.users + n.items) * k * k / 5e9
    columns = n.items * (2 * n.nnz * degree / 3e9 + n.items * (2 * k / 1e11 + 3e-8))
    return 0.2 + svd + columns + n.pairs / 5e8


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
    deadline = started + budget_s
    chosen, where = selection_split(data)
    sizes = Sizes.of(chosen)
    specs = {name: _base_hyperparameters(name, device) for name in candidates}
    grid_rows: list[dict[str, Any]] = []
    filters = [name for name in candidates if name in FILTERS]
    if filters:
        tuned, grid_rows = _tune(chosen, filters, sizes, device, budget_s, progress)
        specs.update(tuned)
        say(f"graph filter grid: {len(grid_rows)} settings in {time.monotonic() - started:.0f} s")
    order = sorted(candidates, key=lambda name: estimate_seconds(name, specs[name], sizes))
    rows, fitted, speed = [], {}, []
    for name in order:  # the cheapest is always fitted, so there is always an answer
        always = name == order[0]
        row = _try(
            name, specs[name], chosen, sizes, deadline if not always else None, speed, progress
        )
        rows.append({k: v for k, v in row.items() if k != "fitted"})
        if row.get("fitted") is not None:
            fitted[name] = row["fitted"]
        say(_describe(rows[-1]))
    scored = [r for r in rows if r["status"] == "fitted"]
    winner = max(scored, key=lambda r: (r["ndcg@20"], -order.index(r["model"])))
    return Selection(
        rows, winner, fitted[winner["model"]], where, where.startswith("the catalog"),
        budget_s, time.monotonic() - started, grid_rows,
    )  # fmt: skip


def _base_hyperparameters(name: str, device: str) -> dict[str, Any]:
    defaults = dict(model_class(name).defaults)
    if name in TORCH_MODELS:
        defaults.update(TORCH_HYPERPARAMETERS)
    if "device" in defaults:
        defaults["device"] = device
    return defaults


def _tune(
    chosen: InteractionData,
    filters: list[str],
    sizes: Sizes,
    device: str,
    budget_s: float,
    progress: bool,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Best grid setting of each graph filter, and the grid's rows."""
    smaller = min(sizes.users, sizes.items)
    factors = [f for f in FACTORS if f <= smaller // 4] or [max(1, smaller // 4)]
    while len(factors) > 1 and _grid_seconds(factors, sizes) > budget_s / 3:
        factors.pop()  # the largest basis is the dearest
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
    svd = sum((2 * 4 + 1) * (n.users + n.items) * (f + 64) ** 2 / 5e9 for f in factors)
    users = min(n.users, GRID_USERS)
    return svd + users * (8 * n.nnz / 3e9 + n.items * len(factors) * 4 * 2 * 200 / 1e11)


def _try(
    name: str,
    hyper: dict[str, Any],
    chosen: InteractionData,
    sizes: Sizes,
    deadline: float | None,
    speed: list[float],
    progress: bool,
) -> dict[str, Any]:
    """Fit and score one candidate, or say why not (no deadline: fit regardless);
    `speed` collects actual/estimate."""
    raw = estimate_seconds(name, hyper, sizes)
    estimate = raw * (float(np.median(speed)) if speed else 1.0)
    row: dict[str, Any] = {
        "model": name,
        "hyperparameters": _changed(name, hyper),
        "estimate_s": round(estimate, 1),
    }
    left = float("inf") if deadline is None else deadline - time.monotonic()
    if estimate > left:
        return {
            **row,
            "status": "skipped",
            "note": f"estimated {estimate:.0f} s, {left:.0f} s left",
        }
    started = time.monotonic()
    try:
        model = model_class(name)(**hyper).fit(chosen, **_options(name, deadline, progress))
    except TimeoutError:
        return {**row, "status": "stopped", "note": "ran past the budget"}
    seconds = time.monotonic() - started
    if raw > 1.0:
        speed.append(min(max(seconds / raw, 0.25), 4.0))
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
