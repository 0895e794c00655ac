"""Per-user chronological sequences, one line per user: `user item item ...`
(the P5 / S3Rec `sequential_data.txt` of Amazon Beauty and friends).

The common leave-one-out protocol is kept as the split: the last item of each
sequence is test, the one before it validation, the rest training (sequences
shorter than 3 are all training). An optional `datamaps.json` beside it maps
the integer ids back to the original user and item ids (`id2user`, `id2item`).
"""

from __future__ import annotations

import json
from pathlib import Path

from catalog.importers.base import iter_lines, require_file
from catalog.models import Interaction, InteractionKind, Product, RawDataset, Split
from catalog.report import ValidationReport


def import_sequential(
    sequences: Path | str,
    report: ValidationReport,
    datamaps: Path | str | None = None,
    progress: bool = True,
) -> RawDataset:
    path = require_file(sequences, "sequence file (sequential_data.txt)")
    users, items = _maps(require_file(datamaps, "id map (datamaps.json)") if datamaps else None)
    data = RawDataset()
    seen_items: dict[str, None] = {}
    seq = 0
    for number, line in iter_lines(path, progress):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 2:
            report.malformed_line(path.name, number, "expected a user id and at least one item")
            continue
        user = users.get(parts[0], parts[0])
        history = [items.get(i, i) for i in parts[1:]]
        n = len(history)
        for position, item in enumerate(history):
            split = Split.TRAIN
            if n >= 3 and position == n - 1:
                split = Split.TEST
            elif n >= 3 and position == n - 2:
                split = Split.VALID
            seen_items[item] = None
            data.interactions.append(
                Interaction(user, item, InteractionKind.PURCHASE, 1.0, None, split, seq)
            )
            seq += 1
    data.products = [Product(id=i, title="") for i in seen_items]
    report.notes.append("sequence format carries ids only: products have no titles")
    return data


def _maps(path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    if path is None:
        return {}, {}
    maps = json.loads(path.read_text(encoding="utf-8"))
    return dict(maps.get("id2user", {})), dict(maps.get("id2item", {}))
