"""LLM backends with real models: in-process llama.cpp and the OpenAI-compatible
path against a real `python -m llama_cpp.server` on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from agent.llm import PACKAGED, LlamaCppModel, LLMError, OpenAICompatibleModel, make_model
from agent.llm import materialise as materialise_model

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(qwen_path):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(qwen_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


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
