"""Shared pieces of the importers: reading (gzip or plain) line by line with
line numbers, JSON lines with malformed-line reporting, and rebuilding
per-shopper sequences from sliding-window samples."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from catalog.errors import InputError, MissingFileError
from catalog.models import Interaction, InteractionKind, Split
from catalog.report import ValidationReport

SPLIT_ORDER = {Split.TRAIN: 0, Split.VALID: 1, Split.TEST: 2}


def require_file(path: Path | str | None, what: str) -> Path:
    if path is None or str(path) == "":
        raise InputError(f"missing {what}: pass its path")
    p = Path(path)
    if not p.is_file():
        raise MissingFileError(f"{what} not found: {p} (expected an existing file)")
    return p


def open_text(path: Path) -> io.TextIOBase:
    """Open a text file, transparently gunzipping by magic number."""
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace", newline="")


def iter_lines(
    path: Path, progress: bool = True, desc: str | None = None
) -> Iterator[tuple[int, str]]:
    """(line number starting at 1, line without newline). A truncated gzip is an InputError."""
    try:
        with open_text(path) as fh:
            bar = tqdm(
                fh,
                desc=desc or path.name,
                unit=" lines",
                disable=not progress,
                mininterval=0.5,
                leave=False,
            )
            for number, line in enumerate(bar, start=1):
                yield number, line.rstrip("\r\n")
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
        raise InputError(
            f"{path.name} is damaged or truncated ({exc}); obtain a complete copy of the file"
        ) from exc


def iter_json_lines(
    path: Path, report: ValidationReport, progress: bool = True
) -> Iterator[tuple[int, dict[str, Any]]]:
    """JSON objects, one per line; malformed lines are reported and skipped."""
    for number, line in iter_lines(path, progress):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            report.malformed_line(path.name, number, f"not JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            report.malformed_line(path.name, number, "not a JSON object")
            continue
        yield number, obj


def text_of(value: Any) -> str:
    """A field that may be a string, a list of strings or missing, as one string."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value if v not in (None, ""))
    return str(value)


def sequences_from_windows(
    shopper_id: str, rows: list[tuple[list[str], str, Split]], seq_start: int = 0
) -> list[Interaction]:
    """Rebuild one shopper's sequence from (history, target, split) samples.

    Benchmark files store every prefix or a sliding window of the last few
    items; each sample overlaps the sequence built so far. The target of each
    sample is appended with the sample's split; history items never seen before
    (the start of the sequence) are training interactions. Rows must come in
    chronological order of their targets.
    """
    seq: list[str] = []
    out: list[Interaction] = []
    for history, target, split in rows:
        window = [*history, target]
        overlap = _longest_overlap(seq, window)
        for position, item in enumerate(window[overlap:], start=overlap):
            is_target = position == len(window) - 1
            seq.append(item)
            out.append(
                Interaction(
                    shopper_id,
                    item,
                    InteractionKind.PURCHASE,
                    1.0,
                    None,
                    split if is_target else Split.TRAIN,
                    seq_start + len(seq) - 1,
                )
            )
    return out


def _longest_overlap(seq: list[str], window: list[str]) -> int:
    """Largest m with seq[-m:] == window[:m], m < len(window)."""
    for m in range(min(len(seq), len(window) - 1), 0, -1):
        if seq[-m:] == window[:m]:
            return m
    return 0


def unique_samples(
    samples: list[tuple[list[str], str, Split]],
) -> list[tuple[list[str], str, Split]]:
    seen: set[tuple] = set()
    out = []
    for history, target, split in samples:
        key = (tuple(history), target, split)
        if key not in seen:
            seen.add(key)
            out.append((history, target, split))
    return out


def split_from_name(path: Path) -> Split:
    name = path.name.lower()
    for split in (Split.VALID, Split.TEST, Split.TRAIN):
        if f".{split.value}." in name or name.startswith(f"{split.value}_"):
            return split
    return Split.TRAIN
