"""A turn as a plan of tool calls: the executor and its trace, the candidate bus,
the guard on writing tools, tools that fail, the router over every registered
tool (a plugin known by its docstring alone included), clarifying questions,
abstention, and the layering (agent/ reaches the engines only through tools)."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from agent.agent import Agent, new_state, reply_to_dict
from agent.executor import Executor
from agent.plan import Call, Ref, Step
from tools.context import SessionView, ToolContext
from tools.registry import ToolArgumentError, load_registry
from tools.results import ToolResult

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shop(demo_store):
    return demo_store


@pytest.fixture(scope="module")
def encode():
    from vectorstore.embeddings import make_embedder

    return make_embedder("use").encode


def routed_agent(shop, encode, *extra) -> Agent:
    """The demo shop's agent with the real multilingual router over the built-ins,
    the test plugin's tools and `extra` ones."""
    from agent.vocabulary import Vocabulary
    from benchmarks import routing_plugin

    registry = load_registry(include_entry_points=False)
    routing_plugin.register_tools(registry.register)
    for tool in extra:
        registry.register(tool)
    vocabulary = Vocabulary.from_products(shop.products("demo"), encode)
    return Agent(shop, "demo", registry=registry, vocabulary=vocabulary)


# -- executor -----------------------------------------------------------------------


def test_calls_pass_products_along_and_every_call_is_traced(shop):
    registry = load_registry(include_entry_points=False)
    ctx = ToolContext(shop, "demo")
    trace: list[Step] = []
    first = shop.products("demo")[:3]
    calls = [
        Call("recommend_for_shopper", {"k": 3, "candidates": [p.id for p in first]}),
        Call("compare_products", {"product_ids": Ref(0, limit=2)}),
        Call("product_details", {"product_id": "no-such-product"}),
        Call("product_details", {"product_id": Ref(2, single=True)}),
    ]
    outcomes = Executor(registry).run(calls, ctx, trace)
    assert outcomes[1].ok and outcomes[1].result.data["columns"] == [first[0].id, first[1].id]
    assert [s.tool for s in trace] == [c.tool for c in calls]
    assert trace[1].arguments["product_ids"] == "$0.products[:2]"
    assert not trace[2].ok and "no-such-product" in trace[2].error
    # a reference to a failed call leaves the argument out: the tool says what is missing
    assert not outcomes[3].ok and "missing required argument" in outcomes[3].error
    assert all(s.ms >= 0 for s in trace) and trace[0].products == 3


def test_a_turn_returns_its_trace_through_reply_to_dict(shop):
    agent = Agent(shop, "demo")
    reply = agent.turn(new_state(), "hiking boots under $120", "u0001")
    out = reply_to_dict(reply)
    tools = [step["tool"] for step in out["trace"]]
    assert tools and set(tools) <= set(agent.registry.names())
    assert out["plan"]["action"] == "tools" and out["plan"]["tool"] in tools
    assert all(step["ok"] and step["ms"] >= 0 for step in out["trace"])


# -- the guard on writing tools -------------------------------------------------------


def test_feedback_on_a_product_never_shown_changes_nothing_and_says_so(shop):
    agent = Agent(shop, "demo")
    state = new_state()
    agent.turn(state, "running shoes", "u0101")
    unseen = next(p.id for p in shop.products("demo") if p.id not in state.seen)
    before = len(shop.feedback("demo", "u0101"))
    reply = agent.turn(state, f"call record_feedback for product {unseen} with kind cart", "u0101")
    assert len(shop.feedback("demo", "u0101")) == before
    assert "Nothing was changed" in reply.text and unseen in reply.text
    refused = [s for s in reply.trace if s.tool == "record_feedback"]
    assert refused and not refused[0].ok and "not shown" in refused[0].error


def test_a_product_the_catalog_does_not_have_is_refused_too(shop):
    agent = Agent(shop, "demo")
    state = new_state()
    agent.turn(state, "yoga mat", "u0102")
    before = len(shop.feedback("demo", "u0102"))
    reply = agent.turn(state, "add product 7 to my cart", "u0102")
    assert len(shop.feedback("demo", "u0102")) == before
    assert reply.intent == "cart" and "7" in reply.text and "Nothing was changed" in reply.text


def test_a_writing_call_needs_the_shoppers_own_request_and_their_own_id(shop):
    registry = load_registry(include_entry_points=False)
    pid = shop.products("demo")[0].id

    def set_wishlist(ctx: ToolContext, product_id: str, shopper_id: str) -> ToolResult:
        """Put a product on a shopper's wish list.

        Args:
            product_id: The product.
            shopper_id: The shopper.
        """
        ctx.store.add_feedback(ctx.catalog, shopper_id, product_id, "like")
        return ToolResult("added", [product_id])

    registry.register(set_wishlist, writes=True)
    ctx = ToolContext(shop, "demo", "u0103", session=SessionView(shown=[pid], seen=[pid]))
    executor = Executor(registry)
    trace: list[Step] = []
    implicit = executor.call(Call("set_wishlist", {"product_id": pid, "shopper_id": "u0103"}),
                             ctx, trace)  # fmt: skip
    other = executor.call(
        Call("set_wishlist", {"product_id": pid, "shopper_id": "u0002"}, explicit=True), ctx, trace
    )
    assert "ask for it yourself" in implicit.error
    assert "only for the shopper of this conversation" in other.error
    assert shop.feedback("demo", "u0103") == [] and not any(
        f[0] == pid and f[1] == "like" for f in shop.feedback("demo", "u0002")[-1:]
    )
    ok = executor.call(
        Call("set_wishlist", {"product_id": pid, "shopper_id": "u0103"}, explicit=True), ctx, trace
    )
    assert ok.ok and shop.feedback("demo", "u0103")[-1][:2] == (pid, "like")


def test_a_writing_tool_that_fails_half_way_stores_nothing(shop):
    registry = load_registry(include_entry_points=False)
    pid = shop.products("demo")[1].id

    def flaky_cart(ctx: ToolContext, product_id: str) -> ToolResult:
        """Add a product to the cart, then fail.

        Args:
            product_id: The product.
        """
        ctx.store.add_feedback(ctx.catalog, ctx.shopper_id, product_id, "cart")
        raise RuntimeError("payment service down")

    registry.register(flaky_cart, writes=True)
    ctx = ToolContext(shop, "demo", "u0104", session=SessionView(shown=[pid], seen=[pid]))
    outcome = Executor(registry).call(Call("flaky_cart", {"product_id": pid}, explicit=True),
                                      ctx, [])  # fmt: skip
    assert outcome.crashed and "RuntimeError" in outcome.error
    assert shop.feedback("demo", "u0104") == []  # rolled back with the tool


def test_a_tool_that_raises_is_a_short_note_in_the_reply(shop, encode):
    def store_hours(ctx: ToolContext) -> ToolResult:
        """Opening hours of the shop's physical stores."""
        raise KeyError("hours")

    agent = routed_agent(shop, encode, store_hours)
    reply = agent.turn(new_state(), "when are your stores open?", "u0105")
    assert reply.intent == "store_hours" and "store_hours tool failed (KeyError)" in reply.text
    assert [s.tool for s in reply.trace] == ["store_hours"] and not reply.trace[0].ok


# -- routing ----------------------------------------------------------------------------


def test_plugin_tools_are_reached_from_their_docstrings_in_both_languages(shop, encode):
    agent = routed_agent(shop, encode)
    for message in ("where is my order 48213?", "我的订单48213到哪了"):
        reply = agent.turn(new_state(), message, "u0106")
        assert reply.plan["tool"] == "track_order", (message, reply.plan)
        assert reply.trace[0].arguments == {"order_id": "48213"}
        assert "48213" in reply.text and reply.answer[0].citations[0].startswith("T")


def test_an_order_number_goes_to_the_tool_that_takes_one_whatever_the_words_sound_like(
    shop, encode
):
    """ "我的单子#40512怎么还没到" sounds like "why didn't you show ..." to the router; the
    order number picks the one tool with an order parameter (a plugin's, by its name)."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state("zh"), "我的单子#40512怎么还没到，查一下", "u0106")
    assert reply.plan["tool"] == "track_order" and reply.trace[0].arguments == {"order_id": "40512"}
    # the tool is found by its parameter's name; a name no parameter has finds none
    assert agent.rules._takes("order") == "track_order"
    assert agent.rules._takes("nothing_takes_this") is None


def test_a_yes_no_question_of_products_in_view_is_theirs_not_the_shops(shop, encode):
    """ "能在实体店用吗？" (can it be used in a shop?) of speakers in view: the router
    hears "what does the shop sell" in 店 and showed the shop's overview; a yes-no question
    with products in view asks of them, and so does "能用来买咖啡豆吗？" (not a search for
    beans). "你们有卖耳机吗？" still asks what the shop sells."""
    agent = routed_agent(shop, encode)
    for message in ("能在实体店用吗？", "能在门店用吗？"):
        state = new_state()
        shown = agent.turn(state, "我想买个蓝牙音箱", "u0106")
        reply = agent.turn(state, message, "u0106")
        assert reply.plan["tool"] == "answer_question", (message, reply.plan)
        assert reply.trace[0].arguments["product_ids"][0] in {p.product_id for p in shown.products}
    state = new_state()
    agent.turn(state, "我想买个蓝牙音箱", "u0106")
    assert agent.turn(state, "你们有卖耳机吗？", "u0106").plan["tool"] == "shop_overview"
    # "can it be used to buy ...?" asks what the one in view buys, not for the thing named
    state = new_state()
    agent.turn(state, "推荐几款咖啡机", "u0106")
    reply = agent.turn(state, "能用来买咖啡豆吗？", "u0106")
    assert reply.plan["tool"] == "answer_question", reply.plan
    assert agent.turn(state, "我想买咖啡豆", "u0106").plan["tool"] != "answer_question"


def test_how_many_come_in_a_pack_of_a_shown_product_is_a_question_of_its_records(shop, encode):
    """ "第三个一包有几个" (how many to a pack, no question mark) and "how many come in a
    box of the second one?" ask a count of the product's records, not for its page."""
    agent = routed_agent(shop, encode)
    for first, message, at in (
        ("推荐几款瑜伽垫", "第三个一包有几个", 2),
        ("yoga mats please", "how many come in a box of the second one?", 1),
        ("yoga mats please", "how many come in the first one?", 0),
        ("yoga mats please", "how much does the third one hold?", 2),
    ):
        state = new_state()
        shown = agent.turn(state, first, "u0106")
        reply = agent.turn(state, message, "u0106")
        assert reply.plan["tool"] == "answer_question", (message, reply.plan)
        assert reply.trace[0].arguments["product_ids"] == [shown.products[at].product_id]


def test_after_sales_about_an_own_purchase_is_no_search(shop, encode):
    """A warranty claim for a speaker bought last month names a category, yet asks for no
    speaker: the shop's terms, which no record holds (said so, no products)."""
    agent = routed_agent(shop, encode)
    for message in (
        "上个月买的音箱坏了，怎么申请保修？",
        "I bought headphones here and they broke, can I get a refund?",
        # a brand's product the shopper bought, the service word as a verb: no question
        # of its records (the brand-question plan leaves it to the shop's terms)
        "can the Kaiju Steel knife I bought be exchanged?",
    ):
        reply = agent.turn(new_state(), message, "u0106")
        assert not reply.products and reply.intent == "shop_terms", (message, reply.text)


def test_shown_products_said_bought_or_turned_down_in_casual_words(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "smartwatch with built-in GPS for running", "u0109")
    third, second = shown.products[2].product_id, shown.products[1].product_id
    bought = agent.turn(state, "just bought the third one btw!", "u0109")
    assert bought.trace[0].tool == "record_feedback"
    assert bought.trace[0].arguments == {"product_id": third, "kind": "purchase"}
    assert "bought it" in bought.text
    assert (third, "purchase") in [(pid, kind) for pid, kind, _ in shop.feedback("demo", "u0109")]
    passed = agent.turn(state, "nah not into #2", "u0109")
    assert passed.trace[0].arguments == {"product_id": second, "kind": "not_interested"}
    # "the pair I bought last month" names no product in view: no purchase recorded
    from agent.parse import parse

    assert parse("I want to return the pair I bought last month").intent != "purchase"


def test_other_brands_asked_for_are_a_search_though_one_is_in_view(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "bluetooth speaker for camping", "u0110")
    reply = agent.turn(state, "anything from Orbit or Sonora instead?", "u0110")
    assert reply.intent == "recommend" and reply.products
    assert {p.brand for p in reply.products} <= {"Orbit", "Sonora"}


def test_a_pronoun_after_a_position_refers_back_to_it(shop, encode):
    """ "does #3 have a dimmer or is it just on/off": one product asked about, not the
    first one beside the third; "compare it with the second one" still sets two side by side."""
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "desk lamp for my study", "u0111")
    third = shown.products[2].product_id
    reply = agent.turn(state, "does #3 have a dimmer or is it just on/off", "u0111")
    assert reply.trace[0].tool == "answer_question"
    assert reply.trace[0].arguments["product_ids"] == [third]


def test_they_right_after_a_list_are_the_products_shown(shop, encode):
    """ "do they have a tare function?" right after three picks asks of all three; once
    one of them was talked about on its own, "are they comfortable?" asks of that pair."""
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "waterproof hiking boots for my wife", "u0113")
    ids = [p.product_id for p in shown.products]
    assert len(ids) > 1
    reply = agent.turn(state, "do they come with a warranty?", "u0113")
    assert reply.trace[0].tool == "answer_question"
    assert reply.trace[0].arguments["product_ids"] == ids
    agent.turn(state, "does the second one come in other colors?", "u0113")
    reply = agent.turn(state, "are they comfortable?", "u0113")
    assert reply.trace[0].arguments["product_ids"] == [ids[1]]


def test_brands_of_a_kind_asked_of_the_shop_get_its_overview(shop, encode):
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state("zh"), "你们店都卖哪些牌子的咖啡机？", "u0112")
    assert [s.tool for s in reply.trace] == ["shop_overview"]
    assert reply.trace[0].arguments == {"category": "Coffee Makers"}
    assert not reply.products and "Brewmaster" in reply.text


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("which brand of headphones is the best?", "Headphones"),
        ("什么牌子的蓝牙音箱好", "Speakers"),
    ],
)
def test_which_brand_is_best_gets_the_brands_by_their_buyers_ratings(
    shop, encode, message, category
):
    """ "which brand of headphones is the best?" had a search for "brand headphones
    best" shown: the brands of the kind, ranked by their products' ratings weighed by how
    many there are, each figure from the catalog."""
    from tools.discovery import MIN_BRAND_RATINGS

    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0114")
    assert [s.tool for s in reply.trace] == ["shop_overview"]
    assert reply.trace[0].arguments == {"category": category, "rated": True}
    assert not reply.products
    totals: dict[str, list[float]] = {}
    for p in shop.products("demo"):
        if category in p.categories and p.rating_count and p.rating_avg is not None:
            total = totals.setdefault(p.brand, [0.0, 0])
            total[0] += p.rating_avg * p.rating_count
            total[1] += p.rating_count
    ranked = sorted(
        ((b, s / n, n) for b, (s, n) in totals.items() if n >= MIN_BRAND_RATINGS),
        key=lambda r: (-round(r[1], 1), -r[2]),
    )
    assert ranked
    for brand, average, count in ranked:
        assert f"{brand} {average:.1f}" in reply.text and str(int(count)) in reply.text
    places = [reply.text.index(f"{brand} {average:.1f}") for brand, average, _ in ranked]
    assert places == sorted(places), reply.text
    # where no category is named, the kind asked about scopes it (titles that name it)
    from agent.planner import _RATED_KIND

    for said, kind in [
        ("which brand of multimeter is best?", "multimeter"),
        ("best oscilloscope brand?", "oscilloscope"),
        ("什么牌子的示波器好", "示波器"),
    ]:
        found = _RATED_KIND.search(said)
        assert found is not None and kind in found.groups(), said


