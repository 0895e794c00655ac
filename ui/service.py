"""The shop service behind the web UI, the widget and the HTTP API.

One catalog per server process. Conversations are sessions stored in SQLite
(a restart keeps them): each message loads the session's dialogue state,
runs one agent turn and saves the new state with both messages in one
transaction. Session ids are 192-bit random tokens; a session is only ever
reached through its id, so one session never sees another's history. Who may use
a session or a shopper's data is the HTTP API's check (ui/access.py); the web UI
and the terminal act through this service directly.

Agent turns are serialised by one lock: the recommender's online fold-in and
the search index are shared, mutable state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from agent.agent import MAX_MESSAGE_CHARS, new_state, reply_to_dict
from agent.replies import say
from agent.state import DialogueState
from catalog.errors import BusyError, InputError, NotFoundError
from catalog.store import Store
from shopassist.assistant import Assistant, build_assistant
from shopassist.settings import Settings
from tools.profile import build_profile, feedback_history
from ui.tokens import GUEST_PREFIX, SHOPPER_ID_RE

log = logging.getLogger(__name__)

EXECUTOR_PREFIX = "assistant-turn"
FEEDBACK_KINDS = ("like", "not_interested", "cart")
MAX_K = 20
MAX_REMEMBERED_OWNERS = 100_000


def plain(value: Any) -> Any:
    """JSON-ready copy (numpy numbers and other odd values become plain ones)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def check_shopper_id(shopper_id: str) -> str:
    if not SHOPPER_ID_RE.match(shopper_id or ""):
        raise InputError("shopper_id must be 1-64 characters of letters, digits and _ . : @ -")
    return shopper_id


