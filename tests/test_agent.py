"""Dialogue mechanics of the agent on the demo shop (templates only, no search
index or recommender needed: ranking falls back to popularity within filters)."""

from __future__ import annotations

import pytest

from agent.agent import Agent, new_state
from agent.verifier import CITATION_RE
from catalog.ingest import build_demo


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    from catalog.store import Store

    store = Store.in_home(tmp_path_factory.mktemp("home"))
    build_demo(store)
    yield Agent(store, "demo")
    store.close()


def _every_sentence_cited(reply) -> None:
    for product in reply.products:
        for sentence in product.sentences:
            cited = CITATION_RE.findall(sentence.text)
            assert cited and all(c in reply.evidence for c in cited), sentence.text


def test_budget_category_and_follow_ups(agent):
    state = new_state()
    reply = agent.turn(state, "hiking boots under $120", "u0001")
    assert reply.intent == "recommend" and len(reply.products) == 3
    assert all(p.price <= 120 for p in reply.products)
    assert all(
        agent.store.product("demo", p.product_id).category == "Hiking Boots" for p in reply.products
    )
    _every_sentence_cited(reply)
    cheapest = min(p.price for p in reply.products)
    cheaper = agent.turn(state, "cheaper", "u0001")
    assert cheaper.products and all(p.price < cheapest for p in cheaper.products)
    brand = cheaper.products[0].brand
    other = agent.turn(state, "not that brand", "u0001")
    assert all(p.brand != brand for p in other.products)
    assert state.slots.exclude_brands == [brand]


def test_a_brand_ruled_out_then_asked_for_is_shown_again(agent):
    state = new_state()
    first = agent.turn(state, "hiking boots", "u0001")
    brand = first.products[0].brand
    agent.turn(state, "not that brand", "u0001")
    assert state.slots.exclude_brands == [brand]
    again = agent.turn(state, f"actually I'd like it from {brand}", "u0001")
    assert again.products and all(p.brand == brand for p in again.products)
    assert state.slots.exclude_brands == [] and state.slots.brands == [brand]


def test_chinese_budget_is_converted_and_reply_is_chinese(agent):
    state = new_state()
    reply = agent.turn(state, "给我推荐200元以内的登山靴", "u0002")
    assert state.language == "zh" and state.slots.max_price == pytest.approx(28.0)
    assert reply.products and all(p.price <= 28.0 for p in reply.products)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.text)
    # the budget as read in the shop's currency is said (it was silent unless nothing fit)
    assert "200 CNY以内" in reply.text and "28 USD以内" in reply.text, reply.text
    reply = agent.turn(new_state(), "waterproof boots under 100 euros", "u0002")
    assert "100 EUR" in reply.text and "108 USD" in reply.text, reply.text
    assert "EUR" not in agent.turn(new_state(), "boots under $100", "u0002").text


@pytest.mark.parametrize(
    ("first", "change", "expected"),
    [("登山靴，50美元左右", "算了，预算改成100", 100.0),  # dollars, not 100 yuan (14 USD)
     ("boots under 100 euros", "make it 150", 162.0),  # euros, not the shop's dollars
     ("登山靴，500元以内", "改成800", 112.0)],  # yuan, said the first time and meant again
)  # fmt: skip
def test_a_new_budget_without_a_unit_keeps_the_currency_said_before(agent, first, change, expected):
    state = new_state()
    agent.turn(state, first, "u0002")
    reply = agent.turn(state, change, "u0002")
    s = state.slots
    assert (s.price_around or s.max_price) == pytest.approx(expected, rel=0.01), s
    assert reply.products and all(p.price <= expected * 1.2 for p in reply.products)


def test_ordinals_compare_why_and_feedback(agent):
    state = new_state()
    first = agent.turn(state, "running shoes", "u0003")
    ids = [p.product_id for p in first.products]
    second = agent.turn(state, "the second one", "u0003")
    assert [p.product_id for p in second.products] == [ids[1]] and state.shown == ids
    compared = agent.turn(state, "compare the first two", "u0003")
    assert compared.intent == "compare" and compared.data["columns"] == ids[:2]
    why = agent.turn(state, "第三个为什么推荐", "u0003")
    assert why.intent == "why" and why.products[0].product_id == ids[2]
    _every_sentence_cited(why)
    dropped = agent.turn(state, "not interested in the first", "u0003")
    assert ids[0] not in [p.product_id for p in dropped.products]
    assert agent.store.feedback("demo", "u0003")[-1][:2] == (ids[0], "not_interested")
    again = agent.turn(state, "running shoes", "u0003")
    assert ids[0] not in [p.product_id for p in again.products]


