"""Lexical scoring (BM25 via bm25s) and the fusion of lexical and dense scores.

Both scorers return one score per product row of the catalog's `ProductTable`,
so hard filters are a boolean mask applied before anything is ranked. Fusion:
- `rrf`: reciprocal-rank fusion, sum of 1 / (60 + rank) over the two lists;
- `weighted`: w * cosine + (1 - w) * BM25 / the catalog's max BM25 for the query,
  over the union of both candidate lists. The default is chosen by
  `benchmarks/bench_search_quality.py` and `benchmarks/bench_search_zh.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.errors import IndexCorruptError

FUSIONS = ("rrf", "weighted")
RRF_K = 60
CANDIDATES = 200


class Bm25Index:
    """bm25s over one text per product, aligned with the product rows."""

    def __init__(self, retriever, tokenize: Callable[[str], list[str]]) -> None:
        self._retriever = retriever
        self._tokenize = tokenize
        self._vocab: dict[str, int] = retriever.vocab_dict
        self._roots: dict[str, list[str]] | None = None  # root -> index words (on first use)

    @classmethod
    def build(cls, texts: list[str], tokenize: Callable[[str], list[str]]) -> Bm25Index:
        bm25s = _bm25s()
        retriever = bm25s.BM25(method="lucene")
        retriever.index([tokenize(t) for t in texts], show_progress=False)
        return cls(retriever, tokenize)

    def save(self, path: Path) -> None:
        self._retriever.save(str(path), show_progress=False)

    @classmethod
    def load(cls, path: Path, tokenize: Callable[[str], list[str]]) -> Bm25Index:
        bm25s = _bm25s()
        try:
            retriever = bm25s.BM25.load(str(path), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"the BM25 index in {path} is damaged ({exc})") from exc
        return cls(retriever, tokenize)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """(n_products,) float32 BM25 scores; 0 where nothing matches. A query word the
        index lacks counts as the index's words of its family ("magnifying" as
        magnifier, magnify; "calibrating" as calibration), since the index strips
        plurals only."""
        known: list[str] = []
        for token in query_tokens:
            if token in self._vocab:
                known.append(token)
            else:
                known += self._family(token)
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def _family(self, token: str) -> list[str]:
        """The index's words with `token`'s root and one of the suffixes words take
        (magnif-ying: magnif-ier, magnif-y, magnif-ication), at most MAX_FAMILY."""
        if not (token.isascii() and token.isalpha()) or len(token) < 6:
            return []
        if self._roots is None:
            roots: dict[str, list[str]] = {}
            for word in self._vocab:
                if isinstance(word, str) and word.isascii() and word.isalpha():
                    for root in _roots(word):
                        roots.setdefault(root, []).append(word)
            self._roots = roots
        family = [w for root in _roots(token) for w in self._roots.get(root, ())]
        return list(dict.fromkeys(family))[:MAX_FAMILY]


# Suffixes of one word family, longest first; a root keeps at least ROOT_CHARS letters.
_SUFFIXES = (
    "ications", "ication", "ations", "ation", "ments", "ment", "ings", "ying", "iers",
    "ions", "ing", "ier", "ied", "ies", "ers", "ors", "ion", "ive", "ity", "er",
    "or", "ed", "es", "al", "ly", "y", "e", "s",
)  # fmt: skip
ROOT_CHARS = 5
MAX_FAMILY = 4


def _roots(word: str) -> list[str]:
    """The roots `word` may have: itself, and itself less each suffix it ends with
    ("magnifying" -> magnif, magnify), each at least ROOT_CHARS letters."""
    out = [word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= ROOT_CHARS:
            out.append(word[: -len(suffix)])
    return out


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its own logger to DEBUG on import, which would print through the root handler
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def top_rows(scores: np.ndarray, mask: np.ndarray, n: int, positive: bool = False) -> np.ndarray:
    """Rows of the `n` best scores among `mask` (only scores > 0 when `positive`), best first."""
    keep = mask & (scores > 0) if positive else mask
    rows = np.flatnonzero(keep)
    if len(rows) > n:
        rows = rows[np.argpartition(-scores[rows], n - 1)[:n]]
    return rows[np.argsort(-scores[rows], kind="stable")]


def fuse(
    dense: np.ndarray | None,
    lexical: np.ndarray | None,
    mask: np.ndarray,
    method: str = "rrf",
    weight: float = 0.5,
    candidates: int = CANDIDATES,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows best first, fused scores) over the masked products; either input may be None."""
    lists = []
    if dense is not None:
        lists.append(("dense", top_rows(dense, mask, candidates)))
    if lexical is not None:
        lists.append(("lexical", top_rows(lexical, mask, candidates, positive=True)))
    union = np.unique(np.concatenate([rows for _, rows in lists])) if lists else np.empty(0, int)
    if len(union) == 0:
        return union, np.empty(0, np.float32)
    fused = np.zeros(len(union), dtype=np.float64)
    position = {int(r): i for i, r in enumerate(union)}
    if method == "rrf":
        for _, rows in lists:
            for rank, row in enumerate(rows):
                fused[position[int(row)]] += 1.0 / (RRF_K + rank + 1)
    elif method == "weighted":
        if dense is not None:
            fused += weight * dense[union]
        if lexical is not None:
            # BM25 over its best score in the whole catalog, not among the filtered
            # products: a product's relevance does not depend on what the filters let
            # through (one stray word matched among a brand's three products would
            # otherwise count as the best match there is)
            top = float(lexical.max())
            fused += (1.0 - weight) * (lexical[union] / top if top > 0 else 0.0)
    else:
        raise ValueError(f"unknown fusion {method!r}; expected one of {FUSIONS}")
    order = np.argsort(-fused, kind="stable")
    return union[order], fused[order].astype(np.float32)
