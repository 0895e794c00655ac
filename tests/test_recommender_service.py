"""The recommender as the rest of the system uses it: the demo shop trains a
model that beats popularity, `load_active` serves it with filters, the CLI's
`train` / `evaluate`, bad input, DDP with two CPU processes, and the
background retrain that swaps models atomically."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_cli import run as cli

from catalog.demo import DemoConfig
from catalog.errors import InputError, NotFoundError
from catalog.filters import ProductFilter
from catalog.ingest import build_demo
from catalog.models import Product, RawDataset
from catalog.report import ValidationReport
from recommender import registry
from recommender.data import EmptyDatasetError
from recommender.online import BackgroundRetrainer, ModelHandle
from recommender.training import train_model


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """`shopassist demo` run once as a real subprocess: builds the shop and trains.

    Returns the CPU seconds the command used (user + system, all threads): unlike
    wall time, that does not grow when other jobs share the machine.
    """
    home = tmp_path_factory.mktemp("demo-home")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli("demo", home=home)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return home, cpu


def test_demo_chooses_its_model_fast_and_beats_popularity(demo_home):
    home, cpu_seconds = demo_home
    assert cpu_seconds < 120
    active = registry.active_name(home, "demo")
    chosen = json.loads(cli("evaluate", "--dataset", "demo", "--json", home=home).stdout)
    pop = json.loads(
        cli(
            "train",
            "--dataset",
            "demo",
            "--model",
            "popularity",
            "--no-activate",
            "--json",
            home=home,
        ).stdout
    )
    assert pop["activated"] is False and registry.active_name(home, "demo") == active
    assert chosen["model"] == active == chosen["selection"]["chosen"]
    assert chosen["users"] > 900
    assert chosen["ndcg@20"] > 3 * pop["test"]["ndcg@20"]
    assert chosen["hit_rate@10"] > 3 * pop["test"]["hit_rate@10"]
    fitted = [r for r in chosen["selection"]["candidates"] if r["status"] == "fitted"]
    assert {"popularity", "itemknn", "gfcf", "bspm"} <= {r["model"] for r in fitted}


def test_load_active_serves_with_filters_and_explains(demo_home):
    home, _ = demo_home
    from catalog.store import Store

    with Store.in_home(home) as store:
        model = registry.load_active(home, store, "demo")
        assert model is not None and model.name == registry.active_name(home, "demo")
        shopper = store.shopper_ids("demo")[0]
        products = {p.id: p for p in store.products("demo")}
        f = ProductFilter(max_price=80.0, categories=["Audio"])
        rec = model.recommend(shopper, k=5, filters=f)
        assert rec.item_ids and not rec.cold_start
        assert all(f.matches(products[i]) for i in rec.item_ids)
        seen = {i.product_id for i in store.history("demo", shopper)}
        assert not seen & set(rec.item_ids)
        exp = model.explain(shopper, rec.item_ids[0])
        assert exp.contributions and {c.history_item_id for c in exp.contributions} <= seen
        cold = model.recommend("walk-in", k=5, filters=f)
        assert cold.cold_start and all(f.matches(products[i]) for i in cold.item_ids)
        assert registry.load_active(home, store, "nothing-trained") is None


def test_cli_bad_input(demo_home):
    home, _ = demo_home
    bad_model = cli("train", "--dataset", "demo", "--model", "nope", home=home, check=False)
    assert bad_model.returncode == 2 and "unknown model 'nope'" in bad_model.stderr
    no_catalog = cli(
        "train", "--dataset", "missing", "--model", "popularity", home=home, check=False
    )
    assert no_catalog.returncode == 2 and "no catalog named 'missing'" in no_catalog.stderr
    untrained = cli("evaluate", "--dataset", "demo", "--model", "bprmf", home=home, check=False)
    assert (
        untrained.returncode == 2
        and "shopassist train --dataset demo --model bprmf" in untrained.stderr
    )


def test_empty_dataset_is_a_clear_error(store, home):
    report = ValidationReport(catalog="empty", format="csv", sources=[], fingerprint="x")
    store.replace_catalog("empty", RawDataset(products=[Product(id="p1", title="Lamp")]), report)
    with pytest.raises(EmptyDatasetError, match="no interactions"):
        train_model(store, "empty", home, "itemknn")
    with pytest.raises(InputError, match="unknown model"):
        train_model(store, "empty", home, "transformer-xl")


def test_background_retrain_swaps_atomically_and_keeps_feedback(store, home):
    build_demo(store, DemoConfig(products=200, shoppers=120), name="mini")
    first = train_model(store, "mini", home, "itemknn").model
    handle = ModelHandle(first)
    user = first.user_ids[0]

    def retrain():
        return train_model(store, "mini", home, "popularity", activate=False).model

    # The product the retrained model would put first for this shopper: only replaying the
    # shopper's "not interested" onto it keeps it away.
    disliked = retrain().recommend(user, k=1).item_ids[0]
    for other in first.user_ids[1:]:  # other shoppers' feedback first: a longer replay
        handle.fold_in(other, negative=[disliked])
    handle.fold_in(user, negative=[disliked])
    assert disliked not in handle.model.recommend(user, k=20).item_ids

    release = threading.Event()

    def retrain_while_read():
        model = retrain()
        release.wait(30)  # the swap happens while the readers below are reading
        return model

    retrainer = BackgroundRetrainer(handle, retrain_while_read)
    thread = retrainer.start()
    served = []  # readers never block or see a model without the replayed feedback

    def read() -> None:
        model = handle.model
        served.append((model.name, disliked in model.recommend(user, k=20).item_ids))

    while thread.is_alive():
        read()
        release.set()
    thread.join(60)
    for _ in range(20):
        read()
    assert retrainer.error is None and handle.swaps == 1 and handle.model.name == "popularity"
    assert {name for name, _ in served} == {"itemknn", "popularity"}
    assert not any(shown for _, shown in served)
    assert disliked not in handle.model.recommend(user, k=20).item_ids  # feedback replayed
    with pytest.raises(NotFoundError):
        handle.fold_in(user, positive=["no-such-product"])


def test_checkpoint_resume_continues_where_it_stopped(store, home):
    build_demo(store, DemoConfig(products=200, shoppers=120), name="mini")
    hyper = {"epochs": 2, "batch_size": 512, "lr": 0.01, "device": "cpu"}
    first = train_model(store, "mini", home, "bprmf", hyperparameters=hyper)
    assert [r["epoch"] for r in first.history] == [1, 2]
    assert (home / "models" / "mini" / ".checkpoints" / "bprmf" / "last.pt").is_file()
    more = train_model(
        store, "mini", home, "bprmf", hyperparameters={**hyper, "epochs": 3}, resume=True
    )
    assert [r["epoch"] for r in more.history] == [3]
    assert more.metrics["validation"]["epochs_trained"] == 3


@pytest.mark.slow
def test_ddp_two_cpu_processes_match_one(store, home):
    """torchrun with 2 gloo processes trains to the same validation metrics as 1 process."""
    build_demo(store, DemoConfig(products=300, shoppers=200), name="mini")
    flags = ["--dataset", "mini", "--model", "lightgcn", "--epochs", "6", "--lr", "0.01"]
    flags += ["--batch-size", "512", "--eval-every", "2", "--device", "cpu", "--json", "--quiet"]
    single = json.loads(cli("train", *flags, "--no-activate", home=home).stdout)
    env = dict(os.environ, SHOPASSIST_HOME=str(home), OMP_NUM_THREADS="1")
    torchrun = [sys.executable, "-m", "torch.distributed.run"]  # what `torchrun` runs
    cmd = [*torchrun, "--nproc_per_node", "2", "--master_port", "29517", "-m", "shopassist"]
    proc = subprocess.run(
        [*cmd, "train", *flags, "--distributed"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    double = json.loads(proc.stdout)
    for key in ("recall@20", "ndcg@20"):
        assert abs(single["validation"][key] - double["validation"][key]) < 0.01, (single, double)
        assert single["validation"][key] > 0.02
