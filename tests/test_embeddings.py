"""The embedders: shapes, normalisation, the content-hash cache, the factory."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.errors import InputError
from vectorstore.embeddings import SentenceTransformerEmbedder, UseEmbedder, make_embedder


@pytest.mark.parametrize("spec", ["use", "minilm"])
def test_vectors_are_normalised_and_meaningful(spec):
    embedder = make_embedder(spec, device="cpu")
    texts = ["wireless noise cancelling headphones", "bluetooth headphones", "chef's knife"]
    vectors = embedder.encode(texts)
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_use_is_cross_lingual():
    vectors = UseEmbedder().encode(["蓝牙耳机", "Bluetooth headphones", "hiking boots"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_cache_skips_texts_already_encoded():
    embedder = UseEmbedder()
    first = embedder.encode(["yoga mat", "yoga mat", "coffee"])
    assert embedder.encoded_texts == 2  # duplicates within a call are encoded once
    again = embedder.encode(["coffee", "yoga mat", ""])
    assert embedder.encoded_texts == 3  # only the empty text was new
    assert np.array_equal(again[0], first[2]) and np.array_equal(again[1], first[0])


def test_construction_is_lazy_and_factory_rejects_unknown(tmp_path):
    embedder = SentenceTransformerEmbedder(None)
    assert embedder._model is None and embedder.dim == 384 and embedder.name == "minilm-l6"
    with pytest.raises(InputError, match="unknown embedder"):
        make_embedder("word2vec")
    with pytest.raises(InputError, match="not found"):
        SentenceTransformerEmbedder(tmp_path / "nothing")


def test_warm_loads_both_passes_of_use_before_the_first_shopper():
    embedder = UseEmbedder()
    assert embedder._numpy is None and embedder._torch is None
    embedder.warm()
    assert embedder._numpy is not None  # the pass for a few texts
    if embedder.pass_for(embedder.bulk) == "torch":
        assert embedder._torch is not None  # and the bulk pass
