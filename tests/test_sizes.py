"""A size the shopper picks ("nitrile gloves, size large", "要中号的") holds the picks: a
glove whose title gives only another size goes after those of the size asked for, on a
hand-made shop of gloves in four sizes (a real search index, the packaged embedder)."""

from __future__ import annotations

import time

import pytest

from agent.agent import new_state
from catalog.ingest import store_dataset
from catalog.models import Interaction, InteractionKind, Product, RawDataset
from catalog.report import ValidationReport
from tools.text import sizes_asked, title_sizes

NAME = "gloves"
SIZES = {"Small": "s", "Medium": "m", "Large": "l", "X-Large": "xl"}
MAKES = [
    ("MedPride", "MedPride Powder-Free Nitrile Exam Gloves, {size}, Box/100", 9.0),
    ("Dynarex", "Dynarex Safe-Touch Nitrile Exam Gloves, Powder-Free, {size}, 100 Count", 11.0),
    ("AMMEX", "AMMEX Medical Nitrile Gloves - Disposable, Powder Free, 4 mil, {size}, Black", 14.0),
]


def _dataset() -> RawDataset:
    products = [
        Product(
            id=f"{brand[:3].lower()}-{code}",
            title=title.format(size=size),
            brand=brand,
            categories=["Lab & Safety", "Gloves"],
            price=price,
        )
        for brand, title, price in MAKES
        for size, code in SIZES.items()
    ]
    products.append(
        Product(
            "cart",
            "Janitorial Housekeeping Cart, Large",
            brand="Rubbermaid",
            categories=["Lab & Safety", "Carts"],
            price=120.0,
        )
    )
    # the small gloves are the most bought: without the size, they would come first
    interactions = [
        Interaction(f"s{s:02d}", p.id, InteractionKind.PURCHASE, timestamp=1000 + j)
        for s in range(12)
        for j, p in enumerate(products)
        if p.id.endswith("-s") or (s + j) % 4 == 0
    ]
    return RawDataset(products, [], interactions, [])


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    home = tmp_path_factory.mktemp("gloves")
    store = Store.in_home(home)
    store_dataset(store, _dataset(), ValidationReport(NAME, "test"), time.perf_counter())
    settings = load_settings(env={"SHOPASSIST_HOME": str(home)})
    agent = build_assistant(settings, store, NAME, "none").agent
    agent.k = 3
    yield agent
    store.close()


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("nitrile gloves, powder free, size large", {"l"}),
        ("gloves in XL please", {"xl"}),
        ("size: M", {"m"}),
        ("medium size gloves", {"m"}),
        ("丁腈手套，要大号的", {"l"}),
        ("XL码的手套", {"xl"}),
        ("a large backpack for hiking", set()),  # a large thing, no size picked
        ("small strong magnets", set()),
        ("what sizes do they come in?", set()),
    ],
)
def test_the_size_a_message_picks(text, sizes):
    assert sizes_asked(text) == sizes


@pytest.mark.parametrize(
    ("title", "sizes"),
    [
        ("MedPride Powder-Free Nitrile Exam Gloves, Large, Box/100", {"l"}),
        ("Dynarex Nitrile Exam Gloves, Black, X-Large, 100 Count", {"xl"}),
        ("Adenna Nitrile Exam Gloves (Black, Medium) Box of 100", {"m"}),
        ("Vinyl Exam Gloves, 100 Per Box, Size Large", {"l"}),
        ("Neiko Digital Caliper with Extra Large LCD Screen | 0 - 12 Inches", set()),
        ("Loctite 243 Blue Medium Strength Threadlocker", set()),
        ("Heat Shrink Tubing, 8 Sizes, 2-13mm", set()),
        ("UHMW Tape Roll 3/4 in. (W) x 108 ft. (L)", set()),
    ],
)
def test_the_size_a_title_gives(title, sizes):
    assert title_sizes(title) == sizes


@pytest.mark.parametrize(
    ("request_", "size", "change", "changed"),
    [
        ("I need nitrile exam gloves, powder free, size large", "l", "actually XL please", "xl"),
        ("丁腈检查手套，无粉的，要中号的", "m", "还是要小号的吧", "s"),
    ],
)
def test_the_size_asked_for_holds_the_picks(shop, request_, size, change, changed):
    state = new_state()
    reply = shop.turn(state, request_, "s00")
    assert reply.products
    assert [title_sizes(p.title) for p in reply.products] == [{size}] * len(reply.products)
    reply = shop.turn(state, change, "s00")
    assert reply.products
    assert [title_sizes(p.title) for p in reply.products] == [{changed}] * len(reply.products)
