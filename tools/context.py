"""The typed context through which tools receive their dependencies.

The composition root (the CLI or the server) builds one per turn: the store and
catalog, the active recommender and the search index when they exist, the
text embedder, the shopper, what the conversation has shown so far, and the
turn's evidence ledger. Tools never reach for globals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from catalog.filters import ProductFilter, ProductTable
from catalog.store import Store
from recommender.base import Recommender
from tools.results import EvidenceLedger


class SearchBackend(Protocol):
    """What tools need from the product search (vectorstore.index.SearchIndex)."""

    def search(
        self,
        query: str,
        k: int = 10,
        filters: ProductFilter | None = None,
        mode: str = "hybrid",
        snippets: int | None = None,  # only the first this many hits need a snippet
        parts: Sequence[str] | None = None,  # the request in parts, each to be met
    ) -> list[Any]: ...


Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised


@dataclass
class SessionView:
    """What the conversation has established, for tools that need it: the products
    shown (in order), every product seen, the shopper's hard constraints, and the
    products the shopper turned down (never shown again): `declined` said "not
    interested", `excluded` also holds those passed over with "none of these"."""

    shown: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    constraints: ProductFilter | None = None
    excluded: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)  # the shopper's messages, oldest first


@dataclass
class ToolContext:
    store: Store
    catalog: str
    shopper_id: str | None = None
    recommender: Recommender | None = None
    search: SearchBackend | None = None
    language: str = "en"  # "en" or "zh": the language of template text
    evidence: EvidenceLedger = field(default_factory=EvidenceLedger)
    emit: Callable[[str], None] | None = None  # streams reply text as it is ready
    started: float = field(default_factory=time.monotonic)  # when the turn began
    session: SessionView = field(default_factory=SessionView)
    encode: Encode | None = None  # the multilingual text embedder, when there is one
    # Weight of the recommender's order against a given order (search relevance) when
    # both rank (reciprocal-rank fusion); measured with benchmarks/bench_shoppers.py.
    personal_weight: float = 0.5
    # With the search's own scores at hand, the recommender reorders only products whose
    # relevance is within this margin of each other (a clear best match stays first).
    personal_margin: float | None = 0.05
    relevance: dict[str, float] = field(default_factory=dict)  # this turn's search scores

    # (sentence, texts) -> the highest cosine similarity; the embedder's, when there is one
    similarity: Callable[[str, Sequence[str]], float] | None = None

    table: ProductTable | None = None  # the catalog as columns; built on first use if unset

    @property
    def products(self) -> ProductTable:
        if self.table is None:
            self.table = ProductTable(self.store.products(self.catalog))
        return self.table


def per_catalog(cache: dict, ctx: ToolContext, build: Callable[[], Any]) -> Any:
    """What `build()` makes of the catalog, kept for the few catalogs a process serves
    (keyed by the catalog's fingerprint; the oldest goes)."""
    key = (str(ctx.store.path), ctx.catalog, ctx.store.fingerprint(ctx.catalog))
    if key not in cache:
        if len(cache) >= 8:
            cache.pop(next(iter(cache)))
        cache[key] = build()
    return cache[key]
