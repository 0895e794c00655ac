"""Tool registry (schemas, entry points, duplicates, errors) and the store-backed tools."""

from __future__ import annotations

from typing import Literal

import pytest

from catalog.ingest import build_demo
from tools.builtins import register_tools
from tools.context import ToolContext
from tools.registry import (
    ToolDefinitionError,
    ToolRegistry,
    load_registry,
    tool_from_function,
)
from tools.results import ToolResult


def sample_tool(
    ctx: ToolContext,
    query: str,
    k: int = 5,
    max_price: float | None = None,
    brands: list[str] | None = None,
    mode: Literal["a", "b"] = "a",
) -> ToolResult:
    """Find things.

    Longer explanation that is not part of the summary.

    Args:
        query: What to look for.
        k: How many results.
        max_price: Upper price bound,
            in the catalog's currency.
        brands: Brands to keep.
        mode: Ranking mode.
    """
    return ToolResult(f"{query}|{k}|{max_price}|{brands}|{mode}")


def test_schema_is_generated_from_signature_and_docstring():
    tool = tool_from_function(sample_tool)
    assert tool.takes_context and tool.description == "Find things."
    params = tool.parameters
    assert params["required"] == ["query"]
    assert params["properties"]["k"] == {
        "type": "integer",
        "description": "How many results.",
        "default": 5,
    }
    assert params["properties"]["max_price"]["type"] == ["number", "null"]
    assert params["properties"]["max_price"]["description"] == (
        "Upper price bound, in the catalog's currency."
    )
    assert params["properties"]["brands"]["items"] == {"type": "string"}
    assert params["properties"]["mode"]["enum"] == ["a", "b"]
    assert tool.schema()["function"]["name"] == "sample_tool"


def test_arguments_are_validated_and_coerced(store):
    registry = ToolRegistry()
    registry.register(sample_tool)
    ctx = ToolContext(store, "none")
    out = registry.call("sample_tool", ctx, {"query": "x", "k": "3", "brands": "Acme"})
    assert out.ok and out.result.summary == "x|3|None|['Acme']|a"
    for bad, message in [
        ({}, "missing required argument"),
        ({"query": "x", "zzz": 1}, "unknown argument"),
        ({"query": "x", "k": "many"}, "should be integer"),
        ({"query": "x", "mode": "c"}, "must be one of a, b"),
    ]:
        out = registry.call("sample_tool", ctx, bad)
        assert not out.ok and message in out.error


def test_unknown_tool_lists_valid_ones(store):
    registry = load_registry(include_entry_points=False)
    out = registry.call("teleport", ToolContext(store, "demo"), {})
    assert (
        not out.ok
        and "valid tools: answer_question, compare_products, explain_recommendation" in out.error
    )


def test_duplicate_names_are_rejected():
    registry = ToolRegistry()
    register_tools(registry.register)
    with pytest.raises(ToolDefinitionError, match="already registered"):
        register_tools(registry.register)


def undocumented(query: str) -> ToolResult:
    return ToolResult(query)


def missing_arg_doc(query: str) -> ToolResult:
    """Something.

    Args:
        other: Not the parameter.
    """
    return ToolResult(query)


def untyped(query) -> ToolResult:
    """Something.

    Args:
        query: A query.
    """
    return ToolResult(query)


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (undocumented, "needs a docstring"),
        (missing_arg_doc, "not described under Args"),
        (untyped, "needs a type"),
    ],
)
def test_bad_tool_definitions_are_refused(function, message):
    with pytest.raises(ToolDefinitionError, match=message):
        tool_from_function(function)
    with pytest.raises(ToolDefinitionError, match="lower_snake_case"):
        tool_from_function(sample_tool, name="Bad-Name")


def test_entry_point_tool_is_discovered_and_callable(store):
    registry = load_registry()
    assert "shipping_estimate" in registry.names(), "install examples/shopassist-example-tool"
    build_demo(store)
    out = registry.call(
        "shipping_estimate", ToolContext(store, "demo"), {"product_id": "1001", "express": True}
    )
    assert out.ok and out.result.data["shipping_days"] == 1
    assert out.result.evidence == ["P1001"]


@pytest.fixture
def demo_ctx(store):
    build_demo(store)
    return ToolContext(store, "demo", shopper_id="u0001")


