"""The contract every recommender passes, run against each model on synthetic
data whose answers are known (see recsys_synthetic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from recsys_synthetic import FAST, cluster_of_item, clustered, known_answer, product_table

from catalog.errors import InputError, NotFoundError
from catalog.filters import ProductFilter
from recommender.registry import MODELS, load_model
from recommender.training import evaluate_model

NAMES = sorted(MODELS)
LEARNERS = [n for n in NAMES if n != "popularity"]


@pytest.fixture(scope="module")
def data():
    return clustered()


@pytest.fixture(scope="module")
def fitted(data):
    models = {}
    for name in NAMES:
        model = MODELS[name](**FAST[name]).fit(data, progress=False)
        model.set_product_table(product_table(data))
        models[name] = model
    return models


def _row(model, user: str) -> int:
    return model.user_index[user]


@pytest.mark.parametrize("name", LEARNERS)
def test_learns_the_clusters(fitted, data, name):
    model = fitted[name]
    pop = evaluate_model(fitted["popularity"], data)["recall@10"]
    assert evaluate_model(model, data)["recall@10"] > pop + 0.2
    recs = model.recommend([f"u{u}" for u in range(0, 160, 7)], k=5)
    in_cluster = [
        cluster_of_item(int(i[1:])) == int(r.user_id[1:]) % 4 for r in recs for i in r.item_ids
    ]
    assert np.mean(in_cluster) > 0.8


@pytest.mark.parametrize("name", NAMES)
def test_recommend_excludes_seen(fitted, data, name):
    model = fitted[name]
    for rec in model.recommend([f"u{u}" for u in range(20)], k=15):
        seen = {data.item_ids[i] for i in data.seen[int(rec.user_id[1:])].indices}
        assert rec.item_ids and not seen & set(rec.item_ids)
        assert list(rec.scores) == sorted(rec.scores, reverse=True)
    with_seen = model.recommend("u0", k=data.n_items, exclude_seen=False)
    assert len(with_seen.item_ids) == data.n_items


@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip_gives_identical_scores(fitted, data, name, tmp_path: Path):
    model = fitted[name]
    model.save(tmp_path / name)
    loaded = load_model(tmp_path / name)
    rows = np.arange(data.n_users)
    assert type(loaded) is type(model) and loaded.hyper == model.hyper
    assert np.array_equal(loaded.score_users(rows), model.score_users(rows))
    a, b = model.recommend("u3", k=10), loaded.recommend("u3", k=10)
    assert a.item_ids == b.item_ids and np.array_equal(a.scores, b.scores)
    with np.load(tmp_path / name / "model.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_per_user(fitted, name):
    model = fitted[name]
    users = ["u1", "u2", "nobody", "u77"]
    batch = model.recommend(users, k=8)
    for user, rec in zip(users, batch, strict=True):
        single = model.recommend(user, k=8)
        assert single.item_ids == rec.item_ids and single.cold_start == rec.cold_start
        np.testing.assert_allclose(single.scores, rec.scores, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_explain_evidence_ids_exist(fitted, data, name):
    model = fitted[name]
    target = model.recommend("u5", k=1).item_ids[0]
    exp = model.explain("u5", target)
    history = {data.item_ids[i] for i in data.train[5].indices}
    assert exp.item_id == target and exp.model == name and not exp.cold_start
    assert exp.popularity_rank >= 1 and exp.n_items == data.n_items
    assert exp.item_interactions == int(data.train[:, data.item_index[target]].sum())
    assert np.isclose(exp.score, model.recommend("u5", k=1).scores[0], rtol=1e-4)
    for c in exp.contributions:
        assert c.history_item_id in history and 0 <= c.share <= 1
    for co in exp.co_interactions:
        h, j = data.item_index[co.history_item_id], data.item_index[co.item_id]
        both = data.train[:, h].multiply(data.train[:, j])
        assert co.history_item_id in history and co.shoppers == both.sum() - both[5].sum()
    for path in exp.paths:
        assert path.via_shoppers and set(path.via_shoppers) <= set(data.user_ids)
        assert "u5" not in path.via_shoppers
    if name != "popularity":
        assert exp.contributions and exp.co_interactions and exp.paths


@pytest.mark.parametrize("name", NAMES)
def test_filters_and_cold_start(fitted, data, name):
    model = fitted[name]
    cheap = ProductFilter(max_price=30.0, categories=["cluster1"])
    rec = model.recommend("u2", k=5, filters=cheap)
    assert rec.item_ids and all(20 <= int(i[1:]) <= 30 for i in rec.item_ids)
    cold = model.recommend("never-seen-shopper", k=5, filters=cheap)
    assert cold.cold_start and all(20 <= int(i[1:]) <= 30 for i in cold.item_ids)
    pops = [model.popularity[model.item_index[i]] for i in cold.item_ids]
    assert pops == sorted(pops, reverse=True)
    assert model.explain("never-seen-shopper", "i3").cold_start
    only = model.recommend("u2", k=5, candidates=["i70", "i71", "i3"])
    assert set(only.item_ids) <= {"i70", "i71", "i3"}


@pytest.mark.parametrize("name", NAMES)
def test_unknown_items_are_clear_errors(fitted, name):
    model = fitted[name]
    for call in (
        lambda: model.explain("u1", "no-such-item"),
        lambda: model.similar_items("no-such-item"),
        lambda: model.fold_in("u1", positive=["no-such-item"]),
        lambda: model.recommend("u1", candidates=["no-such-item"]),
    ):
        with pytest.raises(NotFoundError, match="no-such-item"):
            call()
    with pytest.raises(InputError):
        model.recommend("u1", k=0)


@pytest.mark.parametrize("name", LEARNERS)
def test_similar_items_are_in_cluster(fitted, name):
    ids, scores = fitted[name].similar_items("i42", k=5)
    assert "i42" not in ids and len(ids) == 5
    assert sum(cluster_of_item(int(i[1:])) == 2 for i in ids) >= 4
    assert list(scores) == sorted(scores, reverse=True)


@pytest.mark.parametrize("name", LEARNERS)
def test_fold_in_moves_recommendations(data, name):
    model = MODELS[name](**FAST[name]).fit(data, progress=False)
    before = model.recommend("u0", k=10).item_ids  # u0 is in cluster 0

    def in_cluster3(ids: list[str]) -> int:
        return sum(cluster_of_item(int(i[1:])) == 3 for i in ids[:5])

    assert sum(cluster_of_item(int(i[1:])) == 0 for i in before[:5]) >= 3
    model.fold_in("u0", positive=["i60", "i62", "i64", "i66", "i68", "i70", "i72"])  # cluster 3
    after = model.recommend("u0", k=10).item_ids
    assert in_cluster3(after) >= 1 and in_cluster3(after) > in_cluster3(before)
    assert not {"i60", "i62"} & set(after)  # folded-in items count as seen
    top = after[0]
    twin = f"i{int(top[1:]) ^ 1}"  # its near duplicate: bought by the same users
    model.fold_in("u0", negative=[top])
    final = model.recommend("u0", k=data.n_items).item_ids
    assert top not in final and twin not in final
    fresh = model.recommend("brand-new", k=5)
    assert fresh.cold_start
    model.fold_in("brand-new", positive=["i41", "i43"])
    warm = model.recommend("brand-new", k=5)
    assert not warm.cold_start and sum(cluster_of_item(int(i[1:])) == 2 for i in warm.item_ids) >= 3


@pytest.mark.parametrize("name", LEARNERS)
def test_explain_known_answer(name):
    data = known_answer()
    model = MODELS[name](**FAST[name]).fit(data, progress=False)
    exp = model.explain("u60", "i4")
    assert exp.contributions[0].history_item_id == "i0", exp.contributions
    assert exp.co_interactions[0].history_item_id == "i0" and exp.co_interactions[0].shoppers == 30
    assert [p.history_item_id for p in exp.paths] == ["i0"] and exp.paths[0].count == 30
    if name in ("itemknn", "lightgcn", "gfcf", "bspm"):  # exact decompositions
        rest = exp.low_pass  # the graph filters' low-pass part, 0 for the others
        if name == "lightgcn":
            rest = float(model.ego_users[60] @ model.item_vectors[4]) / (model.hyper["layers"] + 1)
        assert np.isclose(sum(c.weight for c in exp.contributions) + rest, exp.score, rtol=1e-4)
