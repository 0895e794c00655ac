"""Tools that find products: search over the catalog's text and the personal
recommender, both within the shopper's hard filters.

A turn that recommends runs them in sequence (InteRecAgent's shape): search
retrieves candidates, `recommend_for_shopper` orders them by blending their
relevance order with the shopper's personal order, and a last narrow search
fetches the matched passages of the few products shown. Products the shopper
turned down in the conversation never come back from either tool.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from catalog.filters import ProductFilter
from tools.context import ToolContext, per_catalog
from tools.dictionary import (
    catalog_sense,
    compound_parts,
    english_words,
    noun_words,
    sense_within,
)
from tools.lexicon import lexicon
from tools.products import catalog_heads, product_evidence
from tools.registry import ToolArgumentError
from tools.results import ToolResult
from tools.text import (
    contains_term,
    content_words,
    is_stopword,
    kind_counts,
    kind_words,
    stem,
    title_heads,
    title_parts,
)
from tools.text import titles_name as text_titles_name

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.)


def _filters(
    ctx: ToolContext,
    max_price: float | None,
    min_price: float | None,
    category: str | None,
    brands: list[str] | None,
    exclude_brands: list[str] | None,
    among: list[str] | None = None,
    in_stock_only: bool = True,
    unpriced: bool = False,
    exclude_words: list[str] | None = None,
    keep_words: list[str] | None = None,
    avoid_words: list[str] | None = None,
) -> ProductFilter:
    return ProductFilter(
        unpriced=unpriced,
        exclude_title_words=list(exclude_words or []),
        keep_title_words=list(keep_words or []),
        avoid_words=_with_senses(ctx, avoid_words or []),
        min_price=min_price,
        max_price=max_price,
        categories=[category] if category else [],
        brands=list(brands or []),
        exclude_brands=list(exclude_brands or []),
        include_ids=list(among) if among is not None else None,
        exclude_ids=list(ctx.session.excluded) if in_stock_only else [],
        in_stock_only=in_stock_only,
    )


def _with_senses(ctx: ToolContext, words: list[str]) -> list[str]:
    """The words not wanted, each Chinese one with its dictionary sense that the
    catalog's words hold ("塑料" -> "plastic" where titles say it)."""
    out = []
    for word in words:
        out.append(word)
        if _HAN.search(word) and len(word) > 1:
            sense = catalog_sense(word, lexicon(ctx).forms)
            out += [sense] if sense else []
    return list(dict.fromkeys(out))