def test_product_details_cites_product_and_reviews(demo_ctx):
    reviewed = demo_ctx.store.reviews("demo", limit=1)[0].product_id
    out = load_registry(False).call("product_details", demo_ctx, {"product_id": reviewed})
    assert out.ok and out.result.evidence[0] == f"P{reviewed}"
    assert any(e.startswith("R") for e in out.result.evidence)
    record = demo_ctx.evidence.get(f"P{reviewed}")
    product = demo_ctx.store.product("demo", reviewed)
    assert record.data["price"] == product.price and product.title in record.text
    missing = load_registry(False).call("product_details", demo_ctx, {"product_id": "nope"})
    assert not missing.ok and "no product 'nope'" in missing.error


def test_compare_products_table(demo_ctx):
    out = load_registry(False).call("compare_products", demo_ctx, {"product_ids": ["1001", "1013"]})
    assert out.ok and out.result.data["columns"] == ["1001", "1013"]
    rows = out.result.data["rows"]
    assert rows["price"] == [demo_ctx.store.product("demo", i).price for i in ("1001", "1013")]
    assert out.result.evidence == ["P1001", "P1013"]
    # every cell cites the record that states it: the product's record for its price,
    # brand and rating, the attribute's own passage ("surface: road") for the rest
    data = out.result.data
    for name, values in rows.items():
        for value, cid in zip(values, data["cited"][name], strict=True):
            if value in (None, ""):
                assert cid is None, name
                continue
            record = demo_ctx.evidence.get(cid)
            form = {"price": "{:.2f}", "rating": "{:.1f}"}.get(name, "{}")
            text = form.format(value)
            assert record is not None and text in record.text, (name, cid)
    assert set(data["differs"]) | set(data["same"]) <= set(rows)
    assert "price" in data["differs"] or rows["price"][0] == rows["price"][1]
    for name in data["same"]:
        assert len({str(v).casefold() for v in rows[name]}) == 1, name
    one = load_registry(False).call("compare_products", demo_ctx, {"product_ids": ["1001"]})
    assert not one.ok and "2 to 4" in one.error


def test_shopper_profile_reflects_history(demo_ctx):
    out = load_registry(False).call("shopper_profile", demo_ctx, {})
    profile = out.result.data["profile"]
    history = demo_ctx.store.history("demo", "u0001")
    assert profile.n_interactions == len(history)
    top = profile.categories[0]
    assert all(demo_ctx.store.product("demo", pid).category == top.name for pid in top.product_ids)
    assert profile.price_band[0] <= profile.price_band[1]
    assert all(e.startswith("H") for e in out.result.evidence)


def test_record_feedback_is_stored(demo_ctx):
    out = load_registry(False).call(
        "record_feedback", demo_ctx, {"product_id": "1005", "kind": "not_interested"}
    )
    assert out.ok
    assert demo_ctx.store.feedback("demo", "u0001")[-1][:2] == ("1005", "not_interested")
    bad = load_registry(False).call(
        "record_feedback", demo_ctx, {"product_id": "1005", "kind": "love"}
    )
    assert not bad.ok and "must be one of" in bad.error


def test_tools_work_as_langchain_tools(demo_ctx):
    import json

    from tools.langchain import langchain_tools

    tools = {t.name: t for t in langchain_tools(load_registry(False), demo_ctx)}
    assert set(tools) >= {"product_details", "compare_products"}
    assert tools["product_details"].args["product_id"]["type"] == "string"
    out = json.loads(tools["product_details"].invoke({"product_id": "1001"}))
    assert out["products"] == ["1001"] and "P1001" in out["evidence"]
    error = json.loads(tools["compare_products"].invoke({"product_ids": ["1001"]}))
    assert "2 to 4" in error["error"]


