"""What every concrete recommender shares: id mapping, masking of seen items,
hard filters, cold start, fold-in feedback, evidence gathering and storage.

A model only supplies scores (for trained users and for an arbitrary item
history), an item-item similarity, the decomposition of one score over the
user's history, and its own arrays. Everything a shopper can observe is then
handled the same way for every model, which is what the contract tests check.

Fold-in feedback lives in memory (`ModelHandle` in `recommender.online`
replays it after a retrain); it is not part of the saved model.
"""

from __future__ import annotations

import json
import time
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse as sp
import torch

from catalog.errors import InputError, NotFoundError
from catalog.filters import ProductFilter, ProductTable
from recommender.base import (
    CoInteraction,
    Contribution,
    Explanation,
    GraphPath,
    Recommendation,
    Recommender,
)
from recommender.data import InteractionData

FORMAT_VERSION = 1
ARRAYS_FILE = "model.npz"
MANIFEST_FILE = "manifest.json"
MAX_EVIDENCE = 10
MAX_NEAR_DUPLICATES = 20


class UnknownItemError(NotFoundError):
    """An item id the model was not trained on."""


class NotFittedError(InputError):
    """A model used before `fit` or `load`."""


@dataclass(slots=True)
class Feedback:
    positives: list[int] = field(default_factory=list)  # item rows, oldest first
    negatives: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)  # negatives and their near duplicates


