"""The LightGCN convergence benchmark run in pieces: a piece stopped by its time
budget leaves a checkpoint, and `--resume` goes on from it with the curve and
the wall time carried over, ending where one uninterrupted run would."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks import bench_lightgcn_gowalla as bench
from recommender.data import InteractionData


def _data() -> InteractionData:
    rng = np.random.default_rng(5)
    train = sp.csr_matrix((rng.random((40, 30)) < 0.2).astype(np.float32))
    test = sp.csr_matrix((rng.random((40, 30)) < 0.05).astype(np.float32))
    return InteractionData(
        [f"u{i}" for i in range(40)],
        [f"i{j}" for j in range(30)],
        train,
        test=test,
        validation_split="test",
    )


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The benchmark on a 40 x 30 data set, its results written under tmp_path."""
    data = _data()
    monkeypatch.setattr(bench, "open_catalog", lambda *a: contextlib.nullcontext())
    monkeypatch.setattr(bench, "load_interactions", lambda *a: data)
    monkeypatch.setattr(bench, "serving_latency", lambda model: {"p99_ms": 0.0})
    monkeypatch.setattr(bench, "write_results", _writer(tmp_path))
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    return tmp_path


def _writer(out: Path):
    def write(name: str, rows: list, **extra) -> Path:
        path = out / f"{name}.json"
        path.write_text(json.dumps({"rows": rows, **extra}))
        return path

    return write


ARGS = ["--epochs", "6", "--batch-size", "16", "--dim", "8", "--eval-every", "2", "--name", "r"]


def test_a_run_in_pieces_ends_as_one_run_would(tiny: Path):
    ckpt = tiny / "ckpt"
    # a budget of a millisecond: the first piece stops after its first epoch
    bench.main([*ARGS, "--max-seconds", "0.001", "--checkpoint-dir", str(ckpt)])
    first = json.loads((tiny / "r.json").read_text())
    assert [r["epoch"] for r in first["rows"]] == [1]
    assert "serving" not in first["summary"]  # not trained to the end
    bench.main([*ARGS, "--max-seconds", "0.001", "--checkpoint-dir", str(ckpt), "--resume"])
    bench.main([*ARGS, "--checkpoint-dir", str(ckpt), "--resume"])
    pieces = json.loads((tiny / "r.json").read_text())
    assert [r["epoch"] for r in pieces["rows"]] == [1, 2, 3, 4, 5, 6]
    walls = [r["wall_seconds"] for r in pieces["rows"]]
    assert walls == sorted(walls) and walls[0] == first["rows"][0]["wall_seconds"]
    assert pieces["summary"]["epochs"] == 6 and "serving" in pieces["summary"]

    bench.main([*ARGS, "--name", "whole"])
    whole = json.loads((tiny / "whole.json").read_text())
    for a, b in zip(pieces["rows"], whole["rows"], strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5)
        assert a["recall@20"] == pytest.approx(b["recall@20"], abs=1e-6)


def test_resume_without_a_checkpoint_dir_is_refused(tiny: Path):
    with pytest.raises(SystemExit):
        bench.main([*ARGS, "--resume"])
