"""The BPR training loop shared by the PyTorch models (BPR-MF, LightGCN).

One epoch visits every training pair once in a seeded random order; each pair
gets one uniformly drawn negative, rejected and redrawn (vectorised) while it
is a positive of the user. Validation NDCG@20 is measured every `eval_every`
epochs; the best state is kept (and written to `checkpoint_dir/best.pt` when
given), training stops after `patience` evaluations without improvement, and
`checkpoint_dir/last.pt` lets an interrupted run resume.

Distributed (DDP): every process draws the same permutation and takes every
`world`-th pair with a per-process batch of `batch_size / world`, so the union
of one step's shards is exactly the single-process batch and the averaged
gradient is the same; NCCL on GPUs, gloo on CPU.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
import torch
import torch.distributed as dist
from tqdm import tqdm

from catalog.errors import InputError
from recommender.data import InteractionData
from recommender.evaluation import evaluate

log = logging.getLogger(__name__)
MONITOR = "ndcg@20"


class BPRModule(Protocol):
    def parameters(self) -> Any: ...
    def state_dict(self) -> dict[str, Any]: ...
    def load_state_dict(self, state: dict[str, Any]) -> Any: ...
    def to(self, device: torch.device) -> Any: ...
    def __call__(
        self, users: torch.Tensor, pos: torch.Tensor, neg: torch.Tensor
    ) -> torch.Tensor: ...
    def export(self) -> tuple[torch.Tensor, torch.Tensor]: ...


@dataclass(slots=True)
class LoopOptions:
    progress: bool = True
    checkpoint_dir: Path | None = None
    resume: bool = False
    distributed: bool = False
    max_batches: int | None = None  # per epoch, for timing benchmarks
    on_epoch: Callable[[dict[str, Any]], None] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


def pick_device(name: str) -> torch.device:
    """`auto` = CUDA when PyTorch sees a GPU, else CPU; the same code runs on both."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise InputError(
                "device 'cuda' requested but PyTorch sees no CUDA GPU; use --device cpu"
            )
        # Mixed precision where it helps: TF32 for the dense products (BPR scores,
        # full-ranking evaluation); the sparse propagation stays in float32.
        torch.backends.cuda.matmul.allow_tf32 = True
    return torch.device(name)


def make_optimizer(module: Any, lr: float, device: torch.device) -> torch.optim.Adam:
    """Adam, fused into one kernel per step where PyTorch has one (CPU and CUDA):
    the same update without a temporary tensor per Adam term."""
    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(module.parameters(), lr=lr, fused=fused)


_MMAP_THRESHOLD, _TRIM_THRESHOLD = -3, -1  # glibc mallopt parameters


