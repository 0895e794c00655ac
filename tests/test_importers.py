"""Every importer against real files (counts from the data sets' own READMEs)."""

from __future__ import annotations

import ast
import csv
from collections import Counter, defaultdict

import pytest

from catalog.ingest import ingest
from catalog.models import Split
from conftest import FIXTURES


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _gift_cards(d):
    g = d / "amazon2018_gift_cards"
    return {"reviews": g / "Gift_Cards_5.json.gz", "meta": g / "meta_Gift_Cards.json.gz"}


def test_amazon2018_gift_cards(store, shared_data):
    report = ingest(store, "gift_cards", "amazon2018", _gift_cards(shared_data), progress=False)
    stats = store.stats("gift_cards")
    assert stats["products"] == 1547  # all metadata rows, unique asin
    assert stats["reviews"] == 2972
    assert stats["shoppers"] == 458
    assert report.malformed_count == 0
    reviewed = {r.product_id for r in store.reviews("gift_cards", limit=10_000)}
    assert len(reviewed) == 148
    # prices like "$25.00" parsed; page markup in the price field is not a price
    priced = [p for p in store.products("gift_cards") if p.price is not None]
    assert 300 < len(priced) < 400
    assert all(0 < p.price < 10_000 and p.currency == "USD" for p in priced)
    assert report.flagged["price_unparseable"] >= 1
    # entities repaired: no raw HTML entities left in titles
    assert not [p for p in store.products("gift_cards") if "&#39;" in p.title]
    card = store.product("gift_cards", "B001GXRQW0")
    assert card.title == "Amazon.com Gift Cards" and card.brand == "Amazon"
    assert card.categories == ["Gift Cards"]
    history = store.history("gift_cards", "A31UBHTUUIFJUT")
    assert history and all(h.timestamp for h in history)


def test_amazon2023_fixture(store):
    d = FIXTURES / "amazon2023"
    report = ingest(
        store,
        "beauty23",
        "amazon2023",
        {"reviews": d / "All_Beauty.jsonl", "meta": d / "meta_All_Beauty.jsonl"},
        progress=False,
    )
    assert store.stats("beauty23")["products"] == 5
    assert report.malformed_count == 2  # the non-JSON line and the review without user_id
    assert {p.file for p in report.malformed} == {"meta_All_Beauty.jsonl", "All_Beauty.jsonl"}
    assert report.dropped["review_unknown_product"] == 1
    cleanser = store.product("beauty23", "B076WQZGPM")
    assert cleanser.price == 17.99
    assert cleanser.brand == "Yes To"
    assert cleanser.categories[-1] == "Cleansers"
    assert cleanser.image_url.endswith("a-hires.jpg")
    assert cleanser.rating_avg == 4.5 and cleanser.rating_count == 3
    assert cleanser.attributes["Skin Type"] == "Acne Prone"
    assert store.product("beauty23", "B000B658RI").price is None  # "None" in the source
    assert "&amp;" not in store.product("beauty23", "B088FKY3VD").title
    reviews = store.reviews("beauty23", "B076WQZGPM")
    assert len(reviews) == 2 and reviews[0].timestamp == 1588615855  # ms -> s


def test_recbole_unisrec_scientific(store, shared_data):
    d = shared_data / "amazon2018_scientific_unisrec"
    ingest(
        store,
        "scientific",
        "recbole",
        {
            "inter": [d / f"Scientific.{s}.inter" for s in ("train", "valid", "test")],
            "item": d / "Scientific.text",
        },
        progress=False,
    )
    stats = store.stats("scientific")
    assert stats["products"] == 4385 and stats["shoppers"] == 8442
    # every train prefix + first item + valid + test target, nothing doubled
    train_rows = len(_lines(d / "Scientific.train.inter")) - 1
    assert stats["interactions"] == train_rows + 2 * 8442 + 8442
    assert stats["interactions_by_split"] == {
        "train": train_rows + 8442,
        "valid": 8442,
        "test": 8442,
    }
    product = store.product("scientific", "B0000223SI")  # ids mapped back to ASINs
    assert product.title.startswith("PORTER-CABLE 740000801")
    assert product.brand == "PORTER-CABLE"
    # the test row's history + target is the end of the rebuilt sequence
    user_index = dict(line.split("\t")[::-1] for line in _lines(d / "Scientific.user2index"))
    item_index = dict(line.split("\t")[::-1] for line in _lines(d / "Scientific.item2index"))
    rows = list(csv.reader(_lines(d / "Scientific.test.inter"), delimiter="\t"))[1:]
    for user, history, target in rows[:300]:
        expected = [item_index[i] for i in history.split()] + [item_index[target]]
        seq = [h.product_id for h in store.history("scientific", user_index[user])]
        assert seq[-len(expected) :] == expected


