"""The Chroma side of the index: the client (embedded or server), one collection
per catalog and embedder, incremental sync, and reading the vectors back.

Embedded mode is a `PersistentClient` under `<home>/index/chroma`; when a URL is
given the same code talks to a Chroma server through `HttpClient`. Embeddings
are always computed by our own `Embedder` and passed in: Chroma's default
embedding function would try to download a model.

Sync is incremental: each chunk's metadata keeps the SHA-1 of its text and of
its metadata; a chunk whose text is unchanged keeps its vector (metadata-only
changes are an `update` without embeddings), so re-indexing an unchanged
catalog encodes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from catalog.errors import InputError
from vectorstore.documents import Chunk
from vectorstore.errors import IndexCorruptError, VectorStoreUnavailableError

WRITE_BATCH = 2000
# Dense scoring reads the vectors back and ranks them exactly in numpy (so the
# shared filters apply before ranking); a light HNSW graph keeps writes cheap.
HNSW = {"space": "cosine", "ef_construction": 32, "max_neighbors": 8}


def make_client(persist_dir: Path, url: str | None = None) -> Any:
    """A Chroma client: embedded under `persist_dir`, or the server at `url`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        persist_dir.mkdir(parents=True, exist_ok=True)
        try:
            return chromadb.PersistentClient(path=str(persist_dir), settings=settings)
        except Exception as exc:  # Chroma raises many types for a damaged directory
            raise IndexCorruptError(
                f"the vector store in {persist_dir} cannot be opened ({exc}); delete that "
                "directory and run `shopassist index --dataset NAME` again"
            ) from exc
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise InputError(f"bad vector store url {url!r}: expected http://HOST:PORT")
    try:
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    except Exception as exc:  # connection refused, DNS, TLS: all mean "not reachable"
        raise VectorStoreUnavailableError(
            f"cannot reach the Chroma server at {url} ({exc}); start it with "
            "`chroma run --path DIR --host HOST --port PORT` or unset vectorstore.url"
        ) from exc


def collection_name(catalog: str, embedder_name: str) -> str:
    """A valid Chroma name (3-512 chars of [a-zA-Z0-9._-], alphanumeric at both ends)."""
    raw = f"shopassist-{catalog}-{embedder_name}"
    name = re.sub(r"[^a-zA-Z0-9._-]+", "-", raw).strip("-._")
    if len(name) > 200:
        name = name[:180] + "-" + hashlib.sha1(raw.encode()).hexdigest()[:12]
    return name


@dataclass(slots=True)
class SyncReport:
    added: int = 0
    updated_text: int = 0
    updated_metadata: int = 0
    unchanged: int = 0
    deleted: int = 0


def sync_collection(
    collection: Any,
    chunks: Sequence[Chunk],
    metadatas: Sequence[dict[str, Any]],
    encode: Callable[[list[str]], np.ndarray],
    progress: bool = False,
    documents: bool = False,
) -> SyncReport:
    """Make the collection hold exactly `chunks`, embedding only new or changed texts
    (and storing the texts themselves as Chroma documents when `documents`)."""
    existing = _existing_hashes(collection)
    report = SyncReport()
    embed_rows: list[int] = []
    meta_rows: list[int] = []
    full_meta = []
    for i, (chunk, meta) in enumerate(zip(chunks, metadatas, strict=True)):
        meta_hash = _hash_json(meta)
        full_meta.append({**meta, "text_hash": chunk.text_hash, "meta_hash": meta_hash})
        old = existing.get(chunk.id)
        if old is None or old[0] != chunk.text_hash:
            embed_rows.append(i)
            report.added += old is None
            report.updated_text += old is not None
        elif old[1] != meta_hash:
            meta_rows.append(i)
        else:
            report.unchanged += 1
    report.updated_metadata = len(meta_rows)
    stale = sorted(set(existing) - {c.id for c in chunks})
    for start in range(0, len(stale), WRITE_BATCH):
        collection.delete(ids=stale[start : start + WRITE_BATCH])
    report.deleted = len(stale)
    _embed_and_upsert(collection, chunks, full_meta, embed_rows, encode, progress, documents)
    for start in range(0, len(meta_rows), WRITE_BATCH):
        rows = meta_rows[start : start + WRITE_BATCH]
        collection.update(ids=[chunks[i].id for i in rows], metadatas=[full_meta[i] for i in rows])
    return report


def _embed_and_upsert(
    collection: Any,
    chunks: Sequence[Chunk],
    metas: list[dict[str, Any]],
    rows: list[int],
    encode: Callable[[list[str]], np.ndarray],
    progress: bool,
    documents: bool,
) -> None:
    if not rows:
        return
    from tqdm import tqdm

    bar = tqdm(total=len(rows), desc="embedding", unit="chunk", disable=not progress)
    for start in range(0, len(rows), WRITE_BATCH):
        part = rows[start : start + WRITE_BATCH]
        texts = [chunks[i].text for i in part]
        collection.upsert(
            ids=[chunks[i].id for i in part],
            embeddings=encode(texts),
            metadatas=[metas[i] for i in part],
            documents=texts if documents else None,
        )
        bar.update(len(part))
    bar.close()


def drop_collection(client: Any, name: str) -> None:
    """Delete collection `name` if it exists."""
    from chromadb.errors import NotFoundError

    with contextlib.suppress(NotFoundError):
        client.delete_collection(name)


def _existing_hashes(collection: Any) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    total = collection.count()
    for offset in range(0, total, WRITE_BATCH * 5):
        got = collection.get(include=["metadatas"], limit=WRITE_BATCH * 5, offset=offset)
        for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
            meta = meta or {}
            out[cid] = (str(meta.get("text_hash", "")), str(meta.get("meta_hash", "")))
    return out


def read_vectors(collection: Any, ids: Sequence[str], dim: int) -> np.ndarray:
    """(len(ids), dim) float32 vectors in the order of `ids`; a missing id is corruption."""
    out = np.empty((len(ids), dim), dtype=np.float32)
    step = WRITE_BATCH * 5
    for start in range(0, len(ids), step):
        want = list(ids[start : start + step])
        got = collection.get(ids=want, include=["embeddings"])
        found = dict(zip(got["ids"], got["embeddings"], strict=True))
        missing = [i for i in want if i not in found]
        if missing:
            raise IndexCorruptError(
                f"the vector store lacks {len(missing)} of the indexed chunks"
                f" (first: {missing[0]!r})"
            )
        block = np.asarray([found[i] for i in want], dtype=np.float32)
        if block.shape[1] != dim:
            raise IndexCorruptError(f"stored vectors have {block.shape[1]} dims, expected {dim}")
        out[start : start + len(want)] = block
    return out


def _hash_json(value: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
