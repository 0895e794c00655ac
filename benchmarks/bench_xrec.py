"""Explanation quality against XRec on its Amazon-Books test pairs (3,000).

Our explanation for each (user, item) is built from the same inputs XRec had
(the user profile, the item profile, the title) the way the assistant builds
its own, extractively, so every phrase is a fact of the inputs: what the item
profile says the book is and who it is for ([P1]), and the one interest of the
user profile that is closest to the item (multilingual USE, the assistant's own
embedder; a clause that only repeats the item's words is skipped) ([H1]).
Explanations for one shopper are told apart: when a book's explanation would
repeat one already written for the same shopper word for word (their profiles
can be the same), it names the book instead of saying "the book".
Citations are removed before scoring. Both ours and XRec's own outputs are
scored against the reference explanations with the same metrics: MiniLM cosine
similarity, BLEU-1/4 (sacrebleu), ROUGE-1/2/L F1 (rouge-score) and USR (unique
sentence ratio). `names_in_inputs` is the share of capitalised words (not
starting a sentence: characters, authors, series, places) that occur in the
pair's inputs; it is reported for the references too, to show how much of what
they name the inputs hold at all.

    python -m benchmarks.bench_xrec [--limit 3000]
"""

from __future__ import annotations

import argparse
import json
import re

import numpy as np

from agent.verifier import CITATION_RE
from benchmarks.common import print_table, shared_data_dir, write_results

# "Based on the user's reviews, it can be inferred that this user is likely to enjoy ..."
_USER_LEAD = re.compile(
    r"^(?:(?:overall|additionally|also|furthermore|moreover|in addition|however),\s*)?"
    r"(?:based on [^,]*,\s*)?(?:it (?:can be|is|could be) (?:inferred|determined|concluded|seen)"
    r" that\s*)?(?:this |the )?(?:user|they|he|she)\s+(?:is likely to |would |seems to |"
    r"tends to |also |particularly |especially |may |likely |generally |greatly )*"
    r"(?:enjoys?|likes?|prefers?|loves?|appreciates?|values?|is interested in|finds?|"
    r"is drawn to|is a fan of|gravitates? towards?)\s+",
    re.I,
)
_CONNECTIVE = re.compile(r"^(?:as well as|and|or|also|including|especially|particularly)\s+", re.I)
# "Fans of historical fiction will enjoy Drums of Autumn."
_AUDIENCE = re.compile(
    r"^(?P<who>(?:fans|readers|those|anyone|people|lovers|enthusiasts)\b.*?)\s+"
    r"(?:would|will|might|may|should|can)\s+(?:likely |probably |really |definitely |surely )?"
    r"(?:enjoy|appreciate|love|like|find)\b",
    re.I,
)
_SUBJECT = re.compile(r"^(?:this|the) (?:book|novel|story|series)\s+", re.I)
_WORD = re.compile(r"[a-z]+")


def sentences(text: str) -> list[str]:
    return [s.strip().rstrip(".!? ") for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def item_clauses(title: str, item_profile: str) -> list[str]:
    """The item profile's sentences as clauses about the book ("it is for fans of ...")."""
    out = []
    for sentence in sentences(item_profile):
        m = _AUDIENCE.match(sentence)
        if m:
            who = m["who"]
            out.append(f"it is for {who[0].lower()}{who[1:]}")
            continue
        sentence = _SUBJECT.sub("it ", re.sub(r"^overall,\s*", "", sentence, flags=re.I))
        sentence = sentence.replace(title, "the book")
        out.append(sentence[0].lower() + sentence[1:])
    return out


def user_clauses(user_profile: str) -> list[str]:
    """The interests listed in the user profile, one clause each."""
    out = []
    for sentence in sentences(user_profile):
        for part in re.split(r",\s*(?:and\s+)?|;\s*", _USER_LEAD.sub("", sentence)):
            part = _CONNECTIVE.sub("", _USER_LEAD.sub("", part.strip()))
            if len(part.split()) >= 2:
                out.append(part)
    return out or [_USER_LEAD.sub("", user_profile.strip().rstrip("."))]


def closest_interest(clauses: list[str], vectors: np.ndarray, item: str, item_vector) -> str:
    """The user interest closest to the item that says more than the item's own words."""
    item_words = set(_WORD.findall(item.lower()))
    for i in np.argsort(-(vectors @ item_vector)):
        words = set(_WORD.findall(clauses[i].lower()))
        if len(words - item_words) > len(words) // 3:
            return clauses[i]
    return clauses[int(np.argmax(vectors @ item_vector))]


def short_title(title: str) -> str:
    """The title without its series in parentheses or its subtitle."""
    return re.sub(r"\s*\(.*?\)", "", title).split(":")[0].strip() or title


def explain(title: str, item_profile: str, interest: str, name: bool = False) -> str:
    """A grounded two-claim explanation with its citations; `name` names the book."""
    item = ", and ".join(item_clauses(title, item_profile)) or f'it is "{title}"'
    book = f'"{short_title(title)}"' if name else "the book"
    return f"The user would buy {book} because {item} [P1], and they enjoy {interest} [H1]."


def explain_all(rows: list[dict], encode) -> list[str]:
    """Our explanation for every row (the interests chosen with one batched encoding)."""
    clauses = [user_clauses(r["user_summary"]) for r in rows]
    vectors = encode([c for cs in clauses for c in cs])
    items = encode([r["item_summary"] for r in rows])
    out, start, written = [], 0, set()
    for row, cs, item_vector in zip(rows, clauses, items, strict=True):
        own = vectors[start : start + len(cs)]
        start += len(cs)
        interest = closest_interest(cs, own, row["item_summary"], item_vector)
        text = explain(row["title"], row["item_summary"], interest)
        if (row.get("uid"), text) in written:
            text = explain(row["title"], row["item_summary"], interest, name=True)
        written.add((row.get("uid"), text))
        out.append(text)
    return out


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")


def names_in_inputs(texts: list[str], rows: list[dict]) -> float:
    """Share of the capitalised words named in `texts` that the pairs' inputs contain."""
    found = total = 0
    for text, row in zip(texts, rows, strict=True):
        inputs = f"{row['title']} {row['user_summary']} {row['item_summary']}"
        names = [n for n in _NAME.findall(text) if n not in ("The", "They", "User")]
        found += sum(n in inputs for n in names)
        total += len(names)
    return found / max(total, 1)


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
        CITATION_RE.sub("", text).replace(" ,", ",").replace(" .", ".")
        for text in explain_all(rows, make_embedder("use").encode)
    ]
    results = [
        {
            "system": "shopassist (grounded, extractive)",
            "pairs": len(rows),
            **score(ours, references, encode),
            "names_in_inputs": names_in_inputs(ours, rows),
        },
        {
            "system": "XRec (its own outputs)",
            "pairs": len(rows),
            **score([r["xrec_pred_explanation"] for r in rows], references, encode),
            "names_in_inputs": names_in_inputs([r["xrec_pred_explanation"] for r in rows], rows),
        },
    ]
    print_table(results, list(results[0]))
    reference_names = names_in_inputs(references, rows)
    print(f"capitalised words of the references found in the inputs: {reference_names:.1%}")
    print("example:", ours[0])
    path = write_results(
        "xrec_explanations", results, example=ours[0], reference_names_in_inputs=reference_names
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
