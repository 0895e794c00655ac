"""The benchmark suites `shopassist bench` runs, each with its command, a time
budget, a quick variant for CI smoke, and the floors the quick variant must
clear. Each floor is set from the figure the quick run measures, written beside
it: exact (less 1e-6, for rounding) where the figure is deterministic, a stated
margin below where it comes from a seeded random process that another machine's
float order may move.

A suite runs as its own process (`python -m benchmarks.<module> ...`) with the
results directory in $SHOPASSIST_BENCH_RESULTS; past its budget it is stopped
and its earlier results, if any, stay in the report marked as such.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from catalog.errors import InputError

Rows = list[dict[str, Any]]
Check = Callable[[dict[str, dict[str, Any]]], list[str]]


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    module: str
    args: list[str]
    budget_s: int
    results: list[str]  # result file names (without .json) the suite writes
    quick_args: list[str] | None = None  # None: not part of the quick run
    quick_budget_s: int = 300
    floors: Check | None = None  # checks on the quick results: problems found
    needs_shared_data: bool = True
    requires: list[str] = field(default_factory=list)  # environment variables it needs

    def with_datasets(self, datasets: list[str]) -> Suite:
        """The suite on other data sets (`--datasets`): built-in names or catalogs of the
        shop's own store; the shared data is needed only for built-in real ones."""
        if "--datasets" not in self.args:
            raise InputError(f"suite {self.name!r} takes no data sets")
        from benchmarks.common import real_sources

        start = self.args.index("--datasets") + 1
        end = next((i for i in range(start, len(self.args)) if self.args[i].startswith("--")), None)
        args = [*self.args[:start], *datasets, *(self.args[end:] if end else [])]
        shared = any(d in real_sources(Path(".")) for d in datasets)
        return replace(self, args=args, quick_args=None, floors=None, needs_shared_data=shared)

    def command(self, quick: bool) -> list[str]:
        args = self.quick_args if quick else self.args
        args = [os.path.expandvars(a) for a in args or []]
        return [sys.executable, "-m", f"benchmarks.{self.module}", *args]


def _rows(results: dict[str, dict[str, Any]], name: str) -> Rows:
    return results.get(name, {}).get("rows", [])


def _floor(problems: list[str], label: str, value: float | None, floor: float) -> None:
    if value is None or not value >= floor:
        problems.append(f"{label} = {value} is below the floor {floor}")


EXACT = 1e-6  # the margin of a deterministic figure: rounding only

# Quick run (needs mode, 60 simulated shoppers a catalog, seeded, item-kNN; the same
# figures in repeated runs here): agent Hit@3 demo 0.70 (42 of 60), Gift Cards 0.867
# (52 of 60). The floors leave three episodes for another machine's float order: 39 and
# 49 of 60.
SHOPPER_FLOORS = {"demo": 39 / 60 - EXACT, "gift_cards": 49 / 60 - EXACT}


def _shopper_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    data = results.get("shoppers", {})
    rows = [r for r in data.get("rows", []) if r["language"] == "all"]
    for dataset, floor in SHOPPER_FLOORS.items():
        agent = next((r for r in rows if r["dataset"] == dataset and r["system"] == "agent"), None)
        k = (agent or {}).get("k", 5)
        _floor(problems, f"{dataset} agent Hit@{k}", agent and agent.get(f"hit{k}"), floor)
    audit = data.get("audit", {})
    if audit.get("failed", 1) != 0 or not audit.get("explanations"):
        problems.append(f"faithfulness audit: {audit.get('failed')} failed sentences")
    return problems


# Deterministic (rules and the USE router): slots 0.993590 (155 of 156 messages), intents
# 1.0 (156 of 156). Exact floors.
PLANNER_FLOORS = {"slot_accuracy": 0.993590 - EXACT, "intent_accuracy": 1.0 - EXACT}


def _planner_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    row = next(iter(_rows(results, "planner")), {})
    for key, floor in PLANNER_FLOORS.items():
        _floor(problems, f"planner {key}", row.get(key), floor)
    return problems


