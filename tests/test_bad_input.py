"""Bad input gets a clear, actionable error, and nothing already stored is lost."""

from __future__ import annotations

import gzip
import json

import pytest

from catalog.errors import InputError, MissingFileError, UnknownFormatError
from catalog.ingest import ingest
from conftest import FIXTURES

CSV = FIXTURES / "csv"


def _meta_line(asin: str, title: str, price: str = "$5.00") -> str:
    return json.dumps(
        {
            "asin": asin,
            "title": title,
            "price": price,
            "brand": "B",
            "category": ["Gift Cards"],
            "description": ["d"],
        }
    )


def _review_line(user: str, asin: str) -> str:
    return json.dumps(
        {
            "overall": 5.0,
            "reviewerID": user,
            "asin": asin,
            "summary": "ok",
            "reviewText": "fine",
            "unixReviewTime": 1529193600,
        }
    )


def _write_gz(path, lines):
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_truncated_gzip_is_an_error_and_store_is_unchanged(store, shared_data, tmp_path):
    g = shared_data / "amazon2018_gift_cards"
    ingest(
        store,
        "gift_cards",
        "amazon2018",
        {"reviews": g / "Gift_Cards_5.json.gz", "meta": g / "meta_Gift_Cards.json.gz"},
        progress=False,
    )
    data = (g / "Gift_Cards_5.json.gz").read_bytes()
    cut = tmp_path / "Gift_Cards_5.json.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or truncated"):
        ingest(
            store,
            "gift_cards",
            "amazon2018",
            {"reviews": cut, "meta": g / "meta_Gift_Cards.json.gz"},
            progress=False,
        )
    assert store.stats("gift_cards")["reviews"] == 2972


def test_non_json_lines_are_reported_with_line_numbers_and_skipped(store, tmp_path):
    meta = _write_gz(
        tmp_path / "meta.json.gz",
        [_meta_line("A1", "Good card"), "{not json", _meta_line("A2", "Other card"), "[1, 2]"],
    )
    reviews = _write_gz(
        tmp_path / "r.json.gz", [_review_line("u1", "A1"), "garbage", _review_line("u2", "A2")]
    )
    report = ingest(
        store, "cards", "amazon2018", {"reviews": reviews, "meta": meta}, progress=False
    )
    assert report.malformed_count == 3
    assert [(p.file, p.line) for p in report.malformed] == [
        ("meta.json.gz", 2),
        ("meta.json.gz", 4),
        ("r.json.gz", 2),
    ]
    assert store.stats("cards")["products"] == 2 and store.stats("cards")["reviews"] == 2


def test_only_first_twenty_problems_are_listed_but_all_are_counted(store, tmp_path):
    meta = _write_gz(tmp_path / "meta.json.gz", [_meta_line("A1", "Card")] + ["bad"] * 45)
    reviews = _write_gz(tmp_path / "r.json.gz", [_review_line("u1", "A1")])
    report = ingest(
        store, "cards", "amazon2018", {"reviews": reviews, "meta": meta}, progress=False
    )
    assert report.malformed_count == 45 and len(report.malformed) == 20


def test_html_junk_titles_are_repaired_or_rebuilt(store, tmp_path):
    meta = _write_gz(
        tmp_path / "meta.json.gz",
        [
            _meta_line("A1", "Travel Mug <span>var aPageStart = (new Date()).getTime();</span>"),
            _meta_line("A2", "<div>function () { return 1; }</div>"),
        ],
    )
    reviews = _write_gz(tmp_path / "r.json.gz", [_review_line("u1", "A1")])
    report = ingest(store, "mugs", "amazon2018", {"reviews": reviews, "meta": meta}, progress=False)
    assert store.product("mugs", "A1").title == "Travel Mug"
    assert store.product("mugs", "A2").title == "B Gift Cards"  # brand + category
    assert report.repaired["title_markup_removed"] == 1
    assert report.repaired["title_rebuilt_from_other_fields"] == 1


