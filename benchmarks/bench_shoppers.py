"""End-to-end evaluation with simulated shoppers (benchmarks/simulator.py).

    python -m benchmarks.bench_shoppers [--datasets demo gift_cards industrial scientific]
        [--episodes 300] [--turns 5] [--zh-share 0.3] [--model auto]
        [--llm-planner URL] [--name shoppers]

A data set is a built-in one (the demo shop, or a real catalog of the shared data) or
any catalog ingested into the store of SHOPASSIST_HOME, which is copied first: a
shop measures the assistant on its own data. Per data set: the target of an episode
is a shopper's last real purchase in the test split (the newest one where the
catalog has no split); those interactions are deleted from a private copy of the
catalog before the recommender is trained and the index built, so nothing the assistant uses has
seen them. Then, on the same episodes:

- oracle: not an assistant but a reference for reading the shopper's words: each
  fact said so far read as the value it stands for (the simulator's answer key), the
  products holding them all ordered by the recommender for the shopper. Not a bound
  (an assistant may order look-alikes better than the recommender does), but a miss
  here means the facts said did not single the target out among its look-alikes;
- reader (with --tokens): another reference: every fact read right as the oracle
  reads it, and each turn three products not shown before that hold them all, in a
  random (seeded) order: what understanding the shopper perfectly gives with no
  reason to prefer one look-alike to another;
- recommender: the shopper's top 5 from the recommender at turn 1, no dialogue;
- search: each turn, the facts revealed so far as one search query, top 5;
- agent: the full assistant (deterministic planner, template explanations),
  showing 5 products a turn, talking with the simulated shopper;
- agent_llm: the same with the LLM planner on an OpenAI-compatible endpoint
  (only with --llm-planner).

Success: the target is among the products shown within `--turns` turns.
Reported per system: Hit@1 (shown first), Hit@5, mean turns to success (a
failure counts as turns + 1), each with a 95 % interval, and the hit rate by
turn. Every explanation the agent shows is audited (citations name evidence
of the turn; numbers and catalog names appear in the cited records); 50 are
sampled for a human to read. Results: benchmarks/results/<name>.json and
<name>.png (hit rate by turn).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from benchmarks.agent_common import audit, request_claims
from benchmarks.common import print_table, real_sources, write_results
from benchmarks.simulator import (
    CatalogWords,
    NeedLexicon,
    NeedSource,
    Question,
    SimulatedShopper,
    TokenSource,
    mean_ci,
    mine_review_phrases,
    wilson,
)
from catalog.models import InteractionKind, Product
from catalog.store import Store

SHOWN = {"literal": 5, "needs": 3}  # products shown a turn: the UI shows three
PURCHASE_KINDS = {InteractionKind.PURCHASE, InteractionKind.RATING}


@dataclass(frozen=True)
class Episode:
    shopper: str
    target: str
    language: str
    seed: int


# -- preparation ---------------------------------------------------------------------------


def choose_episodes(
    store: Store, catalog: str, n: int, seed: int, zh_share: float
) -> list[Episode]:
    """Shoppers with a held-out last purchase and some history left to learn from."""
    rng = np.random.default_rng(seed)
    in_stock = {p.id for p in store.products(catalog) if p.in_stock}
    episodes: list[Episode] = []
    for shopper in rng.permutation(store.shopper_ids(catalog)):
        history = store.history(catalog, str(shopper))
        tests = [h for h in history if h.split.value == "test"]
        if tests:
            target = tests[-1].product_id
        else:
            buys = [h for h in history if h.kind in PURCHASE_KINDS] or history
            if not buys:
                continue
            target = buys[-1].product_id
        others = {h.product_id for h in history} - {target}
        if len(others) < 2 or target not in in_stock:
            continue
        i = len(episodes)
        language = "zh" if int((i + 1) * zh_share) > int(i * zh_share) else "en"
        episodes.append(Episode(str(shopper), target, language, seed * 100_003 + i))
        if len(episodes) == n:
            break
    return episodes


def prepare(work: Path, catalog: str, n: int, seed: int, zh_share: float, model: str):
    """A private data dir for `catalog` with the episodes' targets held out, a trained
    recommender and a search index; reused when it was made with the same settings."""
    from catalog.ingest import CLEANING_VERSION, build_demo, ingest
    from recommender.training import train_model
    from vectorstore.index import build_index

    source = _source(catalog)
    # A private copy made from another source or by an older cleaning is made again.
    key = {"n": n, "seed": seed, "zh_share": zh_share, "model": model, "source": source}
    key["cleaning"] = CLEANING_VERSION
    home = work / f"{catalog}-{n}-{seed}-{zh_share:g}-{model}"
    marker = home / "episodes.json"
    if marker.is_file():
        saved = json.loads(marker.read_text())
        if saved["key"] == key:
            store = Store.in_home(home)
            return home, store, [Episode(**e) for e in saved["episodes"]]
    if home.exists():
        import shutil

        shutil.rmtree(home)
    home.mkdir(parents=True)
    if source != "built-in":
        _copy_store(home)
    store = Store.in_home(home)
    if catalog == "demo":
        build_demo(store)
    elif catalog in real_sources():
        fmt, paths = real_sources()[catalog]
        ingest(store, catalog, fmt, paths, progress=True)
    episodes = choose_episodes(store, catalog, n, seed, zh_share)
    removed = store.hold_out(catalog, [(e.shopper, e.target) for e in episodes])
    print(f"{catalog}: {len(episodes)} episodes, {removed} held-out interactions removed")
    train_model(store, catalog, home, model, progress=True)
    build_index(store, catalog, home, progress=True)
    marker.write_text(json.dumps({"key": key, "episodes": [e.__dict__ for e in episodes]}))
    return home, store, episodes


def _shop_home() -> Path:
    from shopassist.settings import load_settings

    return load_settings().home


def _source(catalog: str) -> str:
    """What the private copy is made from: a built-in data set, or a catalog of the
    shop's own store (by its fingerprint, so a re-ingested catalog is copied again)."""
    if catalog == "demo" or catalog in real_sources():
        return "built-in"
    with Store.in_home(_shop_home()) as shop:
        if not shop.has_catalog(catalog):
            from catalog.errors import InputError

            known = ", ".join(c.name for c in shop.list_catalogs()) or "none"
            raise InputError(
                f"no catalog {catalog!r}: not a built-in data set (demo, "
                f"{', '.join(real_sources())}) nor in the store of SHOPASSIST_HOME "
                f"(catalogs there: {known}); ingest it first with `shopassist ingest`"
            )
        return f"store:{shop.fingerprint(catalog)}"


