"""The rule planner: the deterministic reading of a message into a plan, always
available. Rules read what they read well (budgets, brands, ordinals, the
catalog's own words, "why", "compare", feedback); the semantic router places
what they cannot, over every registered tool; a message nothing fits gets a
one-sentence account of what the assistant can do, never a random product list.

The planner also tracks the dialogue's constraints (agent.tracking) for plans
that find products, and builds their calls: search for candidates, order them
for the shopper.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from agent.arguments import Reading, fill
from agent.parse import Parsed, named_kind, ordinals, parse
from agent.plan import Call, Plan, Ref
from agent.references import References, resolve
from agent.router import RouteMatch, Router
from agent.state import DialogueState
from agent.tracking import update_slots
from agent.vocabulary import without_names
from catalog.brands import brand_pattern
from catalog.filters import ProductFilter, ProductTable
from catalog.models import Product
from tools.dictionary import catalog_sense, sense_within
from tools.registry import ToolRegistry
from tools.text import (
    answer_kinds,
    asks_graded,
    asks_maker,
    asks_past_price,
    asks_price,
    asks_rating,
    asks_what_it_is,
    content_terms,
    content_words,
    is_polar,
    name_terms,
    names_product,
    reviewers_asked,
    sizes_asked,
    stem,
    superlative,
)

# Words that ask for a product's page as a whole, not for one fact about it.
DETAIL_WORDS = frozenset(
    [
        "detail",
        "spec",
        "specification",
        "info",
        "information",
        "more",
        "describe",
        "description",
        "about",
        "详情",
        "参数",
        "详细",
        "介绍",
        "信息",
        "具体",
    ]
)
SEARCH_K = 30  # candidates retrieved before the shopper's order is blended in
FINDERS = ("search_products", "recommend_for_shopper")
# Intents the rules answer themselves, never overruled by recall.
_OWN_REPLIES = frozenset({"greeting", "thanks", "later", "reset"})
FEEDBACK = ("like", "not_interested", "cart", "purchase")
# A request to shop that names nothing yet ("I'm looking for something", "我想买点东西").
_SHOP_VERB = re.compile(
    r"\b(?:looking for|look for|shopping|shop for|buy|purchase|recommend|suggest|find me)\b"
    r"|推荐|买(?!家)|购物|选购|挑",
    re.I,
)
# "么" asks in 什么 / 怎么, but not in 这么 / 那么 (so), nor in 什么都 (anything:
# "用什么都容易过敏", everything irritates my skin, states a need); a verb said twice
# around 不 after 到底, 究竟 or 问 asks too ("它到底防不防滑", does it slip or not; "我妈问第二
# 个好不好清洗"), not without them: "插上就能用不用充电" (plug in and use, no charging) and
# "想知道晚上休息得好不好" (to know whether I sleep well) state needs
_QUESTION = re.compile(
    r"\?|？|^\s*(?:is|are|does|do|did|can|could|will|would|has|have|how|what|which|who|where"
    r"|when|should|any(?:one)?)\b|吗|呢|(?<![这那多要])么(?![都也])|怎么样|如何|多久"
    r"|(?<![没不])多少|(?<![差许很太不])多(?:长|大|高|宽|厚|重|深|粗|远)(?![了点些])|几天|哪|是否|能不能|可不可以|会不会|有没有[^，,。！!？?\s]{0,8}(?:的|吗|啊|呀|呢)?(?=$|[\s，,。！!？?])|谁"
    r"|(?:到底|究竟|问)[^，,。！!]{0,8}?(?P<asked>[\u4e00-\u9fff])不(?P=asked)"
    # "第三个一包有几个", "你们有几种": how many, without a question mark
    r"|有几(?:个|片|支|只|根|张|粒|颗|条|枚|瓶|包|盒|件|种|款)|(?:一|每)[盒包袋套箱瓶卷组板排份](?:有|装|是)?几",
    re.I,
)


# A question put of the products in view ("are they comfortable?", "is it warm?", "它们防滑
# 吗？"): for their records, however near small talk its few words sound to the router.
_OF_THOSE_IN_VIEW = re.compile(
    r"^\s*(?:is|are|does|do|did|can|could|will|would|has|have|was|were)\s+"
    r"(?:it|they|this(?: one)?|these|those|that(?: one)?|both(?: of them)?)\b"
    r"|^\s*(?:它们?|这个|那个|这款|那款|这双|那双|这些|两个|三个)[^，,。？?]{0,12}(?:吗|么)",
    re.I,
)


# Asking what buyers think of a product as a whole: its reviews, pros and cons.
_REVIEWS_ASKED = re.compile(
    r"\b(?:reviews?|reviewers?|buyers?|customers?|people|ppl|folks|users?|owners?)\s+"
    r"(?:(?:generally|usually|mostly|really|actually|typically|normally|all)\s+)?"
    r"(?:say|said|saying|think|thought|complain\w*|like|liked|love|loved|hate|dislike\w*)\b"
    r"|\b(?:thoughts|opinions?|verdict|impressions?|take) (?:from|of) (?:the )?(?:buyers|"
    r"reviewers|customers|owners|people|users)\b|\bany good\b|值不值"
    r"|\bcomplain(?:ts?|s|ing)?\b|\b(?:gripes?|niggles?|downsides?|drawbacks?|cons|pros|weak(?:ness(?:es)?"
    r"| points?)|strong points?)\b|\bwhat(?:'s| is| are) (?:wrong|bad|good|great) (?:with|about)\b"
    r"|\bregret(?:s|ted)?\b|(?:真的)?有人说(?:好|不好)"
    r"|\b(?:people|anyone|anybody|those|buyers?|customers?|owners?) (?:who|that) (?:bought"
    r"|got|own|owned|tried|used)\b"
    r"|评价|评论|口碑|差评|好评|缺点|优点|优缺点|毛病|槽点|吐槽|抱怨|踩雷|踩坑|翻车"
    r"|(?:买家|用户|大家|别人|网友|顾客|买过的人|用过的人)(?:[^，。？！,.?!]{0,8}?都)?"
    r"(?:说|觉得|反映|怎么(?:说|看|样)?)|哪里好|哪里不好",
    re.I,
)
# A word of reviews or ratings: a message with one is about what buyers say.
_REVIEW_WORD = re.compile(
    r"\b(?:reviews?|reviewers?|reviewed|ratings?|rated|stars?|feedback)\b"
    r"|评价|评论|口碑|好评|差评|评分|买家|用户|网友|顾客",
    re.I,
)
# Words a request for reviews may carry beside it and still ask for all of them.
_GENERIC = (
    "common main biggest big usual typical most any general overall real honest much many "
    "product item thing worth meh verdict lol nah haha tbh honestly 值 值得 "
    "1st 2nd 3rd 4th first second third fourth fifth last "
    "常见 主要 最大 一般 真实 什么 哪些 有些 买家 用户 顾客 网友 大家 "
    # fillers and the verbs around "what buyers say" ("大家买了之后都说好还是不好")
    "um uh 嗯 啊 那个 就是 买 用 说 说好 好 不好 "
    # trouble of any kind: the complaints ("has anyone had trouble with it?")
    "trouble problem issue"
)
_REVIEWS_GENERIC = frozenset(_GENERIC.split())


_HAN = re.compile(r"[\u4e00-\u9fff]")


def reviews_in_general(text: str, products: Sequence[Product]) -> bool:
    """ "What do reviewers complain about?", "买家评价怎么样？": whether the message asks
    what buyers say of the products as a whole, with nothing more specific asked ("do
    reviewers mention the battery?" is a question their reviews may answer)."""

    def asks(sentence: str) -> bool:
        return bool(_REVIEWS_ASKED.search(sentence)) or reviewers_asked(sentence) is not None

    if not asks(text):
        return False
    # The product's own name, kind and brand name it ("complaints about the first lamp",
    # "what are runners saying about the Ridgeway Lite 500?")
    own = frozenset().union(*(name_terms(p, text) for p in products))
    # the sentences that ask it, and any other question beside them ("is it hassle free?
    # what do reviewers say"); an aside ("wow that was quick.") asks nothing
    sentences = re.split(r"(?<=[.!?。！？])\s*", text)
    asking = [x for x in sentences if asks(x) or x.rstrip().endswith(("?", "？"))]
    cut = [_REVIEWS_ASKED.sub(" ", x) for x in asking]
    left = " ".join(reviewers_asked(x) or x for x in cut)
    rest = [
        t for t in content_terms(left) if t not in _REVIEWS_GENERIC and not names_product(t, own)
    ]
    return not rest


@dataclass
class Situation:
    """What the planner knows about the conversation besides the message."""

    state: DialogueState
    seen: list[Product] = field(default_factory=list)  # products of the conversation
    has_history: bool = False  # the shopper has a history the recommender can use
    has_recommender: bool = False
    has_search: bool = True


@dataclass
class RulePlanner:
    registry: ToolRegistry
    vocabulary: Any  # agent.vocabulary.Vocabulary
    router: Router | None
    currency: str = "USD"
    catalog: list[Product] = field(default_factory=list)
    k: int = 3
    flag: Any = None  # (parameter name, text) -> bool, for boolean parameters
    lookup: Any = None  # agent.lookup.Lookup: products named in a message
    name: str = "rules"

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.catalog}
        self.known_ids = set(self.by_id)
        # A catalog that lists no prices (Amazon's text-only sets) cannot be held to a
        # budget: searched without one, and the reply says so (agent.present).
        self.priced = not self.catalog or any(p.price is not None for p in self.catalog)
        # One that lists prices for some products only (most of Amazon's gift cards list
        # none): agent.present weighs those without one against the budget's matches.
        self.partly_priced = self.priced and any(p.price is None for p in self.catalog)
        # whether titles mark each gender (within a category)
        self._gendered: dict[str, bool] | None = None
        self._gender_table: ProductTable | None = None

    def plan(self, text: str, situation: Situation, parsed: Parsed | None = None) -> Plan:
        """The rules' plan, unless the labelled messages nearest to this one agree, near
        unanimously and closely, on another tool (or on none): messages written the way
        labelled ones were are placed as those were (Router.recall). A request that no
        tool serves for a thing the shop does not carry is told so (`_not_carried`)."""
        parsed = parsed or parse(text)
        return self._not_carried(self._recall_or_rules(text, situation, parsed), text, parsed)

    def _not_carried(self, plan: Plan, text: str, parsed: Parsed) -> Plan:
        """An abstention on a request for a thing by a name no title or category has ("I
        need a multimeter" of an outdoor shop, "I'd like a new sofa"): the shop's
        overview of that name, which says it has none and what it does sell, rather than
        "outside what I can do". Still an abstention (no tool serves the request, and
        routing is scored so); the overview is what the reply says."""
        if (
            plan.action != "abstain"
            or plan.intent != "abstain"
            or not (parsed.request or parsed.asks_catalog)
            or parsed.cheaper
            or parsed.refine
            or "shop_overview" not in self.registry.tools
            or not hasattr(self.vocabulary, "missing_kind")
        ):
            return plan
        named = named_kind(text)
        if not named or not self.vocabulary.missing_kind(named, by_senses=True):
            return plan
        call = Call("shop_overview", {"kind": named})
        return replace(plan, intent="not_carried", calls=[call], note=named)

    def _recall_or_rules(self, text: str, situation: Situation, parsed: Parsed) -> Plan:
        recalled = self.router.recall(text) if self.router is not None else None
        if recalled is None or not recalled.confident or parsed.intent in _OWN_REPLIES:
            return self._plan(text, situation, parsed)
        state = situation.state
        saved = copy.deepcopy(vars(state))
        plan = self._plan(text, situation, copy.deepcopy(parsed))
        if plan.firm or plan.tool == recalled.tool:
            return plan  # a rule that read the message, or the same tool
        if plan.tool == "answer_question" and (
            _SERVICE.search(text) or (is_polar(text) and recalled.tool == "product_details")
        ):
            # a warranty or a return asked of a product in view is answered from its
            # records, "not stated" where they are silent (the shop's terms elsewhere);
            # a yes-no question ("第二个有提到monitor吗？") is answered, not met with its page
            return plan
        if recalled.tool is None and plan.action != "tools":
            return plan
        if (
            recalled.tool is None
            and plan.tool == "answer_question"
            and state.shown
            and _THEM.search(text)
        ):  # "how do they fit, true to size?": a question of the products in view, however
            # near the labelled small talk its words sit ("this weekend" points at none)
            return plan
        if plan.tool is not None and plan.tool not in self.router.exemplar_tools:
            # a tool no labelled message knows (a plugin's, registered since): the
            # messages that wanted no tool were labelled before it could serve them
            return plan
        vars(state).update(saved)  # the rules' reading undone (a search folds in slots)
        return self._recalled(recalled, text, parsed, situation)

    def _recalled(self, recalled, text: str, parsed: Parsed, situation: Situation) -> Plan:
        score = recalled.nearest
        if recalled.tool is None:
            return Plan("abstain", "abstain", source="recall", score=score)
        if recalled.tool in FINDERS:
            if recalled.tool == "recommend_for_shopper" and not _narrows(
                text, parsed, situation.state
            ):
                parsed.content = ""  # the shopper's own picks: no words to search for
            plan = self.recommend(text, parsed, situation, None, source="recall")
            return replace(plan, score=score)
        state = situation.state
        refs = resolve(text, state, situation.seen, self.known_ids, self.vocabulary.brands_in(text))
        return self.tool_plan(recalled.tool, text, parsed, refs, situation, "recall", score)

    def _plan(self, text: str, situation: Situation, parsed: Parsed) -> Plan:
        state = situation.state
        if not text or parsed.intent == "greeting":
            return Plan("greeting", "greeting")
        if parsed.intent == "thanks":
            return Plan("greeting", "thanks")
        if parsed.intent == "later":
            return Plan("greeting", "later")
        if parsed.intent == "reset":
            return Plan("reset", "reset")
        if (dropped := self._drop_kind(text, state)) is not None:
            # "forget the shoes, just show me stuff picked for me": the kind asked for
            # before no longer holds; the rest of the message is read on its own
            text, parsed = dropped, parse(dropped)
            if not text:
                return self.recommend(text, parsed, situation, None)
        brands = self.vocabulary.brands_in(text)
        refs = resolve(text, state, situation.seen, self.known_ids, brands)
        if not refs.products and self.lookup is not None:
            named = self.lookup.find(text)
            changes = parsed.max_price is not None or parsed.cheaper or parsed.others
            if len(named) > 1 and not (changes or parsed.exclude_last_brand or parsed.refine):
                return self._choose(named)
            named = named if len(named) == 1 else []  # a change to the list, not a name
            refs.named = [p.id for p in named]
            refs.looked_up = bool(named)
        if (
            refs.looked_up
            and _LIKE_NAMED.search(text)
            and "similar_products" in self.registry.tools
        ):  # "something like Gone Girl", "像Gone Girl那样的书": others like the one named
            return self.tool_plan("similar_products", text, parsed, refs, situation)
        called = next((n for n in re.findall(r"\b[a-z][a-z0-9_]+\b", text)
                       if "_" in n and n in self.registry.tools), None)  # fmt: skip
        if called is not None:  # "call record_feedback for product 1001": the tool by name
            return self.tool_plan(called, text, parsed, refs, situation)
        if (
            _CHANGES_ORDER.search(text)
            and (_about_own_purchase(text) or _ORDER_WORD.search(text))
            and not refs.products
        ):
            # "I want to cancel order 77120": a change to an order, which no tool makes
            # (nor the order tracker, however near its description)
            return Plan("abstain", "shop_terms")
        if _PRIVACY.search(text):
            # "delete all the data you've got on me", "会不会把我的购买记录卖给广告公司": the
            # shop's, not the chat's (never the shopper's profile read back)
            return Plan("abstain", "privacy")
        if _ELSEWHERE.search(text):
            # "does Walmart have it cheaper?", "京东上卖多少": only this shop's catalog is seen
            return Plan("abstain", "elsewhere")
        if _ENTERTAIN.search(text):
            return Plan("abstain", "abstain")  # "tell me a joke about hiking boots"
        if _ABILITIES.search(text) and not refs.products:
            # "what can you do?", "你能帮我做什么？": what the assistant does, and how to ask
            return Plan("abstain", "capabilities")
        if _CORRECTION.search(text) and parsed.content and not refs.products:
            # "NO!!! I SAID WIRELESS EARBUDS", "不是这个意思，我要的是女款": the request put
            # right, searched again (with its words, not the words that correct)
            parsed.content = " ".join(_CORRECTING.sub(" ", parsed.content).split())
            return self.recommend(text, parsed, situation, None)
        if _COMPLAINT.search(text) and not _ASKS.search(text):
            # "The knife I got last week already has a chip. Really disappointed.", "快递员
            # 把包裹扔在门口被雨淋湿了，太差劲了": a complaint that asks nothing, answered
            # in kind, not with a search for knives nor an order's tracking
            return Plan("abstain", "complaint")
        if parsed.by_price and (state.slots.category or state.slots.query or state.shown):
            # "list them cheapest first", "按价格从低到高排": the request's products, in
            # order of price (the budget and everything else asked still hold)
            return self.recommend(text, parsed, situation, None)
        if parsed.from_history and not refs.products:
            kind, guessed = self.vocabulary.category_in(text, parsed.content, state.slots.category)
            if kind and guessed:  # "按我的口味推荐几个护肤品": the kind its words guess
                parsed.slots["category"] = kind
            parsed.content = ""  # no words to search for: the shopper's own picks
            plan = self.recommend(text, parsed, situation, None)
            if plan.action == "tools" and "recommend_for_shopper" in [c.tool for c in plan.calls]:
                # "按我的口味推荐几个双肩包": the kind searched, the picks the shopper's own
                plan.tool = "recommend_for_shopper"
            return plan
        if _WHOLE_PAGE.search(text) and (refs.products or refs.pronoun) and state.shown:
            # "pull up the full page for #1? brand, rating, specs, all of it": its page
            return self.tool_plan("product_details", text, parsed, refs, situation)
        if (
            _ORDER_NUMBER.search(text)
            and not _CHANGES_ORDER.search(text)
            and (orders := self._takes("order"))
        ):
            # "我的单子#40512怎么还没到": an order number goes to the tool that takes one (a
            # plugin's, known by its parameter's name), whatever else the words sound like
            return self.tool_plan(orders, text, parsed, refs, situation)
        if _POINTS.search(text) and (points := self._tool_about(_POINTS_TOOL.search)):
            # "我攒的积分够换点什么吗": the shopper's points, from the tool whose own
            # description is about points (a plugin's), whatever else the message says
            return self.tool_plan(points, text, parsed, refs, situation)
        if (
            _WRAP.search(text)
            and (state.shown or refs.products)
            and (wrap := self._fillable(_WRAP_TOOL.search, text, parsed, refs, situation))
        ):  # "就第三个吧，能附张卡片写几句话吗": gift wrap and a note, a plugin's
            return wrap
        if (
            _SHOP_TERMS_ONLY.search(text)
            and not _POINTS.search(text)
            and not _asks_of_a_product_besides(text)
        ):
            # "退款一般多久能到账", "do you price match?": terms of the shop that no
            # product record holds and no tool answers (a shown product asked about in a
            # sentence of its own, "Is #3? Oh and do you guys price match?", is answered)
            return Plan("abstain", "shop_terms")
        if _DELIVERY_TIME.search(text) and (
            delivery := self._fillable(_DELIVERY_TOOL.search, text, parsed, refs, situation)
        ):  # "加急的话几天能到": the tool about delivery times whose arguments fill
            return delivery
        if (
            asks_past_price(text)
            and _QUESTION.search(text)
            and (state.shown or refs.products)
            and (history := self._tool_about(asks_past_price))
        ):  # "likes #3 but it's pricey — has it been cheaper lately?": the question asked
            return self.tool_plan(history, text, parsed, refs, situation)
        # Of a brand's product, none of the brand's shown and nothing in view: not why-not,
        # nor what the shop's other tools answer (an earlier price, delivery, gift wrap,
        # the shop's terms, after-sales)
        of_brand = (
            not refs.products
            and not refs.all_shown
            and brands
            and parsed.intent not in ("why_not", "why")  # "为什么没推荐 X 的那款": why-not
            and not asks_past_price(text)  # "has the Sonora speaker been cheaper?": its tool's
            and not (_DELIVERY_TIME.search(text) or _WRAP.search(text))  # the plugins' asks
            and not (_SHOP_TERMS_ONLY.search(text) or _about_own_purchase(text))  # after-sales
            and situation.has_search
        )
        if (
            of_brand
            and "review_summary" in self.registry.tools
            and (kind := _brand_reviews_asked(text, brands[0])) is not None
            and (not kind or self.vocabulary.names_kind(kind))
        ):
            # "what do reviewers say about the Orbit smartwatch?", "Lumen Skin 那款面霜评价怎
            # 么样？": what buyers say of the brand's product of a kind, nothing more
            # specific asked (no reply of products, nor the word 评价 looked for in its
            # records): the brand's best match found, and its reviews summarised
            search = Call(
                "search_products",
                {"query": kind or brands[0], "k": 1, "passages": False, "brands": brands[:1]},
            )
            summary = Call("review_summary", {"product_id": Ref(0, single=True)})
            return Plan("tools", "reviews", [search, summary], tool="review_summary")
        if (
            of_brand
            and "answer_question" in self.registry.tools
            and _asks_of_brand_product(text, brands[0])
        ):
            # "is the Kaiju Steel santoku dishwasher safe?", "Lumen Skin 那款面霜孕妇能用吗": a
            # question of the brand's product of a kind, none of the brand's shown ("那款" is
            # then no product in view) and no name the titles single out: the brand's best
            # matches found, then the question answered of them (not the shop's terms,
            # delivery, gift wrap or an earlier price: "can the Kaiju Steel knife I bought
            # be exchanged?", "will the Sonora speaker arrive by Friday?" ask no record)
            search = Call(
                "search_products",
                {"query": parsed.content or brands[0], "k": ANSWERED_FOUND, "passages": False,
                 "brands": brands[:1]},
            )  # fmt: skip
            answer = Call(
                "answer_question", {"question": text, "product_ids": Ref(0, limit=ANSWERED_FOUND)}
            )
            return Plan("tools", "answer", [search, answer], tool="answer_question")
        ruled = self._ruled(text, parsed, refs, situation)
        if ruled is not None:
            return ruled
        if asks_past_price(text) and (history := self._tool_about(asks_past_price)):
            # "was it cheaper last month?": no record holds an earlier price; a registered
            # tool about earlier prices does (known by its own description, as the rules
            # read the question: a plugin reached without example utterances)
            return self.tool_plan(history, text, parsed, refs, situation)
        if (
            asks_rating(text)
            and state.shown
            and (refs.which or refs.all_shown)
            and "answer_question" in self.registry.tools
        ):  # "which one has better reviews?": their ratings, side by side
            return self.tool_plan("answer_question", text, parsed, refs, situation)
        if self._asks_reviews(text, refs, situation):
            return self.tool_plan("review_summary", text, parsed, refs, situation)
        if (
            asks_price(text)
            and superlative(text)
            and state.shown
            and (refs.any or refs.which)
            and "answer_question" in self.registry.tools
        ):  # "哪个最贵？", "which one is the cheapest?": the prices of the products in view
            return self.tool_plan("answer_question", text, parsed, refs, situation)
        question = bool(_QUESTION.search(text))
        if parsed.ordinals and not state.shown and not refs.products and question:
            # "is the first one adjustable?" before any product was shown: none to ask about
            return Plan("nothing_shown", "answer")
        match = self._route(text)
        in_view = refs.products or (refs.pronoun and state.shown)
        if in_view and any(t == "shop_overview" for t, _ in match.passing):
            # the overview is of the shop, never of a product in view ("第二个之前卖多少钱？",
            # "how much is it?" with products shown)
            passing = tuple(p for p in match.passing if p[0] != "shop_overview")
            match = replace(match, passing=passing, tool=passing[0][0] if passing else None)
        if not refs.any and _PRICE_RANGE.search(text):
            # "price range for coffee makers?", "咖啡机价位多少？": the prices of a kind, from
            # a registered tool about price ranges (known by its own description) or the
            # overview, whatever the router guessed ("price" is close to "price history")
            tool = self._tool_about(_PRICE_RANGE.search) or "shop_overview"
            if tool in self.registry.tools:
                kind, guessed = self.vocabulary.category_in(text, parsed.content, None)
                named = " ".join(w for w in content_words(text) if w.casefold() not in _PRICE_WORDS)
                preset = {"category": kind} if kind and not guessed else {"kind": named or None}
                return self.tool_plan(tool, text, parsed, refs, situation, preset=preset)
        if (
            not refs.any
            and not state.shown
            and asks_rating(text)
            and _BRAND_WORD.search(text)
            and "shop_overview" in self.registry.tools
        ):  # "which brand of headphones is the best?", "什么牌子的蓝牙音箱好": the brands by
            # their buyers' ratings (with products in view, their own ratings: above)
            preset = self._overview_preset(text, parsed)
            if not preset and (rated := _RATED_KIND.search(text)):
                preset = {"kind": next(g for g in rated.groups() if g)}  # "of multimeter"
            preset = {**preset, "rated": True}
            return self.tool_plan("shop_overview", text, parsed, refs, situation, preset=preset)
        if (
            not refs.any
            and _BRANDS_ASKED.search(text)
            and (_TO_SHOP.search(text) or _CARRIES.search(text))
            and "shop_overview" in self.registry.tools
        ):  # "你们店都卖哪些牌子的咖啡机？", "which brands of lamps do you carry?": the overview
            preset = self._overview_preset(text, parsed)
            return self.tool_plan("shop_overview", text, parsed, refs, situation, preset=preset)
        if (
            not refs.any
            and _STOCKS.search(text)
            and parsed.max_price is None
            and parsed.min_price is None
            and not self.vocabulary.brands_in(text)
            and "shop_overview" in self.registry.tools
        ):  # "do you guys sell yoga mats?", "你们家有没有卖吸尘器": whether the shop has a
            # kind, and what of it (brands, prices; or that it has none, and what it has),
            # never of the kind talked about before; "do you sell waterproof boots?" asks
            # for products of a kind it has, a search
            preset = {"category": None, **self._overview_preset(text, parsed)}
            if not (preset["category"] and self.vocabulary.attributes_in(text)):
                return self.tool_plan("shop_overview", text, parsed, refs, situation, preset=preset)
        if (
            question
            and state.shown
            and refs.which
            and _which_on_an_aspect(text)
            and "answer_question" in self.registry.tools
        ):  # "哪个容量更大？", "which has the longest battery?": of the products in view,
            # however near a request for more the words sit (the router's "bigger")
            plan = self.tool_plan("answer_question", text, parsed, refs, situation)
            return replace(plan, firm=True)
        shopping = self._shopping(
            text, parsed, refs, question, match, bool(state.shown), state.slots.category
        )
        if refs.superlative and not question and not shopping:
            # "ok, the cheapest one please": a product in view picked by its price
            return self.tool_plan("product_details", text, parsed, refs, situation)
        if (
            shopping == "weak"
            and match.tool == "recommend_for_shopper"
            and match.passing
            and not _narrows(text, parsed, state)
        ):
            # "just show me stuff picked for me": a kind guessed from "stuff picked" yields
            # to a plain request for the shopper's own picks (not "I'd prefer something
            # bright" of the running shoes in view: that narrows their search)
            parsed.content = ""
            return self.recommend(text, parsed, situation, match)
        if shopping == "strong":
            return self.recommend(text, parsed, situation, match)
        if shopping and not match.offtopic:
            return replace(self.recommend(text, parsed, situation, match), firm=False)
        if match.tool in FINDERS and parsed.intent == "details" and refs.ordinal and not question:
            # "show me the 2nd one": that product's page, though "show me" sounds like a
            # request for picks to the router
            return self.tool_plan("product_details", text, parsed, refs, situation)
        if match.tool in FINDERS:
            if match.tool == "recommend_for_shopper" and not _narrows(text, parsed, state):
                # "anything you think I'd enjoy?": no words to search for; "I'd prefer
                # something Italian" of restaurant cards in view narrows their search
                parsed.content = ""
            return replace(self.recommend(text, parsed, situation, match), firm=False)
        if (
            question
            and (
                (_asks_shop_service(text) and not refs.any)
                # "退货的话运费谁出啊": a service asked about with no product in view
                or (_SERVICE.search(text) and not refs.any and not state.shown)
                # "I bought headphones and they broke, can I get a refund?": "they" are
                # the shopper's own, not a product in view
                or (_about_own_purchase(text) and not refs.products)
            )
            and not (match.passing and match.tool not in PRODUCT_RECORDS)
        ):  # "what's your return policy?", "你们包邮吗？": the shop's own terms, which no
            # product's records hold, and no other tool (a plugin's) answers
            return Plan("abstain", "shop_terms", score=match.score)
        if (
            (asks_what_it_is(text) or asks_maker(text))
            and (state.shown or refs.named)
            and "answer_question" in self.registry.tools
        ):  # "what is the third one about?", "第三本是谁写的？": its records say (tools.qa)
            return self.tool_plan("answer_question", text, parsed, refs, situation)
        if match.passing:
            plan = self._routed(match, text, parsed, refs, situation, question)
            return replace(plan, firm=plan.tool == "answer_question" and _specific(text, refs))
        # "第一个有多长": what kind of thing answers it (a size) is asked, though no word is
        asks = question and bool(
            set(content_terms(text)) - DETAIL_WORDS or answer_kinds(text) or asks_maker(text)
        )
        if parsed.intent == "details" and refs.ordinal and not asks:
            return self.tool_plan("product_details", text, parsed, refs, situation)
        if _HOW_TO.search(text) and _IN_GENERAL.search(text) and not refs.any:
            # "in general, how do you clean leather boots?": care advice, no product's
            return Plan("abstain", "abstain", score=match.score)
        if (
            question
            and (not match.offtopic or (state.shown and _OF_THOSE_IN_VIEW.search(text)))
            and (state.shown or refs.named)
            and "answer_question" in self.registry.tools
        ):  # a question, nothing more specific read: to the records of those in view
            plan = self.tool_plan("answer_question", text, parsed, refs, situation)
            return replace(plan, firm=_specific(text, refs))
        # Without a router (no embedder) the rules read any other message as a request
        # for products, as they always have; so is the answer to "what are you looking for?".
        if self.router is None or state.clarified_last_turn:
            return self.recommend(text, parsed, situation, match)
        if not question and not match.offtopic and _adds_to_search(text, parsed, state):
            return replace(self.recommend(text, parsed, situation, match), firm=False)
        return Plan("abstain", "abstain", score=match.score, firm=False)

    def complete(self, text: str, situation: Situation, parsed: Parsed) -> Plan | None:
        """The call a clarifying question waited for, if this message gives what it
        lacked (else None: the message is read afresh)."""
        pending = situation.state.pending or {}
        tool = pending.get("tool")
        if tool not in self.registry.tools or parsed.intent in ("reset", "greeting"):
            return None
        brands = self.vocabulary.brands_in(text)
        refs = resolve(text, situation.state, situation.seen, self.known_ids, brands)
        plan = self.tool_plan(tool, text, parsed, refs, situation)
        if plan.action != "tools" or self._route(text).tool not in (None, tool):
            return None
        given = {k: v for k, v in pending.get("arguments", {}).items() if v is not None}
        plan.calls[0].arguments = {**plan.calls[0].arguments, **given}
        return plan

    # -- what the rules read -------------------------------------------------------

    def _ruled(
        self, text: str, parsed: Parsed, refs: References, situation: Situation
    ) -> Plan | None:
        intent = parsed.intent
        if intent == "why_not":
            return self._why_not(text, parsed, refs, situation)
        tool = {
            "similar": "similar_products",
            "why": "explain_recommendation",
            "compare": "compare_products",
            "profile": "shopper_profile",
            **dict.fromkeys(FEEDBACK, "record_feedback"),
        }.get(intent)
        if tool is None or tool not in self.registry.tools:
            return None
        if (
            intent == "not_interested"
            and not refs.products
            and self.vocabulary.brands_in(text)
            and (parsed.content or not situation.state.shown)
        ):
            # "帮我爸找双登山鞋，他不喜欢TrailPeak", "I don't like Sonora, show me speakers": a
            # brand not wanted in the search (agent.tracking reads it so), not a product
            # turned down
            return self.recommend(text, parsed, situation, None)
        if (
            tool == "compare_products"
            and not (refs.products or refs.all_shown or refs.pronoun)
            and _IN_GENERAL.search(text)
        ):  # "陶瓷刀和钢刀一般有什么区别？": two kinds in general, no products of the shop
            return Plan("abstain", "abstain")
        if tool == "compare_products" and not (refs.any or situation.state.shown):
            # "what's the difference between a latte and a flat white?": nothing of the
            # shop's in view or named to compare
            return Plan("abstain", "abstain")
        if tool == "compare_products" and not refs.products:
            refs.ordinal = situation.state.shown[:2] if not refs.all_shown else []
        preset = {"kind": intent} if tool == "record_feedback" else {}
        plan = self.tool_plan(tool, text, parsed, refs, situation, preset=preset)
        if tool == "record_feedback":
            plan.intent = intent
        if tool == "similar_products" and parsed.cheaper and plan.calls:
            # "anything similar to the second but cheaper?": below its price
            like = self.by_id.get(plan.calls[0].arguments.get("product_id", ""))
            if like is not None and like.price is not None:
                plan.calls[0].arguments["max_price"] = round(like.price - 0.01, 2)
        return plan

    def _asks_reviews(self, text: str, refs: References, situation: Situation) -> bool:
        """ "What do reviewers complain about?", "第二个有什么缺点？": what buyers say of a
        product in view as a whole, with nothing more specific asked ("any complaints
        about the battery?" is a question its reviews may answer)."""
        if "review_summary" not in self.registry.tools:
            return False
        ids = refs.products or situation.state.shown
        if not ids:
            return False
        # the products in view, or named by the message ("what are runners saying about
        # the Ridgeway Lite 500?"), whose names point at them
        known = {p.id: p for p in situation.seen} | {
            i: self.by_id[i] for i in ids if i in self.by_id
        }
        return reviews_in_general(text, [known[i] for i in ids if i in known])

    def _why_not(self, text: str, parsed: Parsed, refs: References, situation: Situation) -> Plan:
        named = refs.products
        if named:
            call = Call("why_not_shown", {"product_id": named[0]})
            return Plan("tools", "why_not", [call], tool="why_not_shown")
        brands = self.vocabulary.brands_in(text)
        words = re.sub(r"\b(?:why|not|no|didn'?t|you|show|me|any|the|ones?)\b", " ", parsed.content)
        words = re.sub(r"为什么|没有|不推荐|没推荐|不是|的", " ", words).strip()
        query = " ".join(x for x in (words, situation.state.slots.category or "") if x).strip()
        if not (brands or words):
            return Plan("tools", "why_not", [], tool="why_not_shown", missing=["product_id"])
        if not situation.has_search:
            category = situation.state.slots.category
            found = next(
                (
                    p.id
                    for p in self.catalog
                    if p.brand in brands and (not category or category in p.categories)
                ),
                None,
            )
            calls = [Call("why_not_shown", {"product_id": found})] if found else []
            return Plan("tools", "why_not", calls, tool="why_not_shown")
        # the words besides the brand's ("为" of 为什么 left alone is none)
        rest = " ".join(w for w in without_names(brands, words).split() if len(w) > 1)
        if brands and not rest:
            # "为什么没有推荐Lumen Skin的？": one of the brand's among those shown is
            # that one (it was shown, as the reply says); else the brand's best match
            # for what was asked (its face cream for sensitive skin), not its best
            # match for its own name
            state = situation.state
            ours = [i for i in state.shown if i in self.by_id and self.by_id[i].brand in brands]
            if ours:
                call = Call("why_not_shown", {"product_id": ours[0]})
                return Plan("tools", "why_not", [call], tool="why_not_shown")
            query = search_text(state) or query
        search = Call(
            "search_products",
            {"query": query or brands[0], "k": 1, "passages": False, "available_only": False},
        )
        if brands:
            search.arguments["brands"] = brands[:1]
        explain = Call("why_not_shown", {"product_id": Ref(0, single=True)})
        return Plan("tools", "why_not", [search, explain], tool="why_not_shown")

    def _choose(self, named: list[Product]) -> Plan:
        """Several products fit the name the shopper gave: show them to choose from."""
        ids = [p.id for p in named]
        call = Call("recommend_for_shopper", {"k": len(ids), "candidates": ids})
        return Plan("tools", "choose", [call], tool=None)

    def _routed(
        self,
        match: RouteMatch,
        text: str,
        parsed: Parsed,
        refs: References,
        situation: Situation,
        question: bool = False,
    ) -> Plan:
        """The nearest passing tool whose required arguments the message and the state
        can fill ("where is my order 48213?" goes to the tool that takes an order
        number, not to one that needs a product when none is shown); else the nearest.
        A question about a product in view that asks something specific ("does the
        first one have a hood?") is a question to answer, not a request for its page."""
        passing = list(match.passing)
        # "第一个有多长": what kind of thing answers it (a size) is asked, though no word is
        asks = question and bool(
            set(content_terms(text)) - DETAIL_WORDS or answer_kinds(text) or asks_maker(text)
        )
        if (
            asks
            and "answer_question" in self.registry.tools
            and (
                (passing[0][0] == "product_details" and refs.any)
                # "能测心率吗？" of the products in view says nothing of reviews: a
                # question for its records, though it sounds like "买家怎么说？"
                or (
                    passing[0][0] == "review_summary"
                    and (refs.any or situation.state.shown)
                    and not _REVIEW_WORD.search(text)
                )
                # "第一个和第三个哪个音质更好 大家评价怎么说": one product's summary cannot
                # say which of two is better; their records can, side by side
                or (passing[0][0] == "review_summary" and len(refs.products) > 1)
                # "能在实体店用吗？" of the gift cards in view asks whether they can, not
                # what the shop sells (a "store" heard in it)
                or (
                    passing[0][0] == "shop_overview"
                    and situation.state.shown
                    and is_polar(text)
                    and not parsed.asks_catalog
                )
            )
        ):
            passing.insert(0, ("answer_question", passing[0][1]))
        plans = []
        for tool, score in passing:
            if tool in FINDERS:
                continue
            preset = self._overview_preset(text, parsed) if tool == "shop_overview" else None
            plan = self.tool_plan(tool, text, parsed, refs, situation, "router", score, preset)
            if plan.action == "tools":
                return plan
            plans.append(plan)
        if plans:
            return plans[0]
        return self.recommend(text, parsed, situation, match)

    def _drop_kind(self, text: str, state: DialogueState) -> str | None:
        """The message without "forget the shoes" / "鞋子不看了" when what it drops is the
        kind being shopped for (that kind, its words and attributes then cleared); else
        None."""
        said = _FORGET.search(text)
        s = state.slots
        if said is None or s.category is None:
            return None
        what = said.group("what") or said.group("zh") or said.group("zh2") or ""
        kind, _ = self.vocabulary.category_in(what, what, None)
        same = kind is not None and (
            kind == s.category
            or any(kind in p.categories and s.category in p.categories for p in self.catalog)
        )
        if not same:
            return None
        s.category, s.category_guessed, s.query = None, False, ""
        s.attributes, s.use = [], None
        s.request_turn = state.turns
        return (text[: said.start()] + " " + text[said.end() :]).strip(" ,.;，。；")

    def _overview_preset(self, text: str, parsed: Parsed) -> dict[str, Any]:
        """The overview's scope: a category the message names, else a kind it asks the
        shop for that no category holds ("do you sell bikes?": none, then the shop)."""
        category, _ = self.vocabulary.category_in(text, parsed.content, None)
        for part in parsed.content.split() if not category else ():
            # one run of the words at a time ("你们家登山靴都有哪些牌子 哪个牌子评分最高"):
            # the other's words are not averaged into the guess
            category, _ = self.vocabulary.category_in(part, part, None)
            if category:
                break
        if category:  # named, or guessed from the words ("what range of knives")
            return {"category": category}
        named = named_kind(text) if parsed.request else ""
        return {"kind": named} if named else {}

    def _fillable(
        self, reads: Callable[[str], bool], text: str, parsed: Parsed, refs, situation
    ) -> Plan | None:
        """The plan of the first registered tool (not a built-in) whose description
        `reads` recognises and whose arguments the message and state fill."""
        for tool in self._tools_about(reads):
            plan = self.tool_plan(tool, text, parsed, refs, situation)
            if plan.action == "tools":
                return plan
        return None

    def _takes(self, word: str) -> str | None:
        """The one registered tool with a parameter named for `word` ("order_id")."""
        found = [
            t.name
            for t in self.registry.tools.values()
            if any(word in name for name in t.parameters.get("properties", {}))
        ]
        return found[0] if len(found) == 1 else None

    def _tool_about(self, reads: Callable[[str], bool]) -> str | None:
        """The first registered tool (not a built-in) whose own description `reads`
        recognises: the rule that recognised the message recognises the tool for it."""
        return next(iter(self._tools_about(reads)), None)

    def _tools_about(self, reads: Callable[[str], bool]) -> list[str]:
        return [
            t.name
            for t in self.registry.tools.values()
            if t.source != "builtin" and reads(t.description)
        ]

    def _shopping(
        self,
        text: str,
        parsed: Parsed,
        refs: References,
        question: bool,
        match: RouteMatch | None = None,
        shown: bool = True,
        current: str | None = None,
    ) -> str:
        """ "strong" when the rules read a request for products (a budget, a change of
        mind about the list, the catalog's own words: a category, a brand, an attribute),
        "weak" when only a category guessed from the words suggests one, else ""."""
        if (
            self.vocabulary.brands_in(text)
            and (_FROM_BRAND.search(text) or parsed.instead or parsed.refine)
            and not (refs.ordinal or refs.superlative or refs.explicit)
        ):
            return "strong"  # "anything from Orbit or Sonora instead?": though one is in view
        if (
            refs.any
            and (question or refs.ordinal or refs.superlative or refs.explicit)
            and not (parsed.cheaper and not question)  # "the first one is too expensive"
        ):
            return ""  # about a product in view
        if (parsed.asks_catalog or parsed.request) and _SERVICE.search(parsed.content):
            return ""  # "do you have free shipping?", "I need a refund": no product asked for
        if _WRITING.search(text):
            return ""  # "can you write me a review for the headphones I bought?": a task
        if _HOW_TO.search(text) and not refs.any:
            return ""  # "how does one properly clean a yoga mat?": care, not shopping
        if _about_own_purchase(text) and not (refs.ordinal or refs.explicit or refs.superlative):
            # "上个月买的音箱坏了，怎么申请保修？", "my last order from Auralis came scratched":
            # after-sales (a brand in view named is the one bought before), not a new speaker
            return ""
        if _USED_TO_BUY.search(text) and shown and question:
            return ""  # "能用来买Kindle电子书吗？": what a card in view buys, not ebooks
        if _asks_for_goods(text, parsed, self.vocabulary) and not refs.products:
            # "do you have water bottles?", "I need a pH meter": a search (its reply says
            # so when nothing of the kind is carried: agent.present); not "do you have a
            # return policy?", a question a tool other than search answers
            # (the shop's overview is no such tool: "do you sell soldering irons?" is a
            # search, whose reply says when the shop has none)
            other = (
                match is not None
                and match.passing
                and match.tool not in (*FINDERS, "shop_overview")
                # "有雨衣吗？" with nothing shown: no product of whose records to ask it
                and (shown or refs.any or match.tool not in PRODUCT_RECORDS)
            )
            return "" if other else "strong"
        # "I'd like it from Pulsewear", "It should be leather": a statement's "it" and
        # brand are the wanted product, not one in view.
        v = self.vocabulary
        if not refs.any and _about_goods(text, v, current):
            return "strong"  # "what about backpacks?", "黑色的呢": more products, of that
        if (
            parsed.max_price is not None
            or parsed.min_price is not None
            or parsed.cheaper
            or parsed.exclude_last_brand
            or parsed.others
            or parsed.refine
            or parsed.recipient  # "what about for my husband?": the list for someone else
            or (parsed.instead and parsed.content and not refs.products)  # "a bottle instead"
            or v.named_category(text)
            or (v.brands_in(text) and not refs.looked_up)
            or v.attributes_in(text)
            or (parsed.request and v.kinds_in(parsed.content))  # "I need a pH meter"
            or (shown and not refs.any and sizes_asked(text))  # "actually XL please"
        ):
            return "strong"
        if _TASK.search(text):
            return ""  # "play some music": a task, though "music" sounds like speakers
        if (
            _SHOP_VERB.search(text)
            and not refs.looked_up
            and parsed.content
            and (
                v.kinds_in(parsed.content)
                or _catalog_words(parsed.content, v)
                or v.guess_category(parsed.content)
            )
        ):
            return "weak"  # "what soldering iron would you suggest?": asked, yet shopping
        if not question and parsed.content and v.guess_category(parsed.content):
            return "weak"
        if not question and parsed.language == "zh" and _zh_head_kind(parsed.content, v):
            return "weak"  # "适合通勤的雨衣": a Chinese phrase ends on what it names
        if not question and _catalog_words(parsed.content, v):
            return "weak"  # "cleaner lubricant": words of the catalog's own titles
        if _SHOP_VERB.search(text) and not parsed.content and not refs.looked_up:
            return "strong"  # shopping, nothing named yet
        return ""

    def _route(self, text: str) -> RouteMatch:
        if self.router is None:
            return RouteMatch(None, 0.0, None, 0.0)
        return self.router.route(text)

    # -- plans -------------------------------------------------------------------------

    def tool_plan(
        self,
        tool: str,
        text: str,
        parsed: Parsed,
        refs: References,
        situation: Situation,
        source: str = "rules",
        score: float | None = None,
        preset: dict[str, Any] | None = None,
    ) -> Plan:
        """One call of `tool` with its arguments filled from the message and state
        (`preset`: arguments the rules already know)."""
        state = situation.state
        definition = self.registry.get(tool)
        focus = state.focus or (state.shown[0] if state.shown else None)
        if refs.unresolved and not refs.products:
            focus = None  # "product 7": a product the conversation does not know
        reading = Reading(text, parsed, state, refs, focus, self.flag)
        filled = fill(definition, reading, preset or {})
        intent = _INTENTS.get(tool, tool)
        if filled.missing:
            needs_product = {"product_id", "product_ids"} & set(filled.missing)
            action = "nothing_shown" if needs_product and not state.shown else "clarify"
            if refs.unresolved and definition.writes:
                action = "refuse"
            return Plan(action, intent, tool=tool, missing=filled.missing, source=source,
                        score=score, note=", ".join(refs.unresolved))  # fmt: skip
        call = Call(tool, filled.arguments, explicit=True)
        calls = [call]
        if tool in FANS_OUT and len(refs.products) > 1 and "product_id" in filled.arguments:
            # "第一个和第三个大家评价怎么样": what buyers say of each product named, in turn
            calls = [
                Call(tool, {**filled.arguments, "product_id": pid}, explicit=True)
                for pid in refs.products[:MAX_FANNED]
            ]
        args = filled.arguments
        asked = [args["product_id"]] if "product_id" in args else args.get("product_ids")
        # "what do people say about the fit?", "does it come with a warranty?" right after a
        # list: no product said, nor one talked about since, so the first is guessed
        guessed = not (refs.products or refs.all_shown) and state.focus is None
        guessed = guessed and len(state.shown) > 1
        guessed = guessed and asked == [focus] and len(calls) == 1
        return Plan("tools", intent, calls, source=source, tool=tool, score=score, guessed=guessed)

    def recommend(
        self,
        text: str,
        parsed: Parsed,
        situation: Situation,
        match: RouteMatch | None = None,
        source: str | None = None,
    ) -> Plan:
        """Fold the message into the constraints and plan the calls that find products."""
        state = situation.state
        shown = [p for p in situation.seen if p.id in state.shown]
        update_slots(state, parsed, text, self.vocabulary, self.currency, shown)
        s = state.slots
        if (
            s.is_vague()
            and not situation.has_history
            and not state.clarified_last_turn
            and s.max_price is None
        ):
            state.clarified_last_turn = True
            return Plan("clarify", "clarify", tool="recommend_for_shopper")
        calls = self.recommend_calls(state, situation)
        tool = calls[0].tool
        if source is None:
            source = "router" if match is not None and match.tool in FINDERS else "rules"
        return Plan("tools", "recommend", calls, source=source, tool=tool)

    def other_gender(self, state: DialogueState) -> list[str]:
        """The words that mark a product for the other gender than the recipient's
        ("men's", "男款" for a sister), where the catalog's titles use them; else none."""
        gender = GENDER_OF_RECIPIENT.get(state.slots.recipient or "")
        if gender is None or not self.marks_gender(gender, state.slots.category):
            return []
        return list(OTHER_GENDER[gender])

    def marks_gender(self, gender: str, category: str | None = None) -> bool:
        """Whether the catalog's titles mark products for the other gender than `gender`
        (in at least MIN_GENDERED_TITLES of them) by a word that says whom a product is
        for ("men's", "Womens", "女款"): a gift card for a dad is no men's card, and
        "men's" as a search word found a barber's card for "loves fishing"; "Marked Men
        Novel", "City of Women" or a "Female" pipe fitting mark none. Within `category`
        when one is chosen: a coffee maker for a dad is no men's one, though the shop's
        shoes and jackets are marked."""
        if self._gendered is None:
            self._gendered, self._gender_table = {}, ProductTable(self.catalog)
        key = f"{gender}\t{category or ''}"
        if key not in self._gendered:
            table = self._gender_table
            scope = ProductFilter(categories=[category] if category else [])
            marked = ProductFilter(
                categories=scope.categories, exclude_title_words=GENDER_MARKS[gender]
            )
            count = int(table.mask(scope).sum()) - int(table.mask(marked).sum())
            self._gendered[key] = count >= MIN_GENDERED_TITLES
        return self._gendered[key]

    def recommend_calls(
        self,
        state: DialogueState,
        situation: Situation,
        cheapest: bool = False,
        k: int | None = None,
        unpriced: bool = False,
        gendered: bool = True,
    ) -> list[Call]:
        """Search for candidates and order them for the shopper; without words to search
        for, the recommender alone. `cheapest`: the budget let go, the products that
        match the rest, lowest prices first (the closest over a budget nothing meets).
        (The explanations read each shown product's own passages: agent.needs.)"""
        s = state.slots
        k = k or self.k
        filters = {
            "max_price": None if cheapest or not self.priced else s.max_price,
            "min_price": s.min_price if self.priced else None,
            "category": s.category,
            "brands": s.brands or None,
            "exclude_brands": s.exclude_brands or None,
            "avoid_words": s.avoid or None,
        }
        filters = {k: v for k, v in filters.items() if v is not None}
        if unpriced and ("max_price" in filters or "min_price" in filters):
            filters["unpriced"] = True  # products listing no price pass the budget
        if gendered and (other := self.other_gender(state)):
            # a gift for a sister: no men's shoes (unisex ones, saying both, stay)
            filters["exclude_words"] = other
            own = GENDER_OF_RECIPIENT[s.recipient or ""]
            filters["keep_words"] = [*GENDER_WORDS[own], *GENDER_WORDS["unisex"]]
        gender = GENDER_OF_RECIPIENT.get(s.recipient or "")
        query = search_text(
            state, gendered=gender is not None and self.marks_gender(gender, s.category)
        )
        if not situation.has_search or not (query or s.category):
            args = {"k": k, **filters}
            if cheapest or s.by_price:
                args["cheapest"] = True
            return [Call("recommend_for_shopper", args)]
        text = query or s.category or ""
        # the budget kept, lowest prices first, when the shopper asked for that order
        order = {"cheapest": True} if cheapest or s.by_price else {}
        search = {"query": text, "k": SEARCH_K, "passages": False, **filters}
        if len(parts := search_parts(state, query)) >= 2:
            search["parts"] = parts
        calls = [
            Call("search_products", search),
            Call("recommend_for_shopper", {"k": k, "candidates": Ref(0), **filters, **order}),
        ]
        return calls


