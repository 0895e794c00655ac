"""Questions about products answered from their own records.

For each product asked about, its passages (tools.passages) are ranked for
the question by a lexical score (the question's key words found in the passage)
plus the multilingual embedding, so "它防水吗？" finds "waterproofing: waterproof".
A passage *states* the answer when it covers the question's focus: the key
words that are not just the product's own kind ("speaker" in "is the speaker
waterproof?"), weighted by how rare they are in the catalog, each found in the
passage as a word or, across languages, by embedding similarity. When no
passage states it, the answer says so, with the closest things the records do
say; a yes is given only when a passage states the asked word without negating it.

What it simplifies on purpose: English words are matched after a light stemming
(plural and -ing/-ed endings), not lemmatised; yes/no is read from negation
words near the matched word, not parsed.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tools.context import ToolContext
from tools.passages import Passage, passages
from tools.products import get_product, product_evidence
from tools.registry import ToolArgumentError
from tools.results import ToolResult
from tools.text import (
    contains_term,
    content_terms,
    content_words,
    is_polar,
    negated_near,
    superlative,
)

MAX_PRODUCTS = 4
MAX_CITED = 3  # passages quoted per product
# Calibrated on the tuning part of benchmarks/data/qa_labels.jsonl (bench_qa --fit).
TERM_SIMILARITY = 0.5  # a key word counts as found when this close to the passage
COVERAGE = 0.7  # share of the question's focus (by weight) a passage must cover
RELATED = 0.25  # a passage this close to the question is "related" in a not-stated answer
_EMBEDDINGS: OrderedDict[tuple, np.ndarray] = OrderedDict()  # passage vectors, a small LRU
_CACHE_SIZE = 512


@dataclass
class Finding:
    """What one product's records say about the question."""

    product_id: str
    stated: list[tuple[Passage, float]] = field(default_factory=list)  # (passage, score)
    related: list[Passage] = field(default_factory=list)
    answer: bool | None = None  # yes / no for a yes-no question, when a passage states it
    value: float | None = None  # the number a superlative question compares
    reviews: int = 0


def answer_question(ctx: ToolContext, question: str, product_ids: list[str]) -> ToolResult:
    """Answer a question about one or more products from their own pages and reviews,
    citing the passages; says so when the records do not answer it.

    Args:
        question: The shopper's question, in their own words.
        product_ids: The products the question is about (one to four).
    """
    ids = list(dict.fromkeys(str(p) for p in product_ids))
    if not 1 <= len(ids) <= MAX_PRODUCTS:
        raise ToolArgumentError(f"answer_question takes 1 to {MAX_PRODUCTS} products")
    products = [get_product(ctx, pid) for pid in ids]
    terms = content_terms(question)
    findings = [_find(ctx, p, question, terms) for p in products]
    best = _superlative(question, findings)
    evidence: list[str] = []
    answers = []
    for product, finding in zip(products, findings, strict=True):
        cited = [p.cite(ctx).id for p, _ in finding.stated[:MAX_CITED]]
        related = [p.cite(ctx).id for p in finding.related]
        record = product_evidence(ctx, product)
        count = ctx.evidence.add(
            "product", f"{product.id}.n",
            f"{product.title}: the product page and {finding.reviews} reviews",
            product.id, reviews=finding.reviews,
        ).id  # fmt: skip
        evidence += [record.id, *cited, *related]
        answers.append(
            {
                "product_id": product.id,
                "title": product.title,
                "stated": cited,
                "related": related,
                "answer": finding.answer,
                "value": finding.value,
                "reviews": finding.reviews,
                "record": count,
            }
        )
    stated = sum(bool(a["stated"]) for a in answers)
    return ToolResult(
        f"{stated} of {len(answers)} products' records answer {question!r}",
        ids,
        list(dict.fromkeys(evidence)),
        {
            "question": question,
            "terms": terms,
            "asked": content_words(question),
            "answers": answers,
            "best": best,
        },
    )