def search_products(
    ctx: ToolContext,
    query: str,
    max_price: float | None = None,
    min_price: float | None = None,
    category: str | None = None,
    brands: list[str] | None = None,
    exclude_brands: list[str] | None = None,
    among: list[str] | None = None,
    k: int = 5,
    passages: bool = True,
    available_only: bool = True,
    unpriced: bool = False,
    exclude_words: list[str] | None = None,
    keep_words: list[str] | None = None,
    avoid_words: list[str] | None = None,
    parts: list[str] | None = None,
) -> ToolResult:
    """Search the catalog for products matching a description, within hard filters;
    every hit cites the text it matched.

    Args:
        query: What the shopper is looking for, in English or Chinese.
        max_price: Highest price, in the catalog's currency.
        min_price: Lowest price, in the catalog's currency.
        category: A category name (any level of the category path).
        brands: Only these brands.
        exclude_brands: Never these brands.
        among: Only among these product ids (to re-read products already found).
        k: How many products to return (1-30).
        passages: Whether to return the matched passage of each hit (slower).
        available_only: Leave out products out of stock or turned down in this
            conversation (off to look up a product the shopper names).
        unpriced: Let products that list no price through the price bounds (their
            price is unknown, so say so).
        exclude_words: Never products whose title says one of these words ("men's"
            for a gift for a sister)...
        keep_words: ...unless it also says one of these ("women's").
        avoid_words: What the shopper does not want ("black", "PVC", "塑料"): never
            products whose title or attributes say one (not negated: "fragrance-free"
            stays for "fragrance").
        parts: The request as said in several messages, one entry each ("coffee
            makers", "small enough for a studio flat"): products meeting every part
            come before those meeting one part very well.
    """
    if ctx.search is None:
        raise ToolArgumentError("search is unavailable: run `shopassist index` for this catalog")
    f = _filters(
        ctx, max_price, min_price, category, brands, exclude_brands, among, available_only,
        unpriced, exclude_words, keep_words, avoid_words,
    )  # fmt: skip
    k = max(1, min(k, 30))
    searched = catalog_query(ctx, query)
    pieces = [catalog_query(ctx, p) for p in parts or () if p.strip()]
    snippets = None if passages else 0  # one part is the plain search (SearchIndex.search)
    hits = ctx.search.search(searched, k=k, filters=f, snippets=snippets, parts=pieces)
    if among is None:
        hits = _things_before_accessories(ctx, searched, hits)
        ctx.relevance = {h.product_id: h.score for h in hits}
    ids: list[str] = []
    matched: dict[str, dict[str, str]] = {}
    for h in hits:
        if not h.snippet:
            continue
        ids.append(
            ctx.evidence.add(
                "search",
                f"{h.product_id}:{h.snippet_field}",
                h.snippet,
                h.product_id,
                field=h.snippet_field,
                snippet=h.snippet,
            ).id
        )
        matched[h.product_id] = {"field": h.snippet_field, "snippet": h.snippet}
    return ToolResult(
        f"{len(hits)} products match {query!r}",
        [h.product_id for h in hits],
        ids,
        {"scores": [h.score for h in hits], "matched": matched},
        show_products=True,
    )


_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_KINDS: dict = {}


def _kind_words(ctx: ToolContext) -> frozenset[str]:
    return per_catalog(_KINDS, ctx, lambda: kind_words(ctx.store.products(ctx.catalog)))


def _kind_counts(ctx: ToolContext):
    return per_catalog(_KIND_COUNTS, ctx, lambda: kind_counts(ctx.store.products(ctx.catalog)))


def titles_name(ctx: ToolContext, words: Iterable[str]) -> bool:
    """Whether the catalog's titles name products of the kind the stems name
    (tools.text.titles_name)."""
    return text_titles_name(_kind_counts(ctx), words)


_KIND_COUNTS: dict = {}
# The share of a catalog's products whose title ends a run of words on a word its titles
# name products by (tools.products.catalog_heads) for its titles to say what each is:
# 95-100 % of the demo shop's and the Amazon catalogs' (Gift Cards, Industrial and
# Scientific), 48 % of a bookshop's ("Highland Autumn", "Cold Harbor")
NAMED_BY_TITLE = 0.8
_NAMED: dict = {}


def names_by_title(ctx: ToolContext) -> bool:
    """Whether the catalog's titles say what its products are (NAMED_BY_TITLE): where
    they do, a title that ends on the kind asked for is one even when more products
    say the word in their descriptions ("multimeter": test leads' descriptions name it
    more often than the titles of multimeters do)."""

    def share() -> float:
        heads = catalog_heads(ctx)
        titles = [p.title for p in ctx.store.products(ctx.catalog)]
        return sum(bool(set(title_heads(t)) & heads) for t in titles) / max(1, len(titles))

    return per_catalog(_NAMED, ctx, share) >= NAMED_BY_TITLE


def named_kind(ctx: ToolContext, word: str) -> bool:
    """Whether a stem is a kind the shopper may ask for although the catalog's titles
    say it mostly before the word naming a product (tools.products.catalog_heads): a
    catalog whose titles say what products are (`names_by_title`), the stem said in at
    least MIN_KIND_TITLES titles before any "for" (tools.text.kind_words) and ending a
    run of words in one at least ("Oscilloscope and Digital Multimeter, 2 Channels",
    among "Multimeter Probe Test Lead"s). Not "fleece" where every title says "Fleece
    Jacket"."""
    if word not in _kind_words(ctx) or not names_by_title(ctx):
        return False
    ends = per_catalog(
        _ENDS,
        ctx,
        lambda: frozenset(w for p in ctx.store.products(ctx.catalog) for w in title_heads(p.title)),
    )
    return word in ends