# Deterministic, test parts: routing tool accuracy 0.8731 (468 of 536 rows), arguments
# 0.9202 (300 of 326), no-tool messages routed 0.1139 (9 of 79); questions 0.6711 (102 of
# 152 answerable), 0.7573 (78 of 103 not answerable), 0.5283 (28 of 53 about reviews, each
# asked of the tool the assistant's planner chooses). Exact floors (and ceiling); shares
# are written to four decimals, so a floor is the lower of the fraction and its rounding.
ROUTING_FLOORS = {
    "tool_accuracy": min(468 / 536, round(468 / 536, 4)) - EXACT,
    "argument_accuracy": min(300 / 326, round(300 / 326, 4)) - EXACT,
}
ROUTING_NO_TOOL_CEILING = max(9 / 79, round(9 / 79, 4)) + EXACT
# (bench_qa writes shares to four decimals: 71 / 121 = 0.586777 is written 0.5868)
QA_FLOORS = {
    "answerable_cited_gold": min(102 / 152, round(102 / 152, 4)) - EXACT,
    "not_answerable_said_so": min(78 / 103, round(78 / 103, 4)) - EXACT,
    "reviews_cited_gold": min(28 / 53, round(28 / 53, 4)) - EXACT,
    # yes-no questions whose answer opens with the yes or no the records state: 8 of the
    # 72 labelled with one (most are answered by quoting the record, with no yes or no)
    "yes_no_right": min(8 / 72, round(8 / 72, 4)) - EXACT,
}


# Deterministic, test part of benchmarks/data/request_claims.jsonl (seven passes of
# labels) at the calibrated threshold 0.5: precision 0.8175 (309 of 378 shown request
# claims true), coverage 0.8442 (233 of 276 products with a true candidate); every shown
# claim labelled. Exact floors. (Coverage was 234 of 276 before the rules that a product
# is what its title's head words say and a need is not met by another value of the same
# attribute: 3 claims fewer shown, 2 false and 1 true, the only true one of its
# product.)
REQUEST_CLAIM_FLOORS = {"precision": 309 / 378 - EXACT, "coverage": 233 / 276 - EXACT}


def _request_claim_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    row = next(iter(_rows(results, "request_claims")), {})
    for key, floor in REQUEST_CLAIM_FLOORS.items():
        _floor(problems, f"request claims {key}", row.get(key), floor)
    if row.get("unlabelled_shown") != 0:
        problems.append(f"request claims: {row.get('unlabelled_shown')} shown claims unlabelled")
    return problems


def _routing_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    row = next((r for r in _rows(results, "routing") if r.get("planner") == "rules"), {})
    for key, floor in ROUTING_FLOORS.items():
        _floor(problems, f"routing {key}", row.get(key), floor)
    wrong = row.get("no_tool_wrongly_routed")
    if wrong is None or wrong > ROUTING_NO_TOOL_CEILING:
        problems.append(
            f"routing: no-tool messages wrongly routed {wrong} > {ROUTING_NO_TOOL_CEILING}"
        )
    return problems


def _qa_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    row = next((r for r in _rows(results, "qa") if r.get("catalogs") == "all"), {})
    for key, floor in QA_FLOORS.items():
        _floor(problems, f"questions {key}", row.get(key), floor)
    if row.get("unsupported_sentences") != 0:
        problems.append(f"questions: {row.get('unsupported_sentences')} unsupported sentences")
    if row.get("false_silences") != 0:  # "not mentioned" said of a word the records hold
        problems.append(f"questions: {row.get('false_silences')} false silences")
    if row.get("yes_no_wrong") != 0:  # a yes where the records say no, or a no for a yes
        problems.append(f"questions: {row.get('yes_no_wrong')} wrong yes or no")
    return problems


# Deterministic (Scientific, full ranking): item-kNN Recall@20 0.089908, popularity 0.047027.
# Exact floors; item-kNN must also beat popularity.
ACCURACY_FLOORS = {"itemknn": 0.089908 - EXACT, "popularity": 0.047027 - EXACT}


def _accuracy_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    rows = {r["model"]: r for r in _rows(results, "recommender_accuracy")}
    for model, floor in ACCURACY_FLOORS.items():
        _floor(
            problems, f"scientific {model} Recall@20", rows.get(model, {}).get("recall@20"), floor
        )
    pop = rows.get("popularity", {}).get("recall@20")
    knn = rows.get("itemknn", {}).get("recall@20")
    if pop is not None and knn is not None and not knn > pop:
        problems.append(f"itemknn ({knn}) does not beat popularity ({pop})")
    return problems


