"""Validation data for choosing models and hyperparameters, and a one-pass grid
search over the graph filters' hyperparameters.

`selection_split` never looks at test: a catalog with its own validation split
keeps it; otherwise a fifth of each shopper's training items (rounded down, at
least one from shoppers with 3 or more) is held out at random, seeded, much
like the LightGCN Gowalla test split itself.

`tune_graph_filters` scores many GF-CF / BSPM configurations in one pass. With
Y_j = x L^j for j up to the largest sharpening degree and Z = x D^-1/2 V^T,
computed once for each batch of users, every configuration's scores are a
weighted sum of the Y_j plus Z times one (factors, n_items) matrix of its own,
and the powers do not depend on the low-pass basis, so a grid of twenty over
several `factors` costs about two evaluations plus one SVD a `factors` value.
The scores are untruncated: what keeping `neighbors` entries a row costs is
measured by the benchmarks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from tqdm import tqdm

from catalog.errors import InputError
from recommender.data import InteractionData, _matrix
from recommender.evaluation import Metrics
from recommender.graph_filters import BSPM, GFCF, FilterOperator, GraphFilter, exact_svd
from recommender.lightgcn import spmm, to_torch_csr

FILTERS: dict[str, type[GraphFilter]] = {"gfcf": GFCF, "bspm": BSPM}
HOLDOUT_EVERY = 5  # one training item in five is held out


def selection_split(data: InteractionData, seed: int = 0) -> tuple[InteractionData, str]:
    """(train/valid data for choosing, a note of where the validation came from)."""
    if data.valid is not None and data.validation_split == "valid" and data.valid.nnz:
        chosen = InteractionData(
            data.user_ids, data.item_ids, data.train, valid=data.valid, seen=data.seen
        )
        return chosen, "the catalog's validation split"
    rng = np.random.default_rng(seed)
    train = data.train.tocoo()
    counts = np.diff(data.train.indptr)
    users, items = train.row.astype(np.int64), train.col.astype(np.int64)
    order = np.lexsort((rng.random(len(users)), users))  # each user's items, shuffled
    users, items = users[order], items[order]
    rank = np.arange(len(users)) - np.repeat(data.train.indptr[:-1], counts)
    held = (counts // HOLDOUT_EVERY).astype(np.int64)
    held[(counts >= 3) & (held == 0)] = 1
    out = rank < held[users]
    shape = (data.n_users, data.n_items)
    chosen = InteractionData(
        data.user_ids,
        data.item_ids,
        _matrix(users[~out], items[~out], shape),
        valid=_matrix(users[out], items[out], shape),
        seen=data.train,
    )
    return chosen, f"one in {HOLDOUT_EVERY} of each shopper's training items held out (seed {seed})"


def grid(model: str, **axes: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every combination of the given hyperparameter values, as (model, hyperparameters)."""
    keys = list(axes)
    return [
        (model, dict(zip(keys, values, strict=True)))
        for values in itertools.product(*axes.values())
    ]


@dataclass(slots=True)
class Trial:
    model: str
    hyperparameters: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)


def tune_graph_filters(
    data: InteractionData,
    trials: list[tuple[str, dict[str, Any]]],
    *,
    max_users: int | None = None,
    batch_users: int = 256,
    device: str = "auto",
    seed: int = 0,
    progress: bool = False,
) -> list[Trial]:
    """Validation metrics of each (model, hyperparameters) in `trials` on `data.valid`."""
    models = [FILTERS[name](**{"device": device, **hyper}) for name, hyper in trials]
    valid = data.validation
    if valid is None or valid.nnz == 0:
        raise InputError("tuning needs validation interactions: use selection_split()")
    operators: dict[tuple[int, int, int], FilterOperator] = {}
    wanted = {
        (int(m.hyper["factors"]), int(m.hyper["power_iterations"]), int(m.hyper["seed"]))
        for m in models
    }
    for key in sorted(wanted, reverse=True):  # one basis per (factors, iterations, seed)
        larger = next((op for (k, *rest), op in operators.items() if rest == list(key[1:])), None)
        if larger is not None and exact_svd(data.train.shape, larger.left.shape[1]):
            operators[key] = larger.first(key[0])  # an exact basis: the prefix is the same
        else:
            operators[key] = FilterOperator.build(data.train, *key, device)
    users = np.flatnonzero(np.diff(valid.indptr) > 0)
    if max_users is not None and len(users) > max_users:
        users = np.sort(np.random.default_rng(seed).choice(users, max_users, replace=False))
    keys = [
        (int(m.hyper["factors"]), int(m.hyper["power_iterations"]), int(m.hyper["seed"]))
        for m in models
    ]
    results = _one_pass(operators, keys, data.train, valid, users, models, batch_users, progress)
    return [
        Trial(name, m.hyper, result)
        for (name, _), m, result in zip(trials, models, results, strict=True)
    ]


def _one_pass(
    operators: dict[tuple[int, int, int], FilterOperator],
    keys: list[tuple[int, int, int]],
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    users: np.ndarray,
    models: list[GraphFilter],
    batch_users: int,
    progress: bool,
) -> list[dict[str, Any]]:
    """Every model's metrics from one pass: the powers x L^j do not depend on the basis."""
    shapes = [m._shape() for m in models]
    degree = max(len(s_lin) for s_lin, _, _ in shapes) - 1
    lows: dict[tuple[Any, ...], torch.Tensor] = {}  # (k, n_items) right S_low per basis, S
    for key, (_, s_low, _) in zip(keys, shapes, strict=True):
        op = operators[key]
        low_key = (key, tuple(s_low.tolist()))
        if low_key not in lows:
            lows[low_key] = op.polynomial(s_low, op.right.T.contiguous()).T.contiguous()
    op = next(iter(operators.values()))
    metrics = [Metrics(train, valid) for _ in models]
    starts = range(0, len(users), batch_users)
    for start in tqdm(starts, desc="graph filter grid", disable=not progress):
        rows = users[start : start + batch_users]
        x = train[rows]
        powers = [op.linear_columns(x)]  # x L, then x L^2 ... as (n_items, b) columns
        for _ in range(degree):
            powers.append(op.smooth(powers[-1]))
        x_t = to_torch_csr(sp.csr_matrix(x), op.device)
        z = {key: spmm(x_t, basis.left) for key, basis in operators.items()}  # (b, k) each
        low_scores = {lk: z[lk[0]] @ w for lk, w in lows.items()}  # (b, n_items) each
        linear: dict[tuple[float, ...], torch.Tensor] = {}  # (n_items, b) per polynomial
        for key, (s_lin, s_low, weight), acc in zip(keys, shapes, metrics, strict=True):
            lin_key = tuple(s_lin.tolist())
            if lin_key not in linear:
                linear[lin_key] = sum(float(c) * y for c, y in zip(s_lin, powers, strict=False))
            low = low_scores[(key, tuple(s_low.tolist()))]
            acc.add(rows, torch.add(linear[lin_key].T, low, alpha=weight))
    return [m.result() for m in metrics]


def best(trials: list[Trial], metric: str = "ndcg@20") -> dict[str, Trial]:
    """The best trial of each model by `metric`."""
    out: dict[str, Trial] = {}
    for t in trials:
        if t.model not in out or t.metrics[metric] > out[t.model].metrics[metric]:
            out[t.model] = t
    return out