_ENDS: dict = {}
COMMON_SHARE = 0.5  # a word in more of a catalog's products than this tells none apart


def common_words(ctx: ToolContext) -> frozenset[str]:
    """The stems the titles or description openings of more than COMMON_SHARE of the
    catalog's products say ("fans", "enjoy" of a bookshop; "gift", "card" of gift cards):
    words two products share without being alike."""
    _, said, n = _kind_counts(ctx)
    return frozenset(w for w, c in said.items() if c > COMMON_SHARE * n)


def _things_before_accessories(ctx: ToolContext, query: str, hits: list) -> list:
    """Hits whose title names the asked kind only after "for" (an accessory for it) go
    after those that are that kind, each group in its order. The kind asked for is what
    the query names before its own "for" ("a case for my multimeter" asks for a case)."""
    asked, _ = title_parts(query)  # "case for a multimeter" asks for a case
    kinds = asked & _kind_words(ctx)
    if not kinds or not (titles_name(ctx, kinds) or names_by_title(ctx)):
        return hits  # books "about a war" are not those whose titles end on "War"
    things, accessories = [], []
    for h in hits:
        before, after = title_parts(h.title)
        (accessories if not before & kinds and after & kinds else things).append(h)
    # a title whose words end on the kind asked for ("Oscilloscope and Digital Multimeter,
    # 2 Channels") is one; a title that names it only to say what it goes with ("Banana
    # Connector Multi Meter Test Lead", "Multimeter Probe Test Lead Cable") comes after
    # ("multimeter test lead" asks for a lead: its titles end on one of the words asked)
    named = [h for h in things if set(title_heads(h.title)) & kinds]
    if named:
        things = named + [h for h in things if not set(title_heads(h.title)) & kinds]
    return things + accessories if things else hits


def catalog_query(ctx: ToolContext, query: str) -> str:
    """The query with each Chinese word's first dictionary sense that the catalog's
    words hold (tools.lexicon's word list) after it, so "我想买个万用表" meets titles
    that say "multimeter" in a catalog with English titles only, by keyword as well as
    by embedding; and each English word the catalog never uses with the catalog's words
    made of it (up to three: "magnifying" -> "magnifier", "magnifiers")."""
    # (a single character has too many senses to pick one: tools.dictionary)
    # a compound the dictionary lacks by the words that make it ("幽默小说": 幽默, 小说)
    words = [
        part
        for w in content_words(query)
        if _HAN.match(w) and len(w) > 1
        for part in (compound_parts(w) or [w])
    ]
    found = lexicon(ctx)
    # an English word the catalog never uses, by the catalog's words made of it
    # ("magnifying glass" meets "Pocket Magnifiers" by keyword too)
    english = [
        f
        for w in content_words(query)
        if not _HAN.match(w)
        for f in found.derived_forms(w)[:3]
        if f.casefold() not in query.casefold()
    ]
    if english:
        query = f"{query} {' '.join(dict.fromkeys(english))}"
    if not words:
        return query
    extra, skipped, told = [], False, False
    # what each run of Chinese ends on names what it asks for ("放大镜", "防水登山鞋"): one
    # the dictionary lacks ("登山鞋") leaves the thing asked for untold unless another is
    heads = {ws[-1] for run in _HAN_RUN.findall(query) if (ws := content_words(run))}
    heads = {(compound_parts(h) or [h])[-1] for h in heads}  # "幽默小说" ends on 小说
    untold = any(len(h) > 1 and not english_words(h) for h in heads)
    # a clause that says what it is for ("家里修电器用"): its words go after a "for", as
    # an English request says them, so the kind asked for is the rest's (title_parts)
    clauses = [c for c in _ZH_CLAUSE.split(query) if c]
    purpose = {
        part
        for clause in (clauses if len(clauses) > 1 else ())
        if _ZH_PURPOSE.search(clause)
        for w in content_words(clause)
        for part in (compound_parts(w) or [w])
    }
    for_use: list[str] = []
    for w in words:
        if re.search(rf"(?:无|不|(?<!有)没有|免|非){re.escape(w)}", query):
            continue  # "无香料": not scented; said by the Chinese words alone ("有没有" asks)
        if not english_words(w):
            # no sense to give it ("电路板"): those that have one are translated, and so is
            # the longest part of it with one that names a kind of product the titles end
            # on ("夹克衫": 夹克, jacket; "开关电源": 开关, power switch; "下雨天" is no "rain"
            # product). Still a word without a sense of its own: what is translated must
            # name a kind the titles name, as below.
            skipped = True
            part = sense_within(w, found.forms)
            if part is not None and stem(part.split()[-1].casefold()) in catalog_heads(ctx):
                extra.append(part)
                for_use += [part] if w in purpose else []
                told = told or w in heads
            continue
        sense = (
            catalog_sense(w, found.forms, sense_closeness(ctx))
            or next(iter(found.derived_senses(w)), None)
            or _head_sense(ctx, w, found.forms)
        )
        if sense is None:
            return query  # half a translation would weigh the half it has
        extra.append(sense)
        for_use += [sense] if w in purpose else []
        told = told or w in heads
    kinds = _kind_words(ctx)
    named = [t for e in extra for t in e.split() if not is_stopword(t)]
    if skipped and ((untold and not told) or not any(stem(t) in kinds for t in named)):
        # the thing asked for may be the word left out ("防水登山鞋" as "waterproof"), or
        # what is translated names no kind the titles name ("想吃牛肉饼夹面包配薯条" as
        # "bread french fries"): the half translated would weigh alone
        return query
    extra = [t for t in dict.fromkeys(extra) if t.casefold() not in query.casefold()]
    main = [t for t in extra if t not in for_use]
    if main and len(main) < len(extra):
        extra = [*main, "for", *(t for t in extra if t in for_use)]
    return f"{query} {' '.join(extra)}" if extra else query