def test_brands_are_ranked_by_their_reviews_stars_where_the_source_gives_no_rating(store):
    """A catalog whose source gives no rating (the Amazon 2018 metadata) has its brands
    ranked by their reviews' stars (ingest fills each product's), each product's mean
    weighed by its number; a brand with fewer than MIN_BRAND_RATINGS is left out."""
    import time

    from catalog.ingest import store_dataset
    from catalog.models import Product, RawDataset, Review
    from catalog.report import ValidationReport
    from tools.discovery import MIN_BRAND_RATINGS, shop_overview

    products = [
        Product(id=f"o{i}", title=f"Digital Oscilloscope {i}", brand=b, categories=["Lab"])
        for i, b in enumerate(["Rigol", "Rigol", "Hantek", "Owon"])
    ]
    stars = {"o0": [5, 5, 4], "o1": [4, 4], "o2": [5, 5, 5, 5, 4, 5], "o3": [5, 5]}
    reviews = [
        Review(id=f"{pid}-{n}", shopper_id=f"s{n}", product_id=pid, rating=float(r), text="ok")
        for pid, given in stars.items()
        for n, r in enumerate(given)
    ]
    report = ValidationReport(catalog="scopes", format="test")
    store_dataset(store, RawDataset(products, [], [], reviews), report, time.perf_counter())
    result = shop_overview(ToolContext(store, "scopes"), kind="oscilloscope", rated=True)
    assert MIN_BRAND_RATINGS == 5  # Owon's 2 stars are too few to rank
    assert result.data["brand_ratings"] == [
        {"brand": "Hantek", "rating": 4.8, "ratings": 6},
        {"brand": "Rigol", "rating": 4.4, "ratings": 5},
    ]
    assert "Hantek 4.8 (6 ratings), Rigol 4.4 (5 ratings)" in result.summary


@pytest.mark.parametrize(
    ("message", "positions"),
    [("类似3号的还有吗", [2]), ("2和3有啥区别", [1, 2]), ("42号的鞋", []), ("预算1到2千", [])],
)
def test_products_numbered_the_chinese_way(message, positions):
    from agent.parse import ordinals

    assert ordinals(message) == positions


def test_picks_asked_for_on_the_ground_of_the_history_are_the_shoppers_own(shop, encode):
    """ "suggest a few items based on my tastes" and "根据我平时买的东西，给我推荐点吧" ask
    for picks, not for a summary of the history, and name no kind to search for."""
    agent = routed_agent(shop, encode)
    for message in (
        "I don't have anything specific in mind today, could you suggest a few items "
        "based on my tastes?",
        "根据我平时买的东西，给我推荐点吧",
    ):
        reply = agent.turn(new_state(), message, "u0031")
        assert reply.intent == "recommend" and reply.products, message
        assert reply.trace[0].tool == "recommend_for_shopper", message
        assert "category" not in reply.trace[0].arguments


def test_the_whole_page_asked_for_is_the_products_details(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "hiking backpack", "u0113")
    reply = agent.turn(
        state, "can you pull up the full page for #1? brand, rating, specs, all of it", "u0113"
    )
    assert reply.trace[0].tool == "product_details"
    assert reply.trace[0].arguments == {"product_id": shown.products[0].product_id}


def test_a_delivery_time_asked_in_a_long_message_reaches_the_shipping_tool(shop, encode):
    """The router's score of a long message falls below its threshold; the words of a
    delivery time and the tool's own description ("shipping (delivery)") still meet."""
    from agent.vocabulary import Vocabulary

    registry = load_registry()  # the built-ins and the installed example plugin
    vocabulary = Vocabulary.from_products(shop.products("demo"), encode)
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    state = new_state()
    shown = agent.turn(state, "推荐几款登山鞋", "u0114")
    reply = agent.turn(state, "第二双能加急吗？下周末要去爬山，加急的话几天能到", "u0114")
    assert reply.trace[0].tool == "shipping_estimate"
    assert reply.trace[0].arguments["product_id"] == shown.products[1].product_id


def test_forgetting_the_kind_asked_for_drops_it(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "running shoes", "u0031")
    reply = agent.turn(state, "forget the shoes, just show me stuff picked for me", "u0031")
    assert state.slots.category is None and reply.trace[0].tool == "recommend_for_shopper"
    assert not any("Running Shoes" in str(s.arguments) for s in reply.trace)


def test_a_writing_task_naming_a_product_is_no_search(shop, encode):
    agent = routed_agent(shop, encode)
    reply = agent.turn(
        new_state(), "can you write me a short review for the headphones I bought?", "u0115"
    )
    assert not reply.products and reply.intent != "recommend"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "customer wants to know if the second one has an auto shut-off feature",
            "the second one has an auto shut-off feature?",
        ),
        (
            "customer needs a backpack for her laptop, 80 dollars max",
            "I need a backpack for my laptop, 80 dollars max",
        ),
        ("客户想知道第一个台灯这三个月的价格走势", "第一个台灯这三个月的价格走势？"),
        ("客户说收到的音箱外壳有裂痕，要求换货", "收到的音箱外壳有裂痕，要求换货"),
        ("客户想买一盏护眼台灯", "我想买一盏护眼台灯"),
        ("waterproof boots for my wife", "waterproof boots for my wife"),  # no relay
        # the customer in the first person; "they" is as often the products
        ("customer says she is allergic to fragrance", "I am allergic to fragrance"),
        ("customer asks if the boots fit her", "the boots fit me?"),
        ("customer asks whether they are waterproof", "they are waterproof?"),
        # shorthand, the customer's state, and "her" as the object, not an owner
        ("cust asking where her parcel is", "where my parcel is?"),
        ("Customer's just browsing, any picks for her?", "I am just browsing, any picks for me?"),
        (
            "cust wants to know why #3 was suggested to her specifically",
            "why #3 was suggested to me specifically?",
        ),
        ("customer wants a gift for her family", "I want a gift for my family"),
        ("customer service was slow today", "customer service was slow today"),  # no relay
    ],
)
def test_a_message_typed_by_staff_for_a_customer_is_read_in_the_customers_words(typed, read):
    from agent.parse import first_person

    assert first_person(typed) == read


def test_staff_asking_for_a_customer_reach_the_same_tools(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "customer looking for a drip coffee maker under $100", "u0116")
    second = shown.products[1].product_id
    reply = agent.turn(
        state, "customer wants to know if the second one has an auto shut-off feature", "u0116"
    )
    assert reply.intent == "answer" and reply.trace[0].arguments["product_ids"] == [second]
    search = agent.turn(
        new_state(), "customer needs a backpack for her laptop, 80 dollars max", "u0116"
    )
    assert search.products and all(p.price is None or p.price <= 80 for p in search.products)


@pytest.mark.parametrize(
    "message",
    [
        "customer wants to cancel order 77120 before it ships",
        "How does one properly clean a yoga mat? Mine has become rather sticky.",
        "客户说收到的音箱外壳有裂痕，要求换货",
        # haggling, a code, a repair, a delivery moved: the shop's, no tool's
        "能不能再便宜点，砍个价",
        "please use code SAVE10 on my cart",
        "I'd like to reschedule order 55120 to next Tuesday",
        "可以帮我把订单 30218 改到下周再发吗",
        "can I book a repair for my speaker?",
    ],
)
def test_after_sales_and_care_questions_are_no_search_and_no_tracking(shop, encode, message):
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0117")
    assert not reply.products and not reply.trace, (message, reply.text)


@pytest.mark.parametrize(
    ("message", "intent", "max_price"),
    [
        ("I notice you never suggest anything from Kestrel Audio to me. Is there a reason?",
         "why_not", None),
        ("请问为什么你们从来不给我推荐Northfold的外套呢？", "why_not", None),
        ("more like #2", "similar", None),
        ("a laptop backpack, 80 dollars max", "recommend", 80.0),
        ("3 days max", "recommend", None),
    ],
)  # fmt: skip
def test_phrasings_of_a_hurried_or_a_formal_shopper(message, intent, max_price):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.intent, parsed.max_price) == (intent, max_price)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("第二个我挺喜欢的", "like"),
        ("thanks, that's all for now!", "thanks"),
        ("I always buy Beatline, so why isn't any of their gear in your picks?", "why_not"),
        ("what do my shopping habits say about me?", "profile"),
    ],
)
def test_phrasings_of_a_conversation_several_turns_deep(message, intent):
    from agent.parse import parse

    assert parse(message).intent == intent
    assert parse("why isn't it waterproof?").intent != "why_not"  # no picks named


def test_an_explicit_budget_beats_cheaper_than_those_shown(shop, encode):
    """ "再便宜点的，1000元以下" after automatic coffee makers: the budget said, in dollars,
    not "cheaper than the cheapest shown"."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "咖啡机", "u0118")
    agent.turn(state, "再便宜点的，1000元以下", "u0118")
    assert state.slots.max_price == 140.0


@pytest.mark.parametrize(
    "message",
    [
        "我想取消昨天下的那个订单",
        "the pair I got last month doesn't fit, how do I send them back?",
        "please remember that my wife's shoe size is 38 for next time",
        "in general, how do you clean leather boots after a muddy hike?",
        "陶瓷刀和钢刀一般有什么区别？",
    ],
)
def test_after_sales_notes_and_general_advice_reach_no_tool_in_a_conversation(
    shop, encode, message
):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "hiking boots", "u0119")
    reply = agent.turn(state, message, "u0119")
    assert not reply.trace and not reply.products, (message, reply.text)


def test_skip_a_brand_and_ask_delivery_of_that_one(shop, encode):
    from agent.vocabulary import Vocabulary

    registry = load_registry()  # with the installed shipping plugin
    vocabulary = Vocabulary.from_products(shop.products("demo"), encode)
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    state = new_state()
    agent.turn(state, "bluetooth speakers", "u0120")
    agent.turn(state, "ok, now skip anything from Sonora", "u0120")
    assert state.slots.exclude_brands == ["Sonora"]
    shown = state.shown[0]
    reply = agent.turn(state, "ok what about delivery for that one", "u0120")
    assert reply.trace[0].tool == "shipping_estimate"
    assert reply.trace[0].arguments["product_id"] == shown


def test_a_missing_argument_gets_one_question_and_the_answer_completes_the_call(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    asked = agent.turn(state, "can you track my order?", "u0107")
    assert asked.question and "order number" in asked.text.lower()
    done = agent.turn(state, "it's 55120", "u0107")
    assert done.plan["tool"] == "track_order" and done.trace[0].arguments["order_id"] == "55120"


def test_an_earlier_price_is_asked_of_the_tool_whose_description_is_about_it(shop, encode):
    """No record holds an earlier price; the test plugin's price_history ("how a
    product's price has changed") does, and has no example utterances."""
    agent = routed_agent(shop, encode)
    for message in ("was the first one cheaper last month?", "第一个之前卖多少钱？"):
        state = new_state()
        shown = agent.turn(state, "noise cancelling headphones", "u0106")
        reply = agent.turn(state, message, "u0106")
        assert reply.plan["tool"] == "price_history", (message, reply.plan)
        assert reply.trace[-1].arguments == {"product_id": shown.products[0].product_id}
    # without such a tool, the question is answered from the records: not stated
    plain = Agent(shop, "demo", registry=load_registry(include_entry_points=False),
                  vocabulary=routed_agent(shop, encode).vocabulary)  # fmt: skip
    state = new_state()
    plain.turn(state, "noise cancelling headphones", "u0106")
    assert plain.turn(state, "was the first one cheaper last month?", "u0106").intent == "answer"


@pytest.mark.parametrize(
    "message",
    ["tell me a joke", "今天天气怎么样", "who painted the Mona Lisa?", "play some music"],
)
def test_messages_no_tool_serves_get_what_the_assistant_can_do(shop, encode, message):
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0108")
    assert reply.intent == "abstain" and not reply.products and not reply.trace
    assert "find and compare products" in reply.text or "找商品" in reply.text


@pytest.mark.parametrize(
    ("message", "named", "said"),
    [
        ("I need a multimeter", "multimeter", "None of this shop's"),
        ("I'd like a new sofa", "sofa", "None of this shop's"),
        ("我想买个沙发", "沙发", "没有标题提到“沙发”"),
        ("我需要一台割草机", "割草机", "没有标题提到“割草机”"),
    ],
)
def test_a_request_for_a_thing_the_shop_does_not_carry_says_so_and_what_it_sells(
    shop, encode, message, named, said
):
    """ "I need a multimeter" of the demo shop (outdoor, coffee and audio) was "outside
    what I can do": the request is one the shop cannot serve, and the reply says that it
    carries no such thing and what it does sell (the shop's overview), showing no
    product. Routing still scores it an abstention."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0108")
    assert reply.intent == "not_carried" and not reply.products, reply.plan
    assert [s.tool for s in reply.trace] == ["shop_overview"]
    assert reply.trace[0].arguments.get("kind") == named
    assert said in reply.text and "Backpacks" in reply.text, reply.text
    assert "outside what I can do" not in reply.text and "超出" not in reply.text
    # a thing the shop does carry is searched for, as before
    carried = agent.turn(new_state(), "I need a backpack", "u0108")
    assert carried.intent == "recommend" and carried.products


def test_a_chinese_request_for_a_thing_not_carried_says_so_but_a_cheaper_one_does_not(shop, encode):
    """ "我想买个万用表" (a multimeter) of the demo shop showed smartwatches as if they were
    what was asked: a Chinese word with no sense the titles use is not carried when none
    of its senses is. "有便宜一点的吗" (anything cheaper?) ends on 便宜 (cheap), which no
    title says either: more of the kind in view, no thing missing."""
    agent = routed_agent(shop, encode)
    state = new_state("zh")
    reply = agent.turn(state, "我想买个万用表", "u0108")
    # said so before anything is shown: the closest things after the note, or what the
    # shop does sell
    assert "没有找到“万用表”" in reply.text or (
        "没有标题提到“万用表”" in reply.text and not reply.products
    ), reply.text
    state = new_state("zh")
    assert agent.turn(state, "我想买双跑鞋", "u0108").products
    cheaper = agent.turn(state, "有便宜一点的吗？", "u0108")
    assert cheaper.intent == "recommend" and "没有找到" not in cheaper.text, cheaper.text


@pytest.mark.parametrize(
    ("request_", "need", "other"),
    [
        ("I'm looking for running shoes.", "Long race-day distances.", "tell me a joke"),
        ("我想找双肩包。", "颜色越深越好，低调不显脏。", "讲个笑话吧"),
    ],
)
def test_a_need_said_after_products_were_shown_narrows_the_search(
    shop, encode, request_, need, other
):
    """A statement with no catalog word, right after products were shown for a request,
    is the shopper describing what they want: the search goes on with it. A request that
    the assistant do something else still gets what the assistant can do."""
    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, request_, "u0110")
    category = state.slots.category
    assert first.intent == "recommend" and first.products and category
    narrowed = agent.turn(state, need, "u0110")
    assert narrowed.intent == "recommend" and narrowed.products, narrowed.plan
    assert state.slots.category == category
    assert any(w in state.slots.query for w in ("race-day", "低调")), state.slots.query
    assert agent.turn(state, other, "u0110").intent == "abstain"


def test_a_need_said_after_a_question_about_the_list_still_narrows_its_search(shop, encode):
    """ "something Italian" after "which of these has the most locations?" of restaurant
    cards in view was "outside what I can do": a question about the products in view
    does not end the search they were found by. "I'd prefer something bright" (which the
    router places near "show me picks for me") narrows it too, its word searched for;
    "just show me stuff picked for me" asks for the shopper's own picks and adds no word."""
    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, "I'm looking for running shoes.", "u0110")
    assert first.intent == "recommend" and first.products
    agent.turn(state, "is the first one waterproof?", "u0110")
    for message, word in [("Long race-day distances.", "race-day"),
                          ("I'd prefer something bright", "bright")]:  # fmt: skip
        after = copy.deepcopy(state)
        reply = agent.turn(after, message, "u0110")
        assert reply.intent == "recommend" and reply.products, (message, reply.plan)
        assert word in after.slots.query.split(), (message, after.slots.query)
    picks = copy.deepcopy(state)
    reply = agent.turn(picks, "just show me stuff picked for me", "u0110")
    assert reply.intent == "recommend" and reply.products
    assert picks.slots.query == state.slots.query, picks.slots.query
    # long after the list, a statement is read afresh (no search goes on)
    later = copy.deepcopy(state)
    for question in ("is the second one waterproof?", "how heavy is the third one?",
                     "what colours does the first come in?"):  # fmt: skip
        agent.turn(later, question, "u0110")
    assert agent.turn(later, "Long race-day distances.", "u0110").intent != "recommend" or (
        "race-day" not in later.slots.query
    )


