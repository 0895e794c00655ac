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
    """One JSON line on stdout: median step, sampling per epoch, full eval, peak RSS."""
    steps = sorted(step_seconds[1:] or step_seconds)  # the first step warms caches
    print(
        json.dumps(
            {
                "step_seconds": round(steps[len(steps) // 2], 4),
                "sample_seconds": round(sample_seconds, 2),
                "eval_seconds": round(eval_seconds, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "steps_timed": len(step_seconds),
                **extra,
            }
        )
    )