def test_search_and_recommender_tools_on_the_demo(tmp_path):
    from catalog.store import Store
    from recommender.registry import load_active
    from recommender.training import train_model
    from vectorstore.index import build_index, open_index

    with Store.in_home(tmp_path) as store:
        build_demo(store)
        train_model(store, "demo", tmp_path, "itemknn")
        build_index(store, "demo", tmp_path, progress=False)
        ctx = ToolContext(
            store,
            "demo",
            "u0001",
            load_active(tmp_path, store, "demo"),
            open_index(tmp_path, store, "demo"),
        )
        registry = load_registry(False)
        found = registry.call(
            "search_products", ctx, {"query": "hiking boots", "max_price": 100, "k": 5}
        )
        assert found.ok and len(found.result.products) == 5
        for pid in found.result.products:
            product = store.product("demo", pid)
            assert product.price <= 100 and product.category == "Hiking Boots"
        assert all(e.startswith("S") for e in found.result.evidence)
        recs = registry.call("recommend_for_shopper", ctx, {"k": 3, "category": "Backpacks"})
        assert recs.ok and len(recs.result.products) == 3
        seen = {h.product_id for h in store.history("demo", "u0001")}
        assert not seen & set(recs.result.products)
        similar = registry.call("similar_products", ctx, {"product_id": "1001"})
        assert similar.ok and "1001" not in similar.result.products
        # more like it by what it is first: co-purchases of other kinds (a sparse
        # catalog's) only lift a product that is like it by its text too
        kind = store.product("demo", "1001").category
        others = [p.id for p in store.products("demo") if p.category != kind][:30]
        alike = similar.result.products[0]

        class CoPurchases:
            def similar_items(self, item_id, k=10, filters=None):
                return [*others[: k - 1], alike][:k], None

        real, ctx.recommender = ctx.recommender, CoPurchases()
        fused = registry.call("similar_products", ctx, {"product_id": "1001", "k": 5})
        ctx.recommender = real
        assert fused.ok and len(fused.result.products) == 5
        assert fused.result.products[0] == alike
        assert {store.product("demo", p).category for p in fused.result.products} == {kind}
        why = registry.call("explain_recommendation", ctx, {"product_id": recs.result.products[0]})
        assert why.ok and why.result.evidence[0] == f"P{recs.result.products[0]}"
        assert any(e.startswith(("H", "C")) for e in why.result.evidence)


class _OrderedRecommender:
    """A recommender whose order of any candidates is fixed (the test's own)."""

    def __init__(self, order: list[str]):
        self.order = order

    def recommend(self, shopper_id, k=10, candidates=None, filters=None):
        from types import SimpleNamespace

        ids = [i for i in self.order if candidates is None or i in candidates]
        return SimpleNamespace(item_ids=ids[:k], cold_start=False)


def test_the_recommender_reorders_near_ties_of_relevance_only(demo_ctx):
    """A clear best match stays first; products of about equal relevance are ordered
    by the recommender; without search scores, reciprocal-rank fusion as before."""
    ids = [p.id for p in demo_ctx.store.products("demo")[:8]]
    demo_ctx.recommender = _OrderedRecommender(list(reversed(ids)))
    registry = load_registry(False)
    demo_ctx.relevance = {pid: 0.5 for pid in ids} | {ids[0]: 0.7}
    args = {"candidates": ids, "k": 4}
    got = registry.call("recommend_for_shopper", demo_ctx, args).result.products
    assert got == [ids[0], ids[7], ids[6], ids[5]]
    # Without scores (or with the margin off), reciprocal-rank fusion: at weight 0.5 the
    # recommender's order of eight does not outweigh the given one at the top.
    demo_ctx.relevance = {}
    assert registry.call("recommend_for_shopper", demo_ctx, args).result.products == ids[:4]
    demo_ctx.personal_margin, demo_ctx.relevance = None, {pid: 0.5 for pid in ids}
    assert registry.call("recommend_for_shopper", demo_ctx, args).result.products == ids[:4]
    demo_ctx.personal_weight = 5.0
    assert registry.call("recommend_for_shopper", demo_ctx, args).result.products[0] == ids[7]


def test_candidates_that_all_fit_the_list_are_still_ordered_for_the_shopper(demo_ctx):
    """Two near-tied products when three are shown (the only two of a brand asked for):
    the shopper's own order decides which is first; a clear best match stays first."""
    ids = [p.id for p in demo_ctx.store.products("demo")[:2]]
    demo_ctx.recommender = _OrderedRecommender(list(reversed(ids)))
    demo_ctx.relevance = {pid: 0.5 for pid in ids}
    registry = load_registry(False)
    args = {"candidates": ids, "k": 3}
    assert registry.call("recommend_for_shopper", demo_ctx, args).result.products == ids[::-1]
    demo_ctx.relevance = {ids[0]: 0.7, ids[1]: 0.5}
    assert registry.call("recommend_for_shopper", demo_ctx, args).result.products == ids


