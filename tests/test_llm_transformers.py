"""The transformers LLM backend with the packaged Qwen2.5-Coder-0.5B GGUF (dequantised
by transformers on load): streaming, greedy determinism, clear errors, and an agent
turn whose model-written sentences go through the verifier."""

from __future__ import annotations

import pytest

from agent.llm import LLMError, TransformersModel, make_model

MESSAGES = [
    {"role": "system", "content": "Answer with one short sentence."},
    {"role": "user", "content": "Say hello to a shopper."},
]


@pytest.fixture(scope="module")
def model(qwen_path):
    return TransformersModel(qwen_path, "qwen2.5-coder-0.5b", device="cpu")


def test_streams_and_is_greedy(model):
    pieces = list(model.stream(MESSAGES, max_tokens=12))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert model.chat(MESSAGES, max_tokens=12) == "".join(pieces)  # greedy: the same text


def test_missing_or_damaged_model_is_a_clear_error(tmp_path):
    with pytest.raises(LLMError, match="model not found"):
        TransformersModel(tmp_path / "missing.gguf", "missing")
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(LLMError, match=r"cannot load bad\.gguf"):
        TransformersModel(bad, "bad")
    with pytest.raises(LLMError, match="transformers"):
        make_model("nonsense", "default", tmp_path)


def test_agent_turn_with_the_transformers_backend(model, demo_home):
    """The model rewrites the claims; whatever it writes, every shown sentence is
    either a verified model sentence or a template, with citations to evidence."""
    from agent.agent import new_state
    from agent.verifier import CITATION_RE
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        agent = build_assistant(settings, store, "demo", "none").agent
        agent.llm = model
        agent.k = 1
        agent.llm_turn_budget_s = 120  # this checks the backend, not the time (CPU, float32)
        reply = agent.turn(new_state(), "wireless headphones under $150", "u0001")
    assert reply.products and reply.model_sentences > 0  # the model was asked and wrote
    for product in reply.products:
        for sentence in product.sentences:
            cited = CITATION_RE.findall(sentence.text)
            assert cited and all(c in reply.evidence for c in cited)
            assert sentence.source in ("model", "template")
