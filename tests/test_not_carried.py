"""A kind the shop does not carry is said first, on a shop that lists no prices too:
"need a soldering iron ..., under 50 bucks" of a lab shop without soldering irons says it
has none before it says that prices are unknown (a hand-made shop, a real search index)."""

from __future__ import annotations

import time

import pytest

from agent.agent import new_state
from agent.parse import named_kind
from catalog.ingest import store_dataset
from catalog.models import Product, RawDataset
from catalog.report import ValidationReport

NAME = "lab"
TITLES = [
    "Digital Temperature Controller with Sensor Probe",
    "Dual Stage Digital Temperature Controller, 110V",
    "High Temperature Polyimide Tape, 30mm",
    "Liquid Tin for Copper, 475 ml Bottle",
    "Nitrile Exam Gloves, Large, Box/100",
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    home = tmp_path_factory.mktemp("lab")
    store = Store.in_home(home)
    products = [
        Product(id=f"p{i}", title=t, brand="Labco", categories=["Lab"])  # no prices
        for i, t in enumerate(TITLES)
    ]
    dataset = RawDataset(products, [], [], [])
    store_dataset(store, dataset, ValidationReport(NAME, "test"), time.perf_counter())
    settings = load_settings(env={"SHOPASSIST_HOME": str(home)})
    agent = build_assistant(settings, store, NAME, "none").agent
    yield agent
    store.close()


def test_a_request_without_i_names_what_it_asks_for():
    assert named_kind("need a soldering iron for electronics, under 50 bucks") == "soldering iron"
    assert named_kind("want a cordless drill") == "cordless drill"
    assert named_kind("I need a soldering iron for electronics") == "soldering iron"


def test_a_kind_not_carried_is_said_before_the_unknown_prices(shop):
    reply = shop.turn(
        new_state(), "need a soldering iron for electronics, temperature controlled, under 50 bucks"
    )
    assert reply.products
    assert reply.text.startswith("I couldn't find “soldering iron” in this shop")
