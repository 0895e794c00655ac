"""RecBole atomic files (`.inter`, `.item`) and the UniSRec variant (`.text`).

Headers carry typed column names (`user_id:token`, `item_id_list:token_seq`).
Two kinds of `.inter` are understood:
- plain: one interaction per row (`user_id`, `item_id`, optional `rating`,
  `timestamp`);
- sequential: `item_id_list` + `item_id` per row (every prefix or a window).
  The split comes from the file name (`*.train.inter`, `*.valid.inter`,
  `*.test.inter`), and each shopper's sequence is rebuilt once.
Integer ids are mapped back to the original ones through `*.item2index` /
`*.user2index` files beside the `.inter` file when they exist.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

from catalog.cleaning import apply_price, normalise_timestamp
from catalog.errors import InputError
from catalog.importers.base import (
    SPLIT_ORDER,
    iter_lines,
    require_file,
    sequences_from_windows,
    split_from_name,
    unique_samples,
)
from catalog.models import Interaction, InteractionKind, Product, RawDataset, Split
from catalog.report import ValidationReport


def import_recbole(
    inter: list[Path | str],
    report: ValidationReport,
    item: Path | str | None = None,
    progress: bool = True,
) -> RawDataset:
    if not inter:
        raise InputError("recbole format needs at least one --inter file")
    inter_paths = [require_file(p, "interaction file (.inter)") for p in inter]
    item_path = require_file(item, "item file (.item or .text)") if item else None
    item_map = _index_map(inter_paths[0], "item2index")
    user_map = _index_map(inter_paths[0], "user2index")
    data = RawDataset()
    if item_path is not None:
        data.products = _read_items(item_path, report, progress)
    sequential: dict[str, list[tuple[list[str], str, Split]]] = defaultdict(list)
    for path in inter_paths:
        split = split_from_name(path)
        header, rows = _read_table(path, report, progress)
        if "item_id_list" in header:
            for _, row in rows:
                user = user_map.get(row["user_id"], row["user_id"])
                history = [item_map.get(i, i) for i in row["item_id_list"].split()]
                sequential[user].append(
                    (history, item_map.get(row["item_id"], row["item_id"]), split)
                )
        else:
            data.interactions.extend(_plain_rows(rows, split, user_map, item_map, report, path))
    seq_start = len(data.interactions)
    for user, samples in sequential.items():
        samples = _chronological(unique_samples(samples))
        built = sequences_from_windows(user, samples, seq_start)
        seq_start += len(built)
        data.interactions.extend(built)
    if not data.products:
        ids = dict.fromkeys(i.product_id for i in data.interactions)
        data.products = [Product(id=i, title="") for i in ids]
        report.notes.append("no item file: products carry ids only")
    return data


def _chronological(
    samples: list[tuple[list[str], str, Split]],
) -> list[tuple[list[str], str, Split]]:
    """Order one shopper's samples oldest target first.

    Within a split, a longer history means a later target. Files that list the
    prefixes newest first (UniSRec) are reversed first so that windows of equal
    (truncated) length keep their true order under the stable sort.
    """
    ordered: list[tuple[list[str], str, Split]] = []
    for split in SPLIT_ORDER:
        rows = [s for s in samples if s[2] is split]
        lengths = [len(h) for h, _, _ in rows]
        if len(rows) > 1 and all(a >= b for a, b in itertools.pairwise(lengths)):
            rows.reverse()
        ordered.extend(sorted(rows, key=lambda s: len(s[0])))
    return ordered


def _index_map(inter_path: Path, suffix: str) -> dict[str, str]:
    """index -> original id from `<stem>.<suffix>` beside the .inter file."""
    stem = inter_path.name.split(".")[0]
    path = inter_path.with_name(f"{stem}.{suffix}")
    if not path.is_file():
        return {}
    mapping: dict[str, str] = {}
    for _, line in iter_lines(path, progress=False):
        parts = line.split("\t")
        if len(parts) == 2:
            mapping[parts[1].strip()] = parts[0].strip()
    return mapping


def _read_table(
    path: Path, report: ValidationReport, progress: bool
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    lines = iter_lines(path, progress)
    try:
        _, header_line = next(lines)
    except StopIteration:
        raise InputError(f"{path.name} is empty (expected a RecBole header line)") from None
    header = [h.split(":")[0].strip() for h in header_line.split("\t")]
    needed = {"user_id", "item_id"} if path.suffix == ".inter" else {"item_id"}
    missing = needed - set(header)
    if missing:
        raise InputError(
            f"{path.name}: missing column(s) {', '.join(sorted(missing))}; "
            f"found {', '.join(header)} (expected a RecBole atomic header like 'user_id:token')"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for number, line in lines:
        if not line.strip():
            continue
        values = line.split("\t")
        if len(values) != len(header):
            report.malformed_line(
                path.name, number, f"{len(values)} fields, header has {len(header)}"
            )
            continue
        rows.append((number, dict(zip(header, values, strict=True))))
    return header, rows


def _plain_rows(
    rows: list[tuple[int, dict[str, str]]],
    split: Split,
    user_map: dict[str, str],
    item_map: dict[str, str],
    report: ValidationReport,
    path: Path,
) -> list[Interaction]:
    out = []
    for number, row in rows:
        value, kind = 1.0, InteractionKind.PURCHASE
        if row.get("rating"):
            try:
                value, kind = float(row["rating"]), InteractionKind.RATING
            except ValueError:
                report.malformed_line(
                    path.name, number, f"rating {row['rating']!r} is not a number"
                )
                continue
        out.append(
            Interaction(
                user_map.get(row["user_id"], row["user_id"]),
                item_map.get(row["item_id"], row["item_id"]),
                kind,
                value,
                normalise_timestamp(row.get("timestamp")),
                split,
                number,
            )
        )
    return out


def _read_items(path: Path, report: ValidationReport, progress: bool) -> list[Product]:
    header, rows = _read_table(path, report, progress)
    products = []
    if "text" in header and "title" not in header:
        report.notes.append(
            f"{path.name}: UniSRec text 'title. categories. brand.'; the category words "
            "cannot be split into levels and are kept as one category"
        )
    for _, row in rows:
        if "text" in header and "title" not in header:
            products.append(_product_from_text(row["item_id"], row["text"]))
            continue
        product = Product(
            id=row["item_id"],
            title=row.get("title", "") or row.get("item_name", ""),
            description=row.get("description", ""),
            brand=row.get("brand", ""),
            categories=_categories(row.get("categories", "") or row.get("category", "")),
        )
        apply_price(product, row.get("price"), report)
        products.append(product)
    return products


def _categories(text: str) -> list[str]:
    for sep in ("|", ">", ","):
        if sep in text:
            return [c.strip() for c in text.split(sep) if c.strip()]
    return [text.strip()] if text.strip() else []


def _product_from_text(item_id: str, text: str) -> Product:
    """UniSRec `.text` is "<title>. <category words>. <brand>." in one string."""
    parts = text.strip().rstrip(".").rsplit(". ", 2)
    if len(parts) == 3:
        title, categories, brand = parts
        return Product(
            id=item_id,
            title=title.strip(),
            brand=brand.strip(),
            categories=[categories.strip()] if categories.strip() else [],
        )
    return Product(id=item_id, title=text.strip())