_INTENTS = {
    "product_details": "details",
    "compare_products": "compare",
    "shopper_profile": "profile",
    "explain_recommendation": "why",
    "why_not_shown": "why_not",
    "record_feedback": "feedback",
    "answer_question": "answer",
    "review_summary": "reviews",
    "similar_products": "similar",
}

# Titles marking a gender, at least, for a catalog to tell products apart by it
MIN_GENDERED_TITLES = 3
# The title words that mark a product for one gender.
GENDER_WORDS = {
    "men's": ("men's", "mens", "men", "male", "男款", "男士", "男式", "男性"),
    "women's": ("women's", "womens", "women", "ladies", "ladies'", "female", "女款", "女士",
                "女式", "女性"),
    "unisex": ("unisex", "中性"),
}  # fmt: skip
# ... and those a recipient of one gender rules out
OTHER_GENDER = {"women's": GENDER_WORDS["men's"], "men's": GENDER_WORDS["women's"]}
# ... of which those that say whom a product is for, where a catalog uses them: the
# others ("men", "female") also name what a product is about or how it fits
GENDER_MARKS = {
    "women's": ("men's", "mens", "男款", "男士", "男式"),
    "men's": ("women's", "womens", "ladies", "ladies'", "女款", "女士", "女式"),
}

GENDER_OF_RECIPIENT = {
    **dict.fromkeys(
        ["husband", "dad", "father", "son", "boyfriend", "brother", "grandpa", "nephew",
         "uncle", "grandson", "老公", "爸爸", "儿子", "男朋友", "哥哥", "弟弟", "爷爷", "侄子",
         "外甥", "叔叔", "舅舅", "公公", "岳父", "老爸", "父亲", "丈夫", "外公", "姥爷", "爸"],
        "men's",
    ),
    **dict.fromkeys(
        ["wife", "mom", "mum", "mother", "daughter", "girlfriend", "sister", "grandma",
         "niece", "aunt", "granddaughter", "老婆", "妈妈", "女儿", "女朋友", "姐姐", "妹妹",
         "奶奶", "侄女", "外甥女", "阿姨", "姑姑", "婆婆", "岳母", "老妈", "母亲", "媳妇",
         "妻子", "太太", "外婆", "姥姥", "妈"],
        "women's",
    ),
}  # fmt: skip


