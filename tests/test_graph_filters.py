"""GF-CF and BSPM against dense references computed straight from the papers'
formulas (numpy, float64, the ODE stepped with its own solver), and the
properties serving relies on: truncation keeps each row's largest entries,
explanations add up to the score, fold-in moves a list without refitting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from catalog.errors import InputError
from recommender import graph_filters
from recommender.data import InteractionData
from recommender.graph_filters import BSPM, GFCF, sharpening_polynomial
from recommender.registry import load_model

N_USERS, N_ITEMS = 40, 30


def random_data(n_users: int, n_items: int) -> InteractionData:
    rng = np.random.default_rng(7)
    dense = rng.random((n_users, n_items)) < 0.2
    dense[np.arange(n_users), rng.integers(0, n_items, n_users)] = True  # nobody empty
    users, items = np.nonzero(dense)
    return InteractionData.from_pairs(users, items, n_users, n_items)


@pytest.fixture(scope="module")
def data() -> InteractionData:
    rng = np.random.default_rng(7)
    dense = rng.random((N_USERS, N_ITEMS)) < 0.2
    dense[np.arange(N_USERS), rng.integers(0, N_ITEMS, N_USERS)] = True  # nobody empty
    dense[0, :] = False
    dense[0, [1, 4, 9]] = True  # a short history, so every contribution is listed
    users, items = np.nonzero(dense)
    return InteractionData.from_pairs(users, items, N_USERS, N_ITEMS)


def reference_parts(data: InteractionData, k: int) -> tuple[np.ndarray, ...]:
    """R, L and P of the module docstring, dense float64, from the definitions."""
    r = data.train.toarray().astype(np.float64)
    du, di = r.sum(1), r.sum(0)
    rn = r / np.sqrt(np.maximum(du, 1))[:, None] / np.sqrt(np.maximum(di, 1))[None, :]
    v = np.linalg.svd(rn)[2][:k]
    p = np.diag(1 / np.sqrt(di)) @ v.T @ v @ np.diag(np.sqrt(di))
    return r, rn.T @ rn, p


def solve(y0: np.ndarray, lap: np.ndarray, t: float, steps: int, solver: str) -> np.ndarray:
    """dy/dt = -y L from 0 to t, stepped (the classical RK4 tableau, or Euler)."""
    h, y = t / steps, y0

    def f(z: np.ndarray) -> np.ndarray:
        return -z @ lap

    for _ in range(steps):
        if solver == "euler":
            y = y + h * f(y)
        else:
            k1 = f(y)
            k2 = f(y + h / 2 * k1)
            k3 = f(y + h / 2 * k2)
            k4 = f(y + h * k3)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


@pytest.mark.parametrize("shape", [(N_USERS, N_ITEMS), (25, 45)])  # more items than users too
def test_gfcf_scores_match_the_formula(shape):
    data = random_data(*shape)
    model = GFCF(factors=6, alpha=0.4, neighbors=0, device="cpu").fit(data, keep_operator=True)
    r, lap, p = reference_parts(data, 6)
    expected = r @ (lap + 0.4 * p)
    got = model.score_users(np.arange(shape[0]))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model.exact_scores(np.arange(shape[0])), expected, atol=1e-5)


@pytest.mark.parametrize(
    ("merge", "solver", "steps", "t"),
    [("early", "rk4", 1, 2.5), ("late", "rk4", 2, 1.5), ("early", "euler", 3, 1.2)],
)
def test_bspm_scores_match_the_ode(data, merge, solver, steps, t):
    hyper = {"factors": 5, "beta": 0.3, "sharpen_time": t, "sharpen_steps": steps}
    model = BSPM(**hyper, solver=solver, merge=merge, neighbors=0, device="cpu").fit(data)
    r, lap, p = reference_parts(data, 5)
    blurred, low = r @ lap, 0.3 * (r @ p)
    if merge == "early":
        expected = solve(blurred + low, lap, t, steps, solver)
    else:
        expected = solve(blurred, lap, t, steps, solver) + low
    got = model.score_users(np.arange(N_USERS))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_sharpening_polynomial_is_the_solver_map():
    lap = np.diag([0.0, 0.3, 1.0])
    y0 = np.ones((1, 3))
    for solver, steps in (("rk4", 1), ("rk4", 3), ("euler", 2)):
        coefficients = sharpening_polynomial(2.0, steps, solver)
        by_poly = y0 @ sum(c * np.linalg.matrix_power(lap, j) for j, c in enumerate(coefficients))
        np.testing.assert_allclose(by_poly, solve(y0, lap, 2.0, steps, solver))
    assert sharpening_polynomial(0.0, 1, "rk4").tolist() == [1.0]
    with pytest.raises(InputError, match="euler or rk4"):
        sharpening_polynomial(1.0, 1, "dopri5")


def test_truncation_keeps_each_rows_largest_entries_by_magnitude(data):
    exact = BSPM(factors=5, neighbors=0, device="cpu").fit(data)
    kept = BSPM(factors=5, neighbors=7, device="cpu").fit(data)
    full = exact.filter.toarray()
    assert (full < 0).any()  # the sharpening pushes some items down
    assert kept.filter.dtype == np.float32 and kept.filter.indices.dtype == np.int32
    assert np.all(np.diff(kept.filter.indptr) == 7)
    for i in range(N_ITEMS):
        row = kept.filter[i]
        threshold = np.sort(np.abs(full[i]))[-7]
        assert np.all(np.abs(row.data) >= threshold - 1e-6)
        np.testing.assert_allclose(row.data, full[i, row.indices], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        kept.score_users(np.arange(5)), data.train[:5] @ kept.filter.toarray(), atol=1e-5
    )


@pytest.mark.parametrize("cls", [GFCF, BSPM])
def test_explain_splits_the_score_exactly(data, cls):
    model = cls(factors=5, neighbors=12, device="cpu").fit(data)
    item = model.recommend("u0", k=1).item_ids[0]
    exp = model.explain("u0", item)
    assert {c.history_item_id for c in exp.contributions} <= {"i1", "i4", "i9"}
    assert exp.low_pass != 0.0
    linear = sum(c.weight for c in exp.contributions)
    assert linear + exp.low_pass == pytest.approx(exp.score, rel=1e-4, abs=1e-6)
    row = model.item_index[item]
    low = model.low.toarray()[[1, 4, 9], row].sum()
    assert exp.low_pass == pytest.approx(low, rel=1e-5)


def test_fold_in_changes_the_list_without_refit(data):
    model = BSPM(factors=5, neighbors=0, device="cpu", feedback_weight=2.0).fit(data)
    before = model.recommend("u0", k=5)
    filter_before = model.filter.copy()
    model.fold_in("u0", positive=["i20", "i21"])
    after = model.recommend("u0", k=5)
    assert after.item_ids != before.item_ids and not {"i20", "i21"} & set(after.item_ids)
    assert (model.filter != filter_before).nnz == 0  # nothing was refitted
    weights = np.zeros(N_ITEMS)
    weights[[1, 4, 9]] = 1.0
    weights[[20, 21]] = 2.0
    expected = weights @ model.filter.toarray()
    rows = [model.item_index[i] for i in after.item_ids]
    np.testing.assert_allclose(after.scores, expected[rows], rtol=1e-5)
    exp = model.explain("u0", after.item_ids[0])
    assert sum(c.weight for c in exp.contributions) + exp.low_pass == pytest.approx(
        exp.score, rel=1e-4
    )


def test_save_load_keeps_scores_and_explanations(data, tmp_path: Path):
    model = BSPM(factors=5, neighbors=9, device="cpu").fit(data)
    model.save(tmp_path / "bspm")
    loaded = load_model(tmp_path / "bspm")
    rows = np.arange(N_USERS)
    assert np.array_equal(loaded.score_users(rows), model.score_users(rows))
    a, b = model.explain("u3", "i2"), loaded.explain("u3", "i2")
    assert a.low_pass == b.low_pass and a.contributions == b.contributions
    with pytest.raises(InputError, match="keep_operator"):
        loaded.exact_scores(rows)
    with pytest.raises(InputError, match="keep_operator"):
        model.exact_scores(rows)  # fitted without keep_operator: the operator is gone


def test_randomized_svd_finds_the_low_pass_subspace(monkeypatch):
    """Above the exact-SVD size the basis comes from the randomized SVD; on data with
    a clear low-rank structure it spans the same subspace as the exact one."""
    rng = np.random.default_rng(3)
    n_users, n_items, k = 300, 200, 4
    taste = rng.integers(0, k, n_users)
    kind = rng.integers(0, k, n_items)
    p = np.where(taste[:, None] == kind[None, :], 0.35, 0.02)
    users, items = np.nonzero(rng.random((n_users, n_items)) < p)
    data = InteractionData.from_pairs(users, items, n_users, n_items)
    exact = GFCF(factors=k, neighbors=0, device="cpu").fit(data)
    monkeypatch.setattr(graph_filters, "EXACT_SVD_BELOW", 0)
    monkeypatch.setattr(graph_filters, "OVERSAMPLE", 8)
    fast = GFCF(factors=k, neighbors=0, device="cpu").fit(data)
    a, b = exact.low.toarray(), fast.low.toarray()
    assert np.abs(a - b).max() < 0.02 * np.abs(a).max()


def test_bad_hyperparameters_are_clear(data):
    with pytest.raises(InputError, match="merge"):
        BSPM(merge="middle", device="cpu").fit(data)
    with pytest.raises(InputError, match="no hyperparameter"):
        GFCF(sharpen_time=1.0)


def test_orthonormal_basis_spans_the_columns_and_drops_dependent_ones():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 6)) * np.logspace(0, -3, 6)
    a = np.hstack([a, a[:, :2] + a[:, 2:4]])  # two dependent columns
    q = graph_filters.orthonormal(torch.from_numpy(a.astype(np.float32))).numpy()
    assert q.shape == (500, 6)
    np.testing.assert_allclose(q.T @ q, np.eye(6), atol=1e-5)
    np.testing.assert_allclose(q @ (q.T @ a), a, atol=1e-4)  # the same column space
