"""Dialogue-state tracking: what a message adds to or changes in the shopper's
constraints (budget, category, brands, attributes, use, recipient, the words
to search for). Follow-ups refine the same kind of product until the shopper
names another kind, which drops the constraints about the old one.
"""

from __future__ import annotations

import re
from typing import Any

from agent.parse import Parsed, convert, named_kind
from agent.state import DialogueState, Slots
from agent.vocabulary import NAME, without_names
from catalog.brands import brand_pattern
from catalog.models import Product
from tools.text import COLOUR, stem

_HAN = re.compile(r"[\u4e00-\u9fff]")

MAX_QUERY_WORDS = 16


def update_slots(
    state: DialogueState,
    parsed: Parsed,
    text: str,
    vocabulary: Any,
    currency: str,
    shown: list[Product],
) -> None:
    """Fold one message into the state's slots (`shown`: the products of the last answer)."""
    s = state.slots
    if parsed.max_price is not None or parsed.min_price is not None:
        if parsed.currency_said:
            s.budget_currency = parsed.currency
        elif s.budget_currency:
            parsed.currency = s.budget_currency  # "预算改成100" after "50美元左右": dollars
        cur = parsed.currency or currency
        around = parsed.bare_budget and s.min_price is not None and s.max_price is not None
        s.max_price = None if parsed.max_price is None else convert(parsed.max_price, cur, currency)
        s.min_price = None if parsed.min_price is None else convert(parsed.min_price, cur, currency)
        s.price_from_shown = False
        s.price_around = None if parsed.around is None else convert(parsed.around, cur, currency)
        if around and s.max_price is not None:
            # "around 25 dollars", then "make it 50": around 50, as the budget was said
            s.price_around = s.max_price
            s.min_price, s.max_price = round(s.max_price * 0.8, 2), round(s.max_price * 1.2, 2)
    if parsed.cheaper and shown and parsed.max_price is None:  # "再便宜点的，1000元以下": 1000
        # cheaper than the ones named ("the first one is too expensive"), else than all
        named = set(state.resolve(parsed.ordinals)) if parsed.ordinals else set()
        prices = [p.price for p in shown if p.price is not None and (not named or p.id in named)]
        if prices:
            s.max_price = round(min(prices) - 0.01, 2)
            s.min_price, s.price_from_shown, s.price_around = None, True, None
        elif not any(p.price is not None for p in shown):
            # "cheaper ones?" of products that list no price: which are cheaper is not
            # known (agent.present says so), and those shown are not what is wanted
            state.passed = list(dict.fromkeys(state.passed + [p.id for p in shown]))
    if parsed.exclude_last_brand and shown:
        targets = state.resolve(parsed.ordinals) or [shown[0].id]
        for p in shown:
            if p.id in targets and p.brand and p.brand not in s.exclude_brands:
                s.exclude_brands.append(p.brand)
        s.brands = [b for b in s.brands if b not in s.exclude_brands]
    _brands(state, parsed, text, vocabulary)
    previous_category = s.category
    anew = parsed.another or _new_kind(
        parsed, s.query, vocabulary, s.recipient, text, _asked_uncarried(state, vocabulary)
    )
    # a new request's kind is read as if nothing had been chosen before it
    current = None if anew and parsed.content else s.category
    category, guessed = parsed.slots.get("category"), False
    if not category:
        category, guessed = vocabulary.category_in(text, parsed.content, current)
    if guessed and current and refines(state, parsed, text, vocabulary):
        category = None  # a brand or price change keeps the kind chosen before
    if guessed and not current and parsed.refine and shown and s.query:
        # "有没有带灯的" after magnifiers found by their words alone: more of what was
        # shown, not a kind guessed from "带灯" (lamp holders)
        category = None
    if guessed and current and not s.category_guessed and category != current:
        category = None  # a kind the shopper named is not replaced by one guessed from a need
    if anew and parsed.content and (s.query or s.category):
        # A second thing to buy, or a new request (another kind, someone else): nothing
        # said about the first holds for it (its kind from this message alone).
        s.category, s.category_guessed, s.query = None, False, ""
        s.request_turn, s.by_price = state.turns, False
        _forget_kind(state, vocabulary.brands_in(text), parsed)
    if category and s.category and category != s.category:
        # A new kind of product: constraints about the old one no longer apply.
        _forget_kind(state, vocabulary.brands_in(text), parsed)
        s.by_price = False
    s.by_price = s.by_price or parsed.by_price
    if category:
        if category != s.category or not guessed:
            s.category_guessed = guessed
        if category != s.category:
            s.category_turn = state.turns
            if s.category is not None:
                s.kind_turn = state.turns
        s.category = category
    s.attributes = list(dict.fromkeys(s.attributes + vocabulary.attributes_in(text)))
    _avoid(s, parsed)
    s.use = parsed.use or s.use
    s.recipient = parsed.recipient or s.recipient
    if parsed.others:
        # "None of these": the shopper has seen every product listed for this request
        # and chosen none (a list shown before a changed budget too: agent.present shows
        # new ones first, so the older ones may not be on screen now)
        state.passed = list(dict.fromkeys(state.passed + state.listed + state.shown))
    if parsed.content:
        # What the shopper adds about the same kind of product narrows the search:
        # the words accumulate (the newest last) until the kind changes (words said
        # before any kind was chosen hold for the kind chosen next).
        changed = anew or bool(category and previous_category and category != previous_category)
        words = [] if changed else s.query.split()
        if parsed.instead:
            words = _replaced(words, parsed.content, vocabulary, s.category)
            s.request_turn = state.turns  # what it replaces is no longer asked for
            s.attributes = [a for a in s.attributes if a.casefold() in " ".join([*words, text])]
        words = list(dict.fromkeys(words + parsed.content.split()))
        s.query = " ".join(words[-MAX_QUERY_WORDS:])
    _drop_excluded(s, vocabulary)


