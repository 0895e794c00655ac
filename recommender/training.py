"""Train, evaluate, store and activate a model for a catalog: the one entry
point the CLI, `shopassist demo` and the background retrainer call.

`train_model` loads the catalog's interactions (split policy in
`recommender.data`), fits, measures validation and test metrics with full
ranking, saves under `models/<catalog>/<model>/` and makes it the active
model unless told not to. Under `torchrun ... --distributed` every process
trains on its shard and only rank 0 evaluates on test and writes files.
The model name "auto" chooses the model on validation data first
(`recommender.selection`) and stores the candidates' table with it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from catalog.errors import InputError
from catalog.store import Store
from recommender import registry
from recommender.core import ScoringRecommender
from recommender.data import InteractionData, load_interactions
from recommender.evaluation import evaluate
from recommender.selection import (
    AUTO,
    DEFAULT_BUDGET_S,
    TORCH_HYPERPARAMETERS,
    TORCH_MODELS,
    choose,
)

# Settings that train a PyTorch model on the demo shop in well under two minutes on CPU.
DEMO_HYPERPARAMETERS = TORCH_HYPERPARAMETERS
# `shopassist demo` chooses its model within this many estimated seconds, so that the first
# run stays short: that leaves LightGCN out, whose validation NDCG@20 on the demo shop is far
# below the graph filters' (`shopassist train --dataset demo --model auto --budget 30`
# fits it too and prints both).
DEMO_BUDGET_S = 5.0


@dataclass(slots=True)
class TrainResult:
    model: ScoringRecommender
    metrics: dict[str, Any]  # {"validation": {...}, "test": {...}}
    directory: Path | None
    activated: bool
    seconds: float
    history: list[dict[str, Any]] = field(default_factory=list)


def evaluate_model(
    model: ScoringRecommender, data: InteractionData, split: str = "test"
) -> dict[str, Any]:
    """Full-ranking metrics of `model` on `split` ("test" or "valid")."""
    target = data.test if split == "test" else data.validation
    if target is None or target.nnz == 0:
        raise InputError(f"catalog {data.catalog!r} has no {split} interactions to evaluate on")
    if model.fingerprint and data.fingerprint and model.fingerprint != data.fingerprint:
        raise InputError(
            f"the saved {model.name} model was trained on different data than catalog"
            f" {data.catalog!r} holds now; retrain it with `shopassist train`"
        )
    return evaluate(
        lambda rows: torch.from_numpy(model.score_users(rows)), data.eval_mask(split), target
    )


def train_model(
    store: Store,
    catalog: str,
    home: Path,
    model: str = "lightgcn",
    *,
    hyperparameters: dict[str, Any] | None = None,
    activate: bool = True,
    save: bool = True,
    progress: bool = False,
    resume: bool = False,
    distributed: bool = False,
    on_epoch: Callable[[dict[str, Any]], None] | None = None,
    budget_s: float = DEFAULT_BUDGET_S,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Fit `model` on `catalog`, evaluate it, save it and (by default) activate it.

    `model="auto"` chooses within `budget_s` seconds (`log` hears about each candidate).
    """
    if model == AUTO:
        device = (hyperparameters or {}).get("device", "auto")
        return train_auto(
            store, catalog, home, budget_s=budget_s, device=device,
            activate=activate, save=save, progress=progress, log=log,
        )  # fmt: skip
    started = time.perf_counter()
    cls = registry.model_class(model)
    hyper = dict(hyperparameters or {})
    rank = _init_distributed(hyper) if distributed else 0
    data = load_interactions(store, catalog)
    recommender = cls(**hyper)
    history: list[dict[str, Any]] = []
    options: dict[str, Any] = {"progress": progress}
    if model in TORCH_MODELS:
        checkpoints = registry.catalog_dir(home, catalog) / ".checkpoints" / model
        options.update(
            checkpoint_dir=checkpoints,
            resume=resume,
            distributed=distributed,
            on_epoch=on_epoch,
            history=history,
        )
    recommender.fit(data, **options)
    valid = (
        recommender.metrics if model in TORCH_MODELS else _maybe_eval(recommender, data, "valid")
    )
    metrics: dict[str, Any] = {"validation_split": data.validation_split, "validation": valid}
    if rank == 0:
        metrics["test"] = _maybe_eval(recommender, data, "test")
    recommender.metrics = metrics
    directory = _store(recommender, home, catalog, save and rank == 0, activate)
    if distributed:
        dist.barrier()
    seconds = round(time.perf_counter() - started, 3)
    return TrainResult(
        recommender, metrics, directory, activate and save and rank == 0, seconds, history
    )