def _copy_store(home: Path) -> None:
    """Copy the shop's store (SHOPASSIST_HOME) into the private home, so held-out
    purchases are deleted from the copy, never from the shop's own data."""
    import sqlite3
    from contextlib import closing

    from catalog.store import DB_FILENAME

    with (
        closing(sqlite3.connect(_shop_home() / DB_FILENAME)) as src,
        closing(sqlite3.connect(home / DB_FILENAME)) as dst,
    ):
        src.backup(dst)


# -- the three systems ----------------------------------------------------------------------


@dataclass
class Outcome:
    first_hit_turn: int | None  # turn (1-based) where the target was first shown, top k
    first_top1_turn: int | None  # turn where it was shown first
    turns: int
    dialogue: list[dict[str, Any]]
    question_correct: bool | None = None  # a question was asked: answered from the record
    change_respected: bool | None = None  # a budget was corrected: the old one let go


def _outcome(shown_by_turn: list[list[str]], target: str, dialogue, k: int) -> Outcome:
    hit = next((t for t, ids in enumerate(shown_by_turn, 1) if target in ids[:k]), None)
    top1 = next((t for t, ids in enumerate(shown_by_turn, 1) if ids[:1] == [target]), None)
    return Outcome(hit, top1, len(shown_by_turn), dialogue)


