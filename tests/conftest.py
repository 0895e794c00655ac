"""Shared fixtures: a temporary data dir, an open store, and the real data sets.

The real data live in ../shared/data beside the repository (overridable with
SHOPASSIST_SHARED_DATA); tests that need them skip with a clear reason when
they are absent, and fail instead where SHOPASSIST_REQUIRE_DATA=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from catalog.store import Store

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data_dir() -> Path:
    return Path(os.environ.get("SHOPASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        reason = f"real data sets not found at {path} (set SHOPASSIST_SHARED_DATA)"
        if os.environ.get("SHOPASSIST_REQUIRE_DATA") == "1":
            pytest.fail(f"the real data sets are required here: {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data dir, also exported as SHOPASSIST_HOME for subprocesses."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("SHOPASSIST_HOME", str(path))
    return path


@pytest.fixture
def store(home: Path):
    with Store.in_home(home) as s:
        yield s


@pytest.fixture(scope="session")
def qwen_path(tmp_path_factory) -> Path:
    """The packaged Qwen2.5-Coder-0.5B GGUF, materialised once per test session."""
    from agent.llm import PACKAGED, materialise

    return materialise(PACKAGED["qwen2.5-coder-0.5b"], tmp_path_factory.mktemp("llm"))


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The demo shop's catalog alone (no model, no index), built once per test session.
    Tests that write (feedback) use shopper ids of their own."""
    from catalog.ingest import build_demo

    store = Store.in_home(tmp_path_factory.mktemp("demo-catalog"))
    build_demo(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """The demo shop built once per test session (catalog, trained model, search index).
    Tests that change it (retraining, restarts) build their own."""
    from tests.server_support import build_demo

    home = tmp_path_factory.mktemp("demo")
    build_demo(home)
    return home


@pytest.fixture
def demo_copy(demo_home, tmp_path) -> Path:
    """A private copy of the demo shop, for tests that break or change it."""
    home = tmp_path / "shop"
    shutil.copytree(demo_home, home)
    return home


@pytest.fixture
def silent_llm():
    """An 'OpenAI-compatible server' that accepts connections and never answers: every
    request to it waits for the client's timeout."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    for conn in held:
        conn.close()
    sock.close()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("SHOPASSIST_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (one per test module)."""
    path = chromium_path()
    if path is None:
        reason = "Chromium not installed (apt-get install chromium, or set SHOPASSIST_CHROMIUM)"
        if os.environ.get("SHOPASSIST_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()
