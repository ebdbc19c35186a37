"""The bundled sentence encoder's forward pass in numpy, for question-time texts.

Importing torch and sentence-transformers takes about 9 s on a 2-core machine, most of a `qa ask` cold start,
while a question is a handful of word pieces. This module runs the same model from the same files
(`model.safetensors`, `tokenizer.json`, the pooling config) with numpy and the `tokenizers` library, which
import in well under a second. It handles what sentence-transformers would build from those files for a
BERT encoder with mean pooling and normalisation (all-MiniLM-L6-v2 and its kin); `load` returns None for
anything else and the caller uses sentence-transformers. tests/test_bert_numpy.py holds it to
sentence-transformers' vectors on real text. Ingest keeps torch: it encodes thousands of windows a call,
where torch's kernels are faster.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

SUPPORTED_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                     "sentence_transformers.models.Normalize"]


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26), below float32 resolution for BERT's GELU."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class BertEncoder:
    """A BERT sentence encoder: mean pooling over real tokens, then L2 normalisation."""

    def __init__(self, path: Path, config: dict, max_seq_length: int):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.config, self.max_seq_length = config, max_seq_length
        weights = load_file(str(path / "model.safetensors"))
        if not any(k.startswith("embeddings.") for k in weights):  # saved with a "bert." prefix
            weights = {k.split(".", 1)[1]: v for k, v in weights.items() if k.startswith("bert.")}
        # float32 throughout (a float64 anywhere would spread to every later step), dense weights stored
        # transposed once so each layer is a plain row-major matrix product.
        self.weights = {k: np.ascontiguousarray(v.T if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k
                                                else v, dtype=np.float32) for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        self.tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0))
        self.dimension = int(config["hidden_size"])

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # One 2-D product (numpy runs a 3-D one as a loop of small ones, ~4x slower); weight stored (in, out).
        flat = x.reshape(-1, x.shape[-1]) @ self._w(f"{name}.weight") + self._w(f"{name}.bias")
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _layer(self, h: np.ndarray, mask_bias: np.ndarray, i: int) -> np.ndarray:
        p, eps = f"encoder.layer.{i}", self.config.get("layer_norm_eps", 1e-12)
        heads = self.config["num_attention_heads"]
        batch, length, width = h.shape
        size = width // heads

        def split(x):  # (batch, length, width) -> (batch, heads, length, size)
            return x.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q, k, v = (split(self._linear(h, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(size)) + mask_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, width)
        h = _layer_norm(self._linear(context, f"{p}.attention.output.dense") + h,
                        self._w(f"{p}.attention.output.LayerNorm.weight"),
                        self._w(f"{p}.attention.output.LayerNorm.bias"), eps)
        inner = self._linear(h, f"{p}.intermediate.dense")
        inner = 0.5 * inner * (1.0 + _erf(inner * (1.0 / math.sqrt(2.0))))  # BERT's exact GELU
        return _layer_norm(self._linear(inner, f"{p}.output.dense") + h,
                           self._w(f"{p}.output.LayerNorm.weight"), self._w(f"{p}.output.LayerNorm.bias"), eps)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths share a batch: less padding
        for start in range(0, len(texts), batch_size):
            picked = order[start:start + batch_size]
            out[picked] = self._encode_batch([texts[i] for i in picked])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        eps = self.config.get("layer_norm_eps", 1e-12)
        h = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[np.arange(ids.shape[1])]
             + self._w("embeddings.token_type_embeddings.weight")[types])
        h = _layer_norm(h, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), eps)
        mask_bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        for i in range(self.config["num_hidden_layers"]):
            h = self._layer(h, mask_bias, i)
        assert h.dtype == np.float32
        pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def load(path: str | Path) -> BertEncoder | None:
    """The numpy encoder for the sentence-transformers model at `path`, or None when it is not a BERT
    encoder with mean pooling and normalisation saved as safetensors with a fast tokenizer."""
    path = Path(path)
    try:
        listed = json.loads((path / "modules.json").read_text())
        modules = [m["type"] for m in listed]
        config = json.loads((path / "config.json").read_text())
        pooling = json.loads((path / listed[1]["path"] / "config.json").read_text())
        st_config = json.loads((path / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, IndexError):
        return None
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
    if (modules != SUPPORTED_MODULES or config.get("model_type") != "bert" or not mean_only
            or config.get("hidden_act") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute"
            or st_config.get("do_lower_case") or not (path / "model.safetensors").exists()
            or not (path / "tokenizer.json").exists()):
        return None
    return BertEncoder(path, config, int(st_config.get("max_seq_length", 512)))
