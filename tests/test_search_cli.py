"""`shopassist index` and `shopassist search` as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.search_support import small_demo_store

SCRIPT = Path(sys.executable).with_name("shopassist")


def run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_index_then_search_with_filters_as_json(home):
    small_demo_store(home).close()
    missing = run("search", "--dataset", "demo", "boots", home=home)
    assert missing.returncode == 1
    assert "shopassist index --dataset demo" in missing.stderr
    assert "Traceback" not in missing.stderr

    built = run("index", "--dataset", "demo", "--json", home=home)
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["products"] == 360 and report["added"] == report["chunks"]
    again = json.loads(run("index", "--dataset", "demo", "--json", home=home).stdout)
    assert again["encoded"] == 0 and again["unchanged"] == again["chunks"]

    proc = run(
        "search",
        "--dataset",
        "demo",
        "降噪耳机",
        "--max-price",
        "120",
        "--category",
        "Audio",
        "--k",
        "4",
        "--json",
        home=home,
    )
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert len(hits) == 4
    for h in hits:
        assert h["price"] <= 120 and h["snippet"] and h["matched_fields"]
    assert any("耳机" in h["snippet"] for h in hits)

    text = run("search", "--dataset", "demo", "", "--brand", "Brewmaster", "--k", "2", home=home)
    assert text.returncode == 0 and text.stdout.count("Brewmaster") >= 2


def test_search_of_unknown_catalog_is_a_clear_error(home):
    proc = run("search", "--dataset", "nope", "boots", home=home)
    assert proc.returncode == 2
    assert "no catalog named 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_unreachable_chroma_server_is_a_clear_error(home):
    small_demo_store(home).close()
    env_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    proc = subprocess.run(
        [str(SCRIPT), "index", "--dataset", "demo"],
        capture_output=True,
        text=True,
        env=dict(os.environ, SHOPASSIST_HOME=str(home), SHOPASSIST_VECTORSTORE__URL=env_url),
        timeout=300,
    )
    assert proc.returncode == 1
    assert "cannot reach the Chroma server" in proc.stderr and "chroma run" in proc.stderr
    assert "Traceback" not in proc.stderr