def glibc() -> Any:
    """The C library with `mallopt` and `malloc_trim`, or None off glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 - musl and friends lack them
    except (OSError, AttributeError):
        return None
    return libc


@contextlib.contextmanager
def keep_freed_blocks(mmap_below: int = 32 << 20, trim_above: int = 256 << 20) -> Iterator[bool]:
    """Within the block, let glibc reuse freed blocks of up to `mmap_below` bytes
    instead of giving them back to the system at every free; yields whether set.

    A CPU training step allocates and frees several tensors of the graph's size
    (18 MB each for Gowalla). By default glibc serves each from a fresh `mmap`,
    so every step page-faults all of them in again: about a fifth of a LightGCN
    step on CPU. The mmap threshold is raised to 32 MB (the ceiling of glibc's
    own adaptive threshold) and the trim threshold to `trim_above`. On leaving
    the block the free heap is handed back (`malloc_trim`) and the trim
    threshold set to twice the mmap threshold, the state glibc's adaptive rule
    itself ends in, so a long-running server does not keep training's memory.
    A no-op off glibc.
    """
    libc = glibc()
    ok = libc is not None and bool(libc.mallopt(_MMAP_THRESHOLD, mmap_below))
    ok = ok and bool(libc.mallopt(_TRIM_THRESHOLD, trim_above))
    try:
        yield ok
    finally:
        if libc is not None:
            if ok:
                libc.mallopt(_TRIM_THRESHOLD, 2 * mmap_below)
            libc.malloc_trim(0)


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)


class PairSampler:
    """Training pairs with uniform negatives, vectorised."""

    def __init__(self, train: sp.csr_matrix, seed: int) -> None:
        self.n_items = train.shape[1]
        self.users = np.repeat(np.arange(train.shape[0], dtype=np.int64), np.diff(train.indptr))
        self.items = train.indices.astype(np.int64)
        self.keys = self.users * self.n_items + self.items  # sorted: CSR rows, sorted columns
        self.seed = seed

    def epoch(self, epoch: int, rank: int = 0, world: int = 1) -> tuple[np.ndarray, ...]:
        rng = np.random.default_rng((self.seed, epoch))
        order = rng.permutation(len(self.users))
        neg = rng.integers(0, self.n_items, len(order))
        users, pos = self.users[order], self.items[order]
        for _ in range(100):
            bad = np.flatnonzero(self._is_positive(users, neg))
            if len(bad) == 0:
                break
            neg[bad] = rng.integers(0, self.n_items, len(bad))
        return users[rank::world], pos[rank::world], neg[rank::world]

    def _is_positive(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        q = users * self.n_items + items
        at = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        return self.keys[at] == q


def validation_score_fn(module: BPRModule) -> Callable[[np.ndarray], torch.Tensor]:
    """Propagate once, then score batches of users by a matrix product.

    The scores go into one buffer reused from batch to batch (`evaluate` is done
    with a batch before it asks for the next): a fresh (2048, n_items) tensor per
    batch costs more in page faults than the product itself on CPU.
    """
    with torch.no_grad():
        users, items = module.export()
    items_t = items.T.contiguous()
    buffer: list[torch.Tensor] = []

    def score(rows: np.ndarray) -> torch.Tensor:
        idx = torch.from_numpy(rows).to(users.device)
        if not buffer or len(buffer[0]) < len(rows):
            buffer[:] = [torch.empty((len(rows), items_t.shape[1]), device=users.device)]
        return torch.mm(users[idx], items_t, out=buffer[0][: len(rows)])

    return score


def train_bpr(
    module: Any, data: InteractionData, hyper: dict[str, Any], opts: LoopOptions
) -> dict[str, Any]:
    """Train `module` in place; return the best validation metrics."""
    device = pick_device(hyper["device"])
    with keep_freed_blocks() if device.type == "cpu" else contextlib.nullcontext():
        return _train(module, data, hyper, opts, device)


def _train(
    module: Any,
    data: InteractionData,
    hyper: dict[str, Any],
    opts: LoopOptions,
    device: torch.device,
) -> dict[str, Any]:
    rank, world = (dist.get_rank(), dist.get_world_size()) if opts.distributed else (0, 1)
    seed_everything(int(hyper["seed"]))
    module.to(device)
    runner = _wrap(module, device, opts.distributed)
    optimizer = make_optimizer(module, float(hyper["lr"]), device)
    sampler = PairSampler(data.train, int(hyper["seed"]))
    state = _Progress()
    if opts.resume and opts.checkpoint_dir is not None:
        state = _resume(module, optimizer, opts.checkpoint_dir, device)
    per_rank = max(int(hyper["batch_size"]) // world, 1)
    target = data.validation
    for epoch in range(state.epoch, int(hyper["epochs"])):
        started = time.perf_counter()
        loss = _run_epoch(
            runner,
            optimizer,
            sampler.epoch(epoch, rank, world),
            per_rank,
            device,
            epoch,
            opts,
            rank,
        )
        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "loss": loss,
            "seconds": round(time.perf_counter() - started, 3),
        }
        if target is not None and (
            (epoch + 1) % int(hyper["eval_every"]) == 0 or epoch + 1 == int(hyper["epochs"])
        ):
            t0 = time.perf_counter()
            metrics = evaluate(validation_score_fn(module), data.train, target)
            record.update(metrics, eval_seconds=round(time.perf_counter() - t0, 3))
            if metrics[MONITOR] > state.best_score:
                state.best_score, state.best_metrics, state.bad = metrics[MONITOR], metrics, 0
                state.best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
                _save(opts.checkpoint_dir, "best.pt", module, optimizer, epoch + 1, state, rank)
            else:
                state.bad += 1
        state.epoch = epoch + 1
        _save(opts.checkpoint_dir, "last.pt", module, optimizer, epoch + 1, state, rank)
        opts.history.append(record)
        if opts.on_epoch is not None and rank == 0:
            opts.on_epoch(record)
        log.info("epoch %s", record)
        if state.bad >= int(hyper["patience"]):
            break
    if state.best_state is not None:
        module.load_state_dict(state.best_state)
    return {
        **state.best_metrics,
        "epochs_trained": state.epoch,
        "best_epoch": state.best_epoch(opts.history),
    }


@dataclass(slots=True)
class _Progress:
    epoch: int = 0
    best_score: float = -1.0
    best_metrics: dict[str, Any] = field(default_factory=dict)
    best_state: dict[str, torch.Tensor] | None = None
    bad: int = 0

    def best_epoch(self, history: list[dict[str, Any]]) -> int | None:
        for record in history:
            if record.get(MONITOR) == self.best_score:
                return int(record["epoch"])
        return None


def _wrap(module: Any, device: torch.device, distributed: bool) -> Any:
    if not distributed:
        return module
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index or 0] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def _run_epoch(
    runner: Any,
    optimizer: torch.optim.Optimizer,
    triples: tuple[np.ndarray, ...],
    batch: int,
    device: torch.device,
    epoch: int,
    opts: LoopOptions,
    rank: int,
) -> float:
    # The epoch's triples go to the device in one copy, and the loss is summed
    # there: reading it back per batch (float(loss)) would make the host wait for
    # the device after every step, which on a GPU costs more than the step itself.
    users, pos, neg = (torch.from_numpy(a).to(device) for a in triples)
    n_batches = math.ceil(len(users) / batch)
    if opts.max_batches is not None:
        n_batches = min(n_batches, opts.max_batches)
    total = torch.zeros((), dtype=torch.float64, device=device)
    shown = opts.progress and rank == 0
    bar = tqdm(range(n_batches), desc=f"epoch {epoch + 1}", leave=False, disable=not shown)
    for b in bar:
        sl = slice(b * batch, (b + 1) * batch)
        loss = runner(users[sl], pos[sl], neg[sl])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach()
        if shown and b % 20 == 0:
            bar.set_postfix(loss=f"{float(total) / (b + 1):.4f}")
    return round(float(total) / max(n_batches, 1), 6)


def _save(
    directory: Path | None,
    name: str,
    module: Any,
    optimizer: torch.optim.Optimizer,
    epoch: int,
    state: _Progress,
    rank: int,
) -> None:
    if directory is None or rank != 0:
        return
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.{os.getpid()}.tmp"
    torch.save(
        {
            "module": module.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
            "best_score": state.best_score,
            "best_metrics": state.best_metrics,
            "bad": state.bad,
        },
        tmp,
    )
    os.replace(tmp, directory / name)


def _resume(
    module: Any, optimizer: torch.optim.Optimizer, directory: Path, device: torch.device
) -> _Progress:
    path = directory / "last.pt"
    if not path.is_file():
        raise InputError(f"nothing to resume: no checkpoint at {path}")
    saved = torch.load(path, map_location=device, weights_only=True)
    try:
        module.load_state_dict(saved["module"])
    except RuntimeError as exc:
        raise InputError(
            f"cannot resume from {path}: it was written for another model layout "
            f"({str(exc).splitlines()[0]}); train again without --resume"
        ) from None
    optimizer.load_state_dict(saved["optimizer"])
    state = _Progress(
        saved["epoch"], saved["best_score"], saved["best_metrics"], None, saved["bad"]
    )
    best = directory / "best.pt"
    if best.is_file():
        state.best_state = torch.load(best, map_location=device, weights_only=True)["module"]
    return state