def run_recommender(ctx, episode: Episode, shopper: SimulatedShopper, turns: int) -> Outcome:
    rec = ctx.recommender.recommend(episode.shopper, k=ctx.shown, filters=ctx.in_stock)
    return _outcome([list(rec.item_ids)], episode.target, [], ctx.shown)


def run_search(ctx, episode: Episode, shopper: SimulatedShopper, turns: int) -> Outcome:
    shown_by_turn: list[list[str]] = []
    dialogue = []
    by_id = ctx.by_id
    for t in range(turns):
        if t > 0:
            shopper.respond([by_id[i] for i in shown_by_turn[-1]])
        query = shopper.query()
        ids = [
            h.product_id
            for h in ctx.search.search(query, k=ctx.shown, filters=ctx.in_stock, snippets=0)
        ]
        shown_by_turn.append(ids)
        dialogue.append({"query": query, "shown": ids})
        if episode.target in ids:
            break
    return _outcome(shown_by_turn, episode.target, dialogue, ctx.shown)


def run_oracle(ctx, episode: Episode, shopper: SimulatedShopper, turns: int) -> Outcome:
    """Not an assistant: a reference for reading the shopper's words. Each fact said so
    far is read as the value it stands for (the answer key no assistant sees: "keeps my
    feet dry" as waterproofing = waterproof), the products that hold every one are the
    candidates, and the recommender orders them for this shopper (as the assistant's
    recommend_for_shopper does). A miss here means the facts said in the turns given
    do not single the target out among its look-alikes, for this order."""
    shown_by_turn: list[list[str]] = []
    for t in range(turns):
        if t > 0:
            shopper.respond([ctx.by_id[i] for i in shown_by_turn[-1]])
        facts = list(shopper.revealed)
        fit = [p.id for p in ctx.products if p.in_stock and all(holds(p, f) for f in facts)]
        rec = ctx.recommender.recommend(
            episode.shopper, k=ctx.shown, candidates=fit or None, filters=ctx.in_stock
        )
        ids = list(rec.item_ids)
        shown_by_turn.append(ids)
        if episode.target in ids:
            break
    return _outcome(shown_by_turn, episode.target, [], ctx.shown)


def run_reader(ctx, episode: Episode, shopper: SimulatedShopper, turns: int) -> Outcome:
    """Not an assistant: how far reading every need right goes on its own. Each fact
    said so far is read as the value it stands for (the answer key, as the oracle), and
    each turn shows three products not shown before that hold every one, in an order
    drawn at random (seeded by the episode): a reader that understands the shopper
    perfectly but has no reason to prefer one look-alike to another. Its Hit@1 is
    about what the facts alone single out; an assistant above it orders look-alikes
    better than chance (from how the shopper words things, or their history)."""
    rng = np.random.default_rng(episode.seed)
    seen: set[str] = set()
    shown_by_turn: list[list[str]] = []
    dialogue: list[dict[str, Any]] = []
    for t in range(turns):
        if t > 0:
            shopper.respond([ctx.by_id[i] for i in shown_by_turn[-1]])
        facts = list(shopper.revealed)
        fit = [
            p.id
            for p in ctx.products
            if p.in_stock and p.id not in seen and all(holds(p, f) for f in facts)
        ]
        ids = [fit[i] for i in rng.permutation(len(fit))[: ctx.shown]]
        seen.update(ids)
        shown_by_turn.append(ids)
        dialogue.append({"facts": [(f.kind, str(f.value)) for f in facts], "shown": ids})
        if episode.target in ids:
            break
    return _outcome(shown_by_turn, episode.target, dialogue, ctx.shown)


