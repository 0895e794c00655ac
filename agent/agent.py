"""One conversational turn: read the message, update the dialogue state, call
tools, compose claims, let the LLM rewrite them, verify, reply.

The deterministic planner lives here: rules (agent.parse) plus the catalog's
vocabulary (agent.vocabulary). Deciding what is shown is never the LLM's job:
search and the recommender rank, the shopper's constraints filter, and the
LLM (when configured) only rewrites verified claims.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from agent.composer import compose
from agent.llm import ChatModel, LLMError, NoModel
from agent.parse import Parsed, convert, parse
from agent.replies import say
from agent.state import DialogueState, Slots
from agent.verifier import (
    CheckedSentence,
    Claim,
    SentenceStream,
    Verdict,
    Verifier,
    template_verdict,
)
from catalog.errors import NotFoundError
from catalog.filters import ProductTable
from catalog.models import Product
from catalog.store import Store
from prompts.render import render
from recommender.base import Recommender
from tools.context import SearchBackend, ToolContext
from tools.registry import ToolRegistry, load_registry
from tools.results import Evidence

MAX_MESSAGE_CHARS = 2000
# A gift for a man or a woman prefers (softly, through the search query) that fit.
GENDER_OF_RECIPIENT = {
    **dict.fromkeys(
        [
            "husband",
            "dad",
            "father",
            "son",
            "boyfriend",
            "brother",
            "grandpa",
            "老公",
            "爸爸",
            "儿子",
            "男朋友",
            "哥哥",
            "弟弟",
            "爷爷",
        ],
        "men's",
    ),
    **dict.fromkeys(
        [
            "wife",
            "mom",
            "mother",
            "daughter",
            "girlfriend",
            "sister",
            "grandma",
            "老婆",
            "妈妈",
            "女儿",
            "女朋友",
            "姐姐",
            "妹妹",
            "奶奶",
        ],
        "women's",
    ),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class ShownProduct:
    product_id: str
    title: str
    brand: str
    price: float | None
    currency: str
    rating: float | None
    sentences: list[CheckedSentence] = field(default_factory=list)
    title_zh: str | None = None

    @classmethod
    def of(cls, product: Product, sentences: list[CheckedSentence]) -> ShownProduct:
        return cls(
            product.id,
            product.title,
            product.brand,
            product.price,
            product.currency,
            product.rating_avg,
            sentences,
            product.title_i18n.get("zh"),
        )


@dataclass
class Reply:
    text: str
    intent: str
    products: list[ShownProduct] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    question: bool = False  # the reply asks a clarifying question
    model_sentences: int = 0
    model_passed: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    language: str = "en"


OUT_OF_TIME = "the turn's time for the LLM ran out"


@dataclass
class Agent:
    store: Store
    catalog: str
    recommender: Recommender | None = None
    search: SearchBackend | None = None
    llm: ChatModel = field(default_factory=NoModel)
    registry: ToolRegistry = field(default_factory=lambda: load_registry(False))
    vocabulary: Any = None  # agent.vocabulary.Vocabulary
    similarity: Any = None  # verifier similarity function
    planner: Any = None  # agent.llm_planner.LLMPlanner, or None for the rule planner
    support_threshold: float = 0.44  # calibrated by benchmarks/bench_verifier.py (USE)
    k: int = 3
    # Weight of the recommender's order against the search order when both rank
    # (reciprocal-rank fusion); measured with benchmarks/bench_shoppers.py.
    personal_weight: float = 0.5
    llm_retry_s: float = 30.0  # after an LLM failure, templates only for this long
    # The LLM may write explanations until this many seconds into a turn; what is not
    # written by then is shown as its template sentences (measured: benchmarks/bench_agent.py).
    llm_turn_budget_s: float = 4.0
    llm_min_s: float = 0.5  # do not start a rewrite with less time than this left
    llm_failures: int = field(default=0, init=False)
    _llm_down_until: float = field(default=0.0, init=False, repr=False)

    @property
    def llm_available(self) -> bool:
        """False while the LLM is being skipped after a failure (or when there is none)."""
        return not isinstance(self.llm, NoModel) and time.monotonic() >= self._llm_down_until

    def prepare_llm(self) -> None:
        """Compute the explanation prompt's system text before the first turn, on a
        model that keeps its last prompt's cache (in-process llama.cpp): every
        rewrite starts with that text, so the first shopper does not wait for it."""
        prefill = getattr(self.llm, "prefill", None)
        if prefill is None or not self.llm_available:
            return
        # On failure the first rewrite computes it, or fails and falls back, as before.
        with contextlib.suppress(LLMError):
            prefill([{"role": "system", "content": render("explain", "system")}])

    def __post_init__(self) -> None:
        self._products = self.store.products(self.catalog)
        self.table = ProductTable(self._products)
        self.currency = (
            max(
                {p.currency for p in self._products}, key=[p.currency for p in self._products].count
            )
            if self._products
            else "USD"
        )
        if self.vocabulary is None:
            from agent.vocabulary import Vocabulary

            self.vocabulary = Vocabulary.from_products(self._products)
        names = [p.brand for p in self._products if p.brand]
        # Titles of two short words ("by Apple") are not names a model could invent.
        names += [
            p.title
            for p in self._products
            if len(p.title.split()) >= 3 or re.search(r"\d", p.title)
        ]
        self._names = sorted(set(names))

    # -- entry point -------------------------------------------------------------

    def turn(
        self,
        state: DialogueState,
        message: str,
        shopper_id: str | None = None,
        emit: Callable[[str], None] | None = None,
    ) -> Reply:
        """Answer one message. `emit`, when given, receives the reply text piece by piece
        as soon as each piece is ready (the intro before any explanation is written)."""
        text = _CONTROL.sub(" ", message or "")[:MAX_MESSAGE_CHARS].strip()
        parsed = self.planner.parse(text) if self.planner is not None and text else parse(text)
        if re.search(r"[A-Za-z\u4e00-\u9fff]", text):
            state.language = parsed.language
        state.turns += 1
        ctx = self._context(state, shopper_id, emit)
        handler = {
            "greeting": self._greeting,
            "reset": self._reset,
            "profile": self._profile,
            "compare": self._compare,
            "why": self._why,
            "why_not": self._why_not,
            "like": self._feedback,
            "not_interested": self._feedback,
            "cart": self._feedback,
            "details": self._details,
        }.get(parsed.intent, self._recommend)
        if not text:
            handler = self._greeting
        reply = handler(ctx, state, parsed, text)
        if not reply.question:
            state.clarified_last_turn = False
        return self._finish(reply, ctx, state, emit)

    def stream(
        self, state: DialogueState, message: str, shopper_id: str | None = None
    ) -> Iterator[str | Reply]:
        """The reply text piece by piece as it is produced, then the full Reply."""
        pieces: queue.Queue = queue.Queue()
        done = object()
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["reply"] = self.turn(state, message, shopper_id, emit=pieces.put)
            except BaseException as exc:  # re-raised in the caller's thread below
                result["error"] = exc
            finally:
                pieces.put(done)

        threading.Thread(target=work, daemon=True).start()
        while (piece := pieces.get()) is not done:
            yield piece
        if "error" in result:
            raise result["error"]
        yield result["reply"]

    def feedback(
        self,
        state: DialogueState,
        product_id: str,
        kind: str,
        shopper_id: str | None = None,
        emit: Callable[[str], None] | None = None,
    ) -> Reply:
        """Feedback given on a product card (a button rather than words): stored, folded
        into the recommender at once; "not_interested" answers with a new list."""
        if kind not in ("like", "not_interested", "cart"):
            raise ValueError(f"unknown feedback kind {kind!r}: use like, not_interested or cart")
        self.store.product(self.catalog, product_id)  # NotFoundError for unknown products
        ctx = self._context(state, shopper_id, emit)
        reply = self._apply_feedback(ctx, state, [product_id], kind, "")
        return self._finish(reply, ctx, state, emit)

    def recommend(
        self,
        state: DialogueState,
        shopper_id: str | None,
        k: int | None = None,
        emit: Callable[[str], None] | None = None,
    ) -> Reply:
        """Recommendations for a shopper within the state's constraints, without a message
        (the HTTP API's recommendations endpoint)."""
        ctx = self._context(state, shopper_id, emit)
        products, hits = self._candidates(ctx, state, k or self.k)
        if not products:
            reply = Reply(say("nothing_found", state.language), "recommend")
        else:
            reply = self._show(ctx, state, products, hits, "recommend", "")
        return self._finish(reply, ctx, state, emit)

    def _context(
        self, state: DialogueState, shopper_id: str | None, emit: Callable[[str], None] | None
    ) -> ToolContext:
        return ToolContext(
            self.store,
            self.catalog,
            self._known_shopper(shopper_id),
            self.recommender,
            self.search,
            state.language,
            emit=emit,
        )

    @staticmethod
    def _finish(reply: Reply, ctx: ToolContext, state: DialogueState, emit) -> Reply:
        reply.evidence = dict(ctx.evidence.records)
        reply.language = state.language
        if emit is not None and not reply.data.get("streamed"):
            emit(reply.text)
        return reply

    def _known_shopper(self, shopper_id: str | None) -> str | None:
        if not shopper_id:
            return None
        try:
            self.store.shopper(self.catalog, shopper_id)
        except NotFoundError:
            return shopper_id  # a new shopper: cold start, feedback still recorded
        return shopper_id

    # -- intents -----------------------------------------------------------------

    def _greeting(self, ctx, state, parsed, text) -> Reply:
        return Reply(say("greeting", state.language), "greeting", question=True)

    def _reset(self, ctx, state, parsed, text) -> Reply:
        language = state.language
        state.__init__()
        state.language = language
        return Reply(say("reset", language), "reset")

    def _recommend(
        self, ctx: ToolContext, state: DialogueState, parsed: Parsed, text: str
    ) -> Reply:
        self._update_slots(state, parsed, text)
        has_history = bool(ctx.shopper_id and self.store.history(self.catalog, ctx.shopper_id))
        if (
            state.slots.is_vague()
            and not has_history
            and not state.clarified_last_turn
            and state.slots.max_price is None
        ):
            state.clarified_last_turn = True
            return Reply(say("clarify", state.language), "clarify", question=True)
        products, hits = self._candidates(ctx, state)
        if not products and state.slots.category and state.slots.category_guessed:
            # Nothing in a category the shopper never named: the guess was wrong.
            state.slots.category, state.slots.category_guessed = None, False
            products, hits = self._candidates(ctx, state)
        if not products and state.slots.max_price is not None:
            return self._closest_over_budget(ctx, state, text)
        if not products:
            return Reply(say("nothing_found", state.language), "recommend")
        return self._show(ctx, state, products, hits, "recommend", text)

    def _closest_over_budget(self, ctx: ToolContext, state: DialogueState, text: str) -> Reply:
        """Nothing fits the budget: show the cheapest products that fit everything else."""
        budget = state.slots.max_price
        state.slots.max_price = None
        try:
            rows = np.flatnonzero(self.table.mask(state.product_filter())).tolist()
        finally:
            state.slots.max_price = budget
        rows.sort(key=lambda i: self._products[i].price or float("inf"))
        products = [self._products[i] for i in rows[: self.k]]
        if not products:
            return Reply(say("nothing_found", state.language), "recommend")
        return self._show(
            ctx, state, products, {}, "recommend", text, say("over_budget", state.language)
        )

    def _update_slots(self, state: DialogueState, parsed: Parsed, text: str) -> None:
        s = state.slots
        if parsed.max_price is not None or parsed.min_price is not None:
            cur = parsed.currency or self.currency
            s.max_price = (
                None if parsed.max_price is None else convert(parsed.max_price, cur, self.currency)
            )
            s.min_price = (
                None if parsed.min_price is None else convert(parsed.min_price, cur, self.currency)
            )
        shown = self.store.products(self.catalog, state.shown) if state.shown else []
        if parsed.cheaper and shown:
            cheapest = min(p.price for p in shown if p.price is not None)
            s.max_price = round(cheapest - 0.01, 2)
            s.min_price = None
        if parsed.exclude_last_brand and shown:
            targets = state.resolve(parsed.ordinals) or [shown[0].id]
            for p in self.store.products(self.catalog, targets):
                if p.brand and p.brand not in s.exclude_brands:
                    s.exclude_brands.append(p.brand)
            s.brands = [b for b in s.brands if b not in s.exclude_brands]
        if "brands" in parsed.slots:
            s.brands = list(dict.fromkeys(s.brands + parsed.slots["brands"]))
            s.exclude_brands = list(
                dict.fromkeys(s.exclude_brands + parsed.slots["exclude_brands"])
            )
        for brand in self.vocabulary.brands_in(text):
            negated = re.search(
                rf"(?:not|no|without|except|不要|除了)\s*{re.escape(brand)}", text, re.I
            )
            target = s.exclude_brands if negated else s.brands
            if brand not in target:
                target.append(brand)
        previous_category = s.category
        category, guessed = parsed.slots.get("category"), False
        if not category:
            category, guessed = self.vocabulary.category_in(text, parsed.content, s.category)
        if category and s.category and category != s.category:
            # A new kind of product: constraints about the old one no longer apply.
            mentioned = self.vocabulary.brands_in(text)
            s.brands = [b for b in s.brands if b in mentioned]
            s.exclude_brands = [b for b in s.exclude_brands if b in mentioned]
            s.attributes, s.use = [], None
            if parsed.max_price is None and parsed.min_price is None:
                s.min_price = s.max_price = None
        if category:
            if category != s.category or not guessed:
                s.category_guessed = guessed
            s.category = category
        s.attributes = list(dict.fromkeys(s.attributes + self.vocabulary.attributes_in(text)))
        s.use = parsed.use or s.use
        s.recipient = parsed.recipient or s.recipient
        if parsed.others:
            state.passed = list(dict.fromkeys(state.passed + state.shown))
        if parsed.content:
            # What the shopper adds about the same kind of product narrows the search:
            # the words accumulate (the newest last, at most 16) until the kind changes.
            changed = bool(category and category != previous_category)
            words = [] if changed else s.query.split()
            words = list(dict.fromkeys(words + parsed.content.split()))
            s.query = " ".join(words[-16:])

    def _candidates(
        self, ctx: ToolContext, state: DialogueState, k: int | None = None
    ) -> tuple[list[Product], dict[str, Any]]:
        k = k or self.k
        f = state.product_filter()
        s = state.slots
        gender = GENDER_OF_RECIPIENT.get(s.recipient or "")
        query = " ".join(x for x in (s.query, s.use or "", gender or "") if x).strip()
        hits: dict[str, Any] = {}
        ranked: list[str] = []
        if self.search is not None and (query or s.category):
            text = query or s.category or ""
            # Rank 30 without snippets; the few shown get theirs below.
            for hit in self.search.search(text, k=30, filters=f, snippets=0):
                hits[hit.product_id] = hit
                ranked.append(hit.product_id)
            if self.recommender is not None and ctx.shopper_id and len(ranked) > k:
                ranked = self._blend(ctx.shopper_id, ranked)
            shown = ranked[:k]
            if shown:
                narrowed = replace(f, include_ids=shown)
                for hit in self.search.search(text, k=len(shown), filters=narrowed):
                    hits[hit.product_id] = hit
        elif self.recommender is not None:
            rec = self.recommender.recommend(ctx.shopper_id or "", k=k * 3, filters=f)
            ranked = list(rec.item_ids)
        if not ranked:
            ranked = self._popular(f, k)
        return self.store.products(self.catalog, ranked[:k]), hits

    def _blend(self, shopper_id: str, ranked: list[str]) -> list[str]:
        """Reciprocal-rank fusion of the search order and the recommender's order."""
        rec = self.recommender.recommend(shopper_id, k=len(ranked), candidates=ranked)
        if rec.cold_start:
            return ranked
        rec_rank = {pid: i for i, pid in enumerate(rec.item_ids)}
        w = self.personal_weight
        score = {
            pid: 1 / (60 + i) + w / (60 + rec_rank.get(pid, len(ranked)))
            for i, pid in enumerate(ranked)
        }
        return sorted(ranked, key=lambda pid: -score[pid])

    def _popular(self, f, k: int) -> list[str]:
        mask = self.table.mask(f)
        order = sorted(
            (i for i in range(len(self._products)) if mask[i]),
            key=lambda i: -(self._products[i].rating_count or 0),
        )
        return [self._products[i].id for i in order[:k]]

    def _show(
        self,
        ctx: ToolContext,
        state: DialogueState,
        products: list[Product],
        hits: dict[str, Any],
        intent: str,
        request: str,
        intro: str | None = None,
    ) -> Reply:
        if not products:
            return Reply(say("nothing_found", state.language), intent)
        reply = Reply(intro or say("intro", state.language, n=len(products)), intent)
        if ctx.emit is not None:
            ctx.emit(reply.text + "\n")
            reply.data["streamed"] = True
        for n, product in enumerate(products, start=1):
            explanation = None
            if self.recommender is not None and ctx.shopper_id:
                try:
                    explanation = self.recommender.explain(ctx.shopper_id, product.id)
                except NotFoundError:
                    explanation = None
            claims = compose(ctx, product, state, hits.get(product.id), explanation)
            shown = ShownProduct.of(product, [])
            if ctx.emit is not None:
                ctx.emit(product_text(n, shown, state.language))

            def show(sentence: CheckedSentence) -> None:
                if ctx.emit is not None:
                    ctx.emit(sentence_text(sentence))

            verdict = self._explain(ctx, product, claims, request, show)
            reply.model_sentences += verdict.model_sentences
            reply.model_passed += verdict.model_passed
            shown.sentences = verdict.sentences
            reply.products.append(shown)
        state.shown = [p.id for p in products]
        state.seen = list(dict.fromkeys(state.seen + state.shown))
        return reply

    def _explain(
        self,
        ctx: ToolContext,
        product: Product,
        claims: list[Claim],
        request: str,
        show: Callable[[CheckedSentence], None],
    ) -> Verdict:
        """The product's explanation: the LLM's rewrite of the claims, verified sentence
        by sentence as it streams (each is shown as soon as it passes or is replaced by
        its template), within the turn's time budget; templates without an LLM."""
        deadline = ctx.started + self.llm_turn_budget_s
        late = time.monotonic() > deadline - self.llm_min_s
        if isinstance(self.llm, NoModel) or not claims or not self.llm_available or late:
            verdict = template_verdict(claims)
            for sentence in verdict.sentences:
                if late and self.llm_available:
                    sentence.reasons.append(OUT_OF_TIME)
                show(sentence)
            return verdict
        language_name = "Chinese" if ctx.language == "zh" else "English"
        messages = [
            {"role": "system", "content": render("explain", "system")},
            {
                "role": "user",
                "content": render(
                    "explain",
                    "user",
                    title=product.title,
                    request=request,
                    claims=claims,
                    language_name=language_name,
                ),
            },
        ]
        verifier = Verifier(ctx.evidence, self._names, self.similarity, self.support_threshold)
        checking = verifier.start(claims, show)
        sentences = SentenceStream()
        reason = "claim left out by the model"
        stream = self.llm.stream(messages, max_tokens=160)
        try:
            for piece in stream:
                for sentence in sentences.feed(piece):
                    checking.add(sentence)
                if checking.full:
                    break
                if time.monotonic() > deadline:
                    reason = OUT_OF_TIME
                    break
            else:
                for sentence in sentences.close():
                    checking.add(sentence)
        except LLMError:
            # Down or too slow: this and the next turns use templates until the retry time.
            self.llm_failures += 1
            self._llm_down_until = time.monotonic() + self.llm_retry_s
            reason = "the LLM failed"
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stops generation and frees the model for the next request
        return checking.finish(reason)

    def _targets(
        self, state: DialogueState, parsed: Parsed, default_first: bool = True
    ) -> list[str]:
        targets = state.resolve(parsed.ordinals)
        if not targets and default_first and state.shown:
            targets = state.shown[:1]
        return targets

    def _details(self, ctx, state, parsed, text) -> Reply:
        return self._about(ctx, state, parsed, text, "details", None)

    def _why(self, ctx, state, parsed, text) -> Reply:
        return self._about(ctx, state, parsed, text, "why", say("why", state.language))

    def _about(self, ctx, state, parsed, text, intent: str, intro: str | None) -> Reply:
        """Show and explain products of the last list again, without changing the list."""
        targets = self._targets(state, parsed)
        if not targets:
            return Reply(say("nothing_shown", state.language), intent)
        shown = list(state.shown)
        products = self.store.products(self.catalog, targets)
        reply = self._show(ctx, state, products, {}, intent, text, intro)
        state.shown = shown
        return reply

    def _why_not(self, ctx, state, parsed, text) -> Reply:
        from agent.whynot import why_not

        return why_not(self, ctx, state, parsed, text)

    def _compare(self, ctx, state, parsed, text) -> Reply:
        targets = state.resolve(parsed.ordinals or [0, 1])
        outcome = self.registry.call("compare_products", ctx, {"product_ids": targets})
        if not outcome.ok:
            return Reply(say("cannot_compare", state.language), "compare")
        reply = Reply(say("compare", state.language), "compare", data=outcome.result.data)
        for product in self.store.products(self.catalog, targets):
            reply.products.append(ShownProduct.of(product, []))
        return reply

    def _profile(self, ctx, state, parsed, text) -> Reply:
        outcome = self.registry.call("shopper_profile", ctx, {})
        profile = outcome.result.data.get("profile") if outcome.ok else None
        if profile is None or not profile.history:
            return Reply(say("no_profile", state.language), "profile")
        reply = Reply(
            say("profile", state.language, profile=profile), "profile", data={"profile": profile}
        )
        return reply

    def _feedback(self, ctx, state, parsed, text) -> Reply:
        targets = self._targets(state, parsed)
        if not targets:
            return Reply(say("nothing_shown", state.language), parsed.intent)
        return self._apply_feedback(ctx, state, targets, parsed.intent, text)

    def _apply_feedback(self, ctx, state, targets: list[str], kind: str, text: str) -> Reply:
        for pid in targets:
            if ctx.shopper_id:
                self.registry.call("record_feedback", ctx, {"product_id": pid, "kind": kind})
            if kind == "not_interested":
                state.not_interested.append(pid)
            elif kind == "like":
                state.liked.append(pid)
        if kind != "not_interested":
            return Reply(say(f"ack_{kind}", state.language), kind)
        products, hits = self._candidates(ctx, state)
        intro = (
            say("ack_not_interested", state.language)
            + " "
            + say("intro", state.language, n=len(products))
        )
        return self._show(ctx, state, products, hits, kind, text, intro)


def product_text(n: int, p: ShownProduct, language: str) -> str:
    """One shown product and its explanation, as terminal text."""
    title = p.title_zh if language == "zh" and p.title_zh else p.title
    price = f"{p.price:.2f} {p.currency}" if p.price is not None else "?"
    head = f"{n}. {title} ({p.brand}, {price}) [id {p.product_id}]\n"
    return head + "".join(sentence_text(s) for s in p.sentences)


def sentence_text(sentence: CheckedSentence) -> str:
    """One explanation sentence as a terminal line."""
    return f"   - {sentence.text}\n"


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """The JSON form of a reply: products, cited sentences and the evidence they cite."""
    cited = {c for p in reply.products for s in p.sentences for c in s.citations}
    return {
        "text": reply.text,
        "intent": reply.intent,
        "language": reply.language,
        "question": reply.question,
        "products": [
            {
                "id": p.product_id,
                "title": p.title,
                "title_zh": p.title_zh,
                "brand": p.brand,
                "price": p.price,
                "currency": p.currency,
                "rating": p.rating,
                "explanation": [
                    {"text": s.text, "citations": s.citations, "source": s.source}
                    for s in p.sentences
                ],
            }
            for p in reply.products
        ],
        "evidence": {cid: asdict(e) for cid, e in reply.evidence.items() if cid in cited},
        "model_sentences": reply.model_sentences,
        "model_passed": reply.model_passed,
    }


def new_state(language: str = "en") -> DialogueState:
    return DialogueState(slots=Slots(), language=language)
