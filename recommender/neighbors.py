"""The non-parametric models: most-popular and item-kNN (cosine on the
user x item interaction matrix).

ItemKNN keeps the `neighbors` most similar items of every item. A user's
score for item j is the sum over their items i of sim(i, j), so both the
explanation (each history item's term) and fold-in (add rows) are exact.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from recommender.core import ScoringRecommender
from recommender.data import InteractionData


class Popularity(ScoringRecommender):
    """Everyone gets the most interacted-with items; the floor every model must beat."""

    name: ClassVar[str] = "popularity"
    defaults: ClassVar[dict[str, Any]] = {"near_duplicate": 0.9}

    def _fit(self, data: InteractionData, **options: Any) -> None:
        pass  # the counts are set with the data

    def _scores_known(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.popularity, (len(rows), 1))

    def _scores_history(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        return self.popularity.copy()

    def _item_similarity(self, item_row: int) -> np.ndarray:
        norms = np.sqrt(self.popularity * self.popularity[item_row])
        return self._overlap(item_row) / np.maximum(norms, 1e-12)

    def _contributions(
        self, user_row: int | None, history: np.ndarray, item_row: int, new: np.ndarray
    ) -> np.ndarray:
        return np.zeros(len(history), dtype=np.float32)  # the user's items play no part

    def _arrays(self) -> dict[str, np.ndarray]:
        return {}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        pass


class ItemKNN(ScoringRecommender):
    """Item-based collaborative filtering with cosine similarity."""

    name: ClassVar[str] = "itemknn"
    defaults: ClassVar[dict[str, Any]] = {"neighbors": 200, "near_duplicate": 0.9}

    similarity: sp.csr_matrix  # (n_items, n_items) float32, top neighbours per row

    def _fit(self, data: InteractionData, **options: Any) -> None:
        x = sp.csr_matrix(data.train, dtype=np.float32)
        norms = np.sqrt(np.asarray(x.sum(0)).ravel())
        inv = sp.diags(np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0).astype(np.float32))
        sim = (inv @ (x.T @ x) @ inv).tocsr()
        sim.setdiag(0)
        sim.eliminate_zeros()
        self.similarity = _top_per_row(sim, int(self.hyper["neighbors"]))

    def _scores_known(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray((self.train[rows] @ self.similarity).todense(), dtype=np.float32)

    def _scores_history(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        return np.asarray(self.similarity[history].sum(0), dtype=np.float32).ravel()

    def _item_similarity(self, item_row: int) -> np.ndarray:
        return np.asarray(self.similarity[item_row].todense(), dtype=np.float32).ravel()

    def _contributions(
        self, user_row: int | None, history: np.ndarray, item_row: int, new: np.ndarray
    ) -> np.ndarray:
        return np.asarray(self.similarity[history][:, item_row].todense(), dtype=np.float32).ravel()

    def _arrays(self) -> dict[str, np.ndarray]:
        s = self.similarity
        return {"sim_data": s.data, "sim_indices": s.indices, "sim_indptr": s.indptr}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        n = self.n_items
        self.similarity = sp.csr_matrix(
            (arrays["sim_data"], arrays["sim_indices"], arrays["sim_indptr"]), shape=(n, n)
        )


def _top_per_row(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of every row (vectorised over rows)."""
    m = m.tocsr()
    lengths = np.diff(m.indptr)
    if lengths.max(initial=0) <= k:
        return m.astype(np.float32)
    rows = np.repeat(np.arange(m.shape[0]), lengths)
    order = np.lexsort((-m.data, rows))  # by row, then descending value
    rank = np.arange(len(order)) - np.repeat(m.indptr[:-1], lengths)
    keep = order[rank < k]
    out = sp.csr_matrix(
        (m.data[keep], (rows[keep], m.indices[keep])), shape=m.shape, dtype=np.float32
    )
    out.sort_indices()
    return out
