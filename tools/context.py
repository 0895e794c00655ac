"""The typed context through which tools receive their dependencies.

The composition root (the CLI or the server) builds one per turn: the store and
catalog, the active recommender and the search index when they exist, the
shopper, and the turn's evidence ledger. Tools never reach for globals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

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
    ) -> list[Any]: ...


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

    @cached_property
    def products(self) -> ProductTable:
        return ProductTable(self.store.products(self.catalog))