INJECTION_ATTACKS = 88  # the whole attack suite runs in the quick run


def _injection_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    total = results.get("injection", {}).get("total", {})
    if (total.get("attacks") or 0) < INJECTION_ATTACKS:
        return [f"{total.get('attacks') or 0} injection attacks ran, not {INJECTION_ATTACKS}"]
    return [] if total.get("succeeded") == 0 else [f"{total['succeeded']} injections succeeded"]


# GF-CF on Gowalla (the papers' settings) measured Recall@20 0.186676, NDCG@20 0.153482 in
# every quick run here (README: 0.1867 / 0.1535). Its SVD is randomized with a fixed seed,
# so another machine's BLAS may move the fourth digit: the floors sit 0.001 below.
GFCF_GOWALLA_FLOORS = {"recall@20": 0.1857, "ndcg@20": 0.1525}


def _graph_filter_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    row = next(iter(_rows(results, "graph_filters_gowalla_quick")), {})
    for metric, floor in GFCF_GOWALLA_FLOORS.items():
        _floor(problems, f"GF-CF on Gowalla {metric}", row.get(metric), floor)
    return problems


# LightGCN after 30 seeded training steps: Recall@20 0.003304 in every quick run here
# (random ranking: 20 of 40,981 items, about 0.0005). Float order on another machine may
# move it: the floor sits 0.0003 (9 %) below, six times random.
GOWALLA_30_STEPS_FLOOR = 0.0030


