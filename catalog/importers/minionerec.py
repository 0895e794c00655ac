"""MiniOneRec / BIGRec-D3 files: `*.item.json` (item id -> title, description,
brand, categories) and sample CSVs (`user_id`, `history_item_id`, `item_id`).

Samples are sliding windows over each shopper's time-ordered purchases; the
split comes from the file name (`valid_...csv`, `test_...csv`, `train_...csv`).
"""

from __future__ import annotations

import ast
import csv
import json
from collections import defaultdict
from pathlib import Path

from catalog.errors import InputError
from catalog.importers.base import (
    SPLIT_ORDER,
    open_text,
    require_file,
    sequences_from_windows,
    split_from_name,
    unique_samples,
)
from catalog.models import Product, RawDataset, Split
from catalog.report import ValidationReport

_REQUIRED = ("user_id", "history_item_id", "item_id")


def import_minionerec(
    items: Path | str, samples: list[Path | str], report: ValidationReport, progress: bool = True
) -> RawDataset:
    items_path = require_file(items, "item file (*.item.json)")
    sample_paths = [require_file(p, "sample file (.csv)") for p in samples]
    data = RawDataset(products=_read_items(items_path))
    per_user: dict[str, list[tuple[list[str], str, Split]]] = defaultdict(list)
    for path in sorted(sample_paths, key=lambda p: SPLIT_ORDER[split_from_name(p)]):
        split = split_from_name(path)
        with open_text(path) as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(
                    f"{path.name}: missing column(s) {', '.join(missing)}; expected "
                    f"{', '.join(_REQUIRED)}, found {', '.join(reader.fieldnames or [])}"
                )
            for number, row in enumerate(reader, start=2):
                try:
                    history = [str(i) for i in ast.literal_eval(row["history_item_id"])]
                    target = str(int(row["item_id"]))
                except (ValueError, SyntaxError, TypeError):
                    report.malformed_line(
                        path.name, number, "history_item_id or item_id unreadable"
                    )
                    continue
                per_user[row["user_id"]].append((history, target, split))
    seq = 0
    for user, rows in per_user.items():
        built = sequences_from_windows(user, unique_samples(rows), seq)
        seq += len(built)
        data.interactions.extend(built)
    return data


def _read_items(path: Path) -> list[Product]:
    try:
        with open_text(path) as fh:
            raw = json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path.name}: expected an object keyed by item id")
    products = []
    for item_id, fields in raw.items():
        if not isinstance(fields, dict):
            continue
        products.append(
            Product(
                id=str(item_id),
                title=str(fields.get("title") or ""),
                description=_description(fields.get("description")),
                brand=str(fields.get("brand") or ""),
                categories=[
                    c.strip() for c in str(fields.get("categories") or "").split(",") if c.strip()
                ],
            )
        )
    return products


def _description(value: object) -> str:
    """Descriptions are stringified Python lists ("['a', 'b']")."""
    if not value:
        return ""
    text = str(value)
    if text.startswith("["):
        try:
            parts = ast.literal_eval(text)
            if isinstance(parts, list):
                return "\n".join(str(p) for p in parts if p)
        except (ValueError, SyntaxError):
            pass
    return text
