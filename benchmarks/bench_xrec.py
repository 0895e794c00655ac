"""Explanation quality against XRec on its Amazon-Books test pairs (3,000).

Our explanation for each (user, item) is built from the same inputs XRec had
(the user profile, the item profile, the title) the way the assistant builds
its own: one claim from each profile, each citing it ([H1] the shopper's
profile, [P1] the item's), joined into one sentence; citations are removed
before scoring. Both ours and XRec's own outputs are scored against the
reference explanations with the same metrics: MiniLM cosine similarity,
BLEU-1/4 (sacrebleu), ROUGE-1/2/L F1 (rouge-score) and USR (unique sentence
ratio).

    python -m benchmarks.bench_xrec [--limit 3000]
"""

from __future__ import annotations

import argparse
import json
import re

import numpy as np

from agent.verifier import CITATION_RE
from benchmarks.common import print_table, shared_data_dir, write_results

_USER_LEAD = re.compile(
    r"^(?:based on [^,]*,\s*)?(?:it (?:can be|is) inferred that\s*)?(?:this |the )?user\s+"
    r"(?:is likely to |would |seems to |tends to )?(?:enjoys?|likes?|prefers?|loves?)\s+",
    re.I,
)
_ITEM_TAIL = re.compile(
    r"\s*(?:would|will|might|may)\s+(?:likely |probably |really )?"
    r"(?:enjoy|appreciate|love|like)\b.*$",
    re.I,
)


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip())[0].rstrip(".!? ")


def explain(title: str, user_profile: str, item_profile: str) -> str:
    """A grounded two-claim explanation with its citations."""
    user = _USER_LEAD.sub("", first_sentence(user_profile))
    item = _ITEM_TAIL.sub("", first_sentence(item_profile)).strip()
    parts = [f'The user would buy "{title}" because they enjoy {user} [H1]']
    if item and item.lower() != title.lower():
        parts.append(f"and it is for {item[0].lower() + item[1:]} [P1]")
    return ", ".join(parts) + "."


def score(candidates: list[str], references: list[str], encode) -> dict[str, float]:
    import sacrebleu
    from rouge_score import rouge_scorer

    c, r = encode(candidates), encode(references)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rouge = {k: [] for k in ("rouge1", "rouge2", "rougeL")}
    for cand, ref in zip(candidates, references, strict=True):
        result = scorer.score(ref, cand)
        for k in rouge:
            rouge[k].append(result[k].fmeasure)
    bleu4 = sacrebleu.corpus_bleu(candidates, [references]).score
    bleu1 = sacrebleu.metrics.BLEU(max_ngram_order=1).corpus_score(candidates, [references]).score
    return {
        "cosine": float((c * r).sum(axis=1).mean()),
        "bleu1": bleu1,
        "bleu4": bleu4,
        "rouge1": 100 * float(np.mean(rouge["rouge1"])),
        "rouge2": 100 * float(np.mean(rouge["rouge2"])),
        "rougeL": 100 * float(np.mean(rouge["rougeL"])),
        "usr": len(set(candidates)) / len(candidates),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=3000)
    args = parser.parse_args()
    path = shared_data_dir() / "xrec_amazon_books_explanations" / "tst.jsonl"
    if not path.is_file():
        raise SystemExit(f"XRec test pairs not found at {path}")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows = rows[: args.limit]
    from vectorstore.embeddings import make_embedder

    encode = make_embedder("minilm").encode
    references = [r["explanation"] for r in rows]
    ours = [
        CITATION_RE.sub("", explain(r["title"], r["user_summary"], r["item_summary"]))
        .replace(" ,", ",")
        .replace(" .", ".")
        for r in rows
    ]
    results = [
        {
            "system": "shopassist (grounded template)",
            "pairs": len(rows),
            **score(ours, references, encode),
        },
        {
            "system": "XRec (its own outputs)",
            "pairs": len(rows),
            **score([r["xrec_pred_explanation"] for r in rows], references, encode),
        },
    ]
    print_table(results, list(results[0]))
    print("example:", ours[0])
    print(f"wrote {write_results('xrec_explanations', results, example=ours[0])}")


if __name__ == "__main__":
    main()
