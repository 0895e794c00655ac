"""The generated demo shop: deterministic, coherent, and with real signal."""

from __future__ import annotations

import re
from collections import Counter

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


def test_a_trained_model_beats_popularity(demo_store, tmp_path):
    """The project's own item-kNN, trained on the demo shop's split, must clearly beat
    popularity on the held-out test interactions (full ranking)."""
    from recommender.training import train_model

    test = {
        name: train_model(demo_store, "demo", tmp_path, name, activate=False, save=False).metrics[
            "test"
        ]
        for name in ("popularity", "itemknn")
    }
    knn, pop = test["itemknn"]["hit_rate@10"], test["popularity"]["hit_rate@10"]
    assert knn > 2 * pop and knn > 0.05, (knn, pop)