_ZH_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")
_ZH_PURPOSE = re.compile(r"(?:使?用的?|用途)$")


def sense_closeness(ctx: ToolContext):
    """How near in meaning, by the catalog's embedder, each English sense is to a Chinese
    word (tools.dictionary.catalog_sense), remembered per word; None without one."""
    if ctx.encode is None:
        return None
    encode = ctx.encode

    def closeness(word: str, found: list[str]) -> list[float]:
        key = (ctx.catalog, word, tuple(found))
        if key not in _CLOSENESS:
            vectors = np.asarray(encode([word, *found]), dtype=np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
            _CLOSENESS[key] = [float(v) for v in vectors[1:] @ vectors[0]]
        return _CLOSENESS[key]

    return closeness


_CLOSENESS: dict = {}


def _head_sense(ctx: ToolContext, word: str, uses) -> str | None:
    """The last word of a two-word sense of a Chinese word whose first word the catalog
    never uses, where the titles name products by it: 量筒, "volumetric cylinder" ->
    "cylinder" (a noun phrase names its kind last; not a verb's, "to recharge one's
    batteries")."""
    for pair in noun_words(word):
        if (
            len(pair) == 2
            and not uses(pair[0])
            and uses(pair[1])
            and stem(pair[1]) in catalog_heads(ctx)
        ):
            return pair[1]
    return None


def recommend_for_shopper(
    ctx: ToolContext,
    k: int = 5,
    max_price: float | None = None,
    min_price: float | None = None,
    category: str | None = None,
    brands: list[str] | None = None,
    exclude_brands: list[str] | None = None,
    candidates: list[str] | None = None,
    cheapest: bool = False,
    unpriced: bool = False,
    exclude_words: list[str] | None = None,
    keep_words: list[str] | None = None,
    avoid_words: list[str] | None = None,
) -> ToolResult:
    """Personal recommendations for this conversation's shopper, within hard filters;
    given candidates (search results, best first), order them for the shopper.

    Args:
        k: How many products to return (1-20).
        max_price: Highest price, in the catalog's currency.
        min_price: Lowest price, in the catalog's currency.
        category: A category name (any level of the category path).
        brands: Only these brands.
        exclude_brands: Never these brands.
        candidates: Product ids to order, best first; their order is blended with the
            shopper's personal order.
        cheapest: Lowest prices first instead of the shopper's taste (when nothing fits
            the budget, the closest over it); candidates without a price come last, in
            their given order.
        unpriced: Let products that list no price through the price bounds (their
            price is unknown, so say so).
        exclude_words: Never products whose title says one of these words ("men's"
            for a gift for a sister)...
        keep_words: ...unless it also says one of these ("women's").
        avoid_words: What the shopper does not want ("black", "PVC", "塑料"): never
            products whose title or attributes say one (not negated).
    """
    k = max(1, min(k, 20))
    cold_start, how = False, "personal"
    f = _filters(
        ctx, max_price, min_price, category, brands, exclude_brands, unpriced=unpriced,
        exclude_words=exclude_words, keep_words=keep_words, avoid_words=avoid_words,
    )  # fmt: skip
    if candidates:
        declined = set(ctx.session.excluded)
        ranked = [c for c in dict.fromkeys(candidates) if c not in declined]
        if cheapest:
            ranked, how = _by_price(ctx, ranked), "cheapest"
        else:
            ranked, how = _blend(ctx, ranked)
        items = ranked[:k]
    elif candidates is not None:  # a search found nothing: the most popular within the filters
        items, how = _popular(ctx, f, k), "popular"
    elif cheapest:
        items, how = _cheapest(ctx, f, k), "cheapest"
    else:
        items = []
        if ctx.recommender is not None:
            rec = ctx.recommender.recommend(ctx.shopper_id or "", k=k * 3, filters=f)
            items, cold_start = list(rec.item_ids)[:k], rec.cold_start
        if not items:
            items, how, cold_start = _popular(ctx, f, k), "popular", True
    ids = [product_evidence(ctx, p).id for p in ctx.store.products(ctx.catalog, items)]
    note = " (new shopper: popular picks)" if cold_start else ""
    return ToolResult(
        f"{len(items)} recommendations{note}",
        items,
        ids,
        {"cold_start": cold_start, "order": how},
        show_products=True,
    )


def _blend(ctx: ToolContext, ranked: list[str]) -> tuple[list[str], str]:
    """The given order (search relevance) and the recommender's order together: with the
    search's scores, each product gains up to `personal_margin` of relevance by its
    place in the recommender's order, so only near-ties change places; without them,
    reciprocal-rank fusion weighted by `personal_weight`. Candidates that all fit in
    the list are ordered too: the first one is the pick the shopper reads first."""
    if ctx.recommender is None or not ctx.shopper_id or len(ranked) <= 1:
        return ranked, "given"
    rec = ctx.recommender.recommend(ctx.shopper_id, k=len(ranked), candidates=ranked)
    if rec.cold_start:
        return ranked, "given"
    n = len(ranked)
    rec_rank = {pid: i for i, pid in enumerate(rec.item_ids)}
    relevance = ctx.relevance
    if ctx.personal_margin is not None and all(pid in relevance for pid in ranked):
        margin = ctx.personal_margin
        score = {pid: relevance[pid] + margin * (1 - rec_rank.get(pid, n) / n) for pid in ranked}
    else:
        w = ctx.personal_weight
        score = {
            pid: 1 / (RRF_K + i) + w / (RRF_K + rec_rank.get(pid, n))
            for i, pid in enumerate(ranked)
        }
    return sorted(ranked, key=lambda pid: -score[pid]), "blended"


def _by_price(ctx: ToolContext, ranked: list[str]) -> list[str]:
    """The given products, lowest price first; those without a price after them, in
    the given (relevance) order."""
    table = ctx.products
    price = {pid: float(table.price[table.index[pid]]) for pid in ranked if pid in table.index}
    priced = {p for p in ranked if not np.isnan(price.get(p, np.nan))}
    order = [p for p in ranked if p in priced]  # ties keep the given order
    return sorted(order, key=price.__getitem__) + [p for p in ranked if p not in priced]


def _cheapest(ctx: ToolContext, f: ProductFilter, k: int) -> list[str]:
    table = ctx.products
    rows = np.flatnonzero(table.mask(f))
    prices = np.where(np.isnan(table.price[rows]), np.inf, table.price[rows])
    return [table.ids[i] for i in rows[np.argsort(prices, kind="stable")][:k]]


def _popular(ctx: ToolContext, f: ProductFilter, k: int) -> list[str]:
    """The most rated products within the filters (no model, or nothing it may show)."""
    table = ctx.products
    rows = np.flatnonzero(table.mask(f))
    order = rows[np.argsort(-table.rating_count[rows], kind="stable")]
    return [table.ids[i] for i in order[:k]]


MAX_OVERVIEW = 8  # kinds and brands an overview names


def shop_overview(
    ctx: ToolContext, category: str | None = None, kind: str | None = None, rated: bool = False
) -> ToolResult:
    """What the shop sells: its main kinds of product with how many of each, its
    best-known brands and its price range (within one category, or one kind of
    product, when given).

    Args:
        category: One of the catalog's categories to look inside (optional).
        kind: Words naming a kind of product, looked for in the titles, where the
            catalog has no category of that name (optional; "oscilloscopes").
        rated: Whether to rank the brands by how buyers rate their products (the
            average of their ratings, and how many), as "which brand is best?" asks.
    """
    products = ctx.store.products(ctx.catalog)
    zh = ctx.language == "zh"
    missing = ""  # a kind in no title: said, then what the shop does sell
    if category:
        wanted = category.casefold()
        products = [p for p in products if any(c.casefold() == wanted for c in p.categories)]
        if not products:
            raise ToolArgumentError(f"the catalog has no category {category!r}")
    elif kind:
        named = _titled(ctx, products, kind)
        if not named:
            none = (
                f"本店 {len(products)} 件商品中，没有标题提到“{kind}”的商品。"
                if zh
                else f"None of this shop's {len(products)} products has “{kind}” in its title."
            )
            if not products:
                return ToolResult(none, [], [], {"products": 0, "kind": kind})
            missing, asked, kind = none, kind, None
        else:
            products = named
    kinds: dict[str, int] = {}
    brands: dict[str, int] = {}
    for p in products:
        # within a category, the kinds under it (not the departments above it)
        below = p.categories[_index_of(p.categories, category) + 1 :] if category else p.categories
        named = [c for c in below if _category_name(c)]
        if named:
            kinds[named[-1]] = kinds.get(named[-1], 0) + 1  # its most specific category
        if p.brand:
            brands[p.brand] = brands.get(p.brand, 0) + 1
    top = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_OVERVIEW]
    makers = [b for b, _ in sorted(brands.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_OVERVIEW]
    prices = [p.price for p in products if p.price is not None]
    parts = []
    scope = f"{category}: " if category else ""
    if kind and not category:
        scope = f"标题提到“{kind}”的商品：" if zh else f"Products with “{kind}” in the title: "
    if top:
        listed = ("、" if zh else ", ").join(f"{name} ({n})" for name, n in top)
        parts.append(
            f"{scope}共 {len(products)} 件商品，主要有 {listed}"
            if zh
            else f"{scope}{len(products)} products, mostly {listed}"
        )
    else:
        count = len(products)
        parts.append(f"{scope}共 {count} 件商品" if zh else f"{scope}{count} products")
    ranked = brand_ratings(products) if rated else []
    if rated:
        parts.append(_rated_part(ranked, zh))
    elif makers:
        joined = ("、" if zh else ", ").join(makers)
        parts.append(f"常见品牌：{joined}" if zh else f"brands such as {joined}")
    if prices:
        low, high, middle = min(prices), max(prices), _lower_median(prices)
        parts.append(
            f"价格 {low:.2f} 到 {high:.2f}，一半不超过 {middle:.2f}"
            if zh
            else f"priced from {low:.2f} to {high:.2f}, half of them at or below {middle:.2f}"
        )
    if len(prices) < len(products):
        unpriced = len(products) - len(prices)
        parts.append(
            (f"{unpriced} 件未标价" if prices else "都没有标价")
            if zh
            else (f"{unpriced} list no price" if prices else "none lists a price")
        )
    summary = ("；".join(parts) + "。") if zh else ("; ".join(parts) + ".")
    data = {"products": len(products), "kinds": dict(top), "brands": makers,
            "price_range": [min(prices), max(prices)] if prices else None,
            "median_price": _lower_median(prices) if prices else None}  # fmt: skip
    if rated:
        data["brand_ratings"] = [
            {"brand": b, "rating": round(avg, 1), "ratings": n} for b, avg, n in ranked
        ]
    if missing:  # none of the kind: that said, and what the shop has instead
        lead = "本店有：" if zh else "The shop has "
        summary = f"{missing} {lead}{summary}"
        data = {"products": 0, "kind": asked, "shop": data}
    return ToolResult(summary, [], [], data)


MIN_BRAND_RATINGS = 5  # a brand is ranked by its buyers' ratings from this many on


def brand_ratings(products: list) -> list[tuple[str, float, int]]:
    """(brand, average rating, number of ratings) of the brands whose products buyers
    rated at least MIN_BRAND_RATINGS times, best first: each product's average weighed by
    its number of ratings (ingest fills them from the reviews' stars where the source
    gives none); equal averages (to one decimal, as said) by more ratings."""
    totals: dict[str, list[float]] = {}
    for p in products:
        if p.brand and p.rating_avg is not None and p.rating_count:
            total = totals.setdefault(p.brand, [0.0, 0])
            total[0] += p.rating_avg * p.rating_count
            total[1] += p.rating_count
    ranked = [(b, s / n, int(n)) for b, (s, n) in totals.items() if n >= MIN_BRAND_RATINGS]
    return sorted(ranked, key=lambda r: (-round(r[1], 1), -r[2], r[0]))[:MAX_OVERVIEW]


def _rated_part(ranked: list[tuple[str, float, int]], zh: bool) -> str:
    if not ranked:
        return (
            f"没有哪个品牌有至少 {MIN_BRAND_RATINGS} 条买家评分"
            if zh
            else f"no brand has {MIN_BRAND_RATINGS} or more buyers' ratings to compare"
        )
    if zh:
        listed = "、".join(f"{b} {avg:.1f} 分（{n} 条评分）" for b, avg, n in ranked)
        return f"品牌按买家评分（各商品评分按评分数加权平均）：{listed}"
    listed = ", ".join(f"{b} {avg:.1f} ({n} ratings)" for b, avg, n in ranked)
    return f"brands by buyers' ratings (each product's average weighed by its ratings): {listed}"


def _titled(ctx: ToolContext, products: list, kind: str) -> list:
    """The products whose title holds every word of `kind` (a Chinese word in the
    Chinese title, or its dictionary sense that the catalog's titles use)."""
    forms = lexicon(ctx).forms
    wanted = []
    for word in content_words(kind):
        if _HAN.match(word):
            if len(word) > 1:
                wanted.append((word, catalog_sense(word, forms)))
        else:
            wanted.append((None, stem(word)))
    if not wanted:
        return []

    def holds(p) -> bool:
        zh_title = p.title_i18n.get("zh", "")
        return all(
            (zh is not None and zh in zh_title) or (en is not None and contains_term(p.title, en))
            for zh, en in wanted
        )

    return [p for p in products if holds(p)]


def _lower_median(prices: list[float]) -> float:
    """A price the shop lists, at or above half of them."""
    return sorted(prices)[(len(prices) - 1) // 2]


def _index_of(names: list[str], wanted: str) -> int:
    folded = wanted.casefold()
    return next(i for i, c in enumerate(names) if c.casefold() == folded)


def _category_name(name: str) -> bool:
    """A category's name, not a sentence some catalogs list as one ("Variety of designs
    for any occasion.")."""
    return bool(name) and len(name.split()) <= 4 and not re.search(r"[.,;!?]", name)
