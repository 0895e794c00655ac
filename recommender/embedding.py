"""Models that score by a dot product of user and item vectors: BPR matrix
factorisation (PyTorch) and ALS (the `implicit` library), plus the base that
LightGCN extends.

Fold-in and explanations for a plain factor model: the user vector is moved
as little as possible (ridge towards the trained vector, zero for a new user)
so that each new positive scores as high as the user's current best item; the
score is decomposed over the history by projecting the user vector onto the
history items' vectors (ridge, dual form), contribution_i = w_i * (q_i . q_j).
That decomposition is approximate: the part of the user vector outside the
span of their items is not attributed to any item.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np
import torch
from threadpoolctl import ThreadpoolController
from torch import nn

from recommender.core import ScoringRecommender
from recommender.data import InteractionData
from recommender.torch_loop import LoopOptions, train_bpr

TORCH_DEFAULTS: dict[str, Any] = {
    "dim": 64,
    "lr": 1e-3,
    "reg": 1e-4,
    "batch_size": 2048,
    "epochs": 50,
    "eval_every": 1,
    "patience": 5,
    "seed": 2020,
    "device": "auto",
    "near_duplicate": 0.9,
}


SMALL_BATCH = 16  # up to this many users, one BLAS thread is faster (no thread wake-up)


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


class EmbeddingRecommender(ScoringRecommender):
    """Scores are `user_vectors @ item_vectors.T`."""

    user_vectors: np.ndarray  # (n_users, d) float32
    item_vectors: np.ndarray  # (n_items, d) float32

    def _set_vectors(self, users: np.ndarray, items: np.ndarray) -> None:
        self.user_vectors = np.ascontiguousarray(users, dtype=np.float32)
        self.item_vectors = np.ascontiguousarray(items, dtype=np.float32)
        norms = np.linalg.norm(self.item_vectors, axis=1, keepdims=True)
        self._unit_items = self.item_vectors / np.maximum(norms, 1e-12)

    def _scores_known(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) > SMALL_BATCH:
            return self.user_vectors[rows] @ self.item_vectors.T
        with _blas_controller().limit(limits=1, user_api="blas"):
            return self.user_vectors[rows] @ self.item_vectors.T

    def _item_similarity(self, item_row: int) -> np.ndarray:
        return self._unit_items @ self._unit_items[item_row]

    def _user_vector(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        u0 = (
            self.user_vectors[user_row]
            if user_row is not None
            else np.zeros(self.item_vectors.shape[1], np.float32)
        )
        qh = self.item_vectors[history]  # (h, d)
        current = qh @ u0
        top = float((self.item_vectors @ u0).max()) if user_row is not None else 1.0
        target = np.where(np.isin(history, new), max(top, 1e-3), current)
        gram = qh @ qh.T
        lam = 1e-2 * float(np.trace(gram)) / max(len(history), 1) + 1e-6
        w = np.linalg.solve(gram + lam * np.eye(len(history), dtype=np.float32), target - current)
        return (u0 + qh.T @ w).astype(np.float32)

    def _scores_history(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        return self.item_vectors @ self._user_vector(user_row, history, new)

    def _contributions(
        self, user_row: int | None, history: np.ndarray, item_row: int, new: np.ndarray
    ) -> np.ndarray:
        u = self._user_vector(user_row, history, new) if len(new) else self.user_vectors[user_row]
        qh = self.item_vectors[history]
        gram = qh @ qh.T
        lam = 1e-3 * float(np.trace(gram)) / max(len(history), 1) + 1e-6
        w = np.linalg.solve(gram + lam * np.eye(len(history), dtype=np.float32), qh @ u)
        return w * (qh @ self.item_vectors[item_row])

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"user_vectors": self.user_vectors, "item_vectors": self.item_vectors}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        self._set_vectors(arrays["user_vectors"], arrays["item_vectors"])


class _MFModule(nn.Module):
    def __init__(self, n_users: int, n_items: int, dim: int, reg: float, seed: int) -> None:
        super().__init__()
        self.n_users, self.reg = n_users, reg
        self.embedding = nn.Parameter(init_embeddings(n_users + n_items, dim, seed))  # (U+I, d)

    def forward(self, users: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor) -> torch.Tensor:
        return bpr_loss(
            self.embedding, self.embedding, users, pos + self.n_users, neg + self.n_users, self.reg
        )

    def export(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.embedding[: self.n_users], self.embedding[self.n_users :]


def init_embeddings(n: int, dim: int, seed: int) -> torch.Tensor:
    """N(0, 0.1^2) initial embeddings from their own seeded generator (reproducible)."""
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed)) * 0.1


def bpr_loss(
    out: torch.Tensor,
    ego: torch.Tensor,
    users: torch.Tensor,
    pos: torch.Tensor,
    neg: torch.Tensor,
    reg: float,
) -> torch.Tensor:
    """Mean BPR loss on output rows plus `reg`/2 * squared norm of the ego rows, per batch."""
    u, p, n = out[users], out[pos], out[neg]
    diff = (u * n).sum(1) - (u * p).sum(1)
    penalty = ego[users].pow(2).sum() + ego[pos].pow(2).sum() + ego[neg].pow(2).sum()
    return nn.functional.softplus(diff).mean() + reg * 0.5 * penalty / len(users)


class BPRMF(EmbeddingRecommender):
    """Matrix factorisation trained with the BPR loss (Rendle et al., 2009)."""

    name: ClassVar[str] = "bprmf"
    defaults: ClassVar[dict[str, Any]] = {**TORCH_DEFAULTS, "lr": 5e-3}

    def _fit(self, data: InteractionData, **options: Any) -> None:
        h = self.hyper
        module = _MFModule(
            data.n_users, data.n_items, int(h["dim"]), float(h["reg"]), int(h["seed"])
        )
        self.metrics = train_bpr(module, data, self.hyper, LoopOptions(**options))
        users, items = module.export()
        self._set_vectors(users.detach().cpu().numpy(), items.detach().cpu().numpy())


class ALS(EmbeddingRecommender):
    """Implicit-feedback ALS (Hu, Koren, Volinsky 2008) from the `implicit` library."""

    name: ClassVar[str] = "als"
    defaults: ClassVar[dict[str, Any]] = {
        "factors": 128,
        "regularization": 0.01,
        "alpha": 40.0,
        "iterations": 15,
        "seed": 2020,
        "near_duplicate": 0.9,
    }

    def _fit(self, data: InteractionData, **options: Any) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit's own threads do the work
            model = AlternatingLeastSquares(
                factors=int(self.hyper["factors"]),
                regularization=float(self.hyper["regularization"]),
                alpha=float(self.hyper["alpha"]),
                iterations=int(self.hyper["iterations"]),
                random_state=int(self.hyper["seed"]),
                calculate_training_loss=False,
            )
            model.fit(data.train, show_progress=bool(options.get("progress", False)))
        self._set_vectors(model.user_factors, model.item_factors)
