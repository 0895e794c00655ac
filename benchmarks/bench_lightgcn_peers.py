"""Speed of our LightGCN against RecBole 1.2.1 and the reference
gusye1234/LightGCN-PyTorch, side by side on the same Gowalla split with the
same hyperparameters (dim 64, 3 layers, lr 1e-3, reg 1e-4, batch 2048).

The peers are installed outside this repository and passed in:
    python -m benchmarks.bench_lightgcn_peers \
        --recbole-python /path/to/venv-with-recbole/bin/python \
        --reference-dir /path/to/LightGCN-PyTorch --batches 40

Each implementation runs alone in its own process, `--rounds` times in turn
(ours, RecBole, reference, ours, ...) so that a slow spell of a shared machine
falls on all of them alike; per implementation the run with the median step
time is reported, with the fastest and slowest step medians beside it. A run
is `--batches` training steps (epoch time is extrapolated to the 396 steps of
a Gowalla epoch, plus the per-epoch sampling the implementation does), one
full-ranking evaluation of all test users, and the process's peak RSS.
RecBole gets its numpy-2 shims (`np.float_`, `dok_matrix._update`) at run
time. The reference gets the Gowalla train file (decompressed from
../shared/data) and, so that its one-off 15 GB adjacency build is skipped, its
own cache file `s_pre_adj_mat.npz` written with the same normalisation. A
peer whose location is not given or not found is skipped with a message.
Results: benchmarks/results/lightgcn_peers.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, RESULTS, print_table, shared_data_dir, write_results

GOWALLA_EPOCH_STEPS = 396  # ceil(810,128 / 2048)
DRIVERS = Path(__file__).resolve().parent / "peer_drivers"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--recbole-python", type=Path, help="python of a venv with recbole==1.2.1")
    p.add_argument("--reference-dir", type=Path, help="checkout of gusye1234/LightGCN-PyTorch")
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--rounds", type=int, default=1, help="interleaved runs of each")
    p.add_argument("--only", choices=["ours", "recbole", "reference"], action="append")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "shopassist-peers")
    args = p.parse_args(argv)
    gowalla = shared_data_dir() / "lightgcn_gowalla"
    args.work.mkdir(parents=True, exist_ok=True)
    wanted = args.only or ["ours", "recbole", "reference"]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in wanted}
    for round_ in range(args.rounds):
        for name in wanted:
            command = _command(name, args, gowalla)
            if command is None:
                continue
            print(f"running {name} (round {round_ + 1} of {args.rounds}) ...", flush=True)
            proc = subprocess.run(command, capture_output=True, text=True, cwd=args.work)
            if proc.returncode != 0:
                print(f"{name} failed:\n{proc.stderr[-3000:]}", file=sys.stderr)
                continue
            runs[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    rows: list[dict[str, Any]] = []
    for name, results in runs.items():
        if not results:
            continue
        results.sort(key=lambda r: r["step_seconds"])
        result = dict(results[(len(results) - 1) // 2])  # the median run (lower middle)
        result["epoch_seconds_est"] = round(
            result["sample_seconds"] + result["step_seconds"] * GOWALLA_EPOCH_STEPS, 1
        )
        result["runs"] = len(results)
        result["step_seconds_range"] = [results[0]["step_seconds"], results[-1]["step_seconds"]]
        rows.append({"implementation": name, **result})
    rows = _merge_previous(rows)
    columns = ["implementation", "step_seconds", "sample_seconds", "epoch_seconds_est"]
    columns += ["eval_seconds", "peak_rss_mb", "steps_timed", "runs", "step_seconds_range"]
    print_table(rows, columns)
    ours = next((r for r in rows if r["implementation"] == "ours"), None)
    if ours:
        for r in rows:
            r["epoch_speedup_vs_ours"] = round(
                r["epoch_seconds_est"] / ours["epoch_seconds_est"], 2
            )
    print(write_results("lightgcn_peers", rows, batches=args.batches, rounds=args.rounds))


def _merge_previous(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the earlier rows of implementations not run this time (`--only`)."""
    path = RESULTS / "lightgcn_peers.json"
    if not path.is_file():
        return rows
    ran = {r["implementation"] for r in rows}
    earlier = [r for r in json.loads(path.read_text())["rows"] if r["implementation"] not in ran]
    return earlier + rows


def _command(name: str, args: argparse.Namespace, gowalla: Path) -> list[str] | None:
    common = ["--batches", str(args.batches), "--gowalla", str(gowalla)]
    if name == "ours":
        return [sys.executable, str(DRIVERS / "ours.py"), *common, "--repo", str(REPO)]
    if name == "recbole":
        if args.recbole_python is None or not args.recbole_python.exists():
            print("skipping RecBole: pass --recbole-python (a venv with recbole==1.2.1)")
            return None
        return [
            str(args.recbole_python),
            str(DRIVERS / "recbole_driver.py"),
            *common,
            "--work",
            str(args.work),
        ]
    if args.reference_dir is None or not (args.reference_dir / "code" / "main.py").is_file():
        print("skipping the reference: pass --reference-dir (a checkout of LightGCN-PyTorch)")
        return None
    _prepare_reference(args.reference_dir, gowalla)
    python = str(args.recbole_python or sys.executable)
    return [
        python,
        str(DRIVERS / "reference_driver.py"),
        *common,
        "--code",
        str(args.reference_dir / "code"),
    ]


def _prepare_reference(root: Path, gowalla: Path) -> None:
    """Its data dir needs train.txt; its adjacency cache is written once, in its format."""
    data = root / "data" / "gowalla"
    data.mkdir(parents=True, exist_ok=True)
    for name in ("test.txt", "user_list.txt", "item_list.txt"):
        if not (data / name).is_file():
            shutil.copy(gowalla / name, data / name)
    train = data / "train.txt"
    if not train.is_file() or train.stat().st_size == 0:
        with gzip.open(gowalla / "train.txt.gz", "rb") as src, train.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    cache = data / "s_pre_adj_mat.npz"
    if not cache.is_file() or cache.stat().st_size < 1000:
        sys.path.insert(0, str(REPO))
        import scipy.sparse as sp

        from recommender.data import InteractionData
        from recommender.lightgcn import normalized_adjacency

        users, items = _read_lightgcn(train)
        n_users, n_items = int(users.max()) + 1, int(items.max()) + 1
        n_items = max(n_items, _count_lines(gowalla / "item_list.txt") - 1)
        d = InteractionData.from_pairs(users, items, n_users, n_items)
        sp.save_npz(cache, normalized_adjacency(d.train).tocsr())
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 2))


def _read_lightgcn(path: Path) -> tuple[Any, Any]:
    import numpy as np

    users, items = [], []
    for line in path.read_text().splitlines():
        parts = [int(x) for x in line.split()]
        if len(parts) > 1:
            users += [parts[0]] * (len(parts) - 1)
            items += parts[1:]
    return np.array(users), np.array(items)


def _count_lines(path: Path) -> int:
    with path.open() as fh:
        return sum(1 for _ in fh)


if __name__ == "__main__":
    main()
