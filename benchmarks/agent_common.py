"""Shared set-up of the agent benchmarks: a data dir holding a catalog with a
trained recommender and a search index, and realistic requests built from the
shoppers' own held-out items."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from benchmarks.common import real_sources
from catalog.ingest import build_demo, ingest
from catalog.models import Product
from catalog.store import Store

_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_SKIP = {"with", "pack", "inch", "size", "count", "gift", "card", "cards", "amazon", "your"}


def prepare(home: Path, catalog: str, model: str = "itemknn") -> Store:
    """Ingest (or build) `catalog` into `home`, train `model`, build the index."""
    from recommender.registry import load_active
    from recommender.training import train_model
    from vectorstore.index import build_index

    store = Store.in_home(home)
    if not store.has_catalog(catalog):
        if catalog == "demo":
            build_demo(store)
        else:
            fmt, paths = real_sources()[catalog]
            ingest(store, catalog, fmt, paths, progress=False)
    if load_active(home, store, catalog) is None:
        train_model(store, catalog, home, model)
    build_index(store, catalog, home, progress=False)
    return store


def audit(reply, names, said=None, similarity=None, translate=None) -> list[dict]:
    """Every sentence a reply shows, re-checked after verification: each citation must
    name a record of the turn's evidence, and every number and catalog name it states
    must appear in the records it cites; with `said` (the shopper's messages so far), a
    sentence that claims to meet the request must quote words the shopper said and a
    cited fact that meets them (by `similarity` where no word is shared, or by the
    catalog's English words for a Chinese word, `translate`). The failures,
    each with `bad_citation` set when a citation is missing or names nothing in the
    evidence, and `request` when it is a request claim."""
    from agent.needs import is_request_claim
    from agent.verifier import CITATION_RE, Claim, Verifier

    checker = Verifier(
        dict(reply.evidence),
        names,
        said=list(said or []),
        need_similarity=similarity,
        translate=translate,
    )
    failures = []
    shown = [s for p in reply.products for s in p.sentences] + list(reply.answer)
    for sentence in shown:  # explanations and answers alike
        cited = CITATION_RE.findall(sentence.text)
        if not cited or any(c not in reply.evidence for c in cited):
            reasons, bad = ["no citation, or a citation not in the evidence"], True
        else:
            reasons, bad = checker.check(sentence.text, [Claim("", cited)]), False
        if reasons:
            failures.append(
                {
                    "sentence": sentence.text,
                    "reasons": reasons,
                    "bad_citation": bad,
                    "request": is_request_claim(sentence.text),
                }
            )
    return failures


def request_claims(reply) -> int:
    """How many shown sentences claim to meet the shopper's request."""
    from agent.needs import is_request_claim

    shown = [s for p in reply.products for s in p.sentences] + list(reply.answer)
    return sum(is_request_claim(s.text) for s in shown)


def requests(store: Store, catalog: str, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(shopper id, request) pairs: a request names two words of the title of a
    product the shopper interacted with, plus its category when known."""
    rng = np.random.default_rng(seed)
    shoppers = store.shopper_ids(catalog)
    out: list[tuple[str, str]] = []
    for shopper in rng.permutation(shoppers):
        history = store.history(catalog, str(shopper))
        if not history:
            continue
        product = store.product(catalog, history[-1].product_id)
        text = _request(product, rng)
        if text:
            out.append((str(shopper), text))
        if len(out) == n:
            break
    return out


def _request(product: Product, rng: np.random.Generator) -> str:
    words = [w.lower() for w in _WORD.findall(product.title) if w.lower() not in _SKIP]
    if not words:
        return ""
    picked = list(dict.fromkeys(rng.choice(words, size=min(2, len(words)), replace=False)))
    category = product.category if product.category and len(product.category) < 40 else ""
    return " ".join([*picked, category.lower()]).strip()