@pytest.mark.parametrize(
    ("request_", "follow_up", "price_word"),
    [
        ("running shoes", "compare them", "Price:"),
        ("登山靴", "比较一下前两个", "价格："),
        ("running shoes", "what's the difference between the first and the third?", "Price:"),
        ("登山靴", "第一个和第三个有什么区别", "价格："),
    ],
)
def test_a_comparison_says_what_differs_each_value_cited(agent, request_, follow_up, price_word):
    """ "compare them": a sentence for each thing the products differ in (price first,
    the cheapest named), one for what they share; every value is in the record it
    cites, and the audit of shown sentences finds nothing."""
    from benchmarks.agent_common import audit

    state = new_state()
    ids = [p.product_id for p in agent.turn(state, request_, "u0003").products]
    reply = agent.turn(state, follow_up, "u0003")
    third = "third" in follow_up or "第三" in follow_up
    compared = ids if follow_up == "compare them" else [ids[0], ids[2]] if third else ids[:2]
    assert reply.intent == "compare" and reply.data["columns"] == compared
    assert [p.product_id for p in reply.products] == compared
    products = [agent.store.product("demo", pid) for pid in compared]
    names = sorted({p.brand for p in agent.store.products("demo") if p.brand})
    assert reply.answer and audit(reply, names) == []
    price = next(s.text for s in reply.answer if s.text.startswith(price_word))
    for product in products:
        assert f"{product.price:.2f}" in price
        assert f"P{product.id}" in CITATION_RE.findall(price)
    prices = [p.price for p in products]
    places = [ids.index(pid) for pid in compared]  # "the first and the third" are called so
    if prices.count(min(prices)) == 1:
        ordinal = ("first", "second", "third")[places[prices.index(min(prices))]]
        ordinal_zh = ("第一个", "第二个", "第三个")[places[prices.index(min(prices))]]
        two = len(compared) == 2
        cheapest, cheapest_zh = ("cheaper", "更便宜") if two else ("cheapest", "最便宜")
        assert f"the {ordinal} is the {cheapest}" in price or f"{ordinal_zh}{cheapest_zh}" in price
    if third:
        assert ("the third" in price or "第三个" in price) and not (
            "second" in price or "第二" in price
        )
    # the attributes the products differ in are said, each value cited to its passage
    labels = [n.replace("_", " ") for n in reply.data["differs"] if n not in ("price", "rating")]
    said = [s for s in reply.answer if s.text.casefold().startswith(tuple(labels))]
    assert said or not labels
    for sentence in said:
        for cid in CITATION_RE.findall(sentence.text):
            record = reply.evidence[cid]
            if record.data.get("field") == "attribute":
                assert record.text.split(":", 1)[-1].strip() in sentence.text


def test_one_clarifying_question_never_two_in_a_row(agent):
    state = new_state()
    first = agent.turn(state, "something nice", "brand-new-shopper")
    assert first.question and first.intent == "clarify"
    second = agent.turn(state, "anything really", "brand-new-shopper")
    assert not second.question and second.products


def test_why_not_names_the_failed_constraint(agent):
    state = new_state()
    agent.turn(state, "hiking boots under $60", "u0004")
    expensive = next(
        p for p in agent.store.products("demo") if p.category == "Hiking Boots" and p.price > 150
    )
    reply = agent.turn(state, f"why not the {expensive.brand} one?", "u0004")
    assert reply.intent == "why_not" and reply.products[0].product_id == expensive.id
    texts = " ".join(s.text for s in reply.products[0].sentences)
    assert f"It costs {expensive.price:.2f} USD, above your budget." in texts  # the budget, $60


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("", "greeting"),
        ("   ", "greeting"),
        ("😀👍🎉", "clarify"),
        ("x" * 20_000, "recommend"),
        ("headphones 耳机 under $60 请推荐", "recommend"),
        ("\x00\x07 boots \x1b", "recommend"),
    ],
)
def test_bad_input_gets_a_sensible_reply(agent, message, intent):
    reply = agent.turn(new_state(), message, "no-such-shopper")
    assert reply.text and reply.intent == intent
    if intent == "recommend":  # popular products, within what the message does say
        assert len(reply.products) == 3
        _every_sentence_cited(reply)
    else:  # a question back, nothing shown
        assert reply.question and not reply.products
    if "$60" in message:
        assert reply.text.startswith("为您推荐")  # more Chinese than English letters
        assert all(
            p.price <= 60 and agent.store.product("demo", p.product_id).category == "Headphones"
            for p in reply.products
        )


