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

import numpy as np
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


def test_top_overlap_is_the_share_of_each_top_k_found_in_both():
    a = np.array([[5.0, 4, 3, 2, 1], [1, 2, 3, 4, 5]])
    b = np.array([[5.0, 4, 1, 2, 3], [1, 2, 3, 4, 5]])  # row 0: top 2 kept, top 3 differs
    assert gpu_check._top_overlap(a, b, 2) == 1.0
    assert gpu_check._top_overlap(a, b, 3) == pytest.approx((2 / 3 + 1) / 2)


def test_a_run_cut_short_keeps_the_checks_it_finished(tmp_path: Path, monkeypatch):
    def stopped(*args):
        raise KeyboardInterrupt  # not an error of the check: the run itself ends

    monkeypatch.setitem(gpu_check.CHECKS, "graph_filters", stopped)
    out = tmp_path / "cut.json"
    with pytest.raises(KeyboardInterrupt):
        gpu_check.main(["--device", "cpu", "--home", str(tmp_path / "home"), "--out", str(out),
                        "--checks", "csr_int32", "graph_filters"])  # fmt: skip
    report = json.loads(out.read_text())
    assert list(report["checks"]) == ["csr_int32"]
    assert report["checks"]["csr_int32"]["status"] == "ok"


def test_the_llm_check_runs_on_a_given_model_directory(tmp_path: Path):
    """The small random-weight model that travels where the packaged weights cannot:
    the backend's path (load, device, streamed generation) on it, in float32 on CPU."""
    source = gpu_check.write_tiny_llm(tmp_path / "tiny")
    assert sum(f.stat().st_size for f in source.iterdir()) < 40e6  # it must travel
    out = tmp_path / "llm.json"
    args = ["--device", "cpu", "--home", str(tmp_path / "home"), "--out", str(out)]
    code = gpu_check.main([*args, "--checks", "llm_transformers", "--llm-source", str(source)])
    check = json.loads(out.read_text())["checks"]["llm_transformers"]
    assert code == 0 and check["status"] == "ok"
    assert check["dtype"] == "torch.float32" and check["weights"] == "tiny (given)"