def test_a_compound_the_dictionary_lacks_is_searched_by_its_longest_known_part(demo_ctx):
    """ "开关电源" (a switching power supply) and "夹克衫" (a jacket) have no dictionary
    sense: a catalog of English titles was searched by embedding alone. The longest part
    of two characters or more with a sense the catalog uses, naming a kind of product
    its titles end on, is searched for too ("夹克衫" -> 夹克, jacket)."""
    from tools.dictionary import english_words, sense_within
    from tools.discovery import catalog_query

    uses = {"solder", "calipers", "screw", "screws"}.__contains__
    assert not english_words("焊锡丝") and sense_within("焊锡丝", uses) == "solder"
    assert sense_within("数显卡尺", uses) == "calipers"
    assert sense_within("螺钉", uses) == "screw"  # a word with its own sense: that one
    assert sense_within("电路板", uses) is None  # no part the catalog says
    assert catalog_query(demo_ctx, "夹克衫").split()[1:] == ["jacket"]  # 夹克, jacket
    # only a part that names a kind the titles end on: "下雨天" (a rainy day) is not
    # searched as "rain" (no demo title ends on rain; a rain jacket is a jacket)
    assert "rain" not in catalog_query(demo_ctx, "下雨天上班路上用").split()


def test_a_chinese_query_also_searches_the_catalogs_english_words_for_it(demo_ctx):
    from tools.discovery import catalog_query

    assert catalog_query(demo_ctx, "红色的咖啡机").split()[1:] == ["red", "coffee", "machine"]
    # a negated word is left to the Chinese words and the embedding
    spiced = catalog_query(demo_ctx, "无香料咖啡机")
    assert spiced.endswith("coffee machine") and "spice" not in spiced and "perfume" not in spiced
    # a word with no sense the catalog uses: half a translation is none
    assert catalog_query(demo_ctx, "红色羽绒服") == "红色羽绒服"
    # a word the dictionary lacks is passed over where the rest names a kind ("头戴式":
    # headphones), not where it is the thing asked for ("登山鞋": "waterproof" alone) or
    # where what is left names no kind of the titles' ("护肤": skincare)
    assert catalog_query(demo_ctx, "头戴式耳机") == "头戴式耳机 headphones"
    assert catalog_query(demo_ctx, "防水登山鞋") == "防水登山鞋"
    assert catalog_query(demo_ctx, "油皮护肤") == "油皮护肤"
    assert catalog_query(demo_ctx, "red coffee machine") == "red coffee machine"
    # an English word the shop never uses, with the shop's words made of it
    frothing = catalog_query(demo_ctx, "an espresso machine for frothing milk")
    assert frothing == "an espresso machine for frothing milk frother"
    # the search tool searches with them
    searched = []

    class Search:
        def search(self, query, **kwargs):
            searched.append(query)
            return []

    demo_ctx.search = Search()
    load_registry(False).call("search_products", demo_ctx, {"query": "红色的咖啡机"})
    assert searched == ["红色的咖啡机 red coffee machine"]


def test_what_a_chinese_request_is_for_is_searched_after_for(demo_ctx):
    """ "咖啡机，办公室用": the clause that says what it is for ends on 用, and its words
    come after a "for", as an English request says them, so the kind asked for is the
    coffee machine, not the office."""
    from tools.discovery import catalog_query
    from tools.text import stem, title_parts

    query = catalog_query(demo_ctx, "咖啡机，办公室用")
    assert query == "咖啡机，办公室用 coffee machine for office"
    asked, used = title_parts(query)
    assert stem("machine") in asked and stem("office") in used and stem("office") not in asked
    # one clause: nothing to put after a "for"
    assert "for" not in catalog_query(demo_ctx, "办公室咖啡机").split()