def test_profile_lists_history_categories(agent):
    reply = agent.turn(new_state(), "what do I usually buy?", "u0001")
    profile = reply.data["profile"]
    assert reply.intent == "profile" and profile.categories[0].name in reply.text


def test_a_new_shoppers_likes_and_cart_are_their_profile(agent):
    """It said "I don't know your shopping history yet" after two likes and a cart."""
    state = new_state()
    shopper = "new-shopper-0931"
    shown = agent.turn(state, "waterproof hiking boots for my wife under 150 dollars", shopper)
    assert "don't know" in agent.turn(state, "what do you know about me?", shopper).text
    for message in ["thanks, add the first to my list", "收藏第二个", "put the third in my basket",
                    "I'm not interested in the third"]:  # fmt: skip
        agent.turn(state, message, shopper)
    reply = agent.turn(state, "what do you know about me?", shopper)
    profile = reply.data["profile"]
    assert set(profile.history) == {p.product_id for p in shown.products}
    assert profile.categories[0].name == "Hiking Boots" and "Hiking Boots" in reply.text


class SlowScripted:
    """A fake chat model (wording only): streams word by word, `delay` seconds before the
    first word and `step` between words; rewrites the first claim it was given, once
    faithfully and once with an invented price, then rambles for `ramble` sentences."""

    name = "scripted"

    def __init__(self, delay: float = 0.4, step: float = 0.0, ramble: int = 0) -> None:
        self.delay, self.step, self.ramble = delay, step, ramble
        self.words_given = 0

    def stream(self, messages, max_tokens=256):
        import re
        import time

        time.sleep(self.delay)
        claim = re.search(r"^- (.*?)((?: ?\[[A-Z][^\]]+\])+)\s*$", messages[1]["content"], re.M)
        text, cites = claim.group(1), claim.group(2).strip()
        answer = f"{text} {cites} It is only 1.23 USD today {cites}."
        answer += f" It is great {cites}." * self.ramble
        for word in answer.split(" "):
            self.words_given += 1
            yield word + " "
            time.sleep(self.step)

    def chat(self, messages, max_tokens=256):
        return "".join(self.stream(messages, max_tokens))


def test_stream_sends_each_sentence_as_soon_as_it_is_verified(agent):
    from agent.agent import Agent, Reply

    slow = Agent(agent.store, "demo", llm=SlowScripted())
    pieces = list(slow.stream(new_state(), "hiking boots", "u0001"))
    assert pieces[0].startswith("Here are 3 picks") and isinstance(pieces[-1], Reply)
    reply = pieces[-1]
    text = [p for p in pieces if isinstance(p, str)]
    # intro, then per product its line and then each explanation sentence on its own
    sentences = [s for p in reply.products for s in p.sentences]
    assert len(text) == 1 + len(reply.products) + len(sentences)
    assert [t for t in text if t.startswith("   - ")] == [f"   - {s.text}\n" for s in sentences]
    assert reply.model_sentences == 6 and reply.model_passed == 3  # invented prices rejected
    sources = [s.source for s in sentences]
    assert sources.count("model") == 3 and "template" in sources
    assert not any("1.23" in s.text for s in sentences)


def test_the_model_is_stopped_once_the_explanation_is_full(agent):
    from agent.agent import Agent

    rambler = SlowScripted(delay=0.0, ramble=40)
    reply = Agent(agent.store, "demo", llm=rambler).turn(new_state(), "hiking boots", "u0001")
    claims = sum(len(p.sentences) for p in reply.products)
    # each product stops after as many sentences as it has claims, not after 40 more
    assert reply.model_sentences <= claims + len(reply.products)
    assert rambler.words_given < 3 * 40 * 4