def _drop_excluded(s: Slots, vocabulary: Any) -> None:
    """An excluded brand's name is no word to search for ("Starbucks card", then "any
    other coffee shop cards?"; "星巴克的卡", then "还有别的咖啡店的卡吗"; "最好是亚马逊的",
    then "不要亚马逊的"), nor a word that says it is not wanted ("不要亚马逊")."""
    if not s.exclude_brands or not s.query:
        return
    named = getattr(vocabulary, "chinese_brands", lambda _: {})(s.query)
    for brand in s.exclude_brands:
        if (pattern := brand_pattern(brand)) is not None:
            s.query = " ".join(pattern.sub(" ", s.query).split())
        if brand in named:
            s.query = " ".join(w for w in s.query.split() if named[brand] not in w)


def _avoid(s: Slots, parsed: Parsed) -> None:
    """What the shopper does not want: added as said ("not black"), and let go when a
    later message asks for it ("actually black is fine", "白色的也行"). A brand left out
    ("不要Sonora的") is the brand filter's, not a word to avoid."""
    asked = parsed.content.casefold()
    words = set(asked.split())
    kept = [
        w for w in s.avoid if w in parsed.avoid or not (w in words if w.isascii() else w in asked)
    ]
    brands = {w for b in s.exclude_brands for w in [b.casefold(), *b.casefold().split()]}
    s.avoid = [w for w in dict.fromkeys(kept + parsed.avoid) if w.casefold() not in brands]


def _replaced(words: list[str], content: str, vocabulary: Any, category: str | None) -> list[str]:
    """The words searched for so far that still hold after "<content> instead": a value
    replaces the values of its attribute ("one for hiking instead" of "for school": both
    `best_for`), anything else replaces what was asked beyond the kind of product and
    the attribute values ("something for coffee instead" of "loves pizza"). The kind of
    product, the budget and who it is for stay."""
    keys: dict[str, frozenset[str]] = getattr(vocabulary, "value_keys", {})
    new = [w for w in content.split() if not _names_kind(w, vocabulary, category)]
    replaced = {k for w in new for k in keys.get(w.casefold(), ())}
    other = any(w.casefold() not in keys for w in new)
    kept = []
    for word in words:
        own = keys.get(word.casefold())
        if _names_kind(word, vocabulary, category) or (own and not own & replaced):
            kept.append(word)
        elif not own and not other:
            kept.append(word)  # "black instead": only the colour changes
    return kept


def _names_kind(word: str, vocabulary: Any, category: str | None) -> bool:
    """A word of the chosen category's name ("cards" of Gift Cards), or, where none is
    chosen, one of the catalog's kinds of product (`Vocabulary.kinds_in`)."""
    if category:
        return stem(word.casefold()) in {stem(w) for w in category.casefold().split()}
    return bool(vocabulary.kinds_in(word))