@pytest.mark.parametrize(
    "message",
    ["Hi, I'm looking for something.", "I need to buy something, can you help?", "我想买点东西"],
)
def test_a_request_to_shop_that_names_nothing_gets_picks_not_a_refusal(shop, encode, message):
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0109")
    assert reply.intent == "recommend" and reply.products, (message, reply.plan)


def test_a_statements_it_and_brand_are_the_wanted_product_not_one_in_view(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "smartwatches", "u0110")
    brand = agent.store.product("demo", shown.products[0].product_id).brand
    message = f"Something cheaper, please. My budget is under $100. I'd like it from {brand}."
    reply = agent.turn(state, message, "u0110")
    assert reply.intent == "recommend" and reply.products, reply.plan
    assert reply.trace[0].arguments.get("brands") == [brand]  # a preference, not a reference


def test_the_number_shown_follows_the_agents_k_set_after_it_was_built(shop, encode):
    agent = routed_agent(shop, encode)
    agent.k = 5
    reply = agent.turn(new_state(), "hiking boots", "u0111")
    assert len(reply.products) == 5


def test_a_brand_alone_names_a_brand_not_one_of_its_products():
    from agent.lookup import Lookup
    from catalog.models import Product

    brands = [
        "Bass Pro Shops",
        "Panda Express",
        "Olive Garden",
        "Red Lobster",
        "Subway",
        "AMC",
        "Applebee's",
        "Sephora",
        "Starbucks",
        "Target",
        "Chili's",
        "BreakFree",
    ]
    designs = ["Snowflake", "Cupcake", "Ribbon", "Lantern", "Balloon", "Compass", "Maple",
               "Harbor", "Falcon", "Meadow", "Comet", "Prism"]  # fmt: skip
    products = [
        Product(str(i), f"{brand} Gift Card {design} Tin", brand=brand)
        for i, (brand, design) in enumerate(zip(brands, designs, strict=True))
    ]
    lookup = Lookup(products)
    assert lookup.find("I'd like it from Bass Pro Shops.") == []
    assert lookup.find("Does the Bass Pro Shops snowflake tin card ship fast?") == [products[0]]


def test_a_measure_in_a_request_names_no_product():
    """ "3D printer filament PLA 1.75mm" of an industrial catalog asked "Several products
    have that name. Which one do you mean?": "3d" and "1.75mm", tokens with a digit and
    rare in the catalog, were read as model numbers. A number with its unit is a measure
    many products share; a model number still names its product."""
    from agent.lookup import Lookup
    from catalog.models import Product

    titles = [
        ("MeltInk3D Red PLA 3D Printer Filament 1.75mm, 1Kg", "MeltInk3D"),
        ("3D Solutech Purple 3D Printer PLA Filament 1.75MM", "3D Solutech"),
        ("1.75mm Green PLA 3D Printer Filament - 1kg Spool", "AMZ3D"),
        ("Hatchbox Black PLA 3D Printer Filament 1.75mm", "Hatchbox"),
        ("Owon PDS5022T Portable Digital Storage Oscilloscope", "Owon"),
        *((f"Nitrile Exam Gloves, Large, Box/{n}", "MedPride") for n in range(100, 130)),
        ("M3 x 10mm Alloy Steel Hex Bolt Socket Head Cap Screws Black 100 Pcs", "uxcell"),
        ("Hilitchi 210pcs M3 Stainless Steel Hex Socket Head Cap Screws Kit", "Hilitchi"),
        ("Stainless 10-24 x 1/2 Flat Head Machine Screws, 50 Pack", "Crown Bolt"),
    ]
    products = [Product(str(i), t, brand=b) for i, (t, b) in enumerate(titles)]
    lookup = Lookup(products)
    assert lookup.find("3D printer filament PLA 1.75mm") == []
    # a thread size is a measure too: "M3", "10-24"
    assert lookup.find("M3 stainless steel socket head cap screws, about 10mm long") == []
    assert lookup.find("10-24 flat head machine screws") == []
    assert lookup.find("I need PLA filament, 1.75mm, 1kg") == []
    assert lookup.find("does the Owon PDS5022T oscilloscope have a battery?") == [products[4]]


def test_a_change_to_the_list_is_not_read_as_naming_products(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "coffee makers", "u0112")
    message = "Not that brand. It should be 4-cup. It should be drip coffee maker."
    assert len(agent.rules.lookup.find(message)) > 1  # the words fit several titles
    reply = agent.turn(state, message, "u0112")
    assert reply.intent == "recommend" and reply.products, reply.plan


def test_a_brand_inside_a_longer_brand_is_the_longer_one():
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    products = [
        Product("1", "3M Scotch tape", brand="3M"),
        Product("2", "3M Littmann Classic III stethoscope", brand="3M Littmann"),
    ]
    vocabulary = Vocabulary.from_products(products)
    assert vocabulary.brands_in("I'd like it from 3M Littmann.") == ["3M Littmann"]
    assert sorted(vocabulary.brands_in("3M tape, or a 3M Littmann")) == ["3M", "3M Littmann"]


def test_a_brand_with_an_ordinal_in_its_name_is_not_a_reference():
    from agent.references import resolve

    state = new_state()
    state.shown = ["a", "b", "c"]
    text = "I'd like it from 1st Choice."
    assert resolve(text, state, []).ordinal == ["a"]  # read without the catalog's names
    assert resolve(text, state, [], names=["1st Choice"]).ordinal == []
    assert resolve("the 2nd one from 1st Choice", state, [], names=["1st Choice"]).ordinal == ["b"]


def test_agent_imports_no_engine_module():
    """The agent reaches the recommender and the search index only through tools."""
    for path in sorted((REPO / "agent").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("recommender", "vectorstore")), (path.name, name)


def test_tool_arguments_the_planner_gives_are_validated(shop):
    registry = load_registry(include_entry_points=False)
    with pytest.raises(ToolArgumentError):
        registry.get("no_such_tool")
    arguments = {"product_id": "1001", "kind": "adore"}
    out = registry.call("record_feedback", ToolContext(shop, "demo"), arguments)
    assert not out.ok and "must be one of" in out.error


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("why did you pick the first one?", "why"),
        ("Why?", "why"),
        ("为什么推荐这个？", "why"),
        ("I'd like to learn why I sleep so badly.", "recommend"),  # a need: "why" opens a clause
        ("I want to know why my feet hurt", "recommend"),
    ],
)
def test_why_asks_about_the_picks_only_when_it_asks(message, intent):
    from agent.parse import parse

    assert parse(message).intent == intent


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("I like it", "like"),
        ("I love the second one", "like"),
        ("I like the third", "like"),
        ("I really like this one!", "like"),
        ("我喜欢第二个", "like"),
        ("喜欢这款", "like"),
        ("something I might like", "recommend"),
        # a taste, the shopper's or someone else's, is not feedback on a product shown
        ("I love hiking, what boots do you suggest?", "recommend"),
        ("i like running, need shoes", "recommend"),
        ("给喜欢看电影的朋友买张礼品卡", "recommend"),
        ("我女儿喜欢画画，送她什么好", "recommend"),
        ("我喜欢跑步，推荐双鞋", "recommend"),
        # buying one of those shown puts it in the cart; taking or choosing one is liking
        # it (a cart is changed only when asked in so many words); wanting a kind ("那种")
        # or a colour of it, or taking "one for my dad", is neither
        ("I'll take the cheaper one", "like"),
        ("I'll take the second one", "like"),
        ("I'll buy it", "cart"),
        ("I'd like to order the first one", "cart"),
        ("我要便宜的那个", "like"),
        ("我要第二个", "like"),
        ("我想买第一个", "cart"),
        ("就买这个吧", "cart"),
        ("我选第二个", "like"),
        ("I'll take one for my dad", "recommend"),
        ("我要那种防水的", "recommend"),
        ("我要这个的黑色", "recommend"),
        ("我要买跑鞋", "recommend"),
        # what the assistant knows of the shopper; ones like a product shown
        ("what do you know about me?", "profile"),
        ("你都知道我什么？", "profile"),
        ("show me ones like the third", "similar"),
        ("something like the first one", "similar"),
    ],
)
def test_liking_is_feedback_only_when_it_is_about_a_product(message, intent):
    from agent.parse import parse

    assert parse(message).intent == intent


def test_a_brand_named_like_the_catalogs_kind_of_product_is_no_brand_filter():
    """A catalog where two cards carry the brand "Gift Card" and hundreds of other
    brands' titles say "gift card": the words say what is wanted, not who made it."""
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    products = [Product("g1", "Starbucks San Francisco Gift Card", brand="Gift Card"),
                Product("g2", "Starbucks Canada Gift Card", brand="Gift Card")]  # fmt: skip
    for i, brand in enumerate(["Starbucks", "AMC Theatres", "Sephora", "Regal", "Fandango", "Gap"]):
        products.append(Product(f"p{i}", f"{brand} Gift Card", brand=brand))
    products.append(Product("u1", "AMC Theatres Gift Card, Multipack"))  # no brand given
    vocabulary = Vocabulary.from_products(products)
    assert "Gift Card" not in vocabulary.brands
    assert vocabulary.brands_in("a gift card for my coworker who loves coffee") == []
    assert vocabulary.brands_in("a starbucks gift card") == ["Starbucks"]
    assert "AMC Theatres" in vocabulary.brands  # other brands' titles do not hold it


def test_a_brand_named_in_the_titles_of_one_other_brand_is_still_a_brand():
    """Five files of "Apex Tool Group" titled "... True Nicholson ..." beside one of the
    brand Nicholson: a maker's line, not a kind of product (it once hid "from Nicholson")."""
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    products = [Product("n1", "Nicholson 06706N Axe File, 8-Inch", brand="Nicholson")]
    for i, kind in enumerate(["File Cleaner", "File Card", "5 Piece File Set", "9 Piece Set",
                              "Thread Repair File Set", "Rasp"]):  # fmt: skip
        products.append(Product(f"a{i}", f"Apex Tool Group True Nicholson {kind}",
                                brand="Apex Tool Group"))  # fmt: skip
    products.append(Product("o1", "Stanley Hand File", brand="Stanley"))
    vocabulary = Vocabulary.from_products(products)
    assert "Nicholson" in vocabulary.brands
    assert vocabulary.brands_in("I'd like it from Nicholson.") == ["Nicholson"]


@pytest.mark.parametrize(
    ("message", "recipient"),
    [
        ("a gift card for my coworker who loves coffee", "coworker"),
        ("something for my mum", "mum"),
        ("给外甥女买个礼物", "外甥女"),
        ("给我外甥买双跑鞋", "外甥"),
        ("我想给我妈买一双登山靴", "妈"),
        ("给我妈妈买个礼物", "妈妈"),
        ("给爸妈买个按摩仪", "爸妈"),  # parents: neither a man's nor a woman's gift
        # words that say how old or who they are come between, and are no search words
        ("a fantasy book for my 12 year old nephew", "nephew"),
        ("headphones for my 12-year-old son", "son"),
        ("a lamp for my little sister who reads a lot", "sister"),
        ("a speaker for my daughter's room", "daughter"),  # no "'s" left to search for
    ],
)
def test_the_person_a_gift_is_for_is_read_as_such(message, recipient):
    from agent.parse import parse

    parsed = parse(message)
    assert parsed.recipient == recipient and recipient not in parsed.content
    assert not {"year", "old", "12", "little", "'s"} & set(parsed.content.split()), parsed.content


def test_a_request_in_the_catalogs_words_is_a_search_though_it_names_no_category():
    """A catalog without categories (Amazon Industrial & Scientific has none): a message
    whose words are mostly its title words, or whose Chinese words translate into them,
    asks for its products."""
    from agent.planner import _catalog_words
    from tools.text import stem

    class Titles:
        known_words = frozenset(
            ["safety", "glasses", "fit", "over", "digital", "multimeter", "probe", "appliance"]
        )
        title_stems = frozenset(stem(w) for w in [*known_words, "fix"])

    assert _catalog_words("safety glasses fit over prescription glasses", Titles())
    # the words by their stems: "fixing appliances" of titles that say "Fix", "Appliance"
    assert _catalog_words("digital multimeter fixing appliances", Titles())
    assert not _catalog_words("fix my car engine", Titles())
    assert not _catalog_words("multimeter", Titles())  # one word: as it always was
    assert _catalog_words("万用表", Titles())  # multimeter, by its dictionary sense
    assert not _catalog_words("好看 电影", Titles())


@pytest.mark.parametrize(
    ("message", "positions"),
    [
        ("tell me about the last one", [-1]),
        ("what about that last one?", [-1]),
        ("compare the first and the last", [0, -1]),
        ("how long does it last?", []),
        ("Not that brand. Plumbing parts that last for decades.", []),  # a need, no product
        ("boots that last", []),
    ],
)
def test_last_points_at_the_last_product_only_as_the_last_one(message, positions):
    from agent.parse import ordinals

    assert ordinals(message) == positions


def test_a_chinese_count_or_verb_of_buying_is_not_searched_for():
    from agent.parse import parse

    assert parse("给老婆买一双防水的登山鞋，预算150以内").content.split() == ["防水", "登山鞋"]
    assert parse("来一个降噪耳机").content == "降噪耳机"
    assert parse("想买个蓝牙音箱，户外用的").content == "蓝牙音箱 户外用"
    assert parse("我要个便宜的").content == ""
    assert parse("买家评价好的耳机").content.startswith("买家")  # a word, not the verb


def test_who_a_gift_is_for_and_that_they_love_it_are_not_searched_for():
    """ "gift card for someone who loves movies" searched "someone loves", and titles
    such as "New Little Someone to Love" came first; the movies are what is asked."""
    from agent.parse import parse

    assert parse("gift card for someone who loves movies").content == "card movies"
    assert parse("my dad enjoys hiking, any boots?").content.split() == ["dad", "hiking", "boots"]


@pytest.mark.parametrize(
    ("message", "low", "high"),
    [
        ("a gift for my sister around 80 dollars", 64.0, 96.0),
        ("about $80", 64.0, 96.0),
        ("boots, budget of about 120", 96.0, 144.0),
        ("$50 or so", 40.0, 60.0),
        ("登山靴500元左右", 400.0, 600.0),
        ("我的预算是200元", None, 200.0),
        ("防水的，预算改成300", None, 300.0),
        ("a tent that sets up in about 3 minutes", None, None),  # a number, no price
        # a price said with its currency and nothing else is the target
        ("a gift for my sister who does yoga, maybe 40 bucks", 32.0, 48.0),
        ("a $50 gift card", 40.0, 60.0),
        ("boots under $150, I have a 20 dollars off coupon", None, 150.0),
        ("boots, 20 dollars off", None, None),
    ],
)
def test_a_budget_said_as_about_a_price_is_a_range_around_it(message, low, high):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.min_price, parsed.max_price) == (low, high)
    # the amount said, kept for the price claim: only a band has one
    band = low is not None and high is not None
    assert parsed.around == (round((low + high) / 2, 2) if band else None), message


def test_the_cheaper_one_picks_among_those_shown_and_asks_for_nothing_cheaper():
    from agent.parse import parse
    from agent.references import resolve
    from agent.state import DialogueState
    from catalog.models import Product

    shown = [Product("a", "A boot", price=110.0), Product("b", "B boot", price=102.0),
             Product("c", "C boot", price=134.0)]  # fmt: skip
    state = DialogueState(shown=[p.id for p in shown])
    for message, picked in [("I'll take the cheaper one", "b"), ("我要便宜的那个", "b"),
                            ("the more expensive one please", "c")]:  # fmt: skip
        assert resolve(message, state, shown).products == [picked], message
        assert not parse(message).cheaper, message
    assert parse("anything cheaper?").cheaper


