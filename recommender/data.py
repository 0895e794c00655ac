"""Interaction data as the recommenders see them: sparse user x item matrices
with train / validation / test parts, built from the catalog store.

Every interaction kind (view, cart, purchase, rating) counts as one implicit
positive; repeats collapse into one. Split policy, decided once here:
- a catalog with a fixed benchmark split keeps it (train / valid / test);
- a catalog with train and test but no valid (the LightGCN Gowalla split)
  monitors early stopping on test, as the LightGCN paper and its reference
  code do; `validation_split` records which one was used;
- a catalog with training data only (a real shop, the demo) gets a temporal
  leave-last-out split: per shopper with at least 3 distinct items, the newest
  item is test and the one before it is validation.
`seen` always holds every known interaction, for masking at serving time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from catalog.errors import InputError
from catalog.store import Store


class EmptyDatasetError(InputError):
    """A catalog without interactions cannot train a recommender."""


@dataclass(slots=True)
class InteractionData:
    user_ids: list[str]
    item_ids: list[str]
    train: sp.csr_matrix  # (n_users, n_items) float32 binary
    valid: sp.csr_matrix | None = None
    test: sp.csr_matrix | None = None
    seen: sp.csr_matrix | None = None  # every interaction, all splits
    fingerprint: str = ""
    validation_split: str = "valid"
    catalog: str = ""
    user_index: dict[str, int] = field(default_factory=dict)
    item_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.user_index = {u: i for i, u in enumerate(self.user_ids)}
        self.item_index = {p: i for i, p in enumerate(self.item_ids)}
        if self.seen is None:
            parts = [m for m in (self.train, self.valid, self.test) if m is not None]
            self.seen = _binary(sum(parts[1:], parts[0]))
        if not self.fingerprint:
            self.fingerprint = matrix_fingerprint(self.train)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def validation(self) -> sp.csr_matrix | None:
        """The matrix early stopping watches."""
        return self.valid if self.validation_split == "valid" else self.test

    def eval_mask(self, split: str) -> sp.csr_matrix:
        """Items to hide when ranking for `split`: train, plus valid when testing."""
        if split == "test" and self.valid is not None and self.validation_split == "valid":
            return _binary(self.train + self.valid)
        return self.train

    @classmethod
    def from_pairs(
        cls,
        users: np.ndarray,
        items: np.ndarray,
        n_users: int,
        n_items: int,
        *,
        valid: tuple[np.ndarray, np.ndarray] | None = None,
        test: tuple[np.ndarray, np.ndarray] | None = None,
        user_ids: list[str] | None = None,
        item_ids: list[str] | None = None,
    ) -> InteractionData:
        """Build from index arrays (synthetic data, tests, benchmarks)."""
        shape = (n_users, n_items)

        def build(pair: tuple[np.ndarray, np.ndarray] | None) -> sp.csr_matrix | None:
            return None if pair is None else _matrix(pair[0], pair[1], shape)

        test_m = build(test)
        valid_m = build(valid)
        return cls(
            user_ids=user_ids or [f"u{i}" for i in range(n_users)],
            item_ids=item_ids or [f"i{i}" for i in range(n_items)],
            train=_matrix(users, items, shape),
            valid=valid_m,
            test=test_m,
            validation_split="valid" if valid_m is not None else "test",
        )


def load_interactions(store: Store, catalog: str) -> InteractionData:
    """A catalog's interactions with the split policy of this module."""
    arrays = store.interaction_arrays(catalog)
    if len(arrays.users) == 0:
        raise EmptyDatasetError(
            f"catalog {catalog!r} has no interactions: a recommender needs shoppers'"
            " views, purchases or ratings; ingest a data set that has them"
        )
    shape = (len(arrays.shopper_ids), len(arrays.product_ids))
    splits = set(np.unique(arrays.splits).tolist())
    users, items = arrays.users, arrays.items
    if splits == {"train"}:
        train, valid, test = _temporal_split(users, items, arrays.timestamps, arrays.seq, shape)
        policy = "valid"
    else:
        part = {s: arrays.splits == s for s in ("train", "valid", "test")}
        train = _matrix(users[part["train"]], items[part["train"]], shape)
        valid = (
            _matrix(users[part["valid"]], items[part["valid"]], shape)
            if "valid" in splits
            else None
        )
        test = (
            _matrix(users[part["test"]], items[part["test"]], shape) if "test" in splits else None
        )
        policy = "valid" if valid is not None else "test"
    if train.nnz == 0:
        raise EmptyDatasetError(f"catalog {catalog!r} has no training interactions")
    digest = hashlib.sha256((store.fingerprint(catalog) or "").encode())
    digest.update(matrix_fingerprint(train).encode())
    return InteractionData(
        user_ids=arrays.shopper_ids,
        item_ids=arrays.product_ids,
        train=train,
        valid=valid,
        test=test,
        seen=_matrix(users, items, shape),
        fingerprint=digest.hexdigest()[:16],
        validation_split=policy,
        catalog=catalog,
    )


def matrix_fingerprint(m: sp.csr_matrix) -> str:
    digest = hashlib.sha256(np.asarray(m.shape, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(m.indptr, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(m.indices, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


def _matrix(users: np.ndarray, items: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    data = np.ones(len(users), dtype=np.float32)
    return _binary(sp.csr_matrix((data, (users, items)), shape=shape))


def _binary(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32)
    m.sum_duplicates()
    m.data[:] = 1.0
    m.eliminate_zeros()
    m.sort_indices()
    return m


def _temporal_split(
    users: np.ndarray,
    items: np.ndarray,
    timestamps: np.ndarray,
    seq: np.ndarray,
    shape: tuple[int, int],
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Leave-newest-out by first occurrence of each (user, item)."""
    order = np.lexsort((seq, timestamps, users))
    u, i = users[order], items[order]
    keys = u * shape[1] + i
    _, first = np.unique(keys, return_index=True)
    first.sort()  # distinct pairs in (user, time) order
    u, i = u[first], i[first]
    counts = np.bincount(u, minlength=shape[0])
    ends = np.cumsum(counts)  # one past each user's last pair
    eligible = np.flatnonzero(counts >= 3)
    test_pos = ends[eligible] - 1
    valid_pos = ends[eligible] - 2
    train_mask = np.ones(len(u), dtype=bool)
    train_mask[test_pos] = False
    train_mask[valid_pos] = False
    return (
        _matrix(u[train_mask], i[train_mask], shape),
        _matrix(u[valid_pos], i[valid_pos], shape),
        _matrix(u[test_pos], i[test_pos], shape),
    )
