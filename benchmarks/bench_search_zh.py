"""Chinese and English queries, per backend: HitRate@5 on hand-labelled query sets.

Sets (benchmarks/data): `demo_zh_queries.jsonl` (111 queries, each in Chinese and
English, labelled with the relevant category and attribute values) against the
demo shop with Chinese titles and against the same shop with English titles only;
`industrial_zh_queries.jsonl` (63 queries, labelled with a regular expression the
relevant titles match) against Amazon Industrial & Scientific (English titles).
A query hits when one of its top 5 products is relevant; P@5 is the share of the
top 5 that are relevant.

    python -m benchmarks.bench_search_zh [--embedders use minilm]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from benchmarks.common import print_table, write_results
from benchmarks.search_common import (
    DATA,
    hit_at,
    load_demo,
    load_industrial,
    mean,
    ranked_ids,
    read_jsonl,
    scratch_home,
)
from catalog.models import Product
from catalog.store import Store
from vectorstore.embeddings import make_embedder
from vectorstore.index import build_index, open_index
from vectorstore.text import TOKENIZERS

# (name, mode, fusion, weight)
BACKENDS = (
    ("dense", "dense", "rrf", 0.0),
    ("bm25", "bm25", "rrf", 0.0),
    ("hybrid-rrf", "hybrid", "rrf", 0.0),
    ("hybrid-w0.3", "hybrid", "weighted", 0.3),
    ("hybrid-w0.5", "hybrid", "weighted", 0.5),
)


def demo_relevant(query: dict, products: list[Product]) -> set[str]:
    return {
        p.id
        for p in products
        if p.category == query["category"]
        and all(p.attributes.get(k) == v for k, v in query["attributes"].items())
    }


def regex_relevant(query: dict, products: list[Product]) -> set[str]:
    pattern = re.compile(query["title_regex"], re.IGNORECASE)
    return {p.id for p in products if pattern.search(p.title)}


def run_catalog(
    store: Store, home: Path, catalog: str, label: str, queries, relevant_fn, specs
) -> list[dict]:
    rows = []
    for spec in specs:
        embedder = make_embedder(spec)
        for tok in TOKENIZERS:
            build_index(store, catalog, home, embedder, progress=False, tokenizer_name=tok)
            index = open_index(home, store, catalog, embedder)
            relevant = [relevant_fn(q, index.products) for q in queries]
            for name, mode, fusion, weight in BACKENDS:
                index.fusion, index.weight = fusion, weight
                if mode == "dense" and tok != TOKENIZERS[0]:
                    continue  # the tokenizer does not change dense results
                if mode == "bm25" and spec != specs[0]:
                    continue  # nor does the embedder change BM25
                row = {
                    "catalog": label,
                    "backend": _backend_name(name, embedder.name, tok),
                }
                for lang in ("zh", "en"):
                    if lang not in queries[0]:
                        continue
                    ranked = [ranked_ids(index, q[lang], 5, mode) for q in queries]
                    row[f"{lang} HitRate@5"] = mean(
                        hit_at(r, rel, 5) for r, rel in zip(ranked, relevant, strict=True)
                    )
                    row[f"{lang} P@5"] = mean(
                        sum(x in rel for x in r) / 5
                        for r, rel in zip(ranked, relevant, strict=True)
                    )
                print(row, flush=True)
                rows.append(row)
            if spec == specs[0] and tok == TOKENIZERS[0]:
                rows.append(_translated(store, catalog, label, index, embedder, queries, relevant))
    return rows


def _translated(store, catalog, label, index, embedder, queries, relevant) -> dict:
    """The product's default (weighted hybrid, dense share 0.5) with a Chinese query's
    words also as the catalog's English words, as the search tool reads it
    (tools.discovery.catalog_query)."""
    from tools.context import ToolContext
    from tools.discovery import catalog_query

    index.fusion, index.weight = "weighted", 0.5
    ctx = ToolContext(store, catalog, encode=embedder.encode)
    ranked = [ranked_ids(index, catalog_query(ctx, q["zh"]), 5, "hybrid") for q in queries]
    row = {"catalog": label, "backend": f"hybrid-w0.5 {embedder.name}+{TOKENIZERS[0]}, zh words"
           " also as the catalog's English words"}  # fmt: skip
    row["zh HitRate@5"] = mean(hit_at(r, rel, 5) for r, rel in zip(ranked, relevant, strict=True))
    row["zh P@5"] = mean(
        sum(x in rel for x in r) / 5 for r, rel in zip(ranked, relevant, strict=True)
    )
    print(row, flush=True)
    return row


def _backend_name(mode: str, embedder: str, tokenizer: str) -> str:
    if mode == "dense":
        return f"dense {embedder}"
    if mode == "bm25":
        return f"bm25 {tokenizer}"
    return f"{mode} {embedder}+{tokenizer}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", nargs="+", default=["use", "minilm"])
    args = parser.parse_args()
    home = scratch_home("zh")
    demo_queries = read_jsonl(DATA / "demo_zh_queries.jsonl")
    industrial_queries = read_jsonl(DATA / "industrial_zh_queries.jsonl")
    rows = []
    with Store.in_home(home) as store:
        for with_zh, label in ((True, "demo, Chinese titles"), (False, "demo, English titles")):
            catalog = load_demo(store, with_chinese_titles=with_zh, name="demo_en")
            rows += run_catalog(
                store, home, catalog, label, demo_queries, demo_relevant, args.embedders
            )
        catalog = load_industrial(store)
        rows += run_catalog(
            store,
            home,
            catalog,
            "Amazon Industrial",
            industrial_queries,
            regex_relevant,
            args.embedders,
        )
    columns = ["catalog", "backend", "zh HitRate@5", "zh P@5", "en HitRate@5", "en P@5"]
    print_table(rows, columns)
    path = write_results(
        "search_zh",
        rows,
        demo_queries=len(demo_queries),
        industrial_queries=len(industrial_queries),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
