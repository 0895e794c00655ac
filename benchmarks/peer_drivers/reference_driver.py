"""The reference LightGCN-PyTorch on Gowalla: its own sampler, `--batches` of its
own training steps, and its own full test; its code is imported, not copied."""

from __future__ import annotations

import os
import sys
import time

from common_args import parse, report


def main() -> None:
    args = parse("code")
    sys.argv = ["main.py", "--dataset", "gowalla", "--tensorboard", "0", "--model", "lgn"]
    sys.argv += ["--layer", "3", "--recdim", "64", "--lr", "0.001", "--decay", "1e-4"]
    sys.argv += ["--bpr_batch", "2048", "--testbatch", "100", "--seed", "2020"]
    sys.path.insert(0, args.code)
    os.chdir(args.code)
    import torch

    stdout = sys.stdout
    sys.stdout = sys.stderr  # the reference prints a lot; keep stdout for the result line
    import Procedure
    import register
    import utils
    import world

    dataset = register.dataset
    model = register.MODELS[world.model_name](world.config, dataset).to(world.device)
    bpr = utils.BPRLoss(model, world.config)
    t = time.perf_counter()
    sample = utils.UniformSample_original(dataset)
    users = torch.Tensor(sample[:, 0]).long()
    pos = torch.Tensor(sample[:, 1]).long()
    neg = torch.Tensor(sample[:, 2]).long()
    users, pos, neg = utils.shuffle(users, pos, neg)
    sample_seconds = time.perf_counter() - t
    steps: list[float] = []
    cpu: list[float] = []
    batches = utils.minibatch(users, pos, neg, batch_size=world.config["bpr_batch_size"])
    for _ in range(args.batches):
        t, c = time.perf_counter(), time.process_time()
        bu, bp, bn = next(batches)
        bpr.stageOne(bu, bp, bn)
        steps.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    t = time.perf_counter()
    result = Procedure.Test(dataset, model, 0, None, 0)
    eval_seconds = time.perf_counter() - t
    sys.stdout = stdout
    report(
        steps,
        sample_seconds,
        eval_seconds,
        step_cpu_seconds=cpu,
        recall_after_steps=float(result["recall"][0]),
    )


if __name__ == "__main__":
    main()
