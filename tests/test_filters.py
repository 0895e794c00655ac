"""Hard filters: exact, and the same for one product and for a table."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.filters import ProductFilter, ProductTable
from catalog.ingest import build_demo
from catalog.models import Product

PRODUCTS = [
    Product(
        "1",
        "Over-ear headphones",
        brand="Sonora",
        categories=["Electronics", "Audio", "Headphones"],
        price=99.0,
        rating_avg=4.5,
    ),
    Product(
        "2",
        "Speaker",
        brand="Vantis",
        categories=["Electronics", "Audio", "Speakers"],
        price=150.0,
        rating_avg=3.9,
        in_stock=False,
    ),
    Product(
        "3",
        "Boots",
        brand="TrailPeak",
        categories=["Sports & Outdoors", "Footwear"],
        price=None,
        rating_avg=None,
    ),
    Product("4", "Mug", brand="sonora", categories=["Kitchen"], price=12.0, rating_avg=4.9),
]


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (ProductFilter(), ["1", "2", "3", "4"]),
        (ProductFilter(max_price=100), ["1", "4"]),  # unknown price never passes a bound
        (ProductFilter(min_price=99, max_price=150), ["1", "2"]),
        (ProductFilter(categories=["audio"]), ["1", "2"]),  # any level of the path
        (ProductFilter(categories=["Headphones", "Kitchen"]), ["1", "4"]),
        (ProductFilter(brands=["SONORA"]), ["1", "4"]),
        (ProductFilter(exclude_brands=["sonora"]), ["2", "3"]),
        (ProductFilter(min_rating=4.0), ["1", "4"]),
        (ProductFilter(include_ids=["2", "3", "zzz"], exclude_ids=["3"]), ["2"]),
        (ProductFilter(in_stock_only=True), ["1", "3", "4"]),
        (ProductFilter(categories=["nothing"]), []),
    ],
)
def test_filter_rules(f, expected):
    table = ProductTable(PRODUCTS)
    assert table.allowed_ids(f) == expected
    assert [p.id for p in PRODUCTS if f.matches(p)] == expected


def test_no_product_passing_a_filter_violates_it(store):
    build_demo(store)
    products = store.products("demo")
    table = ProductTable(products)
    rng = np.random.default_rng(0)
    brands = sorted({p.brand for p in products})
    categories = table.category_names
    for trial in range(200):
        low = float(rng.uniform(0, 200))
        f = ProductFilter(
            min_price=low,
            max_price=low + float(rng.uniform(10, 200)),
            categories=list(rng.choice(categories, size=2, replace=False)),
            exclude_brands=list(rng.choice(brands, size=3, replace=False)),
            min_rating=float(rng.choice([3.0, 4.0, 4.5])),
        )
        passing = table.mask(f)
        for i in np.flatnonzero(passing):
            p = products[i]
            assert f.min_price <= p.price <= f.max_price
            assert {c.casefold() for c in p.categories} & {c.casefold() for c in f.categories}
            assert p.brand not in f.exclude_brands
            assert p.rating_avg >= f.min_rating
        if trial % 20:
            continue  # the per-product path is slow; compare it on a sample of filters
        expected = [p.id for p in products if f.matches(p)]
        assert [products[i].id for i in np.flatnonzero(passing)] == expected


def test_brand_filters_accept_any_spelling_of_a_brand():
    table = ProductTable(
        [
            Product("a", "A", brand="Trusted Media Brands, Inc."),
            Product("b", "B", brand="Oral-B"),
            Product("c", "C", brand="Orals"),
        ]
    )

    def ids(f):
        return [table.ids[i] for i in np.flatnonzero(table.mask(f))]

    assert ids(ProductFilter(brands=["trusted media brands inc"])) == ["a"]
    assert ids(ProductFilter(brands=["ORAL B"])) == ["b"]
    assert ids(ProductFilter(exclude_brands=["Oral b", "Trusted Media Brands"])) == ["c"]


def test_title_words_rule_out_products_unless_the_title_also_says_a_kept_word():
    """A gift for a sister: "men's" titles out, "men's and women's" and unisex ones in;
    a Chinese word is found inside a run of Chinese (no spaces between words)."""
    from catalog.filters import ProductFilter, ProductTable
    from catalog.models import Product

    titles = ["Swift 400 men's road running shoes", "Lite 800 women's trail running shoes",
              "Men's and Women's running socks", "Unisex headband", "Mens watch",
              "男款跑鞋", "Amen water bottle"]  # fmt: skip
    table = ProductTable([Product(str(i), t) for i, t in enumerate(titles)])
    out = ProductFilter(exclude_title_words=["men's", "mens", "男款"])
    assert table.mask(out).tolist() == [False, True, False, True, False, False, True]
    kept = ProductFilter(exclude_title_words=["men's", "mens", "男款"],
                         keep_title_words=["women's", "unisex"])  # fmt: skip
    assert table.mask(kept).tolist() == [False, True, True, True, False, False, True]
