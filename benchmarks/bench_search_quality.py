"""Search quality on Amazon Industrial & Scientific (MiniOneRec): next-item retrieval
and known-item search, for BM25, dense (USE and MiniLM) and hybrid fusions.

- Next item: query = titles of the shopper's last three items, target = the next
  item, history items excluded by the hard filter; HitRate@10 and NDCG@10 over the
  4,533 test samples. The fusion weight is chosen on the valid samples.
- Known item: 500 items drawn with a fixed seed; query = the title's head noun
  (the catalog has no categories) plus two words drawn deterministically from the
  item's description that are not in its title; MRR@10.

    python -m benchmarks.bench_search_quality [--embedders use minilm] [--valid 1500]
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import time
from pathlib import Path

import numpy as np

from benchmarks.common import print_table, shared_data_dir, write_results
from benchmarks.search_common import (
    MINIONEREC,
    SAMPLES,
    load_industrial,
    mean,
    ndcg_at,
    ranked_ids,
    rr_at,
    scratch_home,
)
from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.store import Store
from vectorstore.embeddings import make_embedder
from vectorstore.index import SearchIndex, build_index, open_index
from vectorstore.text import clean_query

WEIGHTS = (0.2, 0.3, 0.5, 0.7)
STOP = {"these", "which", "their", "there", "about", "other", "using", "while", "where", "would"}


def samples(split: str, limit: int | None = None) -> list[tuple[str, list[str], str]]:
    """(query, history ids, target id) per sample."""
    path = shared_data_dir() / MINIONEREC / SAMPLES.format(split=split)
    out = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            titles = ast.literal_eval(row["history_item_title"])
            history = [str(i) for i in ast.literal_eval(row["history_item_id"])]
            out.append((" ; ".join(titles[-3:]), history, str(row["item_id"])))
    return out[:limit] if limit else out


def variants() -> list[tuple[str, str, str, float]]:
    """(label, mode, fusion, weight) to evaluate."""
    out = [("bm25", "bm25", "rrf", 0.5), ("dense", "dense", "rrf", 0.5)]
    out.append(("hybrid-rrf", "hybrid", "rrf", 0.5))
    out.extend((f"hybrid-w{w}", "hybrid", "weighted", w) for w in WEIGHTS)
    return out


def next_item(index: SearchIndex, data, label, mode, fusion, weight) -> dict[str, float]:
    index.fusion, index.weight = fusion, weight
    hits, ndcgs = [], []
    for query, history, target in data:
        ranked = ranked_ids(index, query, 10, mode, ProductFilter(exclude_ids=history))
        hits.append(float(target in ranked))
        ndcgs.append(ndcg_at(ranked, target, 10))
    return {"HitRate@10": mean(hits), "NDCG@10": mean(ndcgs)}


def known_item_queries(
    products: list[Product], n: int = 500, seed: int = 0
) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.permutation(len(products)):
        p = products[int(i)]
        title_words = set(re.findall(r"[a-z]+", p.title.lower()))
        brand_words = set(re.findall(r"[a-z]+", p.brand.lower()))
        words = sorted(
            {w for w in re.findall(r"[a-z]{5,}", p.description.lower())}
            - title_words
            - brand_words
            - STOP
        )
        head = _head_noun(p.title)
        if len(words) < 2 or not head:
            continue
        picked = np.random.default_rng(int(p.id) if p.id.isdigit() else seed).choice(
            words, size=2, replace=False
        )
        out.append((f"{head} {picked[0]} {picked[1]}", p.id))
        if len(out) == n:
            break
    return out


def _head_noun(title: str) -> str:
    """The last two words of the title's first segment: "... Hard Start Kit, ..." -> "start kit"."""
    first = re.split(r"[,(|]| - ", title)[0]
    words = [w for w in re.findall(r"[A-Za-z]+", first) if len(w) > 1]
    return " ".join(words[-2:]).lower()


def evaluate(
    embedder_spec: str, store: Store, home: Path, catalog: str, valid_n: int
) -> list[dict]:
    embedder = make_embedder(embedder_spec, cache_size=50_000)
    started = time.perf_counter()
    report = build_index(store, catalog, home, embedder, progress=True)
    print(
        f"{embedder.name}: indexed {report.chunks} chunks in {time.perf_counter() - started:.1f} s"
    )
    index = open_index(home, store, catalog, embedder)
    valid, test = samples("valid", valid_n), samples("test")
    known = known_item_queries(index.products)
    # one batched encode of every query; the runs below hit the embedder's cache
    texts = [q for q, *_ in valid + test] + [q for q, _ in known]
    embedder.encode(list(dict.fromkeys(clean_query(t) for t in texts)))
    rows = []
    for label, mode, fusion, weight in variants():
        row = {"embedder": embedder.name, "method": label}
        row.update(
            {
                f"valid {k}": v
                for k, v in next_item(index, valid, label, mode, fusion, weight).items()
            }
        )
        row.update(next_item(index, test, label, mode, fusion, weight))
        index.fusion, index.weight = fusion, weight
        row["known-item MRR@10"] = mean(
            rr_at(ranked_ids(index, q, 10, mode), target, 10) for q, target in known
        )
        print(row, flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", nargs="+", default=["use", "minilm"])
    parser.add_argument("--valid", type=int, default=1500, help="valid samples for tuning")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)  # sentence-transformers threads thrash on a shared 2-core machine
    home = scratch_home("quality")
    with Store.in_home(home) as store:
        catalog = load_industrial(store)
        rows = []
        for spec in args.embedders:
            rows.extend(evaluate(spec, store, home, catalog, args.valid))
            path = write_results(  # after each embedder, so a long run keeps what it measured
                "search_quality",
                rows,
                catalog="Amazon 2018 Industrial & Scientific (MiniOneRec), 3,686 items",
                next_item="test samples (4,533); query = last 3 history titles; history excluded",
                known_item="500 items, seed 0; query = title head noun + 2 description words",
            )
    columns = ["embedder", "method", "valid NDCG@10", "HitRate@10", "NDCG@10", "known-item MRR@10"]
    print_table(rows, columns)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