def test_a_sense_of_two_words_the_catalog_half_uses_is_its_kind(demo_ctx):
    """ "运动鞋" is "sports shoes" in the dictionary, and the demo shop never says
    "sports": its titles name shoes, so it is searched as "shoes"; a verb's sense is no
    kind ("充电" is "to recharge one's batteries": no "batteries" for 充电台灯)."""
    from tools.discovery import catalog_query

    assert catalog_query(demo_ctx, "运动鞋") == "运动鞋 shoes"
    assert "batteries" not in catalog_query(demo_ctx, "充电台灯")


def test_a_chinese_word_takes_the_sense_nearest_it_in_meaning():
    """ "绝缘" is "to cut off" before "to insulate" in the dictionary: with an embedder,
    a later sense far nearer the word in meaning is taken ("electrician insulate tape",
    not "cut off"); a later sense only a little nearer is not."""
    from tools.dictionary import catalog_sense
    from tools.discovery import sense_closeness
    from vectorstore.embeddings import make_embedder

    uses = {"cut", "off", "insulate", "numeral", "digit"}.__contains__
    assert catalog_sense("绝缘", uses) == "cut off"  # without one, the first
    assert catalog_sense("绝缘", uses, lambda w, s: [0.3, 0.3, 0.8][: len(s)]) == "insulate"
    assert catalog_sense("数字", uses, lambda w, s: [0.76, 0.81][: len(s)]) == "numeral"
    ctx = ToolContext(None, "t", encode=make_embedder("use").encode)
    assert catalog_sense("绝缘", uses, sense_closeness(ctx)) == "insulate"


def test_title_facets_are_the_measures_counts_and_materials_a_title_states():
    from tools.facets import title_facets

    assert title_facets("Plastic Transfer Pipettes 3ml, Graduated, Pack of 100") == {
        "count": "Pack of 100", "material": "Plastic", "volume": "3ml"
    }  # fmt: skip
    tubes = title_facets("Karter 207B3 Vol 10ml, Plastic Test Tubes, 16x100mm (Pack of 25)")
    assert tubes["length"] == "16x100mm" and tubes["count"] == "Pack of 25"
    beakers = title_facets("Borosilicate Glass Low Form Glass Beaker, 50/100/250 mL (Pack of 5)")
    assert beakers["material"] == "Borosilicate Glass" and beakers["volume"] == "50/100/250 mL"
    assert title_facets("uxcell 100 Pcs 10K Ohm 3% NTC Thermistors MF52-103") == {
        "count": "100 Pcs", "resistance": "10K Ohm"
    }  # fmt: skip
    # a model number is no measure, a plating no material, a count no measure
    assert title_facets("Uxcell a12073000ux0897 Pasteur Pipette PC817") == {}
    assert title_facets("Neiko 01409A Electronic Digital Caliper") == {}
    # a set's sizes are each said, in the title's order, once
    assert title_facets("SEOH 3 Pack Glass Graduated Beakers 50ml 100ml and 250ml")["volume"] == (
        "50ml / 100ml / 250ml"
    )
    assert (
        title_facets("Beaker Set - 50ml, 100ml, 250ml, 100ml")["volume"] == "50ml / 100ml / 250ml"
    )
    assert title_facets("Digital Caliper 0-6 Inches / 150mm")["length"] == "6 Inches / 150mm"
    assert "material" not in title_facets("Crown Bolt 3/4 Inch Zinc-Plated SAE Flat Washers")
    assert "length" not in title_facets("Dowel Pins, 25 Pcs")
    assert title_facets("Nitrile Exam Gloves, Large, Box/100")["count"] == "Box/100"
    assert "count" not in title_facets("Pipe Clamp Fits 3 Inch Pipe")  # fits, not holds 3
    # what comes with it is not what it is made of
    assert "material" not in title_facets("Hex Grub Screw Set Assortment Kit with Plastic Box")


