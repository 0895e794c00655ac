"""LLM backends with real models: in-process llama.cpp and the OpenAI-compatible
path against a real `python -m llama_cpp.server` on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest

from agent.llm import (
    PACKAGED,
    LlamaCppModel,
    LLMError,
    OpenAICompatibleModel,
    make_model,
    usable_cores,
)
from agent.llm import materialise as materialise_model
from tests.server_support import llama_server as start_llama_server

MESSAGES = [
    {"role": "system", "content": "Answer with one short sentence."},
    {"role": "user", "content": "Say hello to a shopper."},
]


def test_materialise_verifies_and_reuses(qwen_path):
    assert qwen_path.stat().st_size == 491_400_064
    stamp = qwen_path.with_suffix(".sha256").read_text()
    assert PACKAGED["qwen2.5-coder-0.5b"].sha256 in stamp
    started = time.perf_counter()
    assert materialise_model(PACKAGED["qwen2.5-coder-0.5b"], qwen_path.parent) == qwen_path
    assert time.perf_counter() - started < 1.0  # not re-hashed


def test_damaged_model_file_is_rejected(qwen_path, tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(LLMError, match="cannot load"):
        LlamaCppModel(bad, "bad")
    with pytest.raises(LLMError, match="not found"):
        LlamaCppModel(tmp_path / "missing.gguf", "missing")


def test_in_process_model_chats_and_streams(qwen_path):
    model = LlamaCppModel(qwen_path, "qwen")
    pieces = list(model.stream(MESSAGES, max_tokens=16))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert model.chat(MESSAGES, max_tokens=8).strip()


def test_prefilled_system_text_is_not_computed_again(qwen_path):
    """The agent computes the explanation prompt's system text when it starts; a
    rewrite in either language then evaluates only its own part of the prompt."""
    from prompts.render import render

    system = {"role": "system", "content": render("explain", "system")}
    user = {
        "role": "user",
        "content": render(
            "explain",
            "user",
            title="Trail Runner",
            request="跑步鞋",
            claims=[{"text": "售价 64.50 USD。", "citations": ["P5"]}],
            language_name="Chinese",
        ),
    }
    evaluated: dict[str, int] = {}
    for warm in (False, True):
        model = LlamaCppModel(qwen_path, "qwen")
        assert model._llm.n_threads == usable_cores()  # llama.cpp's own default is half
        if warm:
            model.prefill([system])
        original = model._llm.eval
        counts: list[int] = []
        model._llm.eval = lambda tokens, original=original, counts=counts: (
            counts.append(len(tokens)),
            original(tokens),
        )[1]
        model.chat([system, user], max_tokens=1)
        evaluated["warm" if warm else "cold"] = sum(counts)
    system_tokens = len(model._llm.tokenize(system["content"].encode()))
    user_tokens = len(model._llm.tokenize(user["content"].encode()))
    assert evaluated["cold"] >= system_tokens + user_tokens
    assert evaluated["warm"] <= user_tokens + 10  # the chat template's own few tokens


def test_a_stream_stopped_early_frees_the_model(qwen_path):
    """The agent stops reading once an explanation is full or its time is up: the
    model must be free for the next request at once."""
    model = LlamaCppModel(qwen_path, "qwen")
    stream = model.stream(MESSAGES, max_tokens=64)
    assert next(stream)
    stream.close()
    assert model.chat(MESSAGES, max_tokens=8).strip()


def test_default_model_in_an_agent_turn_keeps_the_turn_time_budget(qwen_path, demo_home):
    from agent.agent import new_state
    from agent.verifier import CITATION_RE
    from catalog.store import Store
    from prompts.render import render
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        agent = build_assistant(settings, store, "demo", "none").agent
        agent.llm = LlamaCppModel(qwen_path, "qwen")
        # a budget with room for a sentence when the machine is busy (the whole test
        # suite on two cores): what is checked is that the turn keeps it
        agent.llm_turn_budget_s = 8.0
        agent.prepare_llm()  # as build_assistant does: the system text is computed now
        system = render("explain", "system")
        assert agent.llm._llm.n_tokens > len(agent.llm._llm.tokenize(system.encode()))
        agent.turn(new_state(), "headphones", "u0001")  # loads the index and the embedder
        pieces: list[tuple[float, str]] = []
        started = time.perf_counter()
        reply = agent.turn(
            new_state(),
            "waterproof hiking boots under $120",
            "u0002",
            emit=lambda piece: pieces.append((time.perf_counter() - started, piece)),
        )
        elapsed = time.perf_counter() - started
    assert reply.model_sentences > 0  # the model wrote
    # new tokens stop at the budget; what follows is verification and templates
    assert elapsed < agent.llm_turn_budget_s + 1.5, elapsed
    assert pieces[0][0] < 0.5  # the intro streams before any model work
    for product in reply.products:
        assert product.sentences
        for sentence in product.sentences:
            cited = CITATION_RE.findall(sentence.text)
            assert cited and all(c in reply.evidence for c in cited)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(qwen_path):
    with start_llama_server(qwen_path, "--n_ctx", "1024") as url:
        yield url


def test_openai_compatible_endpoint(llama_server):
    model = make_model("openai", "qwen", home=None, url=llama_server)
    assert isinstance(model, OpenAICompatibleModel)
    assert model.chat(MESSAGES, max_tokens=8).strip()
    pieces = list(model.stream(MESSAGES, max_tokens=16))
    assert len(pieces) > 1


def test_unreachable_endpoint_is_a_clear_error():
    model = OpenAICompatibleModel(f"http://127.0.0.1:{_free_port()}", timeout=2)
    with pytest.raises(LLMError, match="failed"):
        model.chat(MESSAGES)
    with pytest.raises(LLMError, match="failed"):
        list(model.stream(MESSAGES))


def test_none_backend_and_bad_configuration(tmp_path):
    with pytest.raises(LLMError, match="no LLM"):
        make_model("none", "default", tmp_path).chat(MESSAGES)
    with pytest.raises(LLMError, match=r"needs llm\.url"):
        make_model("openai", "default", tmp_path)
    with pytest.raises(LLMError, match="unknown LLM backend"):
        make_model("gpt", "default", tmp_path)
