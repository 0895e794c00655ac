"""The needs-mode simulated shopper (benchmarks/simulator.py): needs said in the
shopper's own words and never as the catalog's token, a lexicon the assistant never
reads, seeded determinism, budget corrections the assistant must follow, and the
check of an answer against the record."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.bench_shoppers import answered, respected
from benchmarks.simulator import (
    LEXICON,
    CatalogWords,
    NeedLexicon,
    NeedSource,
    Question,
    SimulatedShopper,
    TokenSource,
    mine_review_phrases,
)
from tools.results import EvidenceLedger

REPO = Path(__file__).resolve().parents[1]


def _token_words(fact: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fact.casefold()) if len(w) >= 4}


def test_the_lexicon_is_large_bilingual_and_never_says_the_token():
    import yaml

    rows = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    assert len(rows) >= 150
    for row in rows:
        fact = str(row["fact"]).casefold()
        assert row["en"] and row["zh"], fact
        for phrase in row["en"]:
            said = phrase.casefold()
            assert fact not in said, (fact, phrase)
            assert not any(w in said for w in _token_words(fact)), (fact, phrase)
        for phrase in row["zh"]:
            assert fact not in phrase.casefold(), (fact, phrase)


def test_nothing_the_assistant_runs_reads_the_lexicon():
    """agent/, tools/, vectorstore/ and prompts/ import nothing from the benchmarks,
    name no lexicon file, and hold no copy of its phrasings."""
    lexicon = NeedLexicon.load()
    phrasings = [
        p.casefold() for e in lexicon.entries.values() for p in e["en"] if len(p.split()) >= 4
    ]
    assert len(phrasings) > 100
    for folder in ("agent", "tools", "vectorstore", "prompts"):
        for path in (REPO / folder).rglob("*"):
            if not path.is_file() or path.suffix not in (".py", ".yaml", ".json", ".txt"):
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert "need_lexicon" not in text, path
            if path.suffix == ".py":
                for node in ast.walk(ast.parse(text)):
                    if isinstance(node, ast.ImportFrom | ast.Import):
                        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                        names += [a.name for a in node.names]
                        assert not any(n.startswith("benchmarks") for n in names), path
            lowered = text.casefold()
            copied = [p for p in phrasings if p in lowered]
            assert not copied, (path, copied[:3])


@pytest.fixture(scope="module")
def demo(demo_store):
    products = demo_store.products("demo")
    reviews: dict[str, list[str]] = {}
    for r in demo_store.reviews("demo", limit=1_000_000):
        reviews.setdefault(r.product_id, []).append(r.text)
    return SimpleNamespace(
        products=products,
        words=CatalogWords.of(products),
        needs=NeedSource(NeedLexicon.load(), mine_review_phrases(products, reviews)),
    )


def _shopper(demo, i: int, language: str = "en") -> SimulatedShopper:
    return SimulatedShopper.for_target(
        demo.products[i], demo.words, seed=1000 + i, language=language, mode="needs",
        needs=demo.needs,
    )  # fmt: skip


def test_needs_are_said_in_the_shoppers_words_one_a_turn(demo):
    said_needs = 0
    for i in range(0, 400, 7):
        shopper = _shopper(demo, i)
        target = shopper.target
        values = {str(v).casefold() for v in target.attributes.values() if isinstance(v, str)}
        shown = demo.products[1:4]
        for _ in range(5):
            turn = shopper.respond(shown)
            assert len([f for f in turn.revealed if f.kind != "price"]) <= 1
            for fact in turn.revealed:
                if fact.need:
                    said_needs += 1
                    assert str(fact.value).casefold() in values
                    for w in _token_words(str(fact.value)):
                        assert w not in fact.en.casefold(), (fact.value, fact.en)
    assert said_needs >= 100


def test_review_phrases_are_mined_where_reviews_follow_the_attribute():
    from catalog.models import Product

    products = [
        Product(str(i), f"Mug {i}", categories=["Mugs"],
                attributes={"material": "insulated" if i < 6 else "plain"})
        for i in range(14)
    ]  # fmt: skip
    reviews = {
        str(i): [
            f"Bought it for work, and my tea stays hot for hours. Nice mug number {i}."
            if i < 6
            else "Bought it for home, and it looks nice."
        ]
        for i in range(14)
    }
    mined = mine_review_phrases(products, reviews)
    assert mined == {("Mugs", "insulated"): ["my tea stays hot for hours"]}
    # a clause said of both kinds of product, or of too few, is not mined
    reviews["7"] = ["my tea stays hot for hours"]
    reviews["8"] = ["my tea stays hot for hours"]
    assert mine_review_phrases(products, reviews) == {}


def test_mined_phrases_never_name_the_token(demo):
    for (_category, value), phrases in demo.needs.mined.items():
        for phrase in phrases:
            assert not any(w in phrase for w in _token_words(value)), (value, phrase)


def test_episodes_are_deterministic(demo):
    def transcript(i: int) -> list[str]:
        shopper = _shopper(demo, i, "zh" if i % 3 == 0 else "en")
        out = [shopper.opening().message]
        for t in range(4):
            shown = demo.products[t * 3 : t * 3 + 3]
            q = shopper.question(shown)
            out += [q.message] if q else []
            out.append(shopper.respond(shown).message)
        return out

    for i in range(0, 300, 11):
        assert transcript(i) == transcript(i)
    assert transcript(5) != transcript(16)


def test_the_tokens_reference_says_the_same_facts_in_the_catalogs_words(demo):
    """agent_tokens's shoppers are the needs-mode shoppers but for the words of each
    need: the same facts in the same order, the need said as its catalog value."""
    tokens = TokenSource(demo.needs.lexicon, demo.needs.mined)
    needs_said = 0
    for i in range(0, 400, 13):
        language = "zh" if i % 3 == 0 else "en"
        plain = _shopper(demo, i, language)
        told = SimulatedShopper.for_target(
            demo.products[i], demo.words, seed=1000 + i, language=language, mode="needs",
            needs=tokens,
        )  # fmt: skip
        assert [(f.kind, f.value) for f in plain.facts] == [(f.kind, f.value) for f in told.facts]
        for a, b in zip(plain.facts, told.facts, strict=True):
            if a.need:
                needs_said += 1
                assert b.en == a.value and b.en != a.en
            else:
                assert (a.en, a.zh) == (b.en, b.zh)
    assert needs_said >= 30


def test_about_one_english_message_in_ten_carries_a_typo(demo):
    text = "I want something comfortable for walking"
    noisy = 0
    for i in range(2000):
        s = SimulatedShopper(demo.products[0], [], "en", seed=i, mode="needs")
        s.turns = 1
        said = s._noisy(text)
        if said != text:
            noisy += 1
            assert sorted(said) == sorted(text)  # two letters swapped, nothing else
    assert 0.07 < noisy / 2000 < 0.13
    chinese = SimulatedShopper(demo.products[0], [], "zh", seed=1, mode="needs")
    assert all(chinese._noisy("我想要舒服的") == "我想要舒服的" for _ in range(20))


def test_a_budget_said_too_low_is_corrected_once(demo):
    changed = [s for s in (_shopper(demo, i) for i in range(300)) if s.change is not None]
    assert 20 <= len(changed) <= 100  # about a fifth of the episodes with a price
    shopper = changed[0]
    told, true = shopper.change
    assert told < shopper.target.price <= true
    turns = [shopper.respond(demo.products[:3]) for _ in range(6)]
    corrections = [t for t in turns if t.reaction == "change"]
    assert len(corrections) == 1 and corrections[0].change == (told, true)
    assert f"{true:g}" in corrections[0].message


def test_the_assistant_lets_go_of_the_old_budget(demo_home):
    from agent.agent import new_state
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        agent = build_assistant(settings, store, "demo", "none").agent
        agent.k = 3
        state = new_state()
        first = agent.turn(state, "hiking boots. My budget is under $60.", None)
        assert first.products and state.slots.max_price == 60
        after = agent.turn(state, "Actually, my budget is under $200.", None)
        assert state.slots.max_price == 200
        shown = [agent.by_id[p.product_id] for p in after.products]
        assert respected(after, shown, (60, 200))  # found under 200, not under 60
        before = [agent.by_id[p.product_id] for p in first.products]
        assert not respected(first, before, (60, 200))  # found under the old budget


def _reply(ledger: EvidenceLedger, sentences: list[str]):
    answer = [SimpleNamespace(text=t, citations=re.findall(r"\[([^\]]+)\]", t)) for t in sentences]
    return SimpleNamespace(answer=answer, evidence=ledger.records)


def test_an_answer_is_checked_against_the_record():
    ledger = EvidenceLedger()
    right = ledger.add("product", "1071.a3", "grip: non-slip", "1071").id
    other = ledger.add("product", "1023.a3", "grip: non-slip", "1023").id
    question = Question("Is the first one non-slip?", "1071", "grip", "non-slip")
    assert answered(_reply(ledger, [f"Yes, its grip is non-slip. [{right}]"]), question)
    assert not answered(_reply(ledger, [f"Yes. [{other}]"]), question)  # another product
    silent = f"Its product page does not mention non-slip. [{right}]"
    assert not answered(_reply(ledger, [silent]), question)
    # the form with reviews, citing the count record whose text holds the title
    count = ledger.add("product", "1071.n", "Asana non-slip mat: the page and 9 reviews", "1071")
    silent = f"Neither its product page nor its 9 reviews mention “non-slip”. [{count.id}]"
    assert not answered(_reply(ledger, [silent]), question)
    assert not answered(
        _reply(ledger, ["它的商品页面和 9 条评价都没有提到“防滑”。 [" + count.id + "]"]), question
    )
    assert not answered(_reply(ledger, []), question)


def test_a_kind_of_product_misspelt_by_one_slip_is_still_the_kind(demo):
    """Simulated shoppers make typos ("spekaers"): a word of five letters or more one
    slip away from a category name names it, unless it is a word of the catalog."""
    from agent.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_products(demo.products)  # no embedder: names only
    assert vocabulary.named_category("I'm looking for spekaers.") == "Speakers"
    assert vocabulary.named_category("hiikng boots, please") == "Hiking Boots"
    assert vocabulary.named_category("a yoga mta") is None  # "mta": under five letters
    assert vocabulary.named_category("something for my desk") is None
    # a catalog word one slip from a category is that word, not a typo
    assert "speaker" in vocabulary.known_words
    # and so is an English word: "sneakers" are not "speakers" mistyped
    assert vocabulary.named_category("I want some sneakers") != "Speakers"


def test_a_kind_named_as_where_the_product_goes_keeps_the_kind_chosen(demo):
    """After "speakers", "Something I can throw in my bag." describes the speaker: a
    category named only after a preposition does not switch the kind chosen before."""
    from agent.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_products(demo.products)
    said = "Something I can throw in my bag."
    assert vocabulary.category_in(said, "throw bag", "Speakers") == (None, False)
    assert vocabulary.category_in(said, "throw bag", None) == ("Bags", False)  # first words
    switch = "Actually I want headphones for my runs"
    assert vocabulary.category_in(switch, "headphones runs", "Speakers")[0] == "Headphones"


def test_the_oracle_reads_every_fact_as_its_target_holds_it(demo):
    # the reference system's answer key: the target holds every fact said of it (a budget
    # said too low on purpose aside), and a look-alike without the value does not
    from benchmarks.bench_shoppers import holds

    checked = 0
    for i in range(0, 400, 9):
        shopper = _shopper(demo, i)
        for _ in range(5):
            shopper.respond(demo.products[1:4])
        told = shopper.change[0] if shopper.change else None
        for fact in shopper.revealed:
            if fact.kind == "price" and float(fact.value) == told:
                continue
            assert holds(shopper.target, fact), fact
            checked += 1
        use = next((f for f in shopper.revealed if f.kind == "use"), None)
        other = next(
            (
                p
                for p in demo.products
                if use and p.attributes.get("best_for") not in (None, use.value)
            ),
            None,
        )
        if other is not None:
            assert not holds(other, use)
    assert checked >= 100


def test_the_reader_shows_unseen_look_alikes_that_hold_every_fact_said(demo):
    # the reference of a perfect reader: each turn three products it has not shown,
    # each holding every fact said so far, in an order drawn from the episode's seed
    from benchmarks.bench_shoppers import holds, run_reader

    ctx = SimpleNamespace(products=demo.products, by_id={p.id: p for p in demo.products}, shown=3)
    found = turns = 0
    for i in range(0, 300, 11):
        episode = SimpleNamespace(seed=i, target=demo.products[i].id)
        outcome = run_reader(ctx, episode, _shopper(demo, i), 5)
        shown = [pid for turn in outcome.dialogue for pid in turn["shown"]]
        assert len(shown) == len(set(shown))  # never the same product twice
        for turn in outcome.dialogue:
            turns += 1
            facts = [f for f in _shopper(demo, i).facts if (f.kind, str(f.value)) in turn["facts"]]
            assert len(turn["shown"]) <= 3
            for pid in turn["shown"]:
                assert all(holds(ctx.by_id[pid], f) for f in facts), (pid, turn["facts"])
        found += outcome.first_hit_turn is not None
        again = run_reader(ctx, episode, _shopper(demo, i), 5)
        assert again.dialogue == outcome.dialogue  # seeded: the same episode, the same order
    assert turns > 40 and found > 10


def test_where_no_shown_product_has_attributes_the_question_asks_a_word_of_its_title():
    """Catalogs of text alone (Industrial & Scientific): the question asks about a
    distinctive word standing alone in a shown product's title, never its brand, a
    dull word or its plural, or letters glued to a model number; where attributes
    exist the question is of an attribute value, as before."""
    from catalog.models import Product

    shown = [
        Product(id="116", title="Rescue Tape RT1000201202USCO", brand="Rescue Tape"),
        Product(id="774", title="DuPont Teflon Non-Stick Types (item 774)", brand="DuPont"),
        Product(id="181", title="AcuRite Humidity Monitor with Digital Hygrometer",
                brand="AcuRite"),
    ]  # fmt: skip
    words = CatalogWords.of(shown)
    asked = []
    for seed in range(60):
        language = "zh" if seed % 3 == 0 else "en"
        shopper = SimulatedShopper(shown[2], [], language, seed, mode="needs", idf=words.idf)
        shopper.asks = True
        question = shopper.question(shown)
        assert question is not None and question.key == "title"
        assert shopper.question(shown) is None  # once per episode
        product = next(p for p in shown if p.id == question.product_id)
        assert re.search(rf"(?<![a-z0-9]){question.value}(?![a-z0-9])", product.title.lower())
        assert question.value in {"teflon", "stick", "humidity", "monitor", "digital",
                                  "hygrometer"}, question.value  # fmt: skip
        at = [p.id for p in shown].index(question.product_id)
        expected = (
            f"Does the {['first', 'second', 'third'][at]} one mention {question.value}?"
            if language == "en"
            else f"{['第一个', '第二个', '第三个'][at]}有提到{question.value}吗？"
        )
        assert question.message == expected
        asked.append(question.value)
    assert len(set(asked)) >= 4  # seeded draws, weighted by rarity, not one word always
    # attributes first: a shown product with a clean attribute value is asked about it
    boots = Product(id="9", title="Peak boots", brand="Ridgeway",
                    attributes={"waterproofing": "waterproof"})  # fmt: skip
    shopper = SimulatedShopper(boots, [], "en", 3, mode="needs", idf=words.idf)
    shopper.asks = True
    question = shopper.question([*shown[:2], boots])
    assert (question.key, question.value) == ("waterproofing", "waterproof")
    assert question.message == "Is the third one waterproof?"
