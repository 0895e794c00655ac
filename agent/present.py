"""From a plan's tool results to the reply: products shown with their cited
explanations, a comparison, a profile, reasons, an acknowledgement, or an
answer. Each intent of the built-in tools has its presenter; any other tool
(a plugin's, a LangChain tool) is answered from its own result: its summary,
recorded as a [T] record, with the records the tool cited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.answers import PER_PRODUCT, answer_claims, compare_claims, named_first, review_claims
from agent.composer import compose, detail_claims
from agent.explain import explain, rewrite_answer
from agent.needs import COLOUR, match_needs, needs_of
from agent.parse import named_kind
from agent.planner import search_text
from agent.replies import say
from agent.verifier import CheckedSentence
from catalog.cleaning import display_key
from catalog.models import Product
from tools.products import product_evidence
from tools.registry import ToolOutcome
from tools.text import sizes_asked, title_parts, title_sizes

if TYPE_CHECKING:
    from agent.agent import Reply, Turn

WHY_NOT = {
    "over_budget": (
        "It costs {price} {currency}, above your budget.",
        "售价 {price} {currency}，超出了您的预算。",
    ),
    "under_budget": (
        "It costs {price} {currency}, below the price range you asked for.",
        "售价 {price} {currency}，低于您要求的价格区间。",
    ),
    "no_price": (
        "Its price is unknown, so I cannot confirm it fits your budget.",
        "它没有标价，无法确认是否在预算内。",
    ),
    "brand_excluded": (
        "It is made by {brand}, a brand you asked me to leave out.",
        "它的品牌是 {brand}，您要求排除这个品牌。",
    ),
    "other_category": (
        "It is in {category}, not the category you are shopping for.",
        "它属于 {category}，不是您要找的品类。",
    ),
    "out_of_stock": ("It is out of stock.", "它目前缺货。"),
    "not_interested": ("You said you were not interested in it.", "您说过对它不感兴趣。"),
    "bought": ("You already bought it.", "您已经买过它了。"),
    "shown": (
        "It is in the list I showed you.",
        "它就在我给您的列表里。",
    ),
    "ranked_lower": (
        "It fits your request, but other products matched it more closely.",
        "它也符合您的需求，但其他商品更贴近。",
    ),
}


def present(turn: Turn) -> Reply:
    """The reply to a turn whose plan is known."""
    from agent.agent import Reply

    plan, lang = turn.plan, turn.state.language
    if plan.action == "greeting" and plan.intent in ("thanks", "later"):
        return Reply(say(plan.intent, lang), plan.intent)
    if plan.action == "greeting":
        return Reply(say("greeting", lang), "greeting", question=True)
    if plan.action == "reset":
        language = turn.state.language
        turn.state.__init__()
        turn.state.language = language
        return Reply(say("reset", language), "reset")
    if plan.action == "clarify":
        return _clarify(turn)
    if plan.action == "nothing_shown":
        return Reply(say("nothing_shown", lang), plan.intent)
    if plan.action == "refuse":
        return Reply(say("refused_unknown", lang, ids=plan.note), plan.intent)
    if plan.action == "abstain" and plan.intent == "not_carried":
        # no tool serves a request for a thing the shop does not carry: the overview of
        # that name says so, and what the shop does sell (agent.planner._not_carried)
        reply = PRESENTERS.get("shop_overview", _tool_answer)(turn, turn.run(plan.calls))
        reply.intent = "not_carried"
        return reply
    if plan.action == "abstain":
        key = plan.intent if plan.intent in _ABSTAIN_REPLIES else "abstain"
        return Reply(say(key, lang), key)
    outcomes = turn.run(plan.calls)
    handler = PRESENTERS.get(plan.intent, _tool_answer)
    return handler(turn, outcomes)


_ABSTAIN_REPLIES = ("shop_terms", "complaint", "privacy", "elsewhere", "capabilities")


def _clarify(turn: Turn) -> Reply:
    from agent.agent import Reply

    plan, lang = turn.plan, turn.state.language
    if not plan.missing:  # a vague request for products
        return Reply(say("clarify", lang), "clarify", question=True)
    tool = turn.agent.registry.get(plan.tool)
    what = "; ".join(
        tool.parameters["properties"][name].get("description") or name for name in plan.missing
    )
    filled = plan.calls[0].arguments if plan.calls else {}
    turn.state.pending = {"tool": plan.tool, "arguments": filled, "missing": plan.missing}
    key = "which_product" if set(plan.missing) & {"product_id", "product_ids"} else "missing"
    return Reply(say(key, lang, what=what.rstrip(".")), "clarify", question=True)


# -- products ------------------------------------------------------------------------


def _recommend(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """Products found by a search and ordered for the shopper, with fallbacks: a
    guessed category that finds nothing, or fewer than a turn shows, gives way (saying
    so when a brand was asked for and nothing was found); "none of these" after all of
    a brand shows other brands; nothing within the budget shows the closest over it."""
    from agent.agent import Reply

    state, lang, rules = turn.state, turn.state.language, turn.agent.rules
    products = _found(turn, outcomes)
    if not products and rules.other_gender(state):
        # nothing but the other gender's (a gift for a sister of a kind only made for
        # men): shown rather than nothing, their titles say whom they are for
        calls = rules.recommend_calls(state, turn.situation, gendered=False)
        products = _found(turn, turn.run(calls))
    s = state.slots
    intro = None
    # A kind guessed from a need ("corn-based material" -> Raw Materials) that holds too
    # few products to choose from is a weak guess: the search goes without it. Unless
    # the budget is what finds nothing: then the kind's closest over it.
    # After the turn it was guessed, a kind the shopper has seen a list of and narrows
    # ("有没有更便宜的" after hiking boots) holds while any of it is left.
    weak = (
        len(products) < turn.agent.k
        and s.category
        and s.category_guessed
        and (s.category_turn == state.turns or not products)
    )
    if not weak and (wider := _guess_missed(turn)) is not None:
        products = wider
    closest = _closest_over_budget(turn) if weak and not products else None
    if weak and closest is None:
        products, intro = _without_guessed_kind(turn, products)
    if intro is None and (unpriced := _better_unpriced(turn, products)) is not None:
        products = unpriced
    if not products and s.brands and turn.parsed.others and state.passed:
        # "None of these" after every product of the brand asked for: the others.
        brands, s.brands = s.brands, []
        products = _found(turn, turn.run(rules.recommend_calls(state, turn.situation)))
        intro = say("brand_done", lang, brand=", ".join(brands))
    budget_intro = False  # the intro says only what the budget could not hold
    if not products and s.max_price is not None:
        budget_intro = True
        products = closest if closest is not None else _closest_over_budget(turn, 0)
        # A catalog that lists no prices (many do not) cannot be held to a budget.
        unpriced = all(p.price is None for p in products[: turn.agent.k])
        # the budget as read, in the shop's currency ("预算150以内" on a shop in dollars
        # is 150 yuan, about 21 USD: said, so the shopper can put it right)
        budget = f"{s.max_price:.2f} {turn.agent.currency}"
        intro = say("no_prices" if unpriced else "over_budget", lang, budget=budget)
    if products and (intro is None or budget_intro) and (missing := _not_carried(turn, products)):
        # "do you have water bottles?" of a shop that sells none: said, not a list of other
        # things passed off as what was asked for; and rather than what the budget could
        # not hold back ("need a soldering iron ..., under 50 bucks" of a shop without any)
        intro = say("not_carried", lang, what=missing)
    if products and intro is None and s.max_price is not None and not rules.priced:
        # the budget could hold nothing back: said, so the shopper knows prices are unknown
        budget = f"{s.max_price:.2f} {turn.agent.currency}"
        intro = say("no_prices", lang, budget=budget)
    # "anything cheaper?" of a catalog, or a list, that lists no prices: said, not
    # silently ignored
    before = [turn.agent.by_id.get(i) for i in state.shown]
    unknown = not rules.priced or not any(p is not None and p.price is not None for p in before)
    cheaper_unpriced = bool(products) and intro is None and turn.parsed.cheaper and unknown
    products = _new_first(turn, products) if intro is None else products
    if cheaper_unpriced:
        intro = say("no_prices_cheaper", lang)
    products = _distinct_titles(products, [turn.agent.by_id.get(i) for i in state.passed])
    products = _size_fits_first(turn, outcomes, products)
    if intro is None and products:
        products, lacking, unmet = _colour_first(turn, outcomes, products)
        if lacking:  # "I prefer black" where nothing that fits the rest is black: said
            intro = say("no_colour", lang, colour=lacking)
        elif unmet:  # black ones, but none of them has what the earlier picks had: said
            intro = say("no_colour_need", lang, colour=unmet[0], needs=unmet[1:])
    if not products:
        return Reply(say("nothing_found", lang), "recommend")
    if intro is None and rules.priced and (converted := _converted_budget(turn)):
        # "50块钱左右" in a shop that prices in dollars: the budget as read, said
        said, budget = converted
        intro = say("intro_converted", lang, n=len(products), said=said, budget=budget)
    avoided = [w for w in turn.parsed.avoid if w in state.slots.avoid]
    # a brand this message leaves out ("不要Sonora的"), as the catalog spells it
    named = turn.agent.vocabulary.brands_in(turn.text)
    avoided += [b for b in state.slots.exclude_brands if b in named]
    if intro is None and avoided:
        # "a backpack, please not black": what is left out said, so the shopper knows
        intro = say("intro_avoid", lang, n=len(products), avoided=avoided)
    return show(turn, products, turn.plan.intent, intro)


def _size_fits_first(
    turn: Turn, outcomes: list[ToolOutcome], products: list[Product]
) -> list[Product]:
    """A size the request picks ("nitrile gloves, size large", "要大号的"; the latest one
    said): a pick whose title gives only other sizes ("..., Small, Box/100") goes after
    the search's candidates whose titles give the size asked for. The size is one soft
    word of the search, and a small glove of the right make outranks a large one."""
    asked: set[str] = set()
    for message in reversed(turn.state.request()):
        if asked := sizes_asked(message):
            break
    if not asked or not products:
        return products

    def other(product: Product) -> bool:
        sizes = title_sizes(product.title)
        return bool(sizes) and not sizes & asked

    if not any(other(p) for p in products):
        return products
    by_id, passed = turn.agent.by_id, set(turn.state.excluded)
    shown = {p.id for p in products}
    fitting = [
        by_id[i]
        for o in outcomes
        if o.ok and o.tool == "search_products"
        for i in o.result.products
        if i in by_id and i not in shown and i not in passed and title_sizes(by_id[i].title) & asked
    ]
    ordered = [p for p in products if not other(p)] + fitting + [p for p in products if other(p)]
    return list({p.id: p for p in ordered}.values())[: len(products)]


# A follow-up that refines the list by a colour is short ("black ones please", "还是要黑色的")
MAX_REFINE_WORDS = 8
MAX_REFINE_CHARS = 48


def _colour_first(
    turn: Turn, outcomes: list[ToolOutcome], products: list[Product]
) -> tuple[list[Product], str, list[str]]:
    """A colour this message asks for ("I prefer black", "in black", "要黑色的"): the
    search's candidates of that colour first, where the picks lack it (the colour is one
    soft part of the search, and a product meeting the others well outranks it), those
    that also meet what the earlier picks met of the request first of them. With no
    candidate of it, the picks as they were and the colour, to be said; with candidates
    none of which meets all that, the colour and what they miss ("noise cancelling"),
    to be said."""
    short = len(turn.text.split()) <= MAX_REFINE_WORDS and len(turn.text) <= MAX_REFINE_CHARS
    if turn.state.shown and short:
        said = [m.group(0) for m in COLOUR.finditer(turn.text)]
    else:
        # a colour said in a request is its words ("white noise machine", "a black
        # backpack": the search reads them), but one said on its own ("something pink and
        # cute") is a colour asked for, as a follow-up's is
        said = (
            [n.text for n in needs_of([turn.text]) if COLOUR.fullmatch(n.text)]
            if COLOUR.search(turn.text)
            else []
        )
    avoided = {w.casefold() for w in turn.parsed.avoid}
    said = [c for c in dict.fromkeys(said) if c.casefold() not in avoided]
    if not said:
        return products, "", []

    def coloured(product: Product) -> bool:
        texts = [product.title, product.title_i18n.get("zh") or ""]
        texts += [str(v) for v in product.attributes.values()]
        return any(c.casefold() in t.casefold() for c in said for t in texts)

    found = [o for o in outcomes if o.ok and o.tool == "search_products"]
    by_id = turn.agent.by_id
    candidates = [by_id[i] for o in found for i in o.result.products if i in by_id]
    passed = set(turn.state.passed)
    first = list(
        {p.id: p for p in [*products, *candidates] if coloured(p) and p.id not in passed}.values()
    )
    if not first:
        return products, " / ".join(said), []
    unmet: list[str] = []
    rest = _needs_met_before(turn)
    if rest:
        checked = first[:MAX_COLOUR_CHECKED]
        missing = {p.id: _unmet(turn, p, rest) for p in checked}
        fitting = [p for p in checked if not missing[p.id]]
        if fitting:
            fits = {p.id for p in fitting}
            first = [*fitting, *(p for p in first if p.id not in fits)]
        else:
            unmet = [" / ".join(said), *dict.fromkeys(missing[checked[0].id])]
    ordered = list({p.id: p for p in [*first, *products]}.values())
    return ordered[: len(products)], "", unmet


MAX_COLOUR_CHECKED = 12  # coloured candidates read for the rest of the request


def _needs_met_before(turn: Turn) -> list:
    """The needs of the request (agent.needs.needs_of), those naming a colour aside, that
    a product of the list shown before this message meets by its records."""
    said = turn.state.request()
    needs = [n for n in needs_of(said) if not COLOUR.search(n.text)]
    if not needs:
        return []
    shown = [turn.agent.by_id[i] for i in turn.state.shown if i in turn.agent.by_id]
    met = {
        m.need.text for p in shown for m in match_needs(turn.ctx, p, needs, messages=said).matches
    }
    return [n for n in needs if n.text in met]


def _unmet(turn: Turn, product: Product, needs: list) -> list[str]:
    """Of the needs, those the product's records say nothing of, as the shopper said them."""
    said = turn.state.request()
    return [n.text for n in match_needs(turn.ctx, product, needs, messages=said).unstated]