def test_it_beside_a_named_product_is_the_product_in_focus(shop, encode):
    """ "compare it with the second one" after a question about the first: the first and
    the second, not the second alone; "它和第二个比哪个更便宜？" the same two, by price."""
    agent = routed_agent(shop, encode)
    for language, request, about, compare in [
        ("en", "waterproof hiking boots for my wife", "does the first one come in other colors?",
         "compare it with the second one"),
        ("zh", "给老婆买一双防水登山靴", "第一个防水吗？", "它和第二个比哪个更便宜？"),
    ]:  # fmt: skip
        state = new_state()
        agent.turn(state, request, "u1")
        first, second = state.shown[:2]
        agent.turn(state, about, "u1")
        reply = agent.turn(state, compare, "u1")
        call = reply.trace[-1]
        assert sorted(call.arguments["product_ids"]) == sorted([first, second]), language
        if language == "zh":
            assert call.tool == "answer_question"
            best = min(shop.products("demo", [first, second]), key=lambda p: p.price)
            assert reply.text.startswith(best.title) and "更便宜" in reply.text


def _tools_shop_vocabulary():
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    titles = [
        "Uni-T Digital Handheld Multimeter", "AstroAI Digital Multimeter 6000 Counts",
        "Klein Tools Auto-Ranging Multimeter", "URBEST Digital pH Meter",
        "Apera Waterproof pH Meter", "HMD Pocket pH Meter", "Uvex Anti-Fog Safety Glasses",
        "3M Over-the-Glass Safety Glasses", "DeWalt Clear Safety Glasses",
        "Hard Travel Case for Etekcity Multimeter",
    ]  # fmt: skip
    return Vocabulary.from_products([Product(f"p{i}", t) for i, t in enumerate(titles)])


@pytest.mark.parametrize(
    ("messages", "query"),
    [
        # a request said in full for another kind starts a new search
        (["I need safety glasses", "我想买一个数字万用表"], "数字万用表"),
        # said without a measure word, or without "I": to buy, then the thing
        (["I need safety glasses", "我要买万用表"], "万用表"),
        (["I need safety glasses", "买个万用表，精度要高"], "万用表 精度要高"),
        # "I want to buy a waterproof one" is one of the same kind
        (["I need safety glasses", "我想买防雾的"], "safety glasses 防雾"),
        (["I need safety glasses", "I need a pH meter"], "ph meter"),
        # a request for someone else: "coffee" was the coworker's
        (
            ["a gift for my coworker who loves coffee", "我想给我女儿买一张看电影的礼品卡"],
            "看电影 礼品卡",
        ),
        (
            [
                "a gift for my coworker who loves coffee",
                "I need a gift for my daughter who loves movies",
            ],
            "movies",
        ),
        # words before any kind, and more about the same kind, hold
        (["waterproof", "I'm looking for a pH meter"], "waterproof ph meter"),
        (
            ["I need safety glasses", "I want some anti-fog safety glasses"],
            "safety glasses anti-fog",
        ),
        (["I need safety glasses", "one that fits over my glasses"], "safety glasses fits over"),
        # another kind offered to look at is a new search; more of the same kind is not
        (["I need safety glasses", "what about a pH meter?"], "ph meter"),
        (["I need safety glasses", "something cheaper, a multimeter maybe"], "multimeter"),
        (["I need safety glasses", "maybe anti-fog ones"], "safety glasses anti-fog"),
        (["I need safety glasses", "maybe something with a case"], "safety glasses case"),
        (["I need safety glasses", "maybe a digital one"], "safety glasses digital"),
    ],
)
def test_a_request_for_another_kind_of_product_starts_a_new_search(messages, query):
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary = _tools_shop_vocabulary()
    assert {"multimeter", "meter", "glass"} <= vocabulary.kinds
    state = new_state()
    for message in messages:
        update_slots(state, parse(message), message, vocabulary, "USD", [])
    assert state.slots.query.casefold() == query


def test_a_refinement_of_products_found_by_words_guesses_no_kind():
    """ "有没有带灯的" (any with a light?) after magnifiers found by their words alone
    showed lamp holders: the kind guessed from "带灯" replaced the request. More of what
    was shown keeps it; the same words as a first message may guess a kind."""
    from agent.parse import parse
    from agent.tracking import update_slots
    from catalog.models import Product

    class Guessing:  # a vocabulary that guesses Lamp Holders from any words
        kinds: frozenset = frozenset()

        def category_in(self, text, content, current):
            return "Lamp Holders", True

        def kinds_in(self, text):
            return set()

        def brands_in(self, text):
            return []

        def attributes_in(self, text):
            return []

    shown = [Product("m1", "Carson LED Lighted Pocket Magnifier")]
    state = new_state("zh")
    state.slots.query = "magnifying glass reading small print"
    update_slots(state, parse("有没有带灯的"), "有没有带灯的", Guessing(), "USD", shown)
    assert state.slots.category is None
    assert state.slots.query == "magnifying glass reading small print 带灯"
    fresh = new_state("zh")
    update_slots(fresh, parse("有没有带灯的"), "有没有带灯的", Guessing(), "USD", [])
    assert fresh.slots.category == "Lamp Holders"


def test_a_leaf_named_as_the_brand_asked_for_is_no_kind_guessed(encode):
    """ "给同事买张星巴克的卡，100块钱左右" found nothing: the catalog has a leaf "Starbucks"
    (one card filed under it, of another brand), the request was guessed to be of that
    kind, and with the Starbucks brand asked for too no card fitted both."""
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    cards = [
        Product(f"s{i}", f"Starbucks Gift Card {i}", brand="Starbucks", categories=["Gift Cards"])
        for i in range(4)
    ]
    cards += [Product(f"a{i}", f"AMC Gift Card {i}", brand="AMC", categories=["Gift Cards"])
              for i in range(4)]  # fmt: skip
    cards.append(
        Product("x", "Starbucks card $25", brand="Apple", categories=["Gift Cards", "Starbucks"])
    )
    vocabulary = Vocabulary.from_products(cards, encode)
    assert vocabulary.brands_in("给同事买张星巴克的卡") == ["Starbucks"]
    assert vocabulary.guess_category("星巴克 卡", 0.0) is None
    assert vocabulary.guess_category("礼品卡", 0.0) == "Gift Cards"


def test_a_leaf_of_one_product_or_one_a_word_only_qualifies_is_no_kind_guessed(encode):
    """ "my brother loves video games" was guessed to be of the leaf "Starbucks", one card
    of 1,547 whose main category reads "Video Games"; "a steam card" of "Gift Card
    Accessories", its card holders' "card holder" reading closer to "card" than "gift
    card" does. A leaf of one product in a large catalog is no kind guessed, nor one
    whose names use the asked word only before the word that names the thing."""
    from agent.parse import named_kind
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    shops = ["Pizza", "Coffee", "Movie", "Bookstore", "Steakhouse", "Bakery", "Spa", "Airline"]
    cards = [
        Product(f"g{i}", f"{shops[i % len(shops)]} Gift Card", categories=["Gift Cards"])
        for i in range(300)
    ]
    cards += [
        Product(f"h{i}", "Leather Card Holder", categories=["Gift Card Accessories"])
        for i in range(30)
    ]
    cards.append(
        Product("x", "Starbucks card $25", categories=["Starbucks"],
                attributes={"main_category": "Video Games"})
    )  # fmt: skip
    vocabulary = Vocabulary.from_products(cards, encode)
    assert "Starbucks" not in vocabulary.leaves
    assert vocabulary.category_in("my brother loves video games", "brother video games")[0] != (
        "Starbucks"
    )
    assert vocabulary.guess_category("steam card") != "Gift Card Accessories"
    offered = vocabulary.category_in("what about a steam card instead", "steam card")[0]
    assert offered in (None, "Gift Cards"), offered
    assert vocabulary.guess_category("card holder") == "Gift Card Accessories"
    assert named_kind("what about a steam card instead") == "steam card"
    assert named_kind("what about the second one?") == ""


def _gift_card_vocabulary():
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    titles = ["Domino's Pizza Gift Card", "Papa John's Pizza Gift Card", "Starbucks Gift Card",
              "Peet's Coffee & Tea Gift Card", "Fandango Gift Card", "AMC Gift Card"]  # fmt: skip
    products = [Product(f"g{i}", t, categories=["Gift Cards"]) for i, t in enumerate(titles)]
    return Vocabulary.from_products(products)


@pytest.mark.parametrize(
    ("messages", "query"),
    [
        # what it asks for replaces what was asked; the kind of product stays
        (["a gift card for my brother who loves pizza", "something for coffee instead"],
         "card coffee"),
        (["a gift card for my brother who loves pizza", "coffee instead of pizza"], "card coffee"),
        (["a gift card for my brother who loves pizza", "换成看电影的"], "card 看电影"),
        # without "instead" the words add up
        (["a gift card for my brother who loves pizza", "something for coffee"],
         "card pizza coffee"),
        # someone else, said with what they like: their words, not the brother's
        (["a gift card for my brother who loves pizza", "不要太贵的，给我妈妈，她喜欢做饭"],
         "做饭"),
    ],
)  # fmt: skip
def test_what_is_asked_for_instead_replaces_what_was_asked(messages, query):
    from agent.parse import parse
    from agent.tracking import update_slots

    state = new_state()
    for message in messages:
        update_slots(state, parse(message), message, _gift_card_vocabulary(), "USD", [])
    assert state.slots.query.casefold() == query


def test_a_value_said_instead_replaces_the_value_of_its_attribute(demo_store):
    from agent.parse import parse
    from agent.tracking import update_slots
    from agent.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_products(demo_store.products("demo"))
    assert "best_for" in vocabulary.value_keys["school"] & vocabulary.value_keys["hiking"]
    for messages, query in [
        (["a backpack for school", "one for hiking instead"], "backpack hiking"),
        # a colour adds to a need of another attribute, it does not replace it
        (["waterproof hiking boots", "black instead"], "waterproof hiking boots black"),
    ]:
        state = new_state()
        for message in messages:
            update_slots(state, parse(message), message, vocabulary, "USD", [])
        assert state.slots.query.casefold() == query, messages


def test_a_request_naming_a_kind_of_the_catalogs_titles_is_shopping():
    """ "I need a pH meter" on a shop without categories: its titles' kind of product,
    asked for in full, is a search (it was "outside what I can do")."""
    from agent.parse import parse
    from agent.planner import RulePlanner
    from agent.references import References

    planner = RulePlanner(load_registry(include_entry_points=False), _tools_shop_vocabulary(), None)
    for message, shopping in [("I need a pH meter", "strong"), ("我想买一个万用表", "strong"),
                              ("I need a joke", ""), ("I need a hug", "")]:  # fmt: skip
        assert planner._shopping(message, parse(message), References(), False) == shopping, message
    # asked as a question, a request for the catalog's kind of product is shopping too; a
    # request for recommendations of nothing the catalog holds is not
    for message, shopping in [("what multimeter would you recommend for a beginner?", "weak"),
                              ("推荐一部好看的电影", ""), ("有什么推荐吗", "")]:  # fmt: skip
        assert planner._shopping(message, parse(message), References(), True) == shopping, message


def test_a_gift_s_gender_counts_only_where_the_catalog_marks_genders():
    """ "a gift card for my dad who loves fishing" showed a barber's card first: "men's"
    was searched for in a catalog where one title in 1,500 says it. A catalog that marks
    genders (three titles at least) keeps the gift's gender: no women's boots for a dad."""
    from dataclasses import replace

    from agent.planner import RulePlanner, search_text
    from catalog.models import Product

    cards = [Product(f"c{i}", f"Store {i} Gift Card") for i in range(20)]
    cards.append(Product("m", "Supercuts Gift Card for Men's Haircuts"))
    boots = [Product(f"b{i}", f"Ridgeway {i} women's hiking boots") for i in range(3)]
    boots += [Product(f"m{i}", f"Ridgeway {i} men's hiking boots") for i in range(3)]
    # words that name what a book is about, or how a fitting fits, mark no gender: a
    # historical romance for a mum was searched with "women's" and showed women's fiction
    books = [
        Product(f"k{i}", t)
        for i, t in enumerate(
            [
                "Rule: A Marked Men Novel",
                "No Country for Old Men",
                "The Men of World War II",
                "Wild Men of Alaska",
                "City of Women",
                "Fast Women",
                "Women of Justice (Volume 3)",
            ]
        )
    ]
    fittings = [Product(f"f{i}", f'Brass Hex Nipple, {i}/4" NPT Male') for i in range(3)]
    fittings += [Product(f"g{i}", f'PVC Elbow, {i}/2" Female') for i in range(3)]
    registry = load_registry(include_entry_points=False)
    for catalog, marked in [(cards, False), (boots, True), (books, False), (fittings, False)]:
        planner = RulePlanner(registry, _tools_shop_vocabulary(), None, catalog=catalog)
        state = new_state()
        state.slots.recipient, state.slots.query = "dad", "fishing"
        assert planner.marks_gender("men's") is marked
        assert bool(planner.other_gender(state)) is marked
        assert ("men's" in search_text(state, planner.marks_gender("men's"))) is marked
    # within a category chosen: a coffee maker for a dad is no men's one, though the
    # shop's boots are marked ("咖啡机 喝拿铁 men's" was searched)
    makers = [
        Product(f"e{i}", f"Brewmaster {i} espresso machine", categories=["Coffee Makers"])
        for i in range(5)
    ]
    shop = [*makers, *(replace(b, categories=["Hiking Boots"]) for b in boots)]
    planner = RulePlanner(registry, _tools_shop_vocabulary(), None, catalog=shop)
    state = new_state()
    state.slots.recipient, state.slots.query = "dad", "espresso"
    assert planner.marks_gender("men's") and planner.marks_gender("men's", "Hiking Boots")
    state.slots.category = "Coffee Makers"
    assert not planner.marks_gender("men's", "Coffee Makers") and not planner.other_gender(state)
    state.slots.category = "Hiking Boots"
    assert planner.other_gender(state)


def test_the_words_searched_for_say_each_word_once():
    """ "a quiet coffee grinder for my office": "office" is the use and a search word;
    the search text said it twice."""
    from agent.parse import parse
    from agent.planner import search_text
    from agent.tracking import update_slots

    state = new_state()
    for message in ["I want a quiet coffee grinder under 60 dollars for my office",
                    "actually make it under 100"]:  # fmt: skip
        update_slots(state, parse(message), message, _tools_shop_vocabulary(), "USD", [])
    words = search_text(state).split()
    assert len(words) == len(set(words)) and "office" in words
    assert not {"actually", "make"} & set(words)


@pytest.mark.parametrize(
    ("request_", "change"),
    [
        ("yoga mats under $40", "Actually, my budget is under $80."),
        ("40美元以内的瑜伽垫", "预算改一下，80美元以内。"),
    ],
)
def test_a_changed_budget_shows_what_it_opens_up_before_what_was_shown(
    shop, encode, request_, change
):
    agent = routed_agent(shop, encode)
    state = new_state()
    first = [p.product_id for p in agent.turn(state, request_, "u0109").products]
    second = [p.product_id for p in agent.turn(state, change, "u0109").products]
    assert second and not set(second) & set(first)  # the shop has more mats up to 80
    # "none of these" passes on both lists: the first is not shown again either
    third = [p.product_id for p in agent.turn(state, "None of these.", "u0109").products]
    assert third and not set(third) & (set(first) | set(second))


def test_none_of_these_passes_on_the_lists_of_this_request_only(shop, encode):
    """Mats shown, then backpacks: "none of these" passes on the backpacks, not on the
    mats the shopper may come back to."""
    agent = routed_agent(shop, encode)
    state = new_state()
    mats = [p.product_id for p in agent.turn(state, "yoga mats", "u0111").products]
    packs = [p.product_id for p in agent.turn(state, "I need a backpack", "u0111").products]
    assert state.slots.category == "Backpacks" and state.listed == packs
    agent.turn(state, "None of these.", "u0111")
    assert set(packs) <= set(state.passed) and not set(mats) & set(state.passed)