def holds(product: Product, fact) -> bool:
    """Whether a product has the value a fact stands for (the simulator's answer key)."""
    value = fact.value
    if fact.kind == "price":
        return product.price is not None and product.price <= float(value) + 0.005
    if fact.kind == "brand":
        return product.brand == value
    if fact.kind == "category":
        return value in product.categories
    if fact.kind == "use":
        return product.attributes.get("best_for") == value
    values = {v for v in product.attributes.values() if isinstance(v, str)}
    words = re.findall(r"[a-z][a-z'-]{2,}", f"{product.title} {product.description}".casefold())
    return value in values or str(value).casefold() in words


# The answer says the records are silent (prompts/answers.yaml: silent_en, silent_zh).
_SILENT = re.compile(
    r"do(?:es)? not (?:say|mention|state)|Neither its product page|nor its \d+ reviews mention"
    r"|没有提到|未提及"
)


def answered(reply, question: Question) -> bool:
    """The reply answers from the record: an answer sentence cites a record of the
    product asked about that holds the value asked about, and none says the records
    are silent."""
    texts = [s.text for s in reply.answer]
    cited = {c for s in reply.answer for c in s.citations}
    holds = any(
        (e := reply.evidence.get(c)) is not None
        and e.product_id == question.product_id
        and question.value.casefold() in (e.text or "").casefold()
        for c in cited
    )
    silent = any(_SILENT.search(t) for t in texts)
    return holds and not silent


FINDING = ("search_products", "recommend_for_shopper")


def respected(reply, products: list[Product], change: tuple[float, float]) -> bool:
    """After "actually my budget is N": the products were found under the new budget and
    not the old one (the budget of the reply's finding calls, as its trace shows), and
    nothing shown is over the new one."""
    old, new = change
    budgets = [
        step.arguments.get("max_price")
        for step in reply.trace
        if step.tool in FINDING and step.ok and step.arguments.get("max_price") is not None
    ]
    if not budgets or any(abs(float(b) - old) < 0.005 for b in budgets):
        return False
    over = any(p.price is not None and p.price > new + 0.005 for p in products)
    return not over and any(abs(float(b) - new) < 0.005 for b in budgets)


def run_agent(
    ctx, episode: Episode, shopper: SimulatedShopper, turns: int, llm: bool = False
) -> Outcome:
    from agent.agent import new_state

    agent = ctx.llm_agent if llm else ctx.agent
    state = new_state(episode.language)
    shown_by_turn: list[list[str]] = []
    dialogue = []
    message = shopper.opening().message
    change: tuple[float, float] | None = None
    change_respected: bool | None = None
    question_correct: bool | None = None
    for t in range(turns):
        if t > 0:
            shown = [ctx.by_id[i] for i in shown_by_turn[-1]]
            question = shopper.question(shown) if shown else None
            if question is not None:  # asked before choosing; not a turn of its own
                answer = agent.turn(state, question.message, episode.shopper)
                _audit(ctx, agent, state, answer)
                question_correct = answered(answer, question)
                dialogue.append(
                    {"shopper": question.message, "intent": answer.intent,
                     "answer": [s.text for s in answer.answer], "correct": question_correct}
                )  # fmt: skip
            said = shopper.respond(shown)
            message, change = said.message, said.change
        reply = agent.turn(state, message, episode.shopper)
        ids = [p.product_id for p in reply.products]
        shown_by_turn.append(ids)
        _audit(ctx, agent, state, reply)
        if change is not None and reply.products:
            shown = [ctx.by_id[i] for i in ids if i in ctx.by_id]
            change_respected = respected(reply, shown, change)
            change = None
        for p in reply.products:
            ctx.explanations.append(
                {
                    "dataset": ctx.catalog,
                    "language": state.language,
                    "message": message,
                    "product": p.product_id,
                    "title": p.title,
                    "sentences": [s.text for s in p.sentences],
                    "evidence": {
                        c: reply.evidence[c].text
                        for s in p.sentences
                        for c in s.citations
                        if c in reply.evidence
                    },
                }
            )
        dialogue.append({"shopper": message, "intent": reply.intent, "shown": ids})
        if episode.target in ids:
            break
    outcome = _outcome(shown_by_turn, episode.target, dialogue, ctx.shown)
    outcome.question_correct, outcome.change_respected = question_correct, change_respected
    return outcome


