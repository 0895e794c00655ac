"""RecBole 1.2.1 LightGCN on Gowalla: `--batches` steps and one full evaluation.

numpy 2 removed `np.float_`, `np.complex_` and `np.unicode_`, and scipy removed
`dok_matrix._update`, all used by RecBole 1.2.1; they are shimmed here, at run
time, before RecBole loads.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from common_args import parse, report

for _old, _new in (("float_", np.float64), ("complex_", np.complex128), ("unicode_", np.str_)):
    if not hasattr(np, _old):
        setattr(np, _old, _new)
if not hasattr(sp.dok_matrix, "_update"):

    def _update(self, data):  # the dict update RecBole expects
        self._dict.update(data)

    sp.dok_matrix._update = _update


def write_atomic(gowalla: Path, work: Path) -> None:
    out = work / "gowalla"
    out.mkdir(parents=True, exist_ok=True)
    sources = {
        "train": gowalla / "train.txt.gz",
        "valid": gowalla / "test.txt",
        "test": gowalla / "test.txt",
    }
    for split, path in sources.items():
        target = out / f"gowalla.{split}.inter"
        if target.is_file():
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as fh, target.open("w") as dst:
            dst.write("user_id:token\titem_id:token\n")
            for line in fh:
                parts = line.split()
                dst.writelines(f"{parts[0]}\t{i}\n" for i in parts[1:])


def main() -> None:
    args = parse("work")
    work = Path(args.work)
    write_atomic(Path(args.gowalla), work)
    import torch
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.model.general_recommender import LightGCN
    from recbole.trainer import Trainer
    from recbole.utils import init_seed

    config = Config(
        model="LightGCN",
        dataset="gowalla",
        config_dict={
            "data_path": str(work),
            "benchmark_filename": ["train", "valid", "test"],
            "load_col": {"inter": ["user_id", "item_id"]},
            "embedding_size": 64,
            "n_layers": 3,
            "reg_weight": 1e-4,
            "learning_rate": 1e-3,
            "train_batch_size": 2048,
            "epochs": 1,
            "topk": [20],
            "metrics": ["Recall", "NDCG"],
            "valid_metric": "NDCG@20",
            "eval_args": {"group_by": "user", "order": "RO", "mode": "full"},
            "train_neg_sample_args": {"distribution": "uniform", "sample_num": 1},
            "use_gpu": False,
            "seed": 2020,
            "show_progress": False,
            "checkpoint_dir": str(work / "saved"),
        },
    )
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train_data, _, test_data = data_preparation(config, dataset)
    model = LightGCN(config, train_data.dataset)
    trainer = Trainer(config, model)
    steps: list[float] = []
    cpu: list[float] = []
    batches = iter(train_data)  # negatives are drawn per batch, inside the loader
    for _ in range(args.batches):
        t, c = time.perf_counter(), time.process_time()
        interaction = next(batches)
        trainer.optimizer.zero_grad()
        loss = model.calculate_loss(interaction)
        loss.backward()
        trainer.optimizer.step()
        steps.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    t = time.perf_counter()
    result = trainer.evaluate(test_data, load_best_model=False, show_progress=False)
    report(
        steps,
        0.0,
        time.perf_counter() - t,
        step_cpu_seconds=cpu,
        recall_after_steps=float(result["recall@20"]),
        torch=torch.__version__,
    )


if __name__ == "__main__":
    main()
