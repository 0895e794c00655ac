"""LightGCN (He et al., SIGIR 2020) in plain PyTorch.

Propagation multiplies the symmetric normalised adjacency
A = D^-1/2 [[0, R], [R^T, 0]] D^-1/2, stored as a CSR tensor, with the layer
embeddings; the output is the mean of layers 0..K. Loss: BPR plus reg/2 times
the squared norm of the batch's ego (layer-0) embeddings, as in the paper.

Two things make it fast on CPU, on purpose:
- autograd's generic sparse backward is replaced by a custom one: A is
  symmetric, so the gradient of A @ X is A @ G, another CSR product;
- the last layer is computed only for the rows the batch needs (users,
  positives, negatives), a row slice of A, instead of for the whole graph.

Serving and explanations use an exact decomposition. With h_i the item's
layers 0..K-1 summed, divided by (K+1) * sqrt(deg_i), a user's output vector is
ego_u / (K+1) + sum over the user's items i of h_i / sqrt(deg_u). So the score
of item j is a sum of per-history-item terms h_i . q_j / sqrt(deg_u) plus an
ego term, and folding in new items recomputes the user vector by the same
formula with the larger item set (the item side is kept as trained); folded-in
items count `feedback_weight` times (2 by default: what a shopper just said
outweighs one old interaction).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from recommender.data import InteractionData
from recommender.embedding import TORCH_DEFAULTS, EmbeddingRecommender, bpr_loss, init_embeddings
from recommender.torch_loop import LoopOptions, train_bpr


def normalized_adjacency(train: sp.csr_matrix) -> sp.csr_matrix:
    """(U+I, U+I) float32 symmetric D^-1/2 A D^-1/2 of the user-item graph."""
    r = sp.csr_matrix(train, dtype=np.float32)
    adj = sp.bmat([[None, r], [r.T, None]], format="csr", dtype=np.float32)
    deg = np.asarray(adj.sum(1)).ravel()
    inv = np.zeros_like(deg)
    inv[deg > 0] = deg[deg > 0] ** -0.5
    d = sp.diags(inv.astype(np.float32))
    out = (d @ adj @ d).tocsr().astype(np.float32)
    out.sort_indices()
    return out


def to_torch_csr(m: sp.csr_matrix, device: torch.device) -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            torch.from_numpy(m.indptr.astype(np.int64)),
            torch.from_numpy(m.indices.astype(np.int64)),
            torch.from_numpy(m.data.astype(np.float32)),
            size=m.shape,
            check_invariants=False,
        ).to(device)


class _SymmetricSpMM(torch.autograd.Function):
    """Y = A @ X for a symmetric sparse A; the backward is A @ dY (no transpose)."""

    @staticmethod
    def forward(ctx: Any, adj: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        ctx.adj = adj
        return torch.sparse.mm(adj, x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, torch.Tensor]:
        return None, torch.sparse.mm(ctx.adj, grad)


class _RowSpMM(torch.autograd.Function):
    """Y = A[rows] @ X; the backward multiplies the transposed slice, built alongside."""

    @staticmethod
    def forward(ctx: Any, sub: torch.Tensor, sub_t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        ctx.sub_t = sub_t
        return torch.sparse.mm(sub, x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[None, None, torch.Tensor]:
        return None, None, torch.sparse.mm(ctx.sub_t, grad)


class _LightGCNModule(nn.Module):
    def __init__(
        self,
        train: sp.csr_matrix,
        dim: int,
        layers: int,
        reg: float,
        seed: int,
        device: torch.device,
    ) -> None:
        super().__init__()
        self.n_users, self.n_items = train.shape
        self.layers, self.reg, self.device = layers, reg, device
        self.adj_sp = normalized_adjacency(train)
        self.adj = to_torch_csr(self.adj_sp, device)
        n = self.n_users + self.n_items
        self.embedding = nn.Parameter(init_embeddings(n, dim, seed))  # (U+I, d) ego embeddings
        self.row_slice = device.type == "cpu"  # on GPU a full last layer is cheap

    def forward(self, users: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor) -> torch.Tensor:
        nodes = torch.cat([users, pos + self.n_users, neg + self.n_users])
        unique, inverse = torch.unique(nodes, return_inverse=True)
        out = self._propagate_rows(unique)  # (len(unique), d)
        b = len(users)
        local = inverse
        ego = self.embedding[unique]
        return bpr_loss(out, ego, local[:b], local[b : 2 * b], local[2 * b :], self.reg)

    def _propagate_rows(self, rows: torch.Tensor) -> torch.Tensor:
        x = self.embedding
        total = x
        for _ in range(self.layers - (1 if self.row_slice else 0)):
            x = _SymmetricSpMM.apply(self.adj, x)
            total = total + x  # one gather at the end: one dense scatter in the backward
        acc = total[rows]
        if self.row_slice and self.layers > 0:
            sub = self.adj_sp[rows.cpu().numpy()]
            last = _RowSpMM.apply(
                to_torch_csr(sub, self.device), to_torch_csr(sub.T.tocsr(), self.device), x
            )
            acc = acc + last
        return acc / (self.layers + 1)

    @torch.no_grad()
    def layer_outputs(self) -> list[torch.Tensor]:
        xs = [self.embedding.detach()]
        for _ in range(self.layers):
            xs.append(torch.sparse.mm(self.adj, xs[-1]))
        return xs

    @torch.no_grad()
    def export(self) -> tuple[torch.Tensor, torch.Tensor]:
        out = torch.stack(self.layer_outputs()).mean(0)
        return out[: self.n_users], out[self.n_users :]


class LightGCN(EmbeddingRecommender):
    """LightGCN with the paper's defaults (dim 64, 3 layers, lr 1e-3, reg 1e-4, batch 2048)."""

    name: ClassVar[str] = "lightgcn"
    defaults: ClassVar[dict[str, Any]] = {**TORCH_DEFAULTS, "layers": 3, "feedback_weight": 2.0}

    ego_users: np.ndarray  # (n_users, d) layer-0 user embeddings
    item_history_vectors: np.ndarray  # (n_items, d) h_i of the module docstring

    def _fit(self, data: InteractionData, **options: Any) -> None:
        from recommender.torch_loop import pick_device

        device = pick_device(str(self.hyper["device"]))
        h = self.hyper
        module = _LightGCNModule(
            data.train, int(h["dim"]), int(h["layers"]), float(h["reg"]), int(h["seed"]), device
        )
        self.metrics = train_bpr(module, data, self.hyper, LoopOptions(**options))
        xs = [x.cpu().numpy() for x in module.layer_outputs()]
        k = len(xs) - 1
        users, items = slice(0, data.n_users), slice(data.n_users, None)
        final = np.mean(xs, axis=0)
        deg = np.asarray(data.train.sum(0)).ravel()
        scale = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1)), 0.0)[:, None] / (k + 1)
        self.ego_users = xs[0][users].astype(np.float32)
        self.item_history_vectors = (np.sum(xs[:k], axis=0)[items] * scale).astype(np.float32)
        self._set_vectors(final[users], final[items])

    def _user_vector(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        k = int(self.hyper["layers"])
        ego = self.ego_users[user_row] / (k + 1) if user_row is not None else 0.0
        weights = self._weights(history, new)
        terms = (weights[:, None] * self.item_history_vectors[history]).sum(0)
        return (ego + terms / np.sqrt(max(len(history), 1))).astype(np.float32)

    def _weights(self, history: np.ndarray, new: np.ndarray) -> np.ndarray:
        """1 per trained interaction, `feedback_weight` per folded-in one (recent intent)."""
        return np.where(np.isin(history, new), float(self.hyper["feedback_weight"]), 1.0)

    def _contributions(
        self, user_row: int | None, history: np.ndarray, item_row: int, new: np.ndarray
    ) -> np.ndarray:
        terms = self.item_history_vectors[history] @ self.item_vectors[item_row]
        return self._weights(history, new) * terms / np.sqrt(max(len(history), 1))

    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            **super()._arrays(),
            "ego_users": self.ego_users,
            "item_history_vectors": self.item_history_vectors,
        }

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        super()._restore(arrays)
        self.ego_users = arrays["ego_users"]
        self.item_history_vectors = arrays["item_history_vectors"]
