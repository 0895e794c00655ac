"""Importers fed mutated real files (Amazon 2018 Gift Cards, LightGCN Gowalla lines,
the generic CSV fixture): damage to single lines never stops an import, so every
mutant imports with its bad lines counted and located (no more of them than were
damaged); nothing stored is ever corrupted, and the catalog imported before stays
exactly as it was. Whole-file failures (a truncated gzip, missing columns) are
tests/test_bad_input.py's."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from catalog.ingest import ingest
from conftest import FIXTURES

pytestmark = pytest.mark.slow

GARBAGE = [
    "",
    "{",
    "null",
    "[]",
    '{"asin": null}',
    '{"reviewerID": 5, "asin": {"x": 1}, "overall": "five"}',
    "\x00\x01\x02",
    "💥" * 50,
    '{"asin": "X", "title": "' + "A" * 5000 + '"}',
    "'; DROP TABLE products; --",
]


def mutate(lines: list[str], rng: random.Random) -> tuple[list[str], int]:
    """Damage about one line in ten; the number of damaged lines."""
    out, damaged = [], 0
    for line in lines:
        roll = rng.random()
        if roll < 0.03:
            out.append(line[: rng.randrange(max(1, len(line)))])  # cut short
        elif roll < 0.06:
            out.append(rng.choice(GARBAGE))
        elif roll < 0.08:
            i = rng.randrange(max(1, len(line)))
            out.append(line[:i] + chr(rng.randrange(32, 0x2FFF)) + line[i + 1 :])  # flip a char
        elif roll < 0.10:
            out += [line, line]  # duplicate
            continue
        else:
            out.append(line)
            continue
        damaged += 1
    return out, damaged


def read_gz(path: Path, limit: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n") for _, line in zip(range(limit), fh, strict=False)]


def write_gz(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", errors="surrogatepass") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def check_unchanged(store, before: dict) -> None:
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    assert store.stats("baseline") == before


def check_located(report, damaged: int) -> None:
    """Bad lines were damaged ones, each counted with its file, line and reason."""
    assert damaged and 0 < report.malformed_count <= damaged
    assert all(p.file and p.line >= 1 and p.reason for p in report.malformed)


@pytest.fixture
def baseline(store):
    ingest(
        store,
        "baseline",
        "csv",
        {
            "products": FIXTURES / "csv" / "products.csv",
            "interactions": FIXTURES / "csv" / "interactions.csv",
        },
        progress=False,
    )
    return store.stats("baseline")


@pytest.mark.parametrize("seed", range(6))
def test_mutated_amazon_files(store, baseline, shared_data, tmp_path, seed):
    rng = random.Random(seed)
    g = shared_data / "amazon2018_gift_cards"
    reviews, bad_reviews = mutate(read_gz(g / "Gift_Cards_5.json.gz", 800), rng)
    meta, bad_meta = mutate(read_gz(g / "meta_Gift_Cards.json.gz", 600), rng)
    paths = {
        "reviews": write_gz(tmp_path / "Gift_Cards_5.json.gz", reviews),
        "meta": write_gz(tmp_path / "meta_Gift_Cards.json.gz", meta),
    }
    report = ingest(store, f"mutant{seed}", "amazon2018", paths, progress=False)
    check_located(report, bad_reviews + bad_meta)
    assert store.stats(f"mutant{seed}")["products"] > 0
    check_unchanged(store, baseline)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_lightgcn_lines(store, baseline, shared_data, tmp_path, seed):
    rng = random.Random(100 + seed)
    src = shared_data / "lightgcn_gowalla"
    train, bad_train = mutate(read_gz(src / "train.txt.gz", 400), rng)
    test_lines = (src / "test.txt").read_text().splitlines()[:400]
    test_lines, bad_test = mutate(test_lines, rng)
    (tmp_path / "test.txt").write_text("\n".join(test_lines) + "\n", errors="surrogatepass")
    paths = {"train": write_gz(tmp_path / "train.txt.gz", train), "test": tmp_path / "test.txt"}
    report = ingest(store, f"graph{seed}", "lightgcn", paths, progress=False)
    check_located(report, bad_train + bad_test)
    assert store.stats(f"graph{seed}")["interactions"] > 0
    check_unchanged(store, baseline)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_csv(store, baseline, tmp_path, seed):
    rng = random.Random(200 + seed)
    lines = (FIXTURES / "csv" / "products.csv").read_text(encoding="utf-8").splitlines()
    body, damaged = mutate(lines[1:] * 5, rng)  # every product five times
    path = tmp_path / "products.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8", errors="surrogatepass")
    paths = {"products": path, "interactions": FIXTURES / "csv" / "interactions.csv"}
    report = ingest(store, f"table{seed}", "csv", paths, progress=False)
    # A cut-short CSV row can swallow the next one, so more rows than damaged may be bad.
    assert damaged and report.malformed_count > 0
    assert all(p.file and p.line >= 1 and p.reason for p in report.malformed)
    assert store.stats(f"table{seed}")["products"] == baseline["products"]  # an intact copy
    check_unchanged(store, baseline)
