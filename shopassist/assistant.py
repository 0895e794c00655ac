"""Builds a ready Agent for one catalog from the settings: the composition root
shared by the terminal chat, `ask`, and (later) the web server.

Each component degrades on its own: no trained model -> popularity within the
filters; no search index -> the index is built on first use when possible,
else ranking without search; no LLM -> template explanations. What degraded is
reported in `Assistant.notes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from agent.agent import Agent
from agent.llm import PACKAGED, LLMError, make_model
from agent.vocabulary import Vocabulary
from catalog.errors import InputError, ShopAssistError
from catalog.store import Store
from shopassist.settings import Settings
from tools.registry import ToolRegistry, load_registry

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    agent: Agent
    notes: list[str] = field(default_factory=list)


def build_assistant(
    settings: Settings,
    store: Store,
    catalog: str,
    llm: str | None = None,
    planner: str | None = None,
    registry: ToolRegistry | None = None,
) -> Assistant:
    """`llm`: None (use settings), "none", "default", a packaged model name
    ("qwen2.5-coder-0.5b", "gemma3-270m") or an OpenAI-compatible URL. `planner`:
    None (use settings), "rules", "llm" or "auto". `registry`: the tools (default: the
    built-ins and every installed plugin)."""
    from recommender.registry import load_usable
    from vectorstore.embeddings import make_embedder
    from vectorstore.index import open_index

    notes: list[str] = []
    products = store.products(catalog)  # unknown catalog -> NotFoundError listing known ones
    embedder = make_embedder(settings.embeddings.backend, device=settings.embeddings.device)
    recommender, problem = load_usable(settings.home, store, catalog)
    if problem:
        notes.append(problem)
    elif recommender is None:
        notes.append(
            f"no trained model for {catalog!r}: showing popular products "
            f"(run `shopassist train --dataset {catalog}`)"
        )
    try:
        search = open_index(
            settings.home,
            store,
            catalog,
            embedder,
            settings.vectorstore.url,
            auto_build=True,
            fusion=settings.vectorstore.fusion,
            weight=settings.vectorstore.fusion_weight,
        )
    except ShopAssistError as exc:
        search = None
        notes.append(f"search unavailable: {exc}")
    if search is not None and search.degraded:
        notes.append(search.degraded)
    chat_model = _chat_model(settings, llm, notes)
    vocabulary = Vocabulary.from_products(products, embedder.encode)

    def similarity(sentence: str, claims: list[str]) -> float:
        vectors = embedder.encode([sentence, *claims])
        return float((vectors[1:] @ vectors[0]).max())

    registry = registry or load_registry()
    agent = Agent(
        store,
        catalog,
        recommender,
        search,
        chat_model,
        registry=registry,
        vocabulary=vocabulary,
        similarity=similarity,
        llm_retry_s=settings.llm.retry_s,
        llm_turn_budget_s=settings.llm.turn_budget_s,
    )
    agent.planner = _planner(planner or settings.agent.planner, agent, notes)
    agent.prepare_llm()
    return Assistant(agent, notes)


def _planner(choice: str, agent: Agent, notes: list[str]):
    """The LLM planner when chosen (or `auto` with an OpenAI-compatible endpoint),
    else None: the rules and the router plan."""
    from agent.llm import NoModel, OpenAICompatibleModel
    from agent.llm_planner import LLMPlanner

    if choice not in ("rules", "llm", "auto"):
        raise InputError(f"unknown planner {choice!r}: use rules, llm or auto")
    if choice == "rules" or (choice == "auto" and not isinstance(agent.llm, OpenAICompatibleModel)):
        return None
    if isinstance(agent.llm, NoModel):
        notes.append("the LLM planner needs a model (llm.backend): planning with the rules")
        return None
    return LLMPlanner(agent.llm, agent.registry, agent.vocabulary)


def _chat_model(settings: Settings, llm: str | None, notes: list[str]):
    backend, model, url = settings.llm.backend, settings.llm.model, settings.llm.url
    if llm == "none":
        backend = "none"
    elif llm and llm.startswith(("http://", "https://")):
        backend, url = "openai", llm
    elif llm == "default":
        backend, model = "llama_cpp", "default"
    elif llm in PACKAGED:
        backend, model = "llama_cpp", llm
    try:
        return make_model(
            backend, model, settings.home, url, settings.llm.timeout_s, settings.llm.threads
        )
    except LLMError as exc:
        notes.append(f"LLM unavailable ({exc}): explanations use templates")
        return make_model("none", "default", settings.home)