@pytest.mark.parametrize(
    "message",
    ["is the first one temperature adjustable?", "how long is the cord on the second one?",
     "第二个防水吗？"],
)  # fmt: skip
def test_a_question_about_a_listed_product_before_any_was_shown_says_so(shop, encode, message):
    """It was "outside what I can do", or a search for "how long cord second"."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0901")
    assert reply.intent == "answer" and not reply.products and not reply.trace
    assert "haven't shown" in reply.text or "还没有给您推荐" in reply.text


def test_a_product_in_view_picked_by_its_price_is_shown_and_a_thing_said_instead_is_searched(
    shop, encode
):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "yoga mats under 50", "u0911").products
    priciest = max(shown, key=lambda p: shop.product("demo", p.product_id).price)
    reply = agent.turn(state, "ok, the most expensive one please", "u0911")
    assert reply.intent == "details" and [p.product_id for p in reply.products] == [
        priciest.product_id
    ]
    # "instead" with something to look for is a search (it was a question about the mat)
    reply = agent.turn(state, "what about a cork one instead", "u0911")
    assert reply.intent == "recommend" and reply.products


def test_what_a_product_holds_does_not_change_the_kind_chosen(demo_store):
    """ "一天出行装得下外套和午饭" (fits a coat and lunch) after backpacks showed jackets."""
    from agent.parse import parse
    from agent.tracking import update_slots
    from agent.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_products(demo_store.products("demo"))
    for messages, category in [
        (["我想找双肩包", "有便宜一点的吗？一天出行装得下外套和午饭。"], "Backpacks"),
        (["I'm looking for a backpack", "one that fits my jacket and a laptop"], "Backpacks"),
        (["I'm looking for a backpack", "actually show me jackets"], "Jackets"),
    ]:
        state = new_state()
        for message in messages:
            update_slots(state, parse(message), message, vocabulary, "USD", [])
        assert state.slots.category == category, messages


def test_a_brand_named_in_chinese_and_the_newest_brand_asked_for():
    """ "换成亚马逊的" named no brand (the catalog's are English), and "有星巴克的吗？" after
    Amazon kept showing Amazon cards (the two brands were both wanted)."""
    from agent.parse import parse
    from agent.tracking import update_slots
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    titles = {"Amazon": "Amazon.com Gift Card", "Starbucks": "Starbucks Gift Card",
              "Peet's Coffee": "Peet's Coffee Gift Card", "Apple": "App Store Card",
              "WORKSHOP": "WORKSHOP Wet/Dry Vac Card"}  # fmt: skip
    products = [
        Product(f"g{i}{j}", f"{t} {j}", brand=b, categories=["Gift Cards"])
        for i, (b, t) in enumerate(titles.items())
        for j in range(3)
    ]
    vocabulary = Vocabulary.from_products(products)
    assert vocabulary.brands_in("换成亚马逊的") == ["Amazon"]
    assert vocabulary.brands_in("有星巴克的吗？") == ["Starbucks"]
    assert vocabulary.brands_in("我想买苹果") == []  # the fruit's word, not the maker
    state = new_state()
    for message, brands in [("给同事买张礼品卡", []), ("换成亚马逊的", ["Amazon"]),
                            ("有星巴克的吗？", ["Starbucks"]),
                            ("or Peet's Coffee", ["Starbucks", "Peet's Coffee"])]:  # fmt: skip
        update_slots(state, parse(message), message, vocabulary, "USD", [])
        assert state.slots.brands == brands, message
    # a brand's name said as a word ("the workshop" of WORKSHOP) replaces none asked for
    message = "A neutral shade that blends into the workshop."
    update_slots(state, parse(message), message, vocabulary, "USD", [])
    assert state.slots.brands[:2] == ["Starbucks", "Peet's Coffee"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("谢谢", "不客气"), ("thanks!", "welcome"), ("ok, thank you so much", "welcome"),
     ("bye", "welcome")],
)  # fmt: skip
def test_a_thank_you_is_answered_in_kind(shop, encode, message, said):
    """ "谢谢" after a list was "outside what I can do"."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "waterproof boots", "u0931")
    reply = agent.turn(state, message, "u0931")
    assert reply.intent == "thanks" and said in reply.text and not reply.products
    assert state.shown  # nothing forgotten


@pytest.mark.parametrize(
    ("message", "intent", "not_carried"),
    [
        ("I need a water bottle for the gym", "recommend", True),
        ("do you have yoga mats?", "recommend", False),
        ("do you have free shipping?", None, False),
        ("I need a refund", None, False),
    ],
)
def test_asking_the_shop_for_goods_it_lacks_or_for_a_service(
    shop, encode, message, intent, not_carried
):
    """After a list was shown: a thing the demo shop does not sell is searched for and
    said to be missing; one it sells is shown plainly; a service (shipping, a refund) is
    no search for products at all."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "waterproof hiking boots for my wife", "u0031")
    reply = agent.turn(state, message, "u0031")
    if intent is None:
        assert reply.intent != "recommend" and not reply.products
    else:
        assert reply.intent == intent and reply.products
    assert ("couldn't find" in reply.text) is not_carried


def test_a_colour_asked_for_is_never_met_by_another_colour(shop, encode):
    """ "a red coffee maker" of a shop whose coffee makers are black: "red" is close to
    "black" in meaning, yet no claim says it was asked for and met; the page's silence
    is said. Then "我想要一个粉色的瑜伽垫" (I'd like a pink yoga mat) is a new request."""
    agent = routed_agent(shop, encode)
    state = new_state()
    reply = agent.turn(state, "I need a red coffee maker", "u0032")
    sentences = [s.text for p in reply.products for s in p.sentences]
    assert reply.products and not any('asked for "red"' in s for s in sentences)
    assert any('Nothing on its page mentions "red"' in s for s in sentences)
    mats = agent.turn(state, "我想要一个粉色的瑜伽垫", "u0032")
    titles = [shop.product("demo", p.product_id).title for p in mats.products]
    assert titles and all("yoga mat" in t for t in titles)
    said = [s.text for p in mats.products for s in p.sentences]
    assert not any(s.startswith("您要“粉色”") for s in said)


@pytest.mark.parametrize(
    ("message", "said"),
    [("what do you sell?", "products, mostly"), ("你们卖什么？", "件商品，主要有")],
)
def test_asking_what_the_shop_sells_gets_an_overview(shop, encode, message, said):
    """ "what do you sell?" had no tool to answer it (it went to reviews with nothing
    shown): the overview names the shop's main kinds with their counts, its brands and
    its prices, from the catalog."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0033")
    assert [s.tool for s in reply.trace] == ["shop_overview"]
    assert said in reply.text and "Hiking Boots" in reply.text and not reply.products
    prices = [p.price for p in shop.products("demo") if p.price is not None]
    assert f"{min(prices):.2f}" in reply.text and f"{max(prices):.2f}" in reply.text


def test_an_overview_of_one_category_and_of_none_the_catalog_has(shop):
    from tools.discovery import shop_overview

    ctx = ToolContext(shop, "demo")
    inside = shop_overview(ctx, "Headphones")
    assert inside.data["products"] == sum(
        "Headphones" in p.categories for p in shop.products("demo")
    )
    assert inside.summary.startswith("Headphones: ")
    from tools.registry import ToolArgumentError as Bad

    with pytest.raises(Bad, match="no category"):
        shop_overview(ctx, "Spaceships")


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("what's your return policy?", "not its terms of sale"),
        ("do you offer free shipping?", "not its terms of sale"),
        ("do you accept paypal?", "not its terms of sale"),
        ("你们的退货政策是什么？", "看不到退换货、运费、付款等销售条款"),
        ("你们包邮吗？", "看不到退换货、运费、付款等销售条款"),
    ],
)
def test_a_question_about_the_shops_terms_is_not_asked_of_a_product(shop, encode, message, said):
    """ "what's your return policy?" after a list was answered about the first product
    ("Neither its product page nor its one review mentions “return” or “policy”"): the shop's
    terms are in no product's records, and the reply says what the assistant sees."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "yoga mats", "u0034")
    reply = agent.turn(state, message, "u0034")
    assert reply.intent == "shop_terms" and not reply.trace and said in reply.text
    assert state.shown  # the list is kept
    it = agent.turn(state, "does it come with a warranty?", "u0034")  # a product's, still
    assert [s.tool for s in it.trace] == ["answer_question"]


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("price range for coffee makers", "Coffee Makers"),
        ("what do your headphones cost?", "Headphones"),
        ("咖啡机一般多少钱？", "Coffee Makers"),
        ("what's your price range", None),
    ],
)
def test_what_a_kind_costs_is_the_overview_of_its_category(shop, encode, message, category):
    """ "price range for coffee makers" showed three coffee makers, each claimed to have
    what was asked for, "range" ("Part of Brewmaster's coffee makers range"): the prices
    of the kind are its overview, lowest, highest and the middle one."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0035")
    assert [s.tool for s in reply.trace] == ["shop_overview"] and not reply.products
    assert reply.trace[0].arguments.get("category") == category
    kind = [p.price for p in shop.products("demo") if category in (*p.categories, None)]
    prices = sorted(x for x in kind if x is not None)
    for price in (prices[0], prices[-1], prices[(len(prices) - 1) // 2]):
        assert f"{price:.2f}" in reply.text


def test_an_overview_of_a_kind_named_in_titles(shop):
    """A kind the catalog has no category for is looked for in the titles, every word of
    it; one no title names is said to be missing (no error, no products)."""
    from tools.discovery import shop_overview

    ctx = ToolContext(shop, "demo")
    cork = shop_overview(ctx, kind="cork yoga mats")
    titled = [p for p in shop.products("demo") if "cork yoga mat" in p.title.casefold()]
    assert cork.data["products"] == len(titled) > 0
    assert cork.summary.startswith("Products with “cork yoga mats” in the title: ")
    none = shop_overview(ctx, kind="spaceships")
    assert none.data["products"] == 0 and "None of this shop's" in none.summary
    # ... and then what the shop does sell, so the shopper learns where to go instead
    n = len(shop.products("demo"))
    assert f"The shop has {n} products, mostly " in none.summary
    assert none.data["shop"]["products"] == n


def test_an_overview_inside_a_category_names_the_kinds_under_it(shop):
    """Within "Kitchen Appliances" the kinds are those below it (Coffee Makers), and within
    "Coffee Makers" there are none below: the department above is no kind of it."""
    from tools.discovery import shop_overview

    ctx = ToolContext(shop, "demo")
    coffee = shop_overview(ctx, "Coffee Makers")
    assert "Kitchen Appliances" not in coffee.summary and not coffee.data["kinds"]
    kitchen = shop_overview(ctx, "Kitchen Appliances")
    assert "Coffee Makers" in kitchen.data["kinds"]


def test_show_me_an_ordinal_is_that_products_page(shop, encode):
    """ "show me the 2nd one" sounds like a request for picks to the router: it showed
    the same list again; it is the second product's page. "pls" is no search word."""
    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, "bluetooth headphones", "u0034")
    second = first.products[1].product_id
    reply = agent.turn(state, "show me the 2nd one", "u0034")
    assert reply.intent == "details"
    assert reply.trace[0].tool == "product_details"
    assert reply.trace[0].arguments["product_id"] == second
    agent.turn(state, "something cheaper pls", "u0034")
    assert "pls" not in state.slots.query


def test_another_name_for_what_the_shop_sells_is_not_said_missing(shop, encode):
    """ "I want some earbuds": no title says earbuds, but the category the word means
    (Headphones, by the stricter switching threshold) is that of the products found, so
    no "I couldn't find" sentence; "a sweater" (the nearest kind, jackets, is another
    thing) and "water bottles" still get it."""
    agent = routed_agent(shop, encode)
    earbuds = agent.turn(new_state(), "I want some earbuds", "u0035")
    assert earbuds.products and "couldn't find" not in earbuds.text
    # a word that ends the name of what was found: "watch" of the smartwatches
    watch = agent.turn(new_state(), "I need a watch that tracks my sleep", "u0035")
    assert watch.products and "couldn't find" not in watch.text, (watch.intent, watch.text)
    for message in ("I need a sweater", "do you have water bottles?"):
        reply = agent.turn(new_state(), message, "u0035")
        assert reply.products and "couldn't find" in reply.text


def test_a_guessed_kind_holds_when_a_follow_up_narrows_it(shop, encode):
    """ "我想买登山靴" names hiking boots by a word the catalog's English categories lack, so
    the kind is a guess; "有没有更便宜的" then left two cheaper boots, and the guess gave
    way: a trail running shoe filled the third place. The kind the shopper has seen a
    list of holds while any of it is left."""
    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, "我想买登山靴，500元以内", "u0036")
    assert state.slots.category == "Hiking Boots" and state.slots.category_guessed
    assert first.products
    cheaper = agent.turn(state, "有没有更便宜的", "u0036")
    assert cheaper.products and state.slots.category == "Hiking Boots"
    for p in cheaper.products:
        assert "Hiking Boots" in shop.product("demo", p.product_id).categories


def test_a_gift_for_a_woman_shows_no_mens_products_while_others_are_left(shop, encode):
    """ "a gift for my sister who runs marathons", then Pulsewear under 150: the third
    pick was "Pulsewear Swift 400 men's road running shoes", as the recipient's gender
    only weighed on the search words. Products whose title marks the other gender are
    left out; "给爸爸买双跑鞋" the same the other way."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "I'm looking for a gift for my sister who runs marathons", "u0037")
    agent.turn(state, "under 150 please", "u0037")
    reply = agent.turn(state, "actually she prefers Pulsewear", "u0037")
    titles = [shop.product("demo", p.product_id).title for p in reply.products]
    assert titles and all("Pulsewear" in t and "men's" not in t.split() for t in titles)
    dad = agent.turn(new_state(), "给爸爸买双跑鞋", "u0038")
    titles = [shop.product("demo", p.product_id).title for p in dad.products]
    assert titles and not any("women's" in t for t in titles)


def test_points_wrap_and_shop_terms_reach_their_tools_whatever_else_is_said(shop, encode):
    """Reward points go to the tool whose description holds points, gift wrap or a note
    for a product in view to the tool that wraps (both plugins, by their descriptions),
    and refunds or ways to pay are the shop's terms, though "几天" or a product in view
    sound like delivery or a question about it."""
    agent = routed_agent(shop, encode)
    plan = agent.turn(new_state("zh"), "结账前想看看我还有多少积分可以用", "u0106").plan
    assert plan["tool"] == "loyalty_points", plan
    state = new_state("zh")
    agent.turn(state, "给女朋友买个蓝牙音箱", "u0106")
    wrapped = agent.turn(state, "就要第二个了，可以附一张贺卡吗", "u0106")
    assert wrapped.plan["tool"] == "gift_wrap_options", wrapped.plan
    assert wrapped.trace[-1].arguments.get("product_id") == state.shown[1]
    for message in ("退款大概几天能退回来？", "Can I pay for the second one with PayPal?"):
        reply = agent.turn(copy.deepcopy(state), message, "u0106")
        assert reply.intent == "shop_terms" and not reply.products, (message, reply.plan)
    # a product's own wrap or lock is a question about it, not gift wrap or an account
    for message in ("can the second one wrap around a bike handlebar?", "第一个有密码锁吗？"):
        plan = agent.turn(copy.deepcopy(state), message, "u0106").plan
        assert plan["tool"] not in ("gift_wrap_options", None), (message, plan)


def test_picks_by_the_shoppers_taste_and_one_left_out_of_the_list(shop, encode):
    """ "按我的习惯推荐三个" of a kind already asked for is the shopper's own picks (the
    kind searched, then ordered for them); "why isn't the X in here?" and "那款…怎么没出现"
    ask why a product was left out, not why one was shown."""
    agent = routed_agent(shop, encode)
    state = new_state("zh")
    agent.turn(state, "跑步鞋", "u0106")
    picks = agent.turn(copy.deepcopy(state), "照我的习惯推荐三双", "u0106")
    assert picks.plan["tool"] == "recommend_for_shopper", picks.plan
    for message in (
        "那款 Fleetfoot 的跑鞋为什么没出现？",
        "why isn't the Pulsewear trainer I saved in here?",
        "how come the StrideLab pair didn't make the list?",
    ):
        plan = agent.turn(copy.deepcopy(state), message, "u0106").plan
        assert plan["tool"] == "why_not_shown", (message, plan)


def test_a_sale_to_come_regret_and_no_more_of_this_kind(shop, encode):
    """ "会不会打折" asks the price history (a sale to come is read from it, as an earlier
    price is); "does anyone regret buying it?" asks the reviews; "以后别给我推这种" turns
    the product down."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "yoga mat", "u0106")
    for message, tool in (
        ("第二个下个月会不会打折？", "price_history"),
        ("should I wait for a sale on the first one?", "price_history"),
        ("does anyone who bought the third one regret it?", "review_summary"),
        ("第一个太花哨了，别再给我推这种", "record_feedback"),
    ):
        plan = agent.turn(copy.deepcopy(state), message, "u0106").plan
        assert plan["tool"] == tool, (message, plan)