def _not_carried(turn: Turn, products: list[Product]) -> str:
    """What the message asked for by name, as said, when the shop carries nothing called
    that (agent.vocabulary.Vocabulary.missing_kind); else ""."""
    asked = named_kind(turn.text)
    vocabulary = turn.agent.vocabulary
    p = turn.parsed
    if not asked or not hasattr(vocabulary, "missing_kind") or p.cheaper or p.refine:
        return ""  # "有便宜一点的吗": more of the kind in view, cheaper, no other thing
    shown = products[: turn.agent.k]
    return asked if vocabulary.missing_kind(asked, shown, by_senses=True) else ""


def _converted_budget(turn: Turn) -> tuple[str, str] | None:
    """(the budget as the shopper said it, as the shop's currency reads it) when this
    message gave one in another currency than the shop's, else None."""
    p, shop, zh = turn.parsed, turn.agent.currency, turn.state.language == "zh"
    if not p.currency or p.currency == shop or (p.max_price is None and p.min_price is None):
        return None

    def span(low: float | None, high: float | None, currency: str) -> str:
        def amount(x: float) -> str:
            return f"{x:.0f}" if x == int(x) else f"{x:.2f}"

        if low is not None and high is not None:
            return f"{amount(low)}-{amount(high)} {currency}"
        if high is not None:
            return f"{amount(high)} {currency}以内" if zh else f"up to {amount(high)} {currency}"
        return f"{amount(low)} {currency}以上" if zh else f"at least {amount(low)} {currency}"

    s = turn.state.slots
    return span(p.min_price, p.max_price, p.currency), span(s.min_price, s.max_price, shop)


