"""Helpers for the search tests: a small demo catalog and a real Chroma server process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from catalog.demo import DemoConfig
from catalog.ingest import build_demo
from catalog.store import Store

# 12 categories x 30 products: every category present, indexing takes a few seconds
SMALL_DEMO = DemoConfig(products=360, shoppers=120, min_views=5, max_views=20)


def small_demo_store(home: Path) -> Store:
    store = Store.in_home(home)
    build_demo(store, SMALL_DEMO)
    return store


def chroma_command() -> list[str]:
    """The `chroma` CLI beside this Python, on PATH, or run through the package itself."""
    beside = Path(sys.executable).with_name("chroma")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("chroma")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from chromadb.cli.cli import app; sys.exit(app())"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma_server(path: Path, timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    """Start `chroma run` on a free port; returns the process and its URL once it answers."""
    import chromadb
    from chromadb.config import Settings

    port = free_port()
    log = (path.parent / "chroma-server.log").open("wb")
    proc = subprocess.Popen(
        [*chroma_command(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}; see {log.name}")
        try:
            client = chromadb.HttpClient(
                host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False)
            )
            client.heartbeat()
            return proc, f"http://127.0.0.1:{port}"
        except Exception:  # not listening yet: keep polling until the deadline
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"chroma server did not answer within {timeout:.0f} s")
