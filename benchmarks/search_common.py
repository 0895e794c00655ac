"""Helpers shared by the search benchmarks: catalogs in a scratch data dir, metrics, query files."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import shared_data_dir
from catalog.filters import ProductFilter
from catalog.ingest import build_demo, ingest
from catalog.models import RawDataset
from catalog.report import ValidationReport
from catalog.store import Store
from vectorstore.index import SearchIndex
from vectorstore.text import clean_query

DATA = Path(__file__).resolve().parent / "data"
MINIONEREC = "amazon2018_industrial_scientific_minionerec"
ITEMS_FILE = "Industrial_and_Scientific.item.json"
SAMPLES = "{split}_Industrial_and_Scientific_5_2016-10-2018-11.csv"


def scratch_home(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"shopassist-bench-{name}-"))


def load_industrial(store: Store, name: str = "industrial") -> str:
    """Ingest the MiniOneRec Industrial & Scientific catalog (valid + test samples)."""
    folder = shared_data_dir() / MINIONEREC
    paths = {
        "items": str(folder / ITEMS_FILE),
        "samples": [str(folder / SAMPLES.format(split=s)) for s in ("valid", "test")],
    }
    ingest(store, name, "minionerec", paths, progress=False)
    return name


def load_demo(store: Store, with_chinese_titles: bool = True, name: str = "demo") -> str:
    """The demo shop; without Chinese titles it is an English-title catalog."""
    build_demo(store, name="demo")
    if with_chinese_titles:
        return "demo"
    products = [replace(p, title_i18n={}) for p in store.products("demo")]
    report = ValidationReport(catalog=name, format="demo", fingerprint="demo-without-zh")
    store.replace_catalog(name, RawDataset(products=products), report)
    return name


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def ranked_ids(
    index: SearchIndex,
    query: str,
    k: int,
    mode: str,
    filters: ProductFilter | None = None,
) -> list[str]:
    """The same ranking as `SearchIndex.search`, without building hit objects."""
    q = clean_query(query)
    mask = index.table.mask(filters)
    if not q:
        return []
    rows = index.rank(q, k, mask, mode).rows
    return [index.table.ids[int(r)] for r in rows]


def hit_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return float(any(r in relevant for r in ranked[:k]))


def ndcg_at(ranked: list[str], target: str, k: int) -> float:
    for i, r in enumerate(ranked[:k]):
        if r == target:
            return 1.0 / math.log2(i + 2)
    return 0.0


def rr_at(ranked: list[str], target: str, k: int) -> float:
    for i, r in enumerate(ranked[:k]):
        if r == target:
            return 1.0 / (i + 1)
    return 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return round(float(np.mean(values)), 4) if values else 0.0
