"""Helpers shared by the benchmarks: where the data are, the machine, result files."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# $SHOPASSIST_BENCH_RESULTS redirects the result files (the quick CI run writes elsewhere).
RESULTS = Path(
    os.environ.get("SHOPASSIST_BENCH_RESULTS") or Path(__file__).resolve().parent / "results"
)


def shared_data_dir() -> Path:
    """Real data sets: $SHOPASSIST_SHARED_DATA, default ../shared/data beside the repository."""
    return Path(os.environ.get("SHOPASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))


def real_sources(d: Path | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """The real data sets the benchmarks ingest: name -> (format, ingest paths)."""
    d = d or shared_data_dir()
    m = d / "amazon2018_industrial_scientific_minionerec"
    s = d / "amazon2018_scientific_unisrec"
    return {
        "gift_cards": (
            "amazon2018",
            {
                "reviews": d / "amazon2018_gift_cards" / "Gift_Cards_5.json.gz",
                "meta": d / "amazon2018_gift_cards" / "meta_Gift_Cards.json.gz",
            },
        ),
        "gowalla": (
            "lightgcn",
            {
                "train": d / "lightgcn_gowalla" / "train.txt.gz",
                "test": d / "lightgcn_gowalla" / "test.txt",
            },
        ),
        "scientific": (
            "recbole",
            {
                "inter": [s / f"Scientific.{x}.inter" for x in ("train", "valid", "test")],
                "item": s / "Scientific.text",
            },
        ),
        "industrial": (
            "minionerec",
            {
                "items": m / "Industrial_and_Scientific.item.json",
                "samples": [
                    m / "valid_Industrial_and_Scientific_5_2016-10-2018-11.csv",
                    m / "test_Industrial_and_Scientific_5_2016-10-2018-11.csv",
                ],
            },
        ),
        "beauty": (
            "sequential",
            {"sequences": d / "amazon2014_beauty_p5_sequential" / "sequential_data.txt"},
        ),
    }


def machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "torch": torch.__version__,
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def write_results(name: str, rows: list[dict[str, Any]], **extra: Any) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "rows": rows,
        **extra,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in columns))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)