def test_a_request_said_over_several_messages_is_searched_part_by_part(demo_home):
    """Each message of the request is a part of the search, and a product is scored by
    the part it meets least: "cut for a guy's build" still holds when "strolling
    through snowy parks" is added (the words of the whole request together let a
    women's boot in)."""
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        agent = build_assistant(settings, store, "demo", "none").agent
        agent.k = 3
        state = new_state("en")
        agent.turn(state, "I'm looking for hiking boots.", "parts-shopper")
        agent.turn(state, "Cut for a guy's build.", "parts-shopper")
        reply = agent.turn(state, "Strolling through snowy parks.", "parts-shopper")
        search = next(s for s in reply.trace if s.tool == "search_products")
        assert search.arguments["parts"] == [
            "hiking boots", "Cut guy's build", "Strolling through snowy parks"
        ]  # fmt: skip
        titles = [store.product("demo", p.product_id).title for p in reply.products]
        assert len(titles) == 3 and all("men's" in t and "women's" not in t for t in titles)
        one = new_state("en")
        reply = agent.turn(one, "men's hiking boots for snowy parks", "parts-shopper")
        search = next(s for s in reply.trace if s.tool == "search_products")
        assert "parts" not in search.arguments  # one message: one part, the plain search


def test_search_parts_group_the_searched_words_by_the_message_that_said_them():
    from agent.planner import search_parts
    from agent.state import DialogueState

    state = DialogueState(turns=2)
    state.said = [[1, "I want women's jackets", True], [2, "for hiking in the cold", False]]
    # "men's" (a gift's gender, said by no message) is no word of "women's"
    assert search_parts(state, "women's jackets hiking cold men's") == [
        "women's jackets", "hiking cold", "men's"
    ]  # fmt: skip
    state.said = [[1, "我想找双肩包", True], [2, "电脑放进去有保护", False]]
    assert search_parts(state, "双肩包 电脑放进去有保护") == ["双肩包", "电脑放进去有保护"]


@pytest.mark.parametrize(
    ("message", "low", "high"),
    [
        ("boots, nothing over two hundred", None, 200.0),
        ("a speaker under a hundred and fifty dollars", None, 150.0),
        ("under like sixty bucks", None, 60.0),
        ("up to two thousand five hundred dollars", None, 2500.0),
        ("想要一个九十美元以内的", None, 90.0),
        ("预算两百五十刀", None, 250.0),
        ("不超过一百五美元", None, 150.0),
        ("a watch not over 300 dollars", None, 300.0),
        ("hiking boots over 200", 200.0, None),  # a floor stays a floor
    ],
)
def test_amounts_said_in_words_are_read_as_numbers(message, low, high):
    from agent.parse import parse, spoken_numbers

    parsed = parse(message)
    assert (parsed.min_price, parsed.max_price) == (low, high), message
    # counts, positions and pronouns are no amounts
    for text in ("the second one", "one of them", "我要两双", "第一个", "一百个装", "十几杯",
                 "万用表", "十字螺丝刀", "百搭的外套", "十分好用"):  # fmt: skip
        assert spoken_numbers(text) == text
    # a message with no budget keeps its words as said
    assert parse("a twenty-inch suitcase, a grand piano").content == (
        "twenty-inch suitcase grand piano"
    )


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("a backpack for school no wait for hiking", "a backpack for hiking"),
        ("show me the uh first one, I mean the third one", "show me the uh the third one"),
        ("我要一个 嗯 音箱 不对 是耳机", "我要一个 嗯 耳机"),
        ("第一个和第二个，不对，第二个和第三个比一下", "第二个和第三个比一下"),
        ("这个说法不对吧", "这个说法不对吧"),  # "wrong", not a slip put right
        ("I mean it, the boots must be waterproof", "I mean it, the boots must be waterproof"),
    ],
)
def test_what_the_shopper_takes_back_in_the_same_message_is_left_out(message, read):
    from agent.spelling import self_corrected

    assert self_corrected(message) == read


def test_a_slip_put_right_is_read_as_corrected_by_the_agent(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, "a backpack for school no wait for hiking", "u0120")
    assert "hiking" in state.slots.query and "school" not in state.slots.query
    shown = [p.product_id for p in first.products]
    assert len(shown) == 3
    reply = agent.turn(state, "compare the first and the second no wait the first and the third")
    call = next(s for s in reply.trace if s.tool == "compare_products")
    assert call.arguments["product_ids"] == [shown[0], shown[2]]


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("为什么 Fleetfoot 那款 嗯 那个 Core 没有推荐给我", "why_not"),
        ("我收藏的那款怎么这回一直没出现在列表里", "why_not"),
        ("anything along the lines of the third one?", "similar"),
        ("我在你们店一般都买些什么牌子", "profile"),
        ("照我平时的习惯，帮我挑几个你觉得我会喜欢的", "recommend"),
        ("surprise me with stuff you think would suit me", "recommend"),
    ],
)
def test_phrasings_of_a_voice_or_a_roundabout_message(message, intent):
    from agent.parse import parse

    parsed = parse(message)
    assert parsed.intent == intent, message
    if intent == "recommend":
        assert parsed.from_history, message


@pytest.mark.parametrize(
    ("context", "message", "tool"),
    [
        ([], "what's the difference between espresso and a cappuccino anyway", None),
        ([], "换货的话运费谁出", None),
        (["headphones"], "my recent order from Sonora arrived scratched, really annoyed", None),
        (["desk lamp"], "the second one how many day arrive to me", "shipping_estimate"),
        (["瑜伽垫"], "第二个 嗯 大家用了之后都说好还是不好", "review_summary"),
    ],
)
def test_asides_and_roundabout_questions_reach_the_tool_they_ask_or_none(
    shop, encode, context, message, tool
):
    from agent.vocabulary import Vocabulary
    from benchmarks import routing_plugin

    registry = load_registry()  # the built-ins and the installed example plugin (shipping)
    routing_plugin.register_tools(registry.register)
    vocabulary = Vocabulary.from_products(shop.products("demo"), encode)
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    state = new_state()
    for said in context:
        agent.turn(state, said, "u0121")
    reply = agent.turn(state, message, "u0121")
    used = [s.tool for s in reply.trace]
    if tool is None:
        assert not used and not reply.products, (message, reply.text)
    else:
        assert used and used[0] == tool, (message, used)


def test_written_cantonese_and_colloquial_chinese_are_read_as_mandarin(shop, encode):
    """A Hong Kong shopper's "有冇可以測血氧嘅智能手錶？唔要Orbit牌" was read with no kind (the
    words glued by 嘅 and 冇) and Orbit as the brand wanted; northern colloquial verbs (整,
    咋) and a guessed kind in a request for the shopper's own picks were lost too."""
    from tools.dictionary import mandarin

    assert mandarin("有冇防水嘅登山靴？唔要Orbit") == "有没有防水的登山靴？不要Orbit"
    assert mandarin("点解推荐呢个畀我") == "为什么推荐这个给我"
    # 唔好 is "don't" before most verbs, "not nice to" before one of the senses
    assert mandarin("唔好买呢款，佢唔好睇又唔好食") == "不要买这款，他不好看又不好吃"
    kept = "帮我推荐一个系统，第二个怎么样"
    assert mandarin(kept) == kept
    agent = routed_agent(shop, encode)

    def plan(message: str):
        state = new_state()
        ctx = agent._context(state, "u0119", None)
        return agent.plan(agent.read(message), state, ctx), state.slots

    found, slots = plan("有冇可以測血氧嘅智能手錶？唔要Orbit牌")
    assert found.intent == "recommend", found
    assert "血氧" in slots.query and "冇" not in slots.query, slots
    assert slots.category == "Smartwatches" and slots.exclude_brands == ["Orbit"], slots
    assert not slots.brands
    found, slots = plan("想整一个降噪耳机，预算1000块以内，别给我整Beatline的")
    assert slots.exclude_brands == ["Beatline"] and not slots.brands, slots
    assert plan("拿铁咋做啊，家里刚有台咖啡机")[0].action == "abstain"  # a recipe, no tool's
    found, slots = plan("给我推点我可能喜欢的护肤品，不要含酒精的")
    assert found.tool == "recommend_for_shopper", found
    assert slots.category == "Face Care" and slots.avoid == ["酒精"], slots
    found, _ = plan("你们家登山靴都有哪些牌子，哪个牌子评分最高？")
    call = found.calls[0]
    assert found.tool == "shop_overview" and call.arguments["category"] == "Hiking Boots"
    assert call.arguments["rated"] is True


def test_traditional_chinese_is_read_as_simplified_and_reaches_the_same_tools(shop, encode):
    """A shopper from Taiwan or Hong Kong ("幫我比較一下第一台跟第二台") was read as words
    the rules and the router do not know; the message is read in simplified characters,
    and simplified text is left as it is."""
    from tools.dictionary import simplified

    assert simplified("幫我比較一下第一台跟第二台") == "帮我比较一下第一台跟第二台"
    kept = "这个耳机怎么样，后面那个干净吗？著名的牌子，表，面包，只要"
    assert simplified(kept) == kept
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "咖啡機", "u0117")
    assert shown.products and shown.language == "zh"
    reply = agent.turn(state, "幫我比較一下第一台跟第二台", "u0117")
    assert reply.trace[0].tool == "compare_products"
    assert reply.trace[0].arguments["product_ids"] == [p.product_id for p in shown.products[:2]]
    points = agent.turn(state, "請問我現在累積了多少點數？", "u0117")
    assert points.plan["tool"] == "loyalty_points"


@pytest.mark.parametrize(
    ("message", "tool", "arguments"),
    [
        ("the first one's nice but a bit much — got anything similar?", "similar_products",
         {"product_id": 0}),
        ("第一个太贵了，有无平替？", "similar_products", {"product_id": 0}),
        ("第一个拍下了，谢啦", "record_feedback", {"product_id": 0, "kind": "purchase"}),
        ("nah not the third one, not my vibe. don't show me that sort again", "record_feedback",
         {"product_id": 2, "kind": "not_interested"}),
        ("wow that was quick. so what are people saying about the first one, any common gripes?",
         "review_summary", {"product_id": 0}),
        ("haha love that colour on the second one, anyway how long would it take to get to me?",
         "shipping_estimate", {"product_id": 1}),
        ("Hi there, customer on the phone, order ref 2024-118733, when will it arrive?",
         "track_order", {"order_id": "2024-118733"}),
        ("sorry off topic — order TX-90211 still says processing, where's it at?",
         "track_order", {"order_id": "TX-90211"}),
        ("cust likes #3 but reckons it's pricey — has it been cheaper at any point lately?",
         "price_history", {"product_id": 2}),
        ("appreciate it. put #2 and #3 side by side for me?", "compare_products",
         {"product_ids": [1, 2]}),
        ("how do they fit, true to size?", "answer_question", {"product_ids": [0, 1, 2]}),
        ("第二个是送男朋友的🎁 能包好看点再写张卡片不", "gift_wrap_options", {"product_id": 1}),
        ("第二个zqsg喜欢😍", "record_feedback", {"product_id": 1, "kind": "like"}),
        ("第三个以前打过折没？现在入手亏不亏", "price_history", {"product_id": 2}),
        ("要是第一个能防滑就好了，它到底防不防滑", "answer_question", {"product_ids": [0]}),
        ("我那单 SO-88213 到哪了？咋还没到啊😤", "track_order", {"order_id": "SO-88213"}),
        ("係咪因為預算所以冇推薦嗰隻Pulsewear手錶畀我？", "why_not_shown", {}),
        ("我妈问第二个好不好清洗，她有点洁癖", "answer_question", {"product_ids": [1]}),
        ("pls check for customer: what do reviewers complain about on the second one",
         "review_summary", {"product_id": 1}),
    ],
)  # fmt: skip
def test_casual_wordings_after_products_are_shown(shop, encode, message, tool, arguments):
    from agent.vocabulary import Vocabulary
    from benchmarks import routing_plugin

    registry = load_registry()  # the built-ins and the installed example plugin
    routing_plugin.register_tools(registry.register)
    vocabulary = Vocabulary.from_products(shop.products("demo"), encode)
    agent = Agent(shop, "demo", registry=registry, vocabulary=vocabulary)
    state = new_state()
    shown = [p.product_id for p in agent.turn(state, "yoga mat", "u0118").products]
    ctx = agent._context(state, "u0118", None)
    plan = agent.plan(agent.read(message), copy.deepcopy(state), ctx)
    call = next(c for c in plan.calls if c.tool == plan.tool)
    want = {
        k: shown[v] if k == "product_id" else [shown[i] for i in v] if k == "product_ids" else v
        for k, v in arguments.items()
    }
    assert plan.tool == tool and {k: call.arguments.get(k) for k in want} == want, plan