def test_explanations_not_written_within_the_turn_budget_are_templates(agent):
    import time

    from agent.agent import Agent

    slow = Agent(agent.store, "demo", llm=SlowScripted(delay=0.1, step=0.02), llm_turn_budget_s=0.8)
    started = time.perf_counter()
    reply = slow.turn(new_state(), "hiking boots", "u0001")
    elapsed = time.perf_counter() - started
    assert elapsed < 0.8 + 0.5, elapsed
    sentences = [s for p in reply.products for s in p.sentences]
    assert reply.model_passed >= 1  # the first product was rewritten in time
    late = [s for s in sentences if "time for the LLM ran out" in " ".join(s.reasons)]
    assert late and all(s.source == "template" for s in late)
    # every product still has its full explanation, each sentence cited
    assert all(p.sentences and all(s.citations for s in p.sentences) for p in reply.products)


@pytest.mark.parametrize(
    "message", ["none of these", "show me something else", "这些都不是我想要的", "换一批"]
)
def test_none_of_these_shows_other_products_for_the_rest_of_the_session(agent, message):
    state = new_state()
    first = agent.turn(state, "a backpack for hiking", "u0005")
    shown = {p.product_id for p in first.products}
    again = agent.turn(state, message, "u0005")
    assert again.products and not shown & {p.product_id for p in again.products}
    assert state.slots.category == "Backpacks"  # the request still holds
    later = agent.turn(state, "waterproof", "u0005")
    assert not shown & {p.product_id for p in later.products}


def test_details_given_over_several_turns_all_narrow_the_search(agent):
    state = new_state()
    agent.turn(state, "I'm looking for headphones.", "u0006")
    agent.turn(state, "It should be wired.", "u0006")
    agent.turn(state, "It should be on-ear.", "u0006")
    assert "wired" in state.slots.query and "on-ear" in state.slots.query
    agent.turn(state, "now a coffee maker", "u0006")  # a new kind of product starts afresh
    assert "wired" not in state.slots.query and state.slots.category == "Coffee Makers"


def test_words_said_before_a_kind_was_chosen_hold_for_the_kind_chosen_next(agent):
    """A need said first ("something that folds flat") still narrows the search once a
    kind is named; only a change from one kind to another starts afresh."""
    state = new_state()
    agent.turn(state, "Something that folds flat.", "u0006")
    assert state.slots.category is None and "folds" in state.slots.query
    agent.turn(state, "I'm looking for a backpack.", "u0006")
    assert state.slots.category == "Backpacks"
    assert "folds" in state.slots.query and "flat" in state.slots.query


def test_a_brand_asked_for_filters_and_is_not_searched_for_as_words(agent):
    from agent.planner import search_text

    state = new_state()
    agent.turn(state, "waterproof hiking boots", "u0006")
    brand = next(p.brand for p in agent.store.products("demo") if p.category == "Hiking Boots")
    agent.turn(state, f"I'd like them from {brand}.", "u0006")
    assert state.slots.brands == [brand]
    assert brand.casefold() in state.slots.query.casefold()  # what was said is kept
    searched = search_text(state).casefold()
    assert "waterproof" in searched and brand.casefold() not in searched


def test_brackets_in_catalog_text_never_read_as_citations():
    """A real title such as "PLA Filament 1kg Spool [Red]" once made "[Red]" look like a
    citation of a record "Red" (found by the simulated-shopper audit)."""
    from agent.composer import _claim

    for lang in ("en", "zh"):
        claim = _claim(
            "history", lang, ["H1"], "p1", title="PLA Filament 1kg Spool [Red]", action="bought"
        )
        assert CITATION_RE.findall(claim.render()) == ["H1"]
        assert "(Red)" in claim.render()


def test_a_guessed_category_that_finds_nothing_is_dropped_a_named_one_is_kept(agent):
    """ "from TrailPeak" names a brand only; if the similarity guess puts it among desk
    lamps (TrailPeak makes none), the guess gives way. A category the shopper named
    stays, and the reply says nothing fits."""
    vocabulary = agent.vocabulary
    original = vocabulary.guess_category
    vocabulary.guess_category = lambda text, min_similarity=None: "Desk Lamps"
    try:
        state = new_state()
        reply = agent.turn(state, "something sturdy from TrailPeak", "u0007")
        assert reply.products and all(p.brand == "TrailPeak" for p in reply.products)
        assert state.slots.category is None
        named = new_state()
        reply = agent.turn(named, "desk lamps from TrailPeak", "u0007")
        assert not reply.products and named.slots.category == "Desk Lamps"
    finally:
        vocabulary.guess_category = original


