"""Synthetic interaction data with known answers, shared by the recommender tests.

`clustered()`: users and items fall into clusters; each user interacts only
with items of their cluster, so a model that learns anything recommends
in-cluster items. Items of a cluster come in near-duplicate pairs (2k, 2k+1)
bought by exactly the same users. `known_answer()`: a graph where one history
item (A) is what connects the user to the candidate (X).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from catalog.filters import ProductTable
from catalog.models import Product
from recommender.data import InteractionData

N_CLUSTERS, USERS_PER_CLUSTER, ITEMS_PER_CLUSTER, PER_USER = 4, 40, 20, 8

# Small, fast settings per model for the synthetic data.
FAST: dict[str, dict[str, Any]] = {
    "popularity": {},
    "itemknn": {"neighbors": 50},
    "bprmf": {
        "dim": 16,
        "lr": 0.05,
        "reg": 0.01,
        "batch_size": 256,
        "epochs": 30,
        "device": "cpu",
        "eval_every": 5,
    },
    "lightgcn": {
        "dim": 16,
        "lr": 0.05,
        "batch_size": 256,
        "epochs": 15,
        "device": "cpu",
        "eval_every": 5,
    },
    "als": {"factors": 8, "iterations": 15, "regularization": 1.0, "alpha": 10.0},
    "gfcf": {"factors": 8, "neighbors": 40, "device": "cpu"},
    "bspm": {"factors": 8, "neighbors": 40, "device": "cpu"},
}


def cluster_of_item(item: int) -> int:
    return item // ITEMS_PER_CLUSTER


def clustered(seed: int = 0) -> InteractionData:
    rng = np.random.default_rng(seed)
    users, items, test_u, test_i = [], [], [], []
    for u in range(N_CLUSTERS * USERS_PER_CLUSTER):
        c = u % N_CLUSTERS
        pairs = rng.choice(ITEMS_PER_CLUSTER // 2, PER_USER // 2, replace=False)
        chosen = np.concatenate([2 * pairs, 2 * pairs + 1]) + c * ITEMS_PER_CLUSTER
        held = [chosen[PER_USER // 2 - 1], chosen[-1]]  # the last pair, both twins
        kept = [i for i in chosen.tolist() if i not in held]
        users += [u] * len(kept)
        items += kept
        test_u += [u, u]
        test_i += held
    n_users, n_items = N_CLUSTERS * USERS_PER_CLUSTER, N_CLUSTERS * ITEMS_PER_CLUSTER
    return InteractionData.from_pairs(
        np.array(users),
        np.array(items),
        n_users,
        n_items,
        test=(np.array(test_u), np.array(test_i)),
    )


def product_table(data: InteractionData) -> ProductTable:
    """Products i0..iN with price = item index and category = its cluster."""
    return ProductTable(
        [
            Product(id=pid, title=pid, price=float(n), categories=[f"cluster{cluster_of_item(n)}"])
            for n, pid in enumerate(data.item_ids)
        ]
    )


def known_answer() -> InteractionData:
    """Item 0 = A (co-bought with X by many), items 1-3 = B* (never with X), item 4 = X."""
    users, items = [], []
    rng = np.random.default_rng(1)
    for u in range(30):  # A + X + filler from 10..19
        users += [u, u, u]
        items += [0, 4, 10 + int(rng.integers(10))]
    for u in range(30, 60):  # B1..B3 + filler from 20..29, never X
        users += [u] * 4
        items += [1, 2, 3, 20 + int(rng.integers(10))]
    users += [60] * 4  # the target user: A, B1, B2, B3
    items += [0, 1, 2, 3]
    return InteractionData.from_pairs(np.array(users), np.array(items), 61, 30)
