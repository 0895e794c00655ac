"""Questions about products: answered from the product's own records, cited, and
honest when the records are silent.

    python -m benchmarks.bench_qa [--part test|tune|all] [--llm none|default]
    python -m benchmarks.bench_qa --fit     # calibrate the answer thresholds (tune part)
    python -m benchmarks.bench_qa --fit-reviews  # the cut-off of questions asked of reviews

The labelled set (benchmarks/data/qa_labels.jsonl, 883 questions over the demo
shop, Amazon Gift Cards and Industrial & Scientific, 46 % Chinese) was labelled
from the records by separate passes before any tuning on them (ids 1-211 first,
212-319, 320-415, 416-511, 512-607, 608-703, 704-793 and 794-883 later, each on products no
earlier question used, from the records alone; 704-793 mostly ask what buyers say, 794-883
mix facts, reviews and comparisons): answerable
questions name
the records that state the answer, the others have none. Each row's `split` says
its part; a third are the test part, never used to fit.

Of its answerable yes-no questions, 173 carry "polarity": the yes or no their records
state, labelled by a later separate pass from the records alone (15 more it judged
unclear: choices between two things, a value asked besides, mixed records), before the
answers to them were scored; the assistant's yes or no had been changed for two kinds of
record by then ("no expiration date" of "does it expire?", "BPA-free" of "does it
contain BPA?"), found in conversation.

Scored: answerable questions answered citing a gold record (every product asked
about that has gold records), not-answerable ones answered "not stated", review
questions summarised citing a gold review, yes-no questions whose answer opens with the
labelled yes or no (right) or with the other one (wrong), sentences failing the audit (every
citation names a record of the evidence, every number and catalog name is in the
records it cites), "not stated" sentences naming a word the product's records hold
as written (false silences), and the time per question. With `--llm default` the packaged
model rewrites the answers and its share of sentences that pass is reported.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from agent.answers import answer_claims, review_claims
from agent.planner import reviews_in_general
from agent.verifier import CITATION_RE, Claim, Verifier
from benchmarks.common import print_table, real_sources, write_results
from catalog.ingest import build_demo, ingest
from catalog.store import Store
from tools import qa
from tools.context import ToolContext
from tools.registry import load_registry

LABELS = Path(__file__).resolve().parent / "data" / "qa_labels.jsonl"
CALIBRATION = Path(qa.__file__).with_name("qa_calibration.json")


def load_labels(part: str = "all") -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line.strip()]
    return [r for r in rows if part == "all" or r["split"] == part]


def open_store(home: Path, catalogs: set[str]) -> Store:
    store = Store.in_home(home)
    for name in sorted(catalogs):
        if store.has_catalog(name):
            continue
        if name == "demo":
            build_demo(store)
        else:
            fmt, paths = real_sources()[name]
            ingest(store, name, fmt, paths, progress=False)
    return store


def gold_of(record) -> dict[str, str]:
    """A cited passage as the labels name records."""
    field, name = record.data.get("field"), record.data.get("name")
    if record.kind == "review":
        return {"kind": "review", "id": str(name)}
    if field in ("title", "title_zh"):
        return {"kind": "title"}
    if field == "description":
        return {"kind": "description"}
    if field == "feature":
        return {"kind": "attribute", "key": "features"}
    return {"kind": "attribute", "key": str(name)}


def matches(cited: dict[str, str], gold: dict[str, Any]) -> bool:
    return all(cited.get(k) == v for k, v in gold.items() if k != "product")


def summarised(ctx: ToolContext, row: dict[str, Any]) -> bool:
    """Whether the assistant answers a question about reviews with the summary of them,
    as its planner chooses (agent.planner.reviews_in_general): "what do buyers think of
    it?" is; "do reviewers mention the fries?" is asked of the reviews by
    `answer_question`, and so is a question about wear that names no reviewer."""
    products = [ctx.store.product(ctx.catalog, pid) for pid in row["products"]]
    return row["kind"] == "reviews" and reviews_in_general(row["question"], products)


def ask(registry, ctx: ToolContext, row: dict[str, Any]) -> tuple[Any, list[Claim]]:
    if summarised(ctx, row):
        outcome = registry.call("review_summary", ctx, {"product_id": row["products"][0]})
        claims = review_claims(ctx, outcome.result.data, row["lang"], row["question"])
    else:
        arguments = {"question": row["question"], "product_ids": row["products"]}
        outcome = registry.call("answer_question", ctx, arguments)
        claims = answer_claims(ctx, outcome.result.data, row["lang"])
    return outcome, claims


def score(row: dict[str, Any], outcome, ctx: ToolContext, sentences: list[str]) -> dict[str, Any]:
    data = outcome.result.data
    out: dict[str, Any] = {"id": row["id"], "kind": row["kind"], "answerable": row["answerable"]}
    if "aspects" in data:
        # summarised: right when the answer cites a gold review (an aspect's example, the
        # best- or lowest-rated review it quotes); of a question no review answers, when
        # it cites none (it has no reviews)
        cited = {c for text in sentences for c in CITATION_RE.findall(text) if c in ctx.evidence}
        names = {
            str(record.data.get("name"))
            for c in cited
            if (record := ctx.evidence.get(c)).kind == "review"
        }
        golds = {g["id"] for g in row["gold"]}
        out["correct"] = bool(names & golds) if row["answerable"] else not names
        return out
    stated = {a["product_id"]: a["stated"] for a in data["answers"]}
    # In a comparison, a product whose records answer "no" ("passive isolation" when
    # active noise cancelling is asked for) is answered by the closest record it quotes.
    quoted = {
        a["product_id"]: a["stated"] + (a["related"] if row["kind"] == "compare" else [])
        for a in data["answers"]
    }
    if not row["answerable"]:
        out["correct"] = not any(stated.values())
        return out
    right = []
    for pid in row["products"]:
        golds = [g for g in row["gold"] if g.get("product", pid) == pid]
        if not golds:
            continue
        cited = [gold_of(ctx.evidence.get(c)) for c in quoted.get(pid, [])]
        right.append(any(matches(c, g) for c in cited for g in golds))
    out["correct"] = bool(right) and all(right)
    if row.get("polarity") in ("yes", "no"):
        # the yes or no the answer opens with, against the one the records state
        expected = row["polarity"] == "yes"
        said = [a["answer"] for a in data["answers"] if a["product_id"] in row["products"]]
        if any(s is not None and s != expected for s in said):
            out["yes_no"] = "wrong"
        else:
            out["yes_no"] = "right" if said and all(s == expected for s in said) else "none"
    return out


def audit(sentences: list[str], ctx: ToolContext, names: list[str]) -> int:
    """Sentences with a citation that names nothing, or a number or name not in the
    records they cite."""
    checker = Verifier(ctx.evidence, names)
    failed = 0
    for text in sentences:
        cited = CITATION_RE.findall(text)
        if (
            not cited
            or any(c not in ctx.evidence for c in cited)
            or checker.check(text, [Claim("", cited)])
        ):
            failed += 1
    return failed


# Sentences that say what records do not mention: of the page and reviews, of reviews
SILENCES = ("answer_silent", "answer_reviews_silent")


def false_silences(ctx: ToolContext, claims: list[Claim]) -> int:
    """Sentences saying a product's records do not mention a word that they hold as
    written (checked on the raw text of its page and the reviews the answer read,
    independently of how the tool matches words)."""
    from tools.passages import MAX_REVIEWS

    failed = 0
    for claim in claims:
        if claim.kind not in SILENCES or claim.product_id is None:
            continue
        product = ctx.store.product(ctx.catalog, claim.product_id)
        reviews = ctx.store.reviews(ctx.catalog, product.id, limit=MAX_REVIEWS)
        page = [product.title, product.description, *product.title_i18n.values(),
                *(f"{k} {v}" for k, v in product.attributes.items())]  # fmt: skip
        if claim.kind == "answer_reviews_silent":  # "none of its 9 reviews mention ...": theirs
            page = []
        text = " ".join([*page, *(f"{r.title} {r.text}" for r in reviews)]).casefold()
        words = [w.casefold() for w in re.findall(r"“([^”]+)”", claim.text)]
        if any(re.search(_held(w), text) for w in words):
            failed += 1
    return failed


def _held(word: str) -> str:
    """A word as written, or with a plural ending; a Chinese word anywhere."""
    if re.match(r"[\u4e00-\u9fff]", word):
        return re.escape(word)
    return rf"(?<![a-z0-9]){re.escape(word)}(?:s|es)?(?![a-z0-9])"


def warm_up(store: Store, rows: list[dict], encode) -> dict[str, float]:
    """One question per catalog before timing (the server does the same when it starts):
    the catalog's lexicon and title weights are built once per catalog, and the encoder
    loads both its passes. Seconds each."""
    registry = load_registry(include_entry_points=False)
    owner = getattr(encode, "__self__", None)
    if owner is not None and hasattr(owner, "warm"):
        owner.warm()
    seconds = {}
    for catalog in sorted({r["catalog"] for r in rows}):
        row = next(r for r in rows if r["catalog"] == catalog and r["kind"] != "reviews")
        started = time.perf_counter()
        ask(registry, ToolContext(store, catalog, language="zh", encode=encode),
            {**row, "question": "它防水吗？"})  # fmt: skip
        seconds[catalog] = round(time.perf_counter() - started, 2)
    return seconds


def run(store: Store, rows: list[dict], encode, llm=None) -> dict[str, Any]:
    registry = load_registry(include_entry_points=False)
    names_by_catalog: dict[str, list[str]] = {}
    results, times, failures, false = [], [], 0, 0
    model_written = model_passed = 0
    for row in rows:
        catalog = row["catalog"]
        if catalog not in names_by_catalog:
            products = store.products(catalog)
            names_by_catalog[catalog] = sorted(
                {p.brand for p in products if p.brand}
                | {p.title for p in products if len(p.title.split()) >= 3}
            )
        ctx = ToolContext(store, catalog, language=row["lang"], encode=encode)
        started = time.perf_counter()
        outcome, claims = ask(registry, ctx, row)
        sentences = [c.render() for c in claims]
        if llm is not None:
            sentences, written, passed = _rewritten(llm, ctx, claims, row, names_by_catalog)
            model_written += written
            model_passed += passed
        times.append((time.perf_counter() - started) * 1000)
        failures += audit(sentences, ctx, names_by_catalog[catalog])
        false += false_silences(ctx, claims)
        results.append({**score(row, outcome, ctx, sentences), "sentences": sentences})
    return summarise(results, times, failures, model_written, model_passed, false)


def _rewritten(llm, ctx, claims, row, names_by_catalog):
    from agent.explain import verified

    class Host:  # what agent.explain needs of the agent
        def __init__(self) -> None:
            self.llm, self.llm_turn_budget_s, self.llm_min_s = llm, 30.0, 0.5
            self.llm_available, self.names = True, names_by_catalog[row["catalog"]]
            self.similarity, self.support_threshold = None, 0.44

        def llm_failed(self) -> None:
            self.llm_available = False

    verdict = verified(Host(), ctx, claims, lambda s: None, "answer", question=row["question"])
    return [s.text for s in verdict.sentences], verdict.model_sentences, verdict.model_passed


def summarise(results, times, failures, written=0, passed=0, false=0) -> dict[str, Any]:
    def share(rows: list[dict]) -> float | None:
        return round(sum(r["correct"] for r in rows) / len(rows), 4) if rows else None

    answerable = [r for r in results if r["answerable"] and r["kind"] != "reviews"]
    silent = [r for r in results if not r["answerable"]]
    reviews = [r for r in results if r["kind"] == "reviews"]
    polar = [r for r in results if "yes_no" in r]
    return {
        "n": len(results),
        "answerable_cited_gold": share(answerable),
        "not_answerable_said_so": share(silent),
        "reviews_cited_gold": share(reviews),
        "yes_no_n": len(polar),
        "yes_no_right": (
            round(sum(r["yes_no"] == "right" for r in polar) / len(polar), 4) if polar else None
        ),
        "yes_no_wrong": sum(r["yes_no"] == "wrong" for r in polar),
        "unsupported_sentences": failures,
        "false_silences": false,
        "sentences": sum(len(r["sentences"]) for r in results),
        "ms_p50": round(statistics.median(times), 1) if times else None,
        "ms_p95": round(float(np.percentile(times, 95)), 1) if times else None,
        "model_sentences": written,
        "model_passed": passed,
        "rows": results,
    }


def fit(store: Store, rows: list[dict], encode) -> dict[str, Any]:
    """A logistic model of "this passage states the answer" over the passages' features
    (tools.qa.FEATURES), and the cut-off on its score that answers the most tune
    questions right, the not answerable ones weighted twice (the goals allow half as
    many errors on them: 5 % against 10 %)."""
    groups = _passage_groups(store, rows, encode)
    weights, bias = _question_logistic(groups)
    scored = [
        (features @ weights + bias, gold, answerable) for features, gold, answerable in groups
    ]
    balanced, cutoff, yes, no = _best_cutoff(scored)
    return {
        "features": list(qa.FEATURES),
        "weights": [round(float(w), 4) for w in weights],
        "bias": round(float(bias), 4),
        "cutoff": round(cutoff, 2),
        "tune_weighted": round(balanced, 4),
        "tune_answerable": round(yes, 4),
        "tune_not_answerable": round(no, 4),
        "fitted_on": "tune part of benchmarks/data/qa_labels.jsonl",
    }


def fit_review_cutoff(store: Store, rows: list[dict], encode) -> float:
    """The cut-off for questions asked of the reviews alone (tools.qa.review_cutoff), the
    passage model's weights kept: of the tune questions the assistant asks of the
    reviews, the one that answers the most right, weighted as `fit` weighs them."""
    weights, bias, _ = qa.model()
    groups = _passage_groups(store, rows, encode, reviews_only=True)
    scored = [
        (features @ weights + bias, gold, answerable) for features, gold, answerable in groups
    ]
    balanced, cutoff, _, _ = _best_cutoff(scored)
    print(f"review cut-off {cutoff:.2f} on {len(groups)} questions (weighted {balanced:.4f})")
    return round(cutoff, 2)


def _passage_groups(
    store: Store, rows: list[dict], encode, reviews_only: bool = False
) -> list[tuple[np.ndarray, np.ndarray, bool]]:
    """Per (question, product) that `answer_question` answers from passages (the review
    summary's questions aside; `reviews_only`: those asked of the reviews alone): the
    passages' features, which are gold, and whether the question is answerable. A
    question asking what buyers say is read as the tool reads it (reviewers_asked,
    tools.qa.of_reviews)."""
    from tools.passages import passages
    from tools.text import content_terms, reviewers_asked

    groups = []
    for row in rows:
        ctx = ToolContext(store, row["catalog"], language=row["lang"], encode=encode)
        about = reviewers_asked(row["question"])
        if summarised(ctx, row) or (reviews_only and about is None):
            continue  # the review summary answers it, not the passages
        asked = row["question"] if about is None else about
        for pid in row["products"]:
            product = store.product(row["catalog"], pid)
            found, terms = passages(ctx, product), content_terms(asked)
            if about is not None:
                found, terms, _ = qa.of_reviews(product, asked, terms, found)
            if not found:
                continue
            features, _ = qa.passage_features(ctx, product, asked, terms, found)
            golds = [g for g in row["gold"] if g.get("product", pid) == pid]
            gold = np.array([_is_gold(p, golds) for p in found], dtype=np.float32)
            groups.append((features, gold, bool(row["answerable"] and golds)))
    return groups


def _best_cutoff(scored: list[tuple[np.ndarray, np.ndarray, bool]]) -> tuple[float, ...]:
    """(weighted share right, cut-off, share of answerable answered citing gold, share of
    not answerable said so) at the cut-off on passage scores that answers the most right:
    a question the records do not answer, answered, costs twice an answer missed (the
    goals: >= 95 % said so, >= 90 % answered)."""
    best = (-1.0, 0.0, 0.0, 0.0)
    for cutoff in np.arange(-4.0, 4.01, 0.1):
        right_yes = right_no = n_yes = n_no = 0
        for scores, gold, answerable in scored:
            stated = [i for i in np.argsort(-scores) if scores[i] >= cutoff][: qa.MAX_CITED]
            if answerable:
                n_yes += 1
                right_yes += any(gold[i] for i in stated)
            else:
                n_no += 1
                right_no += not stated
        balanced = (right_yes / max(n_yes, 1) + 2 * right_no / max(n_no, 1)) / 3
        if balanced > best[0]:
            best = (balanced, float(cutoff), right_yes / max(n_yes, 1), right_no / max(n_no, 1))
    return best


def _is_gold(passage, golds: list[dict]) -> bool:
    from types import SimpleNamespace

    record = SimpleNamespace(kind=passage.kind, data={"field": passage.field, "name": passage.name})
    return any(matches(gold_of(record), g) for g in golds)


def _question_logistic(groups, steps: int = 4000, l2: float = 1e-2, tau: float = 0.5):
    """Weights of a linear passage score fitted to what is judged: whether a question is
    answered. A question's score is the (soft) maximum over its passages: over the
    gold passages for an answerable question, which should be stated (score >= 0),
    over all of them for the others, which should not. Logistic loss on those
    question scores, the two kinds weighted equally; the gold labels name a kind of
    record ("the description"), so any gold passage may carry the answer."""
    dims = groups[0][0].shape[1]
    w = np.zeros(dims, dtype=np.float64)
    b = 0.0
    sets = []
    for features, gold, answerable in groups:
        if answerable:
            if gold.any():  # a gold record none of whose passages was read: nothing to fit
                sets.append((features[gold > 0].astype(np.float64), 1.0))
        elif not gold.any():
            sets.append((features.astype(np.float64), 0.0))
    n_yes = sum(1 for _, y in sets if y) or 1
    n_no = sum(1 for _, y in sets if not y) or 1
    for _ in range(steps):
        gw = np.zeros(dims)
        gb = 0.0
        for x, y in sets:
            s = x @ w + b
            top = s.max()
            soft = np.exp((s - top) / tau)
            share = soft / soft.sum()
            score = top + tau * np.log(soft.sum())  # smooth maximum
            p = 1 / (1 + np.exp(-score))
            g = (p - y) / (2 * (n_yes if y else n_no))
            gw += g * (share @ x)
            gb += g
        w -= 1.0 * (gw + l2 * w)
        b -= 1.0 * gb
    return w, b


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="test", choices=["test", "tune", "all"])
    parser.add_argument("--llm", default="none", help="none | default (the packaged model)")
    parser.add_argument("--fit", action="store_true", help="calibrate on the tune part")
    parser.add_argument(
        "--fit-reviews", action="store_true", help="calibrate the reviews-only cut-off (tune part)"
    )
    parser.add_argument("--home", type=Path, default=Path("data/bench-qa"))
    args = parser.parse_args(argv)
    from vectorstore.embeddings import make_embedder

    encode = make_embedder("use").encode
    part = "tune" if args.fit or args.fit_reviews else args.part
    rows = load_labels(part)
    store = open_store(args.home, {r["catalog"] for r in rows})
    if args.fit_reviews:
        calibration = json.loads(CALIBRATION.read_text("utf-8"))
        calibration["review_cutoff"] = fit_review_cutoff(store, rows, encode)
        CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
        return
    if args.fit:
        calibration = fit(store, rows, encode)
        CALIBRATION.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(calibration, indent=2))
        return
    llm = None
    if args.llm != "none":
        from agent.llm import make_model

        llm = make_model("llama_cpp", args.llm, args.home)
    cold = warm_up(store, rows, encode)
    print(f"first question per catalog (builds its lexicon): {cold} s")
    report = {}
    for name in ("all", *sorted({r["catalog"] for r in rows})):
        subset = [r for r in rows if name == "all" or r["catalog"] == name]
        report[name] = run(store, subset, encode, llm)
    table = [
        {"catalogs": k, **{c: v for c, v in r.items() if c != "rows"}} for k, r in report.items()
    ]
    print(f"Questions about products ({part} part, llm {args.llm})")
    print_table(table, ["catalogs", "n", "answerable_cited_gold", "not_answerable_said_so",
                        "reviews_cited_gold", "yes_no_n", "yes_no_right", "yes_no_wrong",
                        "unsupported_sentences", "false_silences",
                        "ms_p50", "ms_p95", "model_sentences", "model_passed"])  # fmt: skip
    errors = [r for r in report["all"]["rows"] if not r["correct"] or r.get("yes_no") == "wrong"]
    suffix = "" if args.llm == "none" else f"_{args.llm}"
    name = f"qa{suffix}" if part == "test" else f"qa_{part}{suffix}"
    write_results(name, table, part=part, llm=args.llm, errors=errors, first_question_s=cold)


if __name__ == "__main__":
    main()
