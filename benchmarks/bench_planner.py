"""Planner accuracy on a labelled set of shopper messages (English, Chinese, mixed,
follow-ups), written by hand against the demo catalog.

A message counts as correct on slots when every slot (budget and currency,
category, brands, excluded brands, ordinals, recipient, use, "cheaper",
"another brand") equals its label; unlabelled slots must be empty.

    python -m benchmarks.bench_planner [--embedder use]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from agent.parse import parse
from agent.vocabulary import Vocabulary
from benchmarks.common import print_table, write_results

CATEGORY_INTENTS = ("recommend", "why_not", "compare")
LABELS = Path(__file__).resolve().parent / "data" / "planner_labels.jsonl"


def predict(message: str, vocabulary: Vocabulary, planner: Any = None) -> dict[str, Any]:
    p = planner.parse(message) if planner is not None else parse(message)
    brands = vocabulary.brands_in(message)
    excluded = [
        b
        for b in brands
        if re.search(rf"(?:not|no|without|except|不要|除了)\s*{re.escape(b)}", message, re.I)
    ]
    if "brands" in p.slots:
        brands = p.slots["brands"] + p.slots["exclude_brands"]
        excluded = p.slots["exclude_brands"]
    category = p.slots.get("category") if p.slots else vocabulary.category_in(message, p.content)[0]
    return {
        "intent": p.intent,
        "max": p.max_price,
        "min": p.min_price,
        "cur": p.currency,
        "cat": category if p.intent in CATEGORY_INTENTS else None,
        "brands": [b for b in brands if b not in excluded],
        "xbrands": excluded,
        "ord": p.ordinals,
        "rcpt": p.recipient,
        "use": p.use,
        "cheaper": p.cheaper,
        "xlast": p.exclude_last_brand,
    }


EMPTY = {
    "max": None,
    "min": None,
    "cur": None,
    "cat": None,
    "brands": [],
    "xbrands": [],
    "ord": [],
    "rcpt": None,
    "use": None,
    "cheaper": False,
    "xlast": False,
}


def evaluate(vocabulary: Vocabulary, planner: Any = None) -> dict[str, Any]:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    field_errors: Counter = Counter()
    intent_ok = slots_ok = 0
    failures = []
    for row in rows:
        got = predict(row["m"], vocabulary, planner)
        intent_ok += got["intent"] == row["intent"]
        wrong = [k for k, empty in EMPTY.items() if not _same(got[k], row.get(k, empty))]
        field_errors.update(wrong)
        slots_ok += not wrong
        if wrong or got["intent"] != row["intent"]:
            failures.append(
                {"message": row["m"], "wrong": wrong, "got": got, "expected_intent": row["intent"]}
            )
    return {
        "messages": len(rows),
        "intent_accuracy": intent_ok / len(rows),
        "slot_accuracy": slots_ok / len(rows),
        "field_errors": dict(field_errors),
        "failures": failures,
    }


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, float | int) and not isinstance(expected, bool) and got is not None:
        return abs(float(got) - float(expected)) < 0.01
    return got == expected


def demo_vocabulary(embedder: str | None) -> Vocabulary:
    from catalog.ingest import build_demo
    from catalog.store import Store

    with tempfile.TemporaryDirectory() as tmp, Store.in_home(tmp) as store:
        build_demo(store)
        products = store.products("demo")
    encode = None
    if embedder:
        from vectorstore.embeddings import make_embedder

        encode = make_embedder(embedder).encode
    return Vocabulary.from_products(products, encode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="use", help="'use', 'minilm' or '' for none")
    args = parser.parse_args()
    vocabulary = demo_vocabulary(args.embedder or None)
    # The LLM planner chooses tools, not slots: it is measured by bench_routing.
    planners: list[tuple[str, Any]] = [("rules", None)]
    rows, failures = [], {}
    for name, planner in planners:
        result = evaluate(vocabulary, planner)
        failures[name] = result["failures"]
        print(f"{name}: field errors {result['field_errors']}")
        for f in result["failures"][:20]:
            print(
                " ",
                f["message"],
                "->",
                f["wrong"],
                {k: f["got"][k] for k in f["wrong"]},
                f"intent {f['got']['intent']} (expected {f['expected_intent']})",
            )
        rows.append(
            {
                "planner": name,
                "embedder": args.embedder or "none",
                "messages": result["messages"],
                "intent_accuracy": result["intent_accuracy"],
                "slot_accuracy": result["slot_accuracy"],
                "llm_fallbacks": getattr(planner, "fallbacks", None),
            }
        )
    print_table(rows, list(rows[0]))
    print(f"wrote {write_results('planner', rows, failures=failures)}")


if __name__ == "__main__":
    main()