def test_a_guessed_category_with_too_few_products_gives_way(agent):
    """A kind guessed from a need that holds fewer products than a turn shows (one
    desk lamp within the budget) is a weak guess: the search goes on without it. A
    kind the shopper named stays, with what it has."""
    lamps = sorted(
        p.price for p in agent.store.products("demo") if p.category == "Desk Lamps" and p.price
    )
    budget = (lamps[0] + lamps[1]) / 2  # one lamp under it
    vocabulary = agent.vocabulary
    original = vocabulary.guess_category
    vocabulary.guess_category = lambda text, min_similarity=None: "Desk Lamps"
    try:
        state = new_state()
        reply = agent.turn(state, f"something bright under ${budget:.2f}", "u0007")
        assert len(reply.products) == agent.k and state.slots.category is None
        named = new_state()
        reply = agent.turn(named, f"desk lamps under ${budget:.2f}", "u0007")
        assert len(reply.products) == 1 and named.slots.category == "Desk Lamps"
    finally:
        vocabulary.guess_category = original


def test_a_kind_named_is_kept_until_another_is_named(agent):
    # a later need that sounds like another kind ("a yoga class") describes the running
    # shoes asked for; naming another kind switches
    state = new_state()
    agent.turn(state, "I'm looking for running shoes.", "u0001")
    reply = agent.turn(state, "something for a yoga class", "u0001")
    assert state.slots.category == "Running Shoes"
    assert all(agent.store.product("demo", p.product_id).category == "Running Shoes"
               for p in reply.products)  # fmt: skip
    agent.turn(state, "actually I'd like a yoga mat instead", "u0001")
    assert state.slots.category == "Yoga Mats"


@pytest.mark.parametrize("need", ["用什么都容易过敏。", "这么干的皮肤，要保湿的。"])
def test_a_chinese_need_with_an_indefinite_what_is_a_refinement_not_a_question(agent, need):
    """什么都 (anything) and 这么 (so) hold the "么" of a question word but ask nothing."""
    state = new_state("zh")
    agent.turn(state, "我想找护肤品。", "u0007")
    reply = agent.turn(state, need, "u0007")
    assert reply.intent == "recommend" and reply.products


@pytest.mark.parametrize("message", ["the first one is too expensive", "第二个太贵了"])
def test_a_product_said_to_cost_too_much_sets_the_budget_below_it(agent, message):
    from agent.parse import parse

    state = new_state()
    first = agent.turn(state, "running shoes", "u0011")
    named = first.products[1 if "第二" in message else 0]
    reply = agent.turn(state, message, "u0011")
    assert reply.intent == "recommend" and state.slots.max_price == round(named.price - 0.01, 2)
    assert reply.products and all(p.price < named.price for p in reply.products)
    assert not parse(message).content  # "first" and 第二个 are not searched for
    assert not parse("headphones, not too expensive").cheaper and not parse("不要太贵").cheaper


@pytest.mark.parametrize(
    ("message", "asks", "refine", "content"),
    [
        ("do you have water bottles?", True, False, "water bottles"),
        ("Do you guys carry soldering irons?", True, False, "soldering irons"),
        ("do you have any water bottles?", True, False, "water bottles"),
        ("你们有保温杯吗？", True, False, "保温杯"),
        ("有卖焊锡丝的吗", True, False, "焊锡丝"),
        ("do you have any in black?", False, True, "black"),
        ("do you have any with a timer?", False, True, "timer"),
        ("do you have Asana ones?", False, True, "Asana"),
        ("你们有黑色的吗", False, True, "黑色"),
        ("do you have it in black?", False, False, "black"),
    ],
)
def test_asking_whether_the_shop_carries_something(message, asks, refine, content):
    from agent.parse import parse

    parsed = parse(message)
    assert (parsed.asks_catalog, parsed.refine, parsed.content) == (asks, refine, content)


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("I need a soldering iron for electronics", "soldering iron"),
        ("I'm looking for a pair of hiking boots for my wife", "hiking boots"),
        ("你们有保温杯吗？", "保温杯"),
        ("我想买一个万用表", "万用表"),
        ("我要买游标卡尺", "游标卡尺"),
        ("想买焊锡丝，要无铅的", "焊锡丝"),  # 想买 without 我
        ("想找一款降噪耳机", "降噪耳机"),
        ("想买防水的", ""),  # one of the kind in view
        ("买这个", ""),
        ("买了一个月就坏了，能退吗", ""),  # a purchase told of, not asked for
        ("Hi, I'm looking for something.", ""),
        ("something waterproof for hiking", ""),
        # a clause after the name is no part of it
        ("need a backpack my teenage son can take on school trips", "backpack"),
        ("I want a speaker she can take to the pool", "speaker"),
    ],
)
def test_the_name_a_request_gives_what_it_asks_for(message, named):
    from agent.parse import named_kind

    assert named_kind(message) == named


