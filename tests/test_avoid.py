"""What the shopper does not want ("please not black", "aren't leather or suede",
"不要塑料的") is read, kept across turns until asked for again, and never shown."""

from __future__ import annotations

import pytest

from agent.agent import new_state
from agent.parse import avoided
from catalog.filters import ProductFilter, ProductTable
from catalog.models import Product
from catalog.store import Store


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("need a backpack for school, has to fit his laptop and please not black", ["black"]),
        ("hiking boots that aren't leather or suede, they're for my vegan daughter",
         ["leather", "suede"]),
        ("a yoga mat, no PVC", ["pvc"]),
        ("gift card my 16 year old can spend on games, NOT amazon", ["amazon"]),
        ("a gift card with a baby design, not a restaurant one", ["restaurant"]),
        ("a jacket, not black/navy", ["black", "navy"]),
        ("要玻璃的不要塑料的，棕色避光", ["塑料"]),
        ("不要圣诞或者生日图案的", ["圣诞", "生日"]),
        ("想要张厚点的垫子，不要PVC的", ["pvc"]),
        # what is not wanted before 那种/那款 ("that kind"), and 那种 before it
        ("办公室想放一台咖啡机，不要手冲那种太麻烦了", ["手冲"]),
        ("不要粉色那款", ["粉色"]),
        # 别是 ("let it not be"), 除了 ("anything but"), 不带 ("without")
        ("周末短途旅行背的双肩包，30升左右，要防水，别是黑色的", ["黑色"]),
        ("双肩包除了黑色都行", ["黑色"]),
        ("不带香味的面霜", ["香味"]),
        ("除了防水还要轻一点的背包", []),  # besides waterproof: nothing ruled out
        ("不要那种塑料的", ["塑料"]),
        # amounts and degrees are no words of a thing not wanted
        ("a coffee machine that grinds beans, no more than $200", []),
        ("a fleece, navy or grey, nothing over $100", []),
        ("not too heavy please", []),
        ("不要太贵", []),
        ("这些都不是我想要的", []),  # none of these: no word to avoid
        ("都不是我要的，要防水的", []),
        ("我不要那种太贵的", []),
        ("颜色别太暗", []),
        ("a cheap oscilloscope, doesn't need to be fancy", []),
    ],
)  # fmt: skip
def test_what_is_not_wanted_is_read(message, words):
    assert avoided(message) == words


def test_the_filter_drops_what_a_page_says_not_its_absence():
    """A product whose title, Chinese title or attributes say the word is left out;
    one that says its absence ("fragrance-free", "no PVC", "non-slip") stays."""
    products = [
        Product(id="1", title="Face cream, fragrance-free"),
        Product(id="2", title="Rose fragrance cream"),
        Product(id="3", title="Backpack, Black"),
        Product(id="4", title="Yoga mat", attributes={"material": "PVC"}),
        Product(id="5", title="Yoga mat", attributes={"material": "TPE"},
                title_i18n={"zh": "瑜伽垫 黑色"}),
        Product(id="6", title="Yoga mat, no PVC, non-slip"),
    ]  # fmt: skip
    table = ProductTable(products)

    def kept(*words: str) -> list[str]:
        return table.allowed_ids(ProductFilter(avoid_words=list(words)))

    assert kept("fragrance") == ["1", "3", "4", "5", "6"]
    assert kept("black") == ["1", "2", "4", "5", "6"]
    assert kept("pvc") == ["1", "2", "3", "5", "6"]  # "no PVC" says its absence
    assert kept("slip") == ["1", "2", "3", "4", "5", "6"]  # "non-slip" too
    assert kept("黑色") == ["1", "2", "3", "4", "6"]


@pytest.fixture(scope="module")
def agent(demo_home):
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        yield build_assistant(settings, store, "demo", "none").agent


def _shown(agent, reply) -> list[Product]:
    assert reply.products, reply.text
    return [agent.by_id[p.product_id] for p in reply.products]


def _says(product: Product, word: str) -> bool:
    text = " ".join([product.title, *product.title_i18n.values(), *product.attributes.values()])
    return word in text.casefold()