class ShopService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        catalog: str,
        llm: str | None = None,
        assistant: Assistant | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.llm = llm
        self.assistant = assistant or build_assistant(settings, store, catalog, llm)
        self._lock = threading.RLock()  # the agent and its models are shared state
        self._jobs: dict[str, dict[str, Any]] = {}
        self.started_at = time.time()
        self._pending = 0  # admitted turns, queued or running
        self._pending_lock = threading.Lock()
        # One thread answers the API's turns in arrival order: no pile of threads
        # fighting over the interpreter lock while one of them holds the assistant.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=EXECUTOR_PREFIX)
        self._turn_seconds = 0.05  # running mean, for Retry-After
        self._owners: OrderedDict[str, str | None] = OrderedDict()  # session id -> shopper
        self._owners_lock = threading.Lock()
        self._prepare(self.agent.recommender)

    def _prepare(self, recommender) -> None:
        """Bring a freshly loaded model up to date with the store: replay the stored
        feedback (a restart or a retrain keeps what shoppers said) and forget shoppers
        whose data was deleted after the model was trained."""
        if recommender is None:
            return
        for shopper_id, product_id, kind in self.store.all_feedback(self.catalog):
            key = "negative" if kind == "not_interested" else "positive"
            try:
                recommender.fold_in(shopper_id, **{key: [product_id]})
            except NotFoundError:
                continue  # a product the model was not trained on
        known = set(self.store.shopper_ids(self.catalog))
        for user_id in [u for u in getattr(recommender, "user_index", {}) if u not in known]:
            recommender.forget_user(user_id)

    @property
    def agent(self):
        return self.assistant.agent

    def warm_up(self) -> float:
        """Answer one throw-away request (nothing stored) so that the first shopper does not
        wait for the embedding model's and the search path's first-call set-up (~1 s)."""
        started = time.perf_counter()
        encode = getattr(self.agent.vocabulary, "encode", None)
        embedder = getattr(encode, "__self__", None)
        if hasattr(embedder, "warm"):
            embedder.warm()  # both passes of the encoder: questions embed many passages
        products = self.agent._products
        words = products[0].category if products else "gift"
        with self._lock:
            self.agent.turn(new_state(), words or "gift", None)
        return time.perf_counter() - started

    # -- admission: a bounded queue in front of the one assistant ---------------------

    @property
    def max_pending(self) -> int:
        server = self.settings.server
        has_llm = getattr(self.agent.llm, "name", "none") != "none"
        return server.max_pending_llm_turns if has_llm else server.max_pending_turns

    def _admit(self) -> None:
        with self._pending_lock:
            self._refuse_if_full()
            self._pending += 1

    def _leave(self, *_: object) -> None:
        with self._pending_lock:
            self._pending -= 1

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Hold the assistant for one turn. Called outside the assistant thread (the web
        UI), it is also admitted here, refused at once when the queue is full."""
        admitted_here = not threading.current_thread().name.startswith(EXECUTOR_PREFIX)
        if admitted_here:
            self._admit()
        try:
            with self._lock:
                started = time.perf_counter()
                yield
                self._turn_seconds = 0.8 * self._turn_seconds + 0.2 * (
                    time.perf_counter() - started
                )
        finally:
            if admitted_here:
                self._leave()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        """Queue `fn` for the assistant thread (first come, first served) and return its
        future; a full queue raises BusyError at once."""
        self._admit()
        try:
            future = self._executor.submit(fn, *args, **kwargs)
        except BaseException:
            self._leave()
            raise
        future.add_done_callback(self._leave)
        return future

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`submit` for async callers: the HTTP API."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def _refuse_if_full(self) -> None:
        if self._pending >= self.max_pending:
            wait = max(1, round(self._pending * self._turn_seconds))
            raise BusyError(
                f"the assistant is busy ({self._pending} requests waiting); try again in {wait} s",
                wait,
            )

    # -- sessions ------------------------------------------------------------------

    def greeting(self, language: str) -> str:
        return self.settings.server.greeting or say("greeting", language)

    def new_session(self, shopper_id: str | None = None, language: str = "en") -> dict[str, Any]:
        if language not in ("en", "zh"):
            raise InputError("language must be 'en' or 'zh'")
        shopper_id = (
            check_shopper_id(shopper_id) if shopper_id else GUEST_PREFIX + secrets.token_hex(6)
        )
        session_id = secrets.token_urlsafe(24)
        self.store.create_session(
            session_id, self.catalog, shopper_id, new_state(language).to_dict()
        )
        self._remember_owner(session_id, shopper_id)
        return {
            "session_id": session_id,
            "shopper_id": shopper_id,
            "language": language,
            "greeting": self.greeting(language),
        }

    def _load(self, session_id: str) -> tuple[str | None, DialogueState]:
        record = self.store.session(session_id)
        if record.catalog != self.catalog:
            raise NotFoundError("no such session (it may have been deleted)")
        return record.shopper_id, DialogueState.from_dict(record.state)

    def session_owner(self, session_id: str) -> str | None:
        """The shopper (or guest) the session was bound to at its creation. Asked before
        every API message, so it is remembered: a binding never changes, and a deletion
        forgets them all."""
        with self._owners_lock:
            if session_id in self._owners:
                self._owners.move_to_end(session_id)
                return self._owners[session_id]
        catalog, owner = self.store.session_owner(session_id)
        if catalog != self.catalog:
            raise NotFoundError("no such session (it may have been deleted)")
        self._remember_owner(session_id, owner)
        return owner

    def _remember_owner(self, session_id: str, owner: str | None) -> None:
        with self._owners_lock:
            self._owners[session_id] = owner
            while len(self._owners) > MAX_REMEMBERED_OWNERS:
                self._owners.popitem(last=False)

    def session(self, session_id: str) -> dict[str, Any]:
        shopper_id, state = self._load(session_id)
        return {
            "session_id": session_id,
            "shopper_id": shopper_id,
            "language": state.language,
            "shown": state.shown,
            "messages": self.store.session_messages(session_id),
        }

    def set_language(self, session_id: str, language: str) -> None:
        if language not in ("en", "zh"):
            raise InputError("language must be 'en' or 'zh'")
        with self._lock:
            _, state = self._load(session_id)
            state.language = language
            self.store.save_session(session_id, state.to_dict())

    def send(
        self, session_id: str, text: str, emit: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """One shopper message -> the assistant's reply (products, cited sentences, evidence)."""
        if not isinstance(text, str) or not text.strip():
            raise InputError("the message is empty: write what you are looking for")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InputError(
                f"the message has {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}"
            )
        with self._turn():
            shopper_id, state = self._load(session_id)
            reply = self.agent.turn(state, text, shopper_id, emit=emit)
            out = plain(reply_to_dict(reply))
            self.store.save_session(
                session_id,
                state.to_dict(),
                [("shopper", text, None), ("assistant", reply.text, out)],
            )
        return out

    def feedback(
        self,
        product_id: str,
        kind: str,
        session_id: str | None = None,
        shopper_id: str | None = None,
    ) -> dict[str, Any]:
        """Store feedback on a product and fold it into the recommender at once. With a
        session, the reply (a new list for "not interested") is part of the conversation."""
        if kind not in FEEDBACK_KINDS:
            raise InputError(f"kind must be one of {', '.join(FEEDBACK_KINDS)}")
        with self._turn():
            if session_id:
                owner, state = self._load(session_id)
                if shopper_id and shopper_id != owner:
                    raise InputError("shopper_id does not match the session's shopper")
                shopper_id = owner
            else:
                if not shopper_id:
                    raise InputError("give a session_id or a shopper_id")
                check_shopper_id(shopper_id)
                state = new_state()
            reply = self.agent.feedback(state, product_id, kind, shopper_id)
            out = plain(reply_to_dict(reply))
            if session_id:
                note = f"[{kind.replace('_', ' ')}: {product_id}]"
                self.store.save_session(
                    session_id,
                    state.to_dict(),
                    [("shopper", note, None), ("assistant", reply.text, out)],
                )
        return {"recorded": True, "kind": kind, "product_id": product_id, "reply": out}

    # -- catalog and shoppers --------------------------------------------------------

    def product(self, product_id: str) -> dict[str, Any]:
        p = self.store.product(self.catalog, product_id)
        reviews = self.store.reviews(self.catalog, product_id, limit=5)
        return plain({**asdict(p), "category": p.category, "reviews": [asdict(r) for r in reviews]})

    def shoppers(self, limit: int = 30) -> list[str]:
        return self.store.shopper_ids(self.catalog)[:limit]

    def recommendations(
        self,
        shopper_id: str,
        k: int = 5,
        min_price: float | None = None,
        max_price: float | None = None,
        category: str | None = None,
        brands: list[str] | None = None,
        exclude_brands: list[str] | None = None,
        language: str = "en",
    ) -> dict[str, Any]:
        check_shopper_id(shopper_id)
        if not 1 <= k <= MAX_K:
            raise InputError(f"k must be between 1 and {MAX_K}")
        if min_price is not None and max_price is not None and min_price > max_price:
            raise InputError("min_price is above max_price")
        state = new_state(language)
        s = state.slots
        s.min_price, s.max_price, s.category = min_price, max_price, category
        s.brands, s.exclude_brands = list(brands or []), list(exclude_brands or [])
        for pid, kind, _ in self.store.feedback(self.catalog, shopper_id):
            if kind == "not_interested":
                state.not_interested.append(pid)
        with self._turn():
            reply = self.agent.recommend(state, shopper_id, k)
        return plain(reply_to_dict(reply))

    def profile(self, shopper_id: str) -> dict[str, Any]:
        check_shopper_id(shopper_id)
        feedback = self.store.feedback(self.catalog, shopper_id)
        history = self.store.history(self.catalog, shopper_id) + feedback_history(
            feedback, shopper_id
        )
        ids = list(dict.fromkeys(h.product_id for h in history))
        products = {p.id: p for p in self.store.products(self.catalog, ids)}
        profile = build_profile(shopper_id, history, products)
        out = asdict(profile)
        out["titles"] = {
            pid: products[pid].title for pid in profile.history[:20] if pid in products
        }
        out["feedback"] = [
            {"product_id": pid, "kind": kind, "at": at} for pid, kind, at in feedback
        ]
        return plain(out)

    def why(self, product_id: str, session_id: str | None = None, shopper_id: str | None = None):
        """What contributed to showing this product to this shopper: the evidence view."""
        product = self.store.product(self.catalog, product_id)
        state = new_state()
        if session_id:
            shopper_id, state = self._load(session_id)
        out: dict[str, Any] = {
            "product_id": product.id,
            "title": product.title,
            "title_zh": product.title_i18n.get("zh"),
            "contributions": [],
            "co_interactions": [],
            "matches": [],
            "popularity_rank": None,
            "n_items": None,
            "model": None,
        }
        rec = self.agent.recommender
        if rec is not None and shopper_id:
            with self._lock:
                try:
                    e = rec.explain(shopper_id, product_id)
                except NotFoundError:
                    e = None
            if e is not None:
                ids = [c.history_item_id for c in e.contributions[:5]]
                ids += [c.history_item_id for c in e.co_interactions[:3]]
                titles = {p.id: p.title for p in self.store.products(self.catalog, set(ids))}
                out["model"] = e.model
                out["popularity_rank"], out["n_items"] = e.popularity_rank, e.n_items
                out["contributions"] = [
                    {
                        "product_id": c.history_item_id,
                        "title": titles.get(c.history_item_id, c.history_item_id),
                        "share": c.share,
                    }
                    for c in e.contributions[:5]
                    if c.share > 0
                ]
                out["co_interactions"] = [
                    {
                        "product_id": c.history_item_id,
                        "title": titles.get(c.history_item_id, c.history_item_id),
                        "shoppers": c.shoppers,
                    }
                    for c in e.co_interactions[:3]
                ]
        out["matches"] = _matches(product, state)
        if shopper_id:
            out["profile"] = self.profile(shopper_id)
        return plain(out)

    # -- health and admin ------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        rec = self.agent.recommender
        return {
            "status": "ok",
            "catalog": self.catalog,
            "products": len(self.agent._products),
            "recommender": getattr(rec, "name", None),
            "recommender_chosen_by": _chosen_by(rec),
            "search": self.agent.search is not None,
            "llm": getattr(self.agent.llm, "name", type(self.agent.llm).__name__),
            "llm_available": self.agent.llm_available,
            "llm_failures": self.agent.llm_failures,
            "notes": self.assistant.notes,
            "uptime_s": round(time.time() - self.started_at, 1),
            "pending_turns": self._pending,
            "max_pending_turns": self.max_pending,
        }

    def start_job(self, kind: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        job = {"id": job_id, "kind": kind, "status": "running", "started_at": time.time()}
        self._jobs[job_id] = job

        def run() -> None:
            try:
                job["result"] = plain(work())
                job["status"] = "done"
            except Exception as exc:  # reported through the job, never lost
                log.exception("%s failed", kind)
                job["status"], job["error"] = "failed", str(exc)
            job["finished_at"] = time.time()

        threading.Thread(target=run, daemon=True, name=f"job-{kind}").start()
        return dict(job)

    def job(self, job_id: str) -> dict[str, Any]:
        if job_id not in self._jobs:
            raise NotFoundError(f"no such job {job_id!r}")
        return dict(self._jobs[job_id])

    def reindex(self) -> dict[str, Any]:
        from vectorstore.embeddings import make_embedder
        from vectorstore.index import build_index, open_index

        embedder = make_embedder(
            self.settings.embeddings.backend, device=self.settings.embeddings.device
        )
        vs = self.settings.vectorstore
        started = time.perf_counter()
        build_index(
            self.store, self.catalog, self.settings.home, embedder, vs.url,
            tokenizer_name=vs.tokenizer, store_documents=vs.store_documents,
        )  # fmt: skip
        search = open_index(
            self.settings.home, self.store, self.catalog, embedder, vs.url,
            fusion=vs.fusion, weight=vs.fusion_weight,
        )  # fmt: skip
        with self._lock:
            self.agent.search = search
        return {"seconds": round(time.perf_counter() - started, 2)}

    def retrain(self, model: str | None = None, epochs: int | None = None) -> dict[str, Any]:
        from recommender.registry import load_active
        from recommender.training import train_model

        started = time.perf_counter()
        result = train_model(
            self.store,
            self.catalog,
            self.settings.home,
            model or self.settings.recommender.model,
            hyperparameters={"epochs": epochs} if epochs else None,
            budget_s=self.settings.recommender.auto_budget_s,
        )
        recommender = load_active(self.settings.home, self.store, self.catalog)
        with self._lock:
            self._prepare(recommender)
            self.agent.recommender = recommender
        metrics = getattr(result, "metrics", None)
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "model": getattr(recommender, "name", None),
            "metrics": metrics,
        }

    def export(self) -> dict[str, Any]:
        return plain(self.store.export_activity(self.catalog))

    def shopper_export(self, shopper_id: str) -> dict[str, Any]:
        check_shopper_id(shopper_id)
        return plain(self.store.shopper_data(self.catalog, shopper_id))

    def forget_shopper(self, shopper_id: str) -> dict[str, Any]:
        """Right to be forgotten: delete the shopper's stored data and drop them from the
        live recommender (their past still shapes item embeddings until a retrain)."""
        check_shopper_id(shopper_id)
        with self._lock:
            deleted = self.store.delete_shopper_data(self.catalog, shopper_id)
            with self._owners_lock:
                self._owners.clear()  # their sessions are gone
            rec = self.agent.recommender
            if rec is not None:
                rec.forget_user(shopper_id)
        return {"shopper_id": shopper_id, "deleted": deleted}