def train_auto(
    store: Store,
    catalog: str,
    home: Path,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    device: str = "auto",
    activate: bool = True,
    save: bool = True,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    """Choose the model on validation data, refit it on all training data, store the
    candidates' table with it (`metrics["selection"]`), save and activate it."""
    started = time.perf_counter()
    data = load_interactions(store, catalog)
    chosen = choose(data, budget_s, device=device, progress=progress, log=log)
    if chosen.own_split:  # the selection fit was on the catalog's training split already
        recommender = chosen.model
        recommender.fingerprint, recommender.catalog = data.fingerprint, data.catalog
    else:
        recommender = _refit(chosen.model, data, progress)
    metrics: dict[str, Any] = {
        "validation_split": chosen.validation,
        "validation": {k: chosen.winner[k] for k in ("ndcg@20", "recall@20")},
        "test": _maybe_eval(recommender, data, "test"),
        "selection": chosen.table(),
    }
    recommender.metrics = metrics
    directory = _store(recommender, home, catalog, save, activate)
    seconds = round(time.perf_counter() - started, 3)
    return TrainResult(recommender, metrics, directory, activate and save, seconds)


def _refit(
    selected: ScoringRecommender, data: InteractionData, progress: bool
) -> ScoringRecommender:
    """`selected`'s settings fitted on all training data. A PyTorch model trains for the
    epochs that were best on validation: nothing here looks at test."""
    hyper = dict(selected.hyper)
    everything = InteractionData(
        data.user_ids, data.item_ids, data.train, seen=data.seen,
        fingerprint=data.fingerprint, catalog=data.catalog,
    )  # fmt: skip
    if selected.name in TORCH_MODELS:
        best = selected.metrics.get("best_epoch") or selected.metrics.get("epochs_trained")
        hyper["epochs"] = int(best or hyper["epochs"])
    return registry.model_class(selected.name)(**hyper).fit(everything, progress=progress)


def _store(
    recommender: ScoringRecommender, home: Path, catalog: str, save: bool, activate: bool
) -> Path | None:
    if not save:
        return None
    directory = registry.save_model(recommender, home, catalog)
    if activate:
        registry.activate(home, catalog, recommender.name)
    return directory


def _maybe_eval(model: ScoringRecommender, data: InteractionData, split: str) -> dict[str, Any]:
    target = data.test if split == "test" else data.validation
    if target is None or target.nnz == 0:
        return {}
    return evaluate_model(model, data, split)


def _init_distributed(hyper: dict[str, Any]) -> int:
    """Join the process group torchrun set up; NCCL on GPUs, gloo on CPU."""
    if "RANK" not in os.environ:
        raise InputError("--distributed needs to run under torchrun (RANK/WORLD_SIZE are not set)")
    use_cuda = torch.cuda.is_available() and hyper.get("device", "auto") in ("auto", "cuda")
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    if use_cuda:
        local = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local)
        hyper["device"] = f"cuda:{local}"
    else:
        hyper.setdefault("device", "cpu")
    torch.set_num_threads(max(1, (os.cpu_count() or 2) // dist.get_world_size()))
    return dist.get_rank()


def ensure_demo_model(
    store: Store,
    home: Path,
    model: str,
    rebuilt: bool,
    catalog: str = "demo",
    budget_s: float = DEMO_BUDGET_S,
) -> TrainResult | None:
    """Train and activate `model` on the demo shop when it was (re)built or has none;
    "auto" chooses within `budget_s` seconds.

    Called by `shopassist demo`; reports its progress on stderr.
    """
    if not rebuilt and registry.active_name(home, catalog) is not None:
        return None
    hyper = dict(DEMO_HYPERPARAMETERS) if model in TORCH_MODELS else {}
    what = "choosing the recommender" if model == AUTO else f"training the {model} recommender"
    print(f"{what} for the demo shop...", file=sys.stderr, flush=True)

    def say(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    result = train_model(
        store, catalog, home, model, hyperparameters=hyper, log=say, budget_s=budget_s
    )
    ndcg = result.metrics.get("test", {}).get("ndcg@20", float("nan"))
    print(
        f"trained {result.model.name} in {result.seconds:.0f}s (test NDCG@20 {ndcg:.4f})",
        file=sys.stderr,
    )
    return result


def sample_users(data: InteractionData, n: int, seed: int = 0) -> np.ndarray:
    """Rows of `n` users with training history (for benchmarks and smoke tests)."""
    active = np.flatnonzero(np.diff(data.train.indptr) > 0)
    rng = np.random.default_rng(seed)
    return rng.choice(active, size=min(n, len(active)), replace=False)