@pytest.mark.parametrize(
    ("message", "content"),
    [
        ("1.75mm PLA filament, black", "1.75mm PLA filament black"),
        ("a digital scale accurate to 0.01g.", "digital scale accurate 0.01g"),
        ("预算99.5元以内的1.75mm耗材", "1.75mm耗材"),
    ],
)
def test_a_decimal_is_searched_for_whole(message, content):
    """ "1.75mm PLA filament" searched for "75mm": the decimal point was taken for a stop
    and the "1" before it for a bare number."""
    from agent.parse import parse

    assert parse(message).content == content


@pytest.mark.parametrize(
    ("message", "content"),
    [
        ("not that one, something Italian", "Italian"),
        ("I'd prefer something Italian", "Italian"),
        ("not these, cheaper ones", ""),
        ("not black", "not black"),  # what is not wanted stays (agent.parse.avoided reads it)
        ("想给同事买张星巴克的卡", "星巴克 卡"),
        ("想给我爸买双登山鞋", "登山鞋"),
    ],
)
def test_a_product_turned_down_and_a_preference_are_no_search_words(message, content):
    """ "not that one, something Italian" searched for "not Italian", and "I'd prefer
    something Italian" for "prefer Italian"; "想给同事买张星巴克的卡" for "想 星巴克 卡" (the
    wanting left alone once the recipient was cut)."""
    from agent.parse import parse

    assert parse(message).content == content


def _card_vocabulary():
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    cards = [
        Product(id=f"c{i}", title=f"{brand} Gift Card", brand=brand, categories=["Gift Cards"])
        for brand in ("Amazon", "iTunes", "Starbucks")
        for i in range(4)
    ]
    title = "1 Year PlayStation Plus Membership Card"
    cards.append(Product(id="p1", title=title, brand="Sony", categories=["Gift Cards"]))
    return Vocabulary.from_products(cards)


def test_a_brand_not_wanted_said_by_its_chinese_name_is_left_out():
    """ "不要星巴克的" after a request for a card: Starbucks (星巴克 by its dictionary sense)
    is excluded, not asked for; the request keeps the message said before the kind was
    set, and the coworker the card is for is the recipient, not a need."""
    from agent.needs import needs_of
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary, state = _card_vocabulary(), new_state("zh")
    first = "想给喜欢喝咖啡的同事买张礼品卡，25美元左右"
    assert parse(first).recipient == "同事"
    assert [n.text for n in needs_of([first])] == ["喝咖啡", "礼品卡"]
    for message in (first, "不要星巴克的"):
        state.turns += 1
        state.hear(message)
        update_slots(state, parse(message), message, vocabulary, "USD", [])
        state.asked_for_products()
    assert state.slots.exclude_brands == ["Starbucks"] and state.slots.brands == []
    assert state.request() == [first, "不要星巴克的"]


@pytest.mark.parametrize(
    ("first", "then", "words"),
    [
        ("a Starbucks card for a coworker", "any other coffee shop cards?", ["coffee", "shop"]),
        ("想给同事买张星巴克的卡", "还有别的咖啡店的卡吗", ["咖啡店"]),
        # the brand asked for first, then left out by name, with "other options": no word
        # of either is searched for ("礼品卡 别 选择 不要星巴克" before)
        ("想给同事买张礼品卡，最好是星巴克的", "有没有别的选择，不要星巴克的", ["礼品卡"]),
    ],
)
def test_another_seller_leaves_out_the_brand_shown_and_its_name(first, then, words):
    """ "any other coffee shop cards?" after a Starbucks card shown asks for another
    seller's: Starbucks is left out (no longer asked for), and neither its name nor its
    Chinese name is a word to search for; the kind of seller still is."""
    from agent.parse import parse
    from agent.tracking import update_slots
    from catalog.models import Product

    vocabulary, state = _card_vocabulary(), new_state("zh" if "星" in first else "en")
    shown = [Product(id="c1", title="Starbucks Gift Card", brand="Starbucks")]
    for message, seen in ((first, []), (then, shown)):
        state.turns += 1
        state.hear(message)
        update_slots(state, parse(message), message, vocabulary, "USD", seen)
        state.asked_for_products()
    assert state.slots.exclude_brands == ["Starbucks"] and state.slots.brands == []
    query = state.slots.query.casefold().split()
    assert not any("starbucks" in w or "星巴克" in w for w in query), query
    assert all(w in query for w in words) and not {"别", "选择"} & set(query), query
    assert not parse("any other colors?").exclude_last_brand  # another value, not seller


