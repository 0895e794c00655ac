import pytest

from catalog.cleaning import (
    clean_dataset,
    looks_like_junk,
    normalise_timestamp,
    parse_price,
    repair_title,
)
from catalog.models import Interaction, Product, RawDataset, Review
from catalog.report import ValidationReport


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$25.00", (25.0, "USD", None)),
        ("$1,250.00", (1250.0, "USD", None)),
        ("¥199", (199.0, "CNY", None)),
        ("199元", (199.0, "CNY", None)),
        ("EUR 12,50", (12.5, "EUR", None)),
        ("£7", (7.0, "GBP", None)),
        ("$10.00 - $20.00", (10.0, "USD", 20.0)),
        (12.5, (12.5, "USD", None)),
        ("-5", (-5.0, "USD", None)),
        ("", (None, "USD", None)),
        (None, (None, "USD", None)),
        ("call for price", (None, "USD", None)),
        (
            ".a-box-inner{background-color:#fff}#alohaBuyBoxWidget .selected{color:#fffbf3}",
            (None, "USD", None),
        ),
    ],
)
def test_parse_price(raw, expected):
    assert parse_price(raw) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1529193600, 1529193600),
        (1588687728923, 1588687728),  # milliseconds
        ("06 17, 2018", 1529193600),  # Amazon 2018 reviewTime
        ("2018-06-17", 1529193600),
        ("2018-06-17T00:00:00Z", 1529193600),
        ("", None),
        ("yesterday", None),
        (-5, None),
    ],
)
def test_normalise_timestamp(value, expected):
    assert normalise_timestamp(value) == expected


def test_markup_title_is_repaired_from_its_readable_part():
    report = ValidationReport()
    p = Product(
        id="1", title='Blue Mug <span class="x">var aPageStart = (new Date()).getTime();</span>'
    )
    repair_title(p, report)
    assert p.title == "Blue Mug"
    assert report.repaired["title_markup_removed"] == 1


def test_markup_only_title_is_rebuilt_from_other_fields():
    report = ValidationReport()
    p = Product(
        id="1",
        title="<div>var x = (new Date()).getTime();</div>",
        brand="Acme",
        categories=["Kitchen", "Mugs"],
    )
    repair_title(p, report)
    assert p.title == "Acme Mugs"
    assert report.repaired["title_rebuilt_from_other_fields"] == 1
    assert not looks_like_junk(p.title)


def test_markup_title_takes_the_name_the_description_begins_with():
    """A listing whose title was page markup, rebuilt as "Publisher + category", names
    nothing a shopper asks for; its description opens with the product's own name."""
    report = ValidationReport()
    p = Product(
        id="1",
        title="<span>var aPageStart = (new Date()).getTime();</span>",
        brand="Intuit",
        categories=["Software", "Finance"],
        description="Quicken Deluxe 2018 Personal Finance Software. Manage money in one place.",
    )
    repair_title(p, report)
    assert p.title == "Quicken Deluxe 2018 Personal Finance Software"
    assert report.repaired["title_rebuilt_from_other_fields"] == 1


def test_unrecoverable_title_is_flagged():
    report = ValidationReport()
    p = Product(id="1", title="<script>function () {}</script>")
    repair_title(p, report)
    assert p.title == ""
    assert report.flagged["title_unrecoverable"] == 1


def test_entities_are_unescaped_and_counted():
    report = ValidationReport()
    p = Product(id="1", title="Maggiano&#39;s Gift Card")
    repair_title(p, report)
    assert p.title == "Maggiano's Gift Card"
    assert report.repaired["title_html_entities"] == 1


def test_clean_dataset_counts_duplicates_unknown_products_and_bad_prices():
    raw = RawDataset(
        products=[
            Product("a", "A", price=-1.0),
            Product("a", "A again"),
            Product("b", "B", price=5e9),
            Product("c", "C", price=10.0),
        ],
        interactions=[
            Interaction("u1", "a", timestamp=1),
            Interaction("u1", "a", timestamp=1),
            Interaction("u1", "zzz", timestamp=2),
            Interaction("u2", "c"),
        ],
        reviews=[Review("1", "u1", "c", 4.0, text="ok"), Review("2", "u3", "c", 9.0, text="x")],
    )
    report = ValidationReport()
    out = clean_dataset(raw, report)
    assert [p.id for p in out.products] == ["a", "b", "c"]
    assert report.duplicates_removed["products"] == 1
    assert report.duplicates_removed["interactions"] == 1
    assert report.dropped["interaction_unknown_product"] == 1
    assert report.flagged["price_negative_or_invalid"] == 1
    assert report.flagged["price_absurd"] == 1
    assert out.products[0].price is None and out.products[1].price is None
    assert report.flagged["review_rating_out_of_range"] == 1
    assert {s.id for s in out.shoppers} == {"u1", "u2", "u3"}
    assert out.products[2].rating_avg == 4.0 and out.products[2].rating_count == 1
    assert report.missing["products"]["price"] == 2


def test_by_prefix_is_removed_from_brands():
    report = ValidationReport()
    out = clean_dataset(RawDataset(products=[Product("a", "Card", brand="by Apple")]), report)
    assert out.products[0].brand == "Apple" and report.repaired["brand_by_prefix"] == 1