class ScoringRecommender(Recommender):
    """Base of the concrete models; see the module docstring."""

    name: ClassVar[str] = "base"
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, **hyperparameters: Any) -> None:
        unknown = set(hyperparameters) - set(self.defaults)
        if unknown:
            raise InputError(
                f"{self.name} has no hyperparameter {', '.join(sorted(unknown))};"
                f" known: {', '.join(sorted(self.defaults)) or 'none'}"
            )
        self.hyper: dict[str, Any] = {**self.defaults, **hyperparameters}
        self.metrics: dict[str, Any] = {}
        self.fingerprint = ""
        self.catalog = ""
        self.item_ids: list[str] = []
        self.user_ids: list[str] = []
        self._feedback: dict[str, Feedback] = {}
        self._table: ProductTable | None = None
        self._table_rows: np.ndarray | None = None
        self._fitted = False

    # -- model hooks -------------------------------------------------------------

    @abstractmethod
    def _fit(self, data: InteractionData, **options: Any) -> None: ...

    @abstractmethod
    def _scores_known(self, rows: np.ndarray) -> np.ndarray:
        """(b, n_items) float32 scores of trained users."""

    @abstractmethod
    def _scores_history(
        self, user_row: int | None, history: np.ndarray, new: np.ndarray
    ) -> np.ndarray:
        """(n_items,) scores of a user whose items are `history`; `new` were folded in."""

    @abstractmethod
    def _item_similarity(self, item_row: int) -> np.ndarray:
        """(n_items,) similarity of every item to `item_row` (cosine-like, <= 1)."""

    @abstractmethod
    def _contributions(
        self, user_row: int | None, history: np.ndarray, item_row: int, new: np.ndarray
    ) -> np.ndarray:
        """(len(history),) how much each history item adds to the score of `item_row`."""

    @abstractmethod
    def _arrays(self) -> dict[str, np.ndarray]: ...

    @abstractmethod
    def _restore(self, arrays: dict[str, np.ndarray]) -> None: ...

    # -- fitting -------------------------------------------------------------------

    def fit(self, data: InteractionData, **options: Any) -> Self:
        """Train on `data.train`; options are model-specific (progress, checkpoints)."""
        if data.train.nnz == 0:
            from recommender.data import EmptyDatasetError

            raise EmptyDatasetError("no training interactions to fit on")
        self._set_data(data.user_ids, data.item_ids, data.train, data.seen)
        self.fingerprint, self.catalog = data.fingerprint, data.catalog
        self._fit(data, **options)
        self._fitted = True
        return self

    def _set_data(
        self, user_ids: list[str], item_ids: list[str], train: sp.csr_matrix, seen: sp.csr_matrix
    ) -> None:
        self.user_ids, self.item_ids = list(user_ids), list(item_ids)
        self.user_index = {u: i for i, u in enumerate(self.user_ids)}
        self.item_index = {p: i for i, p in enumerate(self.item_ids)}
        self.train = sp.csr_matrix(train, dtype=np.float32)
        self.train_csc = self.train.tocsc()
        self.seen = sp.csr_matrix(seen, dtype=np.float32)
        self.popularity = np.asarray(self.train.sum(0)).ravel().astype(np.float32)  # (n_items,)
        order = np.lexsort((np.arange(len(self.popularity)), -self.popularity))
        self.popularity_rank = np.empty(len(order), dtype=np.int64)
        self.popularity_rank[order] = np.arange(1, len(order) + 1)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def score_users(self, rows: np.ndarray) -> np.ndarray:
        """(b, n_items) float32 scores of trained users by row (for evaluation)."""
        self._check_fitted()
        return self._scores_known(np.asarray(rows, dtype=np.int64))

    def set_product_table(self, table: ProductTable) -> None:
        """Attach the catalog's products so that `filters=` can be applied."""
        self._table = table
        self._table_rows = np.array([table.index.get(i, -1) for i in self.item_ids], np.int64)

    # -- lookups -------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise NotFittedError(f"the {self.name} model is not trained: call fit() or load()")

    def _item_row(self, item_id: str) -> int:
        row = self.item_index.get(item_id)
        if row is None:
            raise UnknownItemError(
                f"unknown item id {item_id!r}: the {self.name} model knows"
                f" {self.n_items:,} items of catalog {self.catalog!r}"
            )
        return row

    def _item_rows(self, item_ids: Sequence[str]) -> np.ndarray:
        if isinstance(item_ids, str):
            item_ids = [item_ids]
        return np.array([self._item_row(i) for i in item_ids], dtype=np.int64)

    def _history(self, user_row: int | None, feedback: Feedback | None) -> np.ndarray:
        parts = []
        if user_row is not None:
            parts.append(
                self.train.indices[self.train.indptr[user_row] : self.train.indptr[user_row + 1]]
            )
        if feedback is not None:
            parts.append(np.asarray(feedback.positives, dtype=np.int64))
        if not parts:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(parts)).astype(np.int64)

    # -- recommend -------------------------------------------------------------------

    def recommend(
        self,
        user_ids: str | Sequence[str],
        k: int = 10,
        exclude_seen: bool = True,
        candidates: Sequence[str] | None = None,
        filters: ProductFilter | None = None,
    ) -> Recommendation | list[Recommendation]:
        self._check_fitted()
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        single = isinstance(user_ids, str)
        ids = [user_ids] if single else [str(u) for u in user_ids]
        allowed = self._allowed(candidates, filters)
        out = []
        for uid in ids:
            urow = self.user_index.get(uid)
            scores, cold = self._user_scores(uid, urow)
            keep = allowed & ~self._excluded(uid, urow, exclude_seen)
            items, values = _top(scores, keep, k)
            out.append(Recommendation(uid, [self.item_ids[i] for i in items], values, cold))
        return out[0] if single else out

    def _user_scores(self, uid: str, urow: int | None) -> tuple[np.ndarray, bool]:
        """One user's (n_items,) scores, computed the same way alone or in a batch."""
        fb = self._feedback.get(uid)
        if fb is not None and fb.positives:
            new = np.asarray(fb.positives, dtype=np.int64)
            return self._scores_history(urow, self._history(urow, fb), new), False
        if urow is not None and self.train.indptr[urow + 1] > self.train.indptr[urow]:
            return self._scores_known(np.array([urow]))[0], False
        return self.popularity.copy(), True  # cold start: popular within the filters

    def _allowed(
        self, candidates: Sequence[str] | None, filters: ProductFilter | None
    ) -> np.ndarray:
        allowed = np.ones(self.n_items, dtype=bool)
        if candidates is not None:
            allowed[:] = False
            allowed[self._item_rows(candidates)] = True
        if filters is not None and not filters.is_empty():
            if self._table is None or self._table_rows is None:
                raise InputError(
                    "filters need the catalog's products: call set_product_table() or load"
                    " the model with recommender.registry.load_active()"
                )
            passes = self._table.mask(filters)
            rows = self._table_rows
            allowed &= np.where(rows >= 0, passes[np.maximum(rows, 0)], False)
        return allowed

    def _excluded(self, uid: str, urow: int | None, exclude_seen: bool) -> np.ndarray:
        out = np.zeros(self.n_items, dtype=bool)
        fb = self._feedback.get(uid)
        if exclude_seen and urow is not None:
            out[self.seen.indices[self.seen.indptr[urow] : self.seen.indptr[urow + 1]]] = True
        if fb is not None:
            if exclude_seen:
                out[fb.positives] = True
            out[list(fb.blocked)] = True
        return out

    # -- similar items, fold-in ----------------------------------------------------------

    def similar_items(
        self, item_id: str, k: int = 10, filters: ProductFilter | None = None
    ) -> tuple[list[str], np.ndarray]:
        self._check_fitted()
        row = self._item_row(item_id)
        keep = self._allowed(None, filters)
        keep[row] = False
        items, values = _top(self._item_similarity(row).astype(np.float32), keep, k)
        return [self.item_ids[i] for i in items], values

    def near_duplicates(self, item_row: int) -> np.ndarray:
        """Rows of items practically the same product as `item_row`: bought by nearly the
        same shoppers (interaction cosine >= `near_duplicate`, at least two in common)."""
        overlap = self._overlap(item_row)
        cosine = overlap / np.maximum(np.sqrt(self.popularity * self.popularity[item_row]), 1e-12)
        close = np.flatnonzero(
            (cosine >= float(self.hyper.get("near_duplicate", 0.9))) & (overlap >= 2)
        )
        close = close[np.argsort(-cosine[close], kind="stable")][: MAX_NEAR_DUPLICATES + 1]
        return close[close != item_row].astype(np.int64)

    def _overlap(self, item_row: int) -> np.ndarray:
        """(n_items,) how many training shoppers each item shares with `item_row`."""
        csc = self.train_csc
        x = np.zeros(self.train.shape[0], dtype=np.float32)
        x[csc.indices[csc.indptr[item_row] : csc.indptr[item_row + 1]]] = 1.0
        return np.asarray(csc.T @ x).ravel()

    def fold_in(
        self, user_id: str, positive: Sequence[str] = (), negative: Sequence[str] = ()
    ) -> None:
        self._check_fitted()
        pos, neg = self._item_rows(list(positive)), self._item_rows(list(negative))
        fb = self._feedback.setdefault(str(user_id), Feedback())
        for row in neg.tolist():
            fb.negatives.add(row)
            fb.blocked.add(row)
            fb.blocked.update(self.near_duplicates(row).tolist())
        fb.positives = [r for r in fb.positives if r not in fb.negatives]
        fb.positives.extend(
            r for r in pos.tolist() if r not in fb.negatives and r not in fb.positives
        )

    def forget_feedback(self, user_id: str) -> None:
        self._feedback.pop(user_id, None)

    def forget_user(self, user_id: str) -> None:
        """Drop a user's feedback and their trained history: from now on they are a new
        (cold-start) user. Their past still shapes the item embeddings until a retrain."""
        self.forget_feedback(user_id)
        self.user_index.pop(user_id, None)

    # -- explain ---------------------------------------------------------------------------

    def explain(self, user_id: str, item_id: str) -> Explanation:
        self._check_fitted()
        item_row = self._item_row(item_id)
        urow = self.user_index.get(user_id)
        fb = self._feedback.get(user_id)
        history = self._history(urow, fb)
        exp = Explanation(
            user_id=user_id,
            item_id=item_id,
            model=self.name,
            score=0.0,
            popularity_rank=int(self.popularity_rank[item_row]),
            n_items=self.n_items,
            item_interactions=int(self.popularity[item_row]),
        )
        scores, cold = self._user_scores(user_id, urow)
        exp.score, exp.cold_start = float(scores[item_row]), cold
        if cold or len(history) == 0:
            return exp
        new = np.asarray(fb.positives if fb else [], dtype=np.int64)
        weights = self._contributions(urow, history, item_row, new)
        exp.contributions = _contributions(history, weights, self.item_ids)
        exp.co_interactions, exp.paths = self._co_evidence(urow, history, item_row)
        return exp

    def _co_evidence(
        self, urow: int | None, history: np.ndarray, item_row: int
    ) -> tuple[list[CoInteraction], list[GraphPath]]:
        """Other shoppers who had a history item and the candidate (from training data)."""
        csc = self.train_csc
        buyers = csc.indices[csc.indptr[item_row] : csc.indptr[item_row + 1]]
        if urow is not None:
            buyers = buyers[buyers != urow]
        x = np.zeros(self.train.shape[0], dtype=np.float32)
        x[buyers] = 1.0
        counts = np.asarray(csc[:, history].T @ x).ravel().astype(np.int64)  # (len(history),)
        order = [i for i in np.argsort(-counts, kind="stable") if counts[i] > 0][:MAX_EVIDENCE]
        item_id = self.item_ids[item_row]
        co, paths = [], []
        for i in order:
            h = int(history[i])
            co.append(CoInteraction(self.item_ids[h], item_id, int(counts[i])))
            if len(paths) < 3:
                via = np.intersect1d(csc.indices[csc.indptr[h] : csc.indptr[h + 1]], buyers)
                paths.append(
                    GraphPath(self.item_ids[h], [self.user_ids[u] for u in via[:5]], int(counts[i]))
                )
        return co, paths

    # -- storage ---------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {
            "item_ids": np.array(self.item_ids, dtype=str),
            "user_ids": np.array(self.user_ids, dtype=str),
            **_csr_arrays("train", self.train),
            **_csr_arrays("seen", self.seen),
            **{f"m_{k}": v for k, v in self._arrays().items()},
        }
        np.savez(directory / ARRAYS_FILE, **arrays)
        manifest = {
            "model": self.name,
            "format_version": FORMAT_VERSION,
            "hyperparameters": self.hyper,
            "fingerprint": self.fingerprint,
            "catalog": self.catalog,
            "metrics": self.metrics,
            "n_users": len(self.user_ids),
            "n_items": self.n_items,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")

    @classmethod
    def load(cls, directory: Path) -> Self:
        directory = Path(directory)
        manifest = read_manifest(directory)
        if manifest["model"] != cls.name:
            raise InputError(f"{directory} holds a {manifest['model']} model, not {cls.name}")
        model = cls(**manifest["hyperparameters"])
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        shape = (int(manifest["n_users"]), int(manifest["n_items"]))
        model._set_data(
            arrays["user_ids"].tolist(),
            arrays["item_ids"].tolist(),
            _csr_from(arrays, "train", shape),
            _csr_from(arrays, "seen", shape),
        )
        model._restore({k[2:]: v for k, v in arrays.items() if k.startswith("m_")})
        model.metrics, model.fingerprint = manifest.get("metrics", {}), manifest["fingerprint"]
        model.catalog = manifest.get("catalog", "")
        model._fitted = True
        return model


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file() or not (Path(directory) / ARRAYS_FILE).is_file():
        raise NotFoundError(
            f"no saved model in {directory} (expected {MANIFEST_FILE} + {ARRAYS_FILE})"
        )
    manifest = json.loads(path.read_text("utf-8"))
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise InputError(f"{directory} was saved by a newer shopassist; upgrade to load it")
    return manifest


def _top(scores: np.ndarray, keep: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best `k` allowed items, by score then by row (deterministic ties)."""
    k = min(k, int(keep.sum()))
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    masked = torch.from_numpy(np.where(keep, scores, -np.inf).astype(np.float32, copy=False))
    values, rows = (t.numpy() for t in torch.topk(masked, k))  # far faster than a sort
    order = np.lexsort((rows, -values))
    return rows[order].astype(np.int64), values[order]


def _contributions(
    history: np.ndarray, weights: np.ndarray, item_ids: list[str]
) -> list[Contribution]:
    positive = float(weights[weights > 0].sum()) or 1.0
    order = [i for i in np.lexsort((history, -weights)) if weights[i] != 0][:MAX_EVIDENCE]
    return [
        Contribution(
            item_ids[int(history[i])], float(weights[i]), max(float(weights[i]), 0.0) / positive
        )
        for i in order
    ]


def _csr_arrays(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_indptr": m.indptr.astype(np.int64),
        f"{prefix}_indices": m.indices.astype(np.int32),
    }


def _csr_from(arrays: dict[str, np.ndarray], prefix: str, shape: tuple[int, int]) -> sp.csr_matrix:
    indices = arrays[f"{prefix}_indices"]
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, arrays[f"{prefix}_indptr"]), shape=shape)
