"""Shared pieces of the recommender benchmarks: the real catalogs ingested
once into a scratch data dir, peak memory, and timing helpers."""

from __future__ import annotations

import resource
import sys
import tempfile
from pathlib import Path

from benchmarks.common import real_sources, shared_data_dir
from catalog.ingest import ingest
from catalog.store import Store


def default_home() -> Path:
    return Path(tempfile.gettempdir()) / "shopassist-bench-home"


def open_catalog(name: str, home: Path) -> Store:
    """A store in `home` holding catalog `name`, ingested from ../shared/data if needed."""
    data = shared_data_dir()
    if not data.is_dir():
        sys.exit(f"real data not found at {data}; set SHOPASSIST_SHARED_DATA")
    store = Store.in_home(home)
    fmt, paths = real_sources(data)[name]
    ingest(store, name, fmt, paths, progress=False)  # a no-op when already there
    return store


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