def test_lightgcn_gowalla(store, shared_data):
    d = shared_data / "lightgcn_gowalla"
    ingest(
        store,
        "gowalla",
        "lightgcn",
        {"train": d / "train.txt.gz", "test": d / "test.txt"},
        progress=False,
    )
    stats = store.stats("gowalla")
    assert stats["shoppers"] == 29858 and stats["products"] == 40981
    assert stats["interactions_by_split"] == {"train": 810128, "test": 217242}
    arrays = store.interaction_arrays("gowalla")
    train = arrays.splits == "train"
    pairs = set(zip(arrays.users[train].tolist(), arrays.items[train].tolist(), strict=True))
    assert len(pairs) == 810128  # no duplicates, nothing dropped


def test_minionerec_industrial(store, shared_data):
    d = shared_data / "amazon2018_industrial_scientific_minionerec"
    valid = d / "valid_Industrial_and_Scientific_5_2016-10-2018-11.csv"
    test = d / "test_Industrial_and_Scientific_5_2016-10-2018-11.csv"
    ingest(
        store,
        "industrial",
        "minionerec",
        {"items": d / "Industrial_and_Scientific.item.json", "samples": [valid, test]},
        progress=False,
    )
    stats = store.stats("industrial")
    assert stats["products"] == 3686
    assert stats["interactions_by_split"]["valid"] == 4532
    assert stats["interactions_by_split"]["test"] == 4533
    assert store.product("industrial", "0").brand == "Sealed Unit Parts Co., Inc."
    assert not store.product("industrial", "5").description.startswith("[")
    # every sample window appears, contiguous and in order, in its shopper's sequence
    sequences: dict[str, list[str]] = defaultdict(list)
    for h in (
        h
        for u in list(store.shopper_ids("industrial"))[:400]
        for h in store.history("industrial", u)
    ):
        sequences[h.shopper_id].append(h.product_id)
    checked = 0
    for path in (valid, test):
        for row in csv.DictReader(_lines(path)):
            seq = sequences.get(row["user_id"])
            if seq is None:
                continue
            window = [str(i) for i in ast.literal_eval(row["history_item_id"])] + [row["item_id"]]
            assert any(seq[i : i + len(window)] == window for i in range(len(seq)))
            checked += 1
    assert checked > 500


def test_csv_fixture_with_aliases_and_problems(store):
    d = FIXTURES / "csv"
    report = ingest(
        store,
        "shop",
        "csv",
        {
            "products": d / "products.csv",
            "interactions": d / "interactions.csv",
            "reviews": d / "reviews.csv",
        },
        progress=False,
    )
    products = {p.id: p for p in store.products("shop")}
    assert set(products) == {"A100", "A101", "A102", "A103", "A104"}
    assert report.duplicates_removed["products"] == 1
    assert products["A100"].price == 89.0 and products["A100"].categories == ["Shoes", "Running"]
    assert products["A100"].attributes == {"color": "blue"}
    assert products["A100"].title_i18n == {"zh": "越野跑鞋"}
    assert "<b>" not in products["A100"].description
    assert (products["A101"].price, products["A101"].currency) == (199.0, "CNY")
    assert products["A102"].price == 120.0 and products["A102"].attributes["price_max"] == "150.00"
    assert products["A102"].in_stock is False
    assert products["A103"].price is None and products["A104"].price is None
    assert report.flagged["price_negative_or_invalid"] == 1 and report.flagged["price_absurd"] == 1
    kinds = Counter(h.kind.value for h in store.history("shop", "c1"))
    assert kinds == {"view": 2, "cart": 1, "purchase": 1}  # the repeated purchase row dropped
    assert report.dropped["interaction_unknown_product"] == 1
    reasons = [p.reason for p in report.malformed]
    assert any("teleport" in r for r in reasons)  # unknown event kind, with its line
    assert any(p.line == 9 for p in report.malformed)  # the row with an extra field
    assert len(store.reviews("shop")) == 2


def test_csv_column_mapping_override(store, tmp_path):
    (tmp_path / "p.csv").write_text("code,label\nX1,Widget\n")
    (tmp_path / "i.csv").write_text("who,what\nu1,X1\n")
    ingest(
        store,
        "mapped",
        "csv",
        {
            "products": tmp_path / "p.csv",
            "interactions": tmp_path / "i.csv",
            "mapping": {
                "products.id": "code",
                "products.title": "label",
                "interactions.shopper_id": "who",
                "interactions.product_id": "what",
            },
        },
        progress=False,
    )
    assert store.product("mapped", "X1").title == "Widget"
    assert [h.product_id for h in store.history("mapped", "u1")] == ["X1"]


@pytest.mark.parametrize("split_name", ["train", "valid", "test"])
def test_split_names_come_from_file_names(split_name, tmp_path):
    from catalog.importers.base import split_from_name

    assert split_from_name(tmp_path / f"Scientific.{split_name}.inter") is Split(split_name)
    assert split_from_name(tmp_path / f"{split_name}_x.csv") is Split(split_name)
