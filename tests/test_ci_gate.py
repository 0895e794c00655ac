"""The CI gate: without the real data sets CI fails, naming them, instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHOPASSIST_REQUIRE_DATA"}  # CI sets it
    return {**env, "SHOPASSIST_SHARED_DATA": str(tmp_path / "no-data"), **extra}


def test_ci_stops_at_once_naming_the_missing_data(tmp_path):
    # Stand-ins for what CI runs after the check, so a broken check costs nothing here.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("make", "apt-get", "chromium"):
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    proc = subprocess.run(
        ["bash", str(REPO / ".ci" / "run")],
        env=_env(tmp_path, PATH=f"{bin_dir}:{os.environ['PATH']}"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1
    assert f"CI needs the real data sets: {tmp_path / 'no-data'} not found" in proc.stderr


def test_a_test_on_the_real_data_fails_where_data_is_required(tmp_path):
    test = "tests/test_importer_sequential.py::test_amazon_beauty_sequences"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test]
    skipped = subprocess.run(command, cwd=REPO, env=_env(tmp_path), capture_output=True, text=True)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout
    assert "real data sets not found at" in skipped.stdout
    required = _env(tmp_path, SHOPASSIST_REQUIRE_DATA="1")
    failed = subprocess.run(command, cwd=REPO, env=required, capture_output=True, text=True)
    assert failed.returncode == 1 and "the real data sets are required here" in failed.stdout