# A request that the assistant do something other than shop: "tell me a joke", "唱首歌".
_TASK = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:tell|sing|play|write|translate|calculate"
    r"|compute|book|call|text|email|remind|set|open|read|recite|draw|solve|summari[sz]e"
    r"|define|teach|explain)\b"
    r"|^\s*(?:请|麻烦)?你?(?:帮我|给我)?(?:讲|唱|播放|翻译|算一下|订|打电话|提醒|念|画|总结"
    r"|说(?:个|一个|一下)|放(?:一?首|点)|写(?:一|个|首|篇|封))",
    re.I,
)


# How many turns after a request for products a statement still narrows its search
SEARCH_FOLLOWS = 3


def _adds_to_search(text: str, parsed: Parsed, state: DialogueState) -> bool:
    """A statement that describes the product, said soon after products were shown for
    a request ("Long race-day distances.", "颜色越深越好，低调不显脏。"): a need in the
    shopper's words, with no catalog word in it, that narrows the search going on. Not
    a request that the assistant do something else ("tell me a joke", "讲个笑话吧")."""
    # the products in view were found for a request of one of the last messages, those
    # after it questions about them ("which of these has the most locations?", then
    # "something Italian")
    asked = [turn for turn, _, products in state.said[:-1] if products]
    searching = (
        bool(asked)
        and state.turns - asked[-1] <= SEARCH_FOLLOWS
        and bool(state.shown)
        and not state.slots.is_vague()
    )
    service = (parsed.asks_catalog or parsed.request) and _SERVICE.search(parsed.content)
    task = _TASK.search(text) or _WRITING.search(text)
    # "my last order came with a scratched case": after-sales, not the product wanted
    after_sales = _about_own_purchase(text)
    return searching and bool(parsed.content) and not (task or service or after_sales)


