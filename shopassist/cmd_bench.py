"""`shopassist bench`: run the benchmark suites and write benchmarks/results/REPORT.md.

shopassist bench all            every suite, each within its time budget
shopassist bench shoppers       one suite (see `shopassist bench list`)
shopassist bench shoppers --datasets NAME
                                simulated shoppers on any ingested catalog
shopassist bench all --quick    the CI smoke run (3-10 minutes): small variants of
                                the suites, written to a fresh scratch directory, and a
                                check that the accuracy figures clear their floors
                                (with SHOPASSIST_REQUIRE_DATA=1 a skipped suite fails)
shopassist bench report         rewrite REPORT.md from the result files
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from catalog.errors import InputError
from shopassist.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="run benchmark suites and write the report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("suite", help="all | report | list | a suite name")
    p.add_argument("--quick", action="store_true", help="small variants with accuracy floors")
    p.add_argument(
        "--out",
        type=Path,
        help="results directory (default benchmarks/results; with --quick a fresh scratch one)",
    )
    p.add_argument(
        "--datasets",
        nargs="+",
        metavar="NAME",
        help="run a suite that takes data sets (shoppers) on these instead: built-in ones "
        "or any catalog ingested into this store (SHOPASSIST_HOME)",
    )
    p.set_defaults(handler=run_bench)


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from benchmarks.common import RESULTS
    from benchmarks.report import write_report
    from benchmarks.suites import BY_NAME, SUITES, load_results, run_suite

    if args.suite == "list":
        for s in SUITES:
            quick = f"quick {s.quick_budget_s} s" if s.quick_args is not None else "not quick"
            print(f"{s.name:22} budget {s.budget_s:>5} s, {quick:16} {s.title}")
        return 0
    if args.out is not None:
        directory = args.out.resolve()
    elif args.quick:  # fresh each run, so no result file of an earlier run meets a floor
        directory = Path(tempfile.mkdtemp(prefix="shopassist-bench-quick-"))
    else:
        directory = RESULTS.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if args.suite == "report":
        print(f"wrote {write_report(directory)}")
        return 0
    if args.suite == "all":
        chosen = [s for s in SUITES if not args.quick or s.quick_args is not None]
    elif args.suite in BY_NAME:
        chosen = [BY_NAME[args.suite]]
        if args.quick and chosen[0].quick_args is None:
            raise InputError(f"suite {args.suite!r} has no quick variant")
    else:
        raise InputError(
            f"unknown suite {args.suite!r}: use all, report, list or one of " + ", ".join(BY_NAME)
        )
    if args.datasets:
        if args.quick or len(chosen) != 1:
            raise InputError("--datasets goes with one suite and no --quick")
        chosen = [chosen[0].with_datasets(args.datasets)]
        os.environ["SHOPASSIST_HOME"] = str(settings.home)  # the store the suite copies
    status_path = directory / "status.json"
    status = json.loads(status_path.read_text()) if status_path.is_file() else {}
    started = time.perf_counter()
    run_started = time.time() - 1  # file times can lag time.time() by a clock tick
    require_data = os.environ.get("SHOPASSIST_REQUIRE_DATA") == "1"
    problems: list[str] = []
    for suite in chosen:
        record = run_suite(suite, args.quick, directory, lambda m: print(m, flush=True))
        status[suite.name] = record
        status_path.write_text(json.dumps(status, indent=2) + "\n")
        print(f"[{suite.name}] {record['status']}"
              + (f" in {record['seconds']} s" if "seconds" in record else "")
              + (f": {record['reason']}" if "reason" in record else ""), flush=True)  # fmt: skip
        if record["status"] == "skipped" and args.quick and require_data:
            problems.append(f"{suite.name}: skipped ({record['reason']}), required here")
        elif record["status"] in ("failed", "over budget"):
            problems.append(f"{suite.name}: {record['status']}")
            if record.get("error"):
                print(record["error"], file=sys.stderr)
        elif args.quick and record["status"] == "ok" and suite.floors is not None:
            # Only files this run wrote: a stale result in an --out directory meets no floor.
            found = suite.floors(load_results(directory, since=run_started))
            problems += [f"{suite.name}: {p}" for p in found]
            print(f"[{suite.name}] floors: " + ("ok" if not found else "; ".join(found)))
    report = write_report(directory, status)
    print(f"wrote {report} ({time.perf_counter() - started:.0f} s)")
    if problems:
        print("problems:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0
