"""A swapped pair of letters put right before a message is read (agent.spelling),
and the other small readings that the simulated shoppers' needs exposed: a Chinese
kind of product named by its dictionary sense, "that brand" pointing at a brand."""

from __future__ import annotations

import pytest

from agent.agent import Agent, new_state
from agent.references import resolve
from agent.spelling import corrected
from tools import dictionary

needs_dictionary = pytest.mark.skipif(
    not dictionary.available(), reason="the dictionary package is not installed"
)


@pytest.fixture(scope="module")
def agent(demo_store):
    return Agent(demo_store, "demo")  # templates, no router: the rules alone


@needs_dictionary
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Not that brnad.", "Not that brand."),
        ("Not that barnd.", "Not that brand."),  # no form of "barn": a "-d" follows an "e"
        ("None of tehse is what I want.", "None of these is what I want."),
        ("Something cheaper, plesae.", "Something cheaper, please."),
        ("I'm looknig for desk lmaps", "I'm looking for desk lamps"),
    ],
)
def test_two_swapped_letters_are_put_back(written, meant):
    assert corrected(written, frozenset({"desk", "lamps"})) == meant


@needs_dictionary
def test_words_no_list_has_and_catalog_words_are_left_as_written():
    text = "Brewmaster niacinamide Fandango waterproof hiking boots under 150 dollars"
    assert corrected(text) == text
    # a catalog's own word is never "corrected"; one of its words is what a slip meant
    assert corrected("Pluse 300", frozenset({"pluse"})) == "Pluse 300"
    assert corrected("Pluse 300", frozenset({"pulse"})) == "Pulse 300"
    # only into a word the rules or the catalog use: real words of a description stay
    assert corrected("electro magnets, filed edges, theyre testers") == (
        "electro magnets, filed edges, theyre testers"
    )
    assert corrected("brihgter") == "brihgter"


@needs_dictionary
def test_a_letter_typed_twice_is_put_back_but_not_a_doubled_inflection_or_a_name():
    words = frozenset({"hiking", "boots", "panel", "transfer", "robin"})
    assert corrected("i want hikking botos", words) == "i want hiking boots"
    assert corrected("a solar pannel", words) == "a solar panel"
    # "transferring", "capped" double their last letter as English does; "Robbin" is a name
    assert corrected("transferring capped tips", words) == "transferring capped tips"
    assert corrected("Robbin loved it", words) == "Robbin loved it"


@needs_dictionary
def test_a_misspelt_not_that_brand_rules_the_brand_out(agent):
    state = new_state()
    first = agent.turn(state, "hiking boots", "u0001")
    brand = agent.store.product("demo", first.products[0].product_id).brand
    reply = agent.turn(state, "Not that brnad.", "u0001")
    assert reply.intent == "recommend" and reply.products
    assert brand in state.slots.exclude_brands
    assert all(agent.store.product("demo", p.product_id).brand != brand for p in reply.products)


@needs_dictionary
def test_a_chinese_kind_of_product_is_named_by_its_dictionary_sense(agent):
    vocabulary = agent.vocabulary
    assert vocabulary.named_category("我想找跑鞋。") == "Running Shoes"
    assert vocabulary.named_category("我想找蓝牙音箱。") == "Speakers"
    assert vocabulary.named_category("健身房里原地跑") is None  # 健身房, a gym: no Fitness
    # a compound split before its one-character head: 瑜伽|垫, "yoga" + "mat"
    assert vocabulary.named_category("我想找瑜伽垫") == "Yoga Mats"
    state = new_state("zh")
    agent.turn(state, "我想找台灯。", "u0001")
    assert state.slots.category == "Desk Lamps" and not state.slots.category_guessed


@needs_dictionary
def test_a_chinese_compound_names_the_kind_its_head_is(agent):
    """ "我妈妈膝盖不好，想给她买双徒步鞋，要防滑的" showed yoga mats: 徒步鞋 (walking shoes)
    has no dictionary entry, so the words named no kind but "non-slip", and the kind
    guessed from them (shoes) was dropped for the mats "non-slip" finds. The head of the
    compound (鞋, a shoe) names the kind (the turn: tests/test_plans.py)."""
    assert "shoe" in agent.vocabulary.kinds_in("想给她买双徒步鞋")
    assert not agent.vocabulary.kinds_in("礼品卡") & {"stop", "block"}  # 卡: "to stop"...


def test_that_brand_points_at_a_brand_not_at_a_product(agent):
    state = new_state()
    state.shown = ["1001"]
    assert not resolve("Not that brand.", state, []).pronoun
    assert not resolve("不要这个牌子。", state, []).pronoun
    assert resolve("Is that one waterproof?", state, []).pronoun
    assert resolve("这个防水吗？", state, []).pronoun


def test_not_much_is_no_question():
    from agent.planner import _QUESTION

    assert not _QUESTION.search("不要这个牌子。台面没多少地方。")  # "little room on the counter"
    assert _QUESTION.search("这个多少钱")
    # "how long / how heavy" asked without a question mark
    assert _QUESTION.search("第一个有多长") and _QUESTION.search("这个多重")
    assert not _QUESTION.search("差不多大的") and not _QUESTION.search("要大一点的")


def test_how_long_is_the_first_one_is_a_question_not_its_page(agent):
    """ "第一个有多长" (how long is the first one?) showed the product's page: no word but
    the ordinal, yet what answers it is asked (a size)."""
    state = new_state("zh")
    agent.turn(state, "我需要一些不锈钢螺丝", "u0001")
    reply = agent.turn(state, "第一个有多长", "u0001")
    assert reply.trace[0].tool == "answer_question", reply.trace
    assert agent.turn(state, "第一个", "u0001").trace[0].tool == "product_details"


@needs_dictionary
def test_a_gift_card_said_in_chinese_names_gift_cards_not_card_holders():
    """ "想买一张礼品卡送朋友，牛排餐厅的，50美元以内" showed gift card holders: 礼品卡 is
    segmented 礼品|卡 (or 礼品|卡送), no word of it named Gift Cards, and the embedding put
    the request nearer Gift Card Accessories."""
    from agent.vocabulary import Vocabulary
    from catalog.models import Product

    products = [
        Product(id=str(i), title=f"Steakhouse {i} Gift Card", categories=["Gift Cards"])
        for i in range(3)
    ]
    holder = Product(
        id="9", title="Gift Card Holder", categories=["Gift Cards", "Gift Card Accessories"]
    )
    vocabulary = Vocabulary.from_products([*products, holder])
    assert vocabulary.named_category("想买一张礼品卡送朋友，牛排餐厅的") == "Gift Cards"
    assert vocabulary.named_category("礼品卡") == "Gift Cards"
    assert vocabulary.named_category("卡送朋友") is None  # 卡 alone names nothing