def _narrows(text: str, parsed: Parsed, state: DialogueState) -> bool:
    """A message the router reads as a wish for the shopper's own picks that narrows the
    search going on instead ("I'd prefer something bright" of running shoes in view);
    not one about the picking itself ("just show me stuff picked for me")."""
    return _adds_to_search(text, parsed, state) and not _OWN_PICKS.search(text)


# The picking asked for is the assistant's, for this shopper
_OWN_PICKS = re.compile(
    r"\bfor me\b|\byou think\b|\byou(?:'d| would)\s+(?:pick|choose|go for)\b|\bsuits? me\b"
    r"|\bi (?:might|may|would|could) (?:like|love|enjoy)\b|适合我|你觉得|给我挑|帮我挑",
    re.I,
)


def search_text(state: DialogueState, gendered: bool = True) -> str:
    """The words searched for: the request, its use, and (softly) a gift's gender where
    the catalog marks genders (`gendered`). The names of brands asked for are left out:
    they filter already, and as search words they weigh alike on every product of the
    brand, blurring what tells them apart."""
    s = state.slots
    gender = GENDER_OF_RECIPIENT.get(s.recipient or "") if gendered else None
    query = s.query
    for brand in s.brands:
        named = brand_pattern(brand)
        if named is not None:
            query = named.sub(" ", query)
    # each word once: a use said as a search word too ("for my office") is not doubled
    words = [*query.split(), *(s.use or "").split(), *(gender or "").split()]
    return " ".join(dict.fromkeys(words))