def _new_first(turn: Turn, products: list[Product]) -> list[Product]:
    """A message that only changes the budget ("Actually, my budget is under $45", "any
    cheaper?") or passes on the list ("None of these is what I want."): products not listed before
    for this request come before those that were (still there, after them); the same
    products again tell the shopper nothing new. One that asks for more of something than
    those shown ("lighter ones?"): others before those just shown."""
    p, state = turn.parsed, turn.state
    changed = p.max_price is not None or p.min_price is not None or p.others or p.cheaper
    if p.degree and state.shown:
        # "lighter ones?", "有没有更轻一点的": more of it than those shown, so those just
        # shown come after the others its words find
        before = set(state.shown)
    elif not changed or p.content or turn.agent.vocabulary.brands_in(turn.text):
        return products  # words or a brand said: what they find comes first
    else:
        before = set(state.listed)
    if not before & {x.id for x in products}:
        return products
    k = turn.agent.k
    calls = turn.agent.rules.recommend_calls(state, turn.situation, k=min(k + len(before), 30))
    wider = _found(turn, turn.run(calls))
    fresh = [x for x in wider if x.id not in before]
    return (fresh + [x for x in wider if x.id in before])[:k] if fresh else products


def _guess_missed(turn: Turn) -> list[Product] | None:
    """A kind guessed on this turn from words that name a kind of product ("I also need
    some pipette tips" -> Otoscopes, for their "Specula Tips") that holds none of the
    products the words find best across the catalog is a wrong guess: the search without
    it (and the guess dropped). None when the guess holds one of them, or none was made
    this turn, or the words name no kind (a need: the guess stands), or the kind's own
    name has a kind word the shopper said ("shoes ... in the rain" -> Running Shoes, though
    "rain" finds rain jackets first)."""
    state = turn.state
    s = state.slots
    if not (s.category and s.category_guessed and s.category_turn == state.turns):
        return None
    kinds = turn.agent.vocabulary.kinds_in(turn.parsed.content)
    if not search_text(state) or not kinds:
        return None  # a need ("keeps my feet dry"), not a kind named: the guess stands
    if kinds & title_parts(s.category.rsplit(">", 1)[-1])[0]:
        return None
    guessed, s.category, s.category_guessed = s.category, None, False
    wider = _found(turn, turn.run(turn.agent.rules.recommend_calls(state, turn.situation)))
    if not wider or any(guessed in p.categories for p in wider[: turn.agent.k]):
        s.category, s.category_guessed = guessed, True
        return None
    return wider