def test_negative_and_absurd_prices_are_flagged_not_stored(store, tmp_path):
    meta = _write_gz(
        tmp_path / "meta.json.gz",
        [
            _meta_line("A1", "Neg", "-$5.00"),
            _meta_line("A2", "Huge", "$5,000,000,000.00"),
            _meta_line("A3", "Fine", "$5.00"),
        ],
    )
    reviews = _write_gz(tmp_path / "r.json.gz", [_review_line("u1", "A3")])
    report = ingest(store, "p", "amazon2018", {"reviews": reviews, "meta": meta}, progress=False)
    prices = {p.id: p.price for p in store.products("p")}
    assert prices == {"A1": None, "A2": None, "A3": 5.0}
    assert report.flagged["price_negative_or_invalid"] == 1
    assert report.flagged["price_absurd"] == 1


def test_recbole_missing_columns(store, tmp_path):
    inter = tmp_path / "x.inter"
    inter.write_text("session:token\titem_id:token\n1\t2\n")
    with pytest.raises(InputError, match=r"missing column\(s\) user_id.*found session, item_id"):
        ingest(store, "x", "recbole", {"inter": [inter]}, progress=False)


def test_recbole_row_with_wrong_field_count_is_reported(store, tmp_path):
    inter = tmp_path / "x.inter"
    inter.write_text("user_id:token\titem_id:token\trating:float\n1\t2\t5\n1\t3\n2\t2\tabc\n")
    report = ingest(store, "x", "recbole", {"inter": [inter]}, progress=False)
    assert report.malformed_count == 2
    assert {p.line for p in report.malformed} == {3, 4}
    assert store.stats("x")["interactions"] == 1


def test_minionerec_missing_columns(store, tmp_path, shared_data):
    items = (
        shared_data
        / "amazon2018_industrial_scientific_minionerec"
        / "Industrial_and_Scientific.item.json"
    )
    samples = tmp_path / "valid_x.csv"
    samples.write_text("user_id,item_id\nA1,3\n")
    with pytest.raises(InputError, match=r"missing column.*history_item_id"):
        ingest(store, "x", "minionerec", {"items": items, "samples": [samples]}, progress=False)


def test_lightgcn_non_integer_line_is_reported(store, tmp_path):
    train = tmp_path / "train.txt"
    train.write_text("0 1 2\n1 x y\n2 2 3\n")
    test = tmp_path / "test.txt"
    test.write_text("0 3\n")
    report = ingest(store, "g", "lightgcn", {"train": train, "test": test}, progress=False)
    assert [(p.file, p.line) for p in report.malformed] == [("train.txt", 2)]
    assert store.stats("g")["interactions"] == 5


def test_unknown_format_missing_file_and_missing_flag(store, tmp_path):
    with pytest.raises(UnknownFormatError, match="expected one of: amazon2018"):
        ingest(store, "x", "parquet", {}, progress=False)
    with pytest.raises(InputError, match="file not found"):
        ingest(
            store,
            "x",
            "lightgcn",
            {"train": tmp_path / "nope.txt", "test": tmp_path / "nope2.txt"},
            progress=False,
        )
    with pytest.raises(InputError, match="needs --train PATH --test PATH"):
        ingest(store, "x", "lightgcn", {"train": tmp_path / "t"}, progress=False)
    with pytest.raises(InputError, match="bad catalog name"):
        ingest(store, "../etc", "csv", {}, progress=False)
    assert issubclass(MissingFileError, InputError)


def test_file_with_no_products_is_an_error(store, tmp_path):
    (tmp_path / "p.csv").write_text("id,title\n")
    (tmp_path / "i.csv").write_text("shopper_id,product_id\n")
    with pytest.raises(InputError, match="no products could be read"):
        ingest(
            store,
            "empty",
            "csv",
            {"products": tmp_path / "p.csv", "interactions": tmp_path / "i.csv"},
            progress=False,
        )
    assert not store.has_catalog("empty")