def _find(ctx: ToolContext, product, question: str, terms: list[str]) -> Finding:
    found = passages(ctx, product)
    finding = Finding(product.id, reviews=len({p.name for p in found if p.kind == "review"}))
    if not found:
        return finding
    own = {w for c in product.categories for w in content_terms(c)}
    focus = [t for t in terms if t not in own] or terms
    weights = {t: _weight(ctx, t) for t in focus}
    dense = _similarities(ctx, product.id, found, [question, *focus])  # (1 + terms, n)
    scored = []
    for i, passage in enumerate(found):
        covered = sum(
            w
            for j, (t, w) in enumerate(weights.items())
            if contains_term(passage.text, t) or dense[1 + j, i] >= TERM_SIMILARITY
        )
        coverage = covered / sum(weights.values()) if weights else 0.0
        scored.append((coverage, float(dense[0, i]), passage))
    stated = [(p, cov + sim) for cov, sim, p in scored if cov >= COVERAGE]
    # Product fields first (the seller's statement), then reviews; each by score.
    stated.sort(key=lambda ps: (ps[0].kind != "product", -ps[1]))
    finding.stated = stated
    if stated:
        finding.answer = _yes_no(question, stated[0][0], focus)
        finding.value = _number(stated[0][0].text)
    else:
        near = sorted(scored, key=lambda s: -s[1])
        finding.related = [p for _, sim, p in near[:2] if sim >= RELATED]
    return finding


def _yes_no(question: str, passage: Passage, focus: list[str]) -> bool | None:
    if not is_polar(question) or passage.kind == "review":
        return None  # one reviewer's word is quoted, not turned into a yes
    return not any(negated_near(passage.text, t) for t in focus)


def _number(text: str) -> float | None:
    found = re.findall(r"\d+(?:\.\d+)?", text)
    return float(found[0]) if len(found) == 1 else None


def _superlative(question: str, findings: list[Finding]) -> dict[str, Any] | None:
    """For "which has the longest battery?": the product whose stated value is
    highest (or lowest), when at least two products state a number."""
    direction = superlative(question)
    valued = [f for f in findings if f.value is not None]
    if direction is None or len(valued) < 2:
        return None
    pick = max if direction == "max" else min
    best = pick(valued, key=lambda f: f.value)
    return {"product_id": best.product_id, "value": best.value, "direction": direction}


def _similarities(ctx: ToolContext, pid: str, found: list[Passage], texts: list[str]) -> np.ndarray:
    """(len(texts), len(found)) cosine similarities; zeros without an embedder."""
    if ctx.encode is None:
        return np.zeros((len(texts), len(found)), dtype=np.float32)
    key = (ctx.catalog, pid, len(found))
    vectors = _EMBEDDINGS.get(key)
    if vectors is None:
        vectors = ctx.encode([p.text for p in found])
        _EMBEDDINGS[key] = vectors
        if len(_EMBEDDINGS) > _CACHE_SIZE:
            _EMBEDDINGS.popitem(last=False)
    else:
        _EMBEDDINGS.move_to_end(key)
    return ctx.encode(texts) @ vectors.T


def _weight(ctx: ToolContext, term: str) -> float:
    """Rarer words weigh more: inverse document frequency over the catalog's titles."""
    table = _titles(ctx)
    if term not in table["weights"]:
        df = sum(1 for title in table["titles"] if contains_term(title, term))
        table["weights"][term] = math.log((table["n"] + 1) / (df + 0.5)) + 1.0
    return table["weights"][term]


_TITLES: dict[tuple, dict] = {}


def _titles(ctx: ToolContext) -> dict:
    key = (str(ctx.store.path), ctx.catalog, len(ctx.products))
    if key not in _TITLES:
        titles = list(ctx.store.query(
            "SELECT p.title FROM products p JOIN catalogs c ON c.id = p.catalog_id"
            " WHERE c.name = ?", (ctx.catalog,),
        ))  # fmt: skip
        _TITLES.clear()
        _TITLES[key] = {"n": len(titles), "titles": [r[0] for r in titles], "weights": {}}
    return _TITLES[key]
