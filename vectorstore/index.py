"""The product search index of one catalog: build it (incrementally), open it, search it.

Layout: each chunk's vector and filter metadata (and its text, with
`store_documents`) live in a Chroma collection (embedded under
`<home>/index/chroma`, or on a Chroma server when `url` is set); BM25 and a
manifest live in `<home>/index/<catalog>/<embedder name>/`. Opening an index
reads the vectors back once and scores them exactly in numpy, so the shared
`ProductTable` filters are applied before ranking and a hit can never violate
one. What it simplifies on purpose: dense scoring is brute force (about a
millisecond per 10,000 chunks), which is exact and fast at shop scale; a
catalog of millions would want Chroma's HNSW search instead.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from catalog.errors import InputError
from catalog.filters import ProductFilter, ProductTable
from catalog.models import Product
from catalog.store import Store
from vectorstore import chroma, documents
from vectorstore.embeddings import Embedder, make_embedder
from vectorstore.errors import (
    IndexCorruptError,
    IndexMissingError,
    IndexStaleError,
    VectorStoreUnavailableError,
    rebuild_hint,
)
from vectorstore.ranking import FUSIONS, Bm25Index, fuse, top_rows
from vectorstore.text import clean_query, query_segments, query_words, tokenizer

INDEX_VERSION = 1
DEFAULT_EMBEDDER = "use"
DEFAULT_TOKENIZER = "bigram"
DEFAULT_FUSION = "weighted"
DEFAULT_WEIGHT = 0.5
# The share of a request's weakest part in its score (SearchIndex.rank_parts)
PART_SHARE = 0.3
# An attribute whose values say what a product is like has few of them for the
# products that give it (colour, use, fit), unlike a model number or a weight:
# at most this many distinct values per product that gives one (value_table)
VALUE_VARIETY = 0.2
MAX_VALUE_CHARS = 40
# Past about a sentence, the dense share of the fusion shrinks in proportion to
# the query's length (see `SearchIndex.dense_weight`).
DENSE_QUERY_WORDS = 16
MODES = ("hybrid", "dense", "bm25")
MAX_K = 1000


@dataclass(slots=True)
class SearchHit:
    product_id: str
    score: float
    matched_fields: list[str]
    snippet: str  # the text an explanation cites
    snippet_field: str
    title: str = ""
    rank: int = 0
    source: str = "hybrid"  # hybrid | dense | bm25 | popular
    dense_score: float | None = None
    bm25_score: float | None = None
    chunk_id: str | None = None  # best dense chunk: "<product id>#<field>@<offset>"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class BuildReport:
    catalog: str
    embedder: str
    collection: str
    index_dir: str
    url: str | None = None
    products: int = 0
    chunks: int = 0
    added: int = 0
    updated_text: int = 0
    updated_metadata: int = 0
    unchanged: int = 0
    deleted: int = 0
    encoded: int = 0  # texts the embedder actually encoded
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Ranking:
    rows: np.ndarray  # (<=k,) product rows, best first
    scores: np.ndarray  # (<=k,) their scores
    dense: np.ndarray | None  # (n_products,) cosine per product, when computed
    lexical: np.ndarray | None  # (n_products,) BM25 per product, when computed
    query_vectors: np.ndarray | None = None  # (segments, dim) when dense scores were computed


def index_dir(home: Path, catalog: str, embedder_name: str) -> Path:
    return Path(home) / "index" / catalog / embedder_name


def build_index(
    store: Store,
    catalog: str,
    home: Path,
    embedder: Embedder | None = None,
    url: str | None = None,
    progress: bool = True,
    tokenizer_name: str = DEFAULT_TOKENIZER,
    store_documents: bool = False,
) -> BuildReport:
    """Index (or re-index) `catalog`: only new or changed chunks are embedded.

    `store_documents` also writes each chunk's text into Chroma (for users who read
    or filter it there); it is off by default because the text already lives in the
    catalog store and BM25, and Chroma's full-text index on it made a 10,000-product
    build 7 s slower. Changing it rebuilds the collection."""
    started = time.perf_counter()
    embedder = embedder or make_embedder(DEFAULT_EMBEDDER)
    tokenize = tokenizer(tokenizer_name)
    products = store.products(catalog)
    if not products:
        raise InputError(f"catalog {catalog!r} has no products to index")
    chunks, metas = _chunks_and_metadata(products)
    folder = index_dir(home, catalog, embedder.name)
    name = chroma.collection_name(catalog, embedder.name)
    client = chroma.make_client(Path(home) / "index" / "chroma", url)
    if _previous_store_documents(folder) not in (None, store_documents):
        chroma.drop_collection(client, name)
    collection = client.get_or_create_collection(
        name, embedding_function=None, configuration={"hnsw": chroma.HNSW}
    )
    encoded_before = embedder.encoded_texts
    sync = chroma.sync_collection(
        collection, chunks, metas, embedder.encode, progress, documents=store_documents
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").unlink(missing_ok=True)  # a crash now leaves "missing"
    Bm25Index.build([documents.bm25_text(p) for p in products], tokenize).save(folder / "bm25")
    manifest = {
        "version": INDEX_VERSION,
        "catalog": catalog,
        "embedder": embedder.name,
        "embedder_spec": embedder.spec,
        "dim": embedder.dim,
        "collection": name,
        "url": url,
        "tokenizer": tokenizer_name,
        "store_documents": store_documents,
        "fingerprint": store.fingerprint(catalog),
        "content_hash": _content_hash(chunks),
        "product_ids": [p.id for p in products],
        "popularity": _popularity(store, catalog, products),
        "built_at": time.time(),
    }
    _write_json(folder / "manifest.json", manifest)
    return BuildReport(
        catalog=catalog,
        embedder=embedder.name,
        collection=name,
        index_dir=str(folder),
        url=url,
        products=len(products),
        chunks=len(chunks),
        encoded=embedder.encoded_texts - encoded_before,
        seconds=round(time.perf_counter() - started, 3),
        **asdict(sync),
    )


def _previous_store_documents(folder: Path) -> bool | None:
    """Whether the last build put chunk texts into Chroma (None: no readable manifest)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return bool(manifest.get("store_documents", True))  # builds before the option stored them