def _asked_uncarried(state: DialogueState, vocabulary: Any) -> bool:
    """Whether the request so far named a thing the shop carries nothing called ("do you
    have soldering flux?", "有卖焊锡丝的吗"): its words name no kind to keep."""
    if not hasattr(vocabulary, "missing_kind"):
        return False
    return any(
        (named := named_kind(message)) and vocabulary.missing_kind(named, by_senses=True)
        for message in state.request()
    )


def _new_kind(
    parsed: Parsed,
    query: str,
    vocabulary: Any,
    state_recipient: str | None,
    text: str = "",
    uncarried: bool = False,
) -> bool:
    """A request said in full for someone else than the one before, or that names a kind
    of product (a catalog's title word for what a product is, or a Chinese word's sense
    of one) and none of the kinds the words searched for so far name: "我想买一个数字万用表"
    after safety glasses; a kind offered as another to look at is one too ("what about a
    thriller?", "something darker, a thriller maybe" after historical romances). (Words
    said before any kind was named, "waterproof" then "I'm looking for hiking boots",
    hold; not after a thing the shop does not carry, `uncarried`.)"""
    if not query or not hasattr(vocabulary, "kinds_in"):
        return False
    if parsed.recipient and state_recipient and parsed.recipient != state_recipient:
        # "我想给我女儿买一张看电影的礼品卡" after a coffee card for a coworker; "给我妈妈，她
        # 喜欢做饭" after one for a nephew who loves video games (the words are hers)
        return any(w not in _PARTICLES for w in parsed.content.split())
    offered = not parsed.request and bool(_OFFERED.search(text))
    if not (parsed.request or offered) or parsed.refine:
        return False  # "do you have any in blue?": the same kind
    if offered and (COLOUR.search(parsed.content) or vocabulary.attributes_in(text)):
        return False  # "how about black?", "what about leather?": a value of the same kind
    rest = without_names(vocabulary.brands_in(parsed.content), parsed.content).split()
    new, old = vocabulary.kinds_in(" ".join(rest)), vocabulary.kinds_in(query)
    said = {stem(w.casefold()) for pair in _A_THING.findall(text) for w in pair if w}
    if offered and (not said & new or _A_KIND_OF_ONE.search(text)):
        # "maybe something with more cushioning", "maybe a stainless one": more of the
        # same kind
        return False
    if parsed.asks_catalog:
        # "do you have water bottles?" after yoga mats: another thing, though the shop may
        # not carry it (no kind of its own); not "do you have Asana ones?" (a brand), nor a
        # kind asked for already, nor a Chinese word ending on the head of one asked for
        # ("有没有电子卡？" after 礼品卡: a Chinese compound ends on what it names)
        return bool(rest) and new.isdisjoint(old) and not _same_head(rest, query)
    # a kind named after a thing the shop does not carry ("I need safety glasses" after
    # "do you have soldering flux?") is a new request, though "flux" names no kind
    return bool(new and ((old and new.isdisjoint(old)) or (not old and uncarried)))


# Words that offer another thing to look at ("what about a thriller?", "a thriller
# maybe"), and the thing offered, said with an article ("a thriller", "some candles")
_OFFERED = re.compile(
    r"^\s*(?:and\s+|so\s+|ok(?:ay)?,?\s+)?(?:what|how)\s+about\b|\b(?:maybe|perhaps)\b",
    re.I,
)
_A_THING = re.compile(r"\b(?:an?|some)\s+([a-z'-]+)(?:\s+([a-z'-]+))?", re.I)
_A_KIND_OF_ONE = re.compile(r"\b(?:an?|some)\s+(?:[a-z'-]+\s+){1,2}ones?\b", re.I)


def _same_head(words: list[str], query: str) -> bool:
    """Every Chinese word of the message ends on the last character of a Chinese word of
    two or more searched for so far (电子卡 and 礼品卡: a card)."""
    han = [w for w in words if _HAN.match(w)]
    heads = {w[-1] for w in query.split() if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)}
    return bool(han) and all(len(w) > 1 and w[-1] in heads for w in han)