def test_a_comparison_sets_what_the_titles_state_side_by_side(tmp_path):
    """Two pipettes whose pages list no attributes: "compare the first two" had nothing
    but their brands to say. Their titles' count, volume and material are compared, each
    cell citing the title that states it; a facet a product's attributes list already
    ("capacity: 20L") is not said twice."""
    import time

    from agent.answers import compare_claims
    from catalog.ingest import store_dataset
    from catalog.models import Product, RawDataset
    from catalog.report import ValidationReport
    from catalog.store import Store

    products = [
        Product("p1", "Plastic Transfer Pipettes 3ml, Graduated, Pack of 100", brand="Labco"),
        Product("p2", "PASSION Glass Graduated Droppers Pipettes 10 ml pack of 3", brand="Passion"),
        Product("b1", "Trail 20L backpack", brand="Packco", attributes={"capacity": "20L"}),
        Product("b2", "Trail 30L backpack", brand="Packco", attributes={"capacity": "30L"}),
    ]
    with Store.in_home(tmp_path) as store:
        store_dataset(store, RawDataset(products, [], [], []), ValidationReport("t", "test"),
                      time.perf_counter())  # fmt: skip
        ctx = ToolContext(store, "t")
        registry = load_registry(False)
        out = registry.call("compare_products", ctx, {"product_ids": ["p1", "p2"]})
        data = out.result.data
        assert data["rows"]["count"] == ["Pack of 100", "pack of 3"]
        assert data["rows"]["volume"] == ["3ml", "10 ml"]
        assert data["rows"]["material"] == ["Plastic", "Glass"]
        for name in ("count", "volume", "material"):
            for value, cid in zip(data["rows"][name], data["cited"][name], strict=True):
                assert cid.endswith(".t") and value in ctx.evidence.get(cid).text
        texts = [c.render() for c in compare_claims(data, "en")]
        assert any(t.startswith("Volume: 3ml for the first, 10 ml for the second") for t in texts)
        zh = [c.render() for c in compare_claims(data, "zh")]
        assert any(t.startswith("材质：第一个是Plastic，第二个是Glass") for t in zh), zh
        packs = registry.call("compare_products", ctx, {"product_ids": ["b1", "b2"]}).result.data
        assert "volume" not in packs["rows"] and packs["rows"]["capacity"] == ["20L", "30L"]


def test_a_product_for_the_asked_kind_comes_after_the_kind_itself(tmp_path):
    """ "digital multimeter" on a shop whose cases are "Case for ... Multimeters": the
    multimeters first, each group in the search's order; asking for a case keeps it first."""
    import time

    from catalog.ingest import store_dataset
    from catalog.models import Product, RawDataset
    from catalog.report import ValidationReport
    from catalog.store import Store
    from tools.discovery import _things_before_accessories
    from vectorstore.index import SearchHit

    titles = {
        "c1": "Hard Travel Case for Etekcity Digital Clamp Meter Multimeters",
        "m1": "Uni-T UT204 Digital Handheld Multimeter",
        "m2": "OWON B35T Plus Multimeter with True RMS",
        "m3": "AstroAI Digital Multimeter, 6000 Counts",
        "l1": "uxcell Dual Alligator Clip Banana Connector Multimeter Test Lead",
        "l2": "DMiotech 1000V Banana Connector Multimeter Probe Test Lead Cable 0.6M",
        "l3": "Silicone Test Lead Set with Alligator Clips",
        "s1": "Serum for dry skin with vitamin C",
        "s2": "Moisturizer for dry skin",
        "s3": "Cleanser for oily skin",
    }
    products = [Product(pid, title, brand="") for pid, title in titles.items()]
    with Store.in_home(tmp_path) as store:
        store_dataset(store, RawDataset(products, [], [], []), ValidationReport("t", "test"),
                      time.perf_counter())  # fmt: skip
        ctx = ToolContext(store, "t")

        def order(query: str, ids: list[str]) -> list[str]:
            hits = [SearchHit(i, 1.0, [], "", "title", title=titles[i]) for i in ids]
            return [h.product_id for h in _things_before_accessories(ctx, query, hits)]

        assert order("digital multimeter", ["c1", "m1", "m2"]) == ["m1", "m2", "c1"]
        assert order("a case for my multimeter", ["c1", "m1"]) == ["c1", "m1"]
        # a title naming the kind only as what it goes with ("Multimeter Test Lead")
        # comes after one whose words end on it; a lead asked for keeps its place
        assert order("digital multimeter", ["l1", "l2", "m3", "c1"]) == ["m3", "l1", "l2", "c1"]
        assert order("multimeter test lead", ["l1", "m3", "l2"]) == ["l1", "m3", "l2"]
        # a use ("for dry skin") is no accessory: the order stays
        assert order("something for dry skin", ["s2", "s1", "s3"]) == ["s2", "s1", "s3"]