def _write_json(path: Path, value: dict[str, Any]) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of it."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def open_index(
    home: Path,
    store: Store,
    catalog: str,
    embedder: Embedder | None = None,
    url: str | None = None,
    *,
    auto_build: bool = False,
    fusion: str = DEFAULT_FUSION,
    weight: float = DEFAULT_WEIGHT,
) -> SearchIndex:
    """Open the index of `catalog`. Missing, stale or damaged -> a clear `SearchIndexError`,
    or a (re)build first when `auto_build` is set."""
    if fusion not in FUSIONS:
        raise InputError(f"unknown fusion {fusion!r}; expected one of: {', '.join(FUSIONS)}")
    try:
        index = _open(home, store, catalog, embedder, url)
    except (IndexMissingError, IndexStaleError, IndexCorruptError):
        if not auto_build:
            raise
        build_index(store, catalog, home, embedder, url=url, progress=False)
        index = _open(home, store, catalog, embedder, url)
    index.fusion, index.weight = fusion, weight
    return index


def _open(
    home: Path,
    store: Store,
    catalog: str,
    embedder: Embedder | None,
    url: str | None,
) -> SearchIndex:
    products = store.products(catalog)  # an unknown catalog -> NotFoundError naming the known
    manifest, folder = _read_manifest(home, catalog, embedder)
    embedder = embedder or make_embedder(manifest.get("embedder_spec", DEFAULT_EMBEDDER))
    chunks, _ = _chunks_and_metadata(products)
    if manifest.get("fingerprint") != store.fingerprint(catalog) or manifest.get(
        "content_hash"
    ) != _content_hash(chunks):
        raise IndexStaleError(
            f"the catalog {catalog!r} changed since its search index was built; "
            + rebuild_hint(catalog)
        )
    bm25 = Bm25Index.load(folder / "bm25", tokenizer(manifest["tokenizer"]))
    degraded = None
    try:
        client = chroma.make_client(Path(home) / "index" / "chroma", url)
    except VectorStoreUnavailableError as exc:
        # The vectors live on a server that is down: keyword search still works.
        client, vectors, degraded = None, None, f"keyword search only: {exc}"
    if client is not None:
        try:
            collection = client.get_collection(manifest["collection"], embedding_function=None)
        except Exception as exc:  # NotFoundError, or a damaged store: both need a rebuild
            where = url or "the embedded vector store"
            raise IndexMissingError(
                f"the vector collection of catalog {catalog!r} is not in {where}; "
                + rebuild_hint(catalog)
            ) from exc
        vectors = chroma.read_vectors(collection, [c.id for c in chunks], int(manifest["dim"]))
    if bm25.size != len(products):
        raise IndexCorruptError(
            f"the BM25 index of {catalog!r} is inconsistent; " + rebuild_hint(catalog)
        )
    popularity = np.asarray(manifest["popularity"], dtype=np.float64)
    index = SearchIndex(
        catalog,
        products,
        chunks,
        vectors,
        bm25,
        embedder,
        manifest["tokenizer"],
        popularity,
    )
    index.degraded = degraded
    return index


