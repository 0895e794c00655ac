"""Test helpers around the server subprocess (see ui/process.py)."""

from __future__ import annotations

import os
from pathlib import Path

from ui.process import Server, build_demo, free_port

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SHOPASSIST_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))

__all__ = ["ARTIFACTS", "REPO", "Server", "build_demo", "free_port"]