_WORD = re.compile(r"[\w'-]+")


def search_parts(state: DialogueState, query: str) -> list[str]:
    """The searched words by the message of the request that said them, oldest first
    (this turn's message last), and those no message said (a gift's gender) as a
    last part: search scores a product on each (tools.discovery.search_products)."""
    words = query.split()
    messages = state.request(since_kind=True)
    if state.said and state.said[-1][0] == state.turns and not state.said[-1][2]:
        messages.append(state.said[-1][1])  # this turn's, not yet marked as a request
    parts, used = [], set()
    for message in messages:
        said = message.casefold()
        said_words = set(_WORD.findall(said))  # "men's" is no word of "women's"
        part = [w for w in words if (w.casefold() in said_words if w.isascii() else w in said)]
        if part:
            parts.append(" ".join(part))
            used.update(part)
    if rest := [w for w in words if w not in used]:
        parts.append(" ".join(rest))
    return parts


# What a shop offers besides its products: asked about, it is no search for products.
_SERVICE = re.compile(
    r"\b(?:polic(?:y|ies)|shipping|delivery|refunds?|returns?|warrant(?:y|ies)|guarantee"
    r"|discounts?|coupons?|promo(?:tion)?s?|codes?|hours|accounts?|orders?|payments?"
    r"|installments?|price match(?:ing)?|gift wrap(?:ping)?|exchang(?:es?|ed)|paypal|pay pal"
    r"|credit cards?|debit cards?|cash on delivery|checkout|apple pay|send (?:it|them) back"
    r"|(?:physical|retail|brick[- ]and[- ]mortar) (?:stores?|shops?|locations?))\b"
    r"|退货|退款|退换|换货|运费|包邮|配送|快递|发货|发票|优惠|保修|质保|售后|折扣|分期|积分"
    r"|实体店|门店|线下店"
    r"|付款|支付|货到付款|信用卡",
    re.I,
)


