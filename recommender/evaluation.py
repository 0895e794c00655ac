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
    users = np.flatnonzero(np.diff(target.indptr) > 0)
    kmax = max(ks)
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("recall", "ndcg", "hit_rate", "precision")}
    discounts = 1.0 / np.log2(np.arange(2, kmax + 2))  # (kmax,)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])  # ideal[n] = IDCG with n targets
    for start in range(0, len(users), batch_users):
        rows = users[start : start + batch_users]
        with torch.no_grad():
            scores = score_fn(rows).float()
            _mask_rows(scores, mask, rows)
            top = torch.topk(scores, kmax, dim=1).indices.cpu().numpy()  # (b, kmax)
        hits = _hits(top, target, rows)  # (b, kmax) bool
        n_target = np.diff(target.indptr)[rows]
        for k in ks:
            h = hits[:, :k]
            n_hits = h.sum(1)
            sums[f"recall@{k}"] += float((n_hits / n_target).sum())
            sums[f"precision@{k}"] += float(n_hits.sum() / k)
            sums[f"hit_rate@{k}"] += float((n_hits > 0).sum())
            dcg = (h * discounts[:k]).sum(1)
            sums[f"ndcg@{k}"] += float((dcg / ideal[np.minimum(n_target, k)]).sum())
    n = max(len(users), 1)
    out = {key: round(value / n, 6) for key, value in sorted(sums.items())}
    out["users"] = len(users)
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
