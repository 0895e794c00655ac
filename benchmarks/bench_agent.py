"""Agent benchmarks: turn latency, and faithfulness of the explanations on real data.

    python -m benchmarks.bench_agent latency [--llm none|default] [--turns 100]
    python -m benchmarks.bench_agent faithfulness [--catalogs gift_cards industrial]
                                                  [--n 300] [--llm none|default]

Faithfulness re-checks every sentence shown, after verification: each citation
must name a record of the turn's evidence, and every number and catalog name it
states must appear in the records it cites. It also reports the share of
model-written sentences that passed the verifier (the LLM's real contribution).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from agent.agent import new_state
from benchmarks.agent_common import audit, prepare, request_claims, requests
from benchmarks.common import print_table, write_results
from catalog.store import Store
from shopassist.assistant import build_assistant
from shopassist.settings import load_settings

LATENCY_MESSAGES = [
    "waterproof hiking boots under $120",
    "running shoes for my husband",
    "cheaper",
    "not that brand",
    "the second one",
    "compare the first two",
    "why the first one?",
    "给我推荐一款500元以内的蓝牙耳机",
    "a coffee maker for my mom",
    "headphones for travel",
    "desk lamp for reading",
    "a backpack for hiking under 90 dollars",
]


def _assistant(home: Path, store: Store, catalog: str, llm: str):
    settings = load_settings(env={"SHOPASSIST_HOME": str(home)})
    return build_assistant(settings, store, catalog, llm)


def latency(home: Path, llm: str, turns: int) -> list[dict]:
    """Per turn: total time, time to the first streamed text, time to the first
    explanation sentence shown, and how many shown sentences the model wrote."""
    store = prepare(home, "demo", model="lightgcn")
    agent = _assistant(home, store, "demo", llm).agent
    agent.turn(new_state(), "warm up: headphones", "u0001")
    times, firsts, first_sentences = [], [], []
    written = passed = shown = 0
    state = new_state()
    for i in range(turns):
        message = LATENCY_MESSAGES[i % len(LATENCY_MESSAGES)]
        if i % len(LATENCY_MESSAGES) == 0:
            state = new_state()
        marks: dict[str, float] = {}

        def emit(piece: str, marks=marks) -> None:
            now = time.perf_counter()
            marks.setdefault("first", now)
            if piece.startswith("   - "):
                marks.setdefault("sentence", now)

        started = time.perf_counter()
        reply = agent.turn(state, message, f"u{(i % 50) + 1:04d}", emit=emit)
        times.append(time.perf_counter() - started)
        firsts.append(marks.get("first", started) - started)
        if "sentence" in marks:
            first_sentences.append(marks["sentence"] - started)
        written += reply.model_sentences
        passed += reply.model_passed
        shown += sum(len(p.sentences) for p in reply.products)
    ms = np.array(times) * 1000
    first_ms = np.array(firsts) * 1000
    sentence_ms = np.array(first_sentences or [0.0]) * 1000
    return [
        {
            "benchmark": "turn latency",
            "llm": llm,
            "turns": turns,
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max()),
            "first_text_p95_ms": float(np.percentile(first_ms, 95)),
            "first_sentence_p50_ms": float(np.percentile(sentence_ms, 50)),
            "first_sentence_p95_ms": float(np.percentile(sentence_ms, 95)),
            "sentences_shown": shown,
            "model_written": written,
            "model_shown": passed,
            "turn_budget_s": agent.llm_turn_budget_s,
            "latencies_ms": [round(float(x), 2) for x in ms],
        }
    ]


def rejection_kind(reason: str) -> str:
    """A verifier or agent reason without its particulars ("number 12 is not in ...")."""
    for kind in ("no citation", "citation", "number", "name", "not supported"):
        if reason.startswith(kind):
            return kind
    return reason  # "claim left out by the model", the turn's time ran out, the LLM failed


def faithfulness(home: Path, catalogs: list[str], n: int, llm: str) -> list[dict]:
    rows = []
    for catalog in catalogs:
        store = prepare(home, catalog)
        agent = _assistant(home, store, catalog, llm).agent
        names = agent._names
        counts = {
            "explanations": 0,
            "sentences": 0,
            "bad_citation": 0,
            "unsupported": 0,
            "model_sentences": 0,
            "model_passed": 0,
            "request_claims": 0,
            "request_failed": 0,
        }
        seconds = []
        examples: list[dict] = []
        rejected: Counter[str] = Counter()
        for shopper, request in requests(store, catalog, n):
            started = time.perf_counter()
            reply = agent.turn(new_state(), request, shopper)
            seconds.append(time.perf_counter() - started)
            counts["model_sentences"] += reply.model_sentences
            counts["model_passed"] += reply.model_passed
            counts["explanations"] += len(reply.products)
            counts["sentences"] += sum(len(p.sentences) for p in reply.products)
            rejected.update(
                rejection_kind(reason)
                for p in reply.products
                for sentence in p.sentences
                for reason in sentence.reasons
            )
            counts["request_claims"] += request_claims(reply)
            for failure in audit(reply, names, [request], agent.similarity, agent.translate):
                counts["request_failed"] += failure["request"]
                if failure["bad_citation"]:
                    counts["bad_citation"] += 1
                else:
                    counts["unsupported"] += 1
                    examples.append({k: failure[k] for k in ("sentence", "reasons")})
        s = counts["sentences"] or 1
        rows.append(
            {
                "benchmark": "faithfulness",
                "catalog": catalog,
                "llm": llm,
                **counts,
                "citation_validity": 1 - counts["bad_citation"] / s,
                "unsupported_rate": counts["unsupported"] / s,
                "model_pass_share": (
                    counts["model_passed"] / counts["model_sentences"]
                    if counts["model_sentences"]
                    else None
                ),
                "median_turn_s": statistics.median(seconds) if seconds else None,
                # Why template sentences stand where the model's would have been.
                "template_reasons": dict(rejected.most_common()),
                "unsupported_examples": examples[:20],
            }
        )
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("suite", choices=["latency", "faithfulness"])
    parser.add_argument("--llm", default="none", help="none | default | URL")
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--n", type=int, default=300, help="requests per catalog")
    parser.add_argument("--catalogs", nargs="+", default=["gift_cards", "industrial"])
    parser.add_argument("--home", type=Path, help="data dir to reuse (default: a temp dir)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="shopassist-bench-"))
    if args.suite == "latency":
        rows = latency(home, args.llm, args.turns)
    else:
        rows = faithfulness(home, args.catalogs, args.n, args.llm)
    print_table(
        rows,
        [
            k
            for k in rows[0]
            if k not in ("benchmark", "unsupported_examples", "latencies_ms", "template_reasons")
        ],
    )
    for row in rows:
        if "template_reasons" in row:
            print(f"why template sentences were shown ({row['catalog']}):", row["template_reasons"])
        for example in row.get("unsupported_examples", []):
            print("unsupported:", example)
    llm_name = "openai" if args.llm.startswith("http") else args.llm.replace(".", "_")
    name = f"agent_{args.suite}_{llm_name.replace('-', '_')}"
    print(f"wrote {write_results(name, rows)}")


if __name__ == "__main__":
    main()
