"""The generated demo shop: deterministic, coherent, and with real signal."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from catalog.demo import DemoConfig, generate, load_vocab
from catalog.ingest import build_demo


def test_generation_is_deterministic():
    a, b = (
        generate(DemoConfig(seed=3, products=240, shoppers=80)),
        generate(DemoConfig(seed=3, products=240, shoppers=80)),
    )
    assert [p.title for p in a.products] == [p.title for p in b.products]
    assert [(i.shopper_id, i.product_id, i.kind, i.timestamp) for i in a.interactions] == [
        (i.shopper_id, i.product_id, i.kind, i.timestamp) for i in b.interactions
    ]
    c = generate(DemoConfig(seed=4, products=240, shoppers=80))
    assert [p.title for p in a.products] != [p.title for p in c.products]


def test_default_demo_shape_and_coherence(store):
    report = build_demo(store)
    stats = store.stats("demo")
    assert stats["products"] == 2000 and stats["shoppers"] == 1000
    assert stats["interactions"] > 40_000 and stats["reviews"] > 3_000
    assert set(stats["interactions_by_kind"]) == {"view", "cart", "purchase", "rating"}
    assert report.malformed_count == 0 and not report.dropped
    products = store.products("demo")
    vocab = load_vocab()
    assert Counter(p.categories[-1] for p in products).keys() == {
        c["path"][-1] for c in vocab["categories"]
    }
    for p in products:
        assert p.brand in vocab["brands"] and p.title.startswith(p.brand)
        assert p.brand in p.description and p.price and 5 <= p.price < 1000
        assert re.search(r"[\u4e00-\u9fff]", p.title_i18n["zh"])  # Chinese title
        color = p.attributes.get("color")
        if color:
            assert color in p.description
    zh_reviews = [
        r for r in store.reviews("demo", limit=10_000) if re.search(r"[\u4e00-\u9fff]", r.text)
    ]
    assert zh_reviews  # some shoppers write in Chinese
    assert build_demo(store).unchanged  # built once


def _hit_rate(scores: np.ndarray, seen: list[set[int]], targets: np.ndarray, k: int = 10) -> float:
    hits = 0
    for u, target in enumerate(targets):
        row = scores[u].copy()
        row[list(seen[u])] = -np.inf
        hits += int(target in np.argpartition(-row, k)[:k])
    return hits / len(targets)


def test_a_trained_model_beats_popularity(store):
    """Hold out each shopper's newest item; item-kNN must clearly beat popularity."""
    build_demo(store)
    arrays = store.interaction_arrays("demo")
    n_users, n_items = len(arrays.shopper_ids), len(arrays.product_ids)
    first_seen: dict[tuple[int, int], int] = {}
    for u, i, ts in zip(
        arrays.users.tolist(), arrays.items.tolist(), arrays.timestamps.tolist(), strict=True
    ):
        first_seen[(u, i)] = min(ts, first_seen.get((u, i), ts))
    targets = np.full(n_users, -1)
    newest = np.full(n_users, -1)
    for (u, i), ts in first_seen.items():
        if ts > newest[u]:
            newest[u], targets[u] = ts, i
    train = np.zeros((n_users, n_items), dtype=np.float32)
    for u, i in first_seen:
        if i != targets[u]:
            train[u, i] = 1.0
    seen = [set(np.flatnonzero(train[u])) for u in range(n_users)]

    popularity = np.tile(train.sum(0), (n_users, 1))
    norms = np.linalg.norm(train, axis=0) + 1e-9
    similarity = (train.T @ train) / np.outer(norms, norms)
    np.fill_diagonal(similarity, 0)
    knn = train @ similarity

    pop_hr = _hit_rate(popularity, seen, targets)
    knn_hr = _hit_rate(knn, seen, targets)
    assert knn_hr > 2 * pop_hr and knn_hr > 0.05, (knn_hr, pop_hr)
