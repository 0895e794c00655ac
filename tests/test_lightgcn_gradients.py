"""LightGCN's hand-written propagation gradient against plain dense autograd."""

from __future__ import annotations

import resource
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from recommender.lightgcn import _LightGCNModule


def _graph(seed: int = 3) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = (rng.random((13, 17)) < 0.3).astype(np.float32)
    dense[5] = 0  # a user with no items and an item nobody has: degree 0 rows
    dense[:, 7] = 0
    return sp.csr_matrix(dense)


def _dense_loss(train: sp.csr_matrix, emb: torch.Tensor, layers: int, batch, reg: float):
    """LightGCN by the paper's formula with a dense adjacency and autograd."""
    n_users, n_items = train.shape
    r = train.toarray()
    adj = np.block([[np.zeros((n_users, n_users)), r], [r.T, np.zeros((n_items, n_items))]])
    deg = adj.sum(1)
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-12)), 0.0)
    a = torch.tensor(inv[:, None] * adj * inv[None, :], dtype=torch.float64)
    xs = [emb]
    for _ in range(layers):
        xs.append(a @ xs[-1])
    out = torch.stack(xs).mean(0)
    users, pos, neg = batch
    u, p, n = out[users], out[pos + n_users], out[neg + n_users]
    diff = (u * n).sum(1) - (u * p).sum(1)
    ego = emb[users].pow(2).sum() + emb[pos + n_users].pow(2).sum()
    ego = ego + emb[neg + n_users].pow(2).sum()
    return torch.nn.functional.softplus(diff).mean() + reg * 0.5 * ego / len(users)


@pytest.mark.parametrize("layers", [0, 1, 2, 3])
@pytest.mark.parametrize("row_slice", [True, False])
def test_loss_and_gradient_match_dense_autograd(layers: int, row_slice: bool):
    train = _graph()
    module = _LightGCNModule(train, 8, layers, 0.1, 7, torch.device("cpu"))
    module.row_slice = row_slice
    assert not torch.equal(module.slot, torch.arange(30))  # rows are reordered
    # repeated users and items in one batch, as sampling produces them
    users = torch.tensor([0, 1, 1, 4, 12, 0])
    pos = torch.tensor([train[u].indices[0] for u in users.tolist()])
    neg = torch.tensor([7, 3, 3, 16, 0, 9])
    loss = module(users, pos, neg)
    loss.backward()
    emb = module.ego_embeddings().double().clone().requires_grad_(True)
    expected = _dense_loss(train, emb, layers, (users, pos, neg), 0.1)
    expected.backward()
    assert float(loss.detach()) == pytest.approx(float(expected), rel=1e-5)
    got = module.graph_embedding.grad[module.slot].double()
    assert torch.allclose(got, emb.grad, atol=1e-6, rtol=1e-4), (got - emb.grad).abs().max()
    # the gradient reaches nodes outside the batch through the graph
    outside = torch.ones(len(emb), dtype=torch.bool)
    outside[torch.cat([users, pos + 13, neg + 13])] = False
    assert (emb.grad[outside].abs().sum() > 0) == (layers > 0)


_FAULTS = """
import resource, sys, torch
from recommender.torch_loop import keep_freed_blocks
def step():  # like a training step: several graph-size tensors alive at once
    live = [torch.empty(70839, 64).fill_(1.0) for _ in range(4)]
    del live
def cycles():
    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        step()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
if sys.argv[1] == "kept":
    with keep_freed_blocks() as set_:
        assert set_
        print(cycles())
else:
    print(cycles())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc tuning")
def test_training_reuses_freed_graph_size_blocks():
    """Inside `keep_freed_blocks` the graph-size tensors of one step, freed and
    allocated again by the next, come from the heap instead of being
    page-faulted in afresh each time, as they are with glibc's defaults (each
    case in a fresh process: the setting is process-wide)."""
    pages = 70839 * 64 * 4 // resource.getpagesize()

    def faults(mode: str) -> int:
        run = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return int(run.stdout.split()[-1])

    # 40 allocations: with glibc's defaults most are fresh mappings (5x to 40x `pages`
    # measured here), kept blocks fault in 0 to 3 times. Single runs overlap near 3-5x
    # on a loaded machine, so each side is its best of three runs: kept blocks at their
    # fewest, the defaults at their most.
    kept = min(faults("kept") for _ in range(3))
    default = max(faults("default") for _ in range(3))
    assert kept < 3 * pages < default