class SearchIndex:
    """An open index: hybrid, dense or BM25 search with the shared hard filters."""

    def __init__(
        self,
        catalog: str,
        products: Sequence[Product],
        chunks: Sequence[documents.Chunk],
        vectors: np.ndarray | None,  # (n_chunks, dim) float32, rows L2-normalised; None =
        # the vector store is unreachable and search is BM25 only
        bm25: Bm25Index,
        embedder: Embedder,
        tokenizer_name: str,
        popularity: np.ndarray,  # (n_products,) interactions + ratings per product
        fusion: str = DEFAULT_FUSION,
        weight: float = DEFAULT_WEIGHT,
    ) -> None:
        self.catalog = catalog
        self.products = list(products)
        self.table = ProductTable(self.products)
        self.chunks = list(chunks)
        self.vectors = vectors
        self.bm25 = bm25
        self.embedder = embedder
        self.tokenizer_name = tokenizer_name
        self._tokenize = tokenizer(tokenizer_name)
        self.popularity = popularity
        self.fusion = fusion
        self.weight = weight
        self.dense_query_words = DENSE_QUERY_WORDS  # 0: the same weight for every length
        self.degraded: str | None = None  # why search runs in a reduced mode, if it does
        rows = np.array([self.table.index[c.product_id] for c in self.chunks], dtype=np.int64)
        # chunks come grouped by product, in product order: product i owns
        # chunks[_starts[i]:_starts[i + 1]]
        self._starts = np.searchsorted(rows, np.arange(len(self.products)))
        self._values: tuple[np.ndarray, np.ndarray] | None = None  # value_table()

    @property
    def nbytes(self) -> int:
        """Bytes of the vectors held in memory (the bulk of an open index)."""
        return 0 if self.vectors is None else int(self.vectors.nbytes)

    def search(
        self,
        query: str,
        k: int = 10,
        filters: ProductFilter | None = None,
        mode: str = "hybrid",
        snippets: int | None = None,
        parts: Sequence[str] | None = None,
    ) -> list[SearchHit]:
        """The `k` best products for `query` among those passing `filters`.

        An empty query returns the most popular products within the filters.
        Long queries are cut to 512 characters and control characters removed.
        `snippets`: only the first this many hits get a snippet and matched fields (the
        rest have empty ones), for callers that rank many and show few.
        `parts`: the request said in several messages, one entry each (hybrid search
        with weighted fusion only): see `rank_parts`.
        """
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}; expected one of: {', '.join(MODES)}")
        k = max(1, min(int(k), MAX_K))
        q = clean_query(query)
        mask = self.table.mask(filters)
        if not q or not mask.any():
            return self._popular(mask, k)
        pieces = [c for c in (clean_query(p) for p in parts or ()) if c]
        if len(pieces) >= 2 and mode == "hybrid" and self.fusion == "weighted":
            ranked = self.rank_parts(q, pieces, k, mask)
        else:
            ranked = self.rank(q, k, mask, mode)
        tokens = set(self._tokenize(q))
        limit = len(ranked.rows) if snippets is None else snippets
        return [
            self._hit(int(r), float(s), i + 1, mode, tokens, ranked, i < limit)
            for i, (r, s) in enumerate(zip(ranked.rows, ranked.scores, strict=True))
        ]

    def rank(self, query: str, k: int, mask: np.ndarray, mode: str = "hybrid") -> Ranking:
        """The `k` best product rows among `mask` for a cleaned, non-empty query."""
        if self.vectors is None:
            mode = "bm25"
        qv = self._query_vectors(query) if mode in ("hybrid", "dense") else None
        dense = None if qv is None else self._dense_scores(qv)
        lexical = self.bm25.scores(self._tokenize(query)) if mode in ("hybrid", "bm25") else None
        if mode == "hybrid":
            rows, scores = fuse(dense, lexical, mask, self.fusion, self.dense_weight(query))
        elif mode == "dense":
            rows = top_rows(dense, mask, k)
            scores = dense[rows]
        else:
            rows = top_rows(lexical, mask, k, positive=True)
            scores = lexical[rows]
        return Ranking(rows[:k], scores[:k], dense, lexical, qv)

    def rank_parts(self, query: str, parts: Sequence[str], k: int, mask: np.ndarray) -> Ranking:
        """The `k` best product rows among `mask` for a request said in several parts
        (the shopper's messages: "hiking boots", "they are for my son", "walks in the
        snow"): a share (`PART_SHARE`) of the score of the part the
        product meets least, the rest the whole query's weighted score.

        One vector and one bag of words for the whole request let a product that
        meets one part very well outrank one that meets every part: the weakest part
        is what keeps a product out. The whole query's share keeps a part said
        loosely ("a colour like the sea") from sinking every product on its own.
        Every product within the mask is scored (not only the union of each list's
        best, as `fuse` does). Measured with the simulated shoppers (needs mode, 300
        episodes a catalog; README): at a share of 0.3 Hit@3 went 61.3 -> 64.7 % on
        the demo shop, Hit@1 unchanged, and the Amazon catalogs moved by one episode
        (Gift Cards +1, Industrial and Scientific -1); 0.5 found 2 episodes more on
        the demo shop but showed the target first in 6 fewer, 0.7 fewer of both.
        """
        segments = query_segments(query)
        texts = [*segments, *parts]
        lexical = [self.bm25.scores(self._tokenize(t)) for t in (query, *parts)]
        if self.vectors is None:
            dense = np.zeros((len(self.products), len(texts)), dtype=np.float32)
            weights = [0.0] * (1 + len(parts))
            qv = None
        else:
            vectors = np.asarray(self.embedder.encode(texts), dtype=np.float32)
            chunk = np.einsum("ij,kj->ik", self.vectors, vectors)  # (chunks, texts)
            dense = np.maximum.reduceat(chunk, self._starts, axis=0)  # (products, texts)
            weights = [self.dense_weight(query)] + [self.weight] * len(parts)
            qv = vectors[: len(segments)]
        n = len(segments)
        columns = [dense[:, :n].max(1)]
        held = self.value_table() if qv is not None else None
        for j in range(len(parts)):
            part = dense[:, n + j]
            if held is not None and len(held[1]):
                # a part said as a need ("long race-day distances") meets a value the
                # product gives ("best_for: marathons") better than its whole text
                values, pairs = held
                near = values @ vectors[n + j]
                best = np.full(len(self.products), -1.0, dtype=np.float32)
                np.maximum.at(best, pairs[:, 0], near[pairs[:, 1]])
                part = np.maximum(part, best)
            columns.append(part)
        scores = []
        for w, d, lex in zip(weights, columns, lexical, strict=True):
            top = float(lex.max())
            scores.append(w * d + (1.0 - w) * (lex / top if top > 0 else 0.0))
        total = PART_SHARE * np.min(scores[1:], axis=0) + (1.0 - PART_SHARE) * scores[0]
        rows = top_rows(total, mask, k)
        whole = None if qv is None else columns[0]
        return Ranking(rows, total[rows].astype(np.float32), whole, lexical[0], qv)

    def value_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The catalog's descriptive attribute values, embedded once: (vectors of the
        values, (product row, value) pairs). Descriptive: an attribute with at least
        two values and at most `VALUE_VARIETY` distinct ones per product giving it
        (colour, use, fit; not a model number, nearly one per product), each value
        given by two products at least and short. A measure many products share (a
        shipping weight of "0.6 ounces") passes too; its words are far from any need
        said, so it seldom decides a part."""
        if self._values is None:
            counts: dict[str, Counter] = {}
            for p in self.products:
                for name, value in p.attributes.items():
                    if isinstance(value, str) and 0 < len(value) <= MAX_VALUE_CHARS:
                        counts.setdefault(name, Counter())[value.casefold()] += 1
            kept = {
                name for name, c in counts.items() if 2 <= len(c) <= VALUE_VARIETY * sum(c.values())
            }
            index: dict[str, int] = {}
            pairs = []
            for row, p in enumerate(self.products):
                for name, value in p.attributes.items():
                    said = value.casefold() if name in kept and isinstance(value, str) else ""
                    if said and counts[name].get(said, 0) >= 2:
                        pairs.append((row, index.setdefault(said, len(index))))
            vectors = (
                np.asarray(self.embedder.encode(list(index)), dtype=np.float32)
                if index
                else np.zeros((0, 1), dtype=np.float32)
            )
            self._values = (vectors, np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
        return self._values

    def dense_weight(self, query: str) -> float:
        """The dense share of the weighted fusion for `query`.

        A sentence encoder gives one vector for the whole query: for a query of
        several titles or a pasted description that vector is an average of
        many topics, while BM25 gains a term with every word. So past
        `dense_query_words` words (16) the configured weight is scaled by
        16 / words: 0.5 stays 0.5 for a shopper's query, and becomes 0.2 for the
        40 words of three product titles. Measured on Amazon next-item
        retrieval (README): 0.1216 -> 0.1266 HitRate@10 and 0.0781 -> 0.0800
        NDCG@10 at the default weight (before `_query_vectors` split lists);
        every short-query benchmark unchanged.
        """
        words = query_words(query)
        if not self.dense_query_words or words <= self.dense_query_words:
            return self.weight
        return self.weight * self.dense_query_words / words

    def dense_scores(self, query: str) -> np.ndarray:
        """(n_products,) best cosine between any segment of the query and any chunk
        of each product."""
        return self._dense_scores(self._query_vectors(query))

    def _query_vectors(self, query: str) -> np.ndarray:
        """(segments, dim): one vector per part of a query that lists several
        things separated by semicolons (`text.query_segments`).

        "Cordless drill; safety goggles" is two wishes, and a product matching
        either one matches the query, the way a product matches through its best
        chunk. One vector for the whole list is an average of its topics that may
        sit near neither. Measured on Amazon next-item retrieval (three titles a
        query, README): dense alone 0.0713 -> 0.0918 HitRate@10.
        """
        return np.asarray(self.embedder.encode(query_segments(query)), dtype=np.float32)

    def _dense_scores(self, qv: np.ndarray) -> np.ndarray:
        # einsum stays on one thread: a multi-threaded BLAS product was 2-3x slower on a
        # busy 2-core machine, and the query path must stay fast under load
        chunk_scores = np.einsum("ij,kj->ik", self.vectors, qv).max(1)  # (n_chunks,)
        return np.maximum.reduceat(chunk_scores, self._starts).astype(np.float32)

    def _hit(
        self,
        row: int,
        score: float,
        rank: int,
        mode: str,
        tokens: set[str],
        ranked: Ranking,
        with_snippet: bool = True,
    ) -> SearchHit:
        product = self.products[row]
        dense, lexical = ranked.dense, ranked.lexical
        best_chunk = None
        if not with_snippet:
            snippet, snippet_field, matched = "", "", []
        elif ranked.query_vectors is not None:
            start = self._starts[row]
            end = self._starts[row + 1] if row + 1 < len(self._starts) else len(self.chunks)
            scores = (self.vectors[start:end] @ ranked.query_vectors.T).max(1)
            best_chunk = self.chunks[start + int(np.argmax(scores))]
        if with_snippet:
            snippet, snippet_field, matched = documents.snippet_for(
                product, tokens, self._tokenize, best_chunk
            )
        return SearchHit(
            product_id=product.id,
            score=score,
            matched_fields=matched,
            snippet=snippet,
            snippet_field=snippet_field,
            title=product.title,
            rank=rank,
            source=mode,
            dense_score=None if dense is None else float(dense[row]),
            bm25_score=None if lexical is None else float(lexical[row]),
            chunk_id=None if best_chunk is None else best_chunk.id,
        )

    def _popular(self, mask: np.ndarray, k: int) -> list[SearchHit]:
        rows = top_rows(self.popularity + 1.0, mask, k)
        out = []
        for i, row in enumerate(rows):
            p = self.products[int(row)]
            out.append(
                SearchHit(
                    product_id=p.id,
                    score=float(self.popularity[row]),
                    matched_fields=[],
                    snippet=p.title[: documents.SNIPPET_CHARS],
                    snippet_field="title",
                    title=p.title,
                    rank=i + 1,
                    source="popular",
                )
            )
        return out


def _chunks_and_metadata(
    products: Sequence[Product],
) -> tuple[list[documents.Chunk], list[dict[str, Any]]]:
    chunks, metas = [], []
    for p in products:
        for c in documents.chunks(p):
            chunks.append(c)
            metas.append(documents.metadata(p, c))
    return chunks, metas


def _content_hash(chunks: Sequence[documents.Chunk]) -> str:
    digest = hashlib.sha1()
    for c in chunks:
        digest.update(f"{c.id}\t{c.text_hash}\n".encode())
    return digest.hexdigest()


def _popularity(store: Store, catalog: str, products: Sequence[Product]) -> list[float]:
    rows = store.query(
        """SELECT p.ext_id AS id, COUNT(i.pk) AS n FROM products p
           JOIN catalogs c ON c.id = p.catalog_id
           LEFT JOIN interactions i ON i.product_pk = p.pk
           WHERE c.name = ? GROUP BY p.pk""",
        (catalog,),
    )
    counts = {r["id"]: r["n"] for r in rows}
    # ties between equally popular products go to the better-rated one
    return [
        float(counts.get(p.id, 0) + p.rating_count) + (p.rating_avg or 0.0) / 10.0 for p in products
    ]


def _read_manifest(home: Path, catalog: str, embedder: Embedder | None) -> tuple[dict, Path]:
    base = Path(home) / "index" / catalog
    if embedder is not None:
        candidates = [base / embedder.name / "manifest.json"]
    else:
        candidates = sorted(base.glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
    path = candidates[-1] if candidates else None
    if path is None or not path.is_file():
        if embedder is None:
            raise IndexMissingError(
                f"catalog {catalog!r} has no search index; " + rebuild_hint(catalog)
            )
        raise IndexMissingError(
            f"catalog {catalog!r} has no search index with embedder {embedder.name}; run "
            f"`shopassist index --dataset {catalog} --embedder {embedder.spec}` to build it"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("version") != INDEX_VERSION:
            raise ValueError(f"version {manifest.get('version')}, expected {INDEX_VERSION}")
        for key in ("embedder", "dim", "collection", "tokenizer", "popularity", "content_hash"):
            manifest[key]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(
            f"the search index of {catalog!r} is damaged ({exc}); " + rebuild_hint(catalog)
        ) from exc
    return manifest, path.parent
