"""The validation report every ingest produces.

Counts per entity (read, kept, dropped and why), missing values per field,
repairs made, and the first malformed lines with their file and line number.
Printed for people and saved as JSON next to the database for scripts.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED_PROBLEMS = 20


@dataclass(slots=True)
class Problem:
    file: str
    line: int
    reason: str


@dataclass
class ValidationReport:
    catalog: str = ""
    format: str = ""
    sources: list[str] = field(default_factory=list)
    fingerprint: str = ""
    unchanged: bool = False  # the same source was already ingested
    seconds: float = 0.0
    read: Counter = field(default_factory=Counter)  # entity -> rows read
    kept: Counter = field(default_factory=Counter)  # entity -> rows stored
    duplicates_removed: Counter = field(default_factory=Counter)  # entity -> count
    dropped: Counter = field(default_factory=Counter)  # reason -> count
    repaired: Counter = field(default_factory=Counter)  # what -> count
    flagged: Counter = field(default_factory=Counter)  # what -> count
    missing: dict[str, Counter] = field(default_factory=dict)  # entity -> field -> count
    malformed_count: int = 0
    malformed: list[Problem] = field(default_factory=list)  # first MAX_LISTED_PROBLEMS
    notes: list[str] = field(default_factory=list)
    # Brand spellings merged into one: {"canonical", "variants": {spelling: products},
    # "products"}, largest group first.
    merged_brands: list[dict[str, Any]] = field(default_factory=list)
    # Products whose displayed title was shared with another product and got the facts
    # that tell them apart: {"title", "products", "shown_as": [new titles]}.
    disambiguated_titles: list[dict[str, Any]] = field(default_factory=list)

    def malformed_line(self, file: str, line: int, reason: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_LISTED_PROBLEMS:
            self.malformed.append(Problem(file, line, reason))

    def count_missing(self, entity: str, field_name: str, n: int = 1) -> None:
        self.missing.setdefault(entity, Counter())[field_name] += n

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("read", "kept", "duplicates_removed", "dropped", "repaired", "flagged"):
            data[key] = dict(sorted(getattr(self, key).items()))
        data["missing"] = {
            entity: dict(sorted(c.items())) for entity, c in sorted(self.missing.items())
        }
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def summary_lines(self) -> list[str]:
        """A short human-readable summary."""
        if self.unchanged:
            return [
                f"catalog {self.catalog!r}: source unchanged since the last ingest; nothing to do"
            ]
        lines = [f"catalog {self.catalog!r} ({self.format}) ingested in {self.seconds:.1f} s"]
        for entity in ("products", "shoppers", "interactions", "reviews"):
            if self.read[entity] or self.kept[entity]:
                dup = self.duplicates_removed[entity]
                lines.append(
                    f"  {entity:<12} read {self.read[entity]:>9,}  kept {self.kept[entity]:>9,}"
                    + (f"  duplicates removed {dup:,}" if dup else "")
                )
        for title, counter in (
            ("dropped", self.dropped),
            ("repaired", self.repaired),
            ("flagged", self.flagged),
        ):
            if counter:
                items = ", ".join(f"{k} {v:,}" for k, v in sorted(counter.items()))
                lines.append(f"  {title}: {items}")
        for entity, counter in sorted(self.missing.items()):
            items = ", ".join(f"{k} {v:,}" for k, v in sorted(counter.items()) if v)
            if items:
                lines.append(f"  missing in {entity}: {items}")
        if self.malformed_count:
            lines.append(f"  malformed lines skipped: {self.malformed_count:,}")
            lines.extend(f"    {p.file}:{p.line}: {p.reason}" for p in self.malformed)
        if self.merged_brands:
            lines.append(f"  brand spellings merged: {len(self.merged_brands):,} groups")
            lines.extend(
                f"    {g['canonical']!r} <- "
                + ", ".join(f"{s!r} {n:,}" for s, n in g["variants"].items())
                for g in self.merged_brands[:MAX_LISTED_PROBLEMS]
            )
        if self.disambiguated_titles:
            n = sum(g["products"] for g in self.disambiguated_titles)
            lines.append(
                f"  look-alike titles told apart: {n:,} products in "
                f"{len(self.disambiguated_titles):,} groups"
            )
        lines.extend(f"  note: {n}" for n in self.notes)
        return lines
