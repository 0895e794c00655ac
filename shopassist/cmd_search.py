"""Search commands: `index` (build or update a catalog's search index) and `search`."""

from __future__ import annotations

import argparse
import json
import sys

from catalog.filters import ProductFilter
from catalog.store import Store
from shopassist.settings import Settings
from vectorstore.embeddings import Embedder, make_embedder
from vectorstore.index import MODES, BuildReport, SearchHit, build_index, open_index


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "index",
        help="build or update the search index of a catalog (only changed products re-embedded)",
    )
    p.add_argument("--dataset", required=True, help="catalog name, e.g. demo")
    p.add_argument("--embedder", help="use | minilm | a sentence-transformers model directory")
    p.add_argument("--json", action="store_true", help="print the build report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run_index, settings_overrides=_overrides)

    p = sub.add_parser("search", help="search a catalog's products (hybrid BM25 + embeddings)")
    p.add_argument("--dataset", required=True, help="catalog name, e.g. demo")
    p.add_argument("query", nargs="?", default="", help="what to look for (empty: popular items)")
    p.add_argument("--k", type=int, default=10, help="how many hits (default 10)")
    p.add_argument("--min-price", type=float)
    p.add_argument("--max-price", type=float)
    p.add_argument("--category", action="append", default=[], help="category at any level")
    p.add_argument("--brand", action="append", default=[], help="only these brands")
    p.add_argument("--exclude-brand", action="append", default=[])
    p.add_argument("--min-rating", type=float)
    p.add_argument("--exclude-id", action="append", default=[])
    p.add_argument("--in-stock", action="store_true", help="only products in stock")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.add_argument("--embedder", help="the embedder the index was built with")
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(handler=run_search, settings_overrides=_overrides)


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    return {"embeddings.backend": args.embedder}


def _embedder(settings: Settings) -> Embedder:
    return make_embedder(settings.embeddings.backend, device=settings.embeddings.device)


def index_catalog(
    store: Store, settings: Settings, catalog: str, progress: bool | None = None
) -> BuildReport:
    """Build or update `catalog`'s search index as the settings say (used by `demo` too)."""
    return build_index(
        store,
        catalog,
        settings.home,
        _embedder(settings),
        url=settings.vectorstore.url,
        progress=sys.stderr.isatty() if progress is None else progress,
        tokenizer_name=settings.vectorstore.tokenizer,
        store_documents=settings.vectorstore.store_documents,
    )


def run_index(args: argparse.Namespace, settings: Settings) -> int:
    with Store(settings.db_path) as store:
        report = index_catalog(store, settings, args.dataset, False if args.quiet else None)
    _print_report(report, args.json)
    return 0


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    filters = ProductFilter(
        min_price=args.min_price,
        max_price=args.max_price,
        categories=args.category,
        brands=args.brand,
        exclude_brands=args.exclude_brand,
        min_rating=args.min_rating,
        exclude_ids=args.exclude_id,
        in_stock_only=args.in_stock,
    )
    with Store(settings.db_path) as store:
        index = open_index(
            settings.home,
            store,
            args.dataset,
            _embedder(settings) if args.embedder else None,
            url=settings.vectorstore.url,
            fusion=settings.vectorstore.fusion,
            weight=settings.vectorstore.fusion_weight,
        )
        hits = index.search(args.query, k=args.k, filters=filters, mode=args.mode)
        prices = {
            p.id: (p.price, p.currency)
            for p in store.products(args.dataset, [h.product_id for h in hits])
        }
    if args.json:
        print(json.dumps([_hit_json(h, prices) for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no products match the query and filters")
    for h in hits:
        price, currency = prices.get(h.product_id, (None, ""))
        shown = f"{price:,.2f} {currency}" if price is not None else "no price"
        print(f"{h.rank:>3}. [{h.product_id}] {h.title}  ({shown}; score {h.score:.4f})")
        print(f"     {h.snippet_field}: {h.snippet}")
    return 0


def _hit_json(hit: SearchHit, prices: dict) -> dict:
    price, currency = prices.get(hit.product_id, (None, None))
    return {**hit.to_dict(), "price": price, "currency": currency}


def _print_report(report: BuildReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    print(
        f"indexed {report.catalog}: {report.products:,} products, {report.chunks:,} chunks"
        f" with {report.embedder} in {report.seconds:.1f} s"
    )
    print(
        f"  embedded {report.encoded:,} texts; added {report.added:,}, re-embedded"
        f" {report.updated_text:,}, metadata updated {report.updated_metadata:,},"
        f" unchanged {report.unchanged:,}, deleted {report.deleted:,}"
    )
    where = report.url or report.index_dir
    print(f"  collection {report.collection} ({where})")
