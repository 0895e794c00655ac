"""Full-ranking metrics on rankings small enough to check by hand, and the
split policy of recommender.data."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import torch

from catalog.demo import DemoConfig
from catalog.ingest import build_demo
from recommender.data import load_interactions
from recommender.evaluation import evaluate


def test_metrics_by_hand():
    # user 0 ranks items 5,4,3,2,1,0 (item 5 is masked as training), targets {4, 0}
    # user 1 ranks 0..5 ascending by score, target {5} -> rank 1 after nothing masked
    scores = torch.tensor([[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]], dtype=torch.float32)
    mask = sp.csr_matrix(np.array([[0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]], dtype=np.float32))
    target = sp.csr_matrix(np.array([[1, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]], dtype=np.float32))
    m = evaluate(lambda rows: scores[torch.from_numpy(rows)], mask, target, ks=(1, 5))
    # user 0: ranked 4,3,2,1,0 -> hit at rank 1 (item 4) and rank 5 (item 0)
    dcg0 = 1 + 1 / math.log2(6)
    idcg0 = 1 + 1 / math.log2(3)
    assert math.isclose(m["recall@1"], (0.5 + 1.0) / 2)
    assert math.isclose(m["recall@5"], (1.0 + 1.0) / 2)
    assert math.isclose(m["precision@5"], (2 / 5 + 1 / 5) / 2)
    assert math.isclose(m["hit_rate@1"], 1.0)
    assert math.isclose(m["ndcg@5"], (dcg0 / idcg0 + 1.0) / 2, rel_tol=1e-6)
    assert m["users"] == 2


def test_demo_gets_a_temporal_leave_last_out_split(store):
    build_demo(store, DemoConfig(products=200, shoppers=120), name="mini")
    data = load_interactions(store, "mini")
    assert data.validation_split == "valid"
    per_user_test = np.diff(data.test.indptr)
    assert set(per_user_test.tolist()) <= {0, 1} and per_user_test.sum() > 100
    assert data.train.multiply(data.test).nnz == 0 and data.train.multiply(data.valid).nnz == 0
    arrays = store.interaction_arrays("mini")
    u = int(np.flatnonzero(per_user_test)[0])
    newest = arrays.items[arrays.users == u][np.argmax(arrays.timestamps[arrays.users == u])]
    assert data.test[u].indices.tolist() == [int(newest)]
    assert data.seen.nnz == data.train.nnz + data.valid.nnz + data.test.nnz