def _without_guessed_kind(turn: Turn, products: list[Product]) -> tuple[list[Product], str | None]:
    """The search again without the guessed kind, kept when it finds more; the kind is
    put back otherwise. Says so when a brand was asked for and nothing was found."""
    s, lang = turn.state.slots, turn.state.language
    guessed, s.category, s.category_guessed = s.category, None, False
    wider = _found(turn, turn.run(turn.agent.rules.recommend_calls(turn.state, turn.situation)))
    intro = None
    if not products and s.brands:  # said, not silently dropped
        intro = say("brand_elsewhere", lang, brand=", ".join(s.brands), category=guessed)
    if len(wider) > len(products):
        return wider, intro
    s.category, s.category_guessed = guessed, True
    return products, intro


def _closest_over_budget(turn: Turn, enough: int | None = None) -> list[Product] | None:
    """The products that match all but the budget, lowest price first, when at least
    `enough` (default a turn's worth) do. For a guessed kind that nothing within the
    budget fits, enough of them means the budget, not the guess, found nothing
    ("防水登山鞋，预算150以内" of a shop whose boots all cost more): the closest over it are
    shown in that kind, never products of another kind that fit the budget. (A kind with
    a few products within the budget still gives way to a wider search.)"""
    if turn.state.slots.max_price is None:
        return None
    calls = turn.agent.rules.recommend_calls(turn.state, turn.situation, cheapest=True)
    found = _found(turn, turn.run(calls))
    return found if len(found) >= (turn.agent.k if enough is None else enough) else None