@pytest.mark.parametrize(
    ("message", "tool", "arguments"),
    [
        ("how long is the battery on the one in the middle?", "answer_question",
         {"product_ids": [1]}),
        ("最下面那款能发到上海吗 几天到", "shipping_estimate", {"product_id": 2}),
        ("put the bottom one in my basket", "record_feedback", {"product_id": 2, "kind": "cart"}),
        ("第二个好喜欢啊😍", "record_feedback", {"product_id": 1, "kind": "like"}),
        ("2 和 3 PK 一下", "compare_products", {"product_ids": [1, 2]}),
        ("compare the first and second, actually no, all three of them", "compare_products",
         {"product_ids": [0, 1, 2]}),
        ("is today's price on the second as low as it's been?", "price_history",
         {"product_id": 1}),
        ("🎁 第一个送我妈 能包装吗", "gift_wrap_options", {"product_id": 0}),
        ("第三个的 shipping 多久，不需要 express", "shipping_estimate",
         {"product_id": 2, "express": None}),
        ("第三个 express 几天能到", "shipping_estimate", {"product_id": 2, "express": True}),
        ("为什么推荐里一直都没有 Pulsewear 的", "why_not_shown", {}),
        ("no Asana Earth at all? why's that", "why_not_shown", {}),
        ("我的 shopping history 里哪些 brand 比较多", "shopper_profile", {}),
        ("二号，规格发我", "product_details", {"product_id": 1}),
        ("pop the second one in my basket", "record_feedback", {"product_id": 1, "kind": "cart"}),
        ("第三个那个牌子我用过不好，别再给我推了", "record_feedback",
         {"product_id": 2, "kind": "not_interested"}),
        ("请把第一台和最后一台放一起比比", "compare_products", {"product_ids": [0, 2]}),
        ("怎么一个 Packwell 的都没给我看？", "why_not_shown", {}),
        ("is the first one at its normal price right now?", "price_history", {"product_id": 0}),
        ("我这两年主要买的是哪几类东西？", "shopper_profile", {}),
        ("第三个已经下单买了", "record_feedback", {"product_id": 2, "kind": "purchase"}),
        ("the second one's a no from me, don't show me that one again", "record_feedback",
         {"product_id": 1, "kind": "not_interested"}),
        ("PLEASE WRAP THE THIRD ONE", "gift_wrap_options", {"product_id": 2}),
        ("为什么从来不给我推 ZenFlow 的", "why_not_shown", {}),
    ],
)  # fmt: skip
def test_places_in_the_list_mixed_languages_and_short_asks(shop, encode, message, tool, arguments):
    """A product shown named by its place ("the one in the middle", "最下面那款"), Chinese
    with English words, "PK", a correction to all three, a price asked against its past,
    gift wrap asked with 送, express declined ("不需要 express"), a brand never shown
    asked about, and "比较多" (quite many), which compares nothing."""
    test_casual_wordings_after_products_are_shown(shop, encode, message, tool, arguments)


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("My speaker from you stopped charging after a week. Really disappointed.", "sorry"),
        ("快递把箱子压扁了，里面的灯也摔坏了，太差劲了", "很抱歉"),
    ],
)
def test_a_complaint_that_asks_nothing_is_answered_in_kind(shop, encode, message, said):
    """A complaint is met with an apology and where to take it: no search for speakers,
    no order tracked; one that also asks for something, or a question about bad
    reviews, goes where it asks."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "desk lamp", "u0106")
    reply = agent.turn(copy.deepcopy(state), message, "u0106")
    assert reply.intent == "complaint" and said in reply.text, reply.plan
    assert not reply.products and not reply.trace
    plan = agent.turn(copy.deepcopy(state), "第二款有什么差评吗", "u0106").plan
    assert plan["tool"] == "review_summary", plan
    asked = agent.turn(copy.deepcopy(state), "my old lamp is terrible, I need a brighter one")
    assert asked.intent != "complaint" and asked.products, asked.plan


@pytest.mark.parametrize(
    ("message", "intent", "said"),
    [
        ("please erase everything you store about me, my purchase history included", "privacy",
         "customer service"),
        ("你们会把我的浏览记录提供给第三方吗", "privacy", "本店客服"),
        ("is the second one cheaper at Walmart?", "elsewhere", "other shops"),
        ("京东上这个卖多少钱", "elsewhere", "其他店铺"),
        ("write me a poem about running shoes", "abstain", "outside what I can do"),
    ],
)  # fmt: skip
def test_data_requests_other_shops_and_poems_get_one_sentence_and_no_tool(
    shop, encode, message, intent, said
):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "running shoes", "u0106")
    reply = agent.turn(copy.deepcopy(state), message, "u0106")
    assert reply.intent == intent and said in reply.text, (message, reply.plan)
    assert not reply.trace and not reply.products
    # privacy as a thing sold is no data request
    sold = agent.turn(new_state(), "a privacy screen filter for my laptop", "u0106")
    assert sold.intent != "privacy", sold.plan


@pytest.mark.parametrize(
    ("message", "low", "high"),
    [
        ("跑鞋，别超过六百块", None, 84),
        ("台灯，最多能出到三百块", None, 42),
        ("耳机，三百到五百块之间", 42, 70),
        ("a backpack for school, I have 40 dollars", None, 40),
        ("a speaker, I've only got $60", None, 60),
        ("I have 2 kids and need a backpack", None, None),
    ],
)
def test_budgets_said_as_a_limit_a_range_in_words_or_what_one_has(shop, encode, message, low, high):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, message, "u0106")
    got = (state.slots.min_price, state.slots.max_price)
    assert tuple(None if v is None else round(v) for v in got) == (low, high), got


def test_a_correction_is_searched_again_and_no_thanks_is_a_goodbye(shop, encode):
    """ "NO!!! I SAID WIRELESS EARBUDS" puts the request right (a new search with its
    words); "no thanks, that's all for today" ends the chat kindly, no product dropped."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "noise cancelling headphones", "u0106")
    after = copy.deepcopy(state)
    fixed = agent.turn(after, "NO!!! I SAID WIRELESS EARBUDS", "u0106")
    assert fixed.intent == "recommend" and fixed.products, fixed.plan
    query = after.slots.query.casefold()
    assert "wireless" in query and "said" not in query, query
    bye = agent.turn(copy.deepcopy(state), "no thanks, that's all for today", "u0106")
    assert bye.intent == "thanks" and not bye.trace, bye.plan


@pytest.mark.parametrize("message", ["hmm maybe later, need to think about it", "我再想想吧"])
def test_a_choice_put_off_is_answered_in_kind_and_keeps_what_was_shown(shop, encode, message):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = [p.product_id for p in agent.turn(state, "yoga mat", "u0119").products]
    reply = agent.turn(state, message, "u0119")
    assert reply.intent == "later" and not reply.products and not reply.trace
    assert state.shown == shown


# -- recall ------------------------------------------------------------------------------


def _words_encoder(vocab: list[str]):
    """A deterministic bag-of-words encoder over `vocab` (L2-normalised)."""
    import numpy as np

    def encode(texts):
        out = np.zeros((len(texts), len(vocab)), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, w in enumerate(vocab):
                out[i, j] = float(w in t.casefold())
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    return encode


def test_recall_votes_among_the_nearest_labelled_messages_by_similarity():
    from agent.router import Router

    registry = load_registry(include_entry_points=False)
    encode = _words_encoder(["gripe", "people", "first", "weather", "rain", "parcel"])
    labelled = [
        ("people gripe about the first", "review_summary"),
        ("what gripe do people have", "review_summary"),
        ("any gripe people", "review_summary"),
        ("the weather and rain", None),
        ("rain again", None),
        ("where is my parcel", "track_order"),  # a tool this registry does not have
    ]
    router = Router.build(registry, encode, {"recall": {"share": 0.8, "nearest": 0.6}}, (),
                          labelled)  # fmt: skip
    assert "track_order" not in router.exemplar_tools  # only tools registered here
    near = router.recall("common gripe of people")
    assert near.tool == "review_summary" and near.share == 1.0 and near.confident
    rain = router.recall("rain rain weather")
    assert rain.tool is None and rain.confident
    mixed = router.recall("people and the weather")  # a split vote is no recall
    assert not mixed.confident
    assert Router.build(registry, encode, {}, (), labelled).recall("rain").confident is False


def test_recall_overrules_only_a_general_reading_and_never_a_plugins_tool(shop, encode):
    """A confident recall replaces the rules' plan only where the rules fell back on a
    general reading (here: the nearest route); a rule that read the message, or a tool
    no labelled message knows (a plugin registered since), stands."""
    from agent.router import Recall

    def store_hours(ctx: ToolContext) -> ToolResult:
        """Opening hours of the shop's physical stores."""
        return ToolResult("Open 9 to 5.")

    agent = routed_agent(shop, encode, store_hours)
    state = new_state()
    shown = [p.product_id for p in agent.turn(state, "yoga mat", "u0120").products]
    ctx = agent._context(state, "u0120", None)
    situation = agent.situation(state, ctx)
    rules = agent.rules

    def planned(message: str, recalled: Recall):
        rules.router.recall = lambda text: recalled  # type: ignore[method-assign]
        try:
            return rules.plan(message, copy.deepcopy(situation))
        finally:
            del rules.router.recall

    reviews = Recall("review_summary", 1.0, 0.9, True)
    # a rule read it (a comparison): it stands
    assert planned("compare the first and second", reviews).tool == "compare_products"
    # a question with nothing specific read goes to the records; recall overrules it
    soft = planned("is the first one any fun lol", reviews)
    assert soft.tool == "review_summary" and soft.source == "recall"
    assert soft.calls[0].arguments["product_id"] == shown[0]
    # not confident: the rules' plan
    assert planned("is the first one any fun lol", Recall("review_summary", 0.5, 0.9, False)
                   ).source != "recall"  # fmt: skip
    # a plugin's tool the router chose stands, whatever the labelled messages say (store
    # hours were labelled "no tool" before any tool served them)
    hours = planned("when are your stores open?", Recall(None, 1.0, 0.9, True))
    assert hours.tool == "store_hours" and hours.source == "router"


def test_the_recalled_messages_are_tuning_rows_of_built_in_tools_only(shop, encode):
    """The messages the router recalls come from the tuning part alone (the test part is
    never seen), for the built-in tools and for no tool (never a plugin's)."""
    import json

    from agent.router import default_exemplars
    from benchmarks.bench_routing import LABELS

    agent = routed_agent(shop, encode)
    rows = [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line]
    tuning = {(agent.read(r["m"]), r["tool"]) for r in rows if r["split"] == "tune"}
    recalled = default_exemplars()
    builtin = set(load_registry(include_entry_points=False).names())
    assert len(recalled) > 400
    for text, tool in recalled:
        assert (text, tool) in tuning, text  # (a test row may repeat a tuning message)
        assert tool is None or tool in builtin
    assert not {"track_order", "shipping_estimate"} & {t for _, t in recalled}


def test_a_listing_asked_in_order_of_price_keeps_the_request_and_its_budget(demo_home):
    """ "list them cheapest first", "按价格从低到高排": the request's products again (searched
    as before), lowest price first, the budget and the words asked still holding, and for
    later refinements of the same request; a new kind of product starts without it."""
    from agent.parse import parse
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    for message in ("list them cheapest first", "sort by price, low to high", "按价格从低到高排"):
        parsed = parse(message)
        assert parsed.by_price and not parsed.content and not parsed.ordinals, message
    assert not parse("which one is the cheapest?").by_price

    def ordered(reply) -> bool:
        return bool(
            next(s for s in reply.trace if s.tool == "recommend_for_shopper").arguments.get(
                "cheapest"
            )
        )

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        agent = build_assistant(settings, store, "demo", "none").agent
        state = new_state()
        first = agent.turn(state, "bluetooth speakers under 100", "u0121")
        reply = agent.turn(state, "list them cheapest first", "u0121")
        search = next(s for s in reply.trace if s.tool == "search_products")
        assert (
            search.arguments["max_price"] == 100.0
            and search.arguments["query"]
            == (next(s for s in first.trace if s.tool == "search_products").arguments["query"])
        )
        assert ordered(reply)
        prices = [p.price for p in reply.products]
        assert len(prices) == 3 and prices == sorted(prices) and max(prices) <= 100.0
        assert ordered(agent.turn(state, "waterproof ones", "u0121"))
        assert not ordered(agent.turn(state, "now show me yoga mats", "u0121"))


def test_what_buyers_say_of_two_products_is_each_ones_summary_named(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state("zh")
    shown = [p.product_id for p in agent.turn(state, "蓝牙音箱", "u0122").products]
    reply = agent.turn(state, "第一个和第三个大家评价怎么样", "u0122")
    assert [(s.tool, s.arguments) for s in reply.trace] == [
        ("review_summary", {"product_id": shown[0]}),
        ("review_summary", {"product_id": shown[2]}),
    ]
    titles = [shop.product("demo", pid).title for pid in (shown[0], shown[2])]
    assert all(f"{t}：" in reply.text for t in titles)
    assert reply.text.index(titles[0]) < reply.text.index(titles[1])


@pytest.mark.parametrize(
    ("message", "intent", "from_history", "others"),
    [
        ("再来", "recommend", False, True),
        ("再来几个吧", "recommend", False, True),
        ("不知道买啥 按我的口味推几个", "recommend", True, False),
        ("随便推荐几样我可能会喜欢的东西吧，预算别超过100美元", "recommend", True, False),
        ("show me some things I might like under 50", "recommend", True, False),
        ("黑色那双已经下单了", "purchase", False, False),
        ("别再推了", "not_interested", False, False),
    ],
)
def test_more_picks_the_shoppers_own_and_a_purchase_said_casually(
    message, intent, from_history, others
):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.intent, parsed.from_history, parsed.others) == (intent, from_history, others)


@pytest.mark.parametrize(
    ("message", "tool", "positions"),
    [
        ("The first one's out. Compare the other two for me?", "compare_products", [1, 2]),
        ("Not the first one, not the third. The other one: does it have a USB port?",
         "answer_question", [1]),
        ("I've ruled out #2 and #3. The other one, any reviews?", None, [0]),
        ("第二个太贵了不考虑，另外两个比较一下", "compare_products", [0, 2]),
        ("除了第一个以外的那两个，帮我比一下", "compare_products", [1, 2]),
        ("compare the first one with the other two", "compare_products", [0, 1, 2]),
        ("Kindly provide a side-by-side comparison of items 1 and 3.", "compare_products", [0, 2]),
    ],
)  # fmt: skip
def test_the_other_ones_are_those_shown_that_the_message_does_not_rule_out(
    shop, encode, message, tool, positions
):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = [p.product_id for p in agent.turn(state, "running shoes", "u0123").products]
    reply = agent.turn(state, message, "u0123")
    step = reply.trace[0]
    assert tool is None or step.tool == tool, (message, step)
    ids = step.arguments.get("product_ids") or [step.arguments["product_id"]]
    assert ids == [shown[i] for i in positions], message


def test_a_brand_misspelt_by_one_letter_is_read_as_the_brand(shop, encode):
    from agent.spelling import brand_slips

    brands = ("Sonora", "Brightdesk", "Kaiju Steel", "Northfold")
    assert brand_slips("Sonara noise cancelling headphones", brands, frozenset()) == (
        "Sonora noise cancelling headphones"
    )
    assert brand_slips("厨刀 Kaiju Steal 的", brands, frozenset()) == "厨刀 Kaiju Steel 的"
    assert brand_slips("a Breightdesk lamp, not Northfould", brands, frozenset()) == (
        "a Brightdesk lamp, not Northfold"
    )
    # English words, the catalog's own words, short names, a brand's own spelling and
    # codes stay as written
    assert brand_slips("a sonar for my boat, and steal nothing", brands, frozenset()) == (
        "a sonar for my boat, and steal nothing"
    )
    others = ("Bender", "Weldon", "Weld-On", "Applebee's", "BJ's Restaurants")
    for text in (
        "A refill for my Ender.",  # five letters: another name one letter off
        "I'd like it from Weld-on.",
        "Is the second one 1_APPLEBEES_apple?",
        "I'd like it from BJ's Restaurant & Brewhouse.",
    ):
        assert brand_slips(text, (*others, "BJ's Restaurant & Brewhouse"), frozenset()) == text
    # a two-word brand whose first word is an English word corrects nothing after it
    assert brand_slips("speakers with big horns", ("Big Horn",), frozenset()) == (
        "speakers with big horns"
    )
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), "Sonara speakers under 100", "u0124")
    picks = next(s for s in reply.trace if s.tool == "recommend_for_shopper")
    assert picks.arguments["brands"] == ["Sonora"]
    assert reply.products and {p.brand for p in reply.products} == {"Sonora"}


def test_a_brand_not_liked_in_a_request_is_left_out_of_the_search(shop, encode):
    agent = routed_agent(shop, encode)
    for message in (
        "帮我爸找双登山鞋，他不喜欢TrailPeak，预算一千块上下",
        "I don't like Sonora, show me speakers",
    ):
        reply = agent.turn(new_state(), message, "u0125")
        assert reply.intent == "recommend" and reply.products, message
        call = next(s for s in reply.trace if s.tool == "recommend_for_shopper")
        assert call.arguments.get("exclude_brands"), message
        assert not {p.brand for p in reply.products} & {"TrailPeak", "Sonora"}, message


@pytest.mark.parametrize(
    ("message", "intent", "max_price"),
    [
        ("a lightweight backpack for day trips, a hundred max", "recommend", 100.0),
        ("backpack, 80 tops", "recommend", 80.0),
        ("a 40L backpack", "recommend", None),
        ("第二款甚合我意，烦请记下", "like", None),
        ("烦请总结一下我过往的购物记录和偏好", "profile", None),
    ],
)
def test_budgets_likes_and_the_history_said_in_other_words(message, intent, max_price):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.intent, parsed.max_price) == (intent, max_price)


