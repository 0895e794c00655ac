"""Test helpers around the server subprocess (see ui/process.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ui.process import Server, build_demo, free_port

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SHOPASSIST_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))

__all__ = [
    "ARTIFACTS",
    "REPO",
    "SHIPPING_QUESTIONS",
    "Server",
    "build_demo",
    "free_port",
    "llama_server",
]

# The example plugin reached by a chat message, in English and Chinese: (the request
# that shows products, the question, the word the answer must hold).
SHIPPING_QUESTIONS = [
    ("waterproof hiking boots for my wife under 150 dollars",
     "how long would shipping take for the first one?", "days"),
    ("推荐几款登山靴", "第一个要多久能送到？", "天"),
]  # fmt: skip


@contextmanager
def llama_server(model: Path, *options: str, wait_s: float = 120.0) -> Iterator[str]:
    """A real `python -m llama_cpp.server` serving `model` on 127.0.0.1; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--host", "127.0.0.1", "--port", str(port), *options]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("llama_cpp.server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()  # a server busy in a long generation may ignore it: then kill
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
