"""The LightGCN / NGCF benchmark format: `train.txt` and `test.txt`, one line per
user, `user item item ...` with remapped integer ids (gzip accepted).

The data carry ids only, so products have no titles; the fixed split is kept.
"""

from __future__ import annotations

from pathlib import Path

from catalog.importers.base import iter_lines, require_file
from catalog.models import Interaction, InteractionKind, Product, RawDataset, Split
from catalog.report import ValidationReport


def import_lightgcn(
    train: Path | str, test: Path | str, report: ValidationReport, progress: bool = True
) -> RawDataset:
    files = [
        (require_file(train, "train file (train.txt)"), Split.TRAIN),
        (require_file(test, "test file (test.txt)"), Split.TEST),
    ]
    data = RawDataset()
    items: dict[str, None] = {}
    seq = 0
    purchase = InteractionKind.PURCHASE
    for path, split in files:
        for number, line in iter_lines(path, progress):
            parts = line.split()
            if not parts:
                continue
            if not all(p.isascii() and p.isdigit() for p in parts):  # not "②" or "²"
                report.malformed_line(path.name, number, "expected integer ids separated by spaces")
                continue
            user = parts[0]
            for item in parts[1:]:
                items[item] = None
                data.interactions.append(Interaction(user, item, purchase, 1.0, None, split, seq))
                seq += 1
    data.products = [Product(id=i, title="") for i in sorted(items, key=int)]
    report.notes.append("LightGCN format carries ids only: products have no titles")
    return data