def test_words_said_before_the_first_kind_stay_part_of_the_request():
    """ "something for my coworker who loves coffee", then "a gift card": the kind chosen
    on the second turn replaces none, so the first message is still what is asked for."""
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary, state = _card_vocabulary(), new_state()
    said = ["something for my coworker who loves coffee", "a gift card please"]
    for message in said:
        state.turns += 1
        state.hear(message)
        update_slots(state, parse(message), message, vocabulary, "USD", [])
        state.asked_for_products()
    assert state.slots.category == "Gift Cards" and state.slots.category_turn == 2
    assert state.request() == said


def test_a_brand_spelled_with_a_small_first_letter_replaces_the_one_before():
    """ "do you sell iTunes cards?" after Amazon cards: iTunes (its own spelling starts
    small), not both, and "Amazon" is no longer a word to search for."""
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary, state = _card_vocabulary(), new_state()
    for message in ("I want an Amazon gift card", "do you sell iTunes cards?"):
        update_slots(state, parse(message), message, vocabulary, "USD", [])
    assert state.slots.brands == ["iTunes"]
    assert "amazon" not in state.slots.query.casefold()


def test_a_name_the_catalog_knows_as_no_brand_lets_the_brand_before_go():
    """ "do you have PlayStation cards?" after iTunes ones: PlayStation is no brand of
    the catalog (Sony is), so the iTunes filter would hide the card asked for."""
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary, state = _card_vocabulary(), new_state()
    for message in ("I want an iTunes gift card", "do you have PlayStation cards?"):
        update_slots(state, parse(message), message, vocabulary, "USD", [])
    assert state.slots.brands == []
    assert "PlayStation" in state.slots.query and "iTunes" not in state.slots.query
    assert vocabulary.missing_kind("Nintendo cards")  # a name no title has
    assert not vocabulary.missing_kind("Starbucks cards")  # a brand's cards
    assert vocabulary.missing_kind("water bottle")  # no title says bottle


@pytest.mark.parametrize(
    "second",
    ["换成给我奶奶的，她喜欢园艺", "something for coffee lovers instead"],
)
def test_the_request_quoted_begins_where_a_new_one_replaced_it(second):
    """After "给我侄子买一张礼品卡，他喜欢打游戏", a request for someone else, or one said
    "instead", is the request whose words explanations quote: the nephew's games are
    not what the shopper asks for now."""
    from agent.parse import parse
    from agent.tracking import update_slots

    vocabulary, state = _card_vocabulary(), new_state()
    for message in ("给我侄子买一张礼品卡，他喜欢打游戏", second):
        state.turns += 1
        state.hear(message)
        update_slots(state, parse(message), message, vocabulary, "USD", [])
        state.asked_for_products()
    assert state.request() == [second]


@pytest.mark.parametrize(
    ("message", "amount", "currency"),
    [
        ("actually make it 50", 50.0, None),
        ("ok, how about 40?", 40.0, None),
        ("那就200吧", 200.0, "CNY"),
        ("改成300", 300.0, "CNY"),
        ("50", None, None),  # a number alone may answer "which one?"
        ("try 3", None, None),
        ("make it black", None, None),
    ],
)
def test_a_new_budget_said_as_a_bare_number(message, amount, currency):
    from agent.parse import parse

    parsed = parse(message)
    assert parsed.max_price == amount and parsed.bare_budget is (amount is not None)
    assert parsed.currency == currency


