"""The `shopassist` console script, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

SCRIPT = Path(sys.executable).with_name("shopassist")


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    proc = subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_help_lists_only_working_commands(home):
    out = run("--help", home=home).stdout
    for command in ("ingest", "demo", "catalog"):
        assert command in out


def test_demo_then_list_and_stats(home):
    first = run("demo", "--json", home=home)
    report = json.loads(first.stdout)
    assert report["kept"]["products"] == 2000 and not report["unchanged"]
    assert (home / "shopassist.db").is_file()
    assert (home / "reports" / "demo.validation.json").is_file()
    assert json.loads(run("demo", "--json", home=home).stdout)["unchanged"] is True
    listed = json.loads(run("catalog", "list", "--json", home=home).stdout)
    assert [c["name"] for c in listed] == ["demo"]
    stats = json.loads(run("catalog", "stats", "--name", "demo", "--json", home=home).stdout)
    assert stats["products"] == 2000 and stats["coverage"]["title"] == 1.0


def test_ingest_csv_json_report(home):
    d = FIXTURES / "csv"
    proc = run(
        "ingest",
        "--name",
        "shop",
        "--format",
        "csv",
        "--products",
        str(d / "products.csv"),
        "--interactions",
        str(d / "interactions.csv"),
        "--reviews",
        str(d / "reviews.csv"),
        "--json",
        home=home,
    )
    report = json.loads(proc.stdout)
    assert report["kept"]["products"] == 5
    assert report["malformed_count"] == 2


def test_ingest_amazon2018_real_file(home, shared_data):
    g = shared_data / "amazon2018_gift_cards"
    proc = run(
        "ingest",
        "--name",
        "gift_cards",
        "--format",
        "amazon2018",
        "--reviews",
        str(g / "Gift_Cards_5.json.gz"),
        "--meta",
        str(g / "meta_Gift_Cards.json.gz"),
        "--json",
        home=home,
    )
    report = json.loads(proc.stdout)
    # The figures of the README's catalog table (benchmarks/results/ingest.json).
    assert report["kept"]["products"] == 1547 and report["kept"]["reviews"] == 2972
    stats = json.loads(run("catalog", "stats", "--name", "gift_cards", "--json", home=home).stdout)
    assert (stats["products"], stats["shoppers"], stats["interactions"], stats["reviews"]) == (
        1547,
        458,
        2969,
        2972,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "ingest",
                "--name",
                "x",
                "--format",
                "lightgcn",
                "--train",
                "/nonexistent/train.txt",
                "--test",
                "/nonexistent/test.txt",
            ],
            "file not found",
        ),
        (["ingest", "--name", "x", "--format", "lightgcn", "--train", "a"], "needs --train"),
        (["catalog", "stats", "--name", "nope"], "no catalog named 'nope'"),
        (
            [
                "ingest",
                "--name",
                "x",
                "--format",
                "csv",
                "--products",
                "p",
                "--interactions",
                "i",
                "--map",
                "oops",
            ],
            "bad --map",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(home, args, message):
    proc = run(*args, home=home, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_unknown_format_is_rejected_by_the_parser(home):
    proc = run("ingest", "--name", "x", "--format", "parquet", home=home, check=False)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_truncated_gzip_exits_2(home, shared_data, tmp_path):
    g = shared_data / "amazon2018_gift_cards"
    data = (g / "meta_Gift_Cards.json.gz").read_bytes()
    cut = tmp_path / "meta_cut.json.gz"
    cut.write_bytes(data[:5000])
    proc = run(
        "ingest",
        "--name",
        "x",
        "--format",
        "amazon2018",
        "--reviews",
        str(g / "Gift_Cards_5.json.gz"),
        "--meta",
        str(cut),
        home=home,
        check=False,
    )
    assert proc.returncode == 2 and "truncated" in proc.stderr


def test_home_flag_overrides_environment(home, tmp_path):
    other = tmp_path / "other"
    run("--home", str(other), "demo", home=home)
    assert (other / "shopassist.db").is_file() and not (home / "shopassist.db").exists()
