"""Our LightGCN: `--batches` BPR steps and one full evaluation on Gowalla."""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import numpy as np
from common_args import parse, report


def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    opener = gzip.open if path.suffix == ".gz" else open
    users, items = [], []
    with opener(path, "rt") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) > 1:
                users.append(np.full(len(parts) - 1, int(parts[0])))
                items.append(np.array(parts[1:], dtype=np.int64))
    return np.concatenate(users), np.concatenate(items)


def main() -> None:
    args = parse("repo")
    sys.path.insert(0, args.repo)
    import torch

    from recommender.data import InteractionData
    from recommender.evaluation import evaluate
    from recommender.lightgcn import _LightGCNModule
    from recommender.torch_loop import (
        PairSampler,
        keep_freed_blocks,
        make_optimizer,
        validation_score_fn,
    )

    g = Path(args.gowalla)
    train, test = read(g / "train.txt.gz"), read(g / "test.txt")
    data = InteractionData.from_pairs(*train, 29858, 40981, test=test)
    module = _LightGCNModule(data.train, 64, 3, 1e-4, 2020, torch.device("cpu"))
    with keep_freed_blocks():  # as train_bpr does on CPU
        optimizer = make_optimizer(module, 1e-3, torch.device("cpu"))
        t = time.perf_counter()
        users, pos, neg = (torch.from_numpy(a) for a in PairSampler(data.train, 2020).epoch(0))
        sample = time.perf_counter() - t
        steps: list[float] = []
        cpu: list[float] = []
        for b in range(args.batches):
            sl = slice(b * 2048, (b + 1) * 2048)
            t, c = time.perf_counter(), time.process_time()
            loss = module(users[sl], pos[sl], neg[sl])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        t = time.perf_counter()
        metrics = evaluate(validation_score_fn(module), data.train, data.test)
        eval_seconds = time.perf_counter() - t
    report(
        steps,
        sample,
        eval_seconds,
        step_cpu_seconds=cpu,
        recall_after_steps=metrics["recall@20"],
    )


if __name__ == "__main__":
    main()
