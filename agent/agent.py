"""One conversational turn: plan -> tool calls -> compose -> verify -> reply.

The planner (rules and the semantic router, or an LLM choosing among the
registered tools' schemas) reads the message into a plan of tool calls; the
executor runs them through the registry and keeps the trace; the composer
turns the tool results into cited claims, which the LLM (when configured) may
rewrite and the verifier checks sentence by sentence. The agent reaches the
recommender and the search index only through tools, so a tool a developer
registers is reachable by shoppers the same way as a built-in. Deciding what
is shown is never the LLM's job: search and the recommender rank, the
shopper's constraints filter.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.executor import Executor
from agent.llm import ChatModel, LLMError, NoModel
from agent.lookup import Lookup
from agent.needs import aligned_translations
from agent.parse import Parsed, first_person, parse
from agent.plan import Call, Plan, Step
from agent.planner import RulePlanner, Situation
from agent.present import present
from agent.router import Router
from agent.spelling import brand_slips, corrected, self_corrected, shorthand
from agent.state import DialogueState, Slots
from agent.verifier import CheckedSentence
from catalog.errors import NotFoundError
from catalog.filters import ProductTable
from catalog.models import Product
from catalog.store import Store
from prompts.render import render
from tools.context import SessionView, ToolContext
from tools.dictionary import mandarin, simplified
from tools.registry import ToolOutcome, ToolRegistry, load_registry
from tools.results import Evidence

MAX_MESSAGE_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LETTERS = re.compile(r"[A-Za-z\u4e00-\u9fff]")


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
    answer: list[CheckedSentence] = field(default_factory=list)  # cited, not about a card
    trace: list[Step] = field(default_factory=list)  # the turn's tool calls
    plan: dict[str, Any] = field(default_factory=dict)  # how the message was read


@dataclass
class Turn:
    """One message being answered: its context, state, plan and trace."""

    agent: Agent
    ctx: ToolContext
    state: DialogueState
    text: str
    parsed: Parsed
    plan: Plan
    trace: list[Step] = field(default_factory=list)

    def run(self, calls: list[Call]) -> list[ToolOutcome]:
        self.ctx.session = self.agent.session_view(self.state)
        return self.agent.executor.run(calls, self.ctx, self.trace)

    def call(self, tool: str, **arguments: Any) -> ToolOutcome:
        return self.run([Call(tool, arguments)])[0]

    @property
    def situation(self) -> Situation:
        return self.agent.situation(self.state, self.ctx)


@dataclass
class Agent:
    store: Store
    catalog: str
    recommender: Any = None  # the active model, reached only through tools
    search: Any = None  # the search index, reached only through tools
    llm: ChatModel = field(default_factory=NoModel)
    registry: ToolRegistry = field(default_factory=lambda: load_registry(False))
    vocabulary: Any = None  # agent.vocabulary.Vocabulary
    similarity: Any = None  # verifier similarity function
    planner: Any = None  # an LLM planner (agent.llm_planner), or None for the rule planner
    router: Router | None = None  # built from the registry when the vocabulary can embed
    support_threshold: float = 0.44  # calibrated by benchmarks/bench_verifier.py (USE)
    k: int = 3
    # Weight of the recommender's order against the search order when both rank
    # (reciprocal-rank fusion); measured with benchmarks/bench_shoppers.py.
    personal_weight: float = 0.5
    personal_margin: float | None = 0.05  # see ToolContext.personal_margin
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

    def llm_failed(self) -> None:
        """The LLM failed or timed out: templates only until the retry time."""
        self.llm_failures += 1
        self._llm_down_until = time.monotonic() + self.llm_retry_s

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
        self.by_id = {p.id: p for p in self._products}
        self.table = ProductTable(self._products)
        currencies = [p.currency for p in self._products]
        self.currency = max(set(currencies), key=currencies.count) if currencies else "USD"
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
        self.names = sorted(set(names))
        encode = getattr(self.vocabulary, "encode", None)
        if self.router is None and encode is not None:
            self.router = Router.build(self.registry, encode)
        self.executor = Executor(self.registry)
        self.rules = RulePlanner(
            self.registry,
            self.vocabulary,
            self.router,
            self.currency,
            self._products,
            self.k,
            flag=self._flag,
            lookup=Lookup(self._products),
        )

    @property
    def _names(self) -> list[str]:  # the benchmarks' name for it
        return self.names

    # -- entry points ------------------------------------------------------------

    def turn(
        self,
        state: DialogueState,
        message: str,
        shopper_id: str | None = None,
        emit: Callable[[str], None] | None = None,
    ) -> Reply:
        """Answer one message. `emit`, when given, receives the reply text piece by piece
        as soon as each piece is ready (the intro before any explanation is written)."""
        text = self.read(message)
        parsed = parse(text)
        if _LETTERS.search(text):
            state.language = parsed.language
        state.turns += 1
        if text:
            state.hear(text)
        ctx = self._context(state, shopper_id, emit)
        plan = self.plan(text, state, ctx, parsed)
        if plan.intent == "recommend":
            state.asked_for_products()
        turn = Turn(self, ctx, state, text, parsed, plan)
        reply = present(turn)
        if not reply.question:
            state.clarified_last_turn = False
        return self._finish(reply, turn, emit)

    def read(self, message: str) -> str:
        """The message as the planner reads it: control characters out, bounded, slips of
        the keyboard and chat shorthand ("can u") put right, what the shopper took back
        left out ("for school no wait for hiking"), one typed by staff for a customer in
        the customer's own words, and Chinese in traditional characters in simplified
        ones and written Cantonese in Mandarin words (replies are in simplified Chinese)."""
        text = simplified(_CONTROL.sub(" ", message or "")[:MAX_MESSAGE_CHARS].strip())
        text = mandarin(text)  # "有冇防水嘅" -> "有没有防水的"
        text = corrected(shorthand(text), self.vocabulary.known_words)  # "brnad" -> brand
        text = brand_slips(text, tuple(self.vocabulary.brands), self.vocabulary.known_words)
        text = self_corrected(text)  # "the second one no wait the third one"
        return first_person(text)

    def plan(
        self, text: str, state: DialogueState, ctx: ToolContext, parsed: Parsed | None = None
    ) -> Plan:
        """The plan of one message: a pending question's answer, the LLM planner's
        choice (validated, else the rules'), or the rules and router's."""
        parsed = parsed or parse(text)
        situation = self.situation(state, ctx)
        self.rules.k = self.k  # how many products a turn shows may change after building
        plan = self.rules.complete(text, situation, parsed) if state.pending else None
        state.pending = None
        if plan is not None:
            return plan
        if self.planner is not None and text and time.monotonic() >= self._llm_down_until:
            plan = self.planner.plan(text, situation, parsed, self.rules)
            if getattr(self.planner, "failed", False):
                self.llm_failed()  # down or too slow: rules and templates for a while
            return plan
        return self.rules.plan(text, situation, parsed)

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
        # The button is on the product's card: the shopper has it in front of them.
        state.seen = list(dict.fromkeys([*state.seen, product_id]))
        ctx = self._context(state, shopper_id, emit)
        call = Call("record_feedback", {"product_id": product_id, "kind": kind}, explicit=True)
        plan = Plan("tools", kind, [call], source="button", tool="record_feedback")
        turn = Turn(self, ctx, state, "", Parsed(intent=kind), plan)
        return self._finish(present(turn), turn, emit)

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
        situation = self.situation(state, ctx)
        calls = self.rules.recommend_calls(state, situation, k=k or self.k)
        plan = Plan("tools", "recommend", calls, source="api", tool=calls[0].tool)
        turn = Turn(self, ctx, state, "", Parsed(), plan)
        return self._finish(present(turn), turn, emit)

    # -- context -------------------------------------------------------------------

    def session_view(self, state: DialogueState) -> SessionView:
        return SessionView(
            shown=list(state.shown),
            seen=list(state.seen),
            constraints=state.product_filter(),
            excluded=state.excluded,
            declined=list(state.not_interested),
            said=state.messages(),
        )

    def situation(self, state: DialogueState, ctx: ToolContext) -> Situation:
        seen = [self.by_id[i] for i in state.seen if i in self.by_id]
        has_history = bool(ctx.shopper_id and self.store.history(self.catalog, ctx.shopper_id))
        return Situation(
            state,
            seen,
            has_history=has_history,
            has_recommender=self.recommender is not None,
            has_search=self.search is not None,
        )

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
            session=self.session_view(state),
            encode=getattr(self.vocabulary, "encode", None),
            personal_weight=self.personal_weight,
            personal_margin=self.personal_margin,
            table=self.table,
            similarity=self.similarity,
        )

    def translate(self, word: str) -> list[str]:
        """The English word this catalog's translated titles pair with a Chinese word
        (磨豆 -> "grinder", 头戴式 -> "over-ear"; tools.lexicon), stemmed: for a verifier
        of request claims, which reads a word by its dictionary senses besides. Not the
        words near it by meaning the matcher also uses (放水 -> "water"), so that the
        verifier still catches what those get wrong."""
        return aligned_translations(self._context(new_state("zh"), None, None), word)

    def _known_shopper(self, shopper_id: str | None) -> str | None:
        if not shopper_id:
            return None
        try:
            self.store.shopper(self.catalog, shopper_id)
        except NotFoundError:
            return shopper_id  # a new shopper: cold start, feedback still recorded
        return shopper_id

    @staticmethod
    def _flag(name: str, text: str) -> bool:
        """A boolean parameter the message names ("express" in "express shipping"). Only
        the name itself counts: across languages word embeddings confuse 加急 (express)
        with 快递 (courier), so a Chinese message leaves such flags at their default."""
        words = name.replace("_", " ").casefold()
        found = re.search(rf"(?<![\w]){re.escape(words)}", text.casefold())
        # "不用 express", "no express needed", "don't need express": named, and declined
        return found is not None and not _DECLINED.search(text[: found.start()])

    @staticmethod
    def _finish(reply: Reply, turn: Turn, emit) -> Reply:
        reply.evidence = dict(turn.ctx.evidence.records)
        reply.language = turn.state.language
        reply.trace = list(turn.trace)
        reply.plan = {
            "action": turn.plan.action,
            "tool": turn.plan.tool,
            "source": turn.plan.source,
            "score": None if turn.plan.score is None else round(turn.plan.score, 3),
        }
        if emit is not None and not reply.data.get("streamed"):
            emit(reply.text)
        return reply


_DECLINED = re.compile(
    r"(?:\b(?:no|not|without|don'?t (?:need|want)|doesn'?t need to be)\s+(?:an?\s+|the\s+)?"
    r"|(?:不用|不要|不需要|不必|无需|别)\s*)$",
    re.I,
)


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
    """The JSON form of a reply: products, cited sentences, the evidence they cite and
    the turn's tool calls (`trace`)."""
    sentences = [s for p in reply.products for s in p.sentences] + reply.answer
    cited = {c for s in sentences for c in s.citations}
    table = comparison(reply)
    cited |= {c for row in (table or {}).get("rows", []) for c in row["citations"] if c}
    out = {
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
                "explanation": [_sentence(s) for s in p.sentences],
            }
            for p in reply.products
        ],
        "answer": [_sentence(s) for s in reply.answer],
        "evidence": {cid: asdict(e) for cid, e in reply.evidence.items() if cid in cited},
        "model_sentences": reply.model_sentences,
        "model_passed": reply.model_passed,
        "trace": [step.to_dict() for step in reply.trace],
        "plan": reply.plan,
    }
    if table is not None:
        out["comparison"] = table
    return out


def comparison(reply: Reply) -> dict[str, Any] | None:
    """A comparison's table as the UI, the widget and the API show it: the products in
    the order compared, then one row per field with each product's value and the record
    that states it (None where its record does not)."""
    data = reply.data
    if reply.intent != "compare" or "rows" not in data:
        return None
    return {
        "columns": list(data["columns"]),
        "rows": [
            {
                "name": name,
                "values": list(values),
                "citations": list(data["cited"][name]),
                "differs": name in data["differs"],
            }
            for name, values in data["rows"].items()
        ],
    }


def _sentence(s: CheckedSentence) -> dict[str, Any]:
    return {"text": s.text, "citations": s.citations, "source": s.source}


def new_state(language: str = "en") -> DialogueState:
    return DialogueState(slots=Slots(), language=language)
