"""Catalog commands: `ingest`, `demo`, `catalog list`, `catalog stats`."""

from __future__ import annotations

import argparse
import json
import sys

from catalog.demo import DEFAULT_SEED, DemoConfig
from catalog.errors import InputError
from catalog.importers import FORMATS
from catalog.ingest import build_demo, ingest
from catalog.report import ValidationReport
from catalog.store import Store
from recommender.training import DEMO_BUDGET_S, ensure_demo_model
from shopassist import cmd_search
from shopassist.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="import a real catalog (Amazon, RecBole, LightGCN, MiniOneRec, CSV)",
        description="Import a data set into a named catalog. Formats: "
        + "; ".join(f"{f.name} ({f.description})" for f in FORMATS.values()),
    )
    p.add_argument("--name", required=True, help="catalog name, e.g. gift_cards")
    p.add_argument("--format", required=True, choices=sorted(FORMATS))
    p.add_argument("--reviews", help="reviews file (amazon2018, amazon2023, csv)")
    p.add_argument("--meta", help="metadata file (amazon2018, amazon2023)")
    p.add_argument("--inter", action="append", help="RecBole .inter file (repeatable)")
    p.add_argument("--item", help="RecBole .item or UniSRec .text file")
    p.add_argument("--train", help="LightGCN train.txt")
    p.add_argument("--test", help="LightGCN test.txt")
    p.add_argument("--items", help="MiniOneRec *.item.json")
    p.add_argument("--samples", action="append", help="MiniOneRec sample CSV (repeatable)")
    p.add_argument("--sequences", help="sequential_data.txt (sequential)")
    p.add_argument("--datamaps", help="datamaps.json id map (sequential, optional)")
    p.add_argument("--products", help="CSV of products")
    p.add_argument("--interactions", help="CSV of interactions")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="TABLE.FIELD=COLUMN",
        help="CSV column mapping override, e.g. products.id=sku (repeatable)",
    )
    p.add_argument("--force", action="store_true", help="re-import even if the source is unchanged")
    p.add_argument("--json", action="store_true", help="print the validation report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=run_ingest)

    p = sub.add_parser("demo", help="build the generated demo shop into the data dir")
    p.add_argument("--force", action="store_true", help="rebuild even if it exists")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--json", action="store_true", help="print the validation report as JSON")
    p.set_defaults(handler=run_demo)

    p = sub.add_parser("catalog", help="list catalogs or show a catalog's statistics")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    q = csub.add_parser("list", help="list the catalogs in the data dir")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_catalog_list)
    q = csub.add_parser("stats", help="counts and field coverage of one catalog")
    q.add_argument("--name", required=True)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=run_catalog_stats)


def open_store(settings: Settings) -> Store:
    return Store(settings.db_path)


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths: dict = {
        "reviews": args.reviews,
        "meta": args.meta,
        "inter": args.inter,
        "item": args.item,
        "train": args.train,
        "test": args.test,
        "items": args.items,
        "samples": args.samples,
        "sequences": args.sequences,
        "datamaps": args.datamaps,
        "products": args.products,
        "interactions": args.interactions,
    }
    if args.map:
        paths["mapping"] = _parse_mapping(args.map)
    with open_store(settings) as store:
        report = ingest(
            store,
            args.name,
            args.format,
            paths,
            force=args.force,
            progress=not args.quiet and sys.stderr.isatty(),
            reports_dir=settings.reports_dir,
        )
    _print_report(report, args.json)
    return 0


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        report = build_demo(
            store, DemoConfig(seed=args.seed), force=args.force, reports_dir=settings.reports_dir
        )
        ensure_demo_model(
            store,
            settings.home,
            settings.recommender.model,
            not report.unchanged,
            budget_s=min(settings.recommender.auto_budget_s, DEMO_BUDGET_S),
        )
        cmd_search.index_catalog(store, settings, report.catalog)
    _print_report(report, args.json)
    return 0


def run_catalog_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        catalogs = store.list_catalogs()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": c.name,
                        "format": c.format,
                        "products": c.products,
                        "shoppers": c.shoppers,
                        "interactions": c.interactions,
                        "reviews": c.reviews,
                    }
                    for c in catalogs
                ],
                indent=2,
            )
        )
        return 0
    if not catalogs:
        print("no catalogs yet: run `shopassist demo` or `shopassist ingest ...`")
    for c in catalogs:
        print(
            f"{c.name:<24} {c.format:<11} {c.products:>8,} products {c.shoppers:>8,} shoppers"
            f" {c.interactions:>10,} interactions {c.reviews:>8,} reviews"
        )
    return 0


def run_catalog_stats(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        stats = store.stats(args.name)
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    for key in ("name", "format", "products", "shoppers", "interactions", "reviews"):
        print(f"{key:<14} {stats[key]}")
    print("coverage       " + ", ".join(f"{k} {v:.0%}" for k, v in stats["coverage"].items()))
    print(
        "by split       "
        + ", ".join(f"{k} {v:,}" for k, v in stats["interactions_by_split"].items())
    )
    return 0


def _parse_mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        key, sep, column = item.partition("=")
        if not sep or "." not in key or not column:
            raise InputError(f"bad --map {item!r}: expected TABLE.FIELD=COLUMN")
        mapping[key.strip()] = column.strip()
    return mapping


def _print_report(report: ValidationReport, as_json: bool) -> None:
    if as_json:
        print(report.to_json())
    else:
        print("\n".join(report.summary_lines()))
