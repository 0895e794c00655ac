"""Ingest speed and validation summaries on the real data sets.

Targets (Foundation issue): Amazon Gift Cards under 10 s, the Gowalla LightGCN
split (1M interactions) under 60 s. Each data set is ingested `--repeat` times
into a fresh store; the table shows the median and the validation summary.

    python -m benchmarks.bench_ingest [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from benchmarks.common import print_table, real_sources, shared_data_dir, write_results
from catalog.ingest import build_demo, ingest
from catalog.store import Store

TARGETS = {"gift_cards": 10.0, "gowalla": 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = shared_data_dir()
    if not data.is_dir():
        raise SystemExit(f"real data not found at {data} (set SHOPASSIST_SHARED_DATA)")
    rows = []
    sources = real_sources(data)
    names = ["gift_cards", "gowalla", "scientific", "industrial"]
    for name, (fmt, paths) in [*((n, sources[n]) for n in names), ("demo", ("demo", {}))]:
        times, report = [], None
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp, Store.in_home(tmp) as store:
                started = time.perf_counter()
                if fmt == "demo":
                    report = build_demo(store)
                else:
                    report = ingest(store, name, fmt, paths, progress=False)
                times.append(time.perf_counter() - started)
        rows.append(
            {
                "dataset": name,
                "format": fmt,
                "seconds_median": statistics.median(times),
                "seconds_all": [round(t, 3) for t in times],
                "target_s": TARGETS.get(name),
                "products": report.kept["products"],
                "shoppers": report.kept["shoppers"],
                "interactions": report.kept["interactions"],
                "reviews": report.kept["reviews"],
                "duplicates_removed": dict(report.duplicates_removed),
                "repaired": dict(report.repaired),
                "flagged": dict(report.flagged),
                "dropped": dict(report.dropped),
                "malformed": report.malformed_count,
            }
        )
        print(f"{name}: {statistics.median(times):.2f} s", flush=True)
    print()
    print_table(
        rows,
        [
            "dataset",
            "format",
            "seconds_median",
            "target_s",
            "products",
            "shoppers",
            "interactions",
            "reviews",
            "malformed",
        ],
    )
    for r in rows:
        print(
            f"{r['dataset']}: duplicates {r['duplicates_removed']} repaired {r['repaired']}"
            f" flagged {r['flagged']} dropped {r['dropped']}"
        )
    print(f"\nwrote {write_results('ingest', rows, repeat=args.repeat)}")


if __name__ == "__main__":
    main()