def test_a_kind_only_one_title_ends_on_is_found_before_what_goes_with_it(tmp_path):
    """ "I need a multimeter" where one title ends on "Multimeter" and many more products
    (test leads) say it, in their titles before another word or in their descriptions:
    the catalog's titles name what products are, so the multimeter comes first and is
    the kind asked for; a lead is not one. Said only as the thing asked for ("a
    multimeter", "multimeter?"), not before "or" nor after "the"."""
    import time

    from agent.needs import asked_kind, of_asked_kind
    from catalog.ingest import store_dataset
    from catalog.models import Product, RawDataset
    from catalog.report import ValidationReport
    from catalog.store import Store
    from tools.discovery import _things_before_accessories, names_by_title, titles_name
    from vectorstore.index import SearchHit

    listed = {
        "p1": ("Banana Multimeter Probe Test Lead", ""),
        "p2": ("Alligator Clip Multimeter Test Lead", ""),
        "p3": ("Multimeter Probe Test Lead, 1000V", ""),
        **{f"l{i}": (f"{w} Test Lead", "Fits any digital multimeter.")
           for i, w in enumerate(["Silicone", "Hook", "Banana Plug", "Spade", "Grabber"])},
        "o1": ("Handheld Oscilloscope", ""),
        "o2": ("Portable Digital Oscilloscope", ""),
        "o3": ("Mini Oscilloscope, 2 Channels", ""),
        "m1": ("Portable Oscilloscope and Digital Multimeter, 2 Channels", ""),
    }  # fmt: skip
    products = [Product(pid, t, description=d, brand="") for pid, (t, d) in listed.items()]
    with Store.in_home(tmp_path) as store:
        store_dataset(store, RawDataset(products, [], [], []), ValidationReport("t", "test"),
                      time.perf_counter())  # fmt: skip
        ctx = ToolContext(store, "t")
        assert not titles_name(ctx, {"multimeter"}) and names_by_title(ctx)
        hits = [SearchHit(i, 1.0, [], "", "title", title=listed[i][0]) for i in ("p1", "l0", "m1")]
        assert [h.product_id for h in _things_before_accessories(ctx, "multimeter", hits)] == [
            "m1", "p1", "l0"
        ]  # fmt: skip
        for message in (
            "I need a multimeter",
            "multimeter?",
            "a multimeter for my car",
            # after a word that asks for it, with the words that say which one
            "I need a digital multimeter for home electrical work",
            "looking for a cheap digital multimeter.",
            "想买个数字万用表，家里修电器用",  # said by a Chinese clause that ends on it
        ):
            kind = asked_kind(ctx, [message])
            assert kind is not None and kind.words == {"multimeter"}, message
            assert of_asked_kind(ctx, store.product("t", "m1"), kind)
            assert not of_asked_kind(ctx, store.product("t", "p1"), kind)
        lead = asked_kind(ctx, ["a multimeter test lead"])
        assert lead is not None and of_asked_kind(ctx, store.product("t", "p1"), lead)
        # nor in a run of words ("m3 standoffs": a "Standoff Spacers" title is one too)
        for message in (
            "a multimeter or oscilloscope probe",
            "the multimeter.",
            "m3 multimeter",
            "digital multimeter",  # a run of words not after a word that asks
            "I need a multimeter probe",  # what is asked ends on another word
            "万用表的表笔",  # a lead for one
            "家里那个万用表，用了十年了",  # a word of the story, not the thing wanted
        ):
            kind = asked_kind(ctx, [message])
            assert kind is None or "multimeter" not in kind.words, message


def test_a_request_claim_quotes_the_part_of_the_title_that_holds_the_words():
    from agent.needs import fact_window
    from tools.passages import Passage

    title = "Owon PDS5022T Portable Digital Storage Oscilloscope and Digital Multimeter, 2 Channels"
    passage = Passage("P1.t", "product", "title", "title", title, "1")
    assert "Multimeter" in fact_window(passage, ["digital", "multimeter"])
    # a word found by a word made of it is shown where the record says it
    title = "VANTAKOOL Digital PH Meter, PH Meter 0.01 PH High Accuracy Water Quality Tester"
    passage = Passage("P2.t", "product", "title", "title", title, "2")
    assert "Accuracy" in fact_window(passage, ["accurate"])