def _audit(ctx, agent, state, reply) -> None:
    problems = audit(reply, ctx.names, state.messages(), agent.similarity, agent.translate)
    ctx.audit_counts["request_claims"] += request_claims(reply)
    ctx.audit_counts["request_failed"] += sum(p["request"] for p in problems)
    ctx.audit_counts["explanations"] += len(reply.products)
    ctx.audit_counts["sentences"] += sum(len(p.sentences) for p in reply.products)
    ctx.audit_counts["answer_sentences"] += len(reply.answer)
    ctx.audit_counts["failed"] += len(problems)
    ctx.audit_failures.extend(problems[:3])


SYSTEMS: dict[str, Callable] = {
    "oracle": run_oracle,
    "reader": run_reader,
    "recommender": run_recommender,
    "search": run_search,
    "agent": run_agent,
    "agent_llm": partial(run_agent, llm=True),
    "agent_tokens": run_agent,  # the same agent, shoppers saying needs as catalog words
}


AUDITED = ("explanations", "sentences", "answer_sentences", "failed", "request_claims",
           "request_failed")  # fmt: skip


class Context:
    """What the systems share for one data set."""

    def __init__(
        self,
        home: Path,
        store: Store,
        catalog: str,
        llm_planner: str | None = None,
        mode: str = "needs",
    ):
        from agent.agent import Agent
        from catalog.filters import ProductFilter
        from shopassist.assistant import build_assistant
        from shopassist.settings import load_settings

        settings = load_settings(env={"SHOPASSIST_HOME": str(home)})
        assistant = build_assistant(settings, store, catalog, "none")
        self.agent: Agent = assistant.agent
        self.mode = mode
        self.shown = SHOWN[mode]
        self.agent.k = self.shown
        self.llm_agent: Agent | None = None
        if llm_planner:
            from agent.llm import OpenAICompatibleModel
            from agent.llm_planner import LLMPlanner

            llm = build_assistant(settings, store, catalog, llm_planner).agent
            if isinstance(llm.llm, OpenAICompatibleModel):
                # a prompt with every tool's schema takes a small model on a CPU longer
                # than the product's 20 s to read: the benchmark waits for the plan
                llm.llm = OpenAICompatibleModel(llm_planner, timeout=300)
            llm.k = self.shown
            llm.planner = LLMPlanner(llm.llm, llm.registry, llm.vocabulary)
            llm.llm_retry_s = 0.0  # every message asks the model, even after one failed
            self.llm_agent = llm
        self.catalog = catalog
        self.recommender = self.agent.recommender
        self.search = self.agent.search
        self.products: list[Product] = store.products(catalog)
        self.by_id = {p.id: p for p in self.products}
        self.words = CatalogWords.of(self.products)
        self.currency = self.agent.currency
        self.in_stock = ProductFilter(in_stock_only=True)
        self.names = self.agent._names
        self.audit_counts = dict.fromkeys(AUDITED, 0)
        self.needs: NeedSource | None = None
        self.tokens: TokenSource | None = None  # the reference: needs in catalog words
        if mode == "needs":
            reviews: dict[str, list[str]] = {}
            for r in store.reviews(catalog, limit=1_000_000):
                if r.text:
                    reviews.setdefault(r.product_id, []).append(r.text)
            self.needs = NeedSource(NeedLexicon.load(), mine_review_phrases(self.products, reviews))
            self.tokens = TokenSource(self.needs.lexicon, self.needs.mined)
        self.audit_failures: list[dict[str, Any]] = []
        self.explanations: list[dict[str, Any]] = []