def _forget_kind(state: DialogueState, mentioned: list[str], parsed: Parsed) -> None:
    """Drop what was said about the product chosen before (brands not named again, its
    attributes, use, a budget this message does not give, and the lists shown for it)."""
    s = state.slots
    state.listed = []
    s.brands = [b for b in s.brands if b in mentioned]
    s.exclude_brands = [b for b in s.exclude_brands if b in mentioned]
    s.attributes, s.use, s.avoid = [], None, []
    if parsed.max_price is None and parsed.min_price is None:
        s.min_price = s.max_price = s.price_around = None


def refines(state: DialogueState, parsed: Parsed, text: str, vocabulary: Any) -> bool:
    """The message changes only the brand or the price of a kind of product chosen on an
    earlier turn ("not that brand, from X", "under $15"): what else was said still holds."""
    s = state.slots
    earlier = bool(s.category) and s.category_turn < state.turns
    changes = (
        parsed.exclude_last_brand
        or parsed.cheaper
        or parsed.max_price is not None
        or parsed.min_price is not None
        or bool(vocabulary is not None and vocabulary.brands_in(text))
    )
    return earlier and bool(changes)


# left of "那给我老公呢？" ("what about for my husband?"): no words of the new person's own
_PARTICLES = frozenset({"那", "呢", "吧", "啊", "呀", "那么", "那个"})
_ADDS = re.compile(r"\b(?:or|also|too|as well|and|either)\b|或|也|还有|和|以及", re.I)


def _brands(state: DialogueState, parsed: Parsed, text: str, vocabulary: Any) -> None:
    s = state.slots
    if "brands" in parsed.slots:
        wanted, unwanted = parsed.slots["brands"], parsed.slots["exclude_brands"]
        s.brands = [b for b in dict.fromkeys(s.brands + wanted) if b not in unwanted]
        excluded = dict.fromkeys(s.exclude_brands + unwanted)
        s.exclude_brands = [b for b in excluded if b not in wanted]
    wanted_now = []
    chinese = {}
    if _HAN.search(text) and hasattr(vocabulary, "chinese_brands"):
        chinese = vocabulary.chinese_brands(text)
    for brand in vocabulary.brands_in(text):
        named = brand_pattern(brand)
        spelled = named.pattern if named else re.escape(brand)
        if brand in chinese:  # "不要星巴克的": the brand by its Chinese name
            spelled = f"{spelled}|{re.escape(chinese[brand])}"
        negated = re.search(
            rf"(?:not|no|without|except|skip|avoid|exclude|nothing from|don'?t like|dislikes?"
            rf"|hates?|不喜欢|讨厌"
            rf"|(?:anything|any brand|everything|whatever) but"
            rf"|不要|别要|不想要|除了|别给我[整推来拿弄上选]?|别推荐?|别[整来拿弄上选买]|排除|不考虑)\s*"
            rf"(?:anything\s+from\s+|any\s+|the\s+)?(?:{spelled})",
            text,
            re.I,
        )
        said = named.search(text) if named else None
        if not negated and (
            said is None or not said.group(0)[:1].islower() or brand[:1].islower()
        ):  # "from Bertech", "iTunes"; not "the workshop" (a word, of the brand WORKSHOP)
            wanted_now.append(brand)
        target, other = (s.exclude_brands, s.brands) if negated else (s.brands, s.exclude_brands)
        if brand not in target:
            target.append(brand)
        if brand in other:  # the newest word about a brand wins ("not that brand", then "from X")
            other.remove(brand)
    if wanted_now and not _ADDS.search(without_names(wanted_now, text)):
        # "有星巴克的吗？" after Amazon cards: the brand asked for now, not both ("or
        # Starbucks", "也看看星巴克" add one); the names of those let go are no words to
        # search for
        for brand in s.brands:
            if brand not in wanted_now and (named := brand_pattern(brand)) is not None:
                s.query = " ".join(named.sub(" ", s.query).split())
        s.brands = wanted_now
    elif not wanted_now and parsed.request and NAME.search(parsed.content):
        # "do you have PlayStation cards?" after iTunes ones: a name the catalog knows as
        # no brand is asked for, so the brand and the names asked for before no longer
        # hold (as brand filters or words to search for)
        said = set(parsed.content.split())
        query = without_names(s.brands, s.query) if s.brands else s.query
        s.query = " ".join(w for w in query.split() if w in said or not NAME.fullmatch(w))
        s.brands = []
