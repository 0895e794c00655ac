"""`benchmarks/gpu_check.sh` in its CPU mode, as CI runs it where there is no GPU:
the script starts, each check runs on the demo shop and reports, and the JSON
says what it measured. (The transformers-backend check is left out here to keep
the suite short: the backend itself is tested in test_llm_transformers.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import gpu_check

REPO = Path(__file__).resolve().parents[1]
FAST = ["csr_int32", "lightgcn", "graph_filters", "use_torch"]


def test_cpu_mode_runs_every_check_and_writes_its_json(tmp_path: Path):
    out = tmp_path / "gpu_check_cpu.json"
    env = dict(os.environ, PYTHON=sys.executable)
    command = [str(REPO / "benchmarks" / "gpu_check.sh"), "--device", "cpu", "--out", str(out)]
    command += ["--home", str(tmp_path / "home"), "--checks", *FAST]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    assert report["device"] == "cpu" and report["dataset"] == "demo"
    checks = report["checks"]
    assert list(checks) == FAST and all(c["status"] == "ok" for c in checks.values())
    assert checks["csr_int32"]["index_dtype"] == "torch.int32"
    assert checks["csr_int32"]["max_relative_error"] < 1e-5
    light = checks["lightgcn"]
    assert len(light["loss"]) == 2 and light["max_relative_loss_gap"] < gpu_check.LOSS_TOLERANCE
    assert light["loss"][1] < light["loss"][0] < 0.7  # it learns (BPR starts at log 2)
    for name in ("gfcf", "bspm"):
        assert checks["graph_filters"][name]["recall@20"] > 0.05
    assert checks["use_torch"]["mean_cosine_to_numpy"] > 0.9999
    for name in FAST:
        assert f"{name:<18} ok" in proc.stdout


def test_without_a_gpu_the_default_device_is_a_clear_error(tmp_path: Path):
    if gpu_check.torch.cuda.is_available():
        pytest.skip("a GPU is here: the default run is the real check, not an error")
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(
        [str(REPO / "benchmarks" / "gpu_check.sh"), "--out", str(tmp_path / "x.json")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and "use --device cpu" in proc.stderr
    assert not (tmp_path / "x.json").exists()