def test_a_comparison_says_only_what_a_record_it_cites_states():
    """A value with no passage of its own (a number an importer kept as a number, an
    identifier) stays in the table: no sentence states what no cited record holds."""
    from agent.answers import compare_claims

    data = {
        "columns": ["1", "2"],
        "rows": {
            "price": [10.0, 12.5],
            "brand": ["Acme", "Acme"],
            "rating": [None, 4.0],
            "capacity_l": [12, 20],
            "item_model_number": ["A-1", "B-2"],
            "color": ["red", "blue"],
        },
        "cited": {
            "price": ["P1", "P2"],
            "brand": ["P1", "P2"],
            "rating": [None, "P2"],
            "capacity_l": [None, None],
            "item_model_number": ["P1.a2", "P2.a2"],
            "color": ["P1.a1", "P2.a1"],
        },
        "differs": ["price", "rating", "capacity_l", "item_model_number", "color"],
        "same": ["brand"],
        "currency": ["USD", "USD"],
    }
    texts = [c.render() for c in compare_claims(data, "en")]
    assert texts[0].startswith("Price: 10.00 USD for the first, 12.50 USD for the second")
    assert "the first is the cheaper" in texts[0]  # of two
    assert texts[1].startswith("Rating: 4.0 for the second, no ratings yet for the first")
    assert any(t.startswith("Color: red for the first, blue for the second") for t in texts)
    assert not any("capacity" in t.casefold() or "model number" in t for t in texts)
    assert texts[-1].startswith("Both list brand: Acme")


@pytest.mark.parametrize(
    ("follow_up", "listing"), [("tell me more about the second one", "Its page lists "),
                               ("第二个的详细信息", "它的页面写着：")]
)  # fmt: skip
def test_tell_me_more_adds_what_the_page_lists_and_says(agent, follow_up, listing):
    """ "Tell me more": the product's explanation and, besides, the attributes its page
    lists and its description's sentences (not the one that restates the title), each
    quoted from the passage it cites, its rating and a review; the audit finds nothing."""
    from benchmarks.agent_common import audit
    from tools.passages import product_passages

    state = new_state()
    request = "bluetooth speaker for the beach under 80"
    ids = [p.product_id for p in agent.turn(state, request, "u0002").products]
    reply = agent.turn(state, follow_up, "u0002")
    assert reply.intent == "details" and [p.product_id for p in reply.products] == ids[1:2]
    assert reply.text.startswith(("Here is more about it", "这件商品的详细信息"))
    product = agent.store.product("demo", ids[1])
    passages = {p.cid: p for p in product_passages(product)}
    sentences = [s.text for s in reply.products[0].sentences]
    listed = next(s for s in sentences if s.startswith(listing))
    cited = CITATION_RE.findall(listed)
    assert cited and all(passages[c].field == "attribute" for c in cited)
    for cid in cited:
        assert passages[cid].text in listed
    assert state.shown == ids  # the list is kept: "the first one" still means the first
    names = sorted({p.brand for p in agent.store.products("demo") if p.brand})
    assert audit(reply, names, said=[request, follow_up]) == []
    for sentence in sentences:
        for cid in CITATION_RE.findall(sentence):
            if cid in passages and passages[cid].field == "description":
                assert passages[cid].text.rstrip(".") in sentence
                assert passages[cid].text.rstrip(".") not in product.title


def test_what_will_do_is_no_word_of_the_request():
    """ "电子版的就行" (an e-card will do): "就行" says the e-card is fine, nothing of the
    card: it is neither searched for nor a need a product's records could meet (it had
    been "met" by a model number of "^")."""
    from agent.needs import needs_of
    from agent.parse import parse

    message = "想给喜欢化妆的女朋友买张礼品卡，电子版的就行，50美元左右"
    words = parse(message).content.split()
    assert "电子版" in words and not {"就行", "就"} & set(words), words
    assert [n.text for n in needs_of([message]) if "行" in n.text] == []
    assert "都可以" not in parse("黑色白色都可以的背包").content.split()


def test_a_value_with_no_word_or_number_is_no_passage():
    """ "Item model number: ^" says nothing: no passage quotes it (a need had been "met"
    by it), and the attributes after it keep their numbers."""
    from catalog.models import Product
    from tools.passages import product_passages

    product = Product(
        "g1", "Amazon eGift Card", attributes={"Shipping": "US only", "Item model number": "^",
                                              "Domestic Shipping": "Item can be shipped"},
    )  # fmt: skip
    attributes = {p.key: p.text for p in product_passages(product) if p.field == "attribute"}
    assert "g1.a2" not in attributes and not any("^" in t for t in attributes.values())
    assert attributes["g1.a1"].endswith("US only") and "g1.a3" in attributes