def _chosen_by(recommender) -> str | None:
    """ "auto" with its validation NDCG@20 when `--model auto` chose the active model."""
    selection = getattr(recommender, "metrics", {}).get("selection")
    if not selection:
        return None
    winner = next(r for r in selection["candidates"] if r["model"] == selection["chosen"])
    fitted = sum(r["status"] == "fitted" for r in selection["candidates"])
    return f"auto (best validation NDCG@20, {winner['ndcg@20']:.4f}, of {fitted} fitted models)"


def _matches(product, state: DialogueState) -> list[dict[str, str]]:
    """The shopper's stated constraints this product meets, each with the field behind it."""
    s = state.slots
    out: list[dict[str, str]] = []
    path = [c.lower() for c in product.categories]
    if s.category and s.category.lower() in path:
        out.append({"what": "category", "value": s.category})
    if product.brand and product.brand in s.brands:
        out.append({"what": "brand", "value": product.brand})
    if product.price is not None and s.max_price is not None and product.price <= s.max_price:
        out.append({"what": "price", "value": f"{product.price:.2f} <= {s.max_price:.2f}"})
    text = " ".join([product.title, product.description, json.dumps(product.attributes)]).lower()
    for word in s.attributes:
        if word.lower() in text:
            out.append({"what": "attribute", "value": word})
    if s.use and s.use.lower() in text:
        out.append({"what": "use", "value": s.use})
    return out
