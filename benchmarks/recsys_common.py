"""Shared pieces of the recommender benchmarks: the real catalogs ingested
once into a scratch data dir, peak memory, and timing helpers."""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
from pathlib import Path

from benchmarks.common import real_sources, shared_data_dir
from catalog.ingest import ingest
from catalog.store import Store
from recommender.torch_loop import glibc


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
    """Peak resident memory of this process since it started, or since the last
    `reset_peak_rss` (Linux's VmHWM; elsewhere the lifetime peak)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reset_peak_rss() -> bool:
    """Free what can be freed and restart the peak from the current resident memory,
    so that a model's peak is not hidden under a higher one of data loading.
    False where the system cannot (then `peak_rss_mb` keeps the lifetime peak)."""
    gc.collect()
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)  # hand freed heap back, as a fresh process would not hold it
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS (VmHWM)
    except OSError:
        return False
    return True