def _distinct_titles(products: list[Product], passed: list[Product | None]) -> list[Product]:
    """No two products of a turn with a title the shopper cannot tell apart, and none
    titled like one passed over ("none of these"); ingest tells look-alikes apart, this
    guards catalogs stored before it did."""
    seen = {display_key(p.title) for p in passed if p is not None}
    out = []
    for product in products:
        key = display_key(product.title)
        if key not in seen:
            seen.add(key)
            out.append(product)
    return out


# How much better a match a product listing no price must be than the best within the
# budget (search relevance) before such products are shown under a budget said: twice
# as relevant, as a product known to fit the budget is worth more than one whose price
# is unknown. "A gift card for a nephew who loves video games, around 25 dollars" on
# Amazon's gift cards (77 % list no price) then shows the video-game cards (0.73) over
# a haircut card at 20 dollars (0.28). (First set at 0.75, which also let "a coffee
# lover, under 20" (0.33 against 0.46) lose its priced cards and cost the simulated
# shoppers on Gift Cards 5 episodes of 300.)
UNPRICED_MARGIN = 0.5


def _better_unpriced(turn: Turn, products: list[Product]) -> list[Product] | None:
    """On a catalog that lists prices for some products only, the search again letting
    those without a price through the budget the shopper said, when its best match is
    much better than the budget's best (their price is then said to be unknown); None
    otherwise."""
    rules, s = turn.agent.rules, turn.state.slots
    budget = s.max_price is not None or s.min_price is not None
    if not (rules.partly_priced and budget and not s.price_from_shown):
        return None
    if not any(step.tool == "search_products" for step in turn.trace):
        return None  # no words to search for: the recommender alone
    relevance = turn.ctx.relevance  # of the last search, the one that found `products`
    within = max((relevance.get(p.id, 0.0) for p in products), default=0.0)
    wider = turn.run(rules.recommend_calls(turn.state, turn.situation, unpriced=True))
    best = max(turn.ctx.relevance.values(), default=0.0)
    if best <= 0 or within >= UNPRICED_MARGIN * best:
        return None
    return _found(turn, wider)


