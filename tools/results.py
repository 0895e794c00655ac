"""What tools return: results whose facts carry citation ids.

Every fact a tool puts in front of the planner or the explanation composer is
an `Evidence` record with a citation id: `P<product id>` a product's fields,
`R<review id>` a review, `H<n>` an item of the shopper's own history,
`C<n>` a co-interaction statistic, `S<n>` a search match, `T<n>` what a tool
answered (a plugin's estimate, a LangChain tool's output). Product and review
ids are the catalog's own; H, C, S and T are numbered per turn by the
`EvidenceLedger`, which also de-duplicates, so the same fact cited by two tools
has one id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EvidenceKind = Literal["product", "review", "history", "co_interaction", "search", "tool"]
PREFIX: dict[str, str] = {
    "product": "P",
    "review": "R",
    "history": "H",
    "co_interaction": "C",
    "search": "S",
    "tool": "T",
}


@dataclass(slots=True)
class Evidence:
    id: str  # citation id without brackets, e.g. "P1001", "H2"
    kind: EvidenceKind
    text: str  # the fact in words, shown when a citation is clicked
    product_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the structured values behind `text`

    @property
    def citation(self) -> str:
        return f"[{self.id}]"


@dataclass
class EvidenceLedger:
    """All evidence of one turn, keyed by citation id."""

    records: dict[str, Evidence] = field(default_factory=dict)
    _keys: dict[tuple, str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def add(
        self, kind: EvidenceKind, key: str, text: str, product_id: str | None = None, **data: Any
    ) -> Evidence:
        """Record a fact (or return the existing record for the same kind and key)."""
        existing = self._keys.get((kind, key))
        if existing:
            return self.records[existing]
        prefix = PREFIX[kind]
        if kind in ("product", "review"):
            cid = f"{prefix}{key}"
        else:
            self._counters[prefix] = self._counters.get(prefix, 0) + 1
            cid = f"{prefix}{self._counters[prefix]}"
        record = Evidence(cid, kind, text, product_id, dict(data))
        self.records[cid] = record
        self._keys[(kind, key)] = cid
        return record

    def get(self, cid: str) -> Evidence | None:
        return self.records.get(cid.strip("[]"))

    def __contains__(self, cid: str) -> bool:
        return cid.strip("[]") in self.records

    def __len__(self) -> int:
        return len(self.records)

    def for_product(self, product_id: str) -> list[Evidence]:
        return [e for e in self.records.values() if e.product_id == product_id]


@dataclass(slots=True)
class ToolResult:
    """A tool's answer: a short summary for the planner, the products it is about
    (ordered), the evidence ids it used, and structured data. `show_products`: the
    products are picks to show the shopper (search, recommendations), not merely the
    products the answer is about."""

    summary: str
    products: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # citation ids in the ledger
    data: dict[str, Any] = field(default_factory=dict)
    show_products: bool = False