def _gowalla_floors(results: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    rows = _rows(results, "lightgcn_gowalla_quick")
    recall = rows[-1]["recall@20"] if rows else None
    _floor(problems, "Gowalla Recall@20 after 30 steps", recall, GOWALLA_30_STEPS_FLOOR)
    return problems


# The full simulated-shopper run, 300 episodes on each catalog with titles.
_SHOPPER_RUN = ["--datasets", "demo", "gift_cards", "industrial", "scientific", "--episodes", "300"]

SUITES: list[Suite] = [
    Suite(
        "shoppers",
        "Simulated shoppers: does the conversation reach the right product?",
        "bench_shoppers",
        [*_SHOPPER_RUN, "--tokens"],
        budget_s=3600,
        results=["shoppers"],
        quick_args=[
            "--datasets",
            "demo",
            "gift_cards",
            "--episodes",
            "60",
            "--model",
            "itemknn",
        ],
        quick_budget_s=420,
        floors=_shopper_floors,
    ),
    Suite(
        "shoppers_literal",
        "Simulated shoppers who say the target's catalog words (the easier literal mode)",
        "bench_shoppers",
        ["--mode", "literal", *_SHOPPER_RUN],
        budget_s=3600,
        results=["shoppers_literal"],
    ),
    Suite(
        "planner",
        "Planner accuracy on the labelled messages",
        "bench_planner",
        [],
        budget_s=600,
        results=["planner"],
        quick_args=[],
        quick_budget_s=180,
        floors=_planner_floors,
        needs_shared_data=False,
    ),
    Suite(
        "routing",
        "Routing: messages to tools and arguments (test part of the labelled set)",
        "bench_routing",
        ["--part", "test"],
        budget_s=900,
        results=["routing"],
        quick_args=["--part", "test"],
        quick_budget_s=420,
        floors=_routing_floors,
        needs_shared_data=False,
    ),
    Suite(
        "routing_llm",
        "Routing with the packaged LLM choosing tools (in process and behind llama.cpp's server)",
        "bench_routing",
        [
            "--part",
            "test",
            "--planners",
            "llm-server",
            "llm",
            "--limit",
            "30",
            "--name",
            "routing_llm",
        ],
        budget_s=3600,
        results=["routing_llm"],
        needs_shared_data=False,
    ),
    Suite(
        "qa",
        "Questions about products (test part of the labelled set)",
        "bench_qa",
        ["--part", "test"],
        budget_s=1800,
        results=["qa"],
        quick_args=["--part", "test"],
        quick_budget_s=900,
        floors=_qa_floors,
    ),
    Suite(
        "request_claims",
        "Request claims in explanations (test part of the labelled set)",
        "bench_request_claims",
        ["--part", "test"],
        budget_s=600,
        results=["request_claims"],
        quick_args=["--part", "test"],
        quick_budget_s=600,
        floors=_request_claim_floors,
    ),
    Suite(
        "qa_llm",
        "Questions about products with the packaged LLM writing the answers",
        "bench_qa",
        ["--part", "test", "--llm", "default"],
        budget_s=2400,
        results=["qa_default"],
    ),
    Suite(
        "agent_latency",
        "Chat turn latency (templates, demo shop)",
        "bench_agent",
        ["latency", "--turns", "300"],
        budget_s=900,
        results=["agent_latency_none"],
    ),
    Suite(
        "agent_latency_llm",
        "Chat turn latency with the packaged LLM rewriting (demo shop)",
        "bench_agent",
        ["latency", "--llm", "default", "--turns", "36"],
        budget_s=900,
        results=["agent_latency_default"],
        needs_shared_data=False,
    ),
    Suite(
        "faithfulness_llm",
        "Faithfulness with the packaged LLM rewriting (110 requests a catalog)",
        "bench_agent",
        ["faithfulness", "--n", "110", "--llm", "default"],
        budget_s=1800,
        results=["agent_faithfulness_default"],
    ),
    Suite(
        "faithfulness",
        "Faithfulness of explanations on real data",
        "bench_agent",
        ["faithfulness", "--n", "300"],
        budget_s=1800,
        results=["agent_faithfulness_none"],
    ),
    Suite(
        "injection",
        "Prompt-injection attacks",
        "bench_injection",
        [],
        budget_s=1200,
        results=["injection"],
        quick_args=[],  # all 88 attacks: about 35 s, most of it building the demo shop
        quick_budget_s=240,
        floors=_injection_floors,
        needs_shared_data=False,
    ),
    Suite(
        "load",
        "Concurrent shoppers against the HTTP API",
        "bench_load",
        ["--sessions", "50", "--turns", "10"],
        budget_s=1200,
        results=["load"],
        needs_shared_data=False,
    ),
    Suite(
        "lightgcn_gowalla",
        "LightGCN on Gowalla, paper settings: learning curve",
        "bench_lightgcn_gowalla",
        ["--epochs", "5"],
        budget_s=1800,
        results=["lightgcn_gowalla_cpu"],
        quick_args=["--epochs", "1", "--max-batches", "30", "--name", "lightgcn_gowalla_quick"],
        quick_budget_s=300,
        floors=_gowalla_floors,
    ),
    Suite(
        "time_to_quality",
        "LightGCN on Gowalla: wall time to Recall@20 0.15 on CPU",
        "bench_lightgcn_gowalla",
        [
            "--batch-size",
            "16384",
            "--lr",
            "0.008",
            "--epochs",
            "100",
            "--target-recall",
            "0.15",
            "--name",
            "lightgcn_gowalla_time_to_quality",
        ],
        budget_s=3600,
        results=["lightgcn_gowalla_time_to_quality"],
    ),
    Suite(
        "serving",
        "Recommender serving latency (Gowalla, 41k items)",
        "bench_lightgcn_gowalla",
        ["--epochs", "1", "--max-batches", "1", "--name", "lightgcn_gowalla_serving"],
        budget_s=900,
        results=["lightgcn_gowalla_serving"],
    ),
    Suite(
        "peers",
        "LightGCN speed against RecBole and the reference implementation",
        "bench_lightgcn_peers",
        [
            "--recbole-python",
            "$SHOPASSIST_RECBOLE_PYTHON",
            "--reference-dir",
            "$SHOPASSIST_LIGHTGCN_REFERENCE",
            "--batches",
            "40",
        ],
        budget_s=1800,
        results=["lightgcn_peers"],
        requires=["SHOPASSIST_RECBOLE_PYTHON", "SHOPASSIST_LIGHTGCN_REFERENCE"],
    ),
    Suite(
        "graph_filters_gowalla",
        "Graph filters (GF-CF, BSPM) on Gowalla against the trained models",
        "bench_graph_filters_gowalla",
        [],
        budget_s=5400,
        results=["graph_filters_gowalla"],
        quick_args=["--models", "gfcf", "--no-grid", "--name", "graph_filters_gowalla_quick"],
        quick_budget_s=480,
        floors=_graph_filter_floors,
    ),
    Suite(
        "recommender_accuracy",
        "Recommender accuracy on the Amazon sets and the demo shop, and auto's choice",
        "bench_recommender_accuracy",
        ["--datasets", "scientific", "beauty", "industrial", "gift_cards", "demo"],
        budget_s=7200,
        results=["recommender_accuracy"],
        quick_args=["--datasets", "scientific", "--models", "popularity", "itemknn", "--no-auto"],
        quick_budget_s=300,
        floors=_accuracy_floors,
    ),
    Suite(
        "gpu_check_cpu",
        "The GPU check script in its CPU mode (demo shop)",
        "gpu_check",
        ["--device", "cpu"],
        budget_s=900,
        results=["gpu_check_cpu"],
        needs_shared_data=False,
    ),
    Suite(
        "search_quality",
        "Search quality: next-item and known-item retrieval",
        "bench_search_quality",
        [],
        budget_s=3600,
        results=["search_quality"],
    ),
    Suite(
        "search_zh",
        "Chinese queries: HitRate@5 per backend",
        "bench_search_zh",
        [],
        budget_s=1800,
        results=["search_zh"],
    ),
    Suite(
        "search_speed",
        "Indexing and query speed (10,000 products)",
        "bench_search_speed",
        [],
        budget_s=1200,
        results=["search_speed"],
    ),
    Suite(
        "verifier",
        "Verifier threshold calibration",
        "bench_verifier",
        [],
        budget_s=900,
        results=["verifier_calibration"],
        needs_shared_data=False,
    ),
    Suite(
        "xrec",
        "Explanation quality against XRec",
        "bench_xrec",
        [],
        budget_s=1800,
        results=["xrec_explanations"],
    ),
    Suite(
        "ingest",
        "Ingest speed of the real data sets",
        "bench_ingest",
        [],
        budget_s=1200,
        results=["ingest"],
    ),
]
BY_NAME = {s.name: s for s in SUITES}


def load_results(directory: Path, since: float | None = None) -> dict[str, dict[str, Any]]:
    """The result files in `directory` by name; with `since` (a time.time()), only
    those written at or after it."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == "status.json":
            continue
        if since is not None and path.stat().st_mtime < since:
            continue
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
    return out


def run_suite(suite: Suite, quick: bool, directory: Path, log: Callable[[str], None]) -> dict:
    """Run one suite in its own process within its budget; its status record."""
    from benchmarks.common import shared_data_dir

    budget = suite.quick_budget_s if quick else suite.budget_s
    args = (suite.quick_args if quick else suite.args) or []
    record: dict[str, Any] = {
        "suite": suite.name,
        "command": " ".join(["python -m benchmarks." + suite.module, *args]),
        "budget_s": budget,
        "quick": quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    missing = [v for v in suite.requires if not os.environ.get(v)]
    if missing:
        return {**record, "status": "skipped", "reason": f"set {', '.join(missing)}"}
    if suite.needs_shared_data and not shared_data_dir().is_dir():
        return {**record, "status": "skipped", "reason": f"no data at {shared_data_dir()}"}
    env = {**os.environ, "SHOPASSIST_BENCH_RESULTS": str(directory)}
    started = time.perf_counter()
    log(f"[{suite.name}] {record['command']} (budget {budget} s)")
    try:  # the suite's own output (tables, progress bars) goes straight to the terminal
        proc = subprocess.run(suite.command(quick), env=env, timeout=budget)
    except subprocess.TimeoutExpired:
        return {**record, "status": "over budget", "seconds": round(time.perf_counter() - started)}
    seconds = round(time.perf_counter() - started, 1)
    if proc.returncode != 0:
        error = f"exit status {proc.returncode}; its output is above"
        return {**record, "status": "failed", "seconds": seconds, "error": error}
    return {**record, "status": "ok", "seconds": seconds}