def _found(turn: Turn, outcomes: list[ToolOutcome]) -> list[Product]:
    """The products to show: those the plan's last product-finding call ordered."""
    ids: list[str] | None = None
    for outcome in outcomes:
        if not outcome.ok:
            continue
        # A search that re-reads the products already ordered does not reorder them.
        if outcome.result.show_products and (outcome.tool != "search_products" or ids is None):
            ids = list(outcome.result.products)
    by_id = turn.agent.by_id
    ids = ids or []
    return [by_id[i] for i in ids if i in by_id]


def show(
    turn: Turn,
    products: list[Product],
    intent: str,
    intro: str | None = None,
    keep_list: bool = False,
    explained: dict[str, dict] | None = None,
    more: bool = False,
    like: Product | None = None,
) -> Reply:
    """Products with their explanations; they become the list the shopper refers to
    ("the second one") unless `keep_list`. `more`: each with what its page lists and
    says besides ("tell me more about the second one"); `like`: the product they were
    found like, and what each shares with it said."""
    from agent.agent import Reply, ShownProduct, product_text, sentence_text

    ctx, state = turn.ctx, turn.state
    reply = Reply(intro or say("intro", state.language, n=len(products)), intent)
    if ctx.emit is not None:
        ctx.emit(reply.text + "\n")
        reply.data["streamed"] = True
    explain_each = turn.agent.recommender is not None and ctx.shopper_id
    explained = dict(explained or {})
    for n, product in enumerate(products, start=1):
        if explain_each and product.id not in explained:
            outcome = turn.call("explain_recommendation", product_id=product.id)
            explained[product.id] = outcome.result.data if outcome.ok else None
        claims = compose(ctx, product, state, explained.get(product.id), turn.agent.names, like)
        claims += detail_claims(ctx, product, claims) if more else []
        shown = ShownProduct.of(product, [])
        if ctx.emit is not None:
            ctx.emit(product_text(n, shown, state.language))

        def emit_sentence(sentence: CheckedSentence) -> None:
            if ctx.emit is not None:
                ctx.emit(sentence_text(sentence))

        verdict = explain(turn.agent, ctx, product, claims, turn.text, emit_sentence)
        reply.model_sentences += verdict.model_sentences
        reply.model_passed += verdict.model_passed
        shown.sentences = verdict.sentences
        reply.products.append(shown)
    if not keep_list:
        state.shown = [p.id for p in products]
        state.seen = list(dict.fromkeys(state.seen + state.shown))
        if intent in ("recommend", "similar"):  # lists for the request, not one product
            state.listed = list(dict.fromkeys(state.listed + state.shown))
        state.focus = products[0].id if len(products) == 1 else None
    return reply


def _about(
    turn: Turn, outcomes: list[ToolOutcome], intro_key: str | None, more: bool = False
) -> Reply:
    """Products of the list shown and explained again (details, "why"), the list kept."""
    from agent.agent import Reply

    ids = [i for o in outcomes if o.ok for i in o.result.products]
    if not ids:
        return _failed(turn, outcomes)
    products = [turn.agent.by_id[i] for i in dict.fromkeys(ids) if i in turn.agent.by_id]
    intro = say(intro_key, turn.state.language, n=len(products)) if intro_key else None
    explained = {
        o.result.products[0]: o.result.data
        for o in outcomes
        if o.ok and o.tool == "explain_recommendation"
    }
    reply = show(turn, products, turn.plan.intent, intro, True, explained, more)
    if len(products) == 1:
        turn.state.focus = products[0].id
    return reply if reply.products else Reply(say("nothing_shown", turn.state.language), "details")


