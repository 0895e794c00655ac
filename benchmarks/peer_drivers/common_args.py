"""Arguments and the result line shared by the peer drivers (run as scripts)."""

from __future__ import annotations

import argparse
import json
import resource
from typing import Any


def parse(extra: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--gowalla", required=True)
    p.add_argument(f"--{extra}", required=True)
    return p.parse_args()


def report(
    step_seconds: list[float], sample_seconds: float, eval_seconds: float, **extra: Any
) -> None:
    """One JSON line on stdout: median step, sampling per epoch, full eval, peak RSS.

    `extra` may carry `step_cpu_seconds` (a list, CPU time of all threads per
    step: less sensitive than wall time to other load on a shared machine).
    """
    cpu = extra.pop("step_cpu_seconds", None)
    print(
        json.dumps(
            {
                "step_seconds": _median(step_seconds),
                "step_cpu_seconds": _median(cpu) if cpu else None,
                "sample_seconds": round(sample_seconds, 2),
                "eval_seconds": round(eval_seconds, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "steps_timed": len(step_seconds),
                **extra,
            }
        )
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values[1:] or values)  # the first step warms caches
    return round(ordered[len(ordered) // 2], 4)
