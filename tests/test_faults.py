"""Crashes lose nothing that was acknowledged: `kill -9` of the server while chat
messages and feedback are being written, of an ingest, and of an index build.
Each runs on a copy of the demo shop."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from catalog.store import Store
from tests.server_support import Server
from ui.process import SCRIPT

pytestmark = pytest.mark.slow


def integrity(home: Path) -> str:
    with Store.in_home(home) as store:
        return store.query("PRAGMA integrity_check")[0][0]


KEY = "faults-test-admin-key-0123"


def test_kill_9_during_writes_keeps_every_acknowledged_write(demo_copy):
    # the writers are a back-office tool: the admin key acts for their shoppers, unlimited
    server = Server(demo_copy, f'[server]\napi_key = "{KEY}"\n').start()
    base = f"{server.url}/api/v1"
    acked_feedback: Counter = Counter()
    acked_messages: dict[str, list[str]] = {}
    stop = threading.Event()
    products = ["1262", "1071", "2468", "2552", "2960", "1520", "2228"]

    def writer(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30, headers={"X-API-Key": KEY}) as c:
            sid = c.post("/sessions", json={"shopper_id": f"u07{n:02d}"}).json()["session_id"]
            acked_messages[sid] = []
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if i % 2:
                        text = f"hiking boots number {n}-{i}"
                        if c.post(f"/sessions/{sid}/messages", json={"text": text}).is_success:
                            acked_messages[sid].append(text)
                    else:
                        pid, kind = products[i % len(products)], ("like", "cart")[i % 4 // 2]
                        body = {"shopper_id": f"u07{n:02d}", "product_id": pid, "kind": kind}
                        if c.post("/feedback", json=body).is_success:
                            acked_feedback[(f"u07{n:02d}", pid, kind)] += 1
                except httpx.HTTPError:
                    return  # the server is gone

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while sum(acked_feedback.values()) < 40 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(server.pid, signal.SIGKILL)  # mid-write: the writers are still sending
    server.proc.wait()
    stop.set()
    for t in threads:
        t.join()
    server.proc = None
    assert sum(acked_feedback.values()) >= 40

    assert integrity(demo_copy) == "ok"
    with Store.in_home(demo_copy) as store:
        stored = Counter(
            (shopper, pid, kind)
            for shopper, pid, kind in store.all_feedback("demo")
            if shopper.startswith("u07")
        )
        for key, n in acked_feedback.items():
            assert stored[key] >= n, key  # an unacknowledged write may also have landed
        for sid, texts in acked_messages.items():
            shopper_texts = [
                m["text"] for m in store.session_messages(sid) if m["role"] == "shopper"
            ]
            assert shopper_texts[: len(texts)] == texts
    server.start()  # and it serves again from the same files
    try:
        sid = next(iter(acked_messages))
        assert httpx.get(f"{base}/sessions/{sid}", headers={"X-API-Key": KEY}).status_code == 200
    finally:
        server.stop()


def run_and_kill(args: list[str], home: Path, when) -> int:
    """Run `shopassist ARGS`, SIGKILL it once `when()` is true; its return code."""
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    proc = subprocess.Popen(
        [str(SCRIPT), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while proc.poll() is None and not when() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    return proc.wait()


def test_kill_9_during_an_ingest_leaves_the_store_as_it_was(demo_copy, shared_data):
    with Store.in_home(demo_copy) as store:
        before = store.stats("demo")
        catalogs_before = {c.name for c in store.list_catalogs()}
    wal = demo_copy / "shopassist.db-wal"
    start_size = _bytes(wal)
    rc = run_and_kill(
        [
            "ingest", "--name", "gowalla", "--format", "lightgcn", "--quiet",
            "--train", str(shared_data / "lightgcn_gowalla" / "train.txt.gz"),
            "--test", str(shared_data / "lightgcn_gowalla" / "test.txt"),
        ],
        demo_copy,
        # the big transaction is under way once the write-ahead log grows by 4 MB
        lambda: _bytes(wal) > start_size + 4_000_000,
    )  # fmt: skip
    assert rc == -signal.SIGKILL
    assert integrity(demo_copy) == "ok"
    with Store.in_home(demo_copy) as store:
        assert {c.name for c in store.list_catalogs()} == catalogs_before  # no half catalog
        assert store.stats("demo") == before


def _bytes(path: Path) -> int:
    """A file's size, 0 when it is not there (a file being written may come and go
    between a look and its stat, as SQLite's journals do)."""
    with contextlib.suppress(FileNotFoundError):
        return path.stat().st_size
    return 0


def _bytes_under(folder: Path) -> int:
    """The size of the files under a folder being written."""
    return sum(_bytes(f) for f in folder.rglob("*"))


def test_kill_9_during_an_index_build_then_it_resumes(demo_copy):
    shutil.rmtree(demo_copy / "index")
    chroma = demo_copy / "index" / "chroma"

    def started_writing() -> bool:
        return chroma.exists() and _bytes_under(chroma) > 3_000_000

    rc = run_and_kill(["index", "--dataset", "demo", "--quiet"], demo_copy, started_writing)
    assert rc == -signal.SIGKILL
    env = dict(os.environ, SHOPASSIST_HOME=str(demo_copy))
    proc = subprocess.run(
        [str(SCRIPT), "index", "--dataset", "demo", "--quiet", "--json"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert 0 < report["encoded"] < report["chunks"]  # resumed: the killed run's work was kept
    found = subprocess.run(
        [str(SCRIPT), "search", "--dataset", "demo", "waterproof hiking boots"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert found.returncode == 0 and "hiking boots" in found.stdout.lower()
    assert integrity(demo_copy) == "ok"