def _details(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    return _about(turn, outcomes, "details", more=True)


def _why(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    if not any(o.ok for o in outcomes):
        # No recommender or shopper to explain with: the product's own facts say why.
        product_id = turn.plan.calls[0].arguments.get("product_id")
        if product_id in turn.agent.by_id:
            outcomes = [turn.call("product_details", product_id=product_id)]
    return _about(turn, outcomes, "why")


def _choose(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """Several products fit the name the shopper gave: they choose."""
    products = _found(turn, outcomes)
    if not products:
        return _failed(turn, outcomes)
    return show(turn, products, "choose", say("which_of_these", turn.state.language))


def _similar(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    products = _found(turn, outcomes)
    if not products:
        return _failed(turn, outcomes)
    like = next((o.result.data.get("like") for o in outcomes if o.ok), None)
    return show(turn, products, "similar", like=turn.agent.by_id.get(like))


# -- other built-in intents ----------------------------------------------------------


def _compare(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """The products side by side: a sentence for each thing they differ in and one for
    what they share, every value cited to the record that states it; the table itself
    in the reply's data for the UI, the widget and the API."""
    from agent.agent import Reply, ShownProduct

    lang = turn.state.language
    outcome = outcomes[0]
    if not outcome.ok:
        return Reply(say("cannot_compare", lang), "compare")
    data = dict(outcome.result.data)
    listed = turn.state.shown
    if len(listed) <= 4 and all(pid in listed for pid in data["columns"]):
        # "the first and the third" are called so, not "the first and the second"
        data["places"] = [listed.index(pid) for pid in data["columns"]]
    claims = compare_claims(data, lang)
    intro = say("compare", lang)
    if turn.ctx.emit is not None:
        turn.ctx.emit(intro + "\n")
    verdict = rewrite_answer(turn.agent, turn.ctx, claims, turn.text, _emitter(turn))
    text = " ".join([intro, *(s.text for s in verdict.sentences)])
    reply = Reply(text, "compare", data=data, answer=verdict.sentences)
    reply.model_sentences, reply.model_passed = verdict.model_sentences, verdict.model_passed
    reply.data["streamed"] = turn.ctx.emit is not None
    for pid in data["columns"]:
        reply.products.append(ShownProduct.of(turn.agent.by_id[pid], []))
    return reply


def _profile(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    from agent.agent import Reply

    lang = turn.state.language
    outcome = outcomes[0]
    profile = outcome.result.data.get("profile") if outcome.ok else None
    if profile is None or not profile.history:
        return Reply(say("no_profile", lang), "profile")
    return Reply(say("profile", lang, profile=profile), "profile", data={"profile": profile})


def _why_not(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    from agent.agent import Reply, ShownProduct

    lang = turn.state.language
    outcome = next((o for o in outcomes if o.tool == "why_not_shown"), None)
    if outcome is None or not outcome.ok:
        return Reply(say("why_not_unknown", lang), "why_not")
    product = turn.agent.by_id[outcome.result.products[0]]
    pid = product_evidence(turn.ctx, product).id
    index = 1 if lang == "zh" else 0
    sentences = [
        CheckedSentence(
            WHY_NOT[r][index].format(
                price=f"{product.price or 0:.2f}",
                currency=product.currency,
                brand=product.brand,
                category=product.category,
            )
            + f" [{pid}]",
            [pid],
            "template",
        )
        for r in outcome.result.data["reasons"]
    ]
    # "Why not the most expensive one?" of a product in the list: it was shown
    shown = outcome.result.data["reasons"] == ["shown"]
    intro = say("why_not_was_shown" if shown else "why_not", lang, title=product.title)
    reply = Reply(intro, "why_not")
    reply.products.append(ShownProduct.of(product, sentences))
    turn.state.focus = product.id
    return reply


def _feedback(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    from agent.agent import Reply

    state, lang = turn.state, turn.state.language
    outcome = outcomes[0]
    if not outcome.ok:
        return Reply(say("not_done", lang, why=outcome.error), "feedback")
    kind = outcome.result.data["kind"]
    pid = outcome.result.products[0]
    if kind == "not_interested":
        state.not_interested.append(pid)
    elif kind == "like":
        state.liked.append(pid)
    if kind != "not_interested":
        return Reply(say(f"ack_{kind}", lang), kind)
    calls = turn.agent.rules.recommend_calls(state, turn.situation)
    products = _found(turn, turn.run(calls))
    if not products:
        return Reply(say("ack_not_interested", lang), kind)
    intro = say("ack_not_interested", lang) + " " + say("intro", lang, n=len(products))
    return show(turn, products, kind, intro)


# -- answers ---------------------------------------------------------------------------


def _answer(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """An answer from the products' own records: quoted, cited passages, or an honest
    "not stated" with the closest things the records say."""
    from agent.agent import Reply

    outcome = outcomes[-1]
    if not outcome.ok:
        return _failed(turn, outcomes)
    claims = answer_claims(turn.ctx, outcome.result.data, turn.state.language)
    claims = _named_if_guessed(turn, outcome, claims)
    verdict = rewrite_answer(turn.agent, turn.ctx, claims, turn.text, _emitter(turn))
    reply = Reply(" ".join(s.text for s in verdict.sentences), "answer", answer=verdict.sentences)
    reply.model_sentences, reply.model_passed = verdict.model_sentences, verdict.model_passed
    reply.data["streamed"] = turn.ctx.emit is not None
    products = outcome.result.products
    turn.state.focus = products[0] if len(products) == 1 else turn.state.focus
    # A product named and answered about is in the conversation now ("add it to my cart").
    turn.state.seen = list(dict.fromkeys([*turn.state.seen, *products]))
    return reply


def _reviews(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """What reviewers say: aspects with their counts and a quoted example; complaints
    first when the shopper asked about them."""
    from agent.agent import Reply

    outcome = outcomes[-1]
    if not outcome.ok:
        return _failed(turn, outcomes)
    done = [o for o in outcomes if o.ok and o.tool == outcome.tool]
    # a product this turn's search found ("what do reviewers say about the Orbit
    # smartwatch?"): named, as the shopper has not seen which one it is
    found = any(o.ok and o.tool == "search_products" for o in outcomes)
    claims = []
    for each in done:  # several products asked about: each one's, its name first
        said = review_claims(turn.ctx, each.result.data, turn.state.language, turn.text)
        if len(done) > 1 or found:
            product = turn.ctx.store.product(turn.ctx.catalog, each.result.products[0])
            said = said[:PER_PRODUCT] if len(done) > 1 else said
            said = named_first(said, product.title, turn.state.language)
        claims += said
    claims = claims if len(done) > 1 or found else _named_if_guessed(turn, outcome, claims)
    verdict = rewrite_answer(turn.agent, turn.ctx, claims, turn.text, _emitter(turn))
    reply = Reply(" ".join(s.text for s in verdict.sentences), "reviews", answer=verdict.sentences)
    reply.model_sentences, reply.model_passed = verdict.model_sentences, verdict.model_passed
    reply.data["streamed"] = turn.ctx.emit is not None
    turn.state.focus = outcome.result.products[0]
    return reply


def _named_if_guessed(turn: Turn, outcome: ToolOutcome, claims: list) -> list:
    """The claims about one product, led by its name where the shopper did not say which
    of those shown they asked about (agent.plan.Plan.guessed: the first): "what do
    people say about the fit?" right after three boots is answered of the first, named."""
    if not turn.plan.guessed or len(outcome.result.products) != 1:
        return claims
    product = turn.ctx.store.product(turn.ctx.catalog, outcome.result.products[0])
    return named_first(claims, product.title, turn.state.language) if product else claims


def _emitter(turn: Turn):
    def emit(sentence: CheckedSentence) -> None:
        if turn.ctx.emit is not None:
            turn.ctx.emit(sentence.text + " ")

    return emit


# -- any other tool ------------------------------------------------------------------


_RECORD_FIELDS = frozenset({"kind", "key", "text", "product_id", "tool"})


def _tool_answer(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """A tool with no presenter of its own: its result's summary, recorded as a tool
    record ([T]) and cited with the records the tool cited."""
    from agent.agent import Reply

    outcome = outcomes[-1]
    if not outcome.ok:
        return _failed(turn, outcomes)
    result = outcome.result
    record = turn.ctx.evidence.add(
        "tool",
        f"{outcome.tool}:{len(turn.trace)}",
        result.summary,
        result.products[0] if result.products else None,
        tool=outcome.tool,
        # a tool's own data named like the record's fields ("kind", "key") is left out
        **{
            k: v
            for k, v in result.data.items()
            if isinstance(v, str | int | float | bool) and k not in _RECORD_FIELDS
        },
    )
    citations = [record.id, *[c for c in result.evidence if c in turn.ctx.evidence]]
    cited = "".join(f"[{c}]" for c in dict.fromkeys(citations))
    sentence = CheckedSentence(
        f"{result.summary} {cited}", list(dict.fromkeys(citations)), "template"
    )
    lead = say("tool_answer", turn.state.language)
    reply = Reply(f"{lead} {sentence.text}".strip(), turn.plan.intent, answer=[sentence])
    if len(result.products) == 1:
        turn.state.focus = result.products[0]
    return reply


def _failed(turn: Turn, outcomes: list[ToolOutcome]) -> Reply:
    """A tool failed: one short note, nothing stored half (writing tools run in one
    transaction)."""
    from agent.agent import Reply

    error = next((o.error for o in outcomes if not o.ok), None) or "no result"
    return Reply(say("not_done", turn.state.language, why=error), turn.plan.intent)


PRESENTERS = {
    "recommend": _recommend,
    "details": _details,
    "why": _why,
    "similar": _similar,
    "compare": _compare,
    "profile": _profile,
    "why_not": _why_not,
    "like": _feedback,
    "cart": _feedback,
    "not_interested": _feedback,
    "purchase": _feedback,
    "feedback": _feedback,
    "answer": _answer,
    "choose": _choose,
    "reviews": _reviews,
}