# Asks what a kind of product costs in the shop, not for products: "price range for
# coffee makers", "what do your yoga mats cost?", "咖啡机的价格区间".
_PRICE_RANGE = re.compile(
    r"\bprice (?:range|ranges|points?|spread)\b|\brange of prices\b"
    r"|\bhow (?:much|expensive) (?:are|do|does) (?:your |the )?\w+(?: \w+)?"
    r"(?: (?:cost|run|go))?\W*$"
    r"|\bwhat do (?:your |the )?\w+(?: \w+)? (?:cost|run|go for)\b"
    r"|价格区间|价格范围|价位|价格带|一般多少钱|大概多少钱",
    re.I,
)

_PRICE_WORDS = frozenset((
    "price", "prices", "pricing", "range", "ranges", "point", "points", "spread", "much",
    "expensive", "cost", "costs", "run", "go",
    "价格", "区间", "范围", "价位", "价格带", "一般", "大概", "多少", "钱", "多少钱",
))  # fmt: skip

# The tools that answer from a product's own records: none holds the shop's terms.
PRODUCT_RECORDS = frozenset({"answer_question", "review_summary", "product_details"})
# Tools of one product that a message naming several asks of each (one call a product).
FANS_OUT = frozenset({"review_summary"})
MAX_FANNED = 3

# The shop addressed as such: "your return policy", "do you ship", "你们包邮吗".
_TO_SHOP = re.compile(
    r"\b(?:you|your|yours|y'all|u|ur|shop|shop's|store|store's|site|website)\b"
    r"|你们|您们|贵店|本店|店里|店家|店铺|商家|卖家|客服",
    re.I,
)


# Asked to write or translate something: a task, whatever product it names.
_WRITING = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:write|translate|draft|compose|rewrite)\b"
    r"|(?:帮我|请|给我)(?:把[^，。！？]{0,12})?(?:写|翻译|起草)|翻译成"
    # asked to remember something for next time: no tool keeps notes
    r"|^\s*(?:please\s+)?(?:remember|memori[sz]e|note down|keep in mind)\b|记住|帮我记一下",
    re.I,
)
# The whole page of a product asked for, not one fact of it.
_WHOLE_PAGE = re.compile(
    r"\b(?:full|whole|entire|complete) (?:page|listing|details|specs|rundown|description"
    r"|information|info)\b"
    r"|\ball (?:the )?(?:details|specs|info)\b|\ball of it\b|\beverything about\b"
    r"|完整(?:的)?(?:页面|信息|参数|详情)|全部(?:的)?(?:信息|参数|详情)",
    re.I,
)
# How long delivery takes: "加急的话几天能到", "when would it get here?"; and the words
# of a tool's description that say it answers that.
_DELIVERY_TIME = re.compile(
    r"\bhow (?:long|soon|fast|quickly)\b[^.?!]*\b(?:ship\w*|deliver\w*|arriv\w*|get here"
    r"|get (?:it )?to (?:me|us|you)|reach (?:me|us))\b"
    r"|\b(?:delivery|shipping) (?:time|times|window)\b"
    r"|\bhow many days?\b[^.?!]*\b(?:ship\w*|deliver\w*|arriv\w*|come|get here)\b"
    r"|\bwhen (?:would|will|could|can|does|do)\b[^.?!]*\b(?:arrive|get here|be delivered)\b"
    r"|\b(?:get (?:there|here)|arrive|be (?:there|here|delivered))\s+(?:by|before|in time)\b"
    r"|\b(?:what|how) about (?:the )?(?:delivery|shipping)\b|\bnext[- ]day\b"
    r"|\b(?:have|get|receive)\b[^.?!]{0,40}\b(?:by|before) (?:then|the \d+(?:st|nd|rd|th)?"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
    r"|次日达|当日达|隔日达|(?:配送|发货|到货)呢|(?:要|得|需要)几天"
    r"|(?:下单|寄|送|发货|到)[^，。？！,.?!]{0,8}(?:能|可以)?(?:赶得?上|来得及)"
    r"|几天(?:能|可以|就能|就)?(?:到|送到|到货|发货)|多久(?:能|可以|就能)?(?:到|送到|到货|发货)"
    r"|什么时候(?:能|可以)?(?:到|送到|到货|发货)",
    re.I,
)
_DELIVERY_TOOL = re.compile(r"\b(?:shipping|delivery|deliver)\b", re.I)
# The shopper's reward points, and the words of a tool's description that say it holds them.
_POINTS = re.compile(
    r"积分|(?:累积|累计|攒)了?(?:多少)?点数"
    r"|\b(?:reward|loyalty|bonus) (?:points?|credits?)\b|\bmy points\b"
    r"|\bpoints? balance\b",
    re.I,
)
_POINTS_TOOL = re.compile(r"\bpoints?\b", re.I)
# Gift wrap or a note with a product in view ("can it come wrapped with a note?", "能附张
# 卡片写几句话吗", "能包好看点再写张卡片不"), and the words of a tool's description that say it
# does that.
_WRAP = re.compile(
    r"\bgift[- ]?wrap|\b(?:be|get|come|came|have|had)(?: it| them)? (?:gift[- ])?wrapped\b"
    r"|\bwrap (?:it|them|this|that)(?: up| as a gift| for| with| and (?:add|include|put))\b"
    r"|\bwrap (?:the|my) (?:first|second|third|last|\w+ one)\b"
    r"|\bgift (?:note|message)s?\b|\b(?:add|include|attach|write) (?:a |an )?(?:little |short )?"
    r"(?:card|note|message) (?:to|with|for|in)\b"
    r"|[附写](?:上|带)?(?:一)?张?(?:卡片|贺卡)|贺卡|礼盒|包装(?:一下|得?好看|成礼物)|礼品包装"
    r"|包(?:得)?(?:好看|漂亮)|包成礼物"
    r"|(?:送|礼物)[^。？?！!]{0,15}?(?:能|可以|帮忙)?包装吗",
    re.I,
)
_WRAP_TOOL = re.compile(r"\bwrap", re.I)


