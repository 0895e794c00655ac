"""Full-ranking evaluation: every item is a candidate, items the user already
had in training are masked, Recall / NDCG / HitRate / Precision at K.

Scores come from a function that returns a (batch, n_items) tensor for a batch
of user rows, so a graph model propagates once and then only multiplies
matrices. Each batch's scores are used up before the next batch is asked for,
so a score function may reuse one output buffer. Metrics are averaged over
users with at least one target item.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import torch

KS = (10, 20)
ScoreFn = Callable[[np.ndarray], torch.Tensor]  # user rows (b,) -> (b, n_items) float


def evaluate(
    score_fn: ScoreFn,
    mask: sp.csr_matrix,
    target: sp.csr_matrix,
    ks: tuple[int, ...] = KS,
    batch_users: int = 2048,
) -> dict[str, float]:
    """Mean metrics over users with targets; keys like `recall@20`."""
    metrics = Metrics(mask, target, ks)
    for start in range(0, len(metrics.users), batch_users):
        rows = metrics.users[start : start + batch_users]
        with torch.no_grad():
            metrics.add(rows, score_fn(rows))
    return metrics.result()


class Metrics:
    """Running sums of the metrics over batches of users (several score variants of
    one batch can each have their own `Metrics`)."""

    def __init__(self, mask: sp.csr_matrix, target: sp.csr_matrix, ks: tuple[int, ...] = KS):
        self.mask, self.target, self.ks = mask, target, ks
        self.users = np.flatnonzero(np.diff(target.indptr) > 0)  # the users that count
        self.sums = {
            f"{m}@{k}": 0.0 for k in ks for m in ("recall", "ndcg", "hit_rate", "precision")
        }
        kmax = max(ks)
        self.discounts = 1.0 / np.log2(np.arange(2, kmax + 2))  # (kmax,)
        self.ideal = np.concatenate([[0.0], np.cumsum(self.discounts)])  # IDCG with n targets
        self.count = 0  # users added so far

    def add(self, rows: np.ndarray, scores: torch.Tensor) -> None:
        """Rank (b, n_items) `scores` of user `rows` (users with targets); masks in place."""
        kmax = max(self.ks)
        with torch.no_grad():
            scores = scores.float()
            _mask_rows(scores, self.mask, rows)
            # A catalog smaller than the cut-off ranks all of its items.
            top = torch.topk(scores, min(kmax, scores.shape[1]), dim=1).indices.cpu().numpy()
        hits = _hits(top, self.target, rows)  # (b, <= kmax) bool
        if hits.shape[1] < kmax:  # the ranks past the catalog's end hold no item
            hits = np.pad(hits, ((0, 0), (0, kmax - hits.shape[1])))
        n_target = np.diff(self.target.indptr)[rows]
        self.count += len(rows)
        for k in self.ks:
            h = hits[:, :k]
            n_hits = h.sum(1)
            self.sums[f"recall@{k}"] += float((n_hits / n_target).sum())
            self.sums[f"precision@{k}"] += float(n_hits.sum() / k)
            self.sums[f"hit_rate@{k}"] += float((n_hits > 0).sum())
            dcg = (h * self.discounts[:k]).sum(1)
            self.sums[f"ndcg@{k}"] += float((dcg / self.ideal[np.minimum(n_target, k)]).sum())

    def result(self) -> dict[str, float]:
        n = max(self.count, 1)
        out = {key: round(value / n, 6) for key, value in sorted(self.sums.items())}
        out["users"] = self.count
        return out


def _mask_rows(scores: torch.Tensor, mask: sp.csr_matrix, rows: np.ndarray) -> None:
    sub = mask[rows]
    r = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
    if len(r):
        idx = (
            torch.from_numpy(r).to(scores.device),
            torch.from_numpy(sub.indices.astype(np.int64)).to(scores.device),
        )
        scores[idx] = -torch.inf


def _hits(top: np.ndarray, target: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Whether each ranked item is a target of its user, via sorted (user, item) keys."""
    n_items = target.shape[1]
    sub = target[rows]
    keys = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(sub.indptr)) * n_items
    keys += sub.indices
    keys.sort()
    query = np.arange(len(rows), dtype=np.int64)[:, None] * n_items + top
    pos = np.searchsorted(keys, query)
    pos = np.minimum(pos, max(len(keys) - 1, 0))
    return keys[pos] == query if len(keys) else np.zeros_like(top, dtype=bool)
