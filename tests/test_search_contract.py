"""The search index contract, run against the embedded Chroma and a real Chroma server.

Every test here runs twice: once with a `PersistentClient` in the data dir and once
against `chroma run` started for this module, through the same code paths.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from catalog.filters import ProductFilter
from catalog.ingest import build_demo
from catalog.models import RawDataset
from catalog.report import ValidationReport
from tests.search_support import SMALL_DEMO, small_demo_store, start_chroma_server
from vectorstore.documents import FIELDS
from vectorstore.embeddings import UseEmbedder
from vectorstore.errors import IndexMissingError, IndexStaleError
from vectorstore.index import build_index, open_index
from vectorstore.text import query_segments

QUERIES = [
    "waterproof hiking boots",
    "wireless headphones",
    "espresso",
    "laptop backpack",
    "yoga mat",
    "蓝牙耳机",
    "咖啡机",
    "running shoes for trail",
    "chef knife",
    "",
]


@pytest.fixture(scope="module")
def embedder() -> UseEmbedder:
    return UseEmbedder()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory) -> str:
    proc, url = start_chroma_server(tmp_path_factory.mktemp("chroma-server") / "data")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module", params=["embedded", "server"])
def env(request, tmp_path_factory, embedder):
    """(home, store, url, index) with the small demo catalog indexed."""
    url = request.getfixturevalue("chroma_url") if request.param == "server" else None
    home = tmp_path_factory.mktemp(f"search-{request.param}")
    store = small_demo_store(home)
    report = build_index(store, "demo", home, embedder, url=url, progress=False)
    assert report.products == SMALL_DEMO.products
    index = open_index(home, store, "demo", embedder, url=url)
    yield home, store, url, index
    store.close()


def test_hits_are_structured_and_ranked(env):
    _, store, _, index = env
    ids = {p.id for p in store.products("demo")}
    hits = index.search("waterproof hiking boots", k=10)
    assert len(hits) == 10
    assert [h.rank for h in hits] == list(range(1, 11))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for h in hits:
        assert h.product_id in ids
        assert h.snippet and h.snippet_field in FIELDS
        assert h.matched_fields and set(h.matched_fields) <= set(FIELDS)
    top = store.product("demo", hits[0].product_id)
    assert top.category == "Hiking Boots"
    assert "waterproof" in hits[0].snippet.lower()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_english_query_finds_its_category(env, mode):
    _, store, _, index = env
    hits = index.search("espresso machine", k=5, mode=mode)
    products = store.products("demo", [h.product_id for h in hits])
    assert len(products) == 5
    assert all(p.category == "Coffee Makers" for p in products)


@pytest.mark.parametrize(
    ("query", "category"),
    [
        ("蓝牙耳机", "Headphones"),
        ("防水登山靴", "Hiking Boots"),
        ("意式咖啡机", "Coffee Makers"),
        ("双肩包", "Backpacks"),
        ("给我推荐一款200元以内的降噪耳机", "Headphones"),
    ],
)
def test_chinese_query_finds_its_category(env, query, category):
    _, store, _, index = env
    hits = index.search(query, k=5)
    products = store.products("demo", [h.product_id for h in hits])
    assert [p.category for p in products] == [category] * 5


def test_filters_are_exact_over_many_random_filters(env):
    _, store, _, index = env
    products = store.products("demo")
    brands = sorted({p.brand for p in products})
    categories = sorted({c for p in products for c in p.categories})
    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(120):
        low = float(rng.uniform(0, 150))
        f = ProductFilter(
            min_price=low if rng.random() < 0.5 else None,
            max_price=low + float(rng.uniform(10, 200)) if rng.random() < 0.7 else None,
            categories=list(rng.choice(categories, size=int(rng.integers(0, 3)), replace=False)),
            brands=list(rng.choice(brands, size=int(rng.integers(0, 3)), replace=False)),
            exclude_brands=[str(rng.choice(brands))] if rng.random() < 0.3 else [],
            min_rating=float(rng.uniform(1, 5)) if rng.random() < 0.2 else None,
            in_stock_only=bool(rng.random() < 0.3),
        )
        allowed = {p.id for p in products if f.matches(p)}
        mode = ("hybrid", "dense", "bm25")[trial % 3]
        hits = index.search(QUERIES[trial % len(QUERIES)], k=10, filters=f, mode=mode)
        assert {h.product_id for h in hits} <= allowed, f
        if mode != "bm25":  # BM25 returns only products sharing a word with the query
            assert len(hits) == min(10, len(allowed)), f
        checked += len(hits)
    assert checked > 300  # the filters were not all empty


def test_empty_query_returns_popular_items_within_filters(env):
    _, store, _, index = env
    f = ProductFilter(categories=["Footwear"], max_price=150)
    hits = index.search("   ", k=8, filters=f)
    assert len(hits) == 8 and all(h.source == "popular" for h in hits)
    products = {p.id: p for p in store.products("demo", [h.product_id for h in hits])}
    assert all(f.matches(p) for p in products.values())
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_huge_and_control_character_queries_are_cleaned(env):
    _, store, _, index = env
    long_query = "waterproof hiking boots " * 420  # about 10,000 characters
    assert len(index.search(long_query, k=5)) == 5
    hits = index.search("coffee\x00\x07 maker\u200b\r\n\t" + "\x1b[31m", k=3)
    assert len(hits) == 3
    assert store.product("demo", hits[0].product_id).category == "Coffee Makers"
    assert index.search("\x00\x01\x02", k=3)[0].source == "popular"  # nothing left: popular


def test_missing_index_and_deleted_collection_say_what_to_run(env, embedder, tmp_path):
    home, store, url, _ = env
    with pytest.raises(IndexMissingError, match="shopassist index --dataset demo"):
        open_index(tmp_path, store, "demo", embedder, url=url)
    build_demo(store, SMALL_DEMO, name="gone")
    build_index(store, "gone", home, embedder, url=url, progress=False)
    from vectorstore.chroma import make_client

    make_client(home / "index" / "chroma", url).delete_collection("shopassist-gone-use-m3")
    with pytest.raises(IndexMissingError, match="shopassist index --dataset gone"):
        open_index(home, store, "gone", embedder, url=url)
    index = open_index(home, store, "gone", embedder, url=url, auto_build=True)
    assert len(index.search("yoga mat", k=3)) == 3


def test_incremental_index_reembeds_only_changed_products(env):
    home, store, url, _ = env
    embedder = UseEmbedder(cache_size=0)  # count what reaches the model, not cache hits
    build_demo(store, SMALL_DEMO, name="inc")
    first = build_index(store, "inc", home, embedder, url=url, progress=False)
    assert first.encoded == first.added == first.chunks == embedder.encoded_texts
    again = build_index(store, "inc", home, embedder, url=url, progress=False)
    assert again.encoded == 0 and again.unchanged == again.chunks
    products = store.products("inc")
    products[0] = replace(products[0], title="Quantum Llama thermos flask")  # text changes
    products[1] = replace(products[1], price=1.23)  # only metadata changes
    del products[2]
    report = ValidationReport(catalog="inc", format="demo", fingerprint="edited")
    store.replace_catalog("inc", RawDataset(products=products), report)
    with pytest.raises(IndexStaleError, match="shopassist index --dataset inc"):
        open_index(home, store, "inc", embedder, url=url)
    counted = embedder.encoded_texts
    changed = build_index(store, "inc", home, embedder, url=url, progress=False)
    assert changed.encoded == 1 == embedder.encoded_texts - counted  # only the new head chunk
    assert (changed.updated_text, changed.updated_metadata) == (1, 2)  # repriced: 2 chunks
    assert changed.deleted == 2  # the removed product's head and Chinese-title chunks
    hits = open_index(home, store, "inc", embedder, url=url).search("llama thermos", k=1)
    assert hits[0].product_id == products[0].id and "title" in hits[0].matched_fields


def test_chunk_texts_go_into_chroma_only_when_asked(env, embedder):
    home, store, url, _ = env
    from vectorstore.chroma import make_client

    build_demo(store, SMALL_DEMO, name="docs")
    client = make_client(home / "index" / "chroma", url)

    def stored() -> tuple[list, list]:
        got = client.get_collection("shopassist-docs-use-m3").get(
            include=["documents", "metadatas"]
        )
        return got["documents"], got["metadatas"]

    build_index(store, "docs", home, embedder, url=url, progress=False)
    texts, metas = stored()
    assert texts and all(not t for t in texts)  # by default the text stays in the catalog
    assert {"product_id", "offset", "price", "category", "brand", "in_stock"} <= set(metas[0])
    with_texts = {"url": url, "progress": False, "store_documents": True}
    report = build_index(store, "docs", home, embedder, **with_texts)
    texts, _ = stored()
    assert report.added == report.chunks  # switching the option rebuilds the collection
    assert all(texts) and any("Hiking Boots" in t for t in texts)
    again = build_index(store, "docs", home, embedder, **with_texts)
    assert again.unchanged == again.chunks and all(stored()[0])
    build_index(store, "docs", home, embedder, url=url, progress=False)
    assert all(not t for t in stored()[0])
    hits = open_index(home, store, "docs", embedder, url=url).search("yoga mat", k=3)
    assert store.product("docs", hits[0].product_id).category == "Yoga Mats"


def test_corrupted_files_give_a_clear_error(env, embedder):
    home, store, url, _ = env
    build_demo(store, SMALL_DEMO, name="broken")
    report = build_index(store, "broken", home, embedder, url=url, progress=False)
    manifest = Path(report.index_dir) / "manifest.json"
    good = manifest.read_text(encoding="utf-8")
    manifest.write_text(good[: len(good) // 2], encoding="utf-8")
    from vectorstore.errors import IndexCorruptError

    with pytest.raises(IndexCorruptError, match="shopassist index --dataset broken"):
        open_index(home, store, "broken", embedder, url=url)
    manifest.write_text(good, encoding="utf-8")
    for f in (Path(report.index_dir) / "bm25").iterdir():
        f.write_bytes(b"\x00garbage")
    with pytest.raises(IndexCorruptError):
        open_index(home, store, "broken", embedder, url=url)
    assert json.loads(good)["catalog"] == "broken"


def test_dense_share_shrinks_for_queries_longer_than_a_sentence(env):
    _, store, _, index = env
    titles = " ; ".join(p.title for p in store.products("demo")[:6])  # a pasted list
    assert index.dense_weight("waterproof hiking boots") == index.weight
    assert index.dense_weight("给我推荐一款200元以内的降噪耳机") == index.weight
    long_weight = index.dense_weight(titles)
    assert 0 < long_weight < index.weight
    assert index.dense_weight(titles + " " + titles) < long_weight
    hits = index.search(titles, k=5)  # a long query still ranks the listed products
    assert {h.product_id for h in hits} & {p.id for p in store.products("demo")[:6]}
    index.dense_query_words = 0  # the same weight at every length
    try:
        assert index.dense_weight(titles) == index.weight
    finally:
        index.dense_query_words = 16


def test_a_semicolon_list_matches_products_of_any_item(env):
    *_, index = env
    a, b = "espresso machine", "waterproof hiking boots"
    both = index.dense_scores(f"{a}; {b}")
    assert np.allclose(both, np.maximum(index.dense_scores(a), index.dense_scores(b)), atol=1e-4)
    # the best match of each item keeps its own score, which one vector for the
    # whole list (an average of both topics) would lower
    averaged = index._dense_scores(np.asarray(index.embedder.encode([f"{a}; {b}"])))
    for part in (a, b):
        best = int(np.argmax(index.dense_scores(part)))
        assert both[best] > averaged[best] + 0.05
    assert query_segments("耳机；充电宝") == ["耳机", "充电宝"]
    assert query_segments("a 4.5 inch phone. Budget 300") == ["a 4.5 inch phone. Budget 300"]
    assert query_segments("kettle; x") == ["kettle; x"]  # one real part: the query as it is


def test_a_products_relevance_does_not_depend_on_what_the_filters_let_through():
    """Weighted fusion scales BM25 by its best score in the whole catalog: among a
    filtered few, one stray word matched is still a weak match, not the best there is."""
    from vectorstore.ranking import fuse

    dense = np.array([0.2, 0.6, 0.1, 0.5], dtype=np.float32)
    lexical = np.array([10.0, 0.0, 1.0, 0.0], dtype=np.float32)  # row 0: the query's words
    everything = np.ones(4, dtype=bool)
    rows, scores = fuse(dense, lexical, everything, "weighted", 0.5)
    assert rows[0] == 0
    filtered = np.array([False, True, True, True])  # row 0 filtered out: a brand's three
    rows, scores = fuse(dense, lexical, filtered, "weighted", 0.5)
    assert list(rows) == [1, 3, 2]  # the stray match (row 2) stays behind the close meanings
    assert scores[2] == pytest.approx(0.5 * 0.1 + 0.5 * 1.0 / 10.0)


def test_a_query_word_the_index_lacks_counts_as_its_word_family():
    """ "magnifying glass" of titles that say "Magnifiers": the index strips plurals
    only, so "magnifying" counts as the index's words of its family (magnifier); a word
    with no family in the index still scores nothing, and known words are unchanged."""
    from vectorstore.ranking import Bm25Index
    from vectorstore.text import tokenize_bigram

    texts = [
        "Carson Pocket Magnifiers for Reading",
        "Borosilicate Glass Beaker 250 mL",
        "Digital Caliper with Calibration Certificate",
    ]
    index = Bm25Index.build(texts, tokenize_bigram)
    scores = index.scores(tokenize_bigram("magnifying glass"))
    assert scores[0] > 0 and scores[1] > 0 and scores[2] == 0
    assert index.scores(tokenize_bigram("calibrating"))[2] > 0
    assert not index.scores(tokenize_bigram("telescope")).any()
    known = index.scores(tokenize_bigram("glass"))
    assert known[1] > 0 and known[0] == 0


def test_a_request_in_parts_is_scored_by_its_weakest_part(env):
    """Said in several messages, a request scores each product in part on the whole
    query and in part on the part it meets least, so the products meeting every part
    lead."""
    from vectorstore.index import PART_SHARE

    _, store, _, index = env
    query, parts = "hiking boots black", ["hiking boots", "black"]
    hits = index.search(query, k=40, parts=parts)
    by_id = {p.id: p for p in store.products("demo")}
    for h in hits[:5]:
        title = by_id[h.product_id].title.casefold()
        assert "hiking boots" in title and "black" in title, title

    vectors, pairs = index.value_table()

    def weighted(text: str, weight: float, values: bool = True) -> np.ndarray:
        lexical = index.bm25.scores(index._tokenize(text))
        dense = index.dense_scores(text)
        if values:  # a part is met by the product's nearest descriptive value too
            near = vectors @ index.embedder.encode([text])[0]
            for row, value in pairs:
                dense[row] = max(dense[row], near[value])
        return weight * dense + (1 - weight) * lexical / lexical.max()

    whole = weighted(query, index.dense_weight(query), values=False)
    weakest = np.minimum(weighted(parts[0], index.weight), weighted(parts[1], index.weight))
    rows = [index.table.index[h.product_id] for h in hits]
    expected = (1 - PART_SHARE) * whole[rows] + PART_SHARE * weakest[rows]
    assert 0 < PART_SHARE < 1
    assert np.allclose([h.score for h in hits], expected, atol=1e-4)
    # one part, or none, is the plain search
    plain = [h.product_id for h in index.search(query, k=10)]
    assert [h.product_id for h in index.search(query, k=10, parts=["hiking boots"])] == plain


def test_a_part_said_as_a_need_meets_the_attribute_value_it_means(env):
    """ "Long race-day distances" is no word of any page, but it is near the value
    "best_for: marathons" some running shoes give: in a request said in parts, a part
    is met by the product's nearest value as well as by its text. Only descriptive
    attributes count: values that two products share, of an attribute with few."""
    _, store, _, index = env
    vectors, pairs = index.value_table()
    assert len(vectors) and len(pairs)
    assert len(vectors) < len(store.products("demo"))  # shared values, not one per product
    rows = {int(r) for r, _ in pairs}
    assert all(index.products[r].attributes for r in rows)
    query, parts = (
        "running shoes long race-day distances",
        ["running shoes", "long race-day distances"],
    )
    by_parts = index.search(query, k=5, parts=parts)
    best_for = [
        index.products[index.table.index[h.product_id]].attributes.get("best_for") for h in by_parts
    ]
    assert best_for == ["marathons"] * 5
    plain = index.search(query, k=5)
    assert [
        index.products[index.table.index[h.product_id]].attributes.get("best_for") for h in plain
    ] != best_for