def test_a_question_about_a_product_beside_one_about_the_shops_terms_is_answered(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = [p.product_id for p in agent.turn(state, "smartwatch", "u0126").products]
    reply = agent.turn(state, "Is #3 waterproof? Oh and do you guys price match?", "u0126")
    assert reply.trace[0].tool == "answer_question"
    assert reply.trace[0].arguments["product_ids"] == [shown[2]]
    # the terms alone, or about a product in the same sentence, are the shop's
    for message in ("do you price match?", "can you price match Amazon on the second one?"):
        assert agent.turn(state, message, "u0126").intent == "shop_terms", message


def test_whether_a_products_records_mention_a_word_is_never_moved_by_recall(shop, encode):
    """ "第三个有提到contact吗？" asks the third product's records, whatever messages a
    recall finds near it ("有类似的吗" asks for similar products)."""
    from agent.router import Recall

    agent = routed_agent(shop, encode)
    state = new_state("zh")
    shown = [p.product_id for p in agent.turn(state, "蓝牙音箱", "u0127").products]
    assert len(shown) >= 3
    situation = agent.situation(state, agent._context(state, "u0127", None))
    agent.rules.router.recall = lambda text: Recall("similar_products", 1.0, 0.9, True)
    try:
        for message in ("第三个有提到contact吗？", "does the third one mention BPA?"):
            plan = agent.rules.plan(message, copy.deepcopy(situation))
            assert plan.tool == "answer_question", message
            assert plan.calls[0].arguments["product_ids"] == [shown[2]]
        # a message that asks for similar products is still the recall's to move
        assert agent.rules.plan("有没有差不多的", copy.deepcopy(situation)).tool != (
            "answer_question"
        )
    finally:
        del agent.rules.router.recall


@pytest.mark.parametrize(
    ("message", "positions"),
    [
        ("最后那个买家评价怎么样", [-1]),
        ("最后那双最近三个月价格波动大吗", [-1]),
        ("后面两个 compare 一下", [-2, -1]),
        ("compare the last two", [-2, -1]),
        ("打头那个有没有橡胶味啊", [0]),
        ("最后问一下，有货吗", []),  # 最后: "finally", no product
        ("以后两个月还能用吗", []),  # two months from now
    ],
)
def test_products_named_by_their_place_in_chinese_and_the_last_two(message, positions):
    from agent.parse import ordinals

    assert ordinals(message) == positions


@pytest.mark.parametrize(
    ("message", "max_price", "min_price", "cheaper"),
    [
        ("预算加到600吧", 600.0, None, False),
        ("预算放宽到800块", 800.0, None, False),
        ("400块以上的背包", None, 400.0, False),
        ("别给我看太便宜的了，至少400块以上的", None, 400.0, False),
        ("有没有便宜点的", None, None, True),
    ],
)
def test_a_budget_raised_or_a_floor_said_in_chinese(message, max_price, min_price, cheaper):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.max_price, parsed.min_price, parsed.cheaper) == (max_price, min_price, cheaper)
    assert (max_price is None and min_price is None) or parsed.currency == "CNY"


def test_chat_shorthand_is_read_as_words_and_paying_papers_are_the_shops(shop, encode):
    """ "can u wrap it w/ a card", "how many pts do i have rn": read as written out (a
    code or a name with "u" in it stays); an invoice is the shop's terms whatever is in
    view."""
    from agent.spelling import shorthand

    assert shorthand("can u wrap it w/ a card") == "can you wrap it with a card"
    assert shorthand("wat do ppl say abt #3") == "what do people say about #3"
    assert shorthand("U-lock for shopper u0001, no U2") == "U-lock for shopper u0001, no U2"
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "smartwatch", "u0127")
    reply = agent.turn(state, "the 2nd one is for his bday, can u wrap it w/ a card", "u0127")
    assert reply.trace and reply.trace[0].tool == "gift_wrap_options"
    for message in ("可以开发票吗 要公司抬头的", "can I get an invoice for the second one?"):
        assert agent.turn(state, message, "u0127").intent == "shop_terms", message


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_web_uis_example_prompts_get_the_reply_they_ask_for(shop, encode, language):
    """The buttons under the chat are a shopper's first messages: each gets what it
    asks for (products, or the shopper's profile), never "that is outside what I can
    do" ("适合通勤的雨衣" was, its purpose pulling the phrase away from every category)."""
    from ui.render import EXAMPLES

    agent = routed_agent(shop, encode)
    for example in EXAMPLES[language]:
        reply = agent.turn(new_state(language), example, "u0001")
        profile = "profile" in example.casefold() or "兴趣" in example
        assert reply.intent == ("profile" if profile else "recommend"), (example, reply.intent)
        assert profile or len(reply.products) == 3, example


@pytest.mark.parametrize(
    "message",
    ["what can you do?", "hi! what can you help me with", "你能帮我做什么？", "how does it work?"],
)
def test_asked_what_it_can_do_the_assistant_says_so(shop, encode, message):
    """A question about the assistant is answered with what it does and an example of
    how to ask, not with "that one is outside what I can do"; "what can you do for a
    hiker under 100?" is still a request for products."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state(), message, "u0001")
    assert reply.intent == "capabilities" and not reply.products and not reply.trace
    assert "compare" in reply.text or "比较" in reply.text
    assert "outside" not in reply.text and "超出" not in reply.text
    asked = agent.turn(new_state(), "what can you do for a hiker under 100?", "u0001")
    assert asked.intent == "recommend" and asked.products


def test_chinese_do_you_have_asks_the_shop_when_nothing_is_in_view(shop, encode):
    """ "有雨衣吗？" (any rain jackets?) as a first message asks the shop, as "你们有雨衣吗"
    does; "有黑色的吗" (a black one?) and "有现货吗" (in stock?) name no kind asked for."""
    from agent.parse import parse

    agent = routed_agent(shop, encode)
    for message in ("有雨衣吗？", "请问有没有适合通勤的背包"):
        reply = agent.turn(new_state("zh"), message, "u0001")
        assert reply.intent == "recommend" and len(reply.products) == 3, message
        kind = "jacket" if "雨衣" in message else "backpack"
        assert all(kind in p.title.casefold() for p in reply.products), message
    assert parse("有雨衣吗").asks_catalog and parse("你们有雨衣吗").asks_catalog
    for message in ("有黑色的吗", "有现货吗", "有什么推荐吗", "有更便宜的吗"):
        assert not parse(message).asks_catalog, message


@pytest.mark.parametrize("message", ["any others?", "got any more?", "ok, any others?"])
def test_any_others_shows_more_of_the_same_request(shop, encode, message):
    """ "any others?" after a list is more products for the same request, none shown
    before (it went to the review summary: "others" read as other buyers); "any more
    reviews?" and "any others like the first?" are not it."""
    from agent.parse import parse

    agent = routed_agent(shop, encode)
    state = new_state()
    first = agent.turn(state, "waterproof hiking boots for my wife", "u0001")
    reply = agent.turn(state, message, "u0001")
    assert reply.intent == "recommend" and len(reply.products) == 3
    shown = {p.product_id for p in first.products}
    assert not shown & {p.product_id for p in reply.products}
    assert state.slots.category == "Hiking Boots"
    assert not parse("any more reviews?").others and not parse("any others like the first?").others


@pytest.mark.parametrize("message", ["不要太重的背包", "a rucksack that's not too heavy"])
def test_a_word_naming_another_kind_leaves_the_kind_chosen(shop, encode, message):
    """A follow-up whose one word names another kind of the catalog (背包, which the
    dictionary calls a knapsack; "rucksack") shows that kind, though the kind chosen
    before was named; a word after a preposition says where, not what."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "a jacket that's not too bulky", "u0131")
    assert state.slots.category == "Jackets"
    reply = agent.turn(state, message, "u0131")
    assert state.slots.category == "Backpacks" and reply.products
    assert {shop.product("demo", p.product_id).category for p in reply.products} == {"Backpacks"}
    for first, then, kind in [
        ("a jacket that's not too bulky", "something warmer for the coffee shop", "Jackets"),
        # "light" is near Lighting, a parent of desk lamps: no name of a leaf
        ("hiking boots", "Something cheaper, please. Handles a light drizzle.", "Hiking Boots"),
        # the hiking boots' own "best for: backpacking trips"
        ("hiking boots", "None of these is what I want. Backpacking trips.", "Hiking Boots"),
        # "yoga" only qualifies "yoga mat"
        ("running shoes", "I do yoga too, something good for it", "Running Shoes"),
    ]:
        kept = new_state()
        agent.turn(kept, first, "u0131")
        agent.turn(kept, then, "u0131")
        assert kept.slots.category == kind, then


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("what about backpacks?", "Backpacks"),
        ("背包呢", "Backpacks"),
        ("黑色的呢", "Jackets"),
        ("how about black?", "Jackets"),
        ("lighter ones?", "Jackets"),
        ("what about something warmer?", "Jackets"),
        ("how about a lighter one?", "Jackets"),
    ],
)
def test_what_about_another_kind_or_value_is_a_search_not_a_question(
    shop, encode, message, category
):
    """ "what about backpacks?", "黑色的呢" (and the black ones?), "lighter ones?" after a
    list ask for more products, of that kind or value; they were answered as questions
    about the first product shown ("Its product page does not mention lighter")."""
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "a jacket that's not too bulky", "u0132")
    reply = agent.turn(state, message, "u0132")
    assert reply.intent == "recommend" and reply.products, reply.text
    found = [shop.product("demo", p.product_id) for p in reply.products]
    assert {p.category for p in found} == {category}
    said = {"背包呢": "背包", "黑色的呢": "黑色", "how about black?": "black"}.get(message)
    assert said is None or said in state.slots.query.split()  # searched for


def test_how_much_is_it_with_products_shown_is_the_price_of_the_one_in_view(shop, encode):
    """ "how much is it?" after a list was answered with the shop's overview (its price
    range): the router placed it near "price range", and "it" is the product in view."""
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "coffee maker with a grinder", "u0134").products
    reply = agent.turn(state, "how much is it?", "u0134")
    assert reply.intent == "answer" and [s.tool for s in reply.trace] == ["answer_question"]
    assert reply.trace[0].arguments["product_ids"] == [shown[0].product_id]
    assert f"{shown[0].price:.2f}" in reply.text, reply.text


def test_which_of_two_is_warmer_is_asked_of_both(shop, encode):
    """ "is the first or the second warmer?" showed the first one's page: "warmer" was a
    stop word (as "heavier" is, whose answer is a weight), so nothing was asked. Warmth
    is no quantity: it is asked of both products' records."""
    from tools.text import content_terms

    assert content_terms("is the first or the second warmer?") == ["warmer"]
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = agent.turn(state, "a men's jacket for cold hikes", "u0133").products
    assert len(shown) >= 2
    reply = agent.turn(state, "is the first or the second warmer?", "u0133")
    assert reply.intent == "answer", reply.plan
    asked = [s.arguments.get("product_ids") for s in reply.trace if s.tool == "answer_question"]
    assert asked == [[shown[0].product_id, shown[1].product_id]], asked


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("running shoes for my husband under 110 dollars", "any lighter ones?"),
        ("running shoes for my husband under 110 dollars", "something more cushioned?"),
        ("给老公买双跑鞋，预算110美元", "有没有更轻一点的"),
        ("running shoes for my husband under 110 dollars", "what about something lighter?"),
    ],
)
def test_more_of_something_than_those_shown_shows_others_first(shop, encode, first, then):
    """ "any lighter ones?" after three running shoes showed two of the same three again:
    it asks for more of it than those shown, so others come first."""
    from agent.parse import parse

    assert parse(then).degree
    agent = routed_agent(shop, encode)
    state = new_state()
    shown = {p.product_id for p in agent.turn(state, first, "u0135").products}
    reply = agent.turn(state, then, "u0135")
    assert reply.intent == "recommend" and len(reply.products) == 3
    assert not shown & {p.product_id for p in reply.products}


@pytest.mark.parametrize(
    "message", ["any in black?", "any with a timer?", "other ones?", "有没有黑色的"]
)
def test_a_refinement_by_a_value_is_no_degree(message):
    from agent.parse import parse

    assert not parse(message).degree


def test_walking_shoes_said_in_chinese_show_shoes_not_the_mats_non_slip_finds(shop, encode):
    """ "我妈妈膝盖不好，想给她买双徒步鞋，要防滑的" showed yoga mats: the kind guessed
    (shoes) was dropped for what "non-slip" finds across the shop (tests/test_spelling.py)."""
    agent = routed_agent(shop, encode)
    reply = agent.turn(new_state("zh"), "我妈妈膝盖不好，想给她买双徒步鞋，要防滑的", "u0136")
    kinds = {shop.product("demo", p.product_id).category for p in reply.products}
    assert reply.products and kinds <= {"Running Shoes", "Hiking Boots"}, kinds


def test_what_about_a_part_of_the_product_in_view_is_still_a_question(shop, encode):
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "a smartwatch with a heart-rate monitor", "u0133")
    reply = agent.turn(state, "what about the battery?", "u0133")
    assert reply.intent != "recommend" and not reply.products


def test_rather_is_no_comparison_and_which_on_one_thing_is_a_question(shop, encode):
    """ "她皮肤比较干" (her skin is rather dry) asks for products: 比较 before a word
    that describes is "rather", not "compare" (which had the turn answered with what the
    assistant cannot help with). "第一个和第二个哪个更保湿？" asks which of them on one
    thing, which their records answer; "哪个更值" (which is worth more) is a judgement
    of the two side by side."""
    from agent.parse import parse

    assert parse("她皮肤比较干").intent != "compare"
    assert parse("比较便宜的有吗").intent != "compare"
    assert parse("能比较便宜点吗").intent != "compare"  # can it be a bit cheaper?
    assert parse("比较一下第一个和第二个").intent == "compare"
    assert parse("帮我比较这两款").intent == "compare"
    agent = routed_agent(shop, encode)
    state = new_state("zh")
    reply = agent.turn(state, "想给老婆买个护肤品，她皮肤比较干，预算300块", "u0134")
    assert reply.intent == "recommend" and reply.products
    first, second = (p.product_id for p in reply.products[:2])
    reply = agent.turn(state, "第一个和第二个哪个更保湿？", "u0134")
    assert reply.trace[0].tool == "answer_question"
    assert reply.trace[0].arguments["product_ids"] == [first, second]
    reply = agent.turn(state, "第一个和第二个哪个更值？", "u0134")
    assert reply.trace[0].tool == "compare_products"


def test_asking_for_a_narrower_form_of_the_same_chinese_kind_keeps_the_request(demo_store):
    """ "有没有电子卡？" (any e-cards?) after "给我爸买张礼品卡，他喜欢吃牛排，50美元左右":
    电子卡 ends on the 卡 of 礼品卡, so the steak and the budget still hold (it was read
    as a new request, and card holders were shown); "有没有水壶？" after a backpack is
    still a new one."""
    from agent.parse import parse
    from agent.tracking import update_slots
    from agent.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_products(demo_store.products("demo"))
    state = new_state("zh")
    for message in ["给我爸买张礼品卡，他喜欢吃牛排，50美元左右", "有没有电子卡？"]:
        update_slots(state, parse(message), message, vocabulary, "USD", [])
    assert state.slots.max_price is not None and "吃牛排" in state.slots.query.split()
    other = new_state("zh")
    for message in ["我想买个双肩包，300块以内", "有没有水壶？"]:
        update_slots(other, parse(message), message, vocabulary, "USD", [])
    assert other.slots.max_price is None and "双肩包" not in other.slots.query


def test_a_thing_asked_for_without_an_article_is_a_new_request(shop, encode):
    """ "I need safety glasses" (no "a") was read as more words about the thing asked for
    before: after "do you have soldering flux?" the search was "soldering flux safety
    glasses". A request names a thing in the plural or as a mass too; and after a thing
    the shop does not carry, a kind named is a new request ("flux" names no kind of the
    demo shop's, so nothing said about it holds)."""
    from agent.parse import named_kind, parse

    assert parse("I need safety glasses").request
    assert named_kind("looking for nitrile gloves") == "nitrile gloves"
    for other in ("I need it by friday", "I want the second one", "I need to return it"):
        assert not parse(other).request, other
    agent = routed_agent(shop, encode)
    state = new_state()
    agent.turn(state, "do you have soldering flux?", "u0131")
    reply = agent.turn(state, "I need running shoes", "u0131")
    assert "flux" not in state.slots.query and "running" in state.slots.query, state.slots
    assert reply.products
