"""Broken parts degrade the assistant instead of breaking it, and it says so:
a corrupted model file, a Chroma server that is down, an LLM endpoint that never
answers. Each check runs on a copy of the demo shop."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from agent.agent import new_state
from catalog.store import Store
from recommender.registry import active_name, model_dir
from recommender.training import train_model
from shopassist.assistant import build_assistant
from shopassist.settings import load_settings
from tests.server_support import free_port
from ui.service import ShopService

pytestmark = pytest.mark.slow


def settings_for(home: Path, **overrides):
    return load_settings(env={}, overrides={"home": str(home), **overrides})


def hiking_boots(agent) -> list:
    reply = agent.turn(new_state(), "waterproof hiking boots under $150", "u0001")
    assert reply.products and all(p.sentences for p in reply.products)
    return reply.products


def test_a_corrupted_model_falls_back_to_the_last_good_one_then_to_popular(demo_copy):
    settings = settings_for(demo_copy)
    with Store.in_home(demo_copy) as store:
        active = active_name(demo_copy, "demo")
        spare = "itemknn" if active != "itemknn" else "als"
        train_model(store, "demo", demo_copy, spare, activate=False)
        (model_dir(demo_copy, "demo", active) / "model.npz").write_bytes(b"not a model")
        assistant = build_assistant(settings, store, "demo", "none")
        assert assistant.agent.recommender.name == spare
        assert any("could not be loaded" in n and spare in n for n in assistant.notes)
        hiking_boots(assistant.agent)
        health = ShopService(settings, store, "demo", assistant=assistant).health()
        assert health["recommender"] == spare and health["notes"] == assistant.notes

        shutil.rmtree(model_dir(demo_copy, "demo", spare))
        assistant = build_assistant(settings, store, "demo", "none")
        assert assistant.agent.recommender is None
        assert any("showing popular products" in n for n in assistant.notes)
        hiking_boots(assistant.agent)


def test_a_chroma_server_that_is_down_leaves_keyword_search(demo_copy):
    settings = settings_for(demo_copy, **{"vectorstore.url": f"http://127.0.0.1:{free_port()}"})
    with Store.in_home(demo_copy) as store:
        assistant = build_assistant(settings, store, "demo", "none")
        assert any("keyword search only" in n for n in assistant.notes)
        search = assistant.agent.search
        assert search is not None and search.vectors is None
        hits = search.search("waterproof hiking boots", k=5)
        assert hits and all("hiking boots" in h.title.lower() for h in hits)
        for p in hiking_boots(assistant.agent):
            assert "hiking boots" in p.title.lower()


def test_an_llm_endpoint_that_times_out_gives_templates_fast(demo_copy, silent_llm):
    settings = settings_for(
        demo_copy,
        **{"llm.backend": "openai", "llm.url": silent_llm, "llm.timeout_s": 1.0},
    )
    with Store.in_home(demo_copy) as store:
        assistant = build_assistant(settings, store, "demo")
        agent = assistant.agent
        assert agent.llm_available
        started = time.perf_counter()
        products = hiking_boots(agent)
        first = time.perf_counter() - started
        # one timeout, then templates for the other products of the turn
        assert first < 5, first
        assert all(s.source == "template" for p in products for s in p.sentences)
        assert agent.llm_failures == 1 and not agent.llm_available
        health = ShopService(settings, store, "demo", assistant=assistant).health()
        assert health["llm_available"] is False and health["llm_failures"] == 1
        started = time.perf_counter()
        hiking_boots(agent)
        assert time.perf_counter() - started < 1.0  # not asked again while marked down
        assert agent.llm_failures == 1