ANSWERED_FOUND = 3  # products a question of a brand's product is answered of (found first)
_PRODUCT_MEASURE = r"(?:那|这)(?:款|个|双|件|台|只|把|瓶|支|副|条|套)"


def _asks_of_brand_product(text: str, brand: str) -> bool:
    """A question put of "the" product of a brand ("is the Kaiju Steel santoku dishwasher
    safe?", "does your Orbit watch track sleep?", "Lumen Skin 那款面霜孕妇能用吗"), not a
    request for the brand's products ("do you have Kaiju Steel knives?")."""
    if not _QUESTION.search(text):
        return False
    name = re.escape(brand)
    return bool(
        re.search(
            r"^\s*(?:is|are|does|do|did|can|could|will|would|has|have|was|were)\s+"
            rf"(?:the|this|that|these|those|your)\s+{name}\b",
            text,
            re.I,
        )
        or re.search(rf"{name}\s*的?\s*{_PRODUCT_MEASURE}|{_PRODUCT_MEASURE}\s*{name}", text, re.I)
    )


def _brand_reviews_asked(text: str, brand: str) -> str | None:
    """What buyers say of the brand's product of a kind, asked with nothing more specific
    ("what do reviewers say about the Orbit smartwatch?", "Lumen Skin 那款面霜评价怎么样？",
    "any complaints about the Sonora speaker?"): the kind's word ("" where none is said);
    None for any other message ("do reviewers say the Orbit smartwatch battery lasts?"
    asks the reviews about the battery). The caller checks that the word names a kind
    ("do reviewers say the Orbit one breaks?" asks whether it breaks)."""
    if not (_REVIEWS_ASKED.search(text) or reviewers_asked(text) is not None):
        return None
    cut = _REVIEWS_ASKED.sub(" ", text)
    left = reviewers_asked(cut) or cut
    said = _REVIEWS_GENERIC | set(content_terms(brand))
    rest = [w for w in content_words(left) if not set(content_terms(w)) <= said]
    return " ".join(rest) if len(rest) <= 1 else None


def _asks_of_a_product_besides(text: str) -> bool:
    """Whether a sentence of the message other than one about the shop's terms asks
    something of a product shown ("Is #3?")."""
    return any(
        not _SHOP_TERMS_ONLY.search(sentence)
        and re.search(r"[?？]\s*$", sentence)
        and ordinals(sentence)
        for sentence in re.split(r"(?<=[.!?。！？])\s*", text)
    )


# The shop's terms that no product's record holds: refunds, price matching, ways to pay,
# coupons, the shopper's account.
_SHOP_TERMS_ONLY = re.compile(
    r"\brefund(?:s|ed)?\b|\bprice[- ]match(?:ing)?\b|\bpay ?pal\b|\bapple pay\b"
    r"|\bcoupons?\b|\bpromo codes?\b|\b(?:forgot|reset|change)\b[^.?!]{0,12}\bpassword\b"
    r"|退款|优惠码|优惠券|花呗|分期|付款方式|支付方式|(?:忘|改|重置)[^，。？！]{0,3}密码"
    r"|开(?:个|张)?(?:发票|票)|发票抬头|\b(?:an? |the )?(?:vat )?invoices?\b"
    # a code applied, a price haggled, a repair booked: the shop's, no tool's
    r"|\b(?:apply|use|redeem)\b[^.?!]{0,20}\b(?:discount |promo |coupon |voucher )?code\b"
    r"|砍(?:个|一下|一点)?价|讲价|议价|\bhaggle\b"
    r"|\b(?:book|schedule|arrange)\s+(?:a\s+|an\s+)?repair\b|预约维修|申请维修|送修|报修",
    re.I,
)


# Dropping the kind asked for: "forget the shoes", "never mind the lamps", "鞋子不看了".
_FORGET = re.compile(
    r"\b(?:forget|never ?mind|scratch|enough of)\s+(?:about\s+)?(?:the\s+)?"
    r"(?P<what>[a-z][a-z' -]{1,30}?)(?=\s*(?:[,.;!?]|$|\b(?:and|just|then|now)\b))"
    r"|(?:算了[，,]?)?(?:不要|不看|不买)了?(?P<zh>[\u4e00-\u9fff]{1,6}?)了"
    r"|(?P<zh2>[\u4e00-\u9fff]{1,6}?)(?:就)?(?:不要|不看|不买)了",
    re.I,
)


# A request put right after a list ("no, I said wireless"), and the words that put it
# right (not words to search for).
_CORRECTION = re.compile(r"\bi (?:said|meant|asked for)\b|不是这个意思|我(?:要|说)的是", re.I)
_CORRECTING = re.compile(r"\b(?:no|nope|nah|said|meant|asked for)\b", re.I)
# The shopper's data asked to be deleted or not passed on, another shop asked about, a
# joke or a poem asked for: no tool's, each answered in a sentence. (Privacy as a thing
# sold, "a privacy screen", "防窥隐私膜", is a search.)
_PRIVACY = re.compile(
    r"\b(?:delete|erase|remove|wipe)\b[^.?!]{0,30}\b(?:data|information|info|account"
    r"|personal details|(?:search|purchase|browsing) history|everything you (?:have|know|store))\b"
    r"|\bstop (?:tracking|collecting|storing)\b|\b(?:sell|share|pass)(?:ing)?\b[^.?!]{0,20}"
    r"\bmy (?:data|information|info|history|records?)\b"
    r"|\bprivacy (?:policy|rights)\b|\bmy privacy\b"
    r"|(?:删除|删掉|清除|注销)(?:我的)?(?:数据|记录|信息|账号|账户|历史)|隐私政策|我的隐私|个人信息"
    r"|(?:卖|泄露|分享|提供)给(?:广告|第三方|别人|其他)|(?:不要|别)(?:再)?(?:追踪|跟踪|记录)我",
    re.I,
)
_ELSEWHERE = re.compile(
    r"\b(?:walmart|best ?buy|costco|ebay|aliexpress|temu|other (?:shops?|stores?|sites?"
    r"|websites?|retailers?))\b|京东|淘宝|拼多多|天猫|苏宁|其他(?:店|网站|平台|商家)",
    re.I,
)
_ENTERTAIN = re.compile(
    r"\b(?:tell|know) (?:me )?(?:a |any )?jokes?\b|\bwrite (?:me )?(?:a |an )?(?:poem|song"
    r"|story|limerick|haiku)\b|[讲说]个笑话|写(?:一)?首诗|写个故事",
    re.I,
)
# A question about the assistant itself: what it can do, how to use it.
_ABILITIES = re.compile(
    r"(?:\bwhat (?:else )?(?:can|could|do) you (?:do|help (?:me )?with)"
    r"|\bwhat are you (?:able to do|for|good at)|\bhow (?:does|do) (?:this|it|you) work"
    r"|\bhow (?:do|can|should) i use (?:you|this)|\bwhat can i ask(?: you)?"
    r"|你(?:都)?(?:能|可以|会)(?:帮我)?(?:做|干)(?:些)?(?:什么|啥)|你有(?:什么|哪些)(?:功能|用处)"
    r"|怎么用你|(?:能|可以)帮我(?:做)?(?:些)?(?:什么|啥))"
    # the whole ask: "what can you do for a hiker under 100?" asks for products
    r"(?:\s*(?:for me|here|exactly|then|呢|啊|呀))?\s*[?？!！.。]*\s*$",
    re.I,
)
# A complaint ("really disappointed", "太差劲了"), and the words by which a message asks
# for something (a question, a request) besides.
_COMPLAINT = re.compile(
    r"\b(?:disappointed|disappointing|not happy|unhappy|terrible|awful|horrible|the worst"
    r"|furious|annoyed|ridiculous|unacceptable|fed up)\b"
    r"|太差劲|差劲|气死|失望|坑人|太烂|无语|太坑",
    re.I,
)
_ASKS = re.compile(
    r"[?？]|\b(?:need|want|looking for|show|find|recommend|suggest|get me|replace|replacement"
    r"|another|help|could|can|would|please|how|what|which|where|why)\b"
    r"|想要|想买|需要|推荐|帮|给我|找|换|再买|重新买|吗|呢|怎么|咋|哪|什么|啥|多少|几|能不能|可以"
    r"|有没有",
    re.I,
)
# The shopper's own earlier purchase: "I bought", "my order", "上个月买的".
_OWN_PURCHASE = re.compile(
    r"\bi (?:bought|ordered|purchased)\b"
    r"|\bmy (?:last |latest |recent |previous |other )?(?:order|purchase|parcel|package)\b"
    r"|\b(?:pair|one|item|thing)s? i (?:got|received)\b"
    r"|\border\s*(?:number\s*|no\.?\s*)?#?\s*[A-Za-z]?\d{3,}"
    r"|(?:之前|以前|上个?月|上周|上次|昨天|前天|前几天|刚)(?:买|购买|下单)的|收到的",
    re.I,
)
# Asked to change an order, which no tool does: "cancel order 77120", "退掉订单".
_CHANGES_ORDER = re.compile(
    r"\b(?:cancel\w*|change|modify|amend|return|refund\w*|exchange|reschedul\w*|postpone|redirect)\b"
    r"|取消|修改|改(?:成|到|为|地址|时间|一下)|推迟|延后|退(?:掉|货|款)|换货",
    re.I,
)
_ORDER_WORD = re.compile(r"\border\b|订单|单子", re.I)
_IN_GENERAL = re.compile(r"\bin general\b|\bgenerally\b|一般|通常", re.I)
# How to look after or use a kind of product, or make something with it ("拿铁怎么做啊，家里
# 刚有台咖啡机"), asked in general: no search for one.
_HOW_TO = re.compile(
    r"(?:^|[,;.:]\s*)how (?:do|does|can|should|would) (?:i|one|you|we) (?:properly |best )?"
    r"(?:clean|wash|fix|repair|descale|sharpen|reset|care for|look after|maintain|store"
    r"|dry|charge|pair|set up|break in|make(?!\s+(?:sure|certain)\b)|brew|cook)\b"
    r"|(?:怎么|如何|怎样)(?:才能)?(?:清洗|清洁|洗|除垢|保养|修理|修|磨|重置|存放|晾干|充电|配对|做|煮)",
    re.I,
)
# An order number: "order 48213", "订单号A7731", "我的单子#40512", "我那单 SO-88213", "order
# TX-90211".
_ORDER_NUMBER = re.compile(
    r"(?:\border|订单|单号|单子|(?<=[我那这的])单)\s*(?:number|no\.?|ref(?:erence)?\.?|id|号)?\s*"
    r"(?:is\s*)?[:：#]?\s*"
    r"(?:[A-Za-z]{1,3}-?)?\d[\w-]{3,}",
    re.I,
)
# Asking which brands the shop has ("which brands of lamps", "哪些牌子").
# The kind whose brands are asked about: "which brand of multimeter is best?", "best
# oscilloscope brand", "什么牌子的示波器好"
_RATED_KIND = re.compile(
    r"\b(?:brands?|makes?)\s+of\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+(?:is|are|'s)\b"
    r"|\b(?:best|better)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+brands?\b"
    r"|(?:牌子|品牌)的([\u4e00-\u9fff]{1,6}?)(?:更|最|比较)?(?:好|靠谱)",
    re.I,
)
_BRAND_WORD = re.compile(r"\b(?:brand|brands|make|makes)\b|牌子|品牌", re.I)
_BRANDS_ASKED = re.compile(
    r"\b(?:what|which) (?:brands|makes)\b|哪些(?:牌子|品牌)|(?:什么|啥)(?:牌子|品牌)"
    r"|几个(?:牌子|品牌)",
    re.I,
)
# Whether the shop carries a kind of product at all: "do you guys sell bikes?", "what
# kind of coffee makers do you stock?", "你们家有没有卖吸尘器".
_STOCKS = re.compile(
    r"\bdo (?:you|y'?all|u)(?: guys| folks| people)? (?:even |also )?(?:sell|stock|carry)\b"
    r"|\bwhat (?:kinds?|sorts?|types?|range) of\b[^?.!]{1,30}\b(?:do|does) (?:you|your shop|"
    r"the shop)(?: guys)? (?:sell|stock|carry|have)\b"
    r"|(?:你们|你家|您家|店里|贵店)[家店]?里?(?:有没有|有)?(?:卖不卖|卖)(?![的得])",
    re.I,
)
_CARRIES = re.compile(r"\b(?:sell|carry|stock|have|got|offer)\b|卖|有", re.I)
# Products of a brand asked for: "anything from Orbit?", "ones by Sonora".
_FROM_BRAND = re.compile(
    r"\b(?:any(?:thing)?|something|ones?|stuff|others?|products?)\s+(?:from|by)\b", re.I
)