def test_a_colour_not_wanted_is_never_shown_until_asked_for_again(agent):
    """ "a backpack for my laptop, please not black": no black one, in this turn or the
    next ("cheaper"); "actually black is fine" lets black ones back."""
    state = new_state()
    first = _shown(agent, agent.turn(state, "a backpack for my laptop, please not black", None))
    assert not any(_says(p, "black") for p in first)
    assert state.slots.avoid == ["black"]
    cheaper = _shown(agent, agent.turn(state, "something cheaper", None))
    assert not any(_says(p, "black") for p in cheaper)
    agent.turn(state, "actually black is fine too", None)
    assert state.slots.avoid == []


def test_a_material_not_wanted_in_chinese_is_never_shown(agent):
    """ "不要PVC的瑜伽垫": no PVC mat; the words of a new kind of product forget it."""
    state = new_state("zh")
    mats = _shown(agent, agent.turn(state, "想要一张厚点的瑜伽垫，不要PVC的", None))
    assert not any(_says(p, "pvc") for p in mats)
    agent.turn(state, "再看看头戴式耳机", None)
    assert state.slots.avoid == []


def test_without_a_word_keeps_what_says_it_is_free_of_it(agent):
    """ "face cream without fragrance": fragrance-free creams, none that says fragrance."""
    state = new_state()
    creams = _shown(agent, agent.turn(state, "a face cream without fragrance", None))
    assert all("fragrance-free" in p.title.casefold() or not _says(p, "fragrance") for p in creams)
    assert any("fragrance-free" in p.title.casefold() for p in creams)


def test_the_reply_says_what_it_left_out_and_no_product_is_faulted_for_it(agent):
    """The reply says what was left out, in the shopper's language; no product's
    explanation says its page does not mention "not black" (what is not wanted is
    left out by the search, so a page silent on it is no shortfall); a need said in the
    negative that is no exclusion ("doesn't slip") is still a need."""
    from agent.needs import needs_of

    reply = agent.turn(new_state(), "a backpack for my laptop, please not black", None)
    assert reply.text.startswith("Leaving out anything black")
    sentences = [s.text for p in reply.products for s in p.sentences]
    assert sentences and not [s for s in sentences if "not black" in s]
    zh = agent.turn(new_state("zh"), "不要黑色的双肩包", None)
    assert zh.text.startswith("已排除黑色的商品")
    assert [n.avoided for n in needs_of(["a yoga mat that doesn't slip"]) if n.negated] == [False]
    assert [n.avoided for n in needs_of(["a backpack, not black"]) if n.negated] == [True]


@pytest.mark.parametrize(
    ("message", "intro"),
    [("不要Sonora的", "已排除Sonora的商品"), ("no sonora please", "Leaving out anything Sonora")],
)
def test_a_brand_left_out_is_the_brand_filter_and_said_as_the_catalog_spells_it(
    agent, message, intro
):
    """ "不要Sonora的" was said back as "已排除sonora的商品": the brand was also kept as a
    word to avoid, lower-cased."""
    state = new_state("zh" if "不要" in message else "en")
    agent.turn(state, "bluetooth speaker for camping", None)
    reply = agent.turn(state, message, None)
    assert state.slots.exclude_brands == ["Sonora"] and state.slots.avoid == []
    assert reply.text.startswith(intro)
    assert reply.products and all(
        agent.store.product("demo", p.product_id).brand != "Sonora" for p in reply.products
    )


def test_anything_that_is_not_of_a_kind_is_a_new_search_not_a_question(agent):
    """ "anything that isn't over-ear?" after a list: "that" is relative, no product in
    view, so the message asks for other products (none over-ear), not whether the
    first one's page mentions over-ear."""
    from agent.references import resolve

    state = new_state()
    agent.turn(state, "noise cancelling headphones", None)
    reply = agent.turn(state, "anything that isn't over-ear?", None)
    assert reply.intent != "answer" and reply.products, reply.text
    assert not any(_says(p, "over-ear") for p in _shown(agent, reply))
    assert state.slots.avoid == ["over-ear"]
    # "is that one over-ear?" still asks about a product in view
    assert resolve("is that one over-ear?", state, []).pronoun