def evaluate(
    ctx: Context, episodes: list[Episode], systems: list[str], turns: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, transcripts = [], []
    for system in systems:
        if system == "agent_llm" and ctx.llm_agent is None:
            continue
        if system in ("agent_tokens", "reader") and ctx.tokens is None:
            continue
        runner = SYSTEMS[system]
        outcomes: list[tuple[Episode, Outcome]] = []
        started = time.perf_counter()
        for e in tqdm(episodes, desc=f"{ctx.catalog}/{system}", leave=False):
            needs = ctx.tokens if system == "agent_tokens" else ctx.needs
            shopper = SimulatedShopper.for_target(
                ctx.by_id[e.target], ctx.words, e.seed, e.language, ctx.currency,
                ctx.mode, needs,
            )  # fmt: skip
            outcomes.append((e, runner(ctx, e, shopper, turns)))
        elapsed = time.perf_counter() - started
        rows.append(_row(ctx.catalog, system, outcomes, turns, elapsed, k=ctx.shown))
        for language in ("en", "zh"):
            part = [(e, o) for e, o in outcomes if e.language == language]
            if part and system != "recommender":
                rows.append(_row(ctx.catalog, system, part, turns, None, language, ctx.shown))
        transcripts += [
            {"dataset": ctx.catalog, "system": system, "target": e.target, "turns": o.dialogue}
            for e, o in outcomes[:3]
            if o.dialogue
        ]
    return rows, transcripts


def _row(catalog, system, outcomes, turns, elapsed, language="all", k=5) -> dict[str, Any]:
    n = len(outcomes)
    hitk = sum(o.first_hit_turn is not None for _, o in outcomes)
    hit1 = sum(o.first_top1_turn is not None for _, o in outcomes)
    to_success = [o.first_hit_turn or turns + 1 for _, o in outcomes]
    mean, lo, hi = mean_ci(to_success)
    by_turn = [
        sum(o.first_hit_turn is not None and o.first_hit_turn <= t for _, o in outcomes) / n
        for t in range(1, turns + 1)
    ]
    asked = [o.question_correct for _, o in outcomes if o.question_correct is not None]
    changed = [o.change_respected for _, o in outcomes if o.change_respected is not None]
    return {
        "dataset": catalog,
        "system": system,
        "language": language,
        "episodes": n,
        "k": k,
        "hit1": hit1 / n,
        "hit1_ci": list(wilson(hit1, n)),
        f"hit{k}": hitk / n,
        f"hit{k}_ci": list(wilson(hitk, n)),
        "turns_to_success": mean,
        "turns_ci": [lo, hi],
        "hit_by_turn": by_turn,
        "questions": len(asked),
        "questions_correct": sum(asked) / len(asked) if asked else None,
        "questions_ci": list(wilson(sum(asked), len(asked))) if asked else None,
        "changes": len(changed),
        "changes_respected": sum(changed) / len(changed) if changed else None,
        "seconds": None if elapsed is None else round(elapsed, 1),
    }


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = plt.subplots(1, len(datasets), figsize=(4.2 * len(datasets), 3.4), squeeze=False)
    for ax, dataset in zip(axes[0], datasets, strict=True):
        for r in rows:
            if r["dataset"] == dataset and r["language"] == "all":
                xs = range(1, len(r["hit_by_turn"]) + 1)
                ax.plot(xs, r["hit_by_turn"], marker="o", label=r["system"])
        ax.set_title(dataset)
        ax.set_xlabel("turn")
        ax.set_ylabel(f"Hit@{r['k']} so far")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(
    datasets: list[str],
    episodes: int,
    turns: int = 5,
    seed: int = 0,
    zh_share: float = 0.3,
    model: str = "auto",
    work: Path | None = None,
    llm_planner: str | None = None,
    name: str | None = None,
    samples: int = 50,
    mode: str = "needs",
    tokens: bool = False,
) -> dict[str, Any]:
    """`name`: of the result files; default "shoppers" in needs mode, "shoppers_literal"
    in literal mode. `tokens` (needs mode): also the references `agent_tokens`, the agent
    on the same episodes with each need said in the catalog's own words, and `reader`,
    every need read right and look-alikes shown in a random order."""
    name = name or ("shoppers" if mode == "needs" else f"shoppers_{mode}")
    work = work or Path(tempfile.gettempdir()) / "shopassist-bench-shoppers"
    systems = ["oracle", "recommender", "search", "agent"] + (["agent_llm"] if llm_planner else [])
    systems += ["reader", "agent_tokens"] if tokens and mode == "needs" else []
    rows: list[dict[str, Any]] = []
    transcripts: list[dict[str, Any]] = []
    totals = dict.fromkeys(AUDITED, 0)
    failures: list[dict[str, Any]] = []
    explanations: list[dict[str, Any]] = []
    llm_plans: dict[str, dict[str, int]] = {}
    for dataset in datasets:
        home, store, eps = prepare(work, dataset, episodes, seed, zh_share, model)
        ctx = Context(home, store, dataset, llm_planner, mode)
        got, shown = evaluate(ctx, eps, systems, turns)
        rows += got
        transcripts += shown
        for k in totals:
            totals[k] += ctx.audit_counts[k]
        failures += ctx.audit_failures
        explanations += ctx.explanations
        if ctx.llm_agent is not None:  # how many turns the model planned, and fell back
            planner = ctx.llm_agent.planner
            llm_plans[dataset] = {"chosen": planner.chosen, "fallbacks": planner.fallbacks}
        store.close()
    rng = np.random.default_rng(seed)
    picked = sorted(
        rng.choice(len(explanations), size=min(samples, len(explanations)), replace=False)
    )
    sample = [explanations[i] for i in picked]
    from benchmarks.common import RESULTS

    RESULTS.mkdir(parents=True, exist_ok=True)
    plot(rows, RESULTS / f"{name}.png")
    path = write_results(
        name,
        rows,
        turns=turns,
        mode=mode,
        shown_per_turn=SHOWN[mode],
        seed=seed,
        zh_share=zh_share,
        model=model,
        audit={**totals, "failures": failures[:20]},
        explanation_sample=sample,
        transcripts=transcripts,
        **({"llm_plans": llm_plans} if llm_plans else {}),
    )
    k = SHOWN[mode]
    columns = ["dataset", "system", "language", "episodes", "hit1", f"hit{k}", "turns_to_success"]
    if mode == "needs":
        columns += ["questions", "questions_correct", "changes", "changes_respected"]
    print_table(rows, columns)
    print(f"audit: {totals}")
    if llm_plans:
        print(f"LLM planner (turns planned by the model, fell back to the rules): {llm_plans}")
    print(f"wrote {path}")
    return {"rows": rows, "audit": totals, "path": str(path)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--datasets", nargs="+", default=["demo", "gift_cards", "industrial", "scientific"]
    )
    p.add_argument("--episodes", type=int, default=300)
    p.add_argument("--turns", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--zh-share", type=float, default=0.3)
    p.add_argument("--model", default="auto", help="auto (the default of the product) or a name")
    p.add_argument("--work", type=Path, help="where the private data dirs go (reused)")
    p.add_argument("--llm-planner", help="OpenAI-compatible URL: also run the LLM planner")
    p.add_argument("--name", help="result file name (default: shoppers, or shoppers_literal)")
    p.add_argument(
        "--mode",
        choices=["needs", "literal"],
        default="needs",
        help="needs: facts said as needs in the shopper's words, questions, budget changes,"
        " typos, 3 shown a turn; literal: the target's catalog words, 5 shown a turn",
    )
    p.add_argument(
        "--tokens",
        action="store_true",
        help="needs mode: also run the agent with each need said in the catalog's own words"
        " (the value it stands for), a reference for what reading needs could gain, and"
        " the reader (every need read right, look-alikes in a random order)",
    )
    a = p.parse_args(argv)
    run(
        a.datasets, a.episodes, a.turns, a.seed, a.zh_share, a.model, a.work, a.llm_planner,
        a.name, mode=a.mode, tokens=a.tokens,
    )  # fmt: skip


if __name__ == "__main__":
    main()