# The products in view, pointed at together: "they", "these", "这几个".
_THEM = re.compile(r"\b(?:they|them|these|those)\b|它们|这些|这几(?:个|款|双|件)", re.I)


# "能用来买…吗", "可以拿来买…": whether what is in view can be spent on something
_USED_TO_BUY = re.compile(r"(?:用来|用于|拿来|能用|可以用)[^，。？！,.?!]{0,4}?(?:买|购买|支付|付)")


def _about_own_purchase(text: str) -> bool:
    """After-sales about something the shopper bought (a warranty claim, a return): a
    service word with their own earlier purchase, no product of the shop asked for."""
    return bool(_OWN_PURCHASE.search(text) and _SERVICE.search(text))


def _asks_shop_service(text: str) -> bool:
    """A question to the shop about what it offers besides products (returns, shipping,
    payment...), not about a product: the service word is read in the whole message, as
    "free shipping" or "return policy" are no request words."""
    return bool(_TO_SHOP.search(text) and _SERVICE.search(text))


def _specific(text: str, refs: References) -> bool:
    """A question for a product's records that the rules read, which recall never moves:
    about a product the message names, found by name ("Does the Brewmaster Peak 600 have
    a milk frother?"), about what buyers say of one thing ("do buyers complain that it
    hurts their ears?": not the whole review summary, RulePlanner._asks_reviews),
    asking a grade ("what's its water resistance rating?"), or other values of one in
    view ("does the first one come in other colors?")."""
    return (
        refs.looked_up
        or bool(_ONE_THING_SAID.search(text))
        or asks_graded(text)
        or (len(refs.products) > 1 and _which_on_an_aspect(text))
        or (bool(refs.products) and bool(_OTHER_VALUES.search(text)))
    )


# "does the first one come in other colors?", "第一双有别的颜色吗": other values of one of
# its attributes, which its record answers (tools.qa: its one value, never a yes); not
# "other ones like the first", "other shoes same like this one" (similar products)
_OTHER_VALUES = re.compile(
    r"\b(?:other|another|different)\s+(?:colou?rs?|sizes?|finish(?:es)?|materials?"
    r"|lengths?|widths?|versions?|flavou?rs?|scents?|patterns?|capacit(?:y|ies))\b"
    r"|(?:其他|其它|别的|另外的)(?:颜色|尺码|尺寸|款式|规格|配色|码)",
    re.I,
)


# "第一个和第二个哪个更保湿？", "哪个续航最长", "which of these has the longest battery?",
# "which is best for hot yoga?": which of them, on one thing asked (their records answer);
# not "哪个好", "哪个更值", "哪个更适合他", "which is better?" (a side-by-side judgement)
_WHICH_ON = re.compile(
    r"哪(?:个|款|一个|一款|双|把|台|件|张)(?:更|最|比较)?(?P<zh>[\u4e00-\u9fff]{1,6})"
    r"|\bwhich\b[^?.!]{0,40}?\b(?:more|most|less|least)\s+(?P<en>[a-z-]+)"
    r"|\bwhich\b[^?.!]{0,40}?\b(?P<est>[a-z]{2,}est)\b"
    r"|\bwhich\b[^?.!]{0,40}?\b(?:best|better)\s+(?P<use>for|at|in)\b",
    re.I,
)
_JUDGED = re.compile(
    r"^(?:好|值|适合|合适|划算|实惠|推荐|靠谱|便宜|贵|性价比)"
    r"|^(?:worth|suitable|recommended|expensive|affordable|cheapest|priciest|best)$",
    re.I,
)


def _which_on_an_aspect(text: str) -> bool:
    """The message asks which of the products in view on one thing (their records answer),
    not which is better as a whole."""
    m = _WHICH_ON.search(text)
    if m is None:
        return False
    if m.group("use"):
        return True
    said = m.group("zh") or m.group("en") or m.group("est") or ""
    return not _JUDGED.search(said)


# Whether buyers say one thing of a product: "do buyers complain that it hurts", "有人说
# 它漏水吗" (not "what are people saying about the second pair?", the summary's), or
# whether its records mention a word.
_ONE_THING_SAID = re.compile(
    r"\bcomplain\w*\s+(?:that|of)\b|\b(?:say|said|mention\w*)\s+(?:that|it|its)\b"
    r"|有(?:没有)?人说(?!好|不好)"
    # whether its records mention a word: "第三个有提到contact吗？", "does it mention BPA?"
    r"|有(?:没有)?提(?:到|及)|\b(?:does|do|did)\b[^?.!]{0,30}\bmention\b",
    re.I,
)


# Asks for others like a product the message names: "something like Gone Girl", "books
# similar to Drums of Autumn", "alternatives to the Peak 200", "像Gone Girl那样的书"
_LIKE_NAMED = re.compile(
    r"\b(?:something|anything|more|books?|novels?|ones?|stuff|things?|others?|items?|products?"
    r"|titles?|reads?|options?)\s+(?:else\s+|just\s+|a\s+bit\s+|kind\s+of\s+)?like\b"
    r"|\bsimilar\s+to\b|\balternatives?\s+to\b|\bin\s+the\s+(?:same\s+)?vein\s+of\b"
    r"|像.{1,30}(?:那样|一样|那种|这样|似的)|类似|(?:和|跟|与).{1,30}(?:差不多|类似|相似|一样)的",
    re.I,
)


# "what about backpacks?", "how about black?", "那背包呢", "黑色的呢": the same request for
# another kind or value; not "what about the battery?" (of a product in view)
_WHAT_ABOUT = re.compile(
    r"^\s*(?:and\s+|so\s+|ok\s+|okay\s+)?(?:what|how)\s+about\s+"
    r"(?!(?:the|its?|it's|this|that|these|those|them|one|ones)\b)(?P<en>[a-z][a-z -]{1,40}?)"
    r"\s*[?.!]*\s*$"
    r"|^\s*(?:那么|那|换成|换)?(?P<zh>[\u4e00-\u9fffA-Za-z]{1,8}?)的?呢\s*[?？。!！]*\s*$",
    re.I,
)


def _about_goods(text: str, vocabulary, current: str | None) -> bool:
    """ "what about X?" / "X呢" where X is a kind of the catalog's products (a category, a
    title word that says what a product is, a word near another category than the one
    chosen) or an attribute value its products have ("black", 黑色 by its sense)."""
    m = _WHAT_ABOUT.match(text)
    if m is None:
        return False
    what = (m.group("en") or m.group("zh") or "").strip()
    if not what or not hasattr(vocabulary, "kinds_in"):
        return False
    senses = [
        sense
        for w in content_words(what)
        if _HAN.match(w)
        and (sense := catalog_sense(w, vocabulary.known_words.__contains__)) is not None
    ]
    said = " ".join([what, *senses])
    return bool(
        vocabulary.named_category(what)
        or vocabulary.kinds_in(what)
        or vocabulary.attributes_in(said)
        or (current and vocabulary.category_in(what, what, current)[0] not in (None, current))
    )


def _asks_for_goods(text: str, parsed: Parsed, vocabulary) -> bool:
    """The message asks whether the shop has something ("do you have water bottles?",
    "你们有保温杯吗？"), or asks for a thing by a name the catalog's titles know ("I need a
    pH meter"; "recommend a good movie" of a shop without movies is left to the router);
    not for a service (returns, delivery)."""
    if not parsed.content:
        return False
    if parsed.asks_catalog:
        return True
    named = named_kind(text) if parsed.request else ""
    if not re.search(r"[a-z]", named, re.I) or not hasattr(vocabulary, "missing_kind"):
        return False
    return not vocabulary.missing_kind(named)


def _zh_head_kind(content: str, vocabulary) -> str | None:
    """The category a Chinese request's last word names, where the whole request is too
    diluted to name one ("适合通勤 雨衣": 雨衣, rain jacket, is a jacket; the purpose
    before it pulls the whole phrase away from every category)."""
    words = [w for w in content.split() if _HAN.search(w)]
    if len(words) < 2:
        return None
    return vocabulary.guess_category(words[-1])


def _catalog_words(content: str, vocabulary) -> bool:
    """The message's words (two or more, letters) are words of the catalog's titles, all
    but one in three ("safety glasses that fit over my prescription glasses"): a keyword
    search for its products, though it names no category."""
    words = re.findall(r"[a-z][a-z0-9-]*", content.casefold())
    known = getattr(vocabulary, "known_words", frozenset())
    stems = getattr(vocabulary, "title_stems", frozenset())
    # by stem too: "fixing appliances" of titles that say "Appliance" and "Fix"
    held = sum(w in known or stem(w) in stems for w in words)
    if held >= 2 and held * 3 >= len(words) * 2:
        return True
    # Chinese words on a catalog of English titles: by their dictionary senses
    # ("我想买个万用表": multimeter), at least half of them
    han = [w for w in content_words(content) if _HAN.match(w)]
    translated = sum(sense_within(w, known.__contains__) is not None for w in han)
    return translated >= 1 and translated * 2 >= len(han)
